// How a stalled rehearsal names the workflows holding a task the test server never ended (rehearsal/wedged.ts).
import { describe, expect, it } from 'vitest';
import { describeWedged, endsWithStartedTask, eventTypeName } from '../../rehearsal/wedged.js';

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

  it('says which workflows hold one and how their histories end, or how much it read when it found none', () => {
    const one = describeWedged(
      { wedged: [{ workflowId: 'chuky/unit/X-2027/U007', lastEvents: ['TimerStarted', 'WorkflowTaskStarted'] }], read: 12 },
      40,
    );
    expect(one).toMatch(/^a workflow holds a workflow task started and never ended/);
    expect(one).toContain('chuky/unit/X-2027/U007 (history ends TimerStarted, WorkflowTaskStarted)');
    expect(one).toContain('sdk-java issues 2606 and 3088');
    const two = describeWedged(
      {
        wedged: [
          { workflowId: 'a', lastEvents: ['WorkflowTaskStarted'] },
          { workflowId: 'b', lastEvents: ['WorkflowTaskStarted'] },
        ],
        read: 2,
      },
      2,
    );
    expect(two).toMatch(/^2 workflows hold /);
    expect(describeWedged({ wedged: [], read: 7 }, 40)).toBe(
      'no workflow found holding a started task (7 of 40 histories read before the look gave up)',
    );
    expect(describeWedged({ wedged: [], read: 40 }, 40)).toBe('no workflow holds a started task (all 40 histories read)');
  });
});
