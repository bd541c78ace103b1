/**
 * Hostile content at every door, on the real stack (Temporal dev server, PostgreSQL, SMTP sink, a worker in this
 * process, the real API server with its console): markup in unit names and narratives stays inert in the unit's
 * form, the console, the emails and the DOCX report; SQL metacharacters are stored and read back unchanged;
 * oversized bodies and files are refused with 413/400 and a message, and the server serves the next request;
 * bytes that are not UTF-8 are refused, not stored as mojibake; decomposed (NFD) Vietnamese is stored composed
 * (NFC) and matches its composed spelling; duplicate and out-of-order submissions give their documented outcome.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import Mustache from 'mustache';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';
import { writeFixture, type Fixture } from '../support/fixtures.js';
import { openCycle, type OpenCycle } from '../support/open-cycle.js';
import { waitFor } from '../support/processes.js';
import { docxText } from '../support/docx-text.js';
import { startApi } from '../../api/server.js';
import { formUrl, signLink } from '../../auth/links.js';
import { unitWorkflowId } from '../../domain/ids.js';
import { freePort } from '../../stack/ports.js';
import { fetchInbox } from '../../stack/inbox-client.js';
import { addUser } from '../../console/users.js';
import { renderEmail, defaultTemplatesDir } from '../../mail/render.js';
import { samplePayload } from '../../rehearsal/payloads.js';
import { frozenDataset } from '../../db/frozen.js';
import { analyse } from '../../report/compile.js';
import { buildReport } from '../../report/build.js';
import { renderDocx } from '../../report/docx.js';
import { renderHtml } from '../../report/html.js';
import { DEFAULT_REPORT_CONFIG } from '../../config/report.js';
import { loadUnitsFile } from '../../config/units.js';
import { ConfigError } from '../../config/errors.js';
import { removeUnits } from '../../registry/apply.js';
import { safeParseRecord } from '../../domain/records.js';
import type { CycleDefinition } from '../../config/cycle.js';

const QUEUE = 'it-hostile-input';
const TOKEN = 'hostile-input-token';
const PASSWORD = 'mat-khau-kiem-thu-2027';
const WORKFLOW_TASK_FAILED = 9; // temporal.api.enums.v1.EventType

const HOSTILE = `<script>alert(1)</script> "><img src=x onerror=alert(2)> {{mustache}} {{{ba}}}`;
const SQL = `Chi bộ O'Brien'; DROP TABLE units; --`;
const NFD_NAME = 'Chi bộ Trường Nguyễn Trãi'.normalize('NFD');
const NFD_PERSON = 'Nguyễn Thị Thủy'.normalize('NFD');
const nfc = (s: string) => s.normalize('NFC');
const isNfc = (s: string) => s === s.normalize('NFC');

/** The markup of HOSTILE that must never appear as markup in a page, an email's HTML or the DOCX XML. */
function expectInert(text: string, where: string): void {
  expect(text, where).not.toContain('<script>alert(1)');
  expect(text, where).not.toMatch(/<img src=x/i);
  expect(text, where).not.toMatch(/onerror=alert\(2\)>/);
}

/**
 * A POST over node:http that takes the answer as soon as it comes: a server refusing a body too large answers
 * before reading it all and closes the connection, which fetch reports as a failed request.
 */
function post(
  url: string,
  headers: Record<string, string>,
  body: Buffer | (() => AsyncIterable<Buffer>),
): Promise<{ status: number; text: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: 'POST', headers: { ...headers, ...(Buffer.isBuffer(body) ? { 'content-length': String(body.length) } : {}) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text, headers: res.headers }));
        res.on('error', reject);
      },
    );
    let answered = false;
    req.on('response', () => (answered = true));
    req.on('error', (err) => (answered ? undefined : reject(err)));
    if (Buffer.isBuffer(body)) req.end(body);
    else
      void (async () => {
        try {
          for await (const chunk of body()) if (!req.write(chunk)) await new Promise((r) => req.once('drain', r));
          req.end();
        } catch {
          // The server answered and closed the connection before the whole body was sent.
        }
      })();
  });
}

