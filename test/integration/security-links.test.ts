/**
 * The units' signed links (auth/links.ts), attacked through the real HTTP form route (/f/:token) of a real API
 * server, on the real stack (Temporal dev server, PostgreSQL, a worker in this process): a token with any character
 * changed, one signed with another secret, `alg: none` and other algorithms, claims missing; a valid link for
 * unit A used to read or submit for unit B, another phase or another cycle (URL, form fields, hidden inputs, a
 * JSON body); an expired link; a revoked link (`chuky link revoke`) and the new one (`chuky link issue`); and the
 * limit on form posts (api/form-throttle.ts). Every refusal is a 4xx in Vietnamese, never a 500, and leaves no
 * submission behind. Function-level checks of revocation are in links-revocation.test.ts.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { SignJWT } from 'jose';
import { startHarness, type Harness } from '../support/harness.js';
import { writeFixture, type Fixture } from '../support/fixtures.js';
import { chuky, waitFor } from '../support/processes.js';
import { startCycle } from '../../cli/commands/cycle.js';
import { startApi } from '../../api/server.js';
import { formUrl, signLink, REVOKED_LINK_MESSAGE, type LinkScope } from '../../auth/links.js';
import { cycleWorkflowId, unitWorkflowId } from '../../domain/ids.js';
import { freePort } from '../../stack/ports.js';

const QUEUE = 'it-security-links';
const SECRET = `security-links-${randomUUID()}`; // ≥ 32 characters, not the development secret
const API_TOKEN = `op-${randomUUID()}`;
const TAMPERED = 'Đường dẫn không hợp lệ hoặc đã bị sửa đổi.';
const EXPIRED = 'Đường dẫn đã hết hạn. Xin liên hệ Ban Tuyên giáo để nhận đường dẫn mới.';
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const HOUR = 3_600_000;

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
/** A JWT signed by hand: any header, any claims, HMAC with any hash (or no signature at all). */
function handMade(
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
  hmac: 'sha256' | 'sha384' | 'sha512' | 'none',
  secret = SECRET,
): string {
  const input = `${b64(header)}.${b64(claims)}`;
  return `${input}.${hmac === 'none' ? '' : createHmac(hmac, secret).update(input).digest('base64url')}`;
}

