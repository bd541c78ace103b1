/**
 * The obligation ladder on its own (workflows/ladder.ts), under time skipping: a test workflow
 * (ladder-workflows.ts) runs one ladder and writes its steps down. Its steps come at their moments; a deadline
 * moved starts them again from the new date; an exemption stops them; a submission is judged by when the API
 * received it; a reminder whose moment passed while the step before it was held up (an outage) is caught up
 * before the deadline, and dropped without the catch-up (the rule histories before it follow). The time-skipping
 * server does not move its clock while a workflow task waits for a worker, so the outage here is a step held up
 * (as an email retried while the mail server is down); remedy-held-reminder.test.ts stops the worker itself.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { bundleWorkflowCode, Worker, type WorkflowBundle } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { timeSkippingEnvAt } from '../../stack/test-server.js';
import { bundleOptions } from '../../workers/bundle.js';
import { addDays, instantToLocalDate, localTimeToInstant } from '../../domain/calendar.js';
import type { ObligationPolicy } from '../../domain/schedule.js';
import { exemptSignal, finishSignal, moveUpdate, runQuery, submitUpdate, type LadderRun } from './ladder-workflows.js';

const TZ = 'Asia/Ho_Chi_Minh';
const QUEUE = 'ts-ladder';
const POLICY: ObligationPolicy = {
  reminders: { daysBefore: [7, 3, 1] },
  escalation: { overdueNotice: true, level2AfterDays: 5, level3AfterDays: 10 },
};
const DAY = 86_400_000;
const at8 = (date: string) => localTimeToInstant(date, 8, TZ);

describe('the obligation ladder (time skipping)', () => {
  let env: TestWorkflowEnvironment;
  let bundle: WorkflowBundle;
  let n = 0;

  beforeAll(async () => {
    env = await timeSkippingEnvAt(inject('services').testServerPath);
    bundle = await bundleWorkflowCode({
      ...bundleOptions(),
      workflowsPath: fileURLToPath(new URL('./ladder-workflows.ts', import.meta.url)),
    });
  }, 300_000);

  afterAll(async () => {
    await env?.teardown();
  });

  const worker = () => Worker.create({ connection: env.nativeConnection, taskQueue: QUEUE, workflowBundle: bundle });
  /** The test server's today, and its clock moved on to `ms`. */
  const today = async () => instantToLocalDate(await env.currentTimeMs(), TZ);
  const sleepUntil = async (ms: number) => {
    const now = await env.currentTimeMs();
    if (ms > now) await env.sleep(ms - now);
  };
  const start = (deadline: string, opts: { catchUp?: boolean; bySentTime?: boolean; holdFirstStepMs?: number } = {}) =>
    env.client.workflow.start('ladderWorkflow', {
      taskQueue: QUEUE,
      workflowId: `ladder-${++n}`,
      args: [{ deadline, policy: POLICY, catchUp: opts.catchUp ?? true, bySentTime: opts.bySentTime ?? true, ...opts }],
    });
  /** When each step ran, to the minute: a timer fires a few milliseconds after its moment. */
  const minutes = (ms: number) => Math.floor(ms / 60_000);
  const names = (run: LadderRun) => run.steps.map((s) => s.name);

  it('runs each step at its moment: reminders before the deadline, overdue and escalations after it', async () => {
    const w = await worker();
    const run = await w.runUntil(async () => {
      const deadline = addDays(await today(), 10);
      const handle = await start(deadline);
      await sleepUntil(at8(addDays(deadline, 11)));
      const seen = await handle.query(runQuery);
      await handle.signal(finishSignal);
      await handle.result();
      return { seen, deadline };
    });
    expect(names(run.seen)).toEqual(['reminder-7d', 'reminder-3d', 'reminder-1d', 'overdue', 'escalation-2', 'escalation-3']);
    const d = run.deadline;
    expect(run.seen.steps.map((s) => minutes(s.ranAt))).toEqual([-7, -3, -1, 1, 5, 10].map((days) => minutes(at8(addDays(d, days)))));
  });

  it('moves its steps with an extension, and stops at an exemption', async () => {
    const w = await worker();
    const run = await w.runUntil(async () => {
      const deadline = addDays(await today(), 10);
      const handle = await start(deadline);
      await sleepUntil(at8(addDays(deadline, -3)) + 60_000); // the 7- and 3-day reminders have gone
      const later = addDays(deadline, 10);
      const moved = await handle.executeUpdate(moveUpdate, { args: [{ deadline: later }] });
      expect(moved.deadline).toBe(later);
      // The new ladder's 7-day reminder, and nothing of the old one's 1-day reminder or overdue notice.
      await sleepUntil(at8(addDays(later, -7)) + 60_000);
      await handle.signal(exemptSignal);
      await sleepUntil(at8(addDays(later, 11)));
      const seen = await handle.query(runQuery);
      await handle.signal(finishSignal);
      await handle.result();
      return { seen, deadline, later };
    });
    expect(names(run.seen)).toEqual(['reminder-7d', 'reminder-3d', 'reminder-7d']);
    expect(minutes(run.seen.steps[2]!.ranAt)).toBe(minutes(at8(addDays(run.later, -7))));
    expect(run.seen.stopped).toBe('exempted');
  });

  it('judges a submission by when the API received it, within the hour before the workflow handles it', async () => {
    const w = await worker();
    const results = await w.runUntil(async () => {
      const deadline = addDays(await today(), 5);
      const dueAt = localTimeToInstant(addDays(deadline, 1), 0, TZ);
      const sent = dueAt - 60_000; // a minute before midnight on the deadline
      const out: Record<string, { late: boolean; stamped: boolean }> = {};
      for (const [name, opts, sentAt] of [
        ['stamped', { bySentTime: true }, sent],
        ['unstamped', { bySentTime: true }, undefined],
        ['before the rule', { bySentTime: false }, sent],
      ] as const) {
        const handle = await start(deadline, opts);
        // The workflow handles it 10 minutes after the deadline passed (a worker outage across midnight).
        await sleepUntil(dueAt + 10 * 60_000);
        out[name] = await handle.executeUpdate(submitUpdate, { args: [sentAt === undefined ? {} : { sentAt }] });
        await handle.signal(finishSignal);
        await handle.result();
      }
      // Sent more than an hour before it was handled: judged from an hour before, so late.
      const next = addDays(await today(), 1);
      const handle = await start(next);
      const due = localTimeToInstant(addDays(next, 1), 0, TZ);
      await sleepUntil(due + 2 * 3_600_000);
      out.backdated = await handle.executeUpdate(submitUpdate, { args: [{ sentAt: due - 60_000 }] });
      await handle.signal(finishSignal);
      return out;
    });
    expect(results.stamped).toEqual({ late: false, stamped: true });
    expect(results.unstamped).toEqual({ late: true, stamped: false });
    expect(results['before the rule']).toEqual({ late: true, stamped: false });
    expect(results.backdated).toEqual({ late: true, stamped: true });
  });

  it('catches up the latest reminder an outage held past its moment, before the deadline; without the catch-up it is dropped', async () => {
    const ran: Record<string, LadderRun> = {};
    const w = await worker();
    await w.runUntil(async () => {
      for (const catchUp of [true, false]) {
        const deadline = addDays(await today(), 10);
        // The 7-day reminder held up for five days: past the 3-day reminder's moment.
        const handle = await start(deadline, { catchUp, holdFirstStepMs: 5 * DAY });
        await sleepUntil(at8(addDays(deadline, -1)) + 60_000);
        ran[String(catchUp)] = await handle.query(runQuery);
        await handle.signal(finishSignal);
        await handle.result();
      }
    });
    const deadlineOf = (run: LadderRun) => run.deadline;
    // The 7-day reminder on time, the 3-day one caught up when the hold ended (two days late), the 1-day one on time.
    expect(names(ran.true!)).toEqual(['reminder-7d', 'reminder-3d', 'reminder-1d']);
    expect(minutes(ran.true!.steps[1]!.ranAt)).toBe(minutes(at8(addDays(deadlineOf(ran.true!), -7)) + 5 * DAY));
    // The rule before the catch-up: the 3-day reminder's moment had passed, so it was dropped.
    expect(names(ran.false!)).toEqual(['reminder-7d', 'reminder-1d']);
  });
});
