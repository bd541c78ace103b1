/**
 * The one address in front of several `chuky api` processes on a local production-shaped stack (`chuky stack up
 * --apis M`): round robin over the APIs that answer, as nginx or Caddy does in docker-compose.yml. A unit's link
 * carries one PUBLIC_BASE_URL, whichever API then serves it. The Host header is passed on unchanged (the APIs check
 * it against PUBLIC_BASE_URL), and X-Forwarded-For carries the client's address (CHUKY_TRUST_PROXY reads it).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';

export interface ApiProxy {
  url: string;
  port: number;
  /** Requests each backend has served (by URL), for tests that check both APIs are used. */
  served(): Record<string, number>;
  close(): Promise<void>;
}

export async function startApiProxy(backends: () => string[], port: number, host = '127.0.0.1'): Promise<ApiProxy> {
  // Loaded here: only a local stack runs the proxy, and http-proxy-3 is a development dependency.
  const { createProxyServer } = await import('http-proxy-3');
  const proxy = createProxyServer({ xfwd: true, changeOrigin: false });
  const served: Record<string, number> = {};
  let next = 0;
  const server = http.createServer((req, res) => {
    const list = backends();
    if (list.length === 0) {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '5' });
      res.end('Hệ thống đang khởi động lại; xin thử lại sau ít giây. (no chuky api process is running)\n');
      return;
    }
    // The body is read first, so that a request refused by one API (killed, restarting) can be sent whole to the
    // next: it has reached no API, so sending it elsewhere cannot do anything twice.
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const first = next++;
      const tryBackend = (attempt: number) => {
        const target = list[(first + attempt) % list.length]!;
        served[target] = (served[target] ?? 0) + 1;
        proxy.web(req, res, { target, buffer: Readable.from([body]) }, (err: Error) => {
          const refused = (err as NodeJS.ErrnoException).code === 'ECONNREFUSED';
          if (refused && attempt + 1 < list.length && !res.headersSent) return tryBackend(attempt + 1);
          if (!res.headersSent) {
            res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '5' });
            res.end(`Máy chủ chuky không trả lời; xin thử lại sau ít giây. (${err.message})\n`);
          } else res.destroy();
        });
      };
      tryBackend(0);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${actual}`,
    port: actual,
    served: () => ({ ...served }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
        proxy.close();
      }),
  };
}
