/**
 * A web page from another site, open in the same browser as chuky, must not change its data (issue 15): a real
 * Chromium opens a hostile page served by a second HTTP server on another port and host name, and that page tries
 * every write a page can make without the operator's help — a `text/plain` fetch and form post to the API's
 * extend and exempt (no CORS preflight), a JSON fetch (a preflight), a form post to a unit's form. The API runs
 * with no token, as `chuky api` did on a laptop, so only the new doors stand in the way. Then DNS rebinding
 * (Chromium resolving evil.example to the server: `Host: evil.example`) and plain HTTP with a forged Host. The
 * workflows, the events, the submissions and the audit log are read back: nothing changed, nothing audited. And
 * a unit's form sent again with an earlier request id and other content is told so, in Vietnamese, and its next
 * send is stored as a new version. Real Temporal dev server, PostgreSQL and SMTP (test/support/harness.ts).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { startHarness, type Harness } from '../support/harness.js';
import { writeFixture, type Fixture } from '../support/fixtures.js';
import { openCycle, type OpenCycle } from '../support/open-cycle.js';
import { CHROMIUM_ARGS } from '../support/browser.js';
import { ensureChromium } from '../../stack/chromium.js';
import { startApi } from '../../api/server.js';
import { formUrl, signLink } from '../../auth/links.js';
import { unitWorkflowId } from '../../domain/ids.js';
import { unitViewQuery } from '../../workflows/messages.js';
import { freePort } from '../../stack/ports.js';
import { waitFor } from '../support/processes.js';
import { repeatNotice } from '../../api/repeat-request.js';

const QUEUE = 'it-cross-origin';
/** The hostile page's `window.attack` (its script below), as the functions run inside the page see it. */
interface AttackPage {
  attack: {
    plain(url: string, body: string): Promise<string>;
    json(url: string, body: string): Promise<string>;
    submit(id: string): string;
  };
}
const ATTACKER = 'ke-gian-ngoai-trang';