/** A browser-like console client: cookies, CSRF token, Origin on POST. */
class ConsoleClient {
  readonly cookies = new Map<string, string>();
  constructor(readonly base: string) {}
  async request(method: 'GET' | 'POST', p: string, form?: Record<string, string>): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (method === 'POST') headers.origin = this.base;
    const res = await fetch(this.base + p, { method, headers, redirect: 'manual', ...(form ? { body: new URLSearchParams(form) } : {}) });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const [name, ...rest] = pair!.split('=');
      if (rest.join('=') === '') this.cookies.delete(name!.trim());
      else this.cookies.set(name!.trim(), rest.join('='));
    }
    return res;
  }
  async csrf(): Promise<string> {
    const page = await (await this.request('GET', '/console/')).text();
    return /name="_csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
  }
  async signIn(username: string): Promise<void> {
    const page = await (await this.request('GET', '/console/dang-nhap')).text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
    const res = await this.request('POST', '/console/dang-nhap', { _csrf: csrf, username, password: PASSWORD, tiep: '/console/' });
    expect(res.status).toBe(303);
  }
}

describe('hostile input', () => {
  let h: Harness;
  let api: Awaited<ReturnType<typeof startApi>>;
  let fx: Fixture;
  let cycleId = '';
  let cycle: OpenCycle | undefined;
  let base = '';
  const csvHeader = 'Mã đơn vị;Tên đơn vị;Loại;Số đảng viên;Bí thư;Email bí thư;Người liên hệ;Email liên hệ';
  const names = ['Sở Tài chính', 'Sở Tư pháp', 'Sở Y tế', 'Sở Giáo dục và Đào tạo'];

  const call = (method: string, p: string, body?: RequestInit['body'], contentType = 'application/json') =>
    fetch(`${api.url}/api/v1${p}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, ...(body !== undefined ? { 'content-type': contentType } : {}) },
      ...(body !== undefined ? { body } : {}),
      signal: AbortSignal.timeout(120_000),
    });
  /**
   * The fields of the API's JSON answers this file reads. An answer has only the fields of its kind (a refusal's
   * error, an import's lists, a record's id): each test checks the status first, so a missing field fails the test.
   */
  interface ApiBody {
    error: string;
    issues: unknown[];
    applied: { updated: string[]; inserted: string[] };
    units: { name: string }[];
    changed: unknown[];
    unchanged: string[];
    record: { id: number | string };
    version: number;
  }
  const json = async (res: Response) => ({ status: res.status, body: (await res.json()) as ApiBody });
  const submit = (unit: string, phase: string, payload: unknown, requestId: string) =>
    call(
      'POST',
      `/cycles/${cycleId}/units/${unit}/submit`,
      JSON.stringify({ phase, payload, actor: { id: 'operator:kiem-thu', via: 'api' }, requestId }),
    ).then(json);
  const link = async (unit: string, phase: string) =>
    formUrl(api.url, await signLink({ cycleId, unitCode: unit, phase }, h.env.signingSecret, Date.now() + 3_600_000));
  /** A units CSV row as the fixture wrote it, with some cells replaced. */
  const row = (i: number, over: { code?: string; name?: string; secretary?: string } = {}) => {
    const code = over.code ?? `U00${i + 1}`;
    const quote = (v: string) => (/[;"\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
    return [
      code,
      over.name ?? `Đảng bộ ${names[i % 4]} ${i + 1}`,
      i % 3 === 0 ? 'Chi bộ cơ sở' : 'Đảng bộ cơ sở',
      String(20 + ((i * 37) % 300)),
      over.secretary ?? `Nguyễn Văn Bí Thư ${i + 1}`,
      fx.unitEmail(code, 'secretary'),
      `Trần Thị Liên Hệ ${i + 1}`,
      fx.unitEmail(code, 'contact'),
    ]
      .map(quote)
      .join(';');
  };

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    h = await startHarness({ taskQueue: QUEUE, publicBaseUrl: base });
    api = await startApi(
      {
        db: h.db,
        client: h.client,
        signingSecret: h.env.signingSecret,
        taskQueue: QUEUE,
        apiToken: TOKEN,
        publicBaseUrl: base,
        mail: { mailer: h.mailer, mailFrom: h.env.mailFrom, publicBaseUrl: base, signingSecret: h.env.signingSecret },
      },
      port,
    );
    // One day = 60 s: plan, study and the year-end report are open at once; the pledge phase opens in June.
    fx = writeFixture({
      code: 'ITHOSTILE',
      issuedOn: '2027-03-01',
      deadline: '2027-03-20',
      units: 4,
      closesOn: '2027-08-31',
      phases: [
        { id: 'plan', deadline: '2027-03-20' },
        { id: 'study', deadline: '2027-03-20' },
        { id: 'year-end-report', deadline: '2027-03-20' },
        { id: 'pledge', opensOn: '2027-06-01', deadline: '2027-06-20' },
      ],
    });
    // The committee's leader typed on a keyboard that writes decomposed letters.
    const yaml = fs.readFileSync(fx.file, 'utf8');
    expect(yaml).toContain('Lê Thị Lãnh Đạo');
    fs.writeFileSync(fx.file, yaml.replace('Lê Thị Lãnh Đạo', 'Lê Thị Lãnh Đạo'.normalize('NFD')));
    cycle = await openCycle(h, { taskQueue: QUEUE, fixture: fx, opened: 12 });
    cycleId = cycle.cycleId;
  }, 300_000);

  afterAll(async () => {
    await cycle?.stop();
    await api?.close();
    await h?.close();
  });

  it(
    'units import: markup, SQL and decomposed names are stored as written, composed; a SQL "code" ' + 'is refused by line and column',
    async () => {
      const csv = [
        csvHeader,
        row(0, { name: HOSTILE }),
        row(1, { name: SQL }),
        row(2, { name: NFD_NAME }),
        row(3),
        row(4, { name: NFD_NAME.replace('Trãi', 'Du'), secretary: NFD_PERSON }),
      ].join('\r\n');
      const imported = await json(
        await call('POST', `/cycles/${cycleId}/units/import?actor=${encodeURIComponent('Trần Văn Thư')}`, csv, 'text/csv'),
      );
      expect(imported.status, JSON.stringify(imported.body)).toBe(200);
      expect(imported.body.applied.updated.sort()).toEqual(['U001', 'U002', 'U003']);
      expect(imported.body.applied.inserted).toEqual(['U005']);
      const { rows } = await h.db.query('SELECT code, name, secretary_name FROM units WHERE cycle_id = $1 ORDER BY code', [cycleId]);
      expect(rows.map((r) => r.name)).toEqual([HOSTILE, SQL, nfc(NFD_NAME), `Đảng bộ ${names[3]} 4`, nfc(NFD_NAME.replace('Trãi', 'Du'))]);
      for (const r of rows) expect(isNfc(r.name) && isNfc(r.secretary_name), r.code).toBe(true);
      expect(rows[4].secretary_name).toBe(nfc(NFD_PERSON));
      // Read back through the API, unchanged; the units table is still there.
      const listed = await json(await call('GET', `/cycles/${cycleId}/units`));
      expect(listed.body.units.map((u: { name: string }) => u.name)).toContain(SQL);
      // The same file with composed letters matches what is stored: nothing changes.
      const again = await json(await call('POST', `/cycles/${cycleId}/units/import?dryRun=1`, nfc(csv), 'text/csv'));
      expect(again.body.changed, JSON.stringify(again.body.changed)).toEqual([]);
      expect(again.body.unchanged.sort()).toEqual(['U001', 'U002', 'U003', 'U004', 'U005']);
      // A unit code is a slug: SQL in it is refused, naming the line and the column as written.
      const bad = await json(
        await call(
          'POST',
          `/cycles/${cycleId}/units/import?dryRun=1&file=don-vi.csv`,
          [csvHeader, row(0), row(5, { code: "X'; DROP TABLE units; --" })].join('\n'),
          'text/csv',
        ),
      );
      expect(bad.status).toBe(400);
      expect(bad.body.issues).toContainEqual(expect.objectContaining({ file: 'don-vi.csv', line: 3, field: 'Mã đơn vị' }));
      expect((await h.db.query('SELECT count(*)::int AS n FROM units WHERE cycle_id = $1', [cycleId])).rows[0].n).toBe(5);
      // The leader's decomposed name was stored composed with the cycle's definition.
      const def = (await h.db.query('SELECT definition FROM cycles WHERE id = $1', [cycleId])).rows[0].definition as CycleDefinition;
      expect(def.committee.leaders[0]!.name).toBe('Lê Thị Lãnh Đạo');
      expect(isNfc(JSON.stringify(def))).toBe(true);
    },
  );

  it(
    'submissions: markup, SQL and NFD in narratives are stored as written (NFC); the form, the ' +
      'console, the emails and the DOCX show them inert',
    async () => {
      const unit = fx.unitCodes[0]!;
      const members = (await h.db.query('SELECT members FROM units WHERE cycle_id = $1 AND code = $2', [cycleId, unit])).rows[0]
        .members as number;
      const ack = await json(
        await call(
          'POST',
          `/cycles/${cycleId}/units/${unit}/acknowledge`,
          JSON.stringify({
            phase: 'plan',
            confirmedBy: `${NFD_PERSON} ${HOSTILE}`,
            note: SQL,
            actor: { id: 'operator:kiem-thu', via: 'api' },
            requestId: 'hostile-ack-0001',
          }),
        ),
      );
      expect(ack.status, JSON.stringify(ack.body)).toBe(200);
      const payload = samplePayload('year-end-report', { code: unit, name: HOSTILE, members }, { date: '2027-03-10' }) as {
        narrative: Record<string, string>;
      };
      payload.narrative.results = `${HOSTILE} Đơn vị đã hoàn thành tốt nhiệm vụ năm. ${SQL}`;
      payload.narrative.limitations = 'Một số đảng viên chưa thường xuyên tự liên hệ, việc đăng ký làm theo còn chung chung.'.normalize(
        'NFD',
      );
      const yearEnd = await submit(unit, 'year-end-report', payload, 'hostile-yer-0001');
      expect(yearEnd.status, JSON.stringify(yearEnd.body)).toBe(200);
      const stored = (
        await h.db.query("SELECT payload FROM submissions WHERE cycle_id = $1 AND unit_code = $2 AND phase = 'year-end-report'", [
          cycleId,
          unit,
        ])
      ).rows[0].payload;
      expect(stored.narrative.results).toBe(payload.narrative.results);
      expect(stored.narrative.limitations).toBe(nfc(payload.narrative.limitations));
      const plan = (
        await h.db.query("SELECT payload FROM submissions WHERE cycle_id = $1 AND unit_code = $2 AND phase = 'plan'", [cycleId, unit])
      ).rows[0].payload;
      expect(plan).toEqual({ confirmedBy: nfc(`${NFD_PERSON} ${HOSTILE}`), note: SQL, unitPlanNumber: null });

      // The unit's form: its name in the header, the narrative re-filled for a revision.
      const form = await (await fetch(await link(unit, 'year-end-report'))).text();
      expectInert(form, 'form page');
      expect(form).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(form).toContain('{{mustache}}');

      // The console, signed in: the cycle's table, the unit's page, a name filter in decomposed letters.
      const username = `hostile-${Date.now().toString(36)}`;
      await addUser(h.db, { username, name: 'Người kiểm thử', role: 'leader', password: PASSWORD });
      const consoleClient = new ConsoleClient(base);
      await consoleClient.signIn(username);
      for (const p of [
        `/console/chu-ky/${cycleId}`,
        `/console/chu-ky/${cycleId}/don-vi/${unit}`,
        `/console/chu-ky/${cycleId}?q=${encodeURIComponent(SQL)}`,
      ]) {
        const res = await consoleClient.request('GET', p);
        const page = await res.text();
        expect(res.status, p).toBe(200);
        expectInert(page, p);
        if (!p.includes('?q=')) expect(page, p).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      }
      const filtered = await (
        await consoleClient.request('GET', `/console/chu-ky/${cycleId}?q=${encodeURIComponent('Trường Nguyễn Trãi'.normalize('NFD'))}`)
      ).text();
      expect(filtered).toContain(nfc(NFD_NAME));
      expect(await (await consoleClient.request('GET', `/console/chu-ky/${cycleId}`)).text()).toContain(`Đảng bộ ${names[3]} 4`);
      expect(filtered).not.toContain(`Đảng bộ ${names[3]} 4`);
      // SQL in the filter is a name to look for, not a condition: it matches no unit.
      const sqlFiltered = await (
        await consoleClient.request('GET', `/console/chu-ky/${cycleId}?q=${encodeURIComponent("' OR '1'='1")}`)
      ).text();
      expect(sqlFiltered).not.toContain(nfc(NFD_NAME));
      expect(sqlFiltered).not.toContain(`Đảng bộ ${names[3]} 4`);

      // The receipt email for the plan: the HTML part escaped, the text part as written, the subject on one line.
      const secretary = fx.unitEmail(unit, 'secretary');
      const receipt = await waitFor(
        'the receipt email',
        async () => (await fetchInbox(h.inboxUrl, { to: secretary })).find((m) => m.html.includes('&lt;script&gt;')),
        60_000,
      );
      expectInert(receipt.html, 'receipt email (HTML)');
      expect(receipt.text).toContain(HOSTILE);
      expect(receipt.subject).not.toMatch(/[\r\n]/);

      // The DOCX report from the year's data as stored: the text carries the markup as text, the XML escapes it.
      const data = (await frozenDataset(h.db, cycleId))!;
      const years = [{ year: 2027, cycleId, data }];
      const def = data.definition as CycleDefinition;
      const doc = buildReport({
        years,
        committee: def.committee,
        config: DEFAULT_REPORT_CONFIG,
        ...analyse(years),
        number: 'Số 1-BC/ĐUK',
        date: '2027-12-15',
        studyTargetPercent: 98,
      });
      const docx = await docxText(await renderDocx(doc));
      expectInert(docx.xml, 'DOCX document.xml');
      expect(docx.xml).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(docx.body.join('\n')).toContain(HOSTILE);
      expect(docx.body.join('\n')).toContain(SQL);
      const html = renderHtml(doc);
      expectInert(html, 'HTML preview');
      expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    },
  );

  it('every email template escapes every variable in its HTML part and keeps the subject on one line', () => {
    const dir = defaultTemplatesDir();
    const kinds = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.subject.txt'))
      .map((f) => f.replace('.subject.txt', ''));
    expect(kinds.length).toBeGreaterThan(10);
    for (const kind of kinds) {
      // Every variable the templates name, set to hostile text (sections to a truthy hostile value).
      const vars: Record<string, unknown> = {};
      const visit = (tokens: unknown[]): void => {
        for (const t of tokens as [string, string, number, number, unknown[]?][]) {
          if (['name', '&', '#', '^'].includes(t[0])) {
            const keys = t[1].split('.');
            let node = vars;
            for (const k of keys.slice(0, -1)) node = (node[k] ??= {}) as Record<string, unknown>;
            node[keys[keys.length - 1]!] ??= `${HOSTILE}\r\nBcc: attacker@example.com`;
          }
          if (Array.isArray(t[4])) visit(t[4]);
        }
      };
      for (const part of [`${kind}.subject.txt`, `${kind}.html`, `${kind}.txt`, '_layout.html'])
        visit(Mustache.parse(fs.readFileSync(path.join(dir, part), 'utf8')));
      delete vars.body;
      delete vars.subject;
      const email = renderEmail(kind, vars);
      expectInert(email.html, `${kind}.html`);
      expect(email.html, kind).toContain('&lt;script&gt;');
      expect(email.subject, kind).not.toMatch(/[\r\n]/);
    }
  });

  it('oversized bodies, forms and CSV files: 413 or 400 with a message, and the server serves the next request', async () => {
    const unit = fx.unitCodes[1]!;
    const auth = { authorization: `Bearer ${TOKEN}` };
    const submitUrl = `${api.url}/api/v1/cycles/${cycleId}/units/${unit}/submit`;
    const big = await post(
      submitUrl,
      { ...auth, 'content-type': 'application/json' },
      Buffer.from(
        JSON.stringify({
          phase: 'plan',
          payload: { confirmedBy: 'A', planText: 'ơ'.repeat(700_000) },
          actor: { id: 'operator:x', via: 'api' },
          requestId: 'hostile-big-0001',
        }),
      ),
    );
    expect(big.status).toBe(413);
    expect(JSON.parse(big.text).error).toMatch(/quá lớn|too large/);
    expect(big.headers.connection).toBe('close');
    // The same without a Content-Length (chunked): counted as it arrives.
    const streamed = await post(submitUrl, { ...auth, 'content-type': 'application/json' }, async function* () {
      yield Buffer.from('{"junk":"');
      for (let i = 0; i < 40; i++) yield Buffer.alloc(64 * 1024, 0x78);
      yield Buffer.from('"}');
    });
    expect(streamed.status).toBe(413);
    const csv = await post(
      `${api.url}/api/v1/cycles/${cycleId}/units/import?dryRun=1`,
      { ...auth, 'content-type': 'text/csv' },
      Buffer.from(`${csvHeader}\n${'x;'.repeat(6 * 1024 * 1024)}`),
    );
    expect(csv.status).toBe(413);
    expect(JSON.parse(csv.text).error).toMatch(/too large|quá lớn/);

    const planLink = await link(unit, 'plan');
    const upload = async (bytes: number, viaFetch = false) => {
      const data = new FormData();
      data.append('confirmedBy', 'Nguyễn Văn B');
      data.append('requestId', `hostile-upload-${bytes}`);
      data.append('fileId', new File([new Uint8Array(bytes)], 'ke-hoach.pdf', { type: 'application/pdf' }));
      const req = new Request(planLink, { method: 'POST', body: data });
      if (viaFetch) return fetch(req).then(async (r) => ({ status: r.status, text: await r.text() }));
      return post(planLink, { 'content-type': req.headers.get('content-type')! }, Buffer.from(await req.arrayBuffer()));
    };
    const tooBigBody = await upload(13 * 1024 * 1024);
    expect(tooBigBody.status).toBe(413);
    expect(tooBigBody.text).toContain('quá lớn');
    const tooBigFile = await upload(10 * 1024 * 1024 + 512 * 1024);
    expect(tooBigFile.status).toBe(400);
    expect(tooBigFile.text).toContain('quá lớn');
    expect(tooBigFile.text).toContain('id="err-fileId"');
    expect((await h.db.query('SELECT count(*)::int AS n FROM files WHERE cycle_id = $1', [cycleId])).rows[0].n).toBe(0);
    // The next requests are served.
    expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
    const ok = await upload(2048, true);
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('Đã nhận');
  });

  it('bytes that are not UTF-8 are refused with a message, nothing stored as mojibake', async () => {
    const unit = fx.unitCodes[2]!;
    const before = (await h.db.query('SELECT count(*)::int AS n FROM submissions WHERE cycle_id = $1', [cycleId])).rows[0].n;
    const body = Buffer.concat([
      Buffer.from('{"phase":"plan","payload":{"confirmedBy":"Nguy'),
      Buffer.from([0xc3, 0x28, 0xff]),
      Buffer.from('n"},"actor":{"id":"operator:x","via":"api"},"requestId":"hostile-utf8-0001"}'),
    ]);
    const refused = await json(await call('POST', `/cycles/${cycleId}/units/${unit}/submit`, body));
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatch(/UTF-8/);
    // A NUL (escaped in JSON) and a broken surrogate never reach the database either.
    for (const [text, field] of [
      ['a\u0000b', 'payload.confirmedBy'],
      ['b\ud800', 'payload.note'],
    ] as const) {
      const r = await submit(unit, 'plan', { confirmedBy: 'Nguyễn Văn C', [field.split('.')[1]!]: text }, `hostile-nul-${field.length}`);
      expect(r.status).toBe(400);
      expect(r.body.error).toContain(field);
    }
    const csv = Buffer.concat([
      Buffer.from(`${csvHeader}\nU009;Chi b`),
      Buffer.from([0xf4, 0x20]),
      Buffer.from(';Chi bộ cơ sở;10;A;a@example.vn;;\n'),
    ]);
    const csvRefused = await json(await call('POST', `/cycles/${cycleId}/units/import?dryRun=1&file=don-vi.csv`, csv, 'text/csv'));
    expect(csvRefused.status).toBe(400);
    expect(csvRefused.body.issues).toEqual([expect.objectContaining({ file: 'don-vi.csv', message: expect.stringMatching(/not UTF-8/) })]);
    const nulCsv = await json(
      await call(
        'POST',
        `/cycles/${cycleId}/units/import?dryRun=1&file=don-vi.csv`,
        `${csvHeader}\nU009;Chi bộ\u0000X;Chi bộ cơ sở;10;A;a@example.vn;;\n`,
        'text/csv',
      ),
    );
    expect(nulCsv.status).toBe(400);
    // The same file on disk, for `chuky units import --file`: a ConfigError naming the file.
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'chuky-hostile-')), 'don-vi.csv');
    fs.writeFileSync(file, csv);
    expect(() => loadUnitsFile(file)).toThrow(ConfigError);
    expect(() => loadUnitsFile(file)).toThrow(/not UTF-8/);
    // The form: invalid percent-escapes in a field.
    const form = await fetch(await link(unit, 'plan'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'confirmedBy=Nguy%E1%BB&requestId=hostile-form-utf8',
    });
    expect(form.status).toBe(400);
    // Named by its label (domain/words.ts), as the unit reads it.
    expect(await form.text()).toContain('Ô “Người xác nhận (họ tên, chức vụ)”');
    // A committee record from the CLI (`chuky records add --data '{"theme": "…\\u0000"}'`) is refused by its field.
    const record = safeParseRecord('conference', {
      heldOn: '2027-03-15',
      theme: 'Chuyên đề\u0000',
      online: false,
      connectionPoints: 0,
      attendees: 10,
      kind: 'khac',
    });
    expect(record).toEqual({ success: false, issues: [expect.objectContaining({ field: 'theme' })] });
    // The console's repair forms: a reason with a NUL, or with bytes that are not UTF-8, is refused with a page.
    const clerk = `hostile-clerk-${Date.now().toString(36)}`;
    await addUser(h.db, { username: clerk, name: 'Cán bộ kiểm thử', role: 'clerk', password: PASSWORD });
    const consoleClient = new ConsoleClient(base);
    await consoleClient.signIn(clerk);
    const auditBefore = (await h.db.query('SELECT count(*)::int AS n FROM audit_log')).rows[0].n;
    for (const reason of ['Gia h\u1ea1n\u0000 v\u00ec l\u00fd do', 'Gia h%E1%BA']) {
      const csrf = await consoleClient.csrf();
      const fields = new URLSearchParams({
        _csrf: csrf,
        cycleId,
        unitCode: unit,
        phase: 'study',
        until: '2027-04-10',
        back: `/console/chu-ky/${cycleId}/don-vi/${unit}`,
      }).toString();
      const body = `${fields}&reason=${reason.includes('%') ? reason : encodeURIComponent(reason)}`;
      const res = await fetch(`${base}/console/sua-chua/extend`, {
        method: 'POST',
        headers: {
          cookie: [...consoleClient.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
          origin: base,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body,
        redirect: 'manual',
      });
      expect(res.status, `${reason}: ${res.status}`).toBe(400);
      expect(await res.text()).toContain('Ô “Lý do”');
    }
    expect((await h.db.query('SELECT count(*)::int AS n FROM audit_log')).rows[0].n).toBe(auditBefore);
    const after = (await h.db.query('SELECT count(*)::int AS n FROM submissions WHERE cycle_id = $1', [cycleId])).rows[0].n;
    expect(after).toBe(before);
    const { rows } = await h.db.query(
      "SELECT count(*)::int AS n FROM submissions WHERE cycle_id = $1 AND payload::text LIKE '%' || chr(65533) || '%'",
      [cycleId],
    );
    expect(rows[0].n).toBe(0);
  });

  it('decomposed Vietnamese is stored composed and matches its composed spelling', async () => {
    const unit = fx.unitCodes[3]!;
    const members = (await h.db.query('SELECT members FROM units WHERE cycle_id = $1 AND code = $2', [cycleId, unit])).rows[0]
      .members as number;
    const topic = 'Tự soi, tự sửa; học tập và làm theo Bác';
    const first = await submit(
      unit,
      'study',
      { members, studied: members, discussionTopic: topic.normalize('NFD'), discussionDate: '2027-03-05', note: NFD_PERSON },
      'hostile-nfd-0001',
    );
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    const { rows } = await h.db.query("SELECT payload FROM submissions WHERE cycle_id = $1 AND unit_code = $2 AND phase = 'study'", [
      cycleId,
      unit,
    ]);
    expect(rows[0].payload.discussionTopic).toBe(topic);
    expect(rows[0].payload.note).toBe(nfc(NFD_PERSON));
    // A committee record: its number and theme, typed decomposed, are stored composed.
    const record = await json(
      await call(
        'POST',
        `/cycles/${cycleId}/records/document`,
        JSON.stringify({
          type: 'ke-hoach',
          number: '12-KH/ĐẢNGỦY'.normalize('NFD'),
          issuedOn: '2027-03-02',
          title: `Kế hoạch ${NFD_PERSON}`,
          requestId: 'hostile-rec-0001',
        }),
      ),
    );
    expect(record.status, JSON.stringify(record.body)).toBe(201);
    const stored = (await h.db.query('SELECT payload FROM committee_records WHERE id = $1', [record.body.record.id])).rows[0].payload;
    expect(stored).toMatchObject({ number: '12-KH/ĐẢNGỦY', title: `Kế hoạch ${nfc(NFD_PERSON)}` });
    expect(isNfc(JSON.stringify(stored))).toBe(true);
    const events = (await h.db.query('SELECT reason, data::text AS data FROM events WHERE cycle_id = $1', [cycleId])).rows;
    for (const e of events) expect(isNfc(`${e.reason ?? ''}${e.data ?? ''}`), JSON.stringify(e)).toBe(true);
  });

  it('duplicate and out-of-order submissions: the documented outcome, nothing lost, no workflow failure', async () => {
    const unit = fx.unitCodes[3]!;
    const members = (await h.db.query('SELECT members FROM units WHERE cycle_id = $1 AND code = $2', [cycleId, unit])).rows[0]
      .members as number;
    const older = { confirmedBy: 'Nguyễn Văn Cũ, Bí thư' };
    const newer = { confirmedBy: 'Nguyễn Văn Mới, Bí thư' };
    // The same request twice: one version, the same receipt.
    const a1 = await submit(unit, 'plan', older, 'hostile-dup-older');
    const a2 = await submit(unit, 'plan', older, 'hostile-dup-older');
    expect(a1.status).toBe(200);
    expect(a2.body).toEqual(a1.body);
    // A newer version, then the older request arriving late (a retry): the older receipt, not a third version.
    const b = await submit(unit, 'plan', newer, 'hostile-dup-newer');
    expect(b.body).toMatchObject({ version: 2 });
    const late = await submit(unit, 'plan', older, 'hostile-dup-older');
    expect(late.body).toEqual(a1.body);
    // The same request id with other content is the same request: its first receipt, nothing stored for it.
    const reused = await submit(unit, 'plan', { confirmedBy: 'Người khác' }, 'hostile-dup-newer');
    expect(reused.body).toEqual(b.body);
    const { rows } = await h.db.query(
      "SELECT version, payload FROM submissions WHERE cycle_id = $1 AND unit_code = $2 AND phase = 'plan' ORDER BY version",
      [cycleId, unit],
    );
    expect(rows.map((r) => r.payload.confirmedBy)).toEqual([older.confirmedBy, newer.confirmedBy]);

    // A phase not open yet: refused with a message, by the API and by the form.
    const early = await submit(unit, 'pledge', { members, withPersonalPlan: members }, 'hostile-early-0001');
    expect(early.status).toBe(422);
    expect(early.body.error).toContain('chưa mở');
    const earlyForm = await fetch(await link(unit, 'pledge'), {
      method: 'POST',
      body: new URLSearchParams({ members: String(members), withPersonalPlan: String(members), requestId: 'hostile-early-0002' }),
    });
    expect(earlyForm.status).toBe(422);
    expect(await earlyForm.text()).toContain('chưa mở');

    // A removed unit: its earlier submissions stay, a new one is refused with a message.
    const removed = fx.unitCodes[2]!;
    const kept = await submit(removed, 'plan', { confirmedBy: 'Nguyễn Văn D' }, 'hostile-removed-1');
    expect(kept.status).toBe(200);
    const removal = await removeUnits(
      { db: h.db, client: h.client },
      { cycleId, units: [removed], reason: 'Sáp nhập vào đơn vị khác', actor: { id: 'operator:kiem-thu', via: 'cli' } },
    );
    expect(removal).toEqual([expect.objectContaining({ code: removed, workflow: 'removed' })]);
    const afterRemoval = await submit(removed, 'study', { members: 10, studied: 10 }, 'hostile-removed-2');
    expect([404, 409, 422]).toContain(afterRemoval.status);
    expect(afterRemoval.body.error).toMatch(/kết thúc|không còn|Không tìm thấy/);
    const removedForm = await fetch(await link(removed, 'plan'), {
      method: 'POST',
      body: new URLSearchParams({ confirmedBy: 'Nguyễn Văn D', requestId: 'hostile-removed-3' }),
    });
    expect(removedForm.status).toBeGreaterThanOrEqual(400);
    expect(removedForm.status).toBeLessThan(500);
    expect(
      (await h.db.query('SELECT count(*)::int AS n FROM submissions WHERE cycle_id = $1 AND unit_code = $2', [cycleId, removed])).rows[0].n,
    ).toBe(1);

    // No workflow task failed anywhere in the cycle.
    for (const code of [...fx.unitCodes, 'U005']) {
      const history = await h.client.workflow.getHandle(unitWorkflowId(cycleId, code)).fetchHistory();
      expect(
        (history.events ?? []).filter((e) => Number(e.eventType) === WORKFLOW_TASK_FAILED),
        code,
      ).toHaveLength(0);
    }
  });
});
