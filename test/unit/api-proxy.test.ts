import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { startApiProxy } from '../../workers/api-proxy.js';
import { freePort } from '../../stack/ports.js';

/** A backend that answers with its name, the Host it was sent and the body it received. */
async function backend(name: string) {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({ name, host: req.headers.host, xff: req.headers['x-forwarded-for'], body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const closers: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const c of closers) await c();
});

describe('the API proxy of a local production-shaped stack', () => {
  it('shares requests between the APIs, passing Host and the body on unchanged', async () => {
    const a = await backend('a');
    const b = await backend('b');
    closers.push(
      () => void a.server.close(),
      () => void b.server.close(),
    );
    const proxy = await startApiProxy(() => [a.url, b.url], 0);
    closers.push(() => proxy.close());
    const names: string[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`${proxy.url}/x`, { method: 'POST', body: `nộp lần ${i}` });
      const j = (await res.json()) as { name: string; host: string; xff: string; body: string };
      names.push(j.name);
      expect(j.body).toBe(`nộp lần ${i}`);
      expect(j.host).toBe(new URL(proxy.url).host);
      expect(j.xff).toContain('127.0.0.1');
    }
    expect(names.sort()).toEqual(['a', 'a', 'b', 'b']);
  });

  it('sends a request an API refused (killed, restarting) whole to the next one', async () => {
    const a = await backend('a');
    closers.push(() => void a.server.close());
    const dead = `http://127.0.0.1:${await freePort()}`;
    const proxy = await startApiProxy(() => [dead, a.url], 0);
    closers.push(() => proxy.close());
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${proxy.url}/nop`, { method: 'POST', body: 'báo cáo' });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { body: string }).body).toBe('báo cáo');
    }
  });

  it('answers 503 with Retry-After when no API runs', async () => {
    const proxy = await startApiProxy(() => [], 0);
    closers.push(() => proxy.close());
    const res = await fetch(`${proxy.url}/`);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
  });
});
