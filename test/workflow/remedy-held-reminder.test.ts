/**
 * A remedy reminder whose moment passed while no worker ran is still sent before the remedy deadline: the
 * inspection's remedies run on the shared ladder (workflows/ladder.ts) with its catch-up, behind
 * patched('remedy-late-reminder-still-sent') in workflows/inspection.ts; the inspection's old copy of the ladder
 * (`remainingSteps`) dropped it. The worker is really stopped across two reminders' moments, so this runs on the
 * dev server with a compressed calendar (the time-skipping server does not move its clock while a workflow task
 * waits for a worker), as test/integration/submission-claim.test.ts does for a unit's reminders.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';
import { writeFixture, type Fixture } from '../support/fixtures.js';
import { waitFor } from '../support/processes.js';
import { summarizeHistory, type RawHistoryEvent } from '../support/histories.js';
import { startCycle } from '../../cli/commands/cycle.js';
import { actOnInspection, startInspection } from '../../client/inspection-actions.js';
import { createWorker } from '../../workers/worker.js';
import { calendarToReal, type ClockMap } from '../../domain/clock.js';
import { localTimeToInstant } from '../../domain/calendar.js';
import { cycleWorkflowId } from '../../domain/ids.js';
import { closeCycleSignal } from '../../workflows/messages.js';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';

const QUEUE = `remedy-held-${process.pid}`;
const SECONDS_PER_DAY = 4;
const TZ = 'Asia/Ho_Chi_Minh';
const op = { id: 'operator:btg', via: 'cli' as const };
const REMEDY_DEADLINE = '2027-01-22'; // a Friday; reminders at 08:00 on 15/01 (7 days), 19/01 (3 days), 21/01 (1 day)

describe('a remedy reminder held past its moment by a stopped worker', () => {
  let h: Harness;
  let fx: Fixture;
  let cycleId: string;
  let inspectionId: string;
  let clock: ClockMap;
  let patches: string[] = [];

  const sleepUntilCalendar = (date: string, hour: number) =>
    new Promise((r) => setTimeout(r, Math.max(0, calendarToReal(clock, localTimeToInstant(date, hour, TZ)) - Date.now())));

  beforeAll(async () => {
    h = await startHarness({ taskQueue: QUEUE });
    fx = writeFixture({
      code: `RHELD${process.pid}`,
      issuedOn: '2027-01-11',
      deadline: '2027-02-15',
      units: 1,
      closesOn: '2027-06-30',
      phases: [{ id: 'plan', deadline: '2027-02-15' }],
    });
    const first = h.worker.run();
    const launched = await startCycle({
      db: h.db,
      client: h.client,
      taskQueue: QUEUE,
      configFile: fx.file,
      secondsPerDay: SECONDS_PER_DAY,
    });
    cycleId = launched.cycleId;
    clock = launched.clock;
    ({ inspectionId } = await startInspection({ db: h.db, client: h.client, taskQueue: QUEUE }, cycleId, {
      unitCode: fx.unitCodes[0]!,
      kind: 'kiem-tra',
      body: 'ubkt',
      reason: 'Kiểm tra việc thực hiện kế hoạch năm',
      actor: op,
    }));
    await actOnInspection(h.client, inspectionId, 'conclude', {
      conclusion: 'Đơn vị cần khắc phục.',
      remedies: ['Xây dựng kế hoạch thực hiện'],
      remedyDeadline: REMEDY_DEADLINE,
      actor: op,
      requestId: 'concl-held-01',
    });
    // The conclusion was taken before the first reminder's moment; then no worker until after the second's.
    await waitFor(
      'the conclusion email',
      async () =>
        (await h.db.query("SELECT 1 FROM emails WHERE cycle_id = $1 AND kind = 'inspection-conclusion'", [cycleId])).rows.length > 0,
    );
    await new Promise((r) => setTimeout(r, 1_000)); // the workflow's task after it: the wait for the 7-day reminder
    expect(Date.now()).toBeLessThan(calendarToReal(clock, localTimeToInstant('2027-01-15', 8, TZ)));
    h.worker.shutdown();
    await first;
    await sleepUntilCalendar('2027-01-19', 16);
    const second = await createWorker({ connection: h.nativeConnection, namespace: 'default', deps: h.deps });
    await second.runUntil(async () => {
      await waitFor('the 1-day remedy reminder', async () => (await reminders()).includes('reminder-1d'), 120_000);
      const history = JSON.parse(historyToJSON(await h.client.workflow.getHandle(inspectionId).fetchHistory())) as {
        events: RawHistoryEvent[];
      };
      patches = summarizeHistory(history.events).patches;
    });
  }, 300_000);

  afterAll(async () => {
    if (cycleId)
      await h.client.workflow
        .getHandle(cycleWorkflowId(cycleId))
        .signal(closeCycleSignal, { reason: 'test done', actor: 'operator:test' })
        .catch(() => undefined);
    await h?.close();
  });

  async function reminders(): Promise<string[]> {
    const { rows } = await h.db.query(
      "SELECT email_key FROM emails WHERE cycle_id = $1 AND phase = 'inspection-remedy' AND kind = 'reminder' ORDER BY id",
      [cycleId],
    );
    return rows.map((r) => String(r.email_key).match(/remedy-(reminder-\d+d)/)?.[1] ?? String(r.email_key));
  }

  it('sends the 3-day reminder caught up when a worker is back, then the 1-day one on time', async () => {
    const sent = await reminders();
    // The 7-day reminder goes first when the worker was already waiting for it when it stopped (its timer fired
    // unheard); when the worker stopped before that wait began, only the latest passed reminder goes: "an outage
    // of days sends one". Either way the 3-day reminder is not dropped, which is what the old ladder did.
    expect(sent.slice(-2)).toEqual(['reminder-3d', 'reminder-1d']);
    expect(['reminder-7d,reminder-3d,reminder-1d', 'reminder-3d,reminder-1d']).toContain(sent.join(','));
    expect(patches).toContain('remedy-late-reminder-still-sent');
  });
});
