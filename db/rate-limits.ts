/**
 * Counters in PostgreSQL for the limits on form posts (api/form-throttle.ts) and console sign-ins
 * (console/throttle.ts), kept by rate-limiter-flexible's RateLimiterPostgres in the `rate_limits` table
 * (db/migrations/1764810000000_rate-limits.sql): every API process counts in the same rows, so a limit holds
 * however many processes serve the requests. Each counter is a fixed window that starts at its first point.
 */
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import type { Db } from './pool.js';

export { RateLimiterRes };

export const RATE_LIMITS_TABLE = 'rate_limits';

/**
 * A counter of `points` per `durationSeconds` under `keyPrefix`. The table comes from the migration
 * (tableCreated: true: no CREATE TABLE at run time). Only `cleanup` counters delete ended windows (the library
 * does so every 5 minutes, on an unref'd timer), one per kind is enough for the whole table.
 */
export function pgRateLimiter(
  db: Db,
  opts: { keyPrefix: string; points: number; durationSeconds: number; cleanup?: boolean },
): RateLimiterPostgres {
  return new RateLimiterPostgres({
    storeClient: db,
    storeType: 'pool',
    tableName: RATE_LIMITS_TABLE,
    tableCreated: true,
    keyPrefix: opts.keyPrefix,
    points: opts.points,
    duration: opts.durationSeconds,
    clearExpiredByTimeout: opts.cleanup ?? false,
  });
}

/**
 * Whether `err` is the limiter saying "over the limit" (it rejects with a RateLimiterRes) rather than a failure
 * of the database, which is thrown on: a form post or a sign-in then fails as any request does with the database down.
 */
export function isOverLimit(err: unknown): err is RateLimiterRes {
  return err instanceof RateLimiterRes;
}

/** Whole seconds until a counter's window ends, at least 1 (a Retry-After of 0 would invite a retry at once). */
export function secondsLeft(res: RateLimiterRes): number {
  return Math.max(1, Math.ceil(res.msBeforeNext / 1000));
}
