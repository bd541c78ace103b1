/**
 * What an outage of the worker or the mail server does to a unit's obligations, on the real stack.
 *
 * 1. A submission that reaches the unit workflow in the same workflow task as its phase's opening: the worker was
 * down when the opening's timer fired, and a unit submitted meanwhile (the fault suite's full run saw this after
 * worker kills). The obligation is the unit's from the moment its submission is accepted, so the opening must not
 * record it as pending again or start its reminders; the phase's notice still goes, as it would have without the
 * outage. Real dev server, PostgreSQL and SMTP; the worker is stopped and a second one started, as an operator's
 * restart would.
 * 2. A reminder held up past its moment by a mail server outage (the reminder before it could not be sent) is still
 *    sent late, while the deadline has not passed, instead of being dropped.
 * 3. A submission the API received before the deadline, while no worker ran until after it, is on time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';
import { writeFixture, type Fixture } from '../support/fixtures.js';
import { waitFor } from '../support/processes.js';
import { startCycle } from '../../cli/commands/cycle.js';
import { calendarToReal } from '../../domain/clock.js';
import { localTimeToInstant } from '../../domain/calendar.js';
import { cycleWorkflowId, unitWorkflowId } from '../../domain/ids.js';
import { closeCycleSignal, unitViewQuery } from '../../workflows/messages.js';
import { createWorker, workflowBundle } from '../../workers/worker.js';
import { createMailer } from '../../mail/transport.js';
import { freePort } from '../../stack/ports.js';
import { Worker } from '@temporalio/worker';
import { samplePayload } from '../../rehearsal/payloads.js';
import { submit } from '../../client/unit-actions.js';

const QUEUE = 'it-submission-claim';
const SECONDS_PER_DAY = 6;

describe('a submission handled with its phase opening in one workflow task', () => {
  let h: Harness;
  let fx: Fixture;
  let cycleId = '';
  let lateCycleId = '';
  let deadlineCycleId = '';

  beforeAll(async () => {
    h = await startHarness({ taskQueue: QUEUE });
    fx = writeFixture({
      code: 'ITCLAIM',
      issuedOn: '2027-03-01',
      deadline: '2027-03-20',
      closesOn: '2027-03-31',
      units: 2,
      reminders: [7, 3, 1],
      phases: [
        { id: 'plan', opensOn: '2027-03-01', deadline: '2027-03-20' },
        { id: 'study', opensOn: '2027-03-03', deadline: '2027-03-20' },
      ],
    });
  });

  afterAll(async () => {
    for (const id of [cycleId, lateCycleId, deadlineCycleId].filter(Boolean)) {
      await h.client.workflow
        .getHandle(cycleWorkflowId(id))
        .signal(closeCycleSignal, { reason: 'test done', actor: 'operator:test' })
        .catch(() => undefined);
    }
    await h?.close();
  });

  it('keeps the obligation submitted, sends its notice as without the outage, and no reminder', async () => {
    // Worker one: the cycle launches and its plan phase opens.
    const first = h.worker.run();
    const launched = await startCycle({
      db: h.db,
      client: h.client,
      taskQueue: QUEUE,
      configFile: fx.file,
      secondsPerDay: SECONDS_PER_DAY,
    });
    cycleId = launched.cycleId;
    await waitFor('the plan phase to open for both units', async () => {
      const { rows } = await h.db.query(
        "SELECT count(*)::int AS n FROM events WHERE cycle_id = $1 AND kind = 'opened' AND phase = 'plan'",
        [cycleId],
      );
      return rows[0].n === 2;
    });
    h.worker.shutdown();
    await first;

    // No worker while the study phase's opening falls due; a unit submits meanwhile.
    const studyOpensAt = calendarToReal(launched.clock, localTimeToInstant('2027-03-03', 8, 'Asia/Ho_Chi_Minh'));
    await new Promise((r) => setTimeout(r, Math.max(0, studyOpensAt - Date.now()) + 1_500));
    const unit = h.client.workflow.getHandle(unitWorkflowId(cycleId, 'U001'));
    const sample = { code: 'U001', name: 'Đảng bộ thử', members: 20 }; // the units list's count: a far one needs a reason
    // Through the API's own call, which stamps when it received the submission.
    const submitted = submit(h.client, cycleId, 'U001', {
      phase: 'study',
      payload: samplePayload('study', sample, { date: '2027-03-03' }),
      actor: { id: 'unit:U001', via: 'api' },
      requestId: 'claim-U001-study-1',
    });

    // Worker two takes the opening's timer and the submission in one task.
    const second = await createWorker({ connection: h.nativeConnection, namespace: 'default', deps: h.deps });
    const receipt = await second.runUntil(async () => {
      const r = await submitted;
      // The other unit's opening proves the task ran past the opening; give U001's own a moment to act too.
      await waitFor('U002 to open its study phase', async () => {
        const { rows } = await h.db.query(
          "SELECT 1 FROM events WHERE cycle_id = $1 AND unit_code = 'U002' AND phase = 'study' AND kind = 'opened'",
          [cycleId],
        );
        return rows.length > 0;
      });
      await new Promise((res) => setTimeout(res, 2_000));
      return { ...r, view: await unit.query(unitViewQuery) };
    });
    expect(receipt.status).toBe('submitted');
    expect(receipt.view.obligations.find((o) => o.phase === 'study')?.status).toBe('submitted');

    const row = (
      await h.db.query("SELECT status, last_event FROM obligations WHERE cycle_id = $1 AND unit_code = 'U001' AND phase = 'study'", [
        cycleId,
      ])
    ).rows[0];
    expect(row.status).toBe('submitted');
    // The opening ran after the submission was taken, and recorded the unit as it was: submitted.
    const events = (
      await h.db.query(
        "SELECT kind, status FROM events WHERE cycle_id = $1 AND unit_code = 'U001' AND phase = 'study' ORDER BY calendar_at, id",
        [cycleId],
      )
    ).rows;
    expect(events.map((e) => e.kind)).toEqual(['submitted', 'opened']);
    expect(events.map((e) => e.status)).toEqual(['submitted', 'submitted']);
    const emails = (
      await h.db.query("SELECT kind FROM emails WHERE cycle_id = $1 AND unit_code = 'U001' AND phase = 'study' ORDER BY id", [cycleId])
    ).rows.map((r) => r.kind);
    expect(emails.sort()).toEqual(['notice', 'receipt']);

    // The case under test happened: the opening's timer fired before the task that accepted the submission,
    // and the claim's patch marker is in the history, which today's code replays.
    const history = await unit.fetchHistory();
    const historyEvents = history.events!;
    const accepted = historyEvents.findIndex((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
    const started = historyEvents.slice(0, accepted).findLastIndex((e) => e.workflowTaskStartedEventAttributes);
    const fired = historyEvents.slice(0, started).findLastIndex((e) => e.timerFiredEventAttributes);
    const completedBefore = historyEvents.slice(0, started).findLastIndex((e) => e.workflowTaskCompletedEventAttributes);
    expect(fired).toBeGreaterThan(completedBefore);
    const markers = historyEvents.flatMap((e) =>
      Object.values(e.markerRecordedEventAttributes?.details ?? {})
        .flatMap((d) => d.payloads ?? [])
        .map((p) => Buffer.from(p.data ?? []).toString()),
    );
    expect(markers.join('\n')).toContain('submission-claims-obligation-before-store');
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, unitWorkflowId(cycleId, 'U001'));
  }, 120_000);

  it('sends a reminder a mail server outage held past its moment, before the deadline', async () => {
    const lateFx = writeFixture({
      code: 'ITLATEREM',
      issuedOn: '2027-03-01',
      deadline: '2027-03-08',
      closesOn: '2027-03-31',
      units: 1,
      reminders: [4, 2],
    });
    const secondsPerDay = 5;
    const tz = 'Asia/Ho_Chi_Minh';
    const sentKeys = async () =>
      (await h.db.query("SELECT email_key FROM emails WHERE cycle_id = $1 AND status = 'sent' ORDER BY sent_at", [lateCycleId])).rows.map(
        (r) => String(r.email_key),
      );

    // Its own task queue, so that this test's workers are its own whatever ran before.
    const deps = { ...h.deps, taskQueue: `${QUEUE}-late` };
    // A worker with a working mail server until the unit has its notice.
    const good = await createWorker({ connection: h.nativeConnection, namespace: 'default', deps });
    const launched = await good.runUntil(async () => {
      const l = await startCycle({ db: h.db, client: h.client, taskQueue: deps.taskQueue, configFile: lateFx.file, secondsPerDay });
      lateCycleId = l.cycleId;
      await waitFor('the notice', async () => (await sentKeys()).some((k) => k.includes('/plan/notice')));
      return l;
    });
    const real = (date: string) => calendarToReal(launched.clock, localTimeToInstant(date, 8, tz));

    // Then one whose mail server refuses connections, from before the 4-day reminder until past the 2-day one.
    const refused = createMailer(`smtp://127.0.0.1:${await freePort()}`);
    const down = await createWorker({ connection: h.nativeConnection, namespace: 'default', deps: { ...deps, mailer: refused } });
    await down.runUntil(() => new Promise((r) => setTimeout(r, Math.max(0, real('2027-03-06') - Date.now()) + 500)));
    refused.close();
    expect(await sentKeys()).not.toContainEqual(expect.stringContaining('reminder-4d'));

    // The mail server is back: the held 4-day reminder goes, and the 2-day one after it, late but before the deadline.
    const back = await createWorker({ connection: h.nativeConnection, namespace: 'default', deps });
    await back.runUntil(() => waitFor('both reminders', async () => (await sentKeys()).some((k) => k.includes('reminder-2d')), 30_000));
    const keys = await sentKeys();
    expect(keys.map((k) => k.replace(/^.*\/plan\//, '').replace(/@.*$/, ''))).toEqual(['notice', 'reminder-4d', 'reminder-2d']);
    const sentAt = (await h.db.query("SELECT sent_at FROM emails WHERE cycle_id = $1 AND email_key LIKE '%reminder-2d%'", [lateCycleId]))
      .rows[0].sent_at as Date;
    expect(sentAt.getTime()).toBeGreaterThan(real('2027-03-06'));
    expect(sentAt.getTime()).toBeLessThan(calendarToReal(launched.clock, localTimeToInstant('2027-03-09', 0, tz)));
  }, 120_000);

  it('takes a submission the API received before the deadline as on time, though no worker ran until after it', async () => {
    const fx3 = writeFixture({
      code: 'ITSENTAT',
      issuedOn: '2027-03-01',
      deadline: '2027-03-03',
      closesOn: '2027-03-31',
      units: 1,
      reminders: [1],
    });
    const tz = 'Asia/Ho_Chi_Minh';
    const deps = { ...h.deps, taskQueue: `${QUEUE}-sentat` };
    const first3 = await createWorker({ connection: h.nativeConnection, namespace: 'default', deps });
    const launched = await first3.runUntil(async () => {
      const l = await startCycle({ db: h.db, client: h.client, taskQueue: deps.taskQueue, configFile: fx3.file, secondsPerDay: 5 });
      deadlineCycleId = l.cycleId;
      await waitFor(
        'the plan phase to open',
        async () => (await h.db.query("SELECT 1 FROM events WHERE cycle_id = $1 AND kind = 'opened'", [l.cycleId])).rows.length > 0,
      );
      return l;
    });
    // 00:00 on the day after the deadline: from then on a submission is late.
    const dueAt = calendarToReal(launched.clock, localTimeToInstant('2027-03-04', 0, tz));
    expect(dueAt - Date.now()).toBeGreaterThan(3_000);

    // No worker from here; the unit sends its plan a second before the deadline passes.
    await new Promise((r) => setTimeout(r, dueAt - Date.now() - 1_000));
    const sent = submit(h.client, deadlineCycleId, 'U001', {
      phase: 'plan',
      payload: samplePayload('plan', { code: 'U001', name: 'Đảng bộ thử', members: 30 }, { date: '2027-03-03' }),
      actor: { id: 'unit:U001', via: 'web' },
      requestId: 'sentat-U001-plan-1',
    });
    await new Promise((r) => setTimeout(r, 2_500));
    expect(Date.now()).toBeGreaterThan(dueAt);

    const next = await createWorker({ connection: h.nativeConnection, namespace: 'default', deps });
    const receipt = await next.runUntil(async () => {
      const r = await sent;
      await waitFor(
        'the receipt',
        async () =>
          (await h.db.query("SELECT 1 FROM emails WHERE cycle_id = $1 AND kind = 'receipt' AND status = 'sent'", [deadlineCycleId])).rows
            .length > 0,
      );
      return r;
    });
    expect(receipt).toMatchObject({ status: 'submitted', late: false });
    const stored = (await h.db.query('SELECT late FROM submissions WHERE cycle_id = $1', [deadlineCycleId])).rows;
    expect(stored).toEqual([{ late: false }]);
    expect(
      (await h.db.query("SELECT status FROM obligations WHERE cycle_id = $1 AND phase = 'plan'", [deadlineCycleId])).rows[0].status,
    ).toBe('submitted');
  }, 120_000);
});
