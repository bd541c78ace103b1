/**
 * The console's sessions in PostgreSQL (console_sessions), by the SHA-256 of the cookie's id: console/sessions.ts
 * makes the id, hashes it and decides the policy; this module only reads and writes rows.
 */
import type { Db } from './pool.js';

export interface ConsoleSessionRow {
  idHash: string;
  username: string;
  name: string;
  role: string;
  committeeCode: string | null;
  subtree: boolean;
  createdAt: string;
  expiresAt: string;
}

/** Opens a session ending `absoluteSeconds` from now, and records the sign-in on the user. */
export async function insertConsoleSession(
  db: Db,
  s: { idHash: string; username: string; absoluteSeconds: number; ip: string; userAgent: string },
): Promise<void> {
  await db.query(
    `INSERT INTO console_sessions (id_hash, username, expires_at, ip, user_agent)
     VALUES ($1, $2, now() + make_interval(secs => $3), $4, $5)`,
    [s.idHash, s.username, s.absoluteSeconds, s.ip, s.userAgent],
  );
  await db.query('UPDATE console_users SET last_sign_in = now() WHERE username = $1', [s.username]);
}

/**
 * The live session with this id hash (not ended, its user not disabled, not past its end, seen within
 * `idleSeconds`), or undefined. `touch` records now as its last activity in the same statement.
 */
export async function liveConsoleSession(
  db: Db,
  idHash: string,
  idleSeconds: number,
  touch: boolean,
): Promise<ConsoleSessionRow | undefined> {
  const { rows } = await db.query(
    `${touch ? 'UPDATE console_sessions s SET last_seen_at = now() FROM console_users u' : 'SELECT s.*, u.name, u.role, u.committee_code, u.subtree FROM console_sessions s JOIN console_users u ON u.username = ' + 's.username'}
     WHERE s.id_hash = $1 ${touch ? 'AND u.username = s.username' : ''}
       AND s.ended_at IS NULL AND u.disabled_at IS NULL AND s.expires_at > now()
       AND s.last_seen_at > now() - make_interval(secs => $2)
     ${touch ? 'RETURNING s.*, u.name, u.role, u.committee_code, u.subtree' : ''}`,
    [idHash, idleSeconds],
  );
  const r = rows[0];
  if (!r) return undefined;
  return {
    idHash: r.id_hash,
    username: r.username,
    name: r.name,
    role: r.role,
    committeeCode: r.committee_code ?? null,
    subtree: r.subtree === true,
    createdAt: new Date(r.created_at).toISOString(),
    expiresAt: new Date(r.expires_at).toISOString(),
  };
}

/** Ends a session (keeping the first end's time). */
export async function endConsoleSession(db: Db, idHash: string): Promise<void> {
  await db.query('UPDATE console_sessions SET ended_at = COALESCE(ended_at, now()) WHERE id_hash = $1', [idHash]);
}
