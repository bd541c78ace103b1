/**
 * What a unit workflow answers: each Update's validator (refusals in Vietnamese, before anything reaches history)
 * and its handler, a few calls on the unit's state (workflows/unit/year.ts). Every handler takes its argument's
 * shape by version (`byVersion`): only version 1 exists; a second shape would get its own entry there.
 */
import { currentUpdateInfo, setHandler } from '@temporalio/workflow';
import { isClosed } from '../../domain/obligation.js';
import { statusLong, viDate } from '../../domain/words.js';
import { compareDates } from '../../domain/calendar.js';
import {
  acknowledgePlanSchema,
  exemptSchema,
  extendDeadlineSchema,
  removeUnitSchema,
  submitSchema,
  type Submit,
} from '../../domain/submissions.js';
import { remindSchema } from '../../domain/reminders.js';
import { messageVersion, parseArgs, refuse } from '../refusals.js';
import {
  acknowledgePlanUpdate,
  closeUnitSignal,
  emailBouncedSignal,
  exemptUpdate,
  extendDeadlineUpdate,
  remindUpdate,
  removeUnitUpdate,
  submitUpdate,
  unitViewQuery,
} from '../messages.js';
import { accept, checkSubmittable, parsePayload } from './submissions.js';
import { checkRemindable, remind } from './remind.js';
import type { UnitYear } from './year.js';

/** The handler for each version of an argument's shape; absent `v` is 1. Returns the handler's own promise. */
function byVersion<R>(versions: { 1: (raw: unknown) => R }): (raw: unknown) => R {
  return (raw) => versions[messageVersion(raw)](raw);
}

