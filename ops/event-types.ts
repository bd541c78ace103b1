/**
 * Wire values of temporal.api.enums.v1.EventType, the ones chuky reads in a history: the stall scan
 * (ops/stalled.ts), the reset point (ops/repairs.ts) and a stalled rehearsal's report (rehearsal/wedged.ts).
 * @temporalio/proto is not a direct dependency, and its CommonJS build has no named exports for Node's ESM loader,
 * so the numbers are written here, once.
 */
export const EventType = {
  WorkflowExecutionStarted: 1,
  WorkflowExecutionCompleted: 2,
  WorkflowTaskScheduled: 5,
  WorkflowTaskStarted: 6,
  WorkflowTaskCompleted: 7,
  WorkflowTaskTimedOut: 8,
  WorkflowTaskFailed: 9,
  ActivityTaskScheduled: 10,
  ActivityTaskStarted: 11,
  ActivityTaskCompleted: 12,
  ActivityTaskFailed: 13,
  ActivityTaskTimedOut: 14,
  TimerStarted: 17,
  TimerFired: 18,
  TimerCanceled: 19,
  MarkerRecorded: 25,
  WorkflowExecutionSignaled: 26,
  WorkflowExecutionTerminated: 27,
  UpsertWorkflowSearchAttributes: 40,
  WorkflowExecutionUpdateAccepted: 41,
  WorkflowExecutionUpdateCompleted: 43,
} as const;

const NAMES: ReadonlyMap<number, string> = new Map(Object.entries(EventType).map(([name, n]) => [n, name]));

/** An event type's name ("TimerFired"), or "EventType<n>" for one not listed above. */
export function eventTypeName(type: number | null | undefined): string {
  return NAMES.get(type ?? 0) ?? `EventType${String(type ?? 0)}`;
}
