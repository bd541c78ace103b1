/** The form posts' limiter (api/form-throttle.ts) on its own clock: windows, Retry-After, memory bound. */
import { describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import { DEFAULT_FORM_THROTTLE, FormThrottle, formThrottle } from '../../api/form-throttle.js';

describe('form post limiter', () => {
  it('counts per link and per address in fixed windows, and says how long to wait', () => {
    let now = 1_000_000;
    const t = new FormThrottle({ perToken: 2, perIp: 3, windowSeconds: 60 }, () => now);
    expect(t.hit('link-a', 'ip-1')).toEqual({ ok: true, retryAfterSeconds: 0 });
    now += 10_000;
    expect(t.hit('link-a', 'ip-1').ok).toBe(true);
    expect(t.hit('link-a', 'ip-1')).toEqual({ ok: false, retryAfterSeconds: 50, by: 'token' });
    expect(t.hit('link-a', 'ip-2')).toMatchObject({ ok: false, by: 'token' });
    // A refused post is not counted: ip-1 has made 2 posts, so one more through another link is allowed.
    expect(t.hit('link-b', 'ip-1').ok).toBe(true);
    expect(t.hit('link-c', 'ip-1')).toEqual({ ok: false, retryAfterSeconds: 50, by: 'ip' });
    // The window that began at the first post ends 60 s after it.
    now += 49_999;
    expect(t.hit('link-a', 'ip-2').ok).toBe(false);
    now += 1;
    expect(t.hit('link-a', 'ip-2').ok).toBe(true);
    expect(t.hit('link-c', 'ip-1').ok).toBe(true);
  });

  it('never says to retry in less than a second', () => {
    let now = 0;
    const t = new FormThrottle({ perToken: 1, perIp: 10, windowSeconds: 1 }, () => now);
    t.hit('x', 'y');
    now = 999;
    expect(t.hit('x', 'y')).toEqual({ ok: false, retryAfterSeconds: 1, by: 'token' });
  });

  it('keeps its memory bounded under a flood of made-up links and addresses', () => {
    let now = 0;
    const t = new FormThrottle({ perToken: 5, perIp: 5, windowSeconds: 600 }, () => now);
    for (let i = 0; i < 60_000; i++) {
      now += 1;
      t.hit(`made-up-${i}`, `10.0.${i >> 8}.${i & 255}`);
    }
    const size = (t as unknown as { windows: Map<string, unknown> }).windows.size;
    expect(size).toBeLessThanOrEqual(50_000);
    // The latest keys are still counted.
    expect(t.hit('made-up-59999', '10.0.234.95').ok).toBe(true);
  });

  it('answers 429 with Retry-After and a Vietnamese page, and lets GETs through', async () => {
    const app = new Hono();
    app.post('/f/:token', formThrottle(new FormThrottle({ ...DEFAULT_FORM_THROTTLE, perToken: 1 })));
    app.on(['GET', 'POST'], '/f/:token', (c) => c.text('ok'));
    expect((await app.request('/f/abc', { method: 'POST' })).status).toBe(200);
    const refused = await app.request('/f/abc', { method: 'POST' });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(590);
    const text = await refused.text();
    expect(text).toContain('Biểu mẫu đã được gửi quá nhiều lần trong thời gian ngắn. Vui lòng đợi 10 phút');
    expect(text).toContain('<html lang="vi">');
    expect((await app.request('/f/abc')).status).toBe(200);
    expect((await app.request('/f/other', { method: 'POST' })).status).toBe(200);
  });
});
