/**
 * A unit's submissions: whether one may be sent now (validators), its payload parsed against the unit's facts,
 * and, once accepted, stored as the obligation's next version with its follow-up (a make-up session, a
 * proposal for inspection) and its receipt.
 */
import { patched, workflowInfo } from '@temporalio/workflow';
import { isClosed } from '../../domain/obligation.js';
import { phaseShort, viDate } from '../../domain/words.js';
import { calendarToReal, realToCalendar } from '../../domain/clock.js';
import { addDays, instantToLocalDate, localTimeToInstant } from '../../domain/calendar.js';
import { phaseSpec, type PhaseSpec } from '../../domain/phases/index.js';
import { describeIssues } from '../../domain/submissions.js';
import type { SubmissionReceipt } from '../messages.js';
import { refuse } from '../refusals.js';
import { acts, local } from './activities.js';
import { runObligation } from './obligation.js';
import type { Obligation, UnitYear } from './year.js';

/** Versions one unit may submit for one obligation. */
const MAX_VERSIONS = 30;

type Outcome = { underTarget: boolean; summary: string };

/** The obligation a submission is for, and whether the unit may submit it now; refuses otherwise. */
export function checkSubmittable(year: UnitYear, phase: string, requestId: string, sentAt?: number): Obligation {
  const o = year.find(phase);
  if (o.status === 'exempted') refuse('Đơn vị đã được miễn nghĩa vụ này');
  if (o.status === 'removed') refuse('Đơn vị không còn trong chu kỳ');
  if (year.closed) refuse('Chu kỳ đã kết thúc, không nhận thêm báo cáo');
  if (calendarToReal(year.input.clock, localTimeToInstant(o.spec.opensOn, 0, year.input.timeZone)) > Date.now())
    refuse('Giai đoạn này chưa mở');
  // Revisions are kept in this workflow's history; a cap keeps that history bounded whatever a client does.
  if (o.versions >= MAX_VERSIONS && !o.seenRequests.has(requestId))
    refuse(`Đã nộp ${MAX_VERSIONS} lần cho nghĩa vụ này; xin liên hệ Ban Tuyên giáo nếu cần sửa thêm`);
  // A unit may revise what it sent until the deadline; after it, the first version stands. Judged by when the
  // API received it (a validator issues no command: accepted updates are not validated again on replay).
  if ((o.status === 'submitted' || o.status === 'late') && o.ladder.pastDue(sentAt) && !o.seenRequests.has(requestId)) {
    refuse(`Đã quá hạn (${viDate(o.ladder.deadline)}); bản đã nộp không thể sửa. Xin liên hệ Ban Tuyên giáo nếu cần bổ sung.`);
  }
  return o;
}

export function parsePayload(
  year: UnitYear,
  phase: string,
  payload: unknown,
  validating = false,
): { payload: Record<string, unknown>; outcome: Outcome } {
  let spec: PhaseSpec;
  try {
    spec = phaseSpec(phase);
  } catch {
    refuse(`Không có biểu mẫu cho giai đoạn “${phaseShort(phase)}”`);
  }
  // One schema per phase for this unit (its facts do not change): built, and compiled by zod, once.
  const schemas = year.payloadSchemas;
  const schemaFor = (withMargin: boolean) => {
    const key = withMargin ? phase : `${phase}\u0000replay`;
    let schema = schemas.get(key);
    if (!schema) schemas.set(key, (schema = spec.schema(withMargin ? year.checkedFacts : year.facts)));
    return schema;
  };
  let result = schemaFor(true).safeParse(payload);
  // The handler takes what a validator accepted: a payload accepted before the margin existed (replayed from an
  // older history) is parsed without it, exactly as it was then. New payloads passed the same check just before.
  if (!result.success && !validating) result = schemaFor(false).safeParse(payload);
  if (!result.success) refuse(describeIssues(result.error));
  return { payload: result.data as Record<string, unknown>, outcome: spec.outcome(result.data, year.facts, year.targets) };
}

/** Under target: the unit owes a make-up session (study) or is proposed for inspection (anything else). */
async function followUp(year: UnitYear, o: Obligation, outcome: Outcome, sentCalendarAt?: number): Promise<void> {
  if (!outcome.underTarget) return;
  await year.record(o, 'under_target', 'system', { reason: outcome.summary });
  const { makeupDays, makeupPolicy, timeZone } = year.input;
  if (o.phase === 'study' && makeupDays && makeupPolicy && !year.obligations.some((x) => x.phase === 'study-makeup')) {
    // Counted from the day the unit sent its report, not the day a worker got to it.
    const today = instantToLocalDate(sentCalendarAt ?? year.calendarNow(), timeZone);
    const makeup = year.newObligation({
      phase: 'study-makeup',
      title: 'Quán triệt bổ sung cho đảng viên chưa được học tập',
      opensOn: today,
      // Never past the cycle's closing day, or the make-up session would be left without its ladder.
      deadline: [year.clampDeadline(addDays(today, makeupDays), makeupPolicy), today].sort().at(-1)!,
      policy: makeupPolicy,
    });
    year.obligations.push(makeup);
    year.running.push(runObligation(year, makeup));
    return;
  }
  await year.record(o, 'inspection_proposed', 'system', { reason: `Chưa đạt chỉ tiêu: ${outcome.summary}` });
}

