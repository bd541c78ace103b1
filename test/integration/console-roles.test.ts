/**
 * The console's access control over real HTTP, on the real stack (Temporal dev server, PostgreSQL, SMTP, a worker
 * in this process): sign-in, wrong passwords and the lock-out (per username and per address), sign-out, idle and
 * absolute session expiry; for every action of the permission table, each role that may not is refused (403) and
 * each role that may is let through; CSRF and origin checks on POST; undeclared routes refused; security headers;
 * hostile unit names rendered inert.
 */
import { randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import { inject } from 'vitest';
import { chukyBin } from '../support/processes.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import { startHarness, type Harness } from '../support/harness.js';
import { writeFixture, type Fixture } from '../support/fixtures.js';
import { startCycle } from '../../cli/commands/cycle.js';
import { startApi } from '../../api/server.js';
import { cycleWorkflowId, unitWorkflowId } from '../../domain/ids.js';
import { freePort } from '../../stack/ports.js';
import { ACTIONS, PERMISSIONS, ROLES, type Action, type Role } from '../../console/permissions.js';
import { addUser } from '../../console/users.js';
import { createConsole } from '../../console/app.js';
import { listAudit } from '../../ops/audit.js';

const QUEUE = 'it-console-roles';
const PASSWORD = 'mat-khau-du-dai-2027';
const HOSTILE = `<script>alert("xss")</script><img src=x onerror=alert(1)> Đảng bộ "Thử" & Co`;

/** A browser-like HTTP client: keeps cookies, follows no redirect, sends the console's Origin on POST. */
class Client {
  readonly cookies = new Map<string, string>();
  constructor(
    readonly base: string,
    readonly headers: Record<string, string> = {},
  ) {}

  async request(
    method: 'GET' | 'POST',
    path: string,
    opts: { form?: Record<string, string>; headers?: Record<string, string>; origin?: string | null } = {},
  ): Promise<Response> {
    const headers: Record<string, string> = { ...this.headers, ...opts.headers };
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (method === 'POST' && opts.origin !== null) headers.origin = opts.origin ?? this.base;
    const init: RequestInit = { method, headers, redirect: 'manual' };
    if (opts.form) init.body = new URLSearchParams(opts.form);
    const res = await fetch(this.base + path, init);
    for (const c of res.headers.getSetCookie()) {
      const [pair, ...attrs] = c.split(';');
      const [name, ...rest] = pair!.split('=');
      const value = rest.join('=');
      const expired = attrs.some((a) => /max-age=0/i.test(a.trim()) || /expires=Thu, 01 Jan 1970/i.test(a.trim()));
      if (expired || value === '') this.cookies.delete(name!.trim());
      else this.cookies.set(name!.trim(), value);
    }
    return res;
  }

  get(path: string, headers?: Record<string, string>) {
    return this.request('GET', path, headers ? { headers } : {});
  }

  /** The CSRF token of the signed-in session, as the pages carry it. */
  async csrf(): Promise<string> {
    const html = await (await this.get('/console/')).text();
    const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
    if (!token) throw new Error('no CSRF token on the start page (not signed in?)');
    return token;
  }

  async post(
    path: string,
    form: Record<string, string>,
    opts: { csrf?: string | false; origin?: string | null; headers?: Record<string, string> } = {},
  ): Promise<Response> {
    const token = opts.csrf === false ? undefined : (opts.csrf ?? (await this.csrf()));
    return this.request('POST', path, {
      form: { ...form, ...(token ? { _csrf: token } : {}) },
      ...(opts.origin !== undefined ? { origin: opts.origin } : {}),
      ...(opts.headers ? { headers: opts.headers } : {}),
    });
  }

  async signIn(username: string, password = PASSWORD): Promise<Response> {
    const page = await (await this.get('/console/dang-nhap')).text();
    const token = /name="_csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
    return this.request('POST', '/console/dang-nhap', { form: { _csrf: token, username, password, tiep: '/console/' } });
  }
}

describe('console: sign-in, roles, CSRF, headers', () => {
  let h: Harness;
  let api: Awaited<ReturnType<typeof startApi>>;
  let proxied: Awaited<ReturnType<typeof startApi>>;
  let base = '';
  let fx: Fixture;
  let cycleId = '';
  let worker: Promise<void> | undefined;
  const users = {} as Record<Role, string>;
  const clients = {} as Record<Role, Client>;
  const suffix = randomUUID().slice(0, 6);

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    h = await startHarness({ taskQueue: QUEUE, publicBaseUrl: base });
    const apiDeps = {
      db: h.db,
      client: h.client,
      signingSecret: h.env.signingSecret,
      taskQueue: QUEUE,
      publicBaseUrl: base,
      temporalUiUrl: 'http://127.0.0.1:8233',
      mail: { mailer: h.mailer, mailFrom: h.env.mailFrom, publicBaseUrl: base, signingSecret: h.env.signingSecret },
    };
    api = await startApi(apiDeps, port);
    // A second console behind a (pretend) reverse proxy, to lock out an address without locking out this machine.
    proxied = await startApi({ ...apiDeps, console: { trustProxy: true } }, await freePort());
    worker = h.worker.run();
    // Every phase due on calendar day 40 at 20 s a day: the plan opens ~7 s after the start (08:00 on day one),
    // and nothing else moves by itself while the test runs.
    fx = writeFixture({
      code: 'ITCONROLES',
      issuedOn: '2027-03-01',
      deadline: '2027-04-09',
      closesOn: '2027-06-30',
      units: 4,
      phases: [{ id: 'plan', deadline: '2027-04-09' }],
    });
    const started = await startCycle({ db: h.db, client: h.client, taskQueue: QUEUE, configFile: fx.file, secondsPerDay: 20 });
    cycleId = started.cycleId;
    await h.db.query('UPDATE units SET name = $3 WHERE cycle_id = $1 AND code = $2', [cycleId, fx.unitCodes[0], HOSTILE]);
    for (const role of ROLES) {
      users[role] = `roles-${role}-${suffix}`;
      await addUser(h.db, { username: users[role], name: `Người dùng ${role}`, role, password: PASSWORD });
      clients[role] = new Client(base);
      expect((await clients[role].signIn(users[role])).status).toBe(303);
    }
    // The unit workflows have opened the plan phase (the obligations exist) before the repairs run.
    for (let i = 0; i < 200; i++) {
      const { rows } = await h.db.query('SELECT count(*)::int AS n FROM obligations WHERE cycle_id = $1', [cycleId]);
      if (rows[0].n === fx.unitCodes.length) break;
      await new Promise((r) => setTimeout(r, 250));
    }
  });

  afterAll(async () => {
    if (cycleId) {
      for (const id of [cycleWorkflowId(cycleId), ...fx.unitCodes.map((u) => unitWorkflowId(cycleId, u))]) {
        const handle = h.client.workflow.getHandle(id);
        if ((await handle.describe().catch(() => undefined))?.status.name === 'RUNNING')
          await handle.terminate('console-roles test done').catch(() => undefined);
      }
    }
    h?.worker.shutdown();
    await worker?.catch(() => undefined);
    await proxied?.close();
    await api?.close();
    await h?.close();
  });

  it('signs in, refuses a wrong password, signs out', async () => {
    const anon = new Client(base);
    const start = await anon.get('/console/');
    expect(start.status).toBe(303);
    expect(start.headers.get('location')).toBe('/console/dang-nhap?tiep=%2Fconsole%2F');

    const wrong = await anon.signIn(users.clerk, 'khong-dung-mat-khau');
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('Tên đăng nhập hoặc mật khẩu không đúng.');
    const unknown = await anon.signIn(`nobody-${suffix}`);
    expect(unknown.status).toBe(401);
    expect(await unknown.text()).toContain('Tên đăng nhập hoặc mật khẩu không đúng.');

    const ok = await anon.signIn(users.clerk);
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('/console/');
    const cookie = ok.headers.getSetCookie().find((c) => c.startsWith('chuky_console='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Path=\/console/);
    expect(cookie).not.toMatch(/Secure/); // PUBLIC_BASE_URL is http here
    // Only a hash of the cookie's id is stored.
    const raw = anon.cookies.get('chuky_console')!;
    const { rows } = await h.db.query('SELECT id_hash FROM console_sessions WHERE username = $1', [users.clerk]);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.some((r) => r.id_hash === raw)).toBe(false);

    const home = await anon.get('/console/');
    expect(home.status).toBe(200);
    const body = await home.text();
    expect(body).toContain('Người dùng clerk');
    expect(body).toContain(cycleId);

    const out = await anon.post('/console/dang-xuat', {});
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/console/dang-nhap?da-dang-xuat');
    // The old cookie no longer opens anything, even sent again by hand.
    const replay = new Client(base);
    replay.cookies.set('chuky_console', raw);
    expect((await replay.get('/console/')).status).toBe(303);
  });

  it('a Secure cookie when PUBLIC_BASE_URL is https', async () => {
    const app = new Hono();
    app.route(
      '/',
      createConsole({ db: h.db, client: h.client, namespace: 'default', taskQueue: QUEUE, publicBaseUrl: 'https://chuky.example.vn' }).app,
    );
    const page = await app.request('https://chuky.example.vn/console/dang-nhap');
    const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1]!;
    const pre = page.headers
      .getSetCookie()
      .find((c) => c.startsWith('chuky_console_pre='))!
      .split(';')[0]!;
    const res = await app.request('https://chuky.example.vn/console/dang-nhap', {
      method: 'POST',
      headers: { origin: 'https://chuky.example.vn', cookie: pre, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: token, username: users.leader, password: PASSWORD }).toString(),
    });
    expect(res.status).toBe(303);
    expect(res.headers.getSetCookie().find((c) => c.startsWith('chuky_console='))).toMatch(/; Secure/);
  });

  it('locks a username out after 5 wrong passwords, with a clear message', async () => {
    const username = `roles-lock-${suffix}`;
    await addUser(h.db, { username, name: 'Bị khóa', role: 'clerk', password: PASSWORD });
    const c = new Client(base);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await c.signIn(username, `sai-${i}-mat-khau`)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 429]);
    // Even the right password is refused now, without being checked.
    const locked = await c.signIn(username);
    expect(locked.status).toBe(429);
    const text = await locked.text();
    expect(text).toContain('Tài khoản tạm khóa do đăng nhập sai nhiều lần. Vui lòng thử lại sau 15 phút');
    expect(c.cookies.has('chuky_console')).toBe(false);
    // Other users from the same address are not affected.
    expect((await new Client(base).signIn(users.leader)).status).toBe(303);
    const { rows } = await h.db.query('SELECT outcome FROM console_signin_attempts WHERE username = $1 ORDER BY id', [username]);
    expect(rows.map((r) => r.outcome)).toEqual(['failed', 'failed', 'failed', 'failed', 'failed', 'locked']);
    // The lock ends with the window: move the failures 16 minutes back and the right password works again.
    // The lock is counted in rate_limits (shared by every API process), so that is where its window ends.
    await h.db.query('UPDATE rate_limits SET expire = expire - 16 * 60 * 1000 WHERE key = $1', [`signin-user:${username}`]);
    expect((await c.signIn(username)).status).toBe(303);
  });

  it('locks an address out after 20 failures across usernames', async () => {
    const attacker = new Client(proxied.url, { 'x-forwarded-for': '203.0.113.7' });
    for (let i = 0; i < 20; i++) expect((await attacker.signIn(`guess-${i}-${suffix}`, 'x')).status).toBe(i < 19 ? 401 : 429);
    const locked = await attacker.signIn(users.admin);
    expect(locked.status).toBe(429);
    expect(await locked.text()).toContain('Có quá nhiều lần đăng nhập sai từ địa chỉ này');
    // Another address signs in as usual.
    expect((await new Client(proxied.url, { 'x-forwarded-for': '198.51.100.9' }).signIn(users.admin)).status).toBe(303);
  });

  it('ends a session after 30 idle minutes and after 12 hours whatever the activity', async () => {
    const idle = new Client(base);
    expect((await idle.signIn(users.leader)).status).toBe(303);
    expect((await idle.get('/console/')).status).toBe(200);
    const idHash = async (c: Client) => {
      const { createHash } = await import('node:crypto');
      return createHash('sha256').update(c.cookies.get('chuky_console')!).digest('hex');
    };
    await h.db.query("UPDATE console_sessions SET last_seen_at = now() - interval '31 minutes' WHERE id_hash = $1", [await idHash(idle)]);
    const expired = await idle.get('/console/nhat-ky');
    expect(expired.status).toBe(303);
    expect(expired.headers.get('location')).toBe('/console/dang-nhap?tiep=%2Fconsole%2Fnhat-ky');
    const signin = await idle.get('/console/dang-nhap?tiep=%2Fconsole%2Fnhat-ky');
    expect(await signin.text()).toContain('Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại.');

    const busy = new Client(base);
    expect((await busy.signIn(users.leader)).status).toBe(303);
    await h.db.query(
      "UPDATE console_sessions SET created_at = now() - interval '12 hours', expires_at = now() - interval '1 second' WHERE id_hash = $1",
      [await idHash(busy)],
    );
    expect((await busy.get('/console/')).status).toBe(303);
    // A POST with an expired session is refused, not redirected.
    const post = await busy.post('/console/dang-xuat', {}, { csrf: 'anything' });
    expect(post.status).toBe(401);
  });

  /** One request per action of the permission table; `n` makes each call distinct (request ids, usernames). */
  function sample(action: Action, n: number): { method: 'GET' | 'POST'; path: string; form?: Record<string, string> } {
    const [, second, third, fourth] = fx.unitCodes as [string, string, string, string];
    const repair = (a: string, form: Record<string, string>) => ({
      method: 'POST' as const,
      path: `/console/sua-chua/${a}`,
      form: {
        cycleId,
        phase: 'plan',
        reason: `Kiểm thử quyền ${a} ${n}`,
        requestId: `roles-${a}-${n}-${suffix}`,
        back: `/console/chu-ky/${cycleId}`,
        ...form,
      },
    });
    const samples: Record<Action, ReturnType<typeof sample>> = {
      'cycle.view': { method: 'GET', path: `/console/chu-ky/${cycleId}` },
      'overdue.view': { method: 'GET', path: `/console/qua-han?chu-ky=${cycleId}` },
      'stalls.view': { method: 'GET', path: `/console/bi-ket?chu-ky=${cycleId}&loai=overdue` },
      'audit.view': { method: 'GET', path: '/console/nhat-ky' },
      'repair.extend': repair('extend', { unitCode: second, until: `2027-04-${String(10 + n).padStart(2, '0')}` }),
      'repair.exempt': repair('exempt', { unitCode: third }),
      'repair.remind': repair('remind', { unitCode: second }),
      'repair.record': repair('record', { unitCode: fourth, 'p:confirmedBy': 'Nguyễn Văn Thử, Bí thư' }),
      'repair.retry': repair('retry', { workflowId: unitWorkflowId(cycleId, second) }),
      'repair.reset': repair('reset', { workflowId: unitWorkflowId(cycleId, second) }),
      'repair.cancel': repair('cancel', { workflowId: `chuky/unit/${cycleId}/NO-SUCH-UNIT` }),
      'report.upward': { method: 'GET', path: `/console/chu-ky/${cycleId}/bao-cao-len` },
      'users.view': { method: 'GET', path: '/console/nguoi-dung' },
      'users.manage': {
        method: 'POST',
        path: '/console/nguoi-dung/them',
        form: { username: `roles-new-${n}-${suffix}`, name: 'Người mới', role: 'leader', password: PASSWORD },
      },
      'session.end': { method: 'POST', path: '/console/dang-xuat', form: {} },
    };
    return samples[action];
  }

  it('for every action of the permission table: refused (403) to each role without it, let through for each role with it', async () => {
    expect(ACTIONS.length).toBe(15);
    let n = 0;
    for (const action of ACTIONS) {
      const allowedRoles = PERMISSIONS[action] as readonly Role[];
      for (const role of ROLES) {
        n += 1;
        const s = sample(action, n);
        // Signing out needs a session of its own, so the role's main client stays signed in.
        const client = action === 'session.end' ? new Client(base) : clients[role];
        if (action === 'session.end') expect((await client.signIn(users[role])).status).toBe(303);
        const res = s.method === 'GET' ? await client.get(s.path) : await client.post(s.path, s.form ?? {});
        const label = `${role} → ${action} (${s.method} ${s.path})`;
        if (!allowedRoles.includes(role)) {
          expect(res.status, label).toBe(403);
          expect(await res.text(), label).toContain('Vai trò của bạn không được thực hiện thao tác này.');
          continue;
        }
        expect([200, 303], label).toContain(res.status);
        if (action.startsWith('repair.')) {
          // Let through to the repair itself: its outcome (done or refused by the workflow) is in the audit log.
          const location = res.headers.get('location') ?? '';
          expect(location, label).toMatch(new RegExp(`^/console/chu-ky/${cycleId}\\?ket-qua=\\d+$`));
          const id = Number(/ket-qua=(\d+)/.exec(location)![1]);
          const [entry] = await listAudit(h.db, { beforeId: id + 1, limit: 1 });
          expect(entry, label).toMatchObject({ id, actor: users[role], role, action: action.slice('repair.'.length) });
          const page = await client.get(location);
          expect(await page.text(), label).toContain('id="repair-result"');
        }
        if (action === 'users.manage') expect(await res.text(), label).toContain('Đã thêm');
        if (action === 'session.end') expect(res.headers.get('location'), label).toBe('/console/dang-nhap?da-dang-xuat');
      }
      // Without a session every action is refused: a page sends to the sign-in form, a POST is refused.
      const s = sample(action, ++n);
      const anon = new Client(base);
      const res = s.method === 'GET' ? await anon.get(s.path) : await anon.post(s.path, s.form ?? {}, { csrf: 'x' });
      expect(res.status, `anonymous → ${action}`).toBe(s.method === 'GET' ? 303 : 401);
    }
    // The clerk's extension really happened (the first allowed role for repair.extend is the admin, then the clerk).
    const { rows } = await h.db.query(
      "SELECT kind, actor, reason FROM events WHERE cycle_id = $1 AND unit_code = $2 AND kind = 'extended' ORDER BY id",
      [cycleId, fx.unitCodes[1]],
    );
    expect(rows.map((r) => r.actor)).toEqual([`operator:${users.admin}`, `operator:${users.clerk}`]);
  });

  it('refuses a POST without or with a wrong CSRF token, or from another origin', async () => {
    const clerk = clients.clerk;
    const form = { cycleId, unitCode: fx.unitCodes[2]!, phase: 'plan', reason: 'Kiểm thử CSRF', back: '/console/' };
    const before = (await listAudit(h.db, { limit: 1 }))[0]?.id ?? 0;
    const noToken = await clerk.post('/console/sua-chua/remind', form, { csrf: false });
    expect(noToken.status).toBe(403);
    expect(await noToken.text()).toContain('Biểu mẫu đã hết hiệu lực hoặc không hợp lệ');
    expect((await clerk.post('/console/sua-chua/remind', form, { csrf: 'A'.repeat(43) })).status).toBe(403);
    // Another session's token is not this session's.
    expect((await clerk.post('/console/sua-chua/remind', form, { csrf: await clients.admin.csrf() })).status).toBe(403);
    const token = await clerk.csrf();
    const evil = await clerk.post('/console/sua-chua/remind', form, { csrf: token, origin: 'https://evil.example' });
    expect(evil.status).toBe(403);
    expect(await evil.text()).toContain('Yêu cầu không đến từ trang của bảng điều hành');
    expect((await clerk.post('/console/sua-chua/remind', form, { csrf: token, origin: null })).status).toBe(403);
    expect(
      (await clerk.post('/console/sua-chua/remind', form, { csrf: token, origin: null, headers: { 'sec-fetch-site': 'cross-site' } }))
        .status,
    ).toBe(403);
    // Nothing was done or recorded.
    expect((await listAudit(h.db, { limit: 1 }))[0]?.id ?? 0).toBe(before);
    // A browser's own form post under `Referrer-Policy: no-referrer` says `Origin: null` and `Sec-Fetch-Site: same-origin`.
    const browserLike = await clerk.post(
      '/console/sua-chua/remind',
      { ...form, requestId: `roles-csrf-${suffix}` },
      { csrf: token, origin: 'null', headers: { 'sec-fetch-site': 'same-origin' } },
    );
    expect(browserLike.status).toBe(303);
    // The sign-in form has its own token (no session yet).
    const anon = new Client(base);
    const res = await anon.request('POST', '/console/dang-nhap', { form: { username: users.clerk, password: PASSWORD } });
    expect(res.status).toBe(403);
  });

  it('the record repair has its own form page, for the roles that may record', async () => {
    const path = `/console/chu-ky/${cycleId}/don-vi/${fx.unitCodes[3]}/ghi-nhan/plan?quay-lai=${encodeURIComponent(`/console/chu-ky/${cycleId}`)}`;
    const page = await clients.clerk.get(path);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('name="p:confirmedBy"');
    expect(html).toContain(`name="back" value="/console/chu-ky/${cycleId}"`);
    expect((await clients.leader.get(path)).status).toBe(403);
    // A leader's unit page offers no repair at all; a clerk's offers the unit repairs and not the workflow ones
    // (on the first unit, whose plan is still open).
    const unitPath = `/console/chu-ky/${cycleId}/don-vi/${fx.unitCodes[0]}`;
    expect(await (await clients.leader.get(unitPath)).text()).not.toContain('/console/sua-chua/');
    const clerkPage = await (await clients.clerk.get(unitPath)).text();
    expect(clerkPage).toContain('action="/console/sua-chua/extend"');
    expect(clerkPage).not.toContain('/console/sua-chua/cancel');
    // A return address outside the console is not followed.
    const away = await clients.clerk.get(
      `/console/chu-ky/${cycleId}/don-vi/${fx.unitCodes[3]}/ghi-nhan/plan?quay-lai=${encodeURIComponent('https://evil.example/')}`,
    );
    expect(await away.text()).toContain('name="back" value="/console/"');
  });

  it('manages users from the command line, the password read from standard input', async () => {
    const env = { ...process.env, DATABASE_URL: inject('services').databaseUrl };
    const run = (args: string[], stdin?: string) =>
      new Promise<{ code: number; out: string }>((resolve) => {
        const child = spawn(process.execPath, [chukyBin(), 'console', 'user', ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
        let out = '';
        child.stdout.on('data', (d) => (out += d));
        child.stderr.on('data', (d) => (out += d));
        child.stdin.end(stdin ?? '');
        child.on('close', (code) => resolve({ code: code ?? 1, out }));
      });
    const name = `cli-${suffix}`;
    const added = await run(
      ['add', '--username', name, '--role', 'leader', '--name', 'Lãnh Đạo Dòng Lệnh', '--password-stdin'],
      `${PASSWORD}\n`,
    );
    expect(added, added.out).toMatchObject({ code: 0 });
    expect(added.out).not.toContain(PASSWORD);
    expect((await new Client(base).signIn(name)).status).toBe(303);
    const list = await run(['list', '--json']);
    expect(JSON.parse(list.out).find((u: { username: string }) => u.username === name)).toMatchObject({
      role: 'leader',
      name: 'Lãnh Đạo Dòng Lệnh',
      disabledAt: null,
    });
    const short = await run(['add', '--username', `${name}-2`, '--role', 'clerk', '--name', 'X', '--password-stdin'], 'ngan\n');
    expect(short.code).toBe(1);
    expect(short.out).toContain('Mật khẩu cần ít nhất 10 ký tự');
    // Disabling ends the user's sessions at once and refuses new ones.
    const signedIn = new Client(base);
    expect((await signedIn.signIn(name)).status).toBe(303);
    expect((await run(['disable', '--username', name])).code).toBe(0);
    expect((await signedIn.get('/console/')).status).toBe(303);
    expect((await new Client(base).signIn(name)).status).toBe(401);
  });

  it('refuses routes that are not declared, signed in or not', async () => {
    for (const client of [new Client(base), clients.admin]) {
      for (const path of ['/console/khong-co-trang', '/console/chu-ky', '/console/admin/../nguoi-dung/x', '/console/static/app.js']) {
        const res = await client.get(path);
        expect(res.status, path).toBe(403);
        expect(await res.text(), path).toContain('Trang hoặc thao tác này không có trong bảng điều hành.');
      }
      // A declared path with an undeclared method.
      expect((await client.post('/console/', {}, { csrf: 'x' })).status).toBe(403);
      expect((await client.request('POST', '/console/nhat-ky', { form: {} })).status).toBe(403);
    }
    // A handler added to the console's Hono app without being declared is never reached.
    const { app } = createConsole({ db: h.db, client: h.client, namespace: 'default', taskQueue: QUEUE });
    app.get('/console/undeclared', (c) => c.text('leaked'));
    const root = new Hono();
    root.route('/', app);
    const res = await root.request('http://127.0.0.1/console/undeclared');
    expect(res.status).toBe(403);
    expect(await res.text()).not.toContain('leaked');
  });

  it('sends the security headers on pages, refusals and redirects', async () => {
    const responses = [
      await new Client(base).get('/console/dang-nhap'),
      await clients.clerk.get(`/console/chu-ky/${cycleId}`),
      await clients.leader.get('/console/nguoi-dung'),
      await new Client(base).get('/console/'),
    ];
    expect(responses.map((r) => r.status)).toEqual([200, 200, 403, 303]);
    for (const res of responses) {
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toMatch(/default-src 'none'/);
      expect(csp).toMatch(/script-src 'nonce-[A-Za-z0-9+/=]+'/);
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
      expect(csp).toMatch(/frame-ancestors 'none'/);
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('cache-control')).toBe('no-store');
    }
    // The cycle page's one script carries this response's nonce, and the nonce changes per response.
    const page = responses[1]!;
    const nonce = /'nonce-([^']+)'/.exec(page.headers.get('content-security-policy')!)![1];
    const html = await page.text();
    const scripts = [...html.matchAll(/<script\b([^>]*)>/g)].map((m) => m[1]);
    expect(scripts).toEqual([` nonce="${nonce}"`]);
    const again = await clients.clerk.get(`/console/chu-ky/${cycleId}`);
    expect(/'nonce-([^']+)'/.exec(again.headers.get('content-security-policy')!)![1]).not.toBe(nonce);
  });

  it('renders hostile unit names inert', async () => {
    const hostileCode = fx.unitCodes[0]!;
    for (const path of [
      `/console/chu-ky/${cycleId}`,
      `/console/chu-ky/${cycleId}/don-vi/${hostileCode}`,
      `/console/chu-ky/${cycleId}?q=${encodeURIComponent('<script>')}`,
      `/console/chu-ky/${cycleId}/bieu-do`,
    ]) {
      const res = await clients.clerk.get(path);
      expect(res.status, path).toBe(200);
      const html = await res.text();
      // (The chart's axis cuts a long name short, so the whole escaped name is looked for in the pages' tables.)
      if (!path.endsWith('/bieu-do')) expect(html, path).toContain('&lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt;');
      expect(html, path).not.toContain('<script>alert');
      expect(html, path).not.toContain('<img src=x');
      // Every script element is the console's own (nonce-carrying) one.
      for (const m of html.matchAll(/<script\b([^>]*)>/g)) expect(m[1], path).toMatch(/^ nonce="[^"]+"$/);
    }
    // A search for the hostile text finds the unit and echoes the query escaped.
    const search = await (await clients.clerk.get(`/console/chu-ky/${cycleId}?q=${encodeURIComponent('<script>alert')}`)).text();
    expect(search).toContain('value="&lt;script&gt;alert"');
    expect(search).toContain('Hiển thị 1 / 4 đơn vị');
  });
});
