/**
 * The form posts' limiter (api/form-throttle.ts): windows, Retry-After, the 429 page, and counts shared by every
 * API process. The counts live in PostgreSQL (rate-limiter-flexible), so this test uses the real one the global
 * setup starts; each test counts under keys of its own (a random suffix), the database being shared.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { Hono } from 'hono';
import { DEFAULT_FORM_THROTTLE, FormThrottle, formThrottle, tooManyPostsMessage } from '../../api/form-throttle.js';
import { createPool, type Db } from '../../db/pool.js';
import { RateLimiterRes, secondsLeft } from '../../db/rate-limits.js';

const pools: Db[] = [];
/** A pool of its own, as each API process has. */
function pool(): Db {
  const p = createPool(inject('services').databaseUrl, 2);
  pools.push(p);
  return p;
}
afterAll(async () => {
  await Promise.all(pools.map((p) => p.end()));
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('form post limiter', () => {
  it('counts per link and per address in fixed windows, and says how long to wait', async () => {
    const s = randomUUID();
    const t = new FormThrottle(pool(), { perToken: 2, perIp: 3, windowSeconds: 60 });
    expect(await t.hit(`link-a-${s}`, `ip-1-${s}`)).toEqual({ ok: true, retryAfterSeconds: 0 });
    expect((await t.hit(`link-a-${s}`, `ip-1-${s}`)).ok).toBe(true);
    const refused = await t.hit(`link-a-${s}`, `ip-1-${s}`);
    expect(refused).toMatchObject({ ok: false, by: 'token' });
    expect(refused.retryAfterSeconds).toBeGreaterThan(55);
    expect(refused.retryAfterSeconds).toBeLessThanOrEqual(60);
    expect(await t.hit(`link-a-${s}`, `ip-2-${s}`)).toMatchObject({ ok: false, by: 'token' });
    // A post refused for its link is not counted against its address: ip-1 has made 2 posts, so one more through
    // another link is allowed, and the one after that is refused for the address.
    expect((await t.hit(`link-b-${s}`, `ip-1-${s}`)).ok).toBe(true);
    expect(await t.hit(`link-c-${s}`, `ip-1-${s}`)).toMatchObject({ ok: false, by: 'ip' });
    // Nor is a post refused for its address counted against its link: link-c has never been counted.
    expect((await t.hit(`link-c-${s}`, `ip-3-${s}`)).ok).toBe(true);
    expect((await t.hit(`link-c-${s}`, `ip-3-${s}`)).ok).toBe(true);
    expect((await t.hit(`link-c-${s}`, `ip-3-${s}`)).ok).toBe(false);
  });

  it('lets posts through again when the window that began at the first post ends', async () => {
    const s = randomUUID();
    const t = new FormThrottle(pool(), { perToken: 1, perIp: 10, windowSeconds: 2 });
    expect((await t.hit(`x-${s}`, `y-${s}`)).ok).toBe(true);
    const refused = await t.hit(`x-${s}`, `y-${s}`);
    expect(refused).toMatchObject({ ok: false, by: 'token' });
    expect([1, 2]).toContain(refused.retryAfterSeconds);
    await sleep(2_100);
    expect((await t.hit(`x-${s}`, `y-${s}`)).ok).toBe(true);
  });

  it('never says to retry in less than a second', () => {
    expect(secondsLeft(new RateLimiterRes(0, 1))).toBe(1);
    expect(secondsLeft(new RateLimiterRes(0, 0))).toBe(1);
    expect(secondsLeft(new RateLimiterRes(0, 1_001))).toBe(2);
  });

  it('shares the counts between API processes: two limiters on two pools count the same posts', async () => {
    const s = randomUUID();
    const policy = { perToken: 4, perIp: 100, windowSeconds: 60 };
    const a = new FormThrottle(pool(), policy);
    const b = new FormThrottle(pool(), policy);
    // Posts alternate between the processes, concurrently: 4 are taken in all, not 4 each.
    const verdicts = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).hit(`shared-${s}`, `10.1.${i}.1-${s}`)));
    expect(verdicts.filter((v) => v.ok)).toHaveLength(4);
    expect(verdicts.filter((v) => !v.ok).every((v) => v.by === 'token')).toBe(true);
    expect((await a.hit(`shared-${s}`, `10.9.9.9-${s}`)).ok).toBe(false);
    expect((await b.hit(`shared-${s}`, `10.9.9.9-${s}`)).ok).toBe(false);
    // The link is counted under its digest: the table holds no token.
    const { rows } = await pools[0]!.query('SELECT key, points FROM rate_limits WHERE key LIKE $1', [`form-link:%`]);
    expect(rows.some((r) => String(r.key).includes(`shared-${s}`))).toBe(false);
    // Each address made one post: the 4 taken count 1 against it, the 4 refused for the link were given back.
    const ips = await pools[0]!.query('SELECT points FROM rate_limits WHERE key LIKE $1 ORDER BY points', [`form-ip:10.1.%-${s}`]);
    expect(ips.rows.map((r) => r.points)).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
  });

  it('answers 429 with Retry-After and a Vietnamese page, and lets GETs through', async () => {
    const s = randomUUID();
    const app = new Hono();
    app.post('/f/:token', formThrottle(new FormThrottle(pool(), { ...DEFAULT_FORM_THROTTLE, perToken: 1 })));
    app.on(['GET', 'POST'], '/f/:token', (c) => c.text('ok'));
    expect((await app.request(`/f/abc-${s}`, { method: 'POST' })).status).toBe(200);
    const refused = await app.request(`/f/abc-${s}`, { method: 'POST' });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(590);
    const text = await refused.text();
    expect(text).toContain('Biểu mẫu đã được gửi quá nhiều lần trong thời gian ngắn. Vui lòng đợi 10 phút');
    expect(text).toContain('<html lang="vi">');
    expect(tooManyPostsMessage(10)).toBe(tooManyPostsMessage(10).normalize('NFC'));
    expect((await app.request(`/f/abc-${s}`)).status).toBe(200);
    expect((await app.request(`/f/other-${s}`, { method: 'POST' })).status).toBe(200);
  });

  it('fails like any request when the database is down, rather than letting posts through uncounted', async () => {
    const down = createPool('postgres://nobody:wrong@127.0.0.1:1/none');
    pools.push(down);
    await expect(new FormThrottle(down, DEFAULT_FORM_THROTTLE).hit('x', 'y')).rejects.toThrow();
  });
});
