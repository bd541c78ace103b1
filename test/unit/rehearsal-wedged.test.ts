// How a stalled rehearsal names the workflows holding a task the test server never ended (rehearsal/wedged.ts).
import { msToTs } from '@temporalio/common/lib/time.js';
import { describe, expect, it } from 'vitest';
import { eventTypeName } from '../../ops/event-types.js';
import {
  countPending,
  describeClock,
  describePending,
  describeWedged,
  describeWorkerStatus,
  endsWithStartedTask,
  type PendingWork,
} from '../../rehearsal/wedged.js';

const nothingPending = (described: number): PendingWork => ({
  tasksScheduled: 0,
  activitiesScheduled: 0,
  activitiesStarted: 0,
  examples: [],
  described,
});
const NONE_OF_40 =
  'pending on the server: 0 workflow task(s) scheduled and not handed out, 0 activit(ies) scheduled and not handed out, 0 handed out and not ended (all 40 described)';

describe('a workflow task started and never ended', () => {
  it('is a history whose last event is WorkflowTaskStarted, and nothing else', () => {
    expect(endsWithStartedTask([1, 5, 6])).toBe(true);
    expect(endsWithStartedTask([1, 5, 6, 7, 17, 26, 5, 6])).toBe(true);
    expect(endsWithStartedTask([1, 5, 6, 7])).toBe(false);
    expect(endsWithStartedTask([1, 5])).toBe(false);
    expect(endsWithStartedTask([])).toBe(false);
  });

  it('names event types, and shows an unknown one by its number', () => {
    expect([17, 26, 5, 6].map(eventTypeName)).toEqual([
      'TimerStarted',
      'WorkflowExecutionSignaled',
      'WorkflowTaskScheduled',
      'WorkflowTaskStarted',
    ]);
    expect(eventTypeName(99)).toBe('EventType99');
    expect(eventTypeName(undefined)).toBe('EventType0');
  });

  it('says which workflows hold one, who took it and how their histories end, or how much it read when it found none', () => {
    const w = (workflowId: string) => ({
      workflowId,
      lastEvents: ['TimerFired', 'WorkflowTaskScheduled', 'WorkflowTaskStarted'],
      startedBy: '10629@vm',
      startedAt: '2027-10-29T01:00:05.000Z',
    });
    const one = describeWedged(
      { wedged: [{ ...w('chuky/unit/X-2027/U007'), savedTo: '/tmp/x/U007.json' }], count: 1, read: 40, pending: nothingPending(40) },
      40,
    );
    expect(one).toMatch(
      /^a workflow holds a workflow task that was handed to a worker and never completed, failed or timed out \(all 40 histories read\): /,
    );
    expect(one).toContain(
      "chuky/unit/X-2027/U007 (taken by 10629@vm at 2027-10-29T01:00:05.000Z on the server's clock; history ends TimerFired, " +
        'WorkflowTaskScheduled, WorkflowTaskStarted; saved to /tmp/x/U007.json)',
    );
    expect(one).toContain('does not move its clock while a task is open');
    const many = describeWedged({ wedged: [w('a'), w('b')], count: 7, read: 30, pending: nothingPending(40) }, 40);
    expect(many).toMatch(/^7 workflows hold .* \(30 of 40 histories read before the look gave up\); the first 2: a \(taken by/);
    expect(describeWedged({ wedged: [], count: 0, read: 7, pending: nothingPending(40) }, 40)).toBe(
      `no workflow found holding a started task (7 of 40 histories read before the look gave up); ${NONE_OF_40}`,
    );
    expect(describeWedged({ wedged: [], count: 0, read: 40, pending: nothingPending(40) }, 40)).toBe(
      `no workflow found holding a started task (all 40 histories read); ${NONE_OF_40}`,
    );
    expect(one).toContain(`; ${NONE_OF_40}`);
  });

  it('counts the tasks a history ends waiting on, and the activities a description lists as scheduled or handed out', () => {
    const into = nothingPending(0);
    const ts = (iso: string) => msToTs(Date.parse(iso));
    countPending(
      'U001',
      { eventType: 5, eventTime: ts('2027-10-30T01:00:00Z'), workflowTaskScheduledEventAttributes: { attempt: 1 } },
      {},
      into,
      3,
    );
    countPending(
      'U002',
      { eventType: 6, eventTime: ts('2027-10-30T01:00:01Z'), workflowTaskStartedEventAttributes: { identity: '42@vm' } },
      {
        pendingActivities: [
          { activityId: '1', activityType: { name: 'sendUnitEmail' }, state: 1, attempt: 1 },
          { activityId: '2', activityType: { name: 'recordEvent' }, state: 2, attempt: 2 },
          { activityId: '3', state: 3, attempt: 1 },
        ],
      },
      into,
      3,
    );
    // A history waiting on a timer, with nothing else pending: counted as described, nothing more.
    countPending('U003', { eventType: 17 }, {}, into, 3);
    expect(into).toEqual({
      tasksScheduled: 1,
      activitiesScheduled: 1,
      activitiesStarted: 1,
      described: 3,
      // U002's started task is not here: the scan counts it among the wedged (describeWedged), once.
      examples: [
        'U001: workflow task scheduled at 2027-10-30T01:00:00.000Z, attempt 1',
        'U002: activity sendUnitEmail scheduled, attempt 1',
        'U002: activity recordEvent started, attempt 2',
      ],
    });
    expect(describePending(into, 5)).toBe(
      'pending on the server: 1 workflow task(s) scheduled and not handed out, 1 activit(ies) scheduled and not ' +
        'handed out, 1 handed out and not ended (3 of 5 workflows described); first: U001: workflow task scheduled at ' +
        '2027-10-30T01:00:00.000Z, attempt 1; U002: activity sendUnitEmail scheduled, attempt 1; U002: activity ' +
        'recordEvent started, attempt 2',
    );
  });

  it("reads the test server's clock: held, skipping ahead, or stuck", () => {
    expect(describeClock({ movedMs: 2_010, overMs: 2_003 })).toBe(
      "the test server's clock moved 2.0 s in 2.0 s: something holds it (a task or activity not ended, a timer callback " +
        "still running, or a client's hold)",
    );
    expect(describeClock({ movedMs: 0, overMs: 2_000 })).toBe(
      "the test server's clock moved 0.0 s in 2.0 s: nothing holds it, yet the timer that is due does not run (the " +
        "server's timer pump is stuck)",
    );
    expect(describeClock({ movedMs: 86_400_000, overMs: 2_000 })).toMatch(/moved 86400\.0 s in 2\.0 s: it skips ahead freely/);
    // The edges: a quarter of the wall time still counts as stuck's opposite; three times it plus a second as held.
    expect(describeClock({ movedMs: 500, overMs: 2_000 })).toMatch(/something holds it/);
    expect(describeClock({ movedMs: 499, overMs: 2_000 })).toMatch(/timer pump is stuck/);
    expect(describeClock({ movedMs: 7_000, overMs: 2_000 })).toMatch(/something holds it/);
    expect(describeClock({ movedMs: 7_001, overMs: 2_000 })).toMatch(/skips ahead freely/);
  });

  it('says what the worker held when the year stalled', () => {
    expect(
      describeWorkerStatus({
        runState: 'RUNNING',
        workflowPollerState: 'POLLING',
        hasOutstandingWorkflowPoll: true,
        numInFlightWorkflowActivations: 3,
        numInFlightActivities: 2,
        numInFlightLocalActivities: 1,
        numCachedWorkflows: 1050,
      }),
    ).toBe(
      'the worker (RUNNING, workflow poller POLLING, a poll outstanding) had 3 workflow activation(s), 2 activit(ies) (1 local) in flight and 1050 workflows cached',
    );
  });
});
