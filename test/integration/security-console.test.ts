/**
 * What console-roles.test.ts leaves out, over real HTTP on the real stack (PostgreSQL, the Temporal dev server):
 *
 * - roles: console-roles.test.ts takes every ACTION of the permission table × every role (allowed and refused).
 *   Here every DECLARED ROUTE is taken × every role, so a second route sharing an action is checked too, and
 *   every POST route is checked for its CSRF token and its origin; other methods are refused;
 * - CSRF beyond console-roles' (missing, wrong, another user's): the same user's other session, an ended
 *   session, the token in the URL, the sign-in form's token against another browser's cookie;
 * - origins that look like the console's; PUBLIC_BASE_URL's origin accepted;
 * - the sign-in lock-out across addresses for one account, shared by every API process, reset by a success,
 *   and X-Forwarded-For ignored unless the proxy is trusted;
 * - security headers on every kind of response of the console, the units' forms and the API, errors included;
 *   Strict-Transport-Security only under https; the cookies' flags under http and https;
 * - the audit log's append-only triggers for a least-privilege database role. (As the application's own role,
 *   UPDATE, DELETE and TRUNCATE are refused in repairs.test.ts.)
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import pg from 'pg';
import { Client as TemporalClient, Connection } from '@temporalio/client';
import { startApi, createApp } from '../../api/server.js';
import { signLink, formUrl } from '../../auth/links.js';
import { createPool, type Db } from '../../db/pool.js';
import { registerCycle } from '../../db/cycles.js';
import { loadCycleFile } from '../../config/cycle.js';
import { REAL_CLOCK } from '../../domain/clock.js';
import { writeFixture, type Fixture } from '../support/fixtures.js';
import { freePort } from '../../stack/ports.js';
import { createConsole } from '../../console/app.js';
import { ACTIONS, PUBLIC, ROLES, allowed, type Role } from '../../console/permissions.js';
import { addUser } from '../../console/users.js';
import { recordAudit } from '../../ops/audit.js';

const PASSWORD = 'mat-khau-bao-mat-2027';
const SECRET = `security-console-${randomUUID()}`;
const API_TOKEN = `op-${randomUUID()}`;
const NOT_ALLOWED = 'Vai trò của bạn không được thực hiện thao tác này.';
const BAD_CSRF = 'Biểu mẫu đã hết hiệu lực hoặc không hợp lệ';
const BAD_ORIGIN = 'Yêu cầu không đến từ trang của bảng điều hành';

/** A browser-like client: keeps cookies, follows no redirect, sends its Origin on POST unless told otherwise. */
class Browser {
  readonly cookies = new Map<string, string>();
  constructor(
    readonly base: string,
    readonly headers: Record<string, string> = {},
  ) {}

  async request(
    method: string,
    path: string,
    opts: { form?: Record<string, string>; headers?: Record<string, string>; origin?: string | null } = {},
  ): Promise<Response> {
    const headers: Record<string, string> = { ...this.headers, ...opts.headers };
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (method === 'POST' && opts.origin !== null) headers.origin = opts.origin ?? this.base;
    const res = await fetch(this.base + path, {
      method,
      headers,
      redirect: 'manual',
      ...(opts.form ? { body: new URLSearchParams(opts.form) } : {}),
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair, ...attrs] = c.split(';');
      const [name, ...rest] = pair!.split('=');
      const value = rest.join('=');
      if (value === '' || attrs.some((a) => /max-age=0/i.test(a.trim()))) this.cookies.delete(name!.trim());
      else this.cookies.set(name!.trim(), value);
    }
    return res;
  }

  get(path: string) {
    return this.request('GET', path);
  }

  async csrf(): Promise<string> {
    const token = /name="_csrf" value="([^"]+)"/.exec(await (await this.get('/console/')).text())?.[1];
    if (!token) throw new Error('no CSRF token on the start page (not signed in?)');
    return token;
  }

  async signIn(username: string, password = PASSWORD): Promise<Response> {
    const token = /name="_csrf" value="([^"]+)"/.exec(await (await this.get('/console/dang-nhap')).text())?.[1] ?? '';
    return this.request('POST', '/console/dang-nhap', { form: { _csrf: token, username, password, tiep: '/console/' } });
  }
}

