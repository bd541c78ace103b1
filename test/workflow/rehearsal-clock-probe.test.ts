// On the real time-skipping test server: how its clock moves tells a stalled rehearsal where to look
// (rehearsal/wedged.ts, probeClock). Held by the client, it moves at the wall clock's pace; with nothing holding it
// and a timer a year away, it skips ahead.
import { msToTs } from '@temporalio/common/lib/time.js';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { clockState, describeClock, probeClock, releaseClockHolds } from '../../rehearsal/wedged.js';
import { timeSkippingEnvAt } from '../../stack/test-server.js';

describe("a stalled rehearsal's look at the test server's clock", { timeout: 60_000 }, () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await timeSkippingEnvAt(inject('services').testServerPath);
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it('sees it held while the client holds it', async () => {
    // At the wall's pace, give or take the calls' own time (clockState's margins allow for a loaded machine).
    const probe = await probeClock(() => env.currentTimeMs(), 2_000);
    expect(clockState(probe)).toBe('held');
    expect(describeClock(probe)).toMatch(/: something holds it/);
  });

  it('sees it skip ahead when nothing holds it and a timer waits a year away', async () => {
    const run = Date.now();
    const workflowId = `clock-probe-${run}`;
    // A workflow whose one task is answered, by hand, with a timer a year long: then nothing but that timer is due.
    await env.client.workflow.start('noSuchWorkflowType', { taskQueue: `clock-${run}`, workflowId });
    const task = await env.client.workflowService.pollWorkflowTaskQueue({ namespace: 'default', taskQueue: { name: `clock-${run}` } });
    await env.client.workflowService.respondWorkflowTaskCompleted({
      namespace: 'default',
      taskToken: task.taskToken,
      commands: [
        {
          commandType: temporal.api.enums.v1.CommandType.COMMAND_TYPE_START_TIMER,
          startTimerCommandAttributes: { timerId: '1', startToFireTimeout: msToTs(365 * 86_400_000) },
        },
      ],
    });
    const testService = env.connection.testService;
    if (!testService) throw new Error('a time-skipping environment without its test service');
    // The client lets go of the clock between the probe's two reads: the timer is due at once, so the server
    // jumps to it (afterwards, with nothing queued, it holds its own clock again and moves at the wall's pace).
    let reads = 0;
    const now = async (): Promise<number> => {
      const t = await env.currentTimeMs();
      if (reads++ === 0) await testService.unlockTimeSkipping({});
      return t;
    };
    try {
      const probe = await probeClock(now, 1_000);
      expect(probe!.movedMs).toBeGreaterThan(300 * 86_400_000);
      expect(describeClock(probe)).toMatch(/: it skips ahead freely/);
    } finally {
      await testService.lockTimeSkipping({});
    }
  });

  it('lets go of every hold, and stops where the server refuses', async () => {
    const own = await timeSkippingEnvAt(inject('services').testServerPath);
    try {
      const testService = own.connection.testService;
      if (!testService) throw new Error('a time-skipping environment without its test service');
      // The client's own hold, two more, and the server's own while nothing is queued on its clock.
      await testService.lockTimeSkipping({});
      await testService.lockTimeSkipping({});
      expect(await releaseClockHolds(() => testService.unlockTimeSkipping({}))).toEqual({ released: 4, refused: true });
      // And a cap, for a server that never refuses.
      expect(await releaseClockHolds(() => Promise.resolve(), 5)).toEqual({ released: 5, refused: false });
    } finally {
      await own.teardown();
    }
  });

  it('says so when the server does not answer', async () => {
    expect(await probeClock(() => Promise.reject(new Error('deadline exceeded')), 10)).toBeUndefined();
    expect(describeClock(undefined)).toBe("the test server's clock could not be read");
  });
});