describe('the HTTP server against pages of other sites', () => {
  let h: Harness;
  let api: Awaited<ReturnType<typeof startApi>>;
  let fx: Fixture;
  let cycle: OpenCycle | undefined;
  let cycleId = '';
  let apiPort = 0;
  let browser: Browser;
  let hostile: http.Server;
  let hostilePort = 0;
  /** Unit codes: the hostile page extends A, exempts B and posts C's form; D's form is sent again with an old id. */
  let A = '';
  let B = '';
  let C = '';
  let D = '';
  /** C's form link, as the hostile page holds it. */
  let hostileFormLink = '';

  const base = () => `http://127.0.0.1:${apiPort}`;
  const link = async (unit: string, phase: string) =>
    formUrl(base(), await signLink({ cycleId, unitCode: unit, phase }, h.env.signingSecret, Date.now() + 3_600_000));

  /** The hostile page: no script of ours runs it; the test calls its functions from outside, as its own code would. */
  const hostilePage = (formLink: string) => `<!doctype html><meta charset="utf-8"><title>Trang lạ</title>
<iframe name="sink1"></iframe><iframe name="sink2"></iframe>
<form id="api-form" method="POST" enctype="text/plain" target="sink1" action="${base()}/api/v1/cycles/${cycleId}/units/${B}/exempt">
<input name='{"phase":"plan","reason":"Miễn do trang lạ","actor":{"id":"${ATTACKER}","via":"api"},"requestId":"evil-form-exempt-1","x":"' value='"}'>
</form>
<form id="unit-form" method="POST" target="sink2" action="${formLink}">
<input name="confirmedBy" value="Kẻ gian giả danh Bí thư"><input name="planText" value="Kế hoạch giả"><input name="requestId" value="evil-unit-form-1">
</form>
<script>
window.attack = {
  // A "simple" request: the browser sends it without asking the server first (no preflight).
  plain: (url, body) => fetch(url, { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body }).then(() => 'sent', (e) => String(e)),
  // JSON needs a preflight the server never grants.
  json: (url, body) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then((r) => 'answered ' + r.status, (e) => e.name),
  submit: (id) => { document.getElementById(id).submit(); return 'submitted'; },
};
</script>`;

  const extendBody = (requestId: string) =>
    JSON.stringify({
      phase: 'plan',
      newDeadline: '2027-04-15',
      reason: 'Gia hạn do trang lạ',
      actor: { id: ATTACKER, via: 'api' },
      requestId,
    });
  const exemptBody = (requestId: string) =>
    JSON.stringify({ phase: 'plan', reason: 'Miễn do trang lạ', actor: { id: ATTACKER, via: 'api' }, requestId });

  async function planOf(unit: string) {
    const view = await h.client.workflow.getHandle(unitWorkflowId(cycleId, unit)).query(unitViewQuery);
    return view.obligations.find((o) => o.phase === 'plan')!;
  }

  /** What a hostile request could have changed, read from the workflows and the database. */
  async function state() {
    const [events, audit, submissions] = await Promise.all([
      h.db.query("SELECT unit_code, kind FROM events WHERE cycle_id = $1 AND kind IN ('extended', 'exempted') ORDER BY id", [cycleId]),
      h.db.query('SELECT actor, action, unit_code, outcome FROM audit_log WHERE cycle_id = $1 ORDER BY id', [cycleId]),
      h.db.query('SELECT unit_code, phase, version, payload FROM submissions WHERE cycle_id = $1 ORDER BY id', [cycleId]),
    ]);
    const plans = Object.fromEntries(await Promise.all([A, B, C].map(async (u) => [u, await planOf(u)] as const)));
    return { events: events.rows, audit: audit.rows, submissions: submissions.rows, plans };
  }

  /** Every request the API server answered, as it answered it (the browser hides refused cross-origin answers). */
  const answered: Array<{ method: string; path: string; status: number; origin: string | undefined; site: string | undefined }> = [];

  /**
   * Runs `act` in the page and returns the status the server gave the POST it caused. Read from the server's side:
   * Chromium withholds a cross-origin answer from the page and from its network log (Cross-Origin-Resource-Policy).
   */
  async function served(
    url: string,
    act: () => Promise<unknown>,
  ): Promise<{ status: number; origin: string | undefined; site: string | undefined; outcome: unknown }> {
    const from = answered.length;
    const path = new URL(url).pathname;
    const outcome = await act();
    const hit = await waitFor(
      `the server's answer to POST ${path}`,
      async () => answered.slice(from).find((a) => a.method === 'POST' && a.path === path),
      30_000,
      50,
    );
    return { status: hit.status, origin: hit.origin, site: hit.site, outcome };
  }

  /** A plain HTTP/1.1 request with whatever Host it is given (fetch would not let a test forge it). */
  function raw(
    method: string,
    path: string,
    host: string,
    body?: string,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: apiPort,
          method,
          path,
          headers: { host, ...headers, ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}) },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  beforeAll(async () => {
    apiPort = await freePort();
    h = await startHarness({ taskQueue: QUEUE, publicBaseUrl: `http://127.0.0.1:${apiPort}` });
    // No apiToken: the API as a laptop ran it before the dev stack made one. The doors alone must hold.
    api = await startApi(
      { db: h.db, client: h.client, signingSecret: h.env.signingSecret, taskQueue: QUEUE, publicBaseUrl: `http://127.0.0.1:${apiPort}` },
      apiPort,
    );
    api.server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      res.on('finish', () =>
        answered.push({
          method: req.method ?? '',
          path: new URL(req.url ?? '/', 'http://x').pathname,
          status: res.statusCode,
          origin: req.headers.origin,
          site: req.headers['sec-fetch-site'],
        }),
      );
    });
    fx = writeFixture({
      code: 'ITXORIGIN',
      issuedOn: '2027-03-01',
      deadline: '2027-03-20',
      units: 4,
      closesOn: '2027-04-30',
      phases: [{ id: 'plan', deadline: '2027-03-20' }],
    });
    [A, B, C, D] = fx.unitCodes as [string, string, string, string];
    cycle = await openCycle(h, { taskQueue: QUEUE, fixture: fx, opened: 4, timeoutMs: 90_000 });
    cycleId = cycle.cycleId;
    hostileFormLink = await link(C, 'plan');
    const formLink = hostileFormLink;
    hostile = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(hostilePage(formLink));
    });
    await new Promise<void>((r) => hostile.listen(0, '127.0.0.1', r));
    hostilePort = (hostile.address() as AddressInfo).port;
    // evil.example is resolved to this machine, as a DNS-rebinding attacker's name would be.
    browser = await chromium.launch({
      executablePath: await ensureChromium(),
      headless: true,
      args: [...CHROMIUM_ARGS, '--host-resolver-rules=MAP evil.example 127.0.0.1'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => (hostile ? hostile.close(r) : r(undefined)));
    await cycle?.stop();
    await api?.close();
    await h?.close();
  });

  it('refuses every write a page of another site makes, in a real browser, and changes and audits nothing', async () => {
    const before = await state();
    expect(before.events).toEqual([]);
    expect(before.audit).toEqual([]);
    expect(before.plans[B]!.status).not.toBe('exempted');
    const extendUrl = `${base()}/api/v1/cycles/${cycleId}/units/${A}/extend`;
    const exemptUrl = `${base()}/api/v1/cycles/${cycleId}/units/${B}/exempt`;
    const formLink = hostileFormLink;
    // Another site (evil.example → cross-site) and another port of the same host (same-site, another origin).
    for (const origin of [`http://evil.example:${hostilePort}`, `http://localhost:${hostilePort}`, `http://127.0.0.1:${hostilePort}`]) {
      const context: BrowserContext = await browser.newContext();
      try {
        const page = await context.newPage();
        expect((await page.goto(`${origin}/`))?.status()).toBe(200);
        let n = 0;
        const tag = () => `${origin.replace(/\W/g, '')}-${++n}`;

        // text/plain fetch to extend and exempt: sent without a preflight, refused by the server.
        for (const [url, body] of [
          [extendUrl, extendBody(`evil-extend-${tag()}`)],
          [exemptUrl, exemptBody(`evil-exempt-${tag()}`)],
        ] as const) {
          // The request leaves the browser (the server's log has it); the page itself sees only a network error,
          // the answer being withheld from it (Cross-Origin-Resource-Policy), whatever it said.
          const { status, origin: sentOrigin } = await served(url, () =>
            page.evaluate(([u, b]) => (globalThis as unknown as AttackPage).attack.plain(u, b), [url, body] as const),
          );
          expect(sentOrigin).toBe(origin);
          expect(status, `${origin}: refused as cross-origin before its type is read`).toBe(403);
        }

        // A JSON fetch: the browser asks first (CORS preflight), the server grants nothing, the POST is never sent.
        const from = answered.length;
        const json = await page.evaluate(([u, b]) => (globalThis as unknown as AttackPage).attack.json(u, b), [
          extendUrl,
          extendBody(`evil-json-${tag()}`),
        ] as const);
        expect(json, origin).toBe('TypeError');
        const path = new URL(extendUrl).pathname;
        expect(
          answered
            .slice(from)
            .filter((a) => a.path === path)
            .map((a) => a.method),
          `${origin}: only the preflight reached the server`,
        ).toEqual(['OPTIONS']);

        // A plain HTML form with enctype text/plain, to exempt: a top-level-like navigation in an iframe.
        const form = await served(exemptUrl, () => page.evaluate(() => (globalThis as unknown as AttackPage).attack.submit('api-form')));
        expect(form.status, `${origin} form → exempt`).toBe(403);

        // A form post to a unit's own form link (had the page learned it).
        const unitForm = await served(formLink, () =>
          page.evaluate(() => (globalThis as unknown as AttackPage).attack.submit('unit-form')),
        );
        expect(unitForm.status, `${origin} form → unit's form`).toBe(403);
        expect(unitForm.site, 'Chromium marks the post as from another site, or another origin of this one').toBe(
          origin.includes('127.0.0.1') ? 'same-site' : 'cross-site',
        );
      } finally {
        await context.close();
      }
    }

    const after = await state();
    expect(after.events, 'no extension or exemption was recorded').toEqual([]);
    expect(after.audit, 'nothing was audited under the name the page chose').toEqual([]);
    expect(after.submissions, 'no submission was stored').toEqual([]);
    for (const u of [A, B, C]) {
      expect(after.plans[u]!.deadline, u).toBe(before.plans[u]!.deadline);
      expect(after.plans[u]!.status, u).toBe(before.plans[u]!.status);
      expect(after.plans[u]!.versions, u).toBe(0);
    }

    // The same requests from no browser (the CLI, a script, with JSON) still work: the checks above can see a change.
    const ok = await fetch(extendUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: extendBody('operator-extend-0001'),
    });
    expect(ok.status, await ok.clone().text()).toBe(200);
    expect((await planOf(A)).deadline).toBe('2027-04-15');
    const audited = await state();
    expect(audited.events).toEqual([{ unit_code: A, kind: 'extended' }]);
    expect(audited.audit).toEqual([{ actor: ATTACKER, action: 'extend', unit_code: A, outcome: 'ok' }]);
    // The text/plain body from a script that is no browser is refused for its type: 415 and a JSON error.
    const plain = await fetch(exemptUrl, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: exemptBody('operator-plain-0001'),
    });
    expect(plain.status).toBe(415);
    expect(((await plain.json()) as { error: string }).error).toMatch(
      /^unsupported Content-Type "text\/plain": POST .* takes a JSON body sent as Content-Type: application\/json$/,
    );
    // A JSON write naming another origin is refused even where no preflight stands in the way (a non-browser client
    // relaying a page's request, or a browser whose preflight was answered by something else).
    const forged = await fetch(exemptUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: `http://localhost:${hostilePort}` },
      body: exemptBody('operator-origin-0001'),
    });
    expect(forged.status).toBe(403);
    expect((await planOf(B)).status).not.toBe('exempted');
    expect((await state()).audit).toHaveLength(1);
  });

  it('still takes a unit’s own form post from its own page in the same browser', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      expect((await page.goto(await link(C, 'plan')))?.status()).toBe(200);
      await page.getByLabel('Người xác nhận (họ tên, chức vụ)').fill('Nguyễn Văn Cường, Bí thư');
      const [response] = await Promise.all([
        page.waitForNavigation({ waitUntil: 'domcontentloaded' }),
        page.locator('#phase-form button[type="submit"]').click(),
      ]);
      expect(response?.status()).toBe(200);
      expect(await page.locator('#notice').textContent()).toContain('Đã nhận (lần 1, đúng hạn)');
      const { rows } = await h.db.query('SELECT payload FROM submissions WHERE cycle_id = $1 AND unit_code = $2', [cycleId, C]);
      expect(rows.map((r) => r.payload.confirmedBy)).toEqual(['Nguyễn Văn Cường, Bí thư']);
    } finally {
      await context.close();
    }
  });

  it('refuses a Host that is not the server’s (DNS rebinding), in the browser and over plain HTTP', async () => {
    const before = await state();
    // Chromium resolves evil.example to the server: the page's own origin is evil.example:<port>, same-origin
    // with what it fetches, so only the Host says the request is not for chuky.
    const context = await browser.newContext({ bypassCSP: true });
    try {
      const page = await context.newPage();
      for (const path of ['/console/dang-nhap', '/api/v1/cycles', new URL(await link(A, 'plan')).pathname]) {
        const res = await page.goto(`http://evil.example:${apiPort}${path}`);
        expect(res?.status(), path).toBe(421);
      }
      expect(await page.locator('body').textContent()).toContain(`Địa chỉ “evil.example:${apiPort}” không phải của máy chủ này`);
      const url = `http://evil.example:${apiPort}/api/v1/cycles/${cycleId}/units/${B}/exempt`;
      const answered = await page.evaluate(
        ([u, b]) =>
          fetch(u, { method: 'POST', headers: { 'content-type': 'application/json' }, body: b }).then(async (r) => ({
            status: r.status,
            body: await r.text(),
          })),
        [url, exemptBody('rebinding-exempt-0001')] as const,
      );
      expect(answered.status).toBe(421);
      expect(JSON.parse(answered.body).error).toBe(
        `Host "evil.example:${apiPort}" is not this server's: address it as 127.0.0.1:${apiPort}, ` +
          `localhost:${apiPort}, [::1]:${apiPort} (set PUBLIC_BASE_URL to the address users open)`,
      );
    } finally {
      await context.close();
    }

    // Plain HTTP with a forged Host: every part of the server refuses it, reads and writes alike.
    for (const host of ['evil.example', `evil.example:${apiPort}`, `127.0.0.1:${apiPort + 1}`, `chuky.example.vn:${apiPort}`]) {
      expect((await raw('GET', '/api/v1/cycles', host)).status, host).toBe(421);
      expect((await raw('GET', '/console/dang-nhap', host)).status, host).toBe(421);
      const write = await raw(
        'POST',
        `/api/v1/cycles/${cycleId}/units/${B}/exempt`,
        host,
        exemptBody(`raw-host-${host.replace(/\W/g, '')}`),
        { 'content-type': 'application/json' },
      );
      expect(write.status, host).toBe(421);
      expect(JSON.parse(write.body).error).toMatch(/^Host ".*" is not this server's/);
    }
    // The server's own names answer; /healthz answers any Host (probes address containers by their IP).
    expect((await raw('GET', '/api/v1/cycles', `localhost:${apiPort}`)).status).toBe(200);
    expect((await raw('GET', '/api/v1/cycles', `[::1]:${apiPort}`)).status).toBe(200);
    expect((await raw('GET', '/healthz', 'evil.example')).status).toBe(200);

    const after = await state();
    expect(after.events).toEqual(before.events);
    expect(after.audit).toEqual(before.audit);
    expect(after.plans[B]!.status).toBe(before.plans[B]!.status);
  });

  it(
    'tells a unit whose form repeats an earlier request id with other content that nothing ' + 'changed, and stores its next send',
    async () => {
      const formLink = await link(D, 'plan');
      const requestIdIn = (page: string) => /name="requestId" value="([^"]+)"/.exec(page)?.[1];
      // A refusal is an alert (read out at once by a screen reader); an acceptance a status.
      const noticeIn = (page: string) => /<div class="box (\w+)" id="notice" role="(\w+)">([^<]*)<\/div>/.exec(page);
      const send = async (fields: Record<string, string>) => {
        const res = await fetch(formLink, { method: 'POST', body: new URLSearchParams(fields) });
        return { status: res.status, page: await res.text() };
      };
      const versions = async () =>
        (
          await h.db.query(
            'SELECT version, payload FROM submissions WHERE cycle_id = $1 AND unit_code = $2 AND phase = $3 ORDER BY version',
            [cycleId, D, 'plan'],
          )
        ).rows.map((r) => [r.version, r.payload.confirmedBy, r.payload.planText] as const);

      const first = await (await fetch(formLink)).text();
      const id = requestIdIn(first)!;
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      const v1 = await send({ requestId: id, confirmedBy: 'Phạm Thị Dung, Bí thư', planText: 'Bản đầu' });
      expect(v1.status).toBe(200);
      expect(noticeIn(v1.page)?.[3]).toContain('Đã nhận (lần 1, đúng hạn)');

      // The old page sent again (the back button, a second tab) after the unit changed it: same id, other content.
      const repeat = await send({ requestId: id, confirmedBy: 'Phạm Thị Dung, Bí thư', planText: 'Bản đã sửa' });
      expect(repeat.status).toBe(409);
      expect(noticeIn(repeat.page)?.slice(1, 3)).toEqual(['bad', 'alert']);
      expect(noticeIn(repeat.page)?.[3]).toBe(repeatNotice(1));
      expect(repeat.page).not.toContain('Đã nhận (lần');
      // The form keeps what the unit typed, under a fresh id.
      expect(repeat.page).toContain('Bản đã sửa');
      const fresh = requestIdIn(repeat.page)!;
      expect(fresh).toMatch(/^[0-9a-f-]{36}$/);
      expect(fresh).not.toBe(id);
      expect(await versions()).toEqual([[1, 'Phạm Thị Dung, Bí thư', 'Bản đầu']]);

      // A true retry (same id, same content) is the same submission, received once.
      const retry = await send({ requestId: id, confirmedBy: 'Phạm Thị Dung, Bí thư', planText: 'Bản đầu' });
      expect(retry.status).toBe(200);
      expect(noticeIn(retry.page)?.slice(2)).toEqual(['status', expect.stringContaining('Đã nhận (lần 1, đúng hạn)')]);
      expect(await versions()).toHaveLength(1);

      // Pressing send on the page that said so stores the change as the next version.
      const v2 = await send({ requestId: fresh, confirmedBy: 'Phạm Thị Dung, Bí thư', planText: 'Bản đã sửa' });
      expect(v2.status).toBe(200);
      expect(noticeIn(v2.page)?.[3]).toContain('Đã nhận (lần 2, đúng hạn)');
      expect(await versions()).toEqual([
        [1, 'Phạm Thị Dung, Bí thư', 'Bản đầu'],
        [2, 'Phạm Thị Dung, Bí thư', 'Bản đã sửa'],
      ]);
      expect((await planOf(D)).versions).toBe(2);
    },
  );
});
