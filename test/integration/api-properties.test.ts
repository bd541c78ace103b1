/**
 * Property-based tests of the HTTP doors on the real stack (Temporal dev server, PostgreSQL, a worker in this
 * process, the real API server): arbitrary JSON and bytes to every operator endpoint under /api/v1 (bearer token),
 * one-field mutations of valid bodies, arbitrary unit form posts at /f/:token (URL-encoded and multipart, with
 * files), arbitrary units CSV imports. Properties: never a 500; a refusal is a 4xx whose message names the field
 * (or the value) that is wrong; a form page always comes back whole, with the field's error under it; the valid
 * bodies are accepted afterwards, and the unit workflows never failed a task.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';
import { writeFixture, type Fixture } from '../support/fixtures.js';
import { openCycle, type OpenCycle } from '../support/open-cycle.js';
import { startApi } from '../../api/server.js';
import { formUrl, signLink } from '../../auth/links.js';
import { unitWorkflowId } from '../../domain/ids.js';
import { freePort } from '../../stack/ports.js';
import { studyPhase } from '../../domain/phases/index.js';

const QUEUE = 'it-api-properties';
const TOKEN = 'api-properties-token';
const WORKFLOW_TASK_FAILED = 9; // temporal.api.enums.v1.EventType

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Path = (string | number)[];

/** A field of a valid body and how it may be broken; every mutation here must be refused. */
interface FieldSpec {
  path: Path;
  kind: 'text' | 'int' | 'date' | 'enum' | 'bool' | 'object' | 'list';
  required?: boolean;
  max?: number;
}

interface Endpoint {
  name: string;
  method: 'POST' | 'DELETE';
  path: () => string;
  body: () => Record<string, Json>;
  fields: FieldSpec[];
}

let seq = 0;
const requestId = (what: string) => `${what}-${Date.now().toString(36)}-${(seq++).toString(36)}`.padEnd(12, '0');
const actor = { id: 'operator:kiem-thu', via: 'api' } as const;

/** The fields of the API's JSON answers these properties read (a refusal, or an import's dry run). */
interface ApiAnswer {
  error?: string;
  fields?: Record<string, string>;
  dryRun?: boolean;
  applied?: unknown;
  issues?: { file: string; field: string; line?: number }[];
}

function setAt(obj: Record<string, Json>, path: Path, value: Json | undefined): void {
  // Every path but its last key goes through objects and arrays of the valid body (the specs say where).
  let node = obj as Record<string | number, Json | undefined>;
  for (const k of path.slice(0, -1)) node = node[k] as Record<string | number, Json | undefined>;
  if (value === undefined) delete node[path[path.length - 1]!];
  else node[path[path.length - 1]!] = value;
}

/** Broken values for a field, each with the text the refusal must contain (the field's key, or the value). */
function brokenValues(f: FieldSpec): fc.Arbitrary<{ value: Json | undefined; why: string }> {
  const key = String(f.path[f.path.length - 1]);
  const options: fc.Arbitrary<{ value: Json | undefined; why: string }>[] = [];
  const named = (value: Json | undefined, why: string) => fc.constant({ value, why });
  if (f.required) options.push(named(undefined, 'missing'));
  if (f.kind !== 'text' && f.kind !== 'date' && f.kind !== 'enum') options.push(named('SAI-KIEU', 'a string'));
  if (f.kind !== 'int') options.push(fc.integer({ min: -5, max: 1e9 }).map((n) => ({ value: n, why: 'a number' })));
  if (f.kind !== 'object' && f.kind !== 'list') options.push(named([], 'a list'));
  if (f.kind !== 'list' && f.kind !== 'object') options.push(named({ x: 1 }, 'an object'));
  if (f.kind === 'text') {
    options.push(named('a\u0000b', 'a NUL'), named('ab\ud800', 'a broken surrogate'), named(true, 'a boolean'));
    if (f.max) options.push(named('ơ'.repeat(f.max + 1), 'too long'));
    if (f.required) options.push(named('', 'empty'));
  }
  if (f.kind === 'int') options.push(named(-1, 'negative'), named(1.5, 'a fraction'), named('12', 'a numeric string'), named(1e20, 'huge'));
  if (f.kind === 'date')
    options.push(
      fc
        .constantFrom('2027-02-30', '2027-13-01', '15/03/2027', '2027-3-5', 'ngày mai', ...(f.required ? [''] : []))
        .map((value) => ({ value, why: 'a bad date' })),
    );
  if (f.kind === 'enum')
    options.push(fc.constantFrom('khong-co', 'PLAN', 'Kiểm tra').map((value) => ({ value, why: 'not one of the values' })));
  if (f.kind === 'bool') options.push(named('có', 'a word'), named(1, 'a number'));
  void key;
  return fc.oneof(...options);
}

