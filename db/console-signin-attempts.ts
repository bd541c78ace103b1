import type { Db } from './pool.js';

/**
 * The record of console sign-in attempts, kept for review (who tried, from where, with what outcome). The lock
 * itself is decided by the counts in rate_limits (console/throttle.ts), not by these rows.
 */
export async function insertSigninAttempt(db: Db, username: string, ip: string, outcome: 'ok' | 'failed' | 'locked'): Promise<void> {
  await db.query('INSERT INTO console_signin_attempts (username, ip, outcome) VALUES ($1, $2, $3)', [
    username.slice(0, 100),
    ip.slice(0, 100),
    outcome,
  ]);
}
