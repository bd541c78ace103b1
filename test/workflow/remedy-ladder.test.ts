/**
 * An inspection's remedies are held to their deadline by the same ladder as a unit's phases (workflows/ladder.ts),
 * with the fix that had reached only the unit's copy behind its own patch in workflows/inspection.ts,
 * 'remedy-judged-by-sent-time': a remedy report the API received before the deadline, handled after it (a worker
 * outage across midnight), is on time. Time skipping, real PostgreSQL and SMTP, as followups.test.ts. (The other,
 * 'remedy-late-reminder-still-sent', needs a stopped worker: remedy-held-reminder.test.ts.)
 *
 * With CHUKY_RECORD_HISTORIES=vN it records the inspection's run as inspection-remedy-judged-vN.json.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';
import { writeFixture, type Fixture } from '../support/fixtures.js';
import { recordHistories, summarizeHistory, type RawHistoryEvent } from '../support/histories.js';
import { startCycle } from '../../cli/commands/cycle.js';
import { actOnInspection, startInspection } from '../../client/inspection-actions.js';
import { reportRemedyUpdate, type SubmissionReceipt } from '../../workflows/messages.js';
import { localTimeToInstant } from '../../domain/calendar.js';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';

const QUEUE = 'ts-remedy-ladder';
const TZ = 'Asia/Ho_Chi_Minh';
const at = (date: string, hour = 10) => localTimeToInstant(date, hour, TZ);
const op = { id: 'operator:btg', via: 'cli' as const };

describe('remedies on the shared ladder: a remedy report judged by when the API received it (time skipping)', () => {
  let h: Harness;
  let fx: Fixture;
  let cycleId: string;
  let inspectionId: string;
  let receipt: SubmissionReceipt;
  let patches: string[] = [];

  beforeAll(async () => {
    h = await startHarness({ taskQueue: QUEUE, timeSkipping: true });
    fx = writeFixture({
      code: 'TSREMEDY',
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
      await actOnInspection(h.client, inspectionId, 'conclude', {
        conclusion: 'Đơn vị cần khắc phục.',
        remedies: ['Xây dựng kế hoạch thực hiện'],
        remedyDeadline: '2027-02-10',
        actor: op,
        requestId: 'concl-judged-01',
      });
      // The API received the report a minute before midnight on its deadline; the workflow handles it ten
      // minutes after (no worker ran across midnight).
      const dueAt = localTimeToInstant('2027-02-11', 0, TZ);
      await sleepUntil(dueAt + 10 * 60_000);
      const handle = h.client.workflow.getHandle(inspectionId);
      receipt = await handle.executeUpdate(reportRemedyUpdate, {
        args: [
          {
            phase: 'inspection-remedy',
            payload: { report: 'Đơn vị đã ban hành kế hoạch thực hiện.' },
            actor: { id: `unit:${a}`, via: 'web' },
            requestId: 'remedy-judged-1',
            sentAt: dueAt - 60_000,
          },
        ],
        updateId: 'remedy-judged-1',
      });
      await handle.result();
      const history = JSON.parse(historyToJSON(await handle.fetchHistory())) as { events: RawHistoryEvent[] };
      patches = summarizeHistory(history.events).patches;
      await recordHistories(h.client, { 'inspection-remedy-judged': inspectionId });
    });
  });

  afterAll(async () => {
    await h?.close();
  });

  it('judges a remedy report by when the API received it: sent before the deadline, handled after, on time', async () => {
    expect(receipt).toMatchObject({ late: false, status: 'submitted', deadline: '2027-02-10' });
    expect(patches).toContain('remedy-judged-by-sent-time');
    const { rows } = await h.db.query('SELECT status FROM inspections WHERE id = $1', [inspectionId]);
    expect(rows[0].status).toBe('remedied');
    const late = await h.db.query("SELECT late FROM submissions WHERE cycle_id = $1 AND phase = 'inspection-remedy'", [cycleId]);
    expect(late.rows).toEqual([{ late: false }]);
  });
});