describe('signed unit links through the form route', () => {
  const services = inject('services');
  let h: Harness;
  let api: Awaited<ReturnType<typeof startApi>>;
  let limited: Awaited<ReturnType<typeof startApi>>;
  let fx: Fixture;
  let cycleId = '';
  let worker: Promise<void> | undefined;
  const names: Record<string, string> = {};
  let A = '';
  let B = '';
  let C = '';

  const link = (scope: Partial<LinkScope> & { unitCode: string }, expiresAt = Date.now() + HOUR, issuedAt?: number) =>
    signLink({ cycleId, phase: 'plan', ...scope }, SECRET, expiresAt, issuedAt);
  const get = (token: string, base = api.url) => fetch(formUrl(base, token));
  const post = (
    token: string,
    form: Record<string, string> | FormData,
    init: { base?: string; query?: string; headers?: Record<string, string> } = {},
  ) =>
    fetch(`${formUrl(init.base ?? api.url, token)}${init.query ?? ''}`, {
      method: 'POST',
      body: form instanceof FormData ? form : new URLSearchParams(form),
      ...(init.headers ? { headers: init.headers } : {}),
    });
  const submissions = async () =>
    (
      await h.db.query(
        'SELECT unit_code, phase, version, actor, payload, submission_key FROM submissions WHERE cycle_id = $1 ORDER BY id',
        [cycleId],
      )
    ).rows as {
      unit_code: string;
      phase: string;
      version: number;
      actor: string;
      payload: Record<string, unknown>;
      submission_key: string;
    }[];
  /** A refusal: 4xx (never 500), a Vietnamese page, the given message. */
  async function expectRefused(res: Response, status: number, message: string, label = ''): Promise<void> {
    expect(res.status, label).toBe(status);
    const text = await res.text();
    expect(text, label).toContain(message);
    expect(text, label).toContain('<html lang="vi">');
  }

  beforeAll(async () => {
    const port = await freePort();
    h = await startHarness({ taskQueue: QUEUE, publicBaseUrl: `http://127.0.0.1:${port}` });
    const deps = {
      db: h.db,
      client: h.client,
      signingSecret: SECRET,
      apiToken: API_TOKEN,
      taskQueue: QUEUE,
      publicBaseUrl: `http://127.0.0.1:${port}`,
    };
    api = await startApi(deps, port);
    // The same server with a tight limit on form posts, behind a (pretend) proxy to play several addresses.
    limited = await startApi(
      { ...deps, formThrottle: { perToken: 3, perIp: 5, windowSeconds: 600 }, console: { trustProxy: true } },
      await freePort(),
    );
    worker = h.worker.run();
    // Two phases open on day one, due on day 40 at 20 s a day: nothing falls due while the test runs.
    fx = writeFixture({
      code: 'ITSECLINK',
      issuedOn: '2027-03-01',
      deadline: '2027-04-09',
      closesOn: '2027-06-30',
      units: 3,
      phases: [
        { id: 'plan', deadline: '2027-04-09' },
        { id: 'study', deadline: '2027-04-09' },
      ],
    });
    [A, B, C] = fx.unitCodes as [string, string, string];
    cycleId = (await startCycle({ db: h.db, client: h.client, taskQueue: QUEUE, configFile: fx.file, secondsPerDay: 20 })).cycleId;
    for (const r of (await h.db.query('SELECT code, name FROM units WHERE cycle_id = $1', [cycleId])).rows) names[r.code] = r.name;
    await waitFor(
      'every phase of every unit to open',
      async () =>
        (await h.db.query("SELECT count(*)::int AS n FROM events WHERE cycle_id = $1 AND kind = 'opened'", [cycleId])).rows[0].n === 6,
      90_000,
    );
  });

  afterAll(async () => {
    if (cycleId) {
      for (const id of [cycleWorkflowId(cycleId), ...fx.unitCodes.map((u) => unitWorkflowId(cycleId, u))]) {
        const handle = h.client.workflow.getHandle(id);
        if ((await handle.describe().catch(() => undefined))?.status.name === 'RUNNING')
          await handle.terminate('security-links test done').catch(() => undefined);
      }
    }
    h?.worker.shutdown();
    await worker?.catch(() => undefined);
    await limited?.close();
    await api?.close();
    await h?.close();
  });

  it("opens a valid link's form, for its own unit and phase only", async () => {
    const res = await get(await link({ unitCode: A }));
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain(names[A]);
    expect(page).not.toContain(names[B]);
    expect(page).toContain('name="confirmedBy"'); // the plan's form, not the study's
    expect(page).not.toContain('name="studied"');
  });

  it('refuses a token with any one character changed, in its header, claims or signature', async () => {
    const token = await link({ unitCode: A });
    const before = (await submissions()).length;
    const refused: number[] = [];
    for (let i = 0; i < token.length; i++) {
      if (token[i] === '.') continue;
      const other = B64URL[(B64URL.indexOf(token[i]!) + 1) % 64]!;
      const res = await get(token.slice(0, i) + other + token.slice(i + 1));
      if (res.status === 403 && (await res.text()).includes(TAMPERED)) refused.push(i);
    }
    expect(refused.length).toBe(token.length - 2);
    // The signature's last character also carries 4 unused bits: decoders ignore them, so three other characters
    // decode to the same bytes. Those spellings are refused too: a link is valid in one spelling only.
    const last = token.length - 1;
    for (const ch of B64URL) {
      if (ch === token[last]) continue;
      await expectRefused(await get(token.slice(0, last) + ch), 403, TAMPERED, `last character ${ch}`);
    }
    // Cut short, lengthened, padded, a segment missing or added, whitespace.
    for (const bad of [
      token.slice(0, -1),
      `${token}A`,
      `${token}=`,
      token.split('.').slice(0, 2).join('.'),
      `${token}.${token.split('.')[2]}`,
      `${token.split('.').slice(0, 2).join('.')}.`,
      ` ${token}`,
    ]) {
      const res = await get(encodeURIComponent(bad));
      expect(res.status, bad).toBe(403);
    }
    // The claims rewritten to name unit B (or another phase, or cycle), the signature kept: refused.
    const [head, , sig] = token.split('.');
    for (const claims of [{ u: B }, { p: 'study' }, { c: 'OTHER-2027' }, { exp: Math.floor(Date.now() / 1000) + 400 * 86_400 }]) {
      const payload = { ...JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()), ...claims };
      const forged = `${head}.${b64(payload)}.${sig}`;
      await expectRefused(await get(forged), 403, TAMPERED, JSON.stringify(claims));
      await expectRefused(
        await post(forged, { confirmedBy: 'Kẻ giả mạo', requestId: `forged-${randomUUID()}` }),
        403,
        TAMPERED,
        JSON.stringify(claims),
      );
    }
    // Posts with a changed character in each part are refused as well.
    for (const i of [3, head!.length + 5, token.length - 5]) {
      const other = B64URL[(B64URL.indexOf(token[i]!) + 7) % 64]!;
      await expectRefused(
        await post(token.slice(0, i) + other + token.slice(i + 1), { confirmedBy: 'Kẻ giả mạo', requestId: `tamper-${i}-${randomUUID()}` }),
        403,
        TAMPERED,
        `post, character ${i}`,
      );
    }
    expect((await submissions()).length).toBe(before);
  });

  it('refuses a token signed with another secret, with no algorithm, or with another algorithm', async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = { c: cycleId, u: A, p: 'plan', iss: 'chuky', iat: now, exp: now + 3600 };
    const cases: [string, string][] = [
      ['another secret', await signLink({ cycleId, unitCode: A, phase: 'plan' }, `another-secret-${randomUUID()}`, Date.now() + HOUR)],
      ['the development secret', await signLink({ cycleId, unitCode: A, phase: 'plan' }, h.env.signingSecret, Date.now() + HOUR)],
      ['alg none, no signature', handMade({ alg: 'none', typ: 'JWT' }, claims, 'none')],
      ['alg none, a signature', handMade({ alg: 'none' }, claims, 'sha256')],
      ['alg None', handMade({ alg: 'None' }, claims, 'none')],
      ['alg HS512', handMade({ alg: 'HS512' }, claims, 'sha512')],
      ['alg HS384', handMade({ alg: 'HS384' }, claims, 'sha384')],
      ['alg HS512 by jose', await new SignJWT(claims).setProtectedHeader({ alg: 'HS512' }).sign(new TextEncoder().encode(SECRET))],
      ['alg RS256 over an HMAC', handMade({ alg: 'RS256' }, claims, 'sha256')],
      ['no alg', handMade({ typ: 'JWT' }, claims, 'sha256')],
      ['critical header', handMade({ alg: 'HS256', crit: ['x'], x: 1 }, claims, 'sha256')],
      // Right secret and algorithm, wrong or missing claims.
      ['another issuer', handMade({ alg: 'HS256' }, { ...claims, iss: 'someone' }, 'sha256')],
      ['no issuer', handMade({ alg: 'HS256' }, { ...claims, iss: undefined }, 'sha256')],
      ['no expiry', handMade({ alg: 'HS256' }, { ...claims, exp: undefined }, 'sha256')],
      ['no unit', handMade({ alg: 'HS256' }, { ...claims, u: undefined }, 'sha256')],
      ['a unit that is not a string', handMade({ alg: 'HS256' }, { ...claims, u: [A] }, 'sha256')],
    ];
    // The hand-made HS256 token with every claim right is accepted: the cases above fail for their one difference.
    expect((await get(handMade({ alg: 'HS256', typ: 'JWT' }, claims, 'sha256'))).status).toBe(200);
    const before = (await submissions()).length;
    for (const [label, token] of cases) {
      const page = await get(token);
      expect(page.status, label).toBe(403);
      expect(await page.text(), label).toMatch(/Đường dẫn không hợp lệ/);
      const sent = await post(token, { confirmedBy: 'Kẻ giả mạo', requestId: `alg-${randomUUID()}` });
      expect(sent.status, label).toBe(403);
      expect(await sent.text(), label).toMatch(/Đường dẫn không hợp lệ/);
    }
    expect((await submissions()).length).toBe(before);
  });

  it('keeps a link to its own unit, phase and cycle, whatever the URL, the form fields or the body name', async () => {
    const tokenA = await link({ unitCode: A });
    const tokenB = await link({ unitCode: B });
    // B submits first, through its own link, with a file and a request id A will try to reuse.
    const formB = new FormData();
    formB.set('confirmedBy', 'Người của đơn vị B');
    formB.set('requestId', `b-request-${randomUUID()}`);
    formB.set('fileId', new Blob(['Ke hoach cua don vi B'], { type: 'text/plain' }), 'ke-hoach-mat-cua-B.txt');
    const sentB = await post(tokenB, formB);
    expect(sentB.status).toBe(200);
    const { rows: files } = await h.db.query('SELECT id, unit_code FROM files WHERE cycle_id = $1', [cycleId]);
    expect(files).toEqual([{ id: expect.any(String), unit_code: B }]);
    const fileB = files[0].id as string;

    // A's link, with every field that could name another unit, phase or cycle, in the form and in the URL.
    const hostile = {
      confirmedBy: 'Người của đơn vị A',
      requestId: formB.get('requestId') as string, // B's request id
      unitCode: B,
      unit: B,
      u: B,
      cycleId: 'OTHER-2027',
      cycle: 'OTHER-2027',
      c: 'OTHER-2027',
      phase: 'study',
      p: 'study',
      token: tokenB,
      'actor.id': `unit:${B}`,
      actor: `unit:${B}`,
      members: '999',
      studied: '999',
      'fileId:current': fileB, // B's file, through the hidden field that carries a revision's current file
      'fileId:name': 'ke-hoach-mat-cua-B.txt',
    };
    const sentA = await post(tokenA, hostile, { query: `?unit=${B}&u=${B}&phase=study&p=study&cycle=OTHER-2027&token=${tokenB}` });
    expect(sentA.status).toBe(200);
    expect(await sentA.text()).toContain('Đã nhận (lần 1');
    const rows = await submissions();
    expect(rows.map((r) => [r.unit_code, r.phase, r.version, r.actor])).toEqual([
      [B, 'plan', 1, `unit:${B}`],
      [A, 'plan', 1, `unit:${A}`],
    ]);
    // B's submission is untouched; A's names no file of B's.
    expect(rows[0]!.payload).toMatchObject({ confirmedBy: 'Người của đơn vị B', fileId: fileB });
    expect(rows[1]!.payload).toEqual({ confirmedBy: 'Người của đơn vị A' });
    // A's page shows A's submission, and nothing of B's (its name, its words, its file).
    const pageA = await (await get(tokenA)).text();
    expect(pageA).toContain('Người của đơn vị A');
    for (const secretOfB of [names[B]!, 'Người của đơn vị B', 'ke-hoach-mat-cua-B.txt', fileB]) expect(pageA).not.toContain(secretOfB);

    // A JSON body naming B and another phase: not a form, refused as one (400), nothing stored, no 500.
    const json = await fetch(formUrl(api.url, tokenA), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        cycleId,
        unitCode: B,
        phase: 'study',
        payload: { members: 10, studied: 10 },
        requestId: `json-${randomUUID()}`,
        confirmedBy: 'JSON',
      }),
    });
    expect(json.status).toBe(400);
    expect(await json.text()).toContain('aria-invalid="true"');
    expect((await submissions()).length).toBe(2);
    // A link is no operator credential: the API refuses it as a bearer token.
    const asBearer = await fetch(`${api.url}/api/v1/cycles/${cycleId}/units/${B}/submit`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokenA}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        phase: 'plan',
        payload: { confirmedBy: 'qua API' },
        actor: { id: 'x', via: 'api' },
        requestId: `bearer-${randomUUID()}`,
      }),
    });
    expect(asBearer.status).toBe(401);
    expect(
      (await fetch(`${api.url}/api/v1/cycles/${cycleId}/units/${B}/events`, { headers: { authorization: `Bearer ${tokenA}` } })).status,
    ).toBe(401);
    // A's study link submits A's study; B's study stays empty.
    const study = await post(await link({ unitCode: A, phase: 'study' }), {
      members: '20',
      studied: '20',
      unitCode: B,
      phase: 'plan',
      requestId: `study-${randomUUID()}`,
    });
    expect(study.status).toBe(200);
    expect((await submissions()).map((r) => `${r.unit_code}/${r.phase}`)).toEqual([`${B}/plan`, `${A}/plan`, `${A}/study`]);
    // A link to a unit or cycle that does not exist (signed with the right secret) finds nothing: 404, not 500.
    const nowhere = await get(await signLink({ cycleId: 'OTHER-2027', unitCode: A, phase: 'plan' }, SECRET, Date.now() + HOUR));
    await expectRefused(nowhere, 404, 'Không tìm thấy đơn vị, chu kỳ hoặc biểu mẫu');
    await expectRefused(await get(await link({ unitCode: 'NO-UNIT' })), 404, 'Không tìm thấy');
    await expectRefused(await get(await link({ unitCode: A, phase: 'no-such-phase' })), 404, 'Không tìm thấy');
    await expectRefused(await post(await link({ unitCode: A, phase: 'no-such-phase' }), { confirmedBy: 'x' }), 404, 'Không tìm thấy');
  });

  it('refuses an expired link, in Vietnamese, and stores nothing', async () => {
    const expired = await link({ unitCode: C }, Date.now() - 60_000, Date.now() - 2 * HOUR);
    await expectRefused(await get(expired), 403, EXPIRED);
    const before = (await submissions()).length;
    await expectRefused(await post(expired, { confirmedBy: 'Quá hạn', requestId: `expired-${randomUUID()}` }), 403, EXPIRED);
    expect((await submissions()).length).toBe(before);
  });

  it('refuses a revoked link (chuky link revoke), and the newly issued one (chuky link issue) works', async () => {
    const cliEnv = {
      DATABASE_URL: services.databaseUrl,
      TEMPORAL_ADDRESS: services.temporalAddress,
      CHUKY_SIGNING_SECRET: SECRET,
      PUBLIC_BASE_URL: api.url,
      CHUKY_TASK_QUEUE: QUEUE,
    };
    const old = await link({ unitCode: C }, Date.now() + HOUR, Date.now() - 5_000);
    const oldStudy = await link({ unitCode: C, phase: 'study' }, Date.now() + HOUR, Date.now() - 5_000);
    const otherUnit = await link({ unitCode: A }, Date.now() + HOUR, Date.now() - 5_000);
    expect((await get(old)).status).toBe(200);
    const revoked = await chuky(
      ['link', 'revoke', '--cycle', cycleId, '--unit', C, '--reason', 'Thư bị chuyển tiếp nhầm', '--json'],
      cliEnv,
    );
    expect(revoked.code, revoked.stderr).toBe(0);
    // Every earlier link of the unit, every phase, is refused; another unit's links still work.
    await expectRefused(await get(old), 403, REVOKED_LINK_MESSAGE);
    await expectRefused(await get(oldStudy), 403, REVOKED_LINK_MESSAGE);
    await expectRefused(
      await post(old, { confirmedBy: 'Người nhận thư chuyển tiếp', requestId: `revoked-${randomUUID()}` }),
      403,
      REVOKED_LINK_MESSAGE,
    );
    expect((await get(otherUnit)).status).toBe(200);
    expect((await submissions()).filter((r) => r.unit_code === C)).toEqual([]);

    const issued = await chuky(['link', 'issue', '--cycle', cycleId, '--unit', C, '--phase', 'plan', '--days', '7', '--json'], cliEnv);
    expect(issued.code, issued.stderr).toBe(0);
    const { url } = JSON.parse(issued.stdout) as { url: string };
    expect(url.startsWith(`${api.url}/f/`)).toBe(true);
    expect((await fetch(url)).status).toBe(200);
    const sent = await fetch(url, {
      method: 'POST',
      body: new URLSearchParams({ confirmedBy: 'Bí thư đơn vị C', requestId: `reissued-${randomUUID()}` }),
    });
    expect(sent.status).toBe(200);
    expect((await submissions()).filter((r) => r.unit_code === C).map((r) => [r.phase, r.version])).toEqual([['plan', 1]]);
    // The old link stays refused.
    await expectRefused(await get(old), 403, REVOKED_LINK_MESSAGE);
  });

  it('limits form posts per link and per address (429 in Vietnamese, with Retry-After), not page views', async () => {
    const from = (ip: string) => ({ base: limited.url, headers: { 'x-forwarded-for': ip } });
    const tooMany = async (res: Response, label: string) => {
      expect(res.status, label).toBe(429);
      const retry = Number(res.headers.get('retry-after'));
      expect(retry, label).toBeGreaterThan(0);
      expect(retry, label).toBeLessThanOrEqual(600);
      expect(await res.text(), label).toContain('Biểu mẫu đã được gửi quá nhiều lần trong thời gian ngắn. Vui lòng đợi');
      expect(res.headers.get('content-security-policy'), label).toContain("default-src 'none'");
    };
    const ip1 = `198.18.${Math.floor(Math.random() * 250)}.1`;
    const ip2 = `198.18.${Math.floor(Math.random() * 250)}.2`;
    const tokenA = await link({ unitCode: A });
    const tokenB = await link({ unitCode: B });
    // An empty form: refused by the form's own check (400) but counted, as any post is.
    for (let i = 0; i < 3; i++) expect((await post(tokenA, { requestId: `limit-${i}-${randomUUID()}` }, from(ip1))).status).toBe(400);
    await tooMany(await post(tokenA, { confirmedBy: 'Lần thứ tư' }, from(ip1)), 'fourth post through one link');
    // The same link from another address: the link's own count is what refuses it.
    await tooMany(await post(tokenA, { confirmedBy: 'Địa chỉ khác' }, from(ip2)), 'the link from another address');
    // Reading the form is not limited.
    for (let i = 0; i < 5; i++)
      expect((await fetch(formUrl(limited.url, tokenA), { headers: { 'x-forwarded-for': ip1 } })).status).toBe(200);
    // Another link from the first address: two more posts reach the address's limit of 5, the next is refused.
    expect((await post(tokenB, { requestId: `limit-b1-${randomUUID()}` }, from(ip1))).status).toBe(400);
    expect((await post(tokenB, { requestId: `limit-b2-${randomUUID()}` }, from(ip1))).status).toBe(400);
    await tooMany(await post(tokenB, { requestId: `limit-b3-${randomUUID()}` }, from(ip1)), 'sixth post from one address');
    // Made-up tokens count against the address too (the limit comes before the link is checked).
    const ip3 = `198.18.${Math.floor(Math.random() * 250)}.3`;
    for (let i = 0; i < 5; i++) expect((await post(`made-up-${i}`, {}, from(ip3))).status).toBe(403);
    await tooMany(await post('made-up-6', {}, from(ip3)), 'made-up tokens from one address');
    // The server with the default limits took every post of this file without refusing one.
    expect((await post(tokenB, { requestId: `default-${randomUUID()}` })).status).toBe(400);
    expect((await submissions()).filter((r) => r.payload.confirmedBy === 'Lần thứ tư' || r.payload.confirmedBy === 'Địa chỉ khác')).toEqual(
      [],
    );
  });
});
