/**
 * Sign-in lock-out, kept in PostgreSQL so that every API process counts the same attempts: after `maxFailures`
 * wrong passwords for one username within `windowMinutes` (since its last success) the username is locked for
 * the rest of the window; an address is locked after `ipMaxFailures` failures across usernames (higher, since a
 * whole office signs in from one address). A locked attempt is recorded but not counted, so the lock ends on time.
 */
import type { Db } from '../db/pool.js';

export interface ThrottlePolicy {
  maxFailures: number;
  ipMaxFailures: number;
  windowMinutes: number;
}

export const DEFAULT_THROTTLE_POLICY: ThrottlePolicy = { maxFailures: 5, ipMaxFailures: 20, windowMinutes: 15 };

export interface LockState {
  locked: boolean;
  /** Whole minutes until the oldest counted failure leaves the window. */
  retryAfterMinutes: number;
  by?: 'username' | 'ip';
}

export async function lockState(db: Db, username: string, ip: string, policy: ThrottlePolicy): Promise<LockState> {
  const window = policy.windowMinutes * 60;
  const { rows } = await db.query(
    `WITH last_ok AS (
       SELECT max(at) AS ok_at FROM console_signin_attempts WHERE username = $1 AND outcome = 'ok'
     ), by_user AS (
       SELECT count(*)::int AS n, min(a.at) AS first FROM console_signin_attempts a, last_ok
       WHERE a.username = $1 AND a.outcome = 'failed' AND a.at > now() - make_interval(secs => $3)
         AND (last_ok.ok_at IS NULL OR a.at > last_ok.ok_at)
     ), by_ip AS (
       SELECT count(*)::int AS n, min(at) AS first FROM console_signin_attempts
       WHERE ip = $2 AND outcome = 'failed' AND at > now() - make_interval(secs => $3)
     )
     SELECT by_user.n AS user_n, EXTRACT(EPOCH FROM (by_user.first + make_interval(secs => $3) - now())) AS user_left,
            by_ip.n AS ip_n, EXTRACT(EPOCH FROM (by_ip.first + make_interval(secs => $3) - now())) AS ip_left
     FROM by_user, by_ip`,
    [username, ip, window],
  );
  const r = rows[0];
  const minutes = (seconds: unknown) => Math.max(1, Math.ceil(Number(seconds ?? 0) / 60));
  if (r.user_n >= policy.maxFailures) return { locked: true, retryAfterMinutes: minutes(r.user_left), by: 'username' };
  if (r.ip_n >= policy.ipMaxFailures) return { locked: true, retryAfterMinutes: minutes(r.ip_left), by: 'ip' };
  return { locked: false, retryAfterMinutes: 0 };
}

export async function recordAttempt(db: Db, username: string, ip: string, outcome: 'ok' | 'failed' | 'locked'): Promise<void> {
  await db.query('INSERT INTO console_signin_attempts (username, ip, outcome) VALUES ($1, $2, $3)', [username.slice(0, 100), ip.slice(0, 100), outcome]);
}

/** The message a locked-out user reads. */
export function lockMessage(state: LockState): string {
  return state.by === 'ip'
    ? `Có quá nhiều lần đăng nhập sai từ địa chỉ này. Vui lòng thử lại sau ${state.retryAfterMinutes} phút.`
    : `Tài khoản tạm khóa do đăng nhập sai nhiều lần. Vui lòng thử lại sau ${state.retryAfterMinutes} phút hoặc liên hệ quản trị viên.`;
}
