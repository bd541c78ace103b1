/**
 * A manual reminder (the `remind` Update): an operator reminds a unit of one obligation now. The ladder's state
 * decides what it is: an overdue notice once the deadline has passed, else a reminder with the days left. Sent
 * under its own email key (one per request), recorded as a 'manual_reminder' transition with the operator's
 * reason; a repeated request id returns the first result without sending again.
 */
import { isClosed } from '../../domain/obligation.js';
import { phaseShort, statusLong } from '../../domain/words.js';
import { calendarToReal } from '../../domain/clock.js';
import { daysBetween, instantToLocalDate, localTimeToInstant } from '../../domain/calendar.js';
import { SEND_HOUR } from '../../domain/schedule.js';
import { emailKey } from '../../domain/ids.js';
import type { Remind, ReminderResult } from '../../domain/reminders.js';
import { refuse } from '../refusals.js';
import { acts } from './activities.js';
import type { UnitYear } from './year.js';

/** Refuses a reminder the unit cannot be sent now: an unknown, unopened or closed obligation, a closed year. */
export function checkRemindable(year: UnitYear, phase: string, requestId: string): void {
  if (year.reminders.has(requestId)) return; // a repeat returns the first result
  const o = year.find(phase);
  if (year.closed) refuse('Chu kỳ của đơn vị đã kết thúc; không nhắc nữa');
  const { clock, timeZone } = year.input;
  if (calendarToReal(clock, localTimeToInstant(o.spec.opensOn, SEND_HOUR, timeZone)) > Date.now()) {
    refuse(`Giai đoạn “${phaseShort(phase)}” chưa mở (mở ngày ${o.spec.opensOn.split('-').reverse().join('/')}); chưa nhắc được`);
  }
  // Submitted, late, exempted or removed: nothing is owed. A unit recorded as not submitted still is.
  if (isClosed(o.status)) refuse(`Không nhắc: “${phaseShort(phase)}” đã ở trạng thái “${statusLong(o.status).toLowerCase()}”`);
}

export function remind(year: UnitYear, args: Remind): Promise<ReminderResult> {
  const known = year.reminders.get(args.requestId) as Promise<ReminderResult> | undefined;
  if (known) return known;
  const sending = send(year, args);
  year.reminders.set(args.requestId, sending);
  return sending;
}

async function send(year: UnitYear, args: Remind): Promise<ReminderResult> {
  const { cycleId, unitCode } = year;
  const o = year.find(args.phase);
  const { deadline, dueAt } = o.ladder;
  const calendarAt = year.calendarNow();
  const today = instantToLocalDate(calendarAt, year.input.timeZone);
  const overdue = calendarAt >= dueAt;
  const kind = overdue ? 'overdue' : 'reminder';
  // As the ladder counts them: days past the deadline (at least 1) once it has passed, else days left.
  const days = overdue ? Math.max(1, daysBetween(deadline, today)) : Math.max(0, daysBetween(today, deadline));
  const key = emailKey({ cycle: cycleId, unit: unitCode, phase: o.phase, kind: 'reminder-manual', deadline: args.requestId });
  const sent = await acts.sendUnitEmail({
    key,
    cycleId,
    unitCode,
    phase: o.phase,
    kind,
    deadline,
    calendarAt,
    days,
    reason: args.reason,
    actor: args.actor.id,
  });
  await year.record(o, 'manual_reminder', args.actor.id, {
    reason: args.reason,
    data: { emailKey: key, emailKind: kind, messageId: sent.messageId, to: sent.to, sendStatus: sent.status, days, via: args.actor.via },
    key,
  });
  return { phase: o.phase, kind, days, deadline, emailKey: key, messageId: sent.messageId, to: sent.to, status: sent.status };
}
