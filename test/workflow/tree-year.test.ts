/**
 * A three-level Party tree runs a whole year under time skipping (issue 17), with real PostgreSQL and SMTP: a
 * province (its units: two committees that run their own cycles in chuky, and one grassroots unit that does not),
 * each committee over three grassroots units. The committees' plans cascade under the province's; an extension
 * granted inside one committee moves that unit's ladder and nothing else; a grassroots unit late with its
 * year-end report makes its committee late toward the province, and both ladders run (the province's overdue
 * notice names where in the committee's tree the delay sits); each committee's year-end report goes up drafted
 * from its closed cycle; and every roll-up figure of the province's year is the sum of its parts, traced by
 * `report explain` down to the grassroots submissions.
 *
 * With CHUKY_RECORD_HISTORIES=vN it records a child cycle's year and the province's unit workflow that received
 * a committee's late report from below (replay.test.ts replays every recording).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCycle } from '../../cli/commands/cycle.js';
import { acknowledgePlan, extendDeadline, submit } from '../../client/unit-actions.js';
import { frozenDataset } from '../../db/frozen.js';
import { localTimeToInstant } from '../../domain/calendar.js';
import { cycleWorkflowId, unitWorkflowId } from '../../domain/ids.js';
import { explainAcrossLevels } from '../../report/explain-levels.js';
import { explainFigure } from '../../report/explain.js';
import { computeFigures, type Figures } from '../../report/figures.js';
import { readAt, UPWARD_FIELDS } from '../../report/upward.js';
import { prepareUpward, submitUpward, upwardFileText } from '../../report/upward-submit.js';
import { closeCycleSignal } from '../../workflows/messages.js';
import { fetchInbox } from '../../stack/smtp-sink.js';
import { writeFixture } from '../support/fixtures.js';
import { startHarness, type Harness } from '../support/harness.js';
import { recordHistories } from '../support/histories.js';

const TZ = 'Asia/Ho_Chi_Minh';
const QUEUE = 'ts-tree-year';
const YEAR = 2027;
const at = (date: string, hour: number) => localTimeToInstant(date, hour, TZ);
const PROV = 'TSTP';
const C1 = 'TSTC1';
const C2 = 'TSTC2';
const cycleOf = (code: string) => `${code}-${YEAR}`;
/** The fixture's member counts (fixtures.ts): 20, 57 and 94 for U001 to U003. */
const MEMBERS: Record<string, number> = { U001: 20, U002: 57, U003: 94 };

const counts = (a: number, b: number, c: number, d: number) => ({
  inspectedOrgs: a,
  inspectedMembers: b,
  supervisedOrgs: c,
  supervisedMembers: d,
});
/** A grassroots unit's year-end report; its figures vary with the unit, so that sums are not multiples. */
const yearEnd = (unit: string, seed: number) => {
  const members = MEMBERS[unit]!;
  return {
    figures: {
      members,
      studied: members - (seed % 3),
      withPersonalPlan: members - (seed % 2),
      keptPledge: members - (seed % 2) - 1,
      violatedPledge: 1,
      modelsBuilt: seed % 4,
      discussionSessions: 2 + seed,
      commendedOrgs: seed % 2,
      commendedMembers: seed,
      proposedOrgs: 0,
      proposedMembers: seed % 3,
      contests: 1,
      contestParticipants: 10 * seed,
      charityVnd: 1_000_000 * seed,
      inspections: { committee: counts(seed % 2, seed, 1, 0), ubkt: counts(0, seed % 3, 0, 1) },
      membersDisciplined: seed % 2,
    },
    narrative: {
      results: `Đơn vị tổ chức học tập chuyên đề đầy đủ, ${seed} buổi sinh hoạt chuyên đề.`,
      limitations: 'Một số đảng viên lớn tuổi chưa tham gia đầy đủ.',
    },
  };
};

