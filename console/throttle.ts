/**
 * Sign-in lock-out, counted in PostgreSQL so that every API process counts the same attempts: after `maxFailures`
 * wrong passwords for one username within `windowMinutes` (since its last success) the username is locked for
 * the rest of the window; an address is locked after `ipMaxFailures` failures across usernames (higher, since a
 * whole office signs in from one address). A locked attempt is recorded but not counted, so the lock ends on time.
 *
 * The counts are rate-limiter-flexible's (RateLimiterPostgres on the `rate_limits` table, db/rate-limits.ts): a
 * fixed window from the first failure, as before. Every attempt is still written to `console_signin_attempts`,
 * for review (who tried which username from where); that table no longer decides the lock.
 */
import { insertSigninAttempt } from '../db/console-signin-attempts.js';
import type { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { Db } from '../db/pool.js';
import { pgRateLimiter } from '../db/rate-limits.js';

export interface ThrottlePolicy {
  maxFailures: number;
  ipMaxFailures: number;
  windowMinutes: number;
}

export const DEFAULT_THROTTLE_POLICY: ThrottlePolicy = { maxFailures: 5, ipMaxFailures: 20, windowMinutes: 15 };

export interface LockState {
  locked: boolean;
  /** Whole minutes until the window of the counted failures ends. */
  retryAfterMinutes: number;
  by?: 'username' | 'ip';
}

interface SigninLimiters {
  policy: ThrottlePolicy;
  byUser: RateLimiterPostgres;
  byIp: RateLimiterPostgres;
}

/** The counters of one pool and policy, made once (a limiter is only settings: its counts are in the table). */
const limiters = new WeakMap<Db, Map<string, SigninLimiters>>();
/** The policy `lockState` last used with a pool, for `recordAttempt` calls that do not name one. */
const lastPolicy = new WeakMap<Db, ThrottlePolicy>();

function limitersFor(db: Db, policy: ThrottlePolicy): SigninLimiters {
  const key = `${policy.maxFailures}/${policy.ipMaxFailures}/${policy.windowMinutes}`;
  let byPolicy = limiters.get(db);
  if (!byPolicy) limiters.set(db, (byPolicy = new Map()));
  let found = byPolicy.get(key);
  if (!found) {
    const durationSeconds = policy.windowMinutes * 60;
    found = {
      policy,
      byUser: pgRateLimiter(db, { keyPrefix: 'signin-user', points: policy.maxFailures, durationSeconds }),
      byIp: pgRateLimiter(db, { keyPrefix: 'signin-ip', points: policy.ipMaxFailures, durationSeconds }),
    };
    byPolicy.set(key, found);
  }
  return found;
}

/** The counters' keys: bounded like the attempts table's columns (the library's key column is varchar(255)). */
const userKey = (username: string) => username.slice(0, 100);
const ipKey = (ip: string) => ip.slice(0, 100);

export async function lockState(db: Db, username: string, ip: string, policy: ThrottlePolicy): Promise<LockState> {
  lastPolicy.set(db, policy);
  const { byUser, byIp } = limitersFor(db, policy);
  const [user, address] = await Promise.all([byUser.get(userKey(username)), byIp.get(ipKey(ip))]);
  const minutes = (res: RateLimiterRes) => Math.max(1, Math.ceil(res.msBeforeNext / 60_000));
  if (user && user.consumedPoints >= policy.maxFailures) return { locked: true, retryAfterMinutes: minutes(user), by: 'username' };
  if (address && address.consumedPoints >= policy.ipMaxFailures) return { locked: true, retryAfterMinutes: minutes(address), by: 'ip' };
  return { locked: false, retryAfterMinutes: 0 };
}

/**
 * Records an attempt for review, and counts it: a failure counts against the username and the address; a
 * success clears the username's failures (not the address's: one good password in an office does not excuse
 * the guesses made from it); a locked attempt is not counted. `policy` defaults to the one `lockState` last
 * used with this pool (console/pages/signin.ts checks before it records), else the default.
 */
export async function recordAttempt(
  db: Db,
  username: string,
  ip: string,
  outcome: 'ok' | 'failed' | 'locked',
  policy?: ThrottlePolicy,
): Promise<void> {
  await insertSigninAttempt(db, username, ip, outcome);
  const { byUser, byIp } = limitersFor(db, policy ?? lastPolicy.get(db) ?? DEFAULT_THROTTLE_POLICY);
  if (outcome === 'failed') await Promise.all([byUser.penalty(userKey(username)), byIp.penalty(ipKey(ip))]);
  else if (outcome === 'ok') await byUser.delete(userKey(username));
}

/** The message a locked-out user reads. */
export function lockMessage(state: LockState): string {
  return state.by === 'ip'
    ? `Có quá nhiều lần đăng nhập sai từ địa chỉ này. Vui lòng thử lại sau ${state.retryAfterMinutes} phút.`
    : `Tài khoản tạm khóa do đăng nhập sai nhiều lần. Vui lòng thử lại sau ${state.retryAfterMinutes} phút hoặc liên hệ quản trị viên.`;
}