describe('the HTTP doors under arbitrary input', () => {
  let h: Harness;
  let api: Awaited<ReturnType<typeof startApi>>;
  let fx: Fixture;
  let cycleId = '';
  let cycle: OpenCycle | undefined;
  let links = 0;
  /** A new link for each post: the form door counts posts per link (api/form-throttle.ts), not what is tested here. */
  const freshLink = async (phase: 'study' | 'plan') =>
    formUrl(
      api.url,
      await signLink({ cycleId, unitCode: fx.unitCodes[2]!, phase }, h.env.signingSecret, Date.now() + 3_600_000 + 1000 * ++links),
    );
  const members: Record<string, number> = {};

  const call = (method: string, path: string, body?: string | Uint8Array, contentType = 'application/json') =>
    fetch(`${api.url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, ...(body !== undefined ? { 'content-type': contentType } : {}) },
      ...(body !== undefined ? { body } : {}),
      signal: AbortSignal.timeout(60_000),
    });

  async function answer(res: Response): Promise<{ status: number; text: string; json: ApiAnswer | undefined }> {
    const text = await res.text();
    let json: ApiAnswer | undefined;
    try {
      json = JSON.parse(text) as ApiAnswer;
    } catch {
      json = undefined;
    }
    return { status: res.status, text, json };
  }

  let endpoints: Endpoint[] = [];

  beforeAll(async () => {
    const port = await freePort();
    h = await startHarness({ taskQueue: QUEUE, publicBaseUrl: `http://127.0.0.1:${port}` });
    // The per-address limit on form posts is not what is tested here either, and a failing property's shrinking
    // (hundreds of posts) ran into it, so that the CI reported the 429 instead of the input that failed.
    api = await startApi(
      {
        db: h.db,
        client: h.client,
        signingSecret: h.env.signingSecret,
        taskQueue: QUEUE,
        apiToken: TOKEN,
        formThrottle: { perIp: 1_000_000 },
      },
      port,
    );
    // One day = 60 s: every phase is open and nothing falls due while the properties run.
    fx = writeFixture({
      code: 'ITAPIPROP',
      issuedOn: '2027-03-01',
      deadline: '2027-03-20',
      units: 3,
      closesOn: '2027-05-31',
      phases: [
        { id: 'plan', deadline: '2027-03-20' },
        { id: 'study', deadline: '2027-03-20' },
        { id: 'year-end-report', deadline: '2027-03-20' },
      ],
    });
    cycle = await openCycle(h, { taskQueue: QUEUE, fixture: fx, opened: 9 });
    cycleId = cycle.cycleId;
    for (const r of (await h.db.query('SELECT code, members FROM units WHERE cycle_id = $1', [cycleId])).rows) members[r.code] = r.members;
    const [a, b, c] = fx.unitCodes as [string, string, string];
    const started = await answer(
      await call(
        'POST',
        `/cycles/${cycleId}/inspections`,
        JSON.stringify({ unitCode: c, kind: 'kiem-tra', body: 'ubkt', reason: 'Theo chương trình kiểm tra năm', actor }),
      ),
    );
    expect(started.status, started.text).toBe(200);

    const unitPath = (unit: string, action: string) => () => `/cycles/${cycleId}/units/${unit}/${action}`;
    const inspection = (action: string) => () => `/cycles/${cycleId}/units/${c}/inspections/kiem-tra-ubkt/${action}`;
    const text = (path: Path, max: number, required = true): FieldSpec => ({ path, kind: 'text', max, required });
    const actorFields: FieldSpec[] = [
      { path: ['actor'], kind: 'object', required: true },
      text(['actor', 'id'], 200),
      { path: ['actor', 'via'], kind: 'enum', required: true },
      text(['requestId'], 100),
    ];
    endpoints = [
      {
        name: 'acknowledge',
        method: 'POST',
        path: unitPath(a, 'acknowledge'),
        body: () => ({
          phase: 'plan',
          confirmedBy: 'Nguyễn Văn A, Bí thư',
          unitPlanNumber: '05-KH/ĐU',
          note: 'Đã phổ biến tới chi bộ',
          actor,
          requestId: requestId('ack'),
        }),
        fields: [
          { path: ['phase'], kind: 'enum', required: true },
          text(['confirmedBy'], 200),
          text(['unitPlanNumber'], 100, false),
          text(['note'], 5000, false),
          ...actorFields,
        ],
      },
      {
        name: 'submit',
        method: 'POST',
        path: unitPath(a, 'submit'),
        body: () => ({
          phase: 'study',
          payload: {
            members: members[a]!,
            studied: members[a]!,
            sessionDate: '2027-03-05',
            discussionTopic: 'Tự soi, tự sửa',
            discussionDate: '2027-03-06',
            note: 'Học tập trực tuyến',
          },
          actor,
          requestId: requestId('submit'),
        }),
        fields: [
          { path: ['phase'], kind: 'enum', required: true },
          { path: ['payload'], kind: 'object', required: true },
          { path: ['payload', 'members'], kind: 'int', required: true },
          { path: ['payload', 'studied'], kind: 'int', required: true },
          { path: ['payload', 'sessionDate'], kind: 'date' },
          text(['payload', 'discussionTopic'], 500, false),
          { path: ['payload', 'discussionDate'], kind: 'date' },
          text(['payload', 'note'], 5000, false),
          ...actorFields,
        ],
      },
      {
        name: 'extend',
        method: 'POST',
        path: unitPath(b, 'extend'),
        body: () => ({
          phase: 'study',
          newDeadline: '2027-04-01',
          reason: 'Đơn vị đang kiện toàn cấp ủy',
          actor,
          requestId: requestId('extend'),
        }),
        fields: [
          { path: ['phase'], kind: 'enum', required: true },
          { path: ['newDeadline'], kind: 'date', required: true },
          text(['reason'], 1000),
          ...actorFields,
        ],
      },
      {
        name: 'exempt',
        method: 'POST',
        path: unitPath(b, 'exempt'),
        body: () => ({ phase: 'plan', reason: 'Đơn vị mới thành lập tháng 3', actor, requestId: requestId('exempt') }),
        fields: [{ path: ['phase'], kind: 'enum', required: true }, text(['reason'], 1000), ...actorFields],
      },
      {
        name: 'inspection start',
        method: 'POST',
        path: () => `/cycles/${cycleId}/inspections`,
        body: () => ({
          unitCode: c,
          kind: 'giam-sat',
          body: 'ban-thuong-vu',
          origin: 'plan',
          reason: 'Giám sát chuyên đề theo kế hoạch',
          actor,
        }),
        fields: [
          { path: ['unitCode'], kind: 'enum', required: true },
          { path: ['kind'], kind: 'enum', required: true },
          { path: ['body'], kind: 'enum', required: true },
          { path: ['origin'], kind: 'enum' },
          text(['reason'], 2000),
          { path: ['actor'], kind: 'object', required: true },
        ],
      },
      {
        name: 'inspection schedule',
        method: 'POST',
        path: inspection('schedule'),
        body: () => ({ date: '2027-03-12', actor, requestId: requestId('schedule') }),
        fields: [{ path: ['date'], kind: 'date', required: true }, ...actorFields],
      },
      {
        name: 'inspection findings',
        method: 'POST',
        path: inspection('findings'),
        body: () => ({ findings: 'Đơn vị thực hiện đầy đủ các nội dung của kế hoạch', actor, requestId: requestId('findings') }),
        fields: [text(['findings'], 20_000), ...actorFields],
      },
      {
        name: 'inspection conclude',
        method: 'POST',
        path: inspection('conclude'),
        body: () => ({
          conclusion: 'Đơn vị cần khắc phục hạn chế trong sinh hoạt chuyên đề',
          remedies: ['Tổ chức lại buổi sinh hoạt'],
          remedyDeadline: '2027-04-10',
          actor,
          requestId: requestId('conclude'),
        }),
        fields: [
          text(['conclusion'], 20_000),
          { path: ['remedies'], kind: 'list' },
          text(['remedies', 0], 2000),
          { path: ['remedyDeadline'], kind: 'date', required: true },
          ...actorFields,
        ],
      },
      {
        name: 'record',
        method: 'POST',
        path: () => `/cycles/${cycleId}/records/conference`,
        body: () => ({
          heldOn: '2027-03-15',
          theme: 'Chuyên đề năm 2027',
          online: true,
          connectionPoints: 102,
          attendees: 4320,
          kind: 'chuyen-de-hang-nam',
          requestId: requestId('record'),
        }),
        fields: [
          { path: ['heldOn'], kind: 'date', required: true },
          text(['theme'], 1000),
          { path: ['online'], kind: 'bool', required: true },
          { path: ['connectionPoints'], kind: 'int', required: true },
          { path: ['attendees'], kind: 'int', required: true },
          { path: ['kind'], kind: 'enum', required: true },
          text(['requestId'], 100),
        ],
      },
    ];
  }, 300_000);

  afterAll(async () => {
    await cycle?.stop();
    await api?.close();
    await h?.close();
  });

  it('arbitrary JSON and bytes to every operator endpoint: a 4xx with a message, never a 500', async () => {
    const body = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
      fc.object({ maxDepth: 2 }).map((v) => JSON.stringify(v) ?? '{}'),
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.uint8Array({ maxLength: 200 }),
      fc.constantFrom(
        '',
        '{',
        '[]',
        'null',
        '"x"',
        '{"phase":"plan"}',
        '{"payload":{"__proto__":{"x":1}}}',
        '{"a":"\\u0000"}',
        '{"a":"\\ud800"}',
        JSON.stringify({ phase: 'study', payload: [] }),
      ),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...endpoints.map((e) => e.name), 'records delete'), body, async (name, raw) => {
        const endpoint = endpoints.find((e) => e.name === name);
        const res = await answer(
          await call(endpoint?.method ?? 'DELETE', endpoint ? endpoint.path() : `/cycles/${cycleId}/records/999999`, raw),
        );
        expect(res.status, `${name} ${JSON.stringify(raw)}: ${res.text}`).toBeGreaterThanOrEqual(400);
        expect(res.status, `${name} ${JSON.stringify(raw)}: ${res.text}`).toBeLessThan(500);
        expect(typeof res.json?.error, res.text).toBe('string');
        expect(res.json?.error?.length).toBeGreaterThan(3);
      }),
      { numRuns: 60 },
    );
  });

  it('one broken field in a valid body: refused with a 4xx naming the field or its value', async () => {
    const mutation = fc
      .constantFrom(...endpoints)
      .chain((endpoint) =>
        fc.constantFrom(...endpoint.fields).chain((field) => brokenValues(field).map((broken) => ({ endpoint, field, broken }))),
      );
    await fc.assert(
      fc.asyncProperty(mutation, async ({ endpoint, field, broken }) => {
        const body = structuredClone(endpoint.body());
        setAt(body, field.path, broken.value);
        const res = await answer(await call(endpoint.method, endpoint.path(), JSON.stringify(body)));
        const what =
          `${endpoint.name}: ${field.path.join('.')} ${broken.why} ` +
          `(${JSON.stringify(broken.value)?.slice(0, 40)}) → ${res.status} ${res.text.slice(0, 300)}`;
        expect(res.status, what).toBeGreaterThanOrEqual(400);
        expect(res.status, what).toBeLessThan(500);
        const key = String(field.path[field.path.length - 1]);
        const names = [
          key,
          field.path.join('.'),
          ...(typeof broken.value === 'string' && broken.value.length < 40 && broken.value !== '' ? [broken.value] : []),
        ];
        // The message (or, for committee records, the per-field map) names the field, or shows the wrong value.
        const said = `${res.json?.error ?? ''} ${Object.keys(res.json?.fields ?? {}).join(' ')}`;
        expect(names.some((n) => said.includes(n)) || (field.path[0] === 'actor' && said.includes('actor')), what).toBe(true);
      }),
      { numRuns: 80 },
    );
  });

  it('the unit form takes any fields and any bytes: the page comes back whole, each wrong field marked', async () => {
    const c = fx.unitCodes[2]!;
    const known = ['members', 'studied', 'sessionDate', 'discussionTopic', 'discussionDate', 'note', 'requestId'];
    const value = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.string({ unit: 'binary', maxLength: 30 }),
      fc.integer({ min: -10, max: 400 }).map(String),
      fc.constantFrom(
        '1.250',
        '2027-03-05',
        '05/03/2027',
        '2027-02-30',
        '<script>alert(1)</script>',
        '"><img src=x onerror=alert(1)>',
        "'; DROP TABLE units; --",
        'ơ'.repeat(6000),
      ),
    );
    const fields = fc.dictionary(fc.oneof(fc.constantFrom(...known), fc.string({ maxLength: 12 })), value, { maxKeys: 9 });
    const file = fc.record({
      name: fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('ke-hoach.pdf', 'kế hoạch.docx', 'a.exe', 'x\u0000.pdf', '<b>.pdf')),
      size: fc.nat(3000),
    });
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('study', 'plan'), fields, fc.option(file, { nil: undefined }), async (phase, form, upload) => {
        let res: Response;
        if (phase === 'study') {
          res = await fetch(await freshLink('study'), {
            method: 'POST',
            body: new URLSearchParams(form),
            signal: AbortSignal.timeout(60_000),
          });
        } else {
          const data = new FormData();
          for (const [k, v] of Object.entries(form)) data.append(k === 'members' ? 'confirmedBy' : k, v);
          if (upload) data.append('fileId', new File([new Uint8Array(upload.size).fill(65)], upload.name));
          res = await fetch(await freshLink('plan'), { method: 'POST', body: data, signal: AbortSignal.timeout(60_000) });
        }
        const page = await res.text();
        const what = `${phase} ${JSON.stringify(form).slice(0, 300)} ${JSON.stringify(upload)} → ${res.status} ${page.slice(-600)}`;
        expect([200, 400, 422], what).toContain(res.status);
        expect(page, what).toMatch(/<\/html>\s*$/);
        expect(page).not.toContain('<script>alert(1)</script>');
        expect(page).not.toContain('<img src=x');
        if (res.status === 200) {
          expect(page, what).toContain('Đã nhận');
          return;
        }
        // Fifty runs may send the plan more than its 30 versions (workflows/unit/submissions.ts MAX_VERSIONS): the
        // next is refused whole, with the limit said, however good the form.
        if (res.status === 422 && page.includes('Đã nộp 30 lần cho nghĩa vụ này')) return;
        expect(page, what).toContain('role="alert"');
        if (phase === 'study' && res.status === 400 && !page.includes('lỗi mã hóa') && !page.includes('ký tự không hợp lệ')) {
          // The phase's own schema says which fields are wrong; the page marks each of them.
          const parsed = studyPhase.schema({ members: members[c]! }).safeParse(studyPhase.fromForm(form));
          expect(parsed.success, what).toBe(false);
          if (!parsed.success) for (const issue of parsed.error.issues) expect(page, what).toContain(`id="err-${issue.path.join('.')}"`);
        }
      }),
      { numRuns: 50 },
    );
  });

  it('form bodies that are not forms, or not UTF-8, get a Vietnamese page, not a 500', async () => {
    const bodies: [string, RequestInit['body'], Record<string, string>][] = [
      ['invalid percent-escapes', 'members=%FF%FE&studied=1', { 'content-type': 'application/x-www-form-urlencoded' }],
      [
        'raw bytes that are not UTF-8',
        Buffer.from([0x6d, 0x3d, 0xc3, 0x28, 0xff]),
        { 'content-type': 'application/x-www-form-urlencoded' },
      ],
      ['a NUL', 'members=1%00&studied=1', { 'content-type': 'application/x-www-form-urlencoded' }],
      ['broken multipart', 'không phải multipart', { 'content-type': 'multipart/form-data; boundary=xyz' }],
      ['multipart without a boundary', '--x\r\n', { 'content-type': 'multipart/form-data' }],
      ['JSON', '{"members": 1}', { 'content-type': 'application/json' }],
    ];
    for (const [what, body, headers] of bodies) {
      const res = await fetch(await freshLink('study'), { method: 'POST', body, headers, signal: AbortSignal.timeout(60_000) });
      const page = await res.text();
      expect([400, 422], `${what}: ${res.status} ${page.slice(-400)}`).toContain(res.status);
      expect(page, what).toMatch(/role="alert"/);
      expect(page, what).toMatch(/[ăâđêôơư]/); // Vietnamese
    }
  });

  it('keeps a posted request id only if the workflow would: five astral characters (ten UTF-16 units) get a fresh one', async () => {
    // Found by the property above (CI of 7 December 2026): the page kept ids of 8 UTF-16 units or more, the
    // workflow's validator counts characters, and the unit was refused "requestId: Quá nhỏ" for a field it never sees.
    const res = await fetch(await freshLink('plan'), {
      method: 'POST',
      body: new URLSearchParams({ requestId: '𝔸'.repeat(5), confirmedBy: 'Nguyễn Văn An, Bí thư' }),
      signal: AbortSignal.timeout(60_000),
    });
    const page = await res.text();
    expect(res.status, page.slice(-600)).toBe(200);
    expect(page).toContain('Đã nhận');
  });

  it('arbitrary units CSV sent to import: 200 or a 400 whose issues name file, line and field', async () => {
    const header = 'Mã đơn vị;Tên đơn vị;Loại;Số đảng viên;Bí thư;Email bí thư\n';
    const tokens = fc
      .array(
        fc.constantFrom(
          ';',
          ',',
          '"',
          '\n',
          '\r\n',
          ' ',
          'U900',
          'Đảng bộ',
          'Chi bộ cơ sở',
          '12',
          '-3',
          'a@b.vn',
          'x@',
          '\uFEFF',
          'e\u0301',
          '\u0000',
        ),
        { maxLength: 60 },
      )
      .map((parts) => parts.join(''));
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 300 }),
          tokens,
          tokens.map((t) => header + t),
        ),
        async (csv) => {
          const res = await answer(await call('POST', `/cycles/${cycleId}/units/import?dryRun=1&file=don-vi-moi.csv`, csv, 'text/csv'));
          const what = `${JSON.stringify(csv)} → ${res.status} ${res.text.slice(0, 300)}`;
          expect([200, 400], what).toContain(res.status);
          if (res.status === 200) {
            expect(res.json?.dryRun, what).toBe(true);
            expect(res.json?.applied, what).toBeNull();
            return;
          }
          expect(res.json?.error, what).toEqual(expect.any(String));
          if (res.json?.issues) {
            for (const i of res.json.issues) {
              expect(i.file, what).toBe('don-vi-moi.csv');
              expect(i.field, what).toEqual(expect.any(String));
              if (i.field !== '(file)') expect(Number.isInteger(i.line), what).toBe(true);
            }
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('afterwards the valid bodies are accepted, and no unit workflow failed a task', async () => {
    for (const name of ['acknowledge', 'submit', 'extend', 'inspection schedule', 'record']) {
      const endpoint = endpoints.find((e) => e.name === name)!;
      const res = await answer(await call(endpoint.method, endpoint.path(), JSON.stringify(endpoint.body())));
      expect(res.status, `${name}: ${res.text}`).toBeLessThan(300);
    }
    expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
    for (const unit of fx.unitCodes) {
      const handle = h.client.workflow.getHandle(unitWorkflowId(cycleId, unit));
      const history = await handle.fetchHistory();
      expect(
        (history.events ?? []).filter((e) => Number(e.eventType) === WORKFLOW_TASK_FAILED),
        unit,
      ).toHaveLength(0);
      expect((await handle.describe()).status.name).toBe('RUNNING');
    }
  });
});
