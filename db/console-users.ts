/** The console's users in PostgreSQL (console_users); the rules on names, roles and passwords are console/users.ts's. */
import type { Db } from './pool.js';

export interface ConsoleUserRow {
  username: string;
  name: string;
  /** 'admin', 'clerk' or 'leader': the table's CHECK holds it to those. */
  role: string;
  /** The committee the user is scoped to (null: the whole deployment); `subtree`: and the committees under it. */
  committeeCode: string | null;
  subtree: boolean;
  passwordHash: string;
  createdAt: string;
  disabledAt: string | null;
  lastSignIn: string | null;
}

// timestamptz: a Date from pg, or text where a query casts it.
const iso = (v: unknown): string | null => (v instanceof Date ? v.toISOString() : typeof v === 'string' ? v : null);

function toRow(r: Record<string, unknown>): ConsoleUserRow {
  return {
    username: r.username as string,
    name: r.name as string,
    role: r.role as string,
    committeeCode: (r.committee_code as string | null) ?? null,
    subtree: r.subtree === true,
    passwordHash: r.password_hash as string,
    createdAt: iso(r.created_at) ?? '',
    disabledAt: iso(r.disabled_at),
    lastSignIn: iso(r.last_sign_in),
  };
}

/** Inserts a user; undefined when the username is taken (an existing user is never overwritten). */
export async function insertConsoleUser(
  db: Db,
  u: { username: string; name: string; role: string; passwordHash: string; committeeCode?: string | null; subtree?: boolean },
): Promise<ConsoleUserRow | undefined> {
  const { rows } = await db.query(
    `INSERT INTO console_users (username, name, role, password_hash, committee_code, subtree) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (username) DO NOTHING RETURNING *`,
    [u.username, u.name, u.role, u.passwordHash, u.committeeCode ?? null, u.subtree ?? false],
  );
  return rows[0] ? toRow(rows[0]) : undefined;
}

export async function listConsoleUsers(db: Db): Promise<ConsoleUserRow[]> {
  const { rows } = await db.query('SELECT * FROM console_users ORDER BY username');
  return rows.map(toRow);
}

export async function getConsoleUser(db: Db, username: string): Promise<ConsoleUserRow | undefined> {
  const { rows } = await db.query('SELECT * FROM console_users WHERE username = $1', [username]);
  return rows[0] ? toRow(rows[0]) : undefined;
}

/**
 * Replaces a user's password hash and ends their open sessions (a new password ends every session opened with the
 * old one); false, and nothing ended, for no such user. Two statements, not one transaction: a session ended
 * without the password changing only asks its user to sign in again.
 */
export async function setConsoleUserPassword(db: Db, username: string, passwordHash: string): Promise<boolean> {
  const result = await db.query('UPDATE console_users SET password_hash = $2, updated_at = now() WHERE username = $1', [
    username,
    passwordHash,
  ]);
  if (!result.rowCount) return false;
  await endOpenSessionsOf(db, username);
  return true;
}

/** Disables a user (keeping the first disabling's time) and ends their open sessions; false for no such user. */
export async function disableConsoleUser(db: Db, username: string): Promise<boolean> {
  const result = await db.query(
    'UPDATE console_users SET disabled_at = COALESCE(disabled_at, now()), updated_at = now() WHERE username = $1',
    [username],
  );
  if (!result.rowCount) return false;
  await endOpenSessionsOf(db, username);
  return true;
}

export async function enableConsoleUser(db: Db, username: string): Promise<boolean> {
  const result = await db.query('UPDATE console_users SET disabled_at = NULL, updated_at = now() WHERE username = $1', [username]);
  return (result.rowCount ?? 0) > 0;
}

async function endOpenSessionsOf(db: Db, username: string): Promise<void> {
  await db.query('UPDATE console_sessions SET ended_at = now() WHERE username = $1 AND ended_at IS NULL', [username]);
}
