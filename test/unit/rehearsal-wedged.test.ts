// How a stalled rehearsal names the workflows holding a task the test server never ended (rehearsal/wedged.ts).
import { describe, expect, it } from 'vitest';
import { eventTypeName } from '../../ops/event-types.js';
import { describeWedged, describeWorkerStatus, endsWithStartedTask } from '../../rehearsal/wedged.js';

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
    const one = describeWedged({ wedged: [{ ...w('chuky/unit/X-2027/U007'), savedTo: '/tmp/x/U007.json' }], count: 1, read: 40 }, 40);
    expect(one).toMatch(
      /^a workflow holds a workflow task that was handed to a worker and never completed, failed or timed out \(all 40 histories read\): /,
    );
    expect(one).toContain(
      "chuky/unit/X-2027/U007 (taken by 10629@vm at 2027-10-29T01:00:05.000Z on the server's clock; history ends TimerFired, " +
        'WorkflowTaskScheduled, WorkflowTaskStarted; saved to /tmp/x/U007.json)',
    );
    expect(one).toContain('does not move its clock while a task is open');
    const many = describeWedged({ wedged: [w('a'), w('b')], count: 7, read: 30 }, 40);
    expect(many).toMatch(/^7 workflows hold .* \(30 of 40 histories read before the look gave up\); the first 2: a \(taken by/);
    expect(describeWedged({ wedged: [], count: 0, read: 7 }, 40)).toBe(
      'no workflow found holding a started task (7 of 40 histories read before the look gave up)',
    );
    expect(describeWedged({ wedged: [], count: 0, read: 40 }, 40)).toBe('no workflow found holding a started task (all 40 histories read)');
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
