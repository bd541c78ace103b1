/**
 * A manual reminder is an Update on the unit's workflow (`remind`, workflows/unit/remind.ts): the ladder's state
 * decides a reminder or an overdue notice and its days, the email goes under the request's own key, a
 * 'manual_reminder' transition records it with the operator's reason, a repeated request sends nothing more, and
 * the validator refuses in Vietnamese what cannot be reminded. Time skipping, real PostgreSQL and SMTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { startHarness, type Harness } from '../support/harness.js';
import { writeFixture, type Fixture } from '../support/fixtures.js';
import { startCycle } from '../../cli/commands/cycle.js';
import { submit } from '../../client/unit-actions.js';
import { remindUpdate } from '../../workflows/messages.js';
import { unitWorkflowId } from '../../domain/ids.js';
import { localTimeToInstant } from '../../domain/calendar.js';
import type { Remind, ReminderResult } from '../../domain/reminders.js';

const QUEUE = 'ts-remind';
const at = (date: string, hour = 10) => localTimeToInstant(date, hour, 'Asia/Ho_Chi_Minh');
const op = { id: 'operator:btg', via: 'cli' as const };

describe('a manual reminder decided by the ladder (time skipping)', () => {
  let h: Harness;
  let fx: Fixture;
  let cycleId: string;
  const results: Record<string, ReminderResult> = {};
  const refusals: Record<string, string> = {};

  beforeAll(async () => {
    h = await startHarness({ taskQueue: QUEUE, timeSkipping: true });
    fx = writeFixture({
      code: 'TSREMIND',
      issuedOn: '2027-01-11',
      deadline: '2027-02-15',
      units: 2,
      closesOn: '2027-06-30',
      phases: [
        { id: 'plan', deadline: '2027-02-15' },
        { id: 'study', opensOn: '2027-03-01', deadline: '2027-03-31' },
      ],
    });
    const env = h.testEnv!;
    const sleepUntil = async (ms: number) => {
      const now = await env.currentTimeMs();
      if (ms > now) await env.sleep(ms - now);
    };
    const [a, b] = fx.unitCodes as [string, string];
    const remind = (unit: string, args: Omit<Remind, 'actor'>) =>
      h.client.workflow
        .getHandle(unitWorkflowId(cycleId, unit))
        .executeUpdate(remindUpdate, { args: [{ ...args, actor: op }], updateId: args.requestId });
    const refused = async (name: string, unit: string, args: Omit<Remind, 'actor'>) => {
      try {
        await remind(unit, args);
        refusals[name] = 'accepted';
      } catch (err) {
        refusals[name] = err instanceof WorkflowUpdateFailedError ? String(err.cause?.message) : String(err);
      }
    };
    await h.run(async () => {
      cycleId = (await startCycle({ db: h.db, client: h.client, taskQueue: QUEUE, configFile: fx.file })).cycleId;
      await sleepUntil(at('2027-02-05'));
      results.before = await remind(a, { phase: 'plan', requestId: 'remind-a-0001', reason: 'Đơn vị chưa xác nhận kế hoạch' });
      results.again = await remind(a, { phase: 'plan', requestId: 'remind-a-0001', reason: 'Đơn vị chưa xác nhận kế hoạch' });
      await submit(h.client, cycleId, b, {
        phase: 'plan',
        payload: { confirmedBy: 'Bí thư' },
        actor: { id: `unit:${b}`, via: 'web' },
        requestId: 'plan-b-00001',
      });
      await refused('submitted', b, { phase: 'plan', requestId: 'remind-b-0001', reason: 'Nhắc lại' });
      await refused('unknown', a, { phase: 'pledge', requestId: 'remind-a-0002', reason: 'Nhắc lại' });
      await refused('not open', a, { phase: 'study', requestId: 'remind-a-0003', reason: 'Nhắc lại' });
      await refused('no reason', a, { phase: 'plan', requestId: 'remind-a-0004', reason: ' ' });
      await sleepUntil(at('2027-02-19'));
      results.after = await remind(a, { v: 1, phase: 'plan', requestId: 'remind-a-0005', reason: 'Đơn vị quá hạn, nhắc lần nữa' });
    });
  });

  afterAll(async () => {
    await h?.close();
  });

  it('sends a reminder with the days left before the deadline, once per request id', async () => {
    expect(results.before).toMatchObject({ phase: 'plan', kind: 'reminder', days: 10, deadline: '2027-02-15', status: 'sent' });
    expect(results.before!.emailKey).toContain('/plan/reminder-manual@remind-a-0001');
    expect(results.before!.to.length).toBeGreaterThan(0);
    expect(results.again).toEqual(results.before);
    const { rows } = await h.db.query('SELECT kind FROM emails WHERE email_key = $1', [results.before!.emailKey]);
    expect(rows).toEqual([{ kind: 'reminder' }]);
  });

  it('sends an overdue notice once the deadline has passed', async () => {
    expect(results.after).toMatchObject({ kind: 'overdue', days: 4, status: 'sent' });
  });

  it('records each reminder as a manual_reminder transition with the operator and reason', async () => {
    const a = fx.unitCodes[0]!;
    const { rows } = await h.db.query(
      "SELECT actor, reason, data FROM events WHERE cycle_id = $1 AND unit_code = $2 AND kind = 'manual_reminder' ORDER BY id",
      [cycleId, a],
    );
    expect(rows.map((r) => [r.actor, r.reason, r.data.emailKind, r.data.days, r.data.sendStatus])).toEqual([
      ['operator:btg', 'Đơn vị chưa xác nhận kế hoạch', 'reminder', 10, 'sent'],
      ['operator:btg', 'Đơn vị quá hạn, nhắc lần nữa', 'overdue', 4, 'sent'],
    ]);
  });

  it('refuses in Vietnamese a closed obligation, an unknown phase, a phase not yet open, a missing reason', () => {
    expect(refusals.submitted).toMatch(/Không nhắc: .*đã ở trạng thái/);
    expect(refusals.unknown).toMatch(/không có nghĩa vụ/);
    expect(refusals['not open']).toMatch(/chưa mở/);
    expect(refusals['no reason']).toMatch(/Lý do/);
  });
});
