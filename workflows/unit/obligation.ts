/**
 * One obligation of a unit's year, from its phase's opening to its close: the opening and its notice, then the
 * ladder (workflows/ladder.ts) with what each of its steps does for a unit.
 */
import { condition, patched } from '@temporalio/workflow';
import { isClosed } from '../../domain/obligation.js';
import { calendarToReal } from '../../domain/clock.js';
import { localTimeToInstant } from '../../domain/calendar.js';
import { SEND_HOUR, type ScheduledStep, type StepKind } from '../../domain/schedule.js';
import type { Obligation, UnitYear } from './year.js';

/** What each step of a unit's ladder does: the email, and from the overdue notice on, the escalation it records. */
function stepsOf(year: UnitYear, o: Obligation): Record<StepKind, (step: ScheduledStep) => Promise<void>> {
  return {
    reminder: async (step) => {
      await year.email(o, 'reminder', { days: step.days, name: step.name });
    },
    overdue: async (step) => {
      o.status = 'overdue';
      o.escalationLevel = 1;
      await year.record(o, 'overdue', 'system');
      await year.email(o, 'overdue', { days: step.days, name: step.name });
    },
    escalation2: async (step) => {
      o.status = 'overdue';
      o.escalationLevel = 2;
      await year.record(o, 'escalation2', 'system', { reason: `Quá hạn ${step.days} ngày` });
      await year.email(o, 'escalation2', { days: step.days, name: step.name });
    },
    escalation3: async (step) => {
      o.status = 'not_submitted';
      o.escalationLevel = 3;
      await year.record(o, 'escalation3', 'system', { reason: `Quá hạn ${step.days} ngày: ghi nhận không nộp` });
      // Level 3 proposes the unit for inspection; the inspection itself is decided by the committee.
      await year.record(o, 'inspection_proposed', 'system', { reason: `Không nộp "${o.title}" sau ${step.days} ngày quá hạn` });
      await year.email(o, 'escalation3', { days: step.days, name: step.name });
    },
  };
}

export async function runObligation(year: UnitYear, o: Obligation): Promise<void> {
  const { clock, timeZone } = year.input;
  const opensAt = calendarToReal(clock, localTimeToInstant(o.spec.opensOn, SEND_HOUR, timeZone));
  if (opensAt > Date.now()) {
    await condition(() => year.closed || isClosed(o.status), opensAt - Date.now());
  }
  if (year.closed) return;
  // A unit that submitted before its phase opened by the calendar gets no opening and no notice. One whose
  // submission came after that moment, while the opening was held up (the worker down when its timer fired),
  // gets both, recorded with the status it has: a fault delays what is sent, it does not change it. (Patched:
  // a store that ran past 08:00 could show an older history such a submission; the call is made only then.)
  const openedAt = localTimeToInstant(o.spec.opensOn, SEND_HOUR, timeZone);
  const heldUp =
    (o.status === 'submitted' || o.status === 'late') &&
    o.submittedAt !== undefined &&
    o.submittedAt >= openedAt &&
    patched('opening-after-held-submission');
  if (!isClosed(o.status) || heldUp) {
    await year.record(o, 'opened', 'system');
    await year.email(o, 'notice');
  }
  o.ladder.start(year.calendarNow());
  await o.ladder.run({
    stopped: () => year.closed || isClosed(o.status),
    // A reminder an outage held up past its moment is still sent before the deadline (only the latest one).
    catchUp: () => patched('late-reminder-still-sent'),
    on: stepsOf(year, o),
  });
}
