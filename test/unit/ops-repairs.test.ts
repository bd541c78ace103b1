/** The pure parts of the repairs and the timeline: where a reset goes, what a workflow id and an email key name. */
import { describe, expect, it } from 'vitest';
import { EventType } from '../../ops/event-types.js';
import { parseWorkflowId, resetPoint } from '../../ops/repairs.js';
import { parseEmailKey } from '../../ops/timeline.js';

const T = {
  EVENT_TYPE_WORKFLOW_EXECUTION_STARTED: EventType.WorkflowExecutionStarted,
  EVENT_TYPE_WORKFLOW_TASK_SCHEDULED: EventType.WorkflowTaskScheduled,
  EVENT_TYPE_WORKFLOW_TASK_STARTED: EventType.WorkflowTaskStarted,
  EVENT_TYPE_WORKFLOW_TASK_COMPLETED: EventType.WorkflowTaskCompleted,
  EVENT_TYPE_WORKFLOW_TASK_FAILED: EventType.WorkflowTaskFailed,
  EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED: EventType.WorkflowExecutionSignaled,
};
const ev = (eventId: number, eventType: number, failure?: string) => ({
  eventId,
  eventType,
  ...(failure ? { workflowTaskFailedEventAttributes: { failure: { message: failure } } } : {}),
});

describe('resetPoint', () => {
  it('picks the last completed task before the failing streak', () => {
    const events = [
      ev(1, T.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED),
      ev(2, T.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED),
      ev(3, T.EVENT_TYPE_WORKFLOW_TASK_STARTED),
      ev(4, T.EVENT_TYPE_WORKFLOW_TASK_COMPLETED),
      ev(5, T.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED),
      ev(6, T.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED),
      ev(7, T.EVENT_TYPE_WORKFLOW_TASK_STARTED),
      ev(8, T.EVENT_TYPE_WORKFLOW_TASK_FAILED, 'nondeterminism'),
      ev(9, T.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED),
      ev(10, T.EVENT_TYPE_WORKFLOW_TASK_STARTED),
      ev(11, T.EVENT_TYPE_WORKFLOW_TASK_FAILED, 'again'),
    ];
    expect(resetPoint(events)).toEqual({ completedEventId: 4, failedEventId: 8, failure: 'nondeterminism' });
  });

  it('ignores a failure a later task got past, and refuses when nothing is failing', () => {
    const recovered = [
      ev(4, T.EVENT_TYPE_WORKFLOW_TASK_COMPLETED),
      ev(8, T.EVENT_TYPE_WORKFLOW_TASK_FAILED),
      ev(11, T.EVENT_TYPE_WORKFLOW_TASK_COMPLETED),
    ];
    expect(resetPoint(recovered)).toEqual({ refusal: expect.stringContaining('not failing now') });
    expect(resetPoint([...recovered, ev(15, T.EVENT_TYPE_WORKFLOW_TASK_FAILED, 'new bug')])).toEqual({
      completedEventId: 11,
      failedEventId: 15,
      failure: 'new bug',
    });
    expect(resetPoint([ev(4, T.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)])).toEqual({ refusal: 'no workflow task has failed; nothing to reset' });
    expect(resetPoint([ev(3, T.EVENT_TYPE_WORKFLOW_TASK_FAILED)])).toEqual({ refusal: expect.stringContaining('no completed task') });
  });
});

describe('ids', () => {
  it('reads cycle and unit from workflow ids', () => {
    expect(parseWorkflowId('chuky/unit/DUK-HT-2027/SO-TC')).toEqual({ kind: 'unit', cycleId: 'DUK-HT-2027', unitCode: 'SO-TC' });
    expect(parseWorkflowId('chuky/inspection/DUK-HT-2027/SO-TC/kiem-tra-ubkt')).toEqual({
      kind: 'inspection',
      cycleId: 'DUK-HT-2027',
      unitCode: 'SO-TC',
    });
    expect(parseWorkflowId('chuky/cycle/DUK-HT-2027')).toEqual({ kind: 'cycle', cycleId: 'DUK-HT-2027' });
    expect(parseWorkflowId('something-else')).toEqual({});
  });

  it('reads the purpose of an email from its key', () => {
    expect(parseEmailKey('C-2027/U1/plan/reminder-3d@2027-02-15', 'C-2027', 'U1')).toEqual({
      phase: 'plan',
      name: 'reminder-3d',
      at: '2027-02-15',
    });
    expect(parseEmailKey('C-2027/U1/plan/receipt@2027-02-15#2', 'C-2027', 'U1')).toEqual({
      phase: 'plan',
      name: 'receipt',
      at: '2027-02-15',
      seq: 2,
    });
    // A bulk request id holds a slash; it stays in the '@' part.
    expect(parseEmailKey('C-2027/U1/plan/reminder-manual@bulk-1/U1', 'C-2027', 'U1')).toEqual({
      phase: 'plan',
      name: 'reminder-manual',
      at: 'bulk-1/U1',
    });
    expect(parseEmailKey('C-2027/U2/plan/notice', 'C-2027', 'U1')).toBeUndefined();
  });
});
