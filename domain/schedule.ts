/**
 * Where a reminder is decided: the schedule of one obligation — reminders before the deadline, the overdue
 * notice, and the escalation ladder after it — as calendar instants. The workflow walks this list; an extension
 * recomputes it from the new date, so reminders and escalations move with the deadline. Pure.
 */
import { addDays, effectiveDeadline, localTimeToInstant, type IsoDate, type WorkingCalendar } from './calendar.js';

/** Messages go out at 08:00 local time: the start of an office day, when a secretary reads mail. */
export const SEND_HOUR = 8;

export interface ObligationPolicy {
  reminders: { daysBefore: number[] };
  escalation: { overdueNotice: boolean; level2AfterDays: number; level3AfterDays: number };
}

export type StepKind = 'reminder' | 'overdue' | 'escalation2' | 'escalation3';

export interface ScheduledStep {
  kind: StepKind;
  /** Calendar instant (ms since epoch) at which the step fires. */
  at: number;
  /** For reminders: days before the deadline. For escalations: days after it. */
  days: number;
  /** A stable name for the step, part of the email key. */
  name: string;
}

export interface ObligationTimes {
  /** The deadline the unit is held to, after rolling past weekends and holidays. */
  deadline: IsoDate;
  /** The instant the deadline passes: 00:00 local time on the day after the deadline. */
  dueAt: number;
  steps: ScheduledStep[];
}

export function obligationTimes(params: {
  deadline: IsoDate;
  calendar: WorkingCalendar;
  timeZone: string;
  policy: ObligationPolicy;
}): ObligationTimes {
  const { calendar, timeZone, policy } = params;
  const deadline = effectiveDeadline(params.deadline, calendar);
  const dueAt = localTimeToInstant(addDays(deadline, 1), 0, timeZone);
  const steps: ScheduledStep[] = [];
  for (const days of policy.reminders.daysBefore) {
    if (days <= 0) continue;
    steps.push({
      kind: 'reminder',
      days,
      name: `reminder-${days}d`,
      at: localTimeToInstant(addDays(deadline, -days), SEND_HOUR, timeZone),
    });
  }
  if (policy.escalation.overdueNotice) {
    steps.push({ kind: 'overdue', days: 1, name: 'overdue', at: localTimeToInstant(addDays(deadline, 1), SEND_HOUR, timeZone) });
  }
  const { level2AfterDays, level3AfterDays } = policy.escalation;
  steps.push({
    kind: 'escalation2',
    days: level2AfterDays,
    name: 'escalation-2',
    at: localTimeToInstant(addDays(deadline, level2AfterDays), SEND_HOUR, timeZone),
  });
  steps.push({
    kind: 'escalation3',
    days: level3AfterDays,
    name: 'escalation-3',
    at: localTimeToInstant(addDays(deadline, level3AfterDays), SEND_HOUR, timeZone),
  });
  steps.sort((a, b) => a.at - b.at);
  return { deadline, dueAt, steps };
}

/**
 * The steps still to run at `now`: reminders whose moment has passed are dropped (a unit that joins late is not
 * sent three stale reminders at once), but escalation steps are kept — if the deadline passed before the unit
 * was reached, the escalation still has to be recorded.
 */
export function remainingSteps(times: ObligationTimes, now: number, done: ReadonlySet<string>): ScheduledStep[] {
  return remainingStepsSince(times, now, done, now);
}

/**
 * As `remainingSteps`, for a ladder that has run since `since` (its phase's opening, or its last extension). A
 * reminder whose moment came while the ladder ran but found it held up (the worker or the mail server was down,
 * and the step before it waited) is still sent late while the deadline has not passed: a unit is not left
 * without its last reminder because of an outage. Only the latest such reminder is sent, so an outage of days
 * sends one, not each it missed; reminders due before `since` are dropped as before (the notice covers them).
 */
export function remainingStepsSince(times: ObligationTimes, now: number, done: ReadonlySet<string>, since: number): ScheduledStep[] {
  const passed = times.steps.filter((s) => s.kind === 'reminder' && s.at > since && s.at <= now);
  const latest = passed.at(-1);
  const catchUp = latest && !done.has(latest.name) && now < times.dueAt ? latest : undefined;
  return times.steps.filter((s) => !done.has(s.name) && (s.kind !== 'reminder' || s.at > now || s === catchUp));
}

/**
 * The one step a ladder waits for next at `now` (the first of `remainingStepsSince`): pass `since = now` for the
 * rule before the catch-up (`remainingSteps`), which histories recorded before it still follow.
 */
export function nextStep(times: ObligationTimes, now: number, done: ReadonlySet<string>, since: number): ScheduledStep | undefined {
  return remainingStepsSince(times, now, done, since)[0];
}
