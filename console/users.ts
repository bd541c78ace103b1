/** Console users in PostgreSQL: added and disabled from the command line (`chuky console user …`) or by an admin. */
import type { Db } from '../db/pool.js';
import { hashPassword, passwordProblem } from './passwords.js';
import { isRole, type Role } from './permissions.js';

export interface ConsoleUser {
  username: string;
  name: string;
  role: Role;
  createdAt: string;
  disabledAt: string | null;
  lastSignIn: string | null;
}

export class UserError extends Error {
  override name = 'UserError';
}

const USERNAME = /^[a-z0-9._-]{2,64}$/;

export function normaliseUsername(raw: string): string {
  return raw.normalize('NFC').trim().toLowerCase();
}

const iso = (v: unknown): string | null => (v instanceof Date ? v.toISOString() : v == null ? null : String(v));

function toUser(r: Record<string, unknown>): ConsoleUser {
  return {
    username: r.username as string,
    name: r.name as string,
    role: r.role as Role,
    createdAt: iso(r.created_at) ?? '',
    disabledAt: iso(r.disabled_at),
    lastSignIn: iso(r.last_sign_in),
  };
}

/** Adds a user; refuses an existing username (use `setPassword` to change a password). */
export async function addUser(db: Db, u: { username: string; name: string; role: string; password: string }): Promise<ConsoleUser> {
  const username = normaliseUsername(u.username);
  if (!USERNAME.test(username)) throw new UserError('Tên đăng nhập: 2–64 ký tự a-z, 0-9, dấu chấm, gạch dưới hoặc gạch ngang');
  if (!isRole(u.role)) throw new UserError(`Vai trò không hợp lệ: "${u.role}" (admin, clerk hoặc leader)`);
  const name = u.name.normalize('NFC').trim();
  if (!name || name.length > 200) throw new UserError('Họ tên: không được để trống (tối đa 200 ký tự)');
  const problem = passwordProblem(u.password);
  if (problem) throw new UserError(problem);
  const hash = await hashPassword(u.password);
  const { rows } = await db.query(
    `INSERT INTO console_users (username, name, role, password_hash) VALUES ($1, $2, $3, $4)
     ON CONFLICT (username) DO NOTHING RETURNING *`,
    [username, name, u.role, hash],
  );
  if (!rows[0]) throw new UserError(`Tên đăng nhập "${username}" đã có`);
  return toUser(rows[0]);
}

export async function setPassword(db: Db, username: string, password: string): Promise<void> {
  const problem = passwordProblem(password);
  if (problem) throw new UserError(problem);
  const hash = await hashPassword(password);
  const result = await db.query('UPDATE console_users SET password_hash = $2, updated_at = now() WHERE username = $1', [normaliseUsername(username), hash]);
  if (!result.rowCount) throw new UserError(`Không có người dùng "${username}"`);
  // A new password ends every session opened with the old one.
  await db.query('UPDATE console_sessions SET ended_at = now() WHERE username = $1 AND ended_at IS NULL', [normaliseUsername(username)]);
}

export async function listUsers(db: Db): Promise<ConsoleUser[]> {
  const { rows } = await db.query('SELECT * FROM console_users ORDER BY username');
  return rows.map(toUser);
}

export async function getUser(db: Db, username: string): Promise<(ConsoleUser & { passwordHash: string }) | undefined> {
  const { rows } = await db.query('SELECT * FROM console_users WHERE username = $1', [normaliseUsername(username)]);
  return rows[0] ? { ...toUser(rows[0]), passwordHash: rows[0].password_hash as string } : undefined;
}

/** Disables a user and ends their sessions at once; returns false for no such user. */
export async function disableUser(db: Db, username: string): Promise<boolean> {
  const name = normaliseUsername(username);
  const result = await db.query('UPDATE console_users SET disabled_at = COALESCE(disabled_at, now()), updated_at = now() WHERE username = $1', [name]);
  if (!result.rowCount) return false;
  await db.query('UPDATE console_sessions SET ended_at = now() WHERE username = $1 AND ended_at IS NULL', [name]);
  return true;
}

export async function enableUser(db: Db, username: string): Promise<boolean> {
  const result = await db.query('UPDATE console_users SET disabled_at = NULL, updated_at = now() WHERE username = $1', [normaliseUsername(username)]);
  return (result.rowCount ?? 0) > 0;
}
