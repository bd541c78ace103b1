/**
 * A manual reminder of an inspection's remedy report (the `remindRemedy` Update): an operator reminds the unit
 * now. As for a unit's obligation (workflows/unit/remind.ts), the remedies' ladder decides what it is: an overdue
 * notice once the remedy deadline has passed, else a reminder with the days left. Sent under its own key,
 * `<cycle>/<unit>/inspection-<kind>-<body>/reminder-manual@<requestId>` (the email activity and ops/timeline.ts
 * read `reminder-manual` as a person's reminder), recorded as an 'inspection_manual_reminder' transition with
 * the operator's reason; a repeated request id returns the first result without sending again.
 */
import { daysBetween, instantToLocalDate } from '../../domain/calendar.js';
import type { Remind, ReminderResult } from '../../domain/reminders.js';
import { refuse } from '../refusals.js';
import { REMEDY_PHASE, type Inspection } from './state.js';

/** Refuses what cannot be reminded: another phase, no conclusion with remedies yet, remedies reported or closed. */
export function checkRemedyRemindable(x: Inspection, args: Remind): void {
  if (x.reminders.has(args.requestId)) return; // a repeat returns the first result
  if (args.phase !== REMEDY_PHASE) refuse(`Cuộc kiểm tra chỉ nhắc được báo cáo khắc phục (“${REMEDY_PHASE}”), không nhắc “${args.phase}”`);
  if (!x.conclusion || !x.ladder || !x.remedyDeadline) refuse('Chưa có kết luận yêu cầu khắc phục; chưa có gì để nhắc');
  if (x.status === 'remedied') refuse('Không nhắc: đơn vị đã báo cáo khắc phục');
  if (x.done()) refuse('Không nhắc: cuộc kiểm tra đã kết thúc');
}

export function remindRemedy(x: Inspection, args: Remind): Promise<ReminderResult> {
  const known = x.reminders.get(args.requestId) as Promise<ReminderResult> | undefined;
  if (known) return known;
  const sending = send(x, args);
  x.reminders.set(args.requestId, sending);
  return sending;
}

async function send(x: Inspection, args: Remind): Promise<ReminderResult> {
  const { deadline, dueAt } = x.ladder!;
  const calendarAt = x.calendarNow();
  const today = instantToLocalDate(calendarAt, x.input.timeZone);
  const overdue = calendarAt >= dueAt;
  const kind = overdue ? 'overdue' : 'reminder';
  // As the ladder counts them: days past the deadline (at least 1) once it has passed, else days left.
  const days = overdue ? Math.max(1, daysBetween(deadline, today)) : Math.max(0, daysBetween(today, deadline));
  const key = x.emailKey('reminder-manual', args.requestId);
  const sent = await x.send(kind, key, deadline, { days, reason: args.reason, actor: args.actor.id });
  await x.record('manual_reminder', args.actor.id, args.reason, {
    emailKey: key,
    emailKind: kind,
    messageId: sent.messageId,
    to: sent.to,
    sendStatus: sent.status,
    days,
    via: args.actor.via,
  });
  return { phase: REMEDY_PHASE, kind, days, deadline, emailKey: key, messageId: sent.messageId, to: sent.to, status: sent.status };
}
