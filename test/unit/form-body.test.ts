// A form post's fields as the route reads them (api/body.ts formBody, behind formBodyGuard): a field whose name ends
// with "[]", which Hono gathers into an array, counts by its last value like any repeated field, and the guard
// still checks its text. Such a post answered 500 before (found by test/integration/api-properties.test.ts).
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { formBody, formBodyGuard } from '../../api/body.js';

function app() {
  const a = new Hono();
  a.post('/f', formBodyGuard());
  a.post('/f', async (c) => c.json(await formBody(c)));
  return a;
}

const post = (body: string) =>
  app().request('/f', { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });

describe('a form field named with "[]"', () => {
  it('is read as its last value, beside the other fields', async () => {
    const res = await post('a%5B%5D=first&a%5B%5D=last&b=one&b=two&plain=x');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ 'a[]': 'last', b: 'two', plain: 'x' });
  });

  it('still has its text checked: a NUL in it is refused with a Vietnamese page, not a server error', async () => {
    const res = await post('note%5B%5D=ok&note%5B%5D=b%00ad');
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('có ký tự không hợp lệ');
  });

  it('with a single value is that value', async () => {
    const res = await post('only%5B%5D=v');
    expect(await res.json()).toEqual({ 'only[]': 'v' });
  });
});
