/**
 * A limit on the units' form posts (POST /f/:token), per link and per client address, so that a leaked link or
 * a script cannot flood the workflows, the database and the upload store. A unit really posts a handful of
 * times (a first version, a correction, a revision): the defaults — 30 posts per link and 300 per address in
 * 10 minutes (a whole office behind one address) — are far above that. Over the limit the answer is 429 in
 * Vietnamese with `Retry-After`, before the token is even checked.
 *
 * The counts live in PostgreSQL (rate-limiter-flexible's RateLimiterPostgres, db/rate-limits.ts): every API
 * process counts the same posts, so running several behind a proxy does not multiply the limit, and a restart
 * does not reset it. Each counter is a fixed window from its first post.
 */
import { createHash } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { RateLimiterPostgres } from 'rate-limiter-flexible';
import { messagePage } from './pages.js';
import type { Db } from '../db/pool.js';
import { isOverLimit, pgRateLimiter, secondsLeft } from '../db/rate-limits.js';

import { DEFAULT_FORM_THROTTLE, type FormThrottlePolicy } from '../config/env.js';

export { DEFAULT_FORM_THROTTLE, type FormThrottlePolicy };

export interface Verdict {
  ok: boolean;
  /** Seconds until the window that refused this post ends (0 when ok). */
  retryAfterSeconds: number;
  by?: 'token' | 'ip';
}

/** The prefix of the per-address counters' keys in `rate_limits` (`form-ip:ADDRESS`). */
export const FORM_IP_KEY_PREFIX = 'form-ip';

/** The form posts' counters per client address and per link. */
export class FormThrottle {
  private readonly byIp: RateLimiterPostgres;
  private readonly byToken: RateLimiterPostgres;

  constructor(
    db: Db,
    readonly policy: FormThrottlePolicy,
  ) {
    // The ip counter also deletes ended windows of the table, now and then (db/rate-limits.ts).
    this.byIp = pgRateLimiter(db, {
      keyPrefix: FORM_IP_KEY_PREFIX,
      points: policy.perIp,
      durationSeconds: policy.windowSeconds,
      cleanup: true,
    });
    this.byToken = pgRateLimiter(db, { keyPrefix: 'form-link', points: policy.perToken, durationSeconds: policy.windowSeconds });
  }

  /**
   * Counts a post by `ip` through the link `token`, or says how long to wait. A post refused for its link is not
   * counted against its address (its point is given back); one refused for its address is not counted against
   * its link. The link is kept as a digest: the table holds no usable token.
   */
  async hit(token: string, ip: string): Promise<Verdict> {
    const ipKey = ip.slice(0, 100);
    const tokenKey = createHash('sha256').update(token).digest('base64url').slice(0, 22);
    try {
      await this.byIp.consume(ipKey);
    } catch (err) {
      if (isOverLimit(err)) return { ok: false, retryAfterSeconds: secondsLeft(err), by: 'ip' };
      throw err;
    }
    try {
      await this.byToken.consume(tokenKey);
    } catch (err) {
      if (!isOverLimit(err)) throw err;
      await this.byIp.reward(ipKey);
      return { ok: false, retryAfterSeconds: secondsLeft(err), by: 'token' };
    }
    return { ok: true, retryAfterSeconds: 0 };
  }
}

/** The socket's address, or the right-most X-Forwarded-For entry behind one trusted reverse proxy. */
function clientAddress(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const last = c.req
      .header('x-forwarded-for')
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .at(-1);
    if (last) return last;
  }
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown'; // not behind @hono/node-server (an in-process request)
  }
}

export function tooManyPostsMessage(minutes: number): string {
  return (
    `Biểu mẫu đã được gửi quá nhiều lần trong thời gian ngắn. Vui lòng đợi ${minutes} phút rồi gửi ` +
    `lại; nếu cần hỗ trợ, xin liên hệ Ban Tuyên giáo.`
  );
}

/** Middleware for POST /f/:token. */
export function formThrottle(throttle: FormThrottle, opts: { trustProxy?: boolean | undefined } = {}): MiddlewareHandler {
  return async (c, next) => {
    const verdict = await throttle.hit(c.req.param('token') ?? '', clientAddress(c, opts.trustProxy ?? false));
    if (verdict.ok) return next();
    c.header('Retry-After', String(verdict.retryAfterSeconds));
    return c.html(messagePage('Vui lòng thử lại sau', tooManyPostsMessage(Math.ceil(verdict.retryAfterSeconds / 60))), 429);
  };
}
