/**
 * A manual reminder of an inspection's remedy report is an Update on the inspection's workflow (`remindRemedy`,
 * workflows/inspection/remind.ts), as a unit's is on the unit's (remind.test.ts): the remedies' ladder decides a
 * reminder or an overdue notice and its days, the email goes under the request's own key and reads as a
 * person's reminder, an 'inspection_manual_reminder' transition records it with the operator's reason, a repeated
 * request sends nothing more, and what cannot be reminded is refused in Vietnamese. `chuky repair remind` for
 * phase 'inspection-remedy' reaches it through the unit's open inspection. Time skipping, real PostgreSQL and SMTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';
import { writeFixture, type Fixture } from '../support/fixtures.js';
import { startCycle } from '../../cli/commands/cycle.js';
import { ActionRefused } from '../../client/unit-actions.js';
import { actOnInspection, remindRemedy, reportRemedy, startInspection } from '../../client/inspection-actions.js';
import { runRepair } from '../../ops/repairs.js';
import type { RepairResult } from '../../ops/types.js';
import { localTimeToInstant } from '../../domain/calendar.js';
import type { Remind, ReminderResult } from '../../domain/reminders.js';

const QUEUE = 'ts-remind-remedy';
const at = (date: string, hour = 10) => localTimeToInstant(date, hour, 'Asia/Ho_Chi_Minh');
const op = { id: 'operator:btg', via: 'cli' as const };

describe('a manual reminder of a remedy report, decided by the inspection’s ladder (time skipping)', () => {
  let h: Harness;
  let fx: Fixture;
  let cycleId: string;
  let inspectionId: string;
  const results: Record<string, ReminderResult> = {};
  const refusals: Record<string, string> = {};
  const repairs: Record<string, RepairResult> = {};

  beforeAll(async () => {
    h = await startHarness({ taskQueue: QUEUE, timeSkipping: true });
    fx = writeFixture({
      code: 'TSREMREM',
      issuedOn: '2027-01-11',
      deadline: '2027-02-15',
      units: 1,
      closesOn: '2027-06-30',
      phases: [{ id: 'plan', deadline: '2027-02-15' }],
    });
    const env = h.testEnv!;
    const sleepUntil = async (ms: number) => {
      const now = await env.currentTimeMs();
      if (ms > now) await env.sleep(ms - now);
    };
    const a = fx.unitCodes[0]!;
    const deps = { db: h.db, client: h.client, namespace: 'default', taskQueue: QUEUE, mail: h.deps };
    const remind = (args: Omit<Remind, 'actor'>) => remindRemedy(h.client, inspectionId, { ...args, actor: op });
    const refused = async (name: string, args: Omit<Remind, 'actor'>) => {
      try {
        await remind(args);
        refusals[name] = 'accepted';
      } catch (err) {
        refusals[name] = err instanceof ActionRefused ? err.message : `not refused in words: ${String(err)}`;
      }
    };
    await h.run(async () => {
      cycleId = (await startCycle({ db: h.db, client: h.client, taskQueue: QUEUE, configFile: fx.file })).cycleId;
      await sleepUntil(at('2027-01-20'));
      ({ inspectionId } = await startInspection({ db: h.db, client: h.client, taskQueue: QUEUE }, cycleId, {
        unitCode: a,
        kind: 'kiem-tra',
        body: 'ubkt',
        reason: 'Kiểm tra việc thực hiện kế hoạch năm',
        actor: op,
      }));
      await refused('before conclusion', { phase: 'inspection-remedy', requestId: 'remind-r-0000', reason: 'Nhắc sớm quá' });
      await actOnInspection(h.client, inspectionId, 'conclude', {
        conclusion: 'Đơn vị cần khắc phục.',
        remedies: ['Xây dựng kế hoạch thực hiện'],
        remedyDeadline: '2027-02-10',
        actor: op,
        requestId: 'concl-remind-01',
      });
      await sleepUntil(at('2027-02-05'));
      results.before = await remind({
        phase: 'inspection-remedy',
        requestId: 'remind-r-0001',
        reason: 'Đơn vị chưa gửi báo cáo khắc phục',
      });
      results.again = await remind({ phase: 'inspection-remedy', requestId: 'remind-r-0001', reason: 'Đơn vị chưa gửi báo cáo khắc phục' });
      await refused('other phase', { phase: 'plan', requestId: 'remind-r-0002', reason: 'Nhắc kế hoạch' });
      await refused('no reason', { phase: 'inspection-remedy', requestId: 'remind-r-0003', reason: ' ' });
      await sleepUntil(at('2027-02-13'));
      // Through `chuky repair remind`: ops/repairs.ts finds the unit's open inspection.
      repairs.after = await runRepair(deps, {
        action: 'remind',
        cycleId,
        unitCode: a,
        phase: 'inspection-remedy',
        reason: 'Đơn vị quá hạn khắc phục, nhắc lần nữa',
        actor: { id: 'tester', role: 'cli' },
        requestId: 'remind-r-0004',
      });
      await reportRemedy(h.client, inspectionId, {
        phase: 'inspection-remedy',
        payload: { report: 'Đơn vị đã ban hành kế hoạch thực hiện.' },
        actor: { id: `unit:${a}`, via: 'web' },
        requestId: 'remedy-rem-0001',
      });
      await h.client.workflow.getHandle(inspectionId).result();
      await refused('remedied', { phase: 'inspection-remedy', requestId: 'remind-r-0005', reason: 'Nhắc sau khi đã báo cáo' });
      repairs.remedied = await runRepair(deps, {
        action: 'remind',
        cycleId,
        unitCode: a,
        phase: 'inspection-remedy',
        reason: 'Nhắc sau khi đã báo cáo',
        actor: { id: 'tester', role: 'cli' },
        requestId: 'remind-r-0006',
      });
    });
  });

  afterAll(async () => {
    await h?.close();
  });

  it('sends a reminder with the days left before the remedy deadline, once per request id, read as a person’s', async () => {
    expect(results.before).toMatchObject({ phase: 'inspection-remedy', kind: 'reminder', days: 5, deadline: '2027-02-10', status: 'sent' });
    expect(results.before!.emailKey).toBe(`${cycleId}/${fx.unitCodes[0]}/inspection-kiem-tra-ubkt/reminder-manual@remind-r-0001`);
    expect(results.before!.to.length).toBeGreaterThan(0);
    expect(results.again).toEqual(results.before);
    const { rows } = await h.db.query('SELECT kind, phase, reason FROM emails WHERE email_key = $1', [results.before!.emailKey]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ kind: 'reminder', phase: 'inspection-remedy' });
    expect(rows[0].reason).toMatch(
      /^báo cáo khắc phục sau kiểm tra \(Ủy ban Kiểm tra\): nhắc hạn thủ công \(chuky remind\) — .*btg.*: Đơn vị chưa gửi báo cáo khắc phục$/,
    );
  });

  it('sends the overdue notice once the remedy deadline has passed, through chuky repair remind', () => {
    expect(repairs.after).toMatchObject({
      ok: true,
      action: 'remind',
      data: { emailKind: 'overdue', days: 3, sendStatus: 'sent', deadline: '2027-02-10' },
    });
    expect((repairs.after!.data as { emailKey: string }).emailKey).toContain('/inspection-kiem-tra-ubkt/reminder-manual@remind-r-0004');
  });

  it('records each reminder as an inspection_manual_reminder transition with the operator and reason', async () => {
    const { rows } = await h.db.query(
      'SELECT actor, reason, phase, data FROM events WHERE cycle_id = $1 AND unit_code = $2 AND kind ' +
        "= 'inspection_manual_reminder' ORDER BY id",
      [cycleId, fx.unitCodes[0]],
    );
    expect(rows.map((r) => [r.actor, r.reason, r.phase, r.data.emailKind, r.data.days, r.data.sendStatus])).toEqual([
      ['operator:btg', 'Đơn vị chưa gửi báo cáo khắc phục', 'inspection-remedy', 'reminder', 5, 'sent'],
      ['operator:tester', 'Đơn vị quá hạn khắc phục, nhắc lần nữa', 'inspection-remedy', 'overdue', 3, 'sent'],
    ]);
  });

  it('refuses in Vietnamese before a conclusion, another phase, a missing reason, and once the remedies are reported', async () => {
    expect(refusals['before conclusion']).toMatch(/Chưa có kết luận yêu cầu khắc phục/);
    expect(refusals['other phase']).toMatch(/chỉ nhắc được báo cáo khắc phục/);
    expect(refusals['no reason']).toMatch(/Lý do/);
    expect(refusals.remedied).toMatch(/cuộc kiểm tra đã kết thúc/);
    expect(repairs.remedied).toMatchObject({ ok: false, outcome: 'refused' });
    expect(repairs.remedied!.message).toMatch(/không có đợt kiểm tra nào đang chờ/);
    // Nothing was sent for any refused request.
    const { rows } = await h.db.query(
      "SELECT email_key FROM emails WHERE cycle_id = $1 AND email_key LIKE '%reminder-manual%' ORDER BY id",
      [cycleId],
    );
    expect(rows.map((r) => r.email_key.replace(/^.*@/, ''))).toEqual(['remind-r-0001', 'remind-r-0004']);
  });
});
