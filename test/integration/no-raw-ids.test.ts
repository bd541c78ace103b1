/**
 * Vietnamese everywhere a Vietnamese user looks: every console page (signed in with each role), every unit form
 * page (each phase, first shown, refused with errors, accepted), every console repair form and result, and every
 * email template rendered with realistic data, read as a person reads them (test/support/visible-text.ts), show
 * no phase id, no field id, no ISO date and no English status or cause word.
 *
 * The stack is real: Temporal dev server, PostgreSQL, SMTP, a worker in this process. Two cycles: one launched
 * through Temporal (the plan open, a unit submitting through its form, an operator's extension, a refusal), and
 * one written into PostgreSQL in a known state with every kind of delay (test/support/ops-fixtures.ts): units
 * overdue at each level, not submitted, a phase blocked, an inspection's remedy overdue.
 */
import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';
import { startHarnessApi } from '../support/harness-api.js';
import { writeFixture, type Fixture } from '../support/fixtures.js';
import { seedOpsCycle } from '../support/ops-fixtures.js';
import { leaks, visibleText } from '../support/visible-text.js';
import { startCycle } from '../../cli/commands/cycle.js';
import { startApi } from '../../api/server.js';
import { formUrl, signLink } from '../../auth/links.js';
import { cycleWorkflowId, unitWorkflowId } from '../../domain/ids.js';
import { PHASES, PHASE_IDS } from '../../domain/phases/index.js';
import { formLeaves } from '../../domain/phases/common.js';
import { formatVietnameseDate } from '../../domain/calendar.js';
import { freePort } from '../../stack/ports.js';
import { createPool } from '../../db/pool.js';
import { StallScanError, findStalls } from '../../ops/stalled.js';
import { ROLES, type Role } from '../../console/permissions.js';
import { addUser } from '../../console/users.js';
import { defaultTemplatesDir, renderEmail } from '../../mail/render.js';

const QUEUE = 'it-no-raw-ids';
const PASSWORD = 'mat-khau-du-dai-2027';

/** A browser-like client: cookies kept, no redirect followed, the console's Origin on POST. */
class Client {
  readonly cookies = new Map<string, string>();
  constructor(readonly base: string) {}

  async request(method: 'GET' | 'POST', p: string, form?: Record<string, string>): Promise<Response> {
    const headers: Record<string, string> = { origin: this.base };
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const init: RequestInit = { method, headers, redirect: 'manual' };
    if (form) init.body = new URLSearchParams(form);
    const res = await fetch(this.base + p, init);
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const [name, ...rest] = pair!.split('=');
      if (rest.join('=')) this.cookies.set(name!.trim(), rest.join('='));
    }
    return res;
  }

  async csrf(): Promise<string> {
    const page = await (await this.request('GET', '/console/')).text();
    return /name="_csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
  }

  async signIn(username: string): Promise<void> {
    const page = await (await this.request('GET', '/console/dang-nhap')).text();
    const token = /name="_csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
    const res = await this.request('POST', '/console/dang-nhap', { _csrf: token, username, password: PASSWORD, tiep: '/console/' });
    if (res.status !== 303) throw new Error(`sign-in of ${username} failed: ${res.status}`);
  }
}

/** Every leak, with where it was found: the test prints them all at once. */
const found: string[] = [];
function check(where: string, content: string, typed: readonly string[] = []): void {
  for (const l of leaks(visibleText(content, typed))) found.push(`${where}: ${l.what} “${l.found}” in “${l.context}”`);
}