export function setUnitHandlers(year: UnitYear): void {
  const { input } = year;
  /**
   * A submission as its validator parsed it, by Update id, for the handler that runs right after it in the same
   * activation: the payload is parsed once at the HTTP edge and once here, then trusted. A handler finds nothing
   * on replay (validators do not run then) and parses the recorded argument itself, to the same result.
   */
  const validated = new Map<string, { args: Submit; parsed: ReturnType<typeof parsePayload> }>();

  setHandler(unitViewQuery, () => ({ ...year.unitView(), facts: year.checkedFacts }));

  setHandler(
    submitUpdate,
    byVersion({
      1: async (raw) => {
        const updateId = currentUpdateInfo()?.id;
        const known = updateId !== undefined ? validated.get(updateId) : undefined;
        if (updateId !== undefined) validated.delete(updateId);
        const args = known?.args ?? parseArgs(submitSchema, raw);
        const o = year.find(args.phase);
        const seen = o.seenRequests.get(args.requestId);
        if (seen) return seen; // a retried request is the same submission
        const { payload, outcome } = known?.parsed ?? parsePayload(year, args.phase, args.payload);
        return accept(year, o, args, payload, outcome);
      },
    }),
    {
      validator: (raw) => {
        messageVersion(raw, true);
        const args = parseArgs(submitSchema, raw);
        checkSubmittable(year, args.phase, args.requestId, args.sentAt);
        const parsed = parsePayload(year, args.phase, args.payload, true);
        const updateId = currentUpdateInfo()?.id;
        if (updateId !== undefined) validated.set(updateId, { args, parsed });
      },
    },
  );

  setHandler(
    acknowledgePlanUpdate,
    byVersion({
      1: async (raw) => {
        const args = parseArgs(acknowledgePlanSchema, raw);
        const o = year.find(args.phase);
        const seen = o.seenRequests.get(args.requestId);
        if (seen) return seen; // a retried request is the same submission
        const payload = { confirmedBy: args.confirmedBy, unitPlanNumber: args.unitPlanNumber ?? null, note: args.note ?? null };
        return accept(year, o, args, payload);
      },
    }),
    {
      validator: (raw) => {
        messageVersion(raw, true);
        const args = parseArgs(acknowledgePlanSchema, raw);
        checkSubmittable(year, args.phase, args.requestId, args.sentAt);
      },
    },
  );

  setHandler(
    extendDeadlineUpdate,
    byVersion({
      1: async (raw) => {
        const args = parseArgs(extendDeadlineSchema, raw);
        const o = year.find(args.phase);
        // Reminders and escalations move with the deadline: the ladder starts again from the new date.
        o.ladder.move(args.newDeadline, year.calendarNow());
        o.escalationLevel = 0;
        if (!isClosed(o.status)) o.status = 'pending';
        await year.record(o, 'extended', args.actor.id, {
          reason: args.reason,
          data: { newDeadline: o.ladder.deadline },
          key: year.requestKey(o, args.requestId),
        });
        year.outbox.push(() => year.email(o, 'extension', { reason: args.reason, actor: args.actor.id }));
        return year.view(o);
      },
    }),
    {
      validator: (raw) => {
        messageVersion(raw, true);
        const args = parseArgs(extendDeadlineSchema, raw);
        const o = year.find(args.phase);
        if (year.closed) refuse('Chu kỳ đã kết thúc');
        if (isClosed(o.status)) refuse(`Nghĩa vụ đã đóng (${statusLong(o.status).toLowerCase()}), không thể gia hạn`);
        if (compareDates(args.newDeadline, o.ladder.deadline) <= 0)
          refuse(`Hạn mới (${viDate(args.newDeadline)}) phải sau hạn hiện tại (${viDate(o.ladder.deadline)})`);
        const latest = year.latestDeadline(o.spec.policy);
        if (latest && compareDates(args.newDeadline, latest) > 0) {
          refuse(
            `Hạn mới (${viDate(args.newDeadline)}) quá muộn: chu kỳ kết thúc ` +
              `ngày ${viDate(input.closesOn)}, nên hạn chậm nhất là ${viDate(latest)} (để ` +
              `còn ${o.spec.policy.escalation.level3AfterDays} ngày nhắc và đôn đốc)`,
          );
        }
      },
    },
  );

  setHandler(
    exemptUpdate,
    byVersion({
      1: async (raw) => {
        const args = parseArgs(exemptSchema, raw);
        const o = year.find(args.phase);
        o.status = 'exempted';
        o.exemptReason = args.reason;
        await year.record(o, 'exempted', args.actor.id, { reason: args.reason, key: year.requestKey(o, args.requestId) });
        year.outbox.push(() => year.email(o, 'exemption', { reason: args.reason, actor: args.actor.id }));
        return year.view(o);
      },
    }),
    {
      validator: (raw) => {
        messageVersion(raw, true);
        const args = parseArgs(exemptSchema, raw);
        const o = year.find(args.phase);
        if (isClosed(o.status)) refuse(`Nghĩa vụ đã đóng (${statusLong(o.status).toLowerCase()}), không thể miễn`);
        if (year.closed) refuse('Chu kỳ đã kết thúc');
      },
    },
  );

  setHandler(
    removeUnitUpdate,
    byVersion({
      1: async (raw) => {
        const args = parseArgs(removeUnitSchema, raw);
        for (const o of year.obligations) {
          if (isClosed(o.status)) continue;
          o.status = 'removed';
          await year.record(o, 'unit_removed', args.actor.id, { reason: args.reason, key: year.requestKey(o, args.requestId) });
        }
        year.closed = true;
        return year.unitView();
      },
    }),
    {
      validator: (raw) => {
        messageVersion(raw, true);
        parseArgs(removeUnitSchema, raw);
        if (year.closed) refuse('Chu kỳ của đơn vị đã kết thúc');
      },
    },
  );

  // New in December 2026: no recorded history holds it, so it needs no patch.
  setHandler(remindUpdate, byVersion({ 1: (raw) => remind(year, parseArgs(remindSchema, raw)) }), {
    validator: (raw) => {
      messageVersion(raw, true);
      const args = parseArgs(remindSchema, raw);
      checkRemindable(year, args.phase, args.requestId);
    },
  });

  // New in December 2026 (no recorded history holds it, so it needs no patch): a receipt the workers' relay sent
  // (workers/email-relay.ts) bounced. Recorded and escalated as a bounce of this workflow's own email is; the relay
  // may tell the same bounce again after a failure of its own, so each email's bounce is taken once.
  const bouncesTold = new Set<string>();
  setHandler(emailBouncedSignal, (b) => {
    const o = year.obligations.find((x) => x.phase === b?.phase);
    if (!o || typeof b.key !== 'string' || !Array.isArray(b.to) || bouncesTold.has(b.key)) return;
    bouncesTold.add(b.key);
    year.outbox.push(() => year.bounced(o, b.kind, undefined, b));
  });

  setHandler(closeUnitSignal, () => {
    year.closed = true;
  });
}
