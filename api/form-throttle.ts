/**
 * A limit on the units' form posts (POST /f/:token), per link and per client address, so that a leaked link or
 * a script cannot flood the workflows, the database and the upload store. A unit really posts a handful of
 * times (a first version, a correction, a revision): the defaults — 30 posts per link and 300 per address in
 * 10 minutes (a whole office behind one address) — are far above that. Over the limit the answer is 429 in
 * Vietnamese with `Retry-After`, before the token is even checked.
 *
 * The counts live in this process's memory (fixed windows): they are lost at a restart and each API process
 * counts its own posts, which is enough for a brake; the console's sign-in lock-out (console/throttle.ts), whose
 * counts matter more, is kept in PostgreSQL.
 */
import { createHash } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import { messagePage } from './pages.js';

import { DEFAULT_FORM_THROTTLE, type FormThrottlePolicy } from '../config/env.js';

export { DEFAULT_FORM_THROTTLE, type FormThrottlePolicy };

/** Keys kept at most (old windows are dropped first); bounds the memory a flood of made-up tokens can take. */
const MAX_KEYS = 50_000;

export interface Verdict {
  ok: boolean;
  /** Seconds until the window that refused this post ends (0 when ok). */
  retryAfterSeconds: number;
  by?: 'token' | 'ip';
}

/** Fixed-window counters per key; `now` is injectable for tests. */
export class FormThrottle {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    readonly policy: FormThrottlePolicy,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts a post by `ip` through the link `token`, or says how long to wait. A refused post is not counted. */
  hit(token: string, ip: string): Verdict {
    const t = this.now();
    const ipKey = `ip:${ip}`;
    const tokenKey = `t:${createHash('sha256').update(token).digest('base64url').slice(0, 22)}`;
    const ipWait = this.wait(ipKey, this.policy.perIp, t);
    if (ipWait > 0) return { ok: false, retryAfterSeconds: ipWait, by: 'ip' };
    const tokenWait = this.wait(tokenKey, this.policy.perToken, t);
    if (tokenWait > 0) return { ok: false, retryAfterSeconds: tokenWait, by: 'token' };
    this.count(ipKey, t);
    this.count(tokenKey, t);
    return { ok: true, retryAfterSeconds: 0 };
  }

  /** Seconds to wait before `key` may post again (0: it may now). */
  private wait(key: string, limit: number, t: number): number {
    const w = this.windows.get(key);
    const windowMs = this.policy.windowSeconds * 1000;
    if (!w || t - w.start >= windowMs || w.count < limit) return 0;
    return Math.max(1, Math.ceil((w.start + windowMs - t) / 1000));
  }

  private count(key: string, t: number): void {
    const windowMs = this.policy.windowSeconds * 1000;
    const w = this.windows.get(key);
    if (w && t - w.start < windowMs) {
      w.count += 1;
      return;
    }
    this.windows.delete(key); // re-inserted last: the map stays in order of window start
    if (this.windows.size >= MAX_KEYS) this.prune(t);
    this.windows.set(key, { start: t, count: 1 });
  }

  /** Drops every ended window and, if that is not enough, the oldest tenth: one pass, rarely. */
  private prune(t: number): void {
    const windowMs = this.policy.windowSeconds * 1000;
    const keep = MAX_KEYS - Math.ceil(MAX_KEYS / 10);
    let over = this.windows.size - keep;
    for (const [k, w] of this.windows) {
      if (t - w.start < windowMs && over <= 0) break;
      this.windows.delete(k);
      over -= 1;
    }
  }
}

/** The socket's address, or the right-most X-Forwarded-For entry behind one trusted reverse proxy. */
function clientAddress(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const last = c.req.header('x-forwarded-for')?.split(',').map((s) => s.trim()).filter(Boolean).at(-1);
    if (last) return last;
  }
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown'; // not behind @hono/node-server (an in-process request)
  }
}

export function tooManyPostsMessage(minutes: number): string {
  return `Biểu mẫu đã được gửi quá nhiều lần trong thời gian ngắn. Vui lòng đợi ${minutes} phút rồi gửi lại; nếu cần hỗ trợ, xin liên hệ Ban Tuyên giáo.`;
}

/** Middleware for POST /f/:token. */
export function formThrottle(throttle: FormThrottle, opts: { trustProxy?: boolean | undefined } = {}): MiddlewareHandler {
  return async (c, next) => {
    const verdict = throttle.hit(c.req.param('token') ?? '', clientAddress(c, opts.trustProxy ?? false));
    if (verdict.ok) return next();
    c.header('Retry-After', String(verdict.retryAfterSeconds));
    return c.html(messagePage('Vui lòng thử lại sau', tooManyPostsMessage(Math.ceil(verdict.retryAfterSeconds / 60))), 429);
  };
}
