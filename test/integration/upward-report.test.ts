/**
 * A committee's year-end report to its superior, from its own closed cycle (issue 17), on the real stack: the
 * committee's units report in its child cycle; the cycle closes; `report upward draft` writes the figures summed
 * from it; the clerk's file is refused at its line while unconfirmed, while edited without a reason, and when the
 * superior's own validator refuses a figure — each time with nothing stored; then it is sent through the same
 * Update as any unit's form, recorded once with its edit and reason, and `report explain` in the superior's closed
 * year follows each figure down to the grassroots units' submissions.
 */
import { cliEnvOf } from '../support/cli-env.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startCycle } from '../../cli/commands/cycle.js';
import { submit } from '../../client/unit-actions.js';
import { getCycle } from '../../db/cycles.js';
import { signInToConsole } from '../support/console-session.js';
import { startHarnessWithApi, type HarnessWithApi } from '../support/harness-api.js';
import { unitWorkflowId } from '../../domain/ids.js';
import type { Harness } from '../support/harness.js';
import { writeFixture } from '../support/fixtures.js';
import { chuky, waitFor } from '../support/processes.js';
import { counts, yearEnd } from '../support/year-end.js';

const QUEUE = 'it-upward-report';
const RUN = Date.now().toString(36).slice(-4).toUpperCase();
const YEAR = 2027;
/** A calendar day lasts an hour: the year-end phase is open from the start, and no notice falls due during the test. */
const SECONDS_PER_DAY = 3600;

