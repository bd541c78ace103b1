/**
 * The doors of the HTTP server (api/request-guards.ts) on their own: which Host names the server, which writes a
 * browser marks as cross-origin, which bodies the operator API takes; the repeat-request comparison
 * (api/repeat-request.ts); and the local run's API token (workers/dev-token.ts). The same doors in a real browser,
 * against the real server: test/integration/security-cross-origin.test.ts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import { crossOriginWrite, hostGuard, isOwnHost, jsonWrites, mediaType, sameOriginWrites } from '../../api/request-guards.js';
import { repeatNotice, samePayload } from '../../api/repeat-request.js';
import { devApiToken, devApiTokenFile } from '../../workers/dev-token.js';

describe('Host check', () => {
  const at3000 = { localPort: 3000 };
  it('accepts loopback names on the port the server listens on, and PUBLIC_BASE_URL', () => {
    for (const host of ['127.0.0.1:3000', 'localhost:3000', 'LOCALHOST:3000', '[::1]:3000'])
      expect(isOwnHost(host, at3000), host).toBe(true);
    expect(isOwnHost('chuky.example.vn', { ...at3000, publicBaseUrl: 'https://chuky.example.vn', https: true })).toBe(true);
    expect(isOwnHost('chuky.example.vn:443', { ...at3000, publicBaseUrl: 'https://chuky.example.vn', https: true })).toBe(true);
    // Behind a proxy the public address's port is not the server's own.
    expect(isOwnHost('chuky.example.vn:8443', { ...at3000, publicBaseUrl: 'http://chuky.example.vn:8443' })).toBe(true);
    // An in-process request (no socket): any port of a loopback name.
    expect(isOwnHost('127.0.0.1', {})).toBe(true);
  });

  it('refuses other names (DNS rebinding), other ports, and anything that is not host[:port]', () => {
    for (const host of [
      'evil.example',
      'evil.example:3000',
      '127.0.0.1:3001',
      'localhost',
      'chuky.example.vn:3000',
      '127.0.0.1.evil.example:3000',
      'localhost.:3000',
      '127.0.0.1:3000/x',
      'user@127.0.0.1:3000',
      '',
      '0.0.0.0:3000',
      '10.0.0.5:3000',
    ]) {
      expect(isOwnHost(host, { ...at3000, publicBaseUrl: 'https://chuky.example.vn' }), host).toBe(false);
    }
    expect(isOwnHost('chuky.example.vn:8080', { ...at3000, publicBaseUrl: 'https://chuky.example.vn' })).toBe(false);
  });

  it('answers 421 with a message naming the addresses to use: JSON under /api/, a Vietnamese page elsewhere', async () => {
    const app = new Hono();
    app.use('*', hostGuard({ publicBaseUrl: 'http://127.0.0.1:3000' }));
    app.all('*', (c) => c.text('served'));
    const env = { incoming: { socket: { localPort: 3000 } } };
    expect(await (await app.request('http://127.0.0.1:3000/api/v1/cycles', {}, env)).text()).toBe('served');
    expect(await (await app.request('http://localhost:3000/f/x', {}, env)).text()).toBe('served');
    const api = await app.request('http://evil.example:3000/api/v1/cycles', {}, env);
    expect(api.status).toBe(421);
    expect(((await api.json()) as { error: string }).error).toBe(
      'Host "evil.example:3000" is not this server\'s: address it as 127.0.0.1:3000, localhost:3000, ' +
        '[::1]:3000 (set PUBLIC_BASE_URL to the address users open)',
    );
    const page = await app.request('http://evil.example/console', {}, env);
    expect(page.status).toBe(421);
    expect(await page.text()).toContain('Địa chỉ “evil.example” không phải của máy chủ này');
    expect((await app.request('http://127.0.0.1:3001/console', {}, env)).status).toBe(421);
  });
});

describe('cross-origin writes', () => {
  const own = new Set(['http://127.0.0.1:3000', 'https://chuky.example.vn']);
  it('passes the server’s own pages and clients that are not browsers', () => {
    expect(crossOriginWrite({}, own, 'refuse')).toBeUndefined();
    expect(crossOriginWrite({ origin: 'http://127.0.0.1:3000' }, own, 'refuse')).toBeUndefined();
    expect(crossOriginWrite({ origin: 'https://chuky.example.vn', secFetchSite: 'same-origin' }, own, 'refuse')).toBeUndefined();
    expect(crossOriginWrite({ secFetchSite: 'none' }, own, 'refuse')).toBeUndefined();
    // A unit's form page says no-referrer: the browser's own post carries Origin: null and Sec-Fetch-Site: same-origin.
    expect(crossOriginWrite({ origin: 'null', secFetchSite: 'same-origin' }, own, 'as-absent')).toBeUndefined();
  });

  it('refuses what a browser marks as another site or origin', () => {
    expect(crossOriginWrite({ origin: 'http://localhost:5000', secFetchSite: 'cross-site' }, own, 'as-absent')).toBe(
      'Sec-Fetch-Site: cross-site',
    );
    // Another port of the same host is the same site but another origin.
    expect(crossOriginWrite({ origin: 'http://127.0.0.1:5000', secFetchSite: 'same-site' }, own, 'as-absent')).toBe(
      'Sec-Fetch-Site: same-site',
    );
    expect(crossOriginWrite({ origin: 'http://127.0.0.1:5000' }, own, 'as-absent')).toBe('Origin: http://127.0.0.1:5000');
    expect(crossOriginWrite({ origin: 'null' }, own, 'refuse')).toBe('Origin: null');
    expect(crossOriginWrite({ origin: 'null', secFetchSite: 'cross-site' }, own, 'as-absent')).toBe('Sec-Fetch-Site: cross-site');
  });

  it('lets reads through and answers a refused write with 403', async () => {
    const app = new Hono();
    app.use('/api/*', sameOriginWrites({ nullOrigin: 'refuse' }));
    app.use('/f/*', sameOriginWrites({ nullOrigin: 'as-absent' }));
    app.all('*', (c) => c.text('served'));
    const evil = { origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' };
    expect((await app.request('http://127.0.0.1/api/v1/cycles', { headers: evil })).status).toBe(200);
    const api = await app.request('http://127.0.0.1/api/v1/x/extend', { method: 'POST', headers: evil, body: '{}' });
    expect(api.status).toBe(403);
    expect(((await api.json()) as { error: string }).error).toMatch(/^cross-origin write refused \(Sec-Fetch-Site: cross-site\)/);
    const form = await app.request('http://127.0.0.1/f/token', { method: 'POST', headers: evil, body: 'a=b' });
    expect(form.status).toBe(403);
    expect(await form.text()).toContain('yêu cầu này đến từ một trang web khác nên đã bị từ chối');
    expect(
      (await app.request('http://127.0.0.1/f/token', { method: 'POST', headers: { origin: 'http://127.0.0.1' }, body: 'a=b' })).status,
    ).toBe(200);
  });

  it('through hono/csrf: passes clients that send neither header, and judges JSON bodies that hono/csrf leaves to CORS', async () => {
    const app = new Hono();
    app.use('/api/*', sameOriginWrites({ nullOrigin: 'refuse' }));
    app.use('/f/*', sameOriginWrites({ nullOrigin: 'as-absent' }));
    app.all('*', (c) => c.text('served'));
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    // curl or the CLI posting a form body: no browser, no Origin, no Sec-Fetch-Site (hono/csrf alone refuses it).
    expect((await app.request('http://127.0.0.1/f/token', { method: 'POST', headers: form, body: 'a=b' })).status).toBe(200);
    expect(
      (await app.request('http://127.0.0.1/api/v1/x/extend', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' }))
        .status,
    ).toBe(200);
    // The unit's own page: Origin: null (no-referrer) and same-origin.
    expect(
      (
        await app.request('http://127.0.0.1/f/token', {
          method: 'POST',
          headers: { ...form, origin: 'null', 'sec-fetch-site': 'same-origin' },
          body: 'a=b',
        })
      ).status,
    ).toBe(200);
    // A same-origin Sec-Fetch-Site does not excuse a foreign Origin (hono/csrf alone passes when either is good).
    const mixed = await app.request('http://127.0.0.1/f/token', {
      method: 'POST',
      headers: { ...form, origin: 'http://evil.example', 'sec-fetch-site': 'same-origin' },
      body: 'a=b',
    });
    expect(mixed.status).toBe(403);
    // A JSON write naming another origin: hono/csrf lets it through to CORS, the rule refuses it.
    const json = await app.request('http://127.0.0.1/api/v1/x/extend', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'http://evil.example' },
      body: '{}',
    });
    expect(json.status).toBe(403);
    expect(((await json.json()) as { error: string }).error).toMatch(/^cross-origin write refused \(Origin: http:\/\/evil\.example\)/);
    expect(
      (
        await app.request('http://127.0.0.1/api/v1/x/extend', {
          method: 'POST',
          headers: { 'content-type': 'application/json', origin: 'http://127.0.0.1' },
          body: '{}',
        })
      ).status,
    ).toBe(200);
  });
});

describe('JSON writes', () => {
  const app = new Hono();
  app.use('*', jsonWrites());
  app.all('*', (c) => c.text('served'));
  const post = (p: string, contentType?: string, method = 'POST') =>
    app.request(`http://127.0.0.1/api/v1${p}`, {
      method,
      ...(contentType ? { headers: { 'content-type': contentType } } : {}),
      body: method === 'DELETE' && !contentType ? null : '{}',
    });

  it('takes application/json (with parameters), and a units CSV as text/csv', async () => {
    expect((await post('/cycles/C/units/U/extend', 'application/json')).status).toBe(200);
    expect((await post('/cycles/C/units/U/extend', 'Application/JSON; charset=utf-8')).status).toBe(200);
    expect((await post('/cycles/C/units/import', 'text/csv; charset=utf-8')).status).toBe(200);
    expect((await post('/cycles/C/records/1', undefined, 'DELETE')).status).toBe(200);
    expect((await app.request('http://127.0.0.1/api/v1/cycles')).status).toBe(200);
  });

  it('refuses every body a page can send without a preflight with 415 and a JSON error', async () => {
    for (const type of [
      'text/plain',
      'text/plain;charset=UTF-8',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'text/csv',
    ]) {
      const res = await post('/cycles/C/units/U/exempt', type);
      expect(res.status, type).toBe(415);
      expect(((await res.json()) as { error: string }).error).toBe(
        `unsupported Content-Type "${mediaType(type)}": POST /api/v1/cycles/C/units/U/exempt takes a ` +
          `JSON body sent as Content-Type: application/json`,
      );
    }
    const csvAsJson = await post('/cycles/C/units/import', 'application/json');
    expect(csvAsJson.status).toBe(415);
    expect(((await csvAsJson.json()) as { error: string }).error).toMatch(/takes a units CSV sent as Content-Type: text\/csv$/);
    expect((await post('/cycles/C/records/1', 'text/plain', 'DELETE')).status).toBe(415);
  });
});

describe('a repeated request id', () => {
  it('compares payloads as stored JSON: key order and undefined fields aside', () => {
    expect(samePayload({ members: 5, studied: 5, topic: 'A' }, { topic: 'A', studied: 5, members: 5, note: undefined })).toBe(true);
    expect(samePayload({ members: 5, studied: 5 }, { members: 5, studied: 4 })).toBe(false);
    expect(samePayload({ list: [1, 2] }, { list: [2, 1] })).toBe(false);
  });

  it('tells the unit in Vietnamese which version it repeated', () => {
    const text = repeatNotice(3);
    expect(text).toContain('trùng với một lần gửi trước (đã nhận là lần 3)');
    expect(text).toContain('không có gì thay đổi');
    expect(text).toBe(text.normalize('NFC'));
  });
});

describe('the local run’s API token', () => {
  it('is made once, kept 0600 in the data folder, reused, and never printed', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chuky-token-'));
    try {
      const said: string[] = [];
      const first = devApiToken({ apiToken: undefined, other: 1 }, (l) => said.push(l), dir);
      const file = devApiTokenFile(dir);
      expect(first.other).toBe(1);
      expect(first.apiToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(fs.readFileSync(file, 'utf8')).toBe(`${first.apiToken}\n`);
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      expect(said.join('\n')).toContain(file);
      expect(said.join('\n')).not.toContain(first.apiToken);
      // A copy left readable by others is made the owner's again; the token stays.
      fs.chmodSync(file, 0o644);
      const again = devApiToken({ apiToken: undefined }, () => undefined, dir);
      expect(again.apiToken).toBe(first.apiToken);
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      // CHUKY_API_TOKEN wins, and nothing is written.
      fs.rmSync(file);
      expect(devApiToken({ apiToken: 'from-env' }, () => undefined, dir).apiToken).toBe('from-env');
      expect(fs.existsSync(file)).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