/** A declared route's path with sample values for its parameters. */
const concrete = (path: string, cycleId: string) =>
  `/console${path === '/' ? '/' : path}`.replace(':cycle', cycleId).replace(':unit', 'U001').replace(':phase', 'plan');

describe('console, forms and API: what console-roles does not cover', () => {
  const services = inject('services');
  let db: Db;
  let connection: Connection;
  let client: TemporalClient;
  let api: Awaited<ReturnType<typeof startApi>>;
  let proxiedA: Awaited<ReturnType<typeof startApi>>;
  let proxiedB: Awaited<ReturnType<typeof startApi>>;
  let base = '';
  let publicBase = '';
  let fx: Fixture;
  const cycleId = `ITSECCON-${randomUUID().slice(0, 6)}`;
  const suffix = randomUUID().slice(0, 6);
  const users = {} as Record<Role, string>;
  const browsers = {} as Record<Role, Browser>;
  let apiDeps: Parameters<typeof startApi>[0];

  beforeAll(async () => {
    db = createPool(services.databaseUrl);
    connection = await Connection.connect({ address: services.temporalAddress });
    client = new TemporalClient({ connection });
    fx = writeFixture({ code: 'ITSECCON', issuedOn: '2027-03-01', deadline: '2027-03-20', units: 2 });
    const loaded = loadCycleFile(fx.file);
    // The cycle in the database only: pages and forms render from it; no workflow is needed for what is tested here.
    await registerCycle(db, { id: cycleId, definition: loaded.definition, units: loaded.units, clock: REAL_CLOCK });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    // PUBLIC_BASE_URL names the same server by another host name, as a reverse proxy's name would.
    publicBase = `http://localhost:${port}`;
    apiDeps = { db, client, signingSecret: SECRET, apiToken: API_TOKEN, taskQueue: 'it-security-console', publicBaseUrl: publicBase };
    api = await startApi(apiDeps, port);
    // Two more API processes' worth (same database) behind a trusted proxy, to play addresses.
    proxiedA = await startApi({ ...apiDeps, console: { trustProxy: true } }, await freePort());
    proxiedB = await startApi({ ...apiDeps, console: { trustProxy: true } }, await freePort());
    for (const role of ROLES) {
      users[role] = `sec-${role}-${suffix}`;
      await addUser(db, { username: users[role], name: `Bảo mật ${role}`, role, password: PASSWORD });
      browsers[role] = new Browser(base);
      expect((await browsers[role].signIn(users[role])).status).toBe(303);
    }
  });

  afterAll(async () => {
    await proxiedB?.close();
    await proxiedA?.close();
    await api?.close();
    await connection?.close();
    await db?.end();
  });

  it('checks the role on every declared route, and the CSRF token and origin on every POST route', async () => {
    const { routes } = createConsole({ db, client, namespace: 'default', taskQueue: 'x' }).router;
    // Every route names an action of the table (or is the public sign-in), and every action has a route.
    for (const r of routes) expect(r.action === PUBLIC || (ACTIONS as string[]).includes(r.action), `${r.method} ${r.path}`).toBe(true);
    expect(new Set(routes.map((r) => r.action).filter((a) => a !== PUBLIC))).toEqual(new Set(ACTIONS));
    expect(
      routes
        .filter((r) => r.action === PUBLIC)
        .map((r) => `${r.method} ${r.path}`)
        .sort(),
    ).toEqual(['GET /dang-nhap', 'POST /dang-nhap']);
    expect(routes.length).toBeGreaterThanOrEqual(20);

    let checked = 0;
    for (const r of routes.filter((x) => x.action !== PUBLIC)) {
      const path = concrete(r.path, cycleId);
      for (const role of ROLES) {
        const b = browsers[role];
        const label = `${role} → ${r.method} ${r.path} (${r.action})`;
        if (r.method === 'GET') {
          const res = await b.get(path);
          await res.body?.cancel(); // the live stream stays open otherwise
          if (allowed(role, r.action)) expect(res.status, label).not.toBe(403);
          else expect(res.status, label).toBe(403);
          if (!allowed(role, r.action)) expect(await (await b.get(path)).text(), label).toContain(NOT_ALLOWED);
          // HEAD is a GET for the guard.
          const head = await b.request('HEAD', path);
          await head.body?.cancel();
          expect(head.status === 403, `HEAD ${label}`).toBe(!allowed(role, r.action));
        } else {
          const token = await b.csrf();
          if (!allowed(role, r.action)) {
            // A valid token and origin: the role alone refuses it.
            const res = await b.request('POST', path, { form: { _csrf: token } });
            expect(res.status, label).toBe(403);
            expect(await res.text(), label).toContain(NOT_ALLOWED);
          } else {
            // Let past the role, then stopped at the origin and at the token, before the handler acts.
            const noToken = await b.request('POST', path, { form: {} });
            expect(noToken.status, label).toBe(403);
            expect(await noToken.text(), label).toContain(BAD_CSRF);
            const evil = await b.request('POST', path, { form: { _csrf: token }, origin: 'https://evil.example' });
            expect(evil.status, label).toBe(403);
            expect(await evil.text(), label).toContain(BAD_ORIGIN);
          }
        }
        checked += 1;
      }
      // No session: a page sends to the sign-in form, a POST is refused.
      const anon = await new Browser(base).request(r.method, path, r.method === 'POST' ? { form: { _csrf: 'x' } } : {});
      await anon.body?.cancel();
      expect(anon.status, `anonymous → ${r.method} ${r.path}`).toBe(r.method === 'GET' ? 303 : 401);
      // Other methods on a declared path are not declared.
      for (const method of ['PUT', 'DELETE', 'PATCH']) {
        const res = await browsers.admin.request(method, path);
        expect(res.status, `${method} ${path}`).toBe(403);
        await res.body?.cancel();
      }
    }
    expect(checked).toBe(routes.filter((x) => x.action !== PUBLIC).length * ROLES.length);
    // Nothing was done: no user added, locked or unlocked, no repair recorded.
    expect((await db.query("SELECT count(*)::int AS n FROM audit_log WHERE actor LIKE 'sec-%'")).rows[0].n).toBe(0);
  });

  it("refuses the CSRF token of the same user's other session, of an ended session, in the URL, and the sign-in token against another cookie", async () => {
    // The target of the user actions below: locking a user ends its sessions, so not one of the role browsers.
    const target = `sec-target-${suffix}`;
    await addUser(db, { username: target, name: 'Mục tiêu', role: 'leader', password: PASSWORD });
    const form = { username: target, _csrf: '' };
    const first = new Browser(base);
    const second = new Browser(base);
    expect((await first.signIn(users.admin)).status).toBe(303);
    expect((await second.signIn(users.admin)).status).toBe(303);
    const firstToken = await first.csrf();
    const secondToken = await second.csrf();
    expect(firstToken).not.toBe(secondToken);
    // The same user, another session: refused.
    const crossed = await first.request('POST', '/console/nguoi-dung/khoa', { form: { ...form, _csrf: secondToken } });
    expect(crossed.status).toBe(403);
    expect(await crossed.text()).toContain(BAD_CSRF);
    // A token only in the URL: refused.
    expect(
      (await first.request('POST', `/console/nguoi-dung/khoa?_csrf=${encodeURIComponent(firstToken)}`, { form: { username: target } }))
        .status,
    ).toBe(403);
    // The second session ends; its token is refused in the first session, and (with its cookie) in no session.
    expect((await second.request('POST', '/console/dang-xuat', { form: { _csrf: secondToken } })).status).toBe(303);
    expect((await first.request('POST', '/console/nguoi-dung/khoa', { form: { ...form, _csrf: secondToken } })).status).toBe(403);
    const ended = new Browser(base);
    ended.cookies.set('chuky_console', second.cookies.get('chuky_console') ?? 'gone');
    expect((await ended.request('POST', '/console/nguoi-dung/khoa', { form: { ...form, _csrf: secondToken } })).status).toBe(401);
    // Nothing happened to the target.
    expect((await db.query('SELECT disabled_at FROM console_users WHERE username = $1', [target])).rows[0].disabled_at).toBeNull();
    // The right token in the first session is let through (the handler runs: the target is locked, then unlocked).
    expect((await first.request('POST', '/console/nguoi-dung/khoa', { form: { ...form, _csrf: firstToken } })).status).toBe(200);
    expect((await first.request('POST', '/console/nguoi-dung/mo-khoa', { form: { ...form, _csrf: firstToken } })).status).toBe(200);

    // Sign-in: the form's token must match this browser's own cookie (double submit).
    const victim = new Browser(base);
    const attacker = new Browser(base);
    const attackerToken = /name="_csrf" value="([^"]+)"/.exec(await (await attacker.get('/console/dang-nhap')).text())![1]!;
    await victim.get('/console/dang-nhap');
    const forcedSignIn = await victim.request('POST', '/console/dang-nhap', {
      form: { _csrf: attackerToken, username: users.clerk, password: PASSWORD },
    });
    expect(forcedSignIn.status).toBe(403);
    expect(victim.cookies.has('chuky_console')).toBe(false);
    // The cookie's own value without the form field, or the field without the cookie: refused.
    const pre = victim.cookies.get('chuky_console_pre')!;
    expect((await victim.request('POST', '/console/dang-nhap', { form: { username: users.clerk, password: PASSWORD } })).status).toBe(403);
    expect(
      (await new Browser(base).request('POST', '/console/dang-nhap', { form: { _csrf: pre, username: users.clerk, password: PASSWORD } }))
        .status,
    ).toBe(403);
    expect(
      (await victim.request('POST', '/console/dang-nhap', { form: { _csrf: pre, username: users.clerk, password: PASSWORD } })).status,
    ).toBe(303);
  });

  it("refuses origins that only look like the console's, and accepts PUBLIC_BASE_URL's", async () => {
    const admin = browsers.admin;
    const token = await admin.csrf();
    const port = new URL(base).port;
    const post = (origin: string | null, headers: Record<string, string> = {}) =>
      admin.request('POST', '/console/nguoi-dung/mo-khoa', { form: { _csrf: token, username: `sec-target-${suffix}` }, origin, headers });
    for (const origin of [
      `http://127.0.0.1:${port}.evil.example`,
      `http://127.0.0.1:${port}@evil.example`,
      `https://127.0.0.1:${port}`,
      'http://127.0.0.1',
      `http://127.0.0.1:${Number(port) + 1}`,
      `http://localhost:${port}.evil.example`,
      'null',
      '',
    ]) {
      const res = await post(origin);
      expect(res.status, origin).toBe(403);
      expect(await res.text(), origin).toContain(BAD_ORIGIN);
    }
    expect((await post(null)).status).toBe(403); // no Origin, no Sec-Fetch-Site
    expect((await post(null, { 'sec-fetch-site': 'same-site' })).status).toBe(403);
    expect((await post(base, { 'sec-fetch-site': 'cross-site' })).status).toBe(403); // the browser says cross-site
    // The request's own origin, and PUBLIC_BASE_URL's (another name for the same server).
    expect((await post(base)).status).toBe(200);
    expect((await post(publicBase)).status).toBe(200);
  });

  it('locks an account out after 5 failures from 5 addresses, in every API process, until a success resets the count', async () => {
    const username = `sec-lock-${suffix}`;
    await addUser(db, { username, name: 'Bị khóa', role: 'clerk', password: PASSWORD });
    const from = (server: { url: string }, ip: string) => new Browser(server.url, { 'x-forwarded-for': ip });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++)
      statuses.push((await from(i % 2 ? proxiedB : proxiedA, `192.0.2.${10 + i}`).signIn(username, `sai-${i}`)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 429]);
    // Locked for every address and every process, the right password included.
    for (const [server, ip] of [
      [proxiedA, '192.0.2.99'],
      [proxiedB, '192.0.2.98'],
    ] as const) {
      const res = await from(server, ip).signIn(username);
      expect(res.status).toBe(429);
      expect(await res.text()).toContain('Tài khoản tạm khóa do đăng nhập sai nhiều lần');
    }
    const locked = await new Browser(base).signIn(username);
    expect(locked.status).toBe(429);

    // A success resets the account's count: 4 failures, a success, 4 failures: never locked.
    const other = `sec-reset-${suffix}`;
    await addUser(db, { username: other, name: 'Đếm lại', role: 'clerk', password: PASSWORD });
    const ip = `192.0.2.${100 + Math.floor(Math.random() * 100)}`;
    for (let i = 0; i < 4; i++) expect((await from(proxiedA, ip).signIn(other, `sai-${i}`)).status).toBe(401);
    expect((await from(proxiedB, ip).signIn(other)).status).toBe(303);
    for (let i = 0; i < 4; i++) expect((await from(proxiedB, ip).signIn(other, `sai-lai-${i}`)).status).toBe(401);
    expect((await from(proxiedA, ip).signIn(other)).status).toBe(303);
  });

  it('locks an address out in every API process, and ignores X-Forwarded-For unless the proxy is trusted', async () => {
    const attackerIp = `203.0.113.${Math.floor(Math.random() * 200) + 20}`;
    const attacker = (server: { url: string }) => new Browser(server.url, { 'x-forwarded-for': attackerIp });
    for (let i = 0; i < 20; i++)
      expect((await attacker(i % 2 ? proxiedA : proxiedB).signIn(`guess-${i}-${suffix}`, 'x')).status).toBe(i < 19 ? 401 : 429);
    for (const server of [proxiedA, proxiedB]) {
      const res = await attacker(server).signIn(users.admin);
      expect(res.status).toBe(429);
      expect(await res.text()).toContain('Có quá nhiều lần đăng nhập sai từ địa chỉ này');
    }
    expect((await new Browser(proxiedA.url, { 'x-forwarded-for': '198.51.100.77' }).signIn(users.admin)).status).toBe(303);
    // Without a trusted proxy, a client's X-Forwarded-For is not its address: the socket's is recorded.
    const spoof = `sec-spoof-${suffix}`;
    expect((await new Browser(base, { 'x-forwarded-for': '198.51.100.200' }).signIn(spoof, 'x')).status).toBe(401);
    const { rows } = await db.query('SELECT ip FROM console_signin_attempts WHERE username = $1', [spoof]);
    expect(rows.map((r) => r.ip)).toEqual([expect.stringMatching(/127\.0\.0\.1$/)]);
  });

  it('sends the security headers on every response of the console, the forms and the API, errors included', async () => {
    const valid = await signLink({ cycleId, unitCode: 'U001', phase: 'plan' }, SECRET, Date.now() + 3_600_000);
    const elsewhere = await signLink({ cycleId: 'NO-CYCLE', unitCode: 'U001', phase: 'plan' }, SECRET, Date.now() + 3_600_000);
    const auth = { authorization: `Bearer ${API_TOKEN}` };
    const cases: [string, () => Promise<Response>, number][] = [
      ['console sign-in page', () => fetch(`${base}/console/dang-nhap`), 200],
      ['console page', () => browsers.clerk.get('/console/'), 200],
      ['console refusal', () => browsers.leader.get('/console/nguoi-dung'), 403],
      ['console redirect', () => fetch(`${base}/console/`, { redirect: 'manual' }), 303],
      ['console undeclared', () => fetch(`${base}/console/khong-co`), 403],
      ['form', () => fetch(formUrl(base, valid)), 200],
      ['form, bad link', () => fetch(`${base}/f/not-a-token`), 403],
      ['form, nothing there', () => fetch(formUrl(base, elsewhere)), 404],
      ['form post, bad link', () => fetch(`${base}/f/not-a-token`, { method: 'POST', body: new URLSearchParams({ a: 'b' }) }), 403],
      ['API without token', () => fetch(`${base}/api/v1/cycles`), 401],
      ['API', () => fetch(`${base}/api/v1/cycles`, { headers: auth }), 200],
      ['API not found', () => fetch(`${base}/api/v1/cycles/NO-CYCLE/status`, { headers: auth }), 404],
      [
        'API bad body',
        () =>
          fetch(`${base}/api/v1/cycles/${cycleId}/units/U001/submit`, {
            method: 'POST',
            headers: { ...auth, 'content-type': 'application/json' },
            body: 'x',
          }),
        400,
      ],
      [
        'API body not JSON',
        () => fetch(`${base}/api/v1/cycles/${cycleId}/units/U001/submit`, { method: 'POST', headers: auth, body: 'x' }),
        415,
      ],
      ['health', () => fetch(`${base}/healthz`), 200],
      ['unknown path', () => fetch(`${base}/nothing-here`), 404],
    ];
    for (const [label, send, status] of cases) {
      const res = await send();
      expect(res.status, label).toBe(status);
      const h = res.headers;
      const csp = h.get('content-security-policy') ?? '';
      expect(csp, label).toMatch(/default-src 'none'/);
      expect(csp, label).toMatch(/frame-ancestors 'none'/);
      expect(csp, label).not.toMatch(/unsafe-eval|script-src[^;]*unsafe-inline/);
      expect(h.get('x-content-type-options'), label).toBe('nosniff');
      expect(h.get('x-frame-options'), label).toBe('DENY');
      expect(h.get('referrer-policy'), label).toBe('no-referrer');
      expect(h.get('cache-control'), label).toBe('no-store');
      expect(h.get('strict-transport-security'), label).toBeNull(); // served over http
      const body = await res.text();
      if (label.startsWith('form')) {
        // A form's page runs no script: none in the page, and the policy allows none.
        expect(csp, label).not.toMatch(/script-src/);
        expect(csp, label).toMatch(/form-action 'self'/);
        expect(body, label).not.toMatch(/<script/i);
      }
    }
  });

  it('opens the operator API to its exact bearer token only, and closes it when production has no token', async () => {
    const status = async (authorization?: string) =>
      (await fetch(`${base}/api/v1/cycles`, { headers: authorization === undefined ? {} : { authorization } })).status;
    expect(await status(`Bearer ${API_TOKEN}`)).toBe(200);
    for (const wrong of [
      undefined,
      '',
      API_TOKEN,
      `bearer ${API_TOKEN}`,
      `Bearer ${API_TOKEN.slice(0, -1)}`,
      `Bearer ${API_TOKEN}x`,
      `Bearer  ${API_TOKEN}`,
      `Basic ${Buffer.from(`x:${API_TOKEN}`).toString('base64')}`,
    ]) {
      expect(await status(wrong), String(wrong)).toBe(401);
    }
    // A unit's link is no operator credential either.
    const link = await signLink({ cycleId, unitCode: 'U001', phase: 'plan' }, SECRET, Date.now() + 3_600_000);
    expect(await status(`Bearer ${link}`)).toBe(401);
    // NODE_ENV=production without CHUKY_API_TOKEN (workers/runtime.ts): closed, while forms and console still work.
    const closed = createApp({ ...apiDeps, apiToken: undefined, requireApiToken: true });
    const refused = await closed.request('http://127.0.0.1/api/v1/cycles');
    expect(refused.status).toBe(503);
    expect(await refused.json()).toEqual({ error: 'the operator API is closed: set CHUKY_API_TOKEN to open it' });
    expect(
      (await closed.request(`http://127.0.0.1/api/v1/cycles/${cycleId}/units/U001/extend`, { method: 'POST', body: '{}' })).status,
    ).toBe(503);
    expect((await closed.request(`http://127.0.0.1/f/${link}`)).status).toBe(200);
    expect((await closed.request('http://127.0.0.1/console/dang-nhap')).status).toBe(200);
    // Outside production, no token means an open API, as before (development, tests).
    expect((await createApp({ ...apiDeps, apiToken: undefined }).request('http://127.0.0.1/api/v1/cycles')).status).toBe(200);
  });

  it('sends Strict-Transport-Security and Secure cookies only under https', async () => {
    const valid = await signLink({ cycleId, unitCode: 'U001', phase: 'plan' }, SECRET, Date.now() + 3_600_000);
    const https = createApp({ ...apiDeps, publicBaseUrl: 'https://chuky.example.vn' });
    const at = (path: string, init?: RequestInit) => https.request(`https://chuky.example.vn${path}`, init);
    for (const [path, status] of [
      ['/console/dang-nhap', 200],
      [`/f/${valid}`, 200],
      ['/f/bad', 403],
      ['/api/v1/cycles', 401],
      ['/healthz', 200],
    ] as const) {
      const res = await at(path);
      expect(res.status, path).toBe(status);
      expect(res.headers.get('strict-transport-security'), path).toBe('max-age=31536000');
    }
    // Under https both console cookies are Secure, HttpOnly, SameSite and limited to /console.
    const page = await at('/console/dang-nhap');
    const preCookie = page.headers.getSetCookie().find((c) => c.startsWith('chuky_console_pre='))!;
    for (const flag of [/; HttpOnly/i, /; Secure/i, /; SameSite=Lax/i, /; Path=\/console/]) expect(preCookie).toMatch(flag);
    const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1]!;
    const signedIn = await at('/console/dang-nhap', {
      method: 'POST',
      headers: {
        origin: 'https://chuky.example.vn',
        cookie: preCookie.split(';')[0]!,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ _csrf: token, username: users.leader, password: PASSWORD }).toString(),
    });
    expect(signedIn.status).toBe(303);
    const session = signedIn.headers.getSetCookie().find((c) => c.startsWith('chuky_console='))!;
    for (const flag of [/; HttpOnly/i, /; Secure/i, /; SameSite=Lax/i, /; Path=\/console/]) expect(session).toMatch(flag);
    expect(session).not.toMatch(/Max-Age|Expires/i); // gone when the browser closes
    expect(signedIn.headers.get('strict-transport-security')).toBe('max-age=31536000');
    // Under http: the same cookies, not Secure (a browser would drop a Secure cookie set over http).
    const plain = await fetch(`${base}/console/dang-nhap`);
    const plainPre = plain.headers.getSetCookie().find((c) => c.startsWith('chuky_console_pre='))!;
    expect(plainPre).toMatch(/; HttpOnly/i);
    expect(plainPre).not.toMatch(/; Secure/i);
    // A request that reached the server over https gets the header even without an https PUBLIC_BASE_URL.
    const httpBase = createApp({ ...apiDeps, publicBaseUrl: 'http://127.0.0.1:1' });
    expect((await httpBase.request('https://chuky.example.vn/healthz')).headers.get('strict-transport-security')).toBe('max-age=31536000');
    expect((await httpBase.request('http://chuky.example.vn/healthz')).headers.get('strict-transport-security')).toBeNull();
  });

  it('answers a failing database with a plain 500 that carries the headers and no detail', async () => {
    const down = createPool('postgres://nobody:wrong@127.0.0.1:1/none');
    try {
      const app = createApp({ ...apiDeps, db: down });
      const valid = await signLink({ cycleId, unitCode: 'U001', phase: 'plan' }, SECRET, Date.now() + 3_600_000);
      const errors: unknown[] = [];
      const original = console.error;
      console.error = (...args: unknown[]) => void errors.push(args);
      try {
        for (const path of [`/f/${valid}`, '/api/v1/cycles']) {
          const res = await app.request(`http://127.0.0.1${path}`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
          expect(res.status, path).toBe(500);
          expect(await res.json(), path).toEqual({ error: 'internal error' });
          expect(res.headers.get('content-security-policy'), path).toMatch(/default-src 'none'/);
          expect(res.headers.get('cache-control'), path).toBe('no-store');
        }
        const signin = await app.request('http://127.0.0.1/console/nguoi-dung', { headers: { cookie: 'chuky_console=abc' } });
        expect(signin.status).toBe(500);
        const text = await signin.text();
        expect(text).toContain('Có lỗi xảy ra');
        expect(text).not.toMatch(/ECONNREFUSED|\bat \S+:\d+/);
        expect(signin.headers.get('content-security-policy')).toMatch(/script-src 'nonce-/);
      } finally {
        console.error = original;
      }
      expect(errors.length).toBeGreaterThan(0);
    } finally {
      await down.end();
    }
  });

  it('keeps the audit log append-only for a least-privilege role, which cannot switch the triggers off either', async () => {
    const role = `chuky_app_${suffix.replace(/[^a-z0-9]/g, '')}`;
    const password = randomUUID();
    await db.query(`CREATE ROLE ${role} LOGIN NOSUPERUSER PASSWORD '${password}'`);
    await db.query(`GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA public TO ${role}`);
    await db.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${role}`);
    const url = new URL(services.databaseUrl);
    url.username = role;
    url.password = password;
    const app = new pg.Client({ connectionString: url.toString() });
    await app.connect();
    try {
      await recordAudit(app as unknown as Db, {
        actor: 'sec-test',
        role: 'cli',
        action: 'extend',
        cycleId,
        unitCode: 'U001',
        phase: 'plan',
        workflowId: null,
        reason: 'Kiểm thử quyền ghi nhật ký',
        details: {},
        outcome: 'ok',
        message: null,
        requestId: `sec-audit-${suffix}`,
      });
      const { rows } = await app.query('SELECT id FROM audit_log WHERE request_id = $1', [`sec-audit-${suffix}`]);
      expect(rows).toHaveLength(1);
      const id = rows[0].id;
      await expect(app.query("UPDATE audit_log SET reason = 'đổi' WHERE id = $1", [id])).rejects.toThrow(/append-only: UPDATE/);
      await expect(app.query('DELETE FROM audit_log WHERE id = $1', [id])).rejects.toThrow(/append-only: DELETE/);
      await expect(app.query('TRUNCATE audit_log')).rejects.toThrow(/append-only: TRUNCATE/);
      // The ways around a trigger are closed to it: only the table's owner or a superuser may take them.
      await expect(app.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change')).rejects.toThrow(/must be owner/);
      await expect(app.query('DROP TRIGGER audit_log_no_change ON audit_log')).rejects.toThrow(/must be owner/);
      await expect(app.query("SET session_replication_role = 'replica'")).rejects.toThrow(/permission denied/);
      await expect(
        app.query('CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$'),
      ).rejects.toThrow(/must be owner|permission denied/);
      expect((await app.query('SELECT reason FROM audit_log WHERE id = $1', [id])).rows[0].reason).toBe('Kiểm thử quyền ghi nhật ký');
    } finally {
      await app.end();
    }
    // The owner (the role the migrations ran as, here the tests' own) can: docs/SECURITY.md says to run the
    // worker and the API as a role like the one above. Shown in a transaction that is rolled back.
    const owner = await db.connect();
    try {
      await owner.query('BEGIN');
      await owner.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change');
      await owner.query('ROLLBACK');
    } finally {
      owner.release();
    }
    await expect(db.query('DELETE FROM audit_log WHERE request_id = $1', [`sec-audit-${suffix}`])).rejects.toThrow(/append-only: DELETE/);
    await db.query(`DROP OWNED BY ${role}`);
    await db.query(`DROP ROLE ${role}`);
  });
});