describe('a three-level tree over a year (time skipping)', () => {
  let h: Harness;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chuky-tree-year-'));
  const figures: Record<string, Figures> = {};
  const receipts: Record<string, { late: boolean; status: string }> = {};
  let c2UnitPlanLate: boolean | undefined;

  beforeAll(async () => {
    h = await startHarness({ taskQueue: QUEUE, timeSkipping: true });
    const env = h.testEnv!;
    // The province: U001 is committee C1, U002 committee C2 (each 171 members: its three units'), U003 a plain unit.
    const province = writeFixture({
      code: PROV,
      year: YEAR,
      issuedOn: `${YEAR}-01-11`,
      deadline: `${YEAR}-02-26`,
      units: 3,
      phases: [
        { id: 'plan', deadline: `${YEAR}-02-26` },
        { id: 'year-end-report', opensOn: `${YEAR}-10-01`, deadline: `${YEAR}-11-26` },
      ],
    });
    const csv = path.join(path.dirname(province.file), 'units.csv');
    fs.writeFileSync(
      csv,
      fs
        .readFileSync(csv, 'utf8')
        .replace(/^(U001;[^;]*;[^;]*;)20;/m, '$1171;')
        .replace(/^(U002;[^;]*;[^;]*;)57;/m, '$1171;'),
    );
    const committee = (code: string, unit: string) =>
      writeFixture({
        code,
        year: YEAR,
        issuedOn: `${YEAR}-01-15`,
        deadline: `${YEAR}-02-15`,
        units: 3,
        phases: [
          { id: 'plan', deadline: `${YEAR}-02-15` },
          { id: 'year-end-report', opensOn: `${YEAR}-10-01`, deadline: `${YEAR}-11-19` },
        ],
        parent: { committee: PROV, unit },
      });

    await h.run(async () => {
      const sleepUntil = async (ms: number) => {
        const now = await env.currentTimeMs();
        if (ms > now) await env.sleep(ms - now);
      };
      const now = () => env.currentTimeMs();
      const start = (file: string) => startCycle({ db: h.db, client: h.client, taskQueue: QUEUE, configFile: file });
      await start(province.file);
      await start(committee(C1, 'U001').file);
      await start(committee(C2, 'U002').file);

      const ack = async (cycle: string, unit: string, day: string) => {
        await sleepUntil(at(day, 10));
        return acknowledgePlan(h.client, cycle, unit, {
          phase: 'plan',
          actor: { id: `unit:${unit}`, via: 'web' },
          confirmedBy: `Bí thư ${unit}`,
          requestId: `tree-plan-${cycle}-${unit}`,
        });
      };
      // Inside C2, U002 is given until 19 February for its plan: its ladder alone moves.
      await sleepUntil(at(`${YEAR}-02-01`, 10));
      await extendDeadline(h.client, cycleOf(C2), 'U002', {
        phase: 'plan',
        newDeadline: `${YEAR}-02-19`,
        reason: 'Chi bộ đang kiện toàn cấp ủy',
        actor: { id: 'operator:c2-clerk', via: 'cli' },
        requestId: 'tree-extend-c2-u002',
      });
      for (const c of [C1, C2]) for (const u of ['U001', 'U003']) await ack(cycleOf(c), u, `${YEAR}-02-10`);
      await ack(cycleOf(C1), 'U002', `${YEAR}-02-10`);
      c2UnitPlanLate = (await ack(cycleOf(C2), 'U002', `${YEAR}-02-18`)).late;
      for (const u of ['U001', 'U002', 'U003']) await ack(cycleOf(PROV), u, `${YEAR}-02-20`);

      const report = async (cycle: string, unit: string, day: string, seed: number) => {
        await sleepUntil(at(day, 10));
        const r = await submit(
          h.client,
          cycle,
          unit,
          {
            phase: 'year-end-report',
            payload: yearEnd(unit, seed),
            actor: { id: `unit:${unit}`, via: 'web' },
            requestId: `tree-ye-${cycle}-${unit}`,
          },
          await now(),
        );
        receipts[`${cycle}/${unit}`] = r;
      };
      // C2's units report in time; its clerk closes C2 and sends its report up on 17 November, in time.
      await report(cycleOf(C2), 'U001', `${YEAR}-11-02`, 1);
      await report(cycleOf(C2), 'U002', `${YEAR}-11-03`, 2);
      await report(cycleOf(C2), 'U003', `${YEAR}-11-04`, 3);
      await report(cycleOf(C1), 'U001', `${YEAR}-11-05`, 4);
      await report(cycleOf(C1), 'U002', `${YEAR}-11-05`, 5);
      const closeAndSendUp = async (code: string, closeOn: string, sendOn: string) => {
        await sleepUntil(at(closeOn, 17));
        await h.client.workflow
          .getHandle(cycleWorkflowId(cycleOf(code)))
          .signal(closeCycleSignal, { reason: 'Các đơn vị đã báo cáo đủ', actor: 'operator:clerk' });
        await h.client.workflow.getHandle(cycleWorkflowId(cycleOf(code))).result();
        await sleepUntil(at(sendOn, 9));
        const prepared = await prepareUpward(h.db, cycleOf(code));
        const file = path.join(dir, `${code}.yaml`);
        fs.writeFileSync(file, upwardFileText(prepared).replace(/^confirmedBy: .*$/m, 'confirmedBy: Nguyễn Văn An, Phó Bí thư'));
        const sent = await submitUpward(h.db, h.client, {
          childCycleId: cycleOf(code),
          file,
          actor: 'operator:clerk',
          receivedAt: await now(),
        });
        receipts[`${cycleOf(PROV)}/${prepared.parent.unitCode}`] = sent.receipt;
      };
      await closeAndSendUp(C2, `${YEAR}-11-16`, `${YEAR}-11-17`);
      await report(cycleOf(PROV), 'U003', `${YEAR}-11-20`, 6);
      // C1's U003 reports on 30 November: after its own overdue notice (20/11) and level 2 (26/11). By then C1 is
      // overdue toward the province (deadline 26/11), whose notice on 27/11 names U003.
      await report(cycleOf(C1), 'U003', `${YEAR}-11-30`, 7);
      await closeAndSendUp(C1, `${YEAR}-12-01`, `${YEAR}-12-02`);

      // The province's year runs to its end (31/12); then every unit workflow has completed.
      await h.client.workflow.getHandle(cycleWorkflowId(cycleOf(PROV))).result();
      for (const u of ['U001', 'U002', 'U003']) await h.client.workflow.getHandle(unitWorkflowId(cycleOf(PROV), u)).result();
      await recordHistories(h.client, {
        'cycle-child-year': cycleWorkflowId(cycleOf(C1)),
        'unit-upward-late': unitWorkflowId(cycleOf(PROV), 'U001'),
      });
    });
    for (const code of [PROV, C1, C2]) {
      const data = (await frozenDataset(h.db, cycleOf(code)))!;
      expect(data.frozenAt, code).toBeTruthy();
      figures[code] = computeFigures([{ year: YEAR, cycleId: cycleOf(code), data }]);
    }
  }, 600_000);

  afterAll(async () => {
    await h?.close();
  });

  it("rolls up: each committee's report is its cycle's sums, and the province's figures the sums of their parts", async () => {
    const { rows } = await h.db.query<{ unit_code: string; payload: unknown }>(
      "SELECT unit_code, payload FROM submissions WHERE cycle_id = $1 AND phase = 'year-end-report' ORDER BY unit_code",
      [cycleOf(PROV)],
    );
    const sent = new Map(rows.map((r) => [r.unit_code, r.payload]));
    for (const [unit, code] of [
      ['U001', C1],
      ['U002', C2],
    ] as const) {
      for (const field of UPWARD_FIELDS) {
        const sum = field.figureIds(figures[code]!).reduce((n, id) => n + figures[code]!.value(id), 0);
        expect(readAt(sent.get(unit), field.path), `${unit} ${field.path}`).toBe(sum);
      }
    }
    // The province's figure of members who studied: its plain unit's, plus each committee's units'.
    const grassroots = (seeds: number[], units: string[]) => units.reduce((n, u, i) => n + yearEnd(u, seeds[i]!).figures.studied, 0);
    const c2 = grassroots([1, 2, 3], ['U001', 'U002', 'U003']);
    const c1 = grassroots([4, 5, 7], ['U001', 'U002', 'U003']);
    expect(figures[C2]!.value('unit.studied')).toBe(c2);
    expect(figures[C1]!.value('unit.studied')).toBe(c1);
    expect(figures[PROV]!.value('unit.studied')).toBe(c1 + c2 + yearEnd('U003', 6).figures.studied);
    expect(figures[PROV]!.value('unit.members')).toBe(171 + 171 + 94);
    // Each of these province figures is the sum of the two committees' sums and the plain unit's own figure.
    const upward = (code: string, path: string) =>
      UPWARD_FIELDS.find((f) => f.path === path)!
        .figureIds(figures[code]!)
        .reduce((n, id) => n + figures[code]!.value(id), 0);
    for (const [id, path] of [
      ['unit.charityVnd', 'figures.charityVnd'],
      ['unit.violatedPledge', 'figures.violatedPledge'],
      ['models.built', 'figures.modelsBuilt'],
      ['inspection.grassroots.ubkt.supervisedMembers', 'figures.inspections.ubkt.supervisedMembers'],
    ] as const)
      expect(figures[PROV]!.value(id), id).toBe(upward(C1, path) + upward(C2, path) + (readAt(yearEnd('U003', 6), path) as number));

    // Explained across the levels: the committee's addend down to its units' submissions.
    const prov = { year: YEAR, cycleId: cycleOf(PROV), data: (await frozenDataset(h.db, cycleOf(PROV)))! };
    const e = await explainAcrossLevels(h.db, explainFigure(figures[PROV]!, 'unit.studied', [prov]));
    const fromC1 = e.contributions.find((c) => c.source.kind === 'submission' && c.source.unitCode === 'U001')!;
    expect(fromC1.below?.childCycleId).toBe(cycleOf(C1));
    expect(fromC1.below!.parts[0]!.explanation.contributions.map((c) => c.value)).toEqual(
      [4, 5, 7].map((s, i) => yearEnd(['U001', 'U002', 'U003'][i]!, s).figures.studied),
    );
  });

  it('makes a committee late toward the province when one of its units is late, and runs both ladders', async () => {
    expect(receipts[`${cycleOf(C1)}/U003`]).toMatchObject({ late: true });
    expect(receipts[`${cycleOf(PROV)}/U001`]).toMatchObject({ late: true, status: 'late' });
    expect(receipts[`${cycleOf(PROV)}/U002`]).toMatchObject({ late: false });
    const kinds = async (cycle: string, unit: string) =>
      (
        await h.db.query<{ kind: string }>(
          "SELECT kind FROM emails WHERE cycle_id = $1 AND unit_code = $2 AND phase = 'year-end-report' AND status = 'sent' ORDER BY calendar_at",
          [cycle, unit],
        )
      ).rows.map((r) => r.kind);
    expect(await kinds(cycleOf(C1), 'U003')).toEqual(expect.arrayContaining(['overdue', 'escalation2']));
    expect(await kinds(cycleOf(PROV), 'U001')).toContain('overdue');
    expect(await kinds(cycleOf(PROV), 'U002')).not.toContain('overdue');
    // The province's overdue notice to C1 names the grassroots unit the delay sits with.
    const { rows } = await h.db.query<{ message_id: string }>(
      "SELECT message_id FROM emails WHERE cycle_id = $1 AND unit_code = 'U001' AND phase = 'year-end-report' AND kind = 'overdue'",
      [cycleOf(PROV)],
    );
    const notice = (await fetchInbox(h.inboxUrl)).find((m) => m.messageId === rows[0]!.message_id)!;
    expect(notice.text).toContain(`(${cycleOf(C1)}): 2/3 đơn vị trực thuộc đã hoàn thành; chưa hoàn thành: Đảng bộ Sở Y tế 3 (`);
    expect(notice.text).toContain(', mức 2).');
  });

  it('moves what an extension inside a committee should move, and nothing else', async () => {
    const deadline = async (cycle: string, unit: string) =>
      (
        await h.db.query<{ d: string }>(
          "SELECT to_char(deadline, 'YYYY-MM-DD') AS d FROM obligations WHERE cycle_id = $1 AND unit_code = $2 AND phase = 'plan'",
          [cycle, unit],
        )
      ).rows[0]?.d;
    expect(await deadline(cycleOf(C2), 'U002')).toBe(`${YEAR}-02-19`);
    expect(c2UnitPlanLate).toBe(false);
    for (const [cycle, unit, d] of [
      [cycleOf(C2), 'U001', `${YEAR}-02-15`],
      [cycleOf(C1), 'U002', `${YEAR}-02-15`],
      [cycleOf(PROV), 'U002', `${YEAR}-02-26`],
    ] as const)
      expect(await deadline(cycle, unit), `${cycle} ${unit}`).toBe(d);
    // Its reminders were for the new date only; the other committee's U002 kept 15 February's.
    const reminders = async (cycle: string) =>
      (
        await h.db.query<{ email_key: string }>(
          "SELECT email_key FROM emails WHERE cycle_id = $1 AND unit_code = 'U002' AND phase = 'plan' AND kind = 'reminder'",
          [cycle],
        )
      ).rows.map((r) => r.email_key.split('@')[1]);
    expect(new Set(await reminders(cycleOf(C2)))).toEqual(new Set([`${YEAR}-02-19`]));
    expect(new Set(await reminders(cycleOf(C1)))).toEqual(new Set([`${YEAR}-02-15`]));
  });
});
