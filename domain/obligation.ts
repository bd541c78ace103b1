/**
 * An obligation is one thing a unit owes in one phase (e.g. acknowledge the plan and submit its own
 * implementation plan). These are its states and the records it leaves. Pure types and rules.
 */

export const OBLIGATION_STATUSES = [
  'pending', // chưa đến hạn: not yet due, nothing received
  'overdue', // quá hạn: past the deadline, nothing received, escalation running
  'not_submitted', // không nộp: escalation level 3 reached; still accepts a late submission
  'submitted', // đã nộp đúng hạn
  'late', // nộp chậm: accepted after the deadline
  'exempted', // miễn, with a reason
  'removed', // the unit left the cycle (dissolved, merged), with a reason
] as const;
export type ObligationStatus = (typeof OBLIGATION_STATUSES)[number];

/** 0 = none; 1 = overdue notice sent; 2 = leaders notified, unit flagged; 3 = recorded as not submitted. */
export type EscalationLevel = 0 | 1 | 2 | 3;

/** Vietnamese labels live in the one catalogue of user-facing words. */
export { STATUS_LABEL_VI } from './words.js';

export function isClosed(status: ObligationStatus): boolean {
  return status === 'submitted' || status === 'late' || status === 'exempted' || status === 'removed';
}

/** A submission is late if it arrives at or after the start of the day after the deadline (local time). */
export function isLateAt(submittedAtMs: number, dueAtMs: number): boolean {
  return submittedAtMs >= dueAtMs;
}

/**
 * How long a submission may have waited between the API and the workflow (a worker outage) and still be judged
 * by the moment the API received it. Longer than any outage the unit's browser waits through; short enough that
 * an API process cannot backdate a submission by days.
 */
export const MAX_HELD_MS = 60 * 60 * 1000;

/**
 * The real instant a submission is judged by (on time or late, its make-up date): when the API received it, if
 * the API said so, within `MAX_HELD_MS` before the workflow handles it and never after; else when the workflow
 * handles it. A unit that sends at 23:59 on its deadline is on time, whether or not a worker was up at 23:59.
 */
export function judgedAt(sentAtMs: number | undefined, handledAtMs: number): number {
  if (sentAtMs === undefined || !Number.isFinite(sentAtMs)) return handledAtMs;
  return Math.min(handledAtMs, Math.max(sentAtMs, handledAtMs - MAX_HELD_MS));
}