describe("a committee's year-end report to its superior, drafted from its own closed cycle", () => {
  const services = inject('services');
  const cliEnv = cliEnvOf(services, QUEUE);
  let h: Harness;
  let stack: HarnessWithApi | undefined;
  let base = '';
  /** The draft's payload, as `report upward draft --json` prints it. */
  let drafted: { figures: Record<string, unknown>; narrative: Record<string, string> };
  /** The console's form fields for a payload: "p:<path>" for every figure and paragraph. */
  const formOf = (payload: { figures: Record<string, unknown>; narrative: Record<string, string> }) => {
    const out: Record<string, string> = {};
    const walk = (v: unknown, path: string) => {
      if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, path ? `${path}.${k}` : k);
      else out[`p:${path}`] = String(v);
    };
    walk(payload, '');
    return out;
  };
  let parentId = '';
  let childId = '';
  const workflows: string[] = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chuky-upward-'));
  const draftFile = path.join(dir, 'bao-cao-len.yaml');

  const start = async (file: string) => {
    const started = await startCycle({ db: h.db, client: h.client, taskQueue: QUEUE, configFile: file, secondsPerDay: SECONDS_PER_DAY });
    workflows.push(started.workflowId);
    return started.cycleId;
  };
  const close = async (cycleId: string) => {
    const r = await chuky(['cycle', 'close', '--cycle', cycleId, '--reason', 'Kết thúc năm'], cliEnv);
    expect(r.code, r.stderr).toBe(0);
    await waitFor(
      `${cycleId} frozen`,
      async () => (await h.db.query('SELECT frozen_at FROM cycles WHERE id = $1', [cycleId])).rows[0]?.frozen_at,
      90_000,
    );
  };
  const send = (cycleId: string, unit: string, payload: unknown) =>
    submit(h.client, cycleId, unit, {
      phase: 'year-end-report',
      payload,
      actor: { id: `unit:${unit}`, via: 'api' },
      requestId: `upward-test-${RUN}-${cycleId}-${unit}`,
    });
  const upward = (args: string[]) => chuky(['report', 'upward', ...args], cliEnv);
  const stored = async () => ({
    submissions: (await h.db.query("SELECT count(*)::int AS n FROM submissions WHERE cycle_id = $1 AND unit_code = 'U001'", [parentId]))
      .rows[0].n as number,
    reports: (await h.db.query('SELECT count(*)::int AS n FROM upward_reports WHERE child_cycle_id = $1', [childId])).rows[0].n as number,
  });

  beforeAll(async () => {
    stack = await startHarnessWithApi(QUEUE);
    h = stack.h;
    base = stack.base;
    // The superior: U001 is the committee below (75 members in the superior's list), U002 a plain unit.
    const parent = writeFixture({
      code: `ITUP${RUN}`,
      year: YEAR,
      issuedOn: `${YEAR}-10-01`,
      deadline: `${YEAR}-11-30`,
      units: 2,
      phases: [{ id: 'year-end-report', opensOn: `${YEAR}-10-01`, deadline: `${YEAR}-11-30` }],
    });
    const unitsCsv = path.join(path.dirname(parent.file), 'units.csv');
    fs.writeFileSync(unitsCsv, fs.readFileSync(unitsCsv, 'utf8').replace(/^U001;([^;]*);([^;]*);20;/m, 'U001;$1;$2;75;'));
    parentId = await start(parent.file);
    // The committee's own cycle: two units (20 and 57 members), its year-end report due ten days before the superior's.
    const child = writeFixture({
      code: `ITUC${RUN}`,
      year: YEAR,
      issuedOn: `${YEAR}-10-01`,
      deadline: `${YEAR}-11-20`,
      units: 2,
      phases: [{ id: 'year-end-report', opensOn: `${YEAR}-10-01`, deadline: `${YEAR}-11-20` }],
      parent: { committee: `ITUP${RUN}`, unit: 'U001' },
    });
    childId = await start(child.file);
    workflows.push(...['U001', 'U002'].flatMap((u) => [unitWorkflowId(parentId, u), unitWorkflowId(childId, u)]));
    // Day one of both calendars starts two seconds after its start (cycle-start.ts): the phase is open from then.
    for (const id of [parentId, childId]) {
      const clock = (await getCycle(h.db, id))!.clock;
      const opens = clock.kind === 'compressed' ? clock.realOrigin : 0;
      await waitFor(`${id}'s day one`, async () => Date.now() > opens + 500);
    }
  }, 120_000);

  afterAll(async () => {
    await stack?.stop(workflows, 'upward report test done');
  });

  it('refuses to draft before the committee’s cycle is closed, saying what to do', async () => {
    const r = await upward(['draft', '--cycle', childId, '--out', draftFile]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`${childId} is not closed yet`);
    expect(r.stderr).toContain(`chuky cycle close --cycle ${childId}`);
    const top = await upward(['draft', '--cycle', parentId, '--out', draftFile]);
    expect(top.stderr).toContain(`${parentId} has no superior in chuky`);
  });

  it("drafts the figures from the closed cycle: each the sum of the units' own", async () => {
    await send(childId, 'U001', yearEnd(20, 19, 20, 'Một số đảng viên lớn tuổi chưa tham gia đầy đủ.'));
    await send(childId, 'U002', yearEnd(57, 55, 56, 'Một số đảng viên lớn tuổi chưa tham gia đầy đủ. Tài liệu học tập đến chậm.'));
    await close(childId);
    const r = await upward(['draft', '--cycle', childId, '--out', draftFile]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`chuky report upward submit --cycle ${childId} --file ${draftFile}`);
    const text = fs.readFileSync(draftFile, 'utf8');
    expect(text).toContain('# Tổng số đảng viên: tổng số đảng viên của các đơn vị (unit.members 77)\n  members: 77\n');
    expect(text).toMatch(/\n {2}studied: 74\n/);
    expect(text).toMatch(/\n {2}withPersonalPlan: 76\n/);
    expect(text).toMatch(/\n {2}charityVnd: 4000000\n/);
    // The sentence both units wrote is drafted once.
    expect(text.match(/Một số đảng viên lớn tuổi chưa tham gia đầy đủ\./g)).toHaveLength(1);
    const json = JSON.parse((await upward(['draft', '--cycle', childId, '--json'])).stdout) as {
      parent: unknown;
      units: number;
      payload: { figures: { inspections: unknown } & Record<string, unknown>; narrative: Record<string, string> };
    };
    drafted = json.payload;
    expect(json.parent).toEqual({ cycleId: parentId, unitCode: 'U001' });
    expect(json.units).toBe(2);
    expect(json.payload.figures.inspections).toEqual({ committee: counts(2, 6, 2, 0), ubkt: counts(0, 2, 0, 0) });
  });

  it('refuses an unconfirmed file, an edit without its reason, and what the superior’s form refuses, storing nothing', async () => {
    const draft = fs.readFileSync(draftFile, 'utf8');
    const lineOf = (text: string, re: RegExp) => text.split('\n').findIndex((l) => re.test(l)) + 1;
    const write = (text: string) => fs.writeFileSync(draftFile, text);

    const unconfirmed = await upward(['submit', '--cycle', childId, '--file', draftFile]);
    expect(unconfirmed.code).not.toBe(0);
    expect(unconfirmed.stderr).toContain(
      `${draftFile}:${lineOf(draft, /^confirmedBy:/)}: confirmedBy: Người xác nhận: chưa ghi (họ tên, chức vụ)`,
    );

    const confirmed = draft.replace(/^confirmedBy: .*$/m, 'confirmedBy: Nguyễn Văn An, Phó Bí thư');
    const edited = confirmed.replace(/^ {2}withPersonalPlan: 76$/m, '  withPersonalPlan: 75');
    write(edited);
    const noReason = await upward(['submit', '--cycle', childId, '--file', draftFile]);
    expect(noReason.code).not.toBe(0);
    expect(noReason.stderr).toContain(
      `${draftFile}:${lineOf(edited, /^editReason:/)}: editReason: Lý do chỉnh sửa: chưa ghi, mà 1 mục khác bản dự thảo ` +
        '(figures.withPersonalPlan: 76 → 75)',
    );

    // More members studied than the committee has: the superior's validator refuses it, at the figure's line.
    const impossible = confirmed
      .replace(/^ {2}studied: 74$/m, '  studied: 78')
      .replace(/^editReason: .*$/m, 'editReason: Bổ sung số đảng viên học bù');
    write(impossible);
    const refused = await upward(['submit', '--cycle', childId, '--file', draftFile]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(
      `${draftFile}:${lineOf(impossible, /^ {2}studied: 78$/)}: figures.studied: Số đảng viên đã học tập không được lớn hơn tổng số đảng viên`,
    );
    expect(await stored()).toEqual({ submissions: 0, reports: 0 });
  });

  it("offers the draft as a console form to the committee's clerk only, and refuses an edit without a reason there too", async () => {
    const clerk = await signInToConsole(base, h.db, { role: 'clerk', prefix: 'upward-clerk', committeeCode: `ITUC${RUN}` });
    const page = await (await clerk.get(`/console/chu-ky/${childId}`)).text();
    expect(page).toContain(`href="/console/chu-ky/${childId}/bao-cao-len"`);
    const form = await (await clerk.get(`/console/chu-ky/${childId}/bao-cao-len`)).text();
    expect(form).toContain(`Gửi chu kỳ <b>${parentId}</b> với tư cách đơn vị <b>U001</b>`);
    expect(form).toContain('name="p:figures.members" value="77"');
    expect(form).toContain('Dự thảo 74: đảng viên được học tập ở các đơn vị (kể cả bổ sung)');
    // The superior's clerk (no subtree) does not see the committee's cycle, nor its report page.
    const superiorClerk = await signInToConsole(base, h.db, { role: 'clerk', prefix: 'upward-sup', committeeCode: `ITUP${RUN}` });
    expect((await superiorClerk.get(`/console/chu-ky/${childId}/bao-cao-len`)).status).toBe(404);

    const edited = { ...formOf(drafted), 'p:figures.withPersonalPlan': '75', confirmedBy: 'Nguyễn Văn An, Phó Bí thư', editReason: '' };
    const refused = await clerk.post(`/console/chu-ky/${childId}/bao-cao-len`, edited);
    expect(refused.status).toBe(422);
    expect(await refused.text()).toContain('Lý do chỉnh sửa: chưa ghi, mà 1 mục khác bản dự thảo (figures.withPersonalPlan: 76 → 75)');
    expect(await stored()).toEqual({ submissions: 0, reports: 0 });
  });

  it('sends the confirmed report through the same Update, records the edit and its reason once', async () => {
    const reason = 'Chi bộ U002 báo thiếu một đảng viên có kế hoạch cá nhân';
    const text = fs
      .readFileSync(draftFile, 'utf8')
      .replace(/^ {2}studied: 78$/m, '  studied: 74')
      .replace(/^ {2}withPersonalPlan: 76$/m, '  withPersonalPlan: 77')
      .replace(/^editReason: .*$/m, `editReason: ${reason.normalize('NFD')}`);
    fs.writeFileSync(draftFile, text);
    const sent = await upward(['submit', '--cycle', childId, '--file', draftFile, '--actor', 'clerk-an', '--json']);
    expect(sent.code, sent.stderr).toBe(0);
    const result = JSON.parse(sent.stdout) as { receipt: { version: number; late: boolean }; created: boolean; edits: unknown };
    expect(result).toMatchObject({ receipt: { version: 1, late: false }, created: true });
    expect(result.edits).toEqual([{ field: 'figures.withPersonalPlan', drafted: 76, submitted: 77 }]);

    const { rows: subs } = await h.db.query(
      "SELECT version, actor, via, payload FROM submissions WHERE cycle_id = $1 AND unit_code = 'U001' AND phase = 'year-end-report'",
      [parentId],
    );
    expect(subs).toHaveLength(1);
    expect(subs[0]).toMatchObject({ version: 1, actor: 'unit:U001', via: 'cli' });
    expect(subs[0].payload.figures).toMatchObject({ members: 77, studied: 74, withPersonalPlan: 77 });
    const { rows: audit } = await h.db.query(
      "SELECT actor, reason, details FROM audit_log WHERE cycle_id = $1 AND action = 'submit-upward-report'",
      [parentId],
    );
    expect(audit).toEqual([
      {
        actor: 'operator:clerk-an',
        reason: reason.normalize('NFC'),
        details: expect.objectContaining({ childCycleId: childId, version: 1, editedFields: ['figures.withPersonalPlan'] }),
      },
    ]);

    // The same file again: the same request, nothing stored twice.
    const again = await upward(['submit', '--cycle', childId, '--file', draftFile]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(`U001's year-end report was already sent to ${parentId}: version 1`);
    expect(await stored()).toEqual({ submissions: 1, reports: 1 });
  });

  it('shows in the console what was sent, and the same report sent from the console is the same request', async () => {
    const clerk = await signInToConsole(base, h.db, { role: 'clerk', prefix: 'upward-clerk2', committeeCode: `ITUC${RUN}` });
    const again = await clerk.post(`/console/chu-ky/${childId}/bao-cao-len`, {
      ...formOf(drafted),
      'p:figures.withPersonalPlan': '77',
      confirmedBy: 'Nguyễn Văn An, Phó Bí thư',
      editReason: 'Chi bộ U002 báo thiếu một đảng viên có kế hoạch cá nhân',
    });
    const text = await again.text();
    expect(again.status, text).toBe(200);
    expect(text).toContain(`Bản này đã được gửi trước đó: báo cáo năm của U001 tới ${parentId}, lần 1`);
    expect(text).toContain('Lần 1,');
    expect(text).toContain('người xác nhận: Nguyễn Văn An, Phó Bí thư; sửa 1 mục: Chi bộ U002 báo thiếu một đảng viên có kế hoạch cá nhân');
    expect(await stored()).toEqual({ submissions: 1, reports: 1 });
  });

  it("explains the superior's figures down to the grassroots units' submissions", async () => {
    await send(parentId, 'U002', yearEnd(57, 57, 57, 'Việc viết thu hoạch còn hình thức ở một số đảng viên.'));
    await close(parentId);
    const explain = async (figure: string) => {
      const r = await chuky(['report', 'explain', figure, '--cycle', parentId, '--json'], cliEnv);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as {
        total: number;
        contributions: Array<{
          value: number;
          source: { unitCode: string };
          below?: {
            childCycleId: string;
            editReason?: string;
            drafted: number;
            submitted: number;
            parts: Array<{
              figureId: string;
              explanation: { total: number; contributions: Array<{ value: number; source: { unitCode: string; phase: string } }> };
            }>;
          };
        }>;
      };
    };
    const studied = await explain('unit.studied');
    expect(studied.total).toBe(74 + 57);
    const fromChild = studied.contributions.find((c) => c.source.unitCode === 'U001')!;
    expect(fromChild.value).toBe(74);
    expect(fromChild.below).toMatchObject({ childCycleId: childId, drafted: 74, submitted: 74 });
    expect(fromChild.below!.editReason).toBeUndefined();
    const part = fromChild.below!.parts[0]!;
    expect(part.figureId).toBe('unit.studied');
    // The sum of its parts: the committee's figure is its units' figures, each read from their submission.
    expect(part.explanation.total).toBe(fromChild.value);
    expect(part.explanation.contributions.map((c) => [c.source.unitCode, c.source.phase, c.value])).toEqual([
      ['U001', 'year-end-report', 19],
      ['U002', 'year-end-report', 55],
    ]);
    expect(studied.contributions.find((c) => c.source.unitCode === 'U002')!.below).toBeUndefined();

    // The edited figure says so: the draft's sum, what was sent, and why.
    const plans = (await explain('unit.withPersonalPlan')).contributions.find((c) => c.source.unitCode === 'U001')!;
    expect(plans.below).toMatchObject({
      drafted: 76,
      submitted: 77,
      editReason: 'Chi bộ U002 báo thiếu một đảng viên có kế hoạch cá nhân',
    });
    expect(plans.below!.parts[0]!.explanation.total).toBe(76);

    const text = await chuky(['report', 'explain', 'unit.withPersonalPlan', '--cycle', parentId], cliEnv);
    expect(text.stdout).toContain(`↳ from cycle ${childId}`);
    expect(text.stdout).toContain("edited from the draft's 76 to 77");
  });
});