/**
 * Stores an accepted submission as the obligation's next version, records it, follows up an outcome under
 * target, and queues the receipt. The first version decides on time or late; later ones are revisions.
 */
export async function accept(
  year: UnitYear,
  o: Obligation,
  args: { requestId: string; actor: { id: string; via: string }; sentAt?: number | undefined },
  payload: Record<string, unknown>,
  outcome?: Outcome,
): Promise<SubmissionReceipt> {
  // On time or late by when the API received it: a worker outage across the deadline does not make a unit
  // late. Histories from before the API stamped `sentAt` never reach the patch call.
  const judged = o.ladder.judge(args.sentAt, () => patched('submission-judged-by-sent-time'));
  const { late } = judged;
  const sentCalendarAt = realToCalendar(year.input.clock, judged.at);
  const key = year.requestKey(o, args.requestId);
  const summary = outcome?.summary;
  let version: number;
  let first: boolean;
  // Since December 2026 the receipt is stored with the submission, as a request the workers' email relay sends
  // (workers/email-relay.ts), not sent by an activity after it: the unit's answer then costs one workflow task,
  // not two (bench/RESULTS.md, scenario 3). Histories from before send it from the outbox, as they recorded.
  let relayed = false;
  if (patched('accept-submission-local-activity')) {
    relayed = patched('receipt-by-email-relay');
    // The submission and its transition in one local activity, one transaction (workflows/unit/activities.ts).
    const status = isClosed(o.status) ? o.status : late ? 'late' : 'submitted';
    year.transitionSeq += 1; // as record() counts it, so later transitions keep their keys' numbering
    // The obligation is the unit's from the moment its submission is accepted, not from when the store
    // returns: a phase opening or a reminder whose timer fires while the store runs (the same workflow task,
    // after a worker outage; or a slow database) would otherwise record "pending" after "submitted" (the fault
    // suite's full run, docs/RELIABILITY.md). The local activity retries until it stores, so a claim stands.
    const claimed = patched('submission-claims-obligation-before-store') && !isClosed(o.status);
    if (claimed) {
      o.status = status;
      o.submittedAt = sentCalendarAt;
    }
    ({ version } = await year.localLock.runExclusive(() =>
      local.acceptSubmission({
        key,
        cycleId: year.cycleId,
        unitCode: year.unitCode,
        phase: o.phase,
        payload,
        actor: args.actor.id,
        via: args.actor.via,
        late,
        calendarAt: year.calendarNow(),
        // Read when the lock lets it run, as the transitions recorded meanwhile have counted.
        seq: year.transitionSeq,
        status,
        escalationLevel: o.escalationLevel,
        deadline: o.ladder.deadline,
        dueAt: o.ladder.dueAt,
        data: { late, via: args.actor.via, ...(summary ? { summary } : {}) },
        ...(relayed
          ? {
              receipt: {
                workflowId: workflowInfo().workflowId,
                email: {
                  cycleId: year.cycleId,
                  unitCode: year.unitCode,
                  phase: o.phase,
                  kind: 'receipt' as const,
                  deadline: o.ladder.deadline,
                  calendarAt: year.calendarNow(),
                  late,
                  ...(summary ? { summary } : {}),
                },
              },
            }
          : {}),
      }),
    ));
    o.versions = Math.max(o.versions, version);
    // Unclaimed (before the patch): decided once stored, so of two accepted at once only one is the first.
    first = claimed || !isClosed(o.status);
    if (!claimed && first) {
      o.status = late ? 'late' : 'submitted';
      o.submittedAt = year.calendarNow();
    }
    year.publishSearchAttributes();
  } else {
    // The oldest histories stored and recorded with two activities; kept for them (docs/DEPLOYS.md).
    ({ version } = await acts.storeSubmission({
      key,
      cycleId: year.cycleId,
      unitCode: year.unitCode,
      phase: o.phase,
      payload,
      actor: args.actor.id,
      via: args.actor.via,
      late,
      calendarAt: year.calendarNow(),
    }));
    o.versions = Math.max(o.versions, version);
    first = !isClosed(o.status);
    if (first) {
      o.status = late ? 'late' : 'submitted';
      o.submittedAt = year.calendarNow();
    }
    await year.record(o, version === 1 ? 'submitted' : 'revised', args.actor.id, {
      data: { version, late, via: args.actor.via, ...(summary ? { summary } : {}) },
      key,
    });
  }
  if (first && outcome) await followUp(year, o, outcome, judged.stamped ? sentCalendarAt : undefined);
  if (!relayed) year.outbox.push(() => year.email(o, 'receipt', { version, late, ...(summary ? { summary } : {}) }));
  const receipt: SubmissionReceipt = {
    phase: o.phase,
    version,
    status: o.status,
    late,
    deadline: o.ladder.deadline,
    ...(outcome ? { summary: outcome.summary, underTarget: outcome.underTarget } : {}),
  };
  o.seenRequests.set(args.requestId, receipt);
  return receipt;
}
