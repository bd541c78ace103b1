/** Console users in PostgreSQL: added and disabled from the command line (`chuky console user …`) or by an admin. */
import {
  disableConsoleUser,
  enableConsoleUser,
  getConsoleUser,
  insertConsoleUser,
  listConsoleUsers,
  setConsoleUserPassword,
  type ConsoleUserRow,
} from '../db/console-users.js';
import type { Db } from '../db/pool.js';
import { hashPassword, passwordProblem } from './passwords.js';
import { isRole, type Role } from './permissions.js';

export interface ConsoleUser {
  username: string;
  name: string;
  role: Role;
  /** The committee the user is scoped to (null: the whole deployment); `subtree`: and every committee under it. */
  committeeCode: string | null;
  subtree: boolean;
  createdAt: string;
  disabledAt: string | null;
  lastSignIn: string | null;
}

export class UserError extends Error {
  override name = 'UserError';
}

const USERNAME = /^[a-z0-9._-]{2,64}$/;
/** A committee's code as cycle files write it (config/cycle.ts CommitteeCodeSchema). */
const COMMITTEE_CODE = /^[A-Za-z0-9_-]{1,40}$/;

export function normaliseUsername(raw: string): string {
  return raw.normalize('NFC').trim().toLowerCase();
}

/** The row without its hash; the role is one of ours (the table's CHECK allows no other). */
function toUser(r: ConsoleUserRow): ConsoleUser {
  return {
    username: r.username,
    name: r.name,
    role: r.role as Role,
    committeeCode: r.committeeCode,
    subtree: r.subtree,
    createdAt: r.createdAt,
    disabledAt: r.disabledAt,
    lastSignIn: r.lastSignIn,
  };
}

/** Adds a user; refuses an existing username (use `setPassword` to change a password). */
export async function addUser(
  db: Db,
  u: { username: string; name: string; role: string; password: string; committeeCode?: string | null; subtree?: boolean },
): Promise<ConsoleUser> {
  const username = normaliseUsername(u.username);
  if (!USERNAME.test(username)) throw new UserError('Tên đăng nhập: 2–64 ký tự a-z, 0-9, dấu chấm, gạch dưới hoặc gạch ngang');
  if (!isRole(u.role)) throw new UserError(`Vai trò không hợp lệ: "${u.role}" (admin, clerk hoặc leader)`);
  const name = u.name.normalize('NFC').trim();
  if (!name || name.length > 200) throw new UserError('Họ tên: không được để trống (tối đa 200 ký tự)');
  const committeeCode = u.committeeCode?.normalize('NFC').trim() || null;
  if (committeeCode !== null && !COMMITTEE_CODE.test(committeeCode))
    throw new UserError(`Mã cấp ủy không hợp lệ: "${committeeCode}" (chữ A-Z, số, “-” và “_”, như mã trong tệp chu kỳ)`);
  if (u.subtree && committeeCode === null) throw new UserError('Cấp dưới: chỉ cấp cho người dùng thuộc một cấp ủy');
  const problem = passwordProblem(u.password);
  if (problem) throw new UserError(problem);
  const hash = await hashPassword(u.password);
  const row = await insertConsoleUser(db, { username, name, role: u.role, passwordHash: hash, committeeCode, subtree: u.subtree ?? false });
  if (!row) throw new UserError(`Tên đăng nhập "${username}" đã có`);
  return toUser(row);
}

export async function setPassword(db: Db, username: string, password: string): Promise<void> {
  const problem = passwordProblem(password);
  if (problem) throw new UserError(problem);
  const hash = await hashPassword(password);
  // A new password ends every session opened with the old one (setConsoleUserPassword does both).
  if (!(await setConsoleUserPassword(db, normaliseUsername(username), hash))) throw new UserError(`Không có người dùng "${username}"`);
}

export async function listUsers(db: Db): Promise<ConsoleUser[]> {
  return (await listConsoleUsers(db)).map(toUser);
}

export async function getUser(db: Db, username: string): Promise<(ConsoleUser & { passwordHash: string }) | undefined> {
  const row = await getConsoleUser(db, normaliseUsername(username));
  return row ? { ...toUser(row), passwordHash: row.passwordHash } : undefined;
}

/** Disables a user and ends their sessions at once; returns false for no such user. */
export async function disableUser(db: Db, username: string): Promise<boolean> {
  return disableConsoleUser(db, normaliseUsername(username));
}

export async function enableUser(db: Db, username: string): Promise<boolean> {
  return enableConsoleUser(db, normaliseUsername(username));
}
