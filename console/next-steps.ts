/**
 * What happens next to an obligation: its next reminder and its next step (reminder, overdue notice or
 * escalation), computed by the same schedule the workflow walks (domain/schedule.ts) from the obligation's
 * current deadline, so an extension moves them exactly as it moves the workflow's timers.
 */
import type { CycleRow } from '../db/cycles.js';
import { phasePolicy } from '../config/phase-lookup.js';
import { calendarToReal, realToCalendar } from '../domain/clock.js';
import { obligationTimes, remainingSteps, type ScheduledStep } from '../domain/schedule.js';

export interface NextStep {
  step: ScheduledStep;
  /** The calendar instant (the committee's calendar). */
  calendarAt: number;
  /** When it happens in real time (differs from calendarAt on a compressed calendar). */
  realAt: number;
}

export interface Upcoming {
  nextReminder?: NextStep;
  nextStep?: NextStep;
}

const OPEN = new Set(['pending', 'overdue', 'launching']);

/**
 * `stepsDone` comes from the live workflow when it answers; without it every step whose moment has not come
 * yet is still to come (a reminder's moment passing is what sends it).
 */
export function upcoming(
  cycle: CycleRow,
  phase: string,
  deadline: string,
  status: string,
  stepsDone?: string[],
  nowMs = Date.now(),
): Upcoming {
  if (!OPEN.has(status) || !deadline || cycle.status === 'closed') return {};
  const def = cycle.definition;
  const times = obligationTimes({ deadline, calendar: def.calendar, timeZone: def.timezone, policy: phasePolicy(def, phase) });
  const now = realToCalendar(cycle.clock, nowMs);
  const left = remainingSteps(times, now, new Set(stepsDone ?? [])).filter((s) => stepsDone || s.at > now);
  const wrap = (step: ScheduledStep | undefined): NextStep | undefined =>
    step ? { step, calendarAt: step.at, realAt: calendarToReal(cycle.clock, step.at) } : undefined;
  const nextReminder = wrap(left.find((s) => s.kind === 'reminder'));
  const nextStep = wrap(left[0]);
  return { ...(nextReminder ? { nextReminder } : {}), ...(nextStep ? { nextStep } : {}) };
}

export const STEP_VI: Record<ScheduledStep['kind'], (days: number) => string> = {
  reminder: (d) => `nhắc hạn (trước ${d} ngày)`,
  overdue: () => 'thông báo quá hạn (mức 1)',
  escalation2: (d) => `báo lãnh đạo (mức 2, quá hạn ${d} ngày)`,
  escalation3: (d) => `ghi nhận không nộp (mức 3, quá hạn ${d} ngày)`,
};