describe('no raw ids, ISO dates or English words where a Vietnamese user looks', () => {
  let h: Harness;
  let api: Awaited<ReturnType<typeof startApi>>;
  let base = '';
  let fx: Fixture;
  let cycleId = '';
  let seeded: Awaited<ReturnType<typeof seedOpsCycle>>;
  let worker: Promise<void> | undefined;
  const clients = {} as Record<Role, Client>;
  const suffix = randomUUID().slice(0, 6);
  /** What the unit typed into its forms, removed before reading (the user's own words are theirs). */
  const typed: string[] = [];

  const link = async (unit: string, phase: string) =>
    formUrl(base, await signLink({ cycleId, unitCode: unit, phase }, h.env.signingSecret, Date.now() + 3_600_000)).slice(base.length);

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    h = await startHarness({ taskQueue: QUEUE, publicBaseUrl: base });
    api = await startHarnessApi(h, port, { temporalUiUrl: 'http://127.0.0.1:8233' });
    worker = h.worker.run();
    // The plan opens on the first compressed day and is due on day 40: nothing else moves while the test reads.
    fx = writeFixture({
      code: `ITNORAW${suffix.toUpperCase()}`,
      issuedOn: '2027-03-01',
      deadline: '2027-04-09',
      closesOn: '2027-06-30',
      units: 3,
      phases: [{ id: 'plan', deadline: '2027-04-09' }],
    });
    cycleId = (await startCycle({ db: h.db, client: h.client, taskQueue: QUEUE, configFile: fx.file, secondsPerDay: 20 })).cycleId;
    seeded = await seedOpsCycle(h.db, `ITNORAWDB${suffix.toUpperCase()}`);
    for (const role of ROLES) {
      const username = `noraw-${role}-${suffix}`;
      await addUser(h.db, { username, name: `Người dùng ${role}`, role, password: PASSWORD });
      clients[role] = new Client(base);
      await clients[role].signIn(username);
    }
    for (let i = 0; i < 200; i++) {
      const { rows } = await h.db.query('SELECT count(*)::int AS n FROM obligations WHERE cycle_id = $1', [cycleId]);
      if (rows[0].n === fx.unitCodes.length) break;
      await new Promise((r) => setTimeout(r, 250));
    }
  }, 120_000);

  afterAll(async () => {
    if (cycleId) {
      for (const id of [cycleWorkflowId(cycleId), ...fx.unitCodes.map((u) => unitWorkflowId(cycleId, u))]) {
        const handle = h.client.workflow.getHandle(id);
        if ((await handle.describe().catch(() => undefined))?.status.name === 'RUNNING')
          await handle.terminate('no-raw-ids test done').catch(() => undefined);
      }
    }
    h?.worker.shutdown();
    await worker?.catch(() => undefined);
    await api?.close();
    await h?.close();
  });

  it('every unit form page: each phase, as first shown and refused with errors; the plan accepted', async () => {
    const [u1] = fx.unitCodes as [string];
    for (const phase of PHASE_IDS) {
      const url = await link(u1, phase);
      const shown = await fetch(base + url);
      expect(shown.status, `${phase} form`).toBe(200);
      check(`form ${phase}`, await shown.text());
      // Every field wrong at once: words where numbers go, an impossible day, required text left empty.
      const bad: Record<string, string> = { requestId: `noraw-${phase}-${suffix}` };
      for (const { path: p, field } of formLeaves(PHASES[phase]!.form)) {
        if (field.kind === 'number') bad[p] = 'nhiều';
        if (field.kind === 'date') bad[p] = '31/02/2027';
      }
      if (phase === 'study') Object.assign(bad, { members: '10', studied: '12', discussionTopic: 'Tự soi, tự sửa' });
      if (phase === 'pledge') Object.assign(bad, { members: '10', withPersonalPlan: '12' });
      if (phase === 'models') Object.assign(bad, { proposals: 'Đồng chí Nguyễn Văn A | cá nhân' });
      typed.push(...Object.values(bad));
      const refused = await fetch(base + url, { method: 'POST', headers: { origin: base }, body: new URLSearchParams(bad) });
      expect(refused.status, `${phase} refused`).toBe(400);
      const page = await refused.text();
      expect(page).toContain('id="form-errors"');
      check(`form ${phase} with errors`, page, typed);
    }
    // A field the browser mangled: the refusal names the field by its label.
    const mangled = await fetch(base + (await link(u1, 'plan')), {
      method: 'POST',
      headers: { origin: base },
      body: new URLSearchParams({ confirmedBy: 'Nguyễn\u0000Văn A' }),
    });
    expect(mangled.status).toBe(400);
    const mangledText = await mangled.text();
    expect(mangledText).toContain('Người xác nhận');
    check('form plan, mangled text', mangledText);

    const accepted = await fetch(base + (await link(u1, 'plan')), {
      method: 'POST',
      headers: { origin: base },
      body: new URLSearchParams({ confirmedBy: 'Nguyễn Văn A, Bí thư', unitPlanNumber: '05-KH/ĐU', requestId: `noraw-ok-${suffix}` }),
    });
    expect(accepted.status).toBe(200);
    typed.push('Nguyễn Văn A, Bí thư', '05-KH/ĐU');
    check('form plan accepted', await accepted.text(), typed);
  }, 120_000);

  it('every console page, with each role; repairs done and refused', async () => {
    const clerk = clients.clerk;
    const [u1, u2] = fx.unitCodes as [string, string];
    // An extension (done) and one to an earlier day (refused by the workflow), so the banner, the audit log and
    // the timeline have both to show.
    // Requests to the operator API with broken fields, as scripts send them: refused, with answers naming the
    // fields by their ids (for whoever fixes the script), and audited; the console's audit log names them in words.
    const apiPost = (action: string, body: unknown) =>
      fetch(`${base}/api/v1/cycles/${cycleId}/units/${u1}/${action}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const brokenBodies: [string, unknown][] = [
      [
        'extend',
        {
          phase: ['plan'],
          newDeadline: '2027-02-30',
          reason: 'Thử yêu cầu sai',
          actor: { id: 'operator:script', via: 'system2' },
          requestId: ['x'],
        },
      ],
      ['exempt', { phase: 'plan', actor: { id: 'operator:script', via: 'api' }, requestId: 'x'.repeat(101) }],
    ];
    for (const [action, body] of brokenBodies) {
      const res = await apiPost(action, body);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toMatch(/requestId: /);
    }
    // A reminder sent again by hand, then an extension (done) and one to an earlier day (refused by the workflow).
    const remind = await clerk.request('POST', '/console/sua-chua/remind', {
      _csrf: await clerk.csrf(),
      cycleId,
      unitCode: u2,
      phase: 'plan',
      reason: 'Đơn vị báo chưa nhận được thư',
      requestId: `noraw-remind-${suffix}`,
      back: `/console/chu-ky/${cycleId}/don-vi/${u2}`,
    });
    expect(remind.status).toBe(303);
    const reminded = await (await clerk.request('GET', remind.headers.get('location')!)).text();
    expect(reminded).toContain('Đã gửi nhắc hạn');
    check('remind: result', reminded, typed);
    // A reminder for a phase the unit does not owe yet: refused, and said in words.
    const notOwed = await clerk.request('POST', '/console/sua-chua/remind', {
      _csrf: await clerk.csrf(),
      cycleId,
      unitCode: u2,
      phase: 'study',
      reason: 'Thử nhắc một giai đoạn chưa mở',
      requestId: `noraw-remind-study-${suffix}`,
      back: `/console/chu-ky/${cycleId}/don-vi/${u2}`,
    });
    const notOwedPage =
      notOwed.status === 303 ? await (await clerk.request('GET', notOwed.headers.get('location')!)).text() : await notOwed.text();
    expect(notOwedPage).toContain('chưa có nghĩa vụ “Học tập” đang mở');
    check('remind refused: result', notOwedPage, typed);
    for (const until of ['2027-04-20', '2027-04-01']) {
      const res = await clerk.request('POST', '/console/sua-chua/extend', {
        _csrf: await clerk.csrf(),
        cycleId,
        unitCode: u2,
        phase: 'plan',
        until,
        reason: 'Đơn vị xin thêm thời gian',
        requestId: `noraw-extend-${until}-${suffix}`,
        back: `/console/chu-ky/${cycleId}/don-vi/${u2}`,
      });
      expect([303, 422], `extend to ${until}`).toContain(res.status);
      const next = res.status === 303 ? await clerk.request('GET', res.headers.get('location')!) : res;
      check(`extend to ${until}: result`, await next.text(), typed);
    }

    const units = (cycle: string, codes: string[]) => codes.map((u) => `/console/chu-ky/${cycle}/don-vi/${u}`);
    const pages = [
      '/console/',
      `/console/chu-ky/${cycleId}`,
      `/console/chu-ky/${cycleId}?status=submitted`,
      `/console/chu-ky/${cycleId}/bieu-do`,
      ...units(cycleId, fx.unitCodes),
      `/console/chu-ky/${seeded.cycleId}`,
      `/console/chu-ky/${seeded.cycleId}?status=overdue&level=2`,
      `/console/chu-ky/${seeded.cycleId}/bieu-do`,
      ...units(seeded.cycleId, seeded.unitCodes),
      '/console/qua-han',
      `/console/qua-han?chu-ky=${seeded.cycleId}&phase=plan&level=1`,
      '/console/bi-ket',
      `/console/bi-ket?chu-ky=${seeded.cycleId}`,
      `/console/bi-ket?chu-ky=${seeded.cycleId}&loai=phase-blocked`,
      '/console/nhat-ky',
      `/console/nhat-ky?chu-ky=${cycleId}&don-vi=${u2}`,
      ...PHASE_IDS.map((p) => `/console/chu-ky/${cycleId}/don-vi/${u1}/ghi-nhan/${p}`),
      '/console/nguoi-dung',
    ];
    let read = 0;
    for (const role of ROLES) {
      for (const p of pages) {
        const res = await clients[role].request('GET', p);
        if (res.status === 403) {
          check(`${role} ${p} (refused)`, await res.text());
          continue;
        }
        expect(res.status, `${role} ${p}`).toBe(200);
        check(`${role} ${p}`, await res.text(), typed);
        read++;
      }
    }
    expect(read).toBeGreaterThan(pages.length * 2);
    // Signed out: the sign-in page, and a wrong password.
    const anon = new Client(base);
    check('sign-in', await (await anon.request('GET', '/console/dang-nhap')).text());

    // The pages said what happened, in words: the stalled causes and the timeline are there to be read.
    const stalled = await (await clerk.request('GET', `/console/bi-ket?chu-ky=${seeded.cycleId}`)).text();
    expect(stalled).toContain(`Kế hoạch: quá hạn`);
    expect(stalled).toContain(`Kế hoạch: không nộp, quá hạn`);
    expect(stalled).toContain('mức 3: ghi nhận không nộp');
    expect(stalled).toContain(`so với hạn ${formatVietnameseDate('2024-03-06')}`);
    expect(stalled).toContain('Báo cáo khắc phục sau kiểm tra của Ủy ban Kiểm tra quá hạn');
    expect(stalled).toContain('U006 (chưa mở)');
    const timeline = await (await clerk.request('GET', `/console/chu-ky/${cycleId}/don-vi/${u1}`)).text();
    expect(timeline).toContain('Nộp Kế hoạch lần 1');
    expect(timeline).toContain('Mở giai đoạn Kế hoạch');
  }, 180_000);

  it('every email template, rendered with realistic data', () => {
    const kinds = fs
      .readdirSync(defaultTemplatesDir())
      .filter((f) => f.endsWith('.subject.txt'))
      .map((f) => f.replace(/\.subject\.txt$/, ''));
    expect(kinds.length).toBeGreaterThanOrEqual(12);
    for (const kind of kinds) {
      for (const variant of [
        { late: false, final: false },
        { late: true, final: true },
      ]) {
        const phase = kind.startsWith('inspection') ? 'inspection-remedy' : 'study';
        const vars = {
          recipientGreeting: 'đồng chí Nguyễn Văn Bí Thư 1',
          committeeName: 'ĐẢNG ỦY KHỐI CÁC CƠ QUAN TỈNH',
          committeeShortName: 'Đảng ủy Khối',
          standingBodyName: 'Ban Tuyên giáo Đảng ủy Khối',
          standingBodyEmail: 'btg@dukhoi.example.vn',
          planNumber: '15-KH/ĐUK',
          planTitle: 'Kế hoạch học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh năm 2027',
          planUrl: 'https://dukhoi.example.vn/ke-hoach-15.pdf',
          phaseTitle: PHASES[phase]!.title,
          summary: PHASES.study!.outcome(
            { members: 95, studied: 90, discussionTopic: 'Tự soi, tự sửa', discussionDate: '2027-03-12' },
            { members: 95 },
            { studyPercent: 98, pledgePercent: 100 },
          ).summary,
          inspectionKind: 'kiểm tra',
          inspectionBody: 'Ủy ban Kiểm tra',
          inspectionReason: 'Không nộp kế hoạch',
          inspectionDateVi: formatVietnameseDate('2027-05-20'),
          conclusion: 'Đơn vị chưa triển khai kế hoạch đúng hạn.',
          remedies: ['Ban hành kế hoạch thực hiện', 'Tổ chức học tập bổ sung'],
          hasRemedies: true,
          remedyDeadlineVi: formatVietnameseDate('2027-06-30'),
          unitName: 'Đảng bộ Sở Tài chính',
          secretaryName: 'Nguyễn Văn Bí Thư 1',
          deadline: '2027-04-09',
          deadlineVi: formatVietnameseDate('2027-04-09'),
          days: 7,
          version: 2,
          late: variant.late,
          reason: 'Đơn vị xin thêm thời gian',
          level2Days: 7,
          level3Days: 14,
          link: 'https://chuky.example.vn/f/abc.def',
          final: variant.final,
        };
        const mail = renderEmail(kind, vars);
        const remedy = PHASES['inspection-remedy']!.outcome(
          { report: 'Đã ban hành kế hoạch và tổ chức học tập bổ sung.', completedOn: '2027-06-15' },
          { members: 95 },
          { studyPercent: 98, pledgePercent: 100 },
        ).summary;
        check(`email ${kind} subject`, mail.subject);
        check(`email ${kind} html`, mail.html);
        check(`email ${kind} text`, mail.text);
        check('remedy summary', remedy);
      }
    }
  });

  it('a scan that could only partly be done says so in Vietnamese (the console shows it)', async () => {
    // PostgreSQL unreachable: the database's kinds fail, Temporal's are scanned.
    const db = createPool(`postgres://chuky@127.0.0.1:${await freePort()}/chuky`);
    try {
      const err = await findStalls({ db, client: h.client, namespace: h.env.temporalNamespace, taskQueue: QUEUE }, { cycleId }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(StallScanError);
      const scan = err as StallScanError;
      expect(scan.message).toMatch(/^could not complete the scan — /);
      expect(scan.messageVi).toMatch(/^không quét được PostgreSQL \(nghĩa vụ quá hạn\): /);
      // The database's own error (ECONNREFUSED…) is quoted as it is: a technical reference, not a word to translate.
      check('partial stall scan', scan.messageVi.replace(/: [^;]*ECONNREFUSED[^;]*/g, ''));
    } finally {
      await db.end();
    }
  });

  it('found nothing', () => {
    expect(found, found.join('\n')).toEqual([]);
  });
});
