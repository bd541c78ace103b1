/**
 * One unit's year: for each obligation, the notice when its phase opens, reminders before the deadline, the
 * overdue notice and the escalation ladder after it, and the unit's submission, extension or exemption in
 * between. Deterministic: time comes from the workflow clock, every side effect is an activity.
 */
import {
  condition,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
  allHandlersFinished,
  patched,
} from '@temporalio/workflow';
import { isClosed, isLateAt, judgedAt } from '../domain/obligation.js';
import { phaseShort, statusLong, viDate } from '../domain/words.js';
import { calendarToReal, realToCalendar } from '../domain/clock.js';
import { addDays, instantToLocalDate, localTimeToInstant, compareDates } from '../domain/calendar.js';
import { DEFAULT_TARGETS, phaseSpec, type PhaseSpec } from '../domain/phases/index.js';
import { DEFAULT_MEMBERS_MARGIN_PERCENT } from '../domain/phases/common.js';
import { obligationTimes, remainingStepsSince, SEND_HOUR, type ScheduledStep } from '../domain/schedule.js';
import { emailKey } from '../domain/ids.js';
import {
  acknowledgePlanSchema,
  exemptSchema,
  extendDeadlineSchema,
  removeUnitSchema,
  submitSchema,
  describeIssues,
} from '../domain/submissions.js';
import type { Activities } from '../activities/index.js';
import { parseArgs, refuse } from './refusals.js';
import type { EmailKind, ObligationSpec, UnitWorkflowInput } from '../domain/workflow-io.js';
import {
  acknowledgePlanUpdate,
  closeUnitSignal,
  exemptUpdate,
  extendDeadlineUpdate,
  removeUnitUpdate,
  submitUpdate,
  unitViewQuery,
  type ObligationView,
  type SubmissionReceipt,
  type UnitView,
} from './messages.js';
import { SA_COMMITTEE, SA_CYCLE, SA_ESCALATION, SA_OVERDUE_PHASES, SA_PHASE, SA_STATUS, SA_UNIT, SA_YEAR } from './search-attributes.js';

/** Versions one unit may submit for one obligation. */
const MAX_VERSIONS = 30;

const acts = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  // Activities heartbeat every 2 s (activities/index.ts): one whose worker died is retried after 10 s, not a minute.
  heartbeatTimeout: '10 seconds',
  // SMTP or the database may be down for hours; keep trying, backing off to one attempt every 10 minutes.
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

/**
 * Local activities: short keyed database writes this worker runs within the workflow task that asks for them,
 * so the server dispatches no activity task and no further workflow task for them (bench/README.md). An
 * accepted submission is stored and recorded by one (acceptSubmission), so the update returns after one
 * workflow task instead of three. Only that one, and one at a time (`oneLocalAtATime` below): transitions
 * recorded by local activities too broke replay after worker restarts (docs/RELIABILITY.md).
 */
const local = proxyLocalActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

interface ObligationState extends ObligationView {
  spec: ObligationSpec;
  /** Bumped whenever the deadline moves, so a waiting loop knows to recompute its schedule. */
  revision: number;
  seenRequests: Map<string, SubmissionReceipt>;
  /** Calendar instant the ladder (re)started: its opening, or its last extension (`remainingStepsSince`). */
  ladderSince?: number;
}

export async function unitWorkflow(input: UnitWorkflowInput): Promise<UnitView> {
  const { cycleId, unitCode, clock, timeZone, calendar } = input;
  const calendarNow = (): number => realToCalendar(clock, Date.now());
  let closed = false;
  let transitionSeq = 0;

  /** The last deadline whose whole ladder still runs before the cycle closes (undefined: no closing day known). */
  const latestDeadline = (policy: ObligationSpec['policy']): string | undefined =>
    input.closesOn ? addDays(input.closesOn, -(policy.escalation.level3AfterDays + 1)) : undefined;
  const clampDeadline = (deadline: string, policy: ObligationSpec['policy']): string => {
    const latest = latestDeadline(policy);
    return latest && compareDates(deadline, latest) > 0 ? latest : deadline;
  };

  const newObligation = (spec: ObligationSpec): ObligationState => {
    const times = obligationTimes({ deadline: spec.deadline, calendar, timeZone, policy: spec.policy });
    return {
      spec,
      phase: spec.phase,
      title: spec.title,
      configuredDeadline: spec.deadline,
      deadline: times.deadline,
      dueAt: times.dueAt,
      status: 'pending',
      escalationLevel: 0,
      stepsDone: [],
      versions: 0,
      revision: 0,
      seenRequests: new Map(),
    };
  };
  const obligations: ObligationState[] = input.obligations.map(newObligation);
  // Obligations that arise during the year (a make-up session) run beside the configured ones.
  const running: Promise<void>[] = [];
  const facts = { members: input.members ?? 0 };
  const targets = input.targets ?? DEFAULT_TARGETS;
  // What a payload is checked against: the registry's member count as launched and the cycle's margin (a count
  // beyond it needs a reason). The update validator refuses by it (no trace in history); the handler falls back to
  // `facts` alone, so a payload accepted before the margin existed is parsed the same on replay (parsePayload).
  const checkedFacts = { ...facts, membersMarginPercent: input.targets?.membersMarginPercent ?? DEFAULT_MEMBERS_MARGIN_PERCENT };

  const find = (phase: string): ObligationState =>
    obligations.find((o) => o.phase === phase) ?? refuse(`Đơn vị không có nghĩa vụ “${phaseShort(phase)}” trong chu kỳ này`);

  const view = (o: ObligationState): ObligationView => ({
    phase: o.phase,
    title: o.title,
    configuredDeadline: o.configuredDeadline,
    deadline: o.deadline,
    dueAt: o.dueAt,
    status: o.status,
    escalationLevel: o.escalationLevel,
    stepsDone: [...o.stepsDone],
    versions: o.versions,
    ...(o.submittedAt !== undefined ? { submittedAt: o.submittedAt } : {}),
    ...(o.exemptReason !== undefined ? { exemptReason: o.exemptReason } : {}),
  });

  /**
   * Runs local activities one after another. Two outstanding at once (two Updates in one workflow task) complete
   * in whatever order the database answers, while a replay takes their results from the history's markers:
   * their continuations can then issue commands in another order, and the replay fails as non-deterministic.
   * The fault suite's full run hit this after worker restarts (docs/RELIABILITY.md).
   */
  let localTail: Promise<unknown> = Promise.resolve();
  function oneLocalAtATime<T>(run: () => Promise<T>): Promise<T> {
    const next = localTail.then(run, run);
    localTail = next.catch(() => undefined);
    return next;
  }

  /** What the last upsert published (phase, status, level, overdue phases). */
  let lastPublished = '';
  function publishSearchAttributes(): void {
    if (!input.searchAttributes) return;
    // The phase shown is the earliest one still open; when all are closed, the last one.
    const current = obligations.find((o) => !isClosed(o.status)) ?? obligations[obligations.length - 1];
    if (!current) return;
    const level = Math.max(0, ...obligations.filter((o) => !isClosed(o.status)).map((o) => o.escalationLevel));
    const overdue = obligations.filter((o) => !isClosed(o.status) && o.escalationLevel >= 1).map((o) => o.phase);
    // A revision, a reminder or a repair that changes none of them writes nothing: each upsert is a history
    // event and a visibility write on the server (about a sixth of its CPU per revision, bench/README.md).
    // Histories recorded before this change hold those upserts, so their replays keep emitting them.
    const published = `${current.phase}|${current.status}|${level}|${overdue.join(',')}`;
    if (published === lastPublished && patched('search-attributes-when-changed')) return;
    lastPublished = published;
    upsertSearchAttributes([
      { key: SA_CYCLE, value: cycleId },
      { key: SA_YEAR, value: input.year },
      { key: SA_COMMITTEE, value: input.committeeCode },
      { key: SA_UNIT, value: unitCode },
      { key: SA_PHASE, value: current.phase },
      { key: SA_STATUS, value: current.status },
      { key: SA_ESCALATION, value: level },
      // Added mid-year: a running unit records the marker the first time it publishes, then keeps it.
      ...(patched('overdue-phases-sa')
        ? [{ key: SA_OVERDUE_PHASES, value: overdue }]
        : []),
    ]);
  }

  async function record(o: ObligationState, kind: string, actor: string, extra: { reason?: string; data?: Record<string, unknown>; key?: string } = {}): Promise<void> {
    transitionSeq += 1;
    await acts.recordTransition({
      key: extra.key ?? `${workflowInfo().workflowId}/${workflowInfo().runId}/${transitionSeq}`,
      cycleId,
      unitCode,
      phase: o.phase,
      kind,
      status: o.status,
      escalationLevel: o.escalationLevel,
      deadline: o.deadline,
      dueAt: o.dueAt,
      calendarAt: calendarNow(),
      seq: transitionSeq,
      actor,
      ...(extra.reason !== undefined ? { reason: extra.reason } : {}),
      ...(extra.data !== undefined ? { data: extra.data } : {}),
    });
    publishSearchAttributes();
  }

  async function email(o: ObligationState, kind: EmailKind, extra: { days?: number; version?: number; reason?: string; late?: boolean; name?: string; summary?: string } = {}): Promise<void> {
    const result = await acts.sendUnitEmail({
      key: emailKey({ cycle: cycleId, unit: unitCode, phase: o.phase, kind: extra.name ?? kind, deadline: o.deadline, ...(extra.version !== undefined ? { seq: extra.version } : {}) }),
      cycleId,
      unitCode,
      phase: o.phase,
      kind,
      deadline: o.deadline,
      calendarAt: calendarNow(),
      ...extra,
    });
    if (result.status === 'bounced') {
      await record(o, 'email_bounced', 'system', { data: { kind, to: result.to, messageId: result.messageId } });
      // A message that cannot be delivered is escalated through the other recipients: the standing body hears
      // which address failed, with the secretary copied, so someone corrects the unit's contact.
      if (kind !== 'bounce' && patched('bounce-notice')) {
        await acts.sendUnitEmail({
          key: emailKey({ cycle: cycleId, unit: unitCode, phase: o.phase, kind: `bounce-${extra.name ?? kind}`, deadline: o.deadline }),
          cycleId,
          unitCode,
          phase: o.phase,
          kind: 'bounce',
          deadline: o.deadline,
          calendarAt: calendarNow(),
          reason: result.to.join(', '),
        });
      }
    }
  }

  // Emails answering a unit's action go through this queue so the update returns as soon as the submission is
  // stored; the unit's browser does not wait on the mail server.
  const outbox: Array<() => Promise<void>> = [];

  async function runStep(o: ObligationState, step: ScheduledStep): Promise<void> {
    o.stepsDone.push(step.name);
    switch (step.kind) {
      case 'reminder':
        await email(o, 'reminder', { days: step.days, name: step.name });
        return;
      case 'overdue':
        o.status = 'overdue';
        o.escalationLevel = 1;
        await record(o, 'overdue', 'system');
        await email(o, 'overdue', { days: step.days, name: step.name });
        return;
      case 'escalation2':
        o.status = 'overdue';
        o.escalationLevel = 2;
        await record(o, 'escalation2', 'system', { reason: `Quá hạn ${step.days} ngày` });
        await email(o, 'escalation2', { days: step.days, name: step.name });
        return;
      case 'escalation3':
        o.status = 'not_submitted';
        o.escalationLevel = 3;
        await record(o, 'escalation3', 'system', { reason: `Quá hạn ${step.days} ngày: ghi nhận không nộp` });
        // Level 3 proposes the unit for inspection; the inspection itself is decided by the committee.
        await record(o, 'inspection_proposed', 'system', { reason: `Không nộp "${o.title}" sau ${step.days} ngày quá hạn` });
        await email(o, 'escalation3', { days: step.days, name: step.name });
        return;
    }
  }

  /**
   * The obligation's ladder for its current deadline, computed again only when the deadline moves: the calendar
   * and time-zone arithmetic is the costliest code the workflow runs at each of its steps.
   */
  const ladders = new Map<ObligationState, { deadline: string; steps: ScheduledStep[] }>();
  const ladderFor = (o: ObligationState): ScheduledStep[] => {
    const known = ladders.get(o);
    if (known && known.deadline === o.deadline) return known.steps;
    const steps = obligationTimes({ deadline: o.deadline, calendar, timeZone, policy: o.spec.policy }).steps;
    ladders.set(o, { deadline: o.deadline, steps });
    return steps;
  };

  async function runObligation(o: ObligationState): Promise<void> {
    const opensAt = calendarToReal(clock, localTimeToInstant(o.spec.opensOn, SEND_HOUR, timeZone));
    if (opensAt > Date.now()) {
      await condition(() => closed || isClosed(o.status), opensAt - Date.now());
    }
    if (closed) return;
    // A unit that submitted before its phase opened by the calendar gets no opening and no notice. One whose
    // submission came after that moment, while the opening was held up (the worker down when its timer fired),
    // gets both, recorded with the status it has: a fault delays what is sent, it does not change it. (Patched:
    // a store that ran past 08:00 could show an older history such a submission; the call is made only then.)
    const openedAt = localTimeToInstant(o.spec.opensOn, SEND_HOUR, timeZone);
    const heldUp = (o.status === 'submitted' || o.status === 'late') && o.submittedAt !== undefined && o.submittedAt >= openedAt && patched('opening-after-held-submission');
    if (!isClosed(o.status) || heldUp) {
      await record(o, 'opened', 'system');
      await email(o, 'notice');
    }
    o.ladderSince = calendarNow();
    while (!closed && !isClosed(o.status)) {
      const times = { deadline: o.deadline, dueAt: o.dueAt, steps: ladderFor(o) };
      const done = new Set(o.stepsDone);
      // A reminder an outage held up past its moment is still sent before the deadline (only the latest one).
      const now = calendarNow();
      const next = remainingStepsSince(times, now, done, patched('late-reminder-still-sent') ? (o.ladderSince ?? now) : now)[0];
      const revision = o.revision;
      const interrupted = () => closed || isClosed(o.status) || o.revision !== revision;
      if (!next) {
        // Nothing left to send: wait for a submission, an extension or the end of the year.
        await condition(interrupted);
        continue;
      }
      const delay = calendarToReal(clock, next.at) - Date.now();
      if (delay > 0 && (await condition(interrupted, delay))) continue;
      if (interrupted()) continue;
      await runStep(o, next);
    }
  }

  setHandler(unitViewQuery, () => ({ cycleId, unitCode, closed, obligations: obligations.map(view), facts: checkedFacts }));

  /** The obligation a submission is for, and whether the unit may submit it now; refuses otherwise. */
  function checkSubmittable(phase: string, requestId: string, sentAt?: number): ObligationState {
    const o = find(phase);
    if (o.status === 'exempted') refuse('Đơn vị đã được miễn nghĩa vụ này');
    if (o.status === 'removed') refuse('Đơn vị không còn trong chu kỳ');
    if (closed) refuse('Chu kỳ đã kết thúc, không nhận thêm báo cáo');
    if (calendarToReal(clock, localTimeToInstant(o.spec.opensOn, 0, timeZone)) > Date.now()) refuse('Giai đoạn này chưa mở');
    // Revisions are kept in this workflow's history; a cap keeps that history bounded whatever a client does.
    if (o.versions >= MAX_VERSIONS && !o.seenRequests.has(requestId)) refuse(`Đã nộp ${MAX_VERSIONS} lần cho nghĩa vụ này; xin liên hệ Ban Tuyên giáo nếu cần sửa thêm`);
    // A unit may revise what it sent until the deadline; after it, the first version stands.
    // Judged by when the API received it (a validator issues no command, so this needs no patch: accepted
    // updates are not validated again on replay).
    if ((o.status === 'submitted' || o.status === 'late') && judgedAt(sentAt, Date.now()) >= calendarToReal(clock, o.dueAt) && !o.seenRequests.has(requestId)) {
      refuse(`Đã quá hạn (${viDate(o.deadline)}); bản đã nộp không thể sửa. Xin liên hệ Ban Tuyên giáo nếu cần bổ sung.`);
    }
    return o;
  }

  const payloadSchemas = new Map<string, ReturnType<PhaseSpec['schema']>>();

  function parsePayload(phase: string, payload: unknown, validating = false): { payload: Record<string, unknown>; outcome: { underTarget: boolean; summary: string } } {
    let spec;
    try {
      spec = phaseSpec(phase);
    } catch {
      refuse(`Không có biểu mẫu cho giai đoạn “${phaseShort(phase)}”`);
    }
    // One schema per phase for this unit (its facts do not change): built, and compiled by zod, once.
    const phaseSpecFound = spec;
    const schemaFor = (withMargin: boolean) => {
      const key = withMargin ? phase : `${phase}\u0000replay`;
      let schema = payloadSchemas.get(key);
      if (!schema) payloadSchemas.set(key, (schema = phaseSpecFound.schema(withMargin ? checkedFacts : facts)));
      return schema;
    };
    let result = schemaFor(true).safeParse(payload);
    // The handler takes what a validator accepted: a payload accepted before the margin existed (replayed from an
    // older history) is parsed without it, exactly as it was then. New payloads passed the same check just before.
    if (!result.success && !validating) result = schemaFor(false).safeParse(payload);
    if (!result.success) refuse(describeIssues(result.error));
    return { payload: result.data as Record<string, unknown>, outcome: spec.outcome(result.data, facts, targets) };
  }

  /** Under target: the unit owes a make-up session (study) or is proposed for inspection (anything else). */
  async function followUp(o: ObligationState, outcome: { underTarget: boolean; summary: string }, sentCalendarAt?: number): Promise<void> {
    if (!outcome.underTarget) return;
    await record(o, 'under_target', 'system', { reason: outcome.summary });
    if (o.phase === 'study' && input.makeupDays && input.makeupPolicy && !obligations.some((x) => x.phase === 'study-makeup')) {
      // Counted from the day the unit sent its report, not the day a worker got to it.
      const today = instantToLocalDate(sentCalendarAt ?? calendarNow(), timeZone);
      const makeup = newObligation({
        phase: 'study-makeup',
        title: 'Quán triệt bổ sung cho đảng viên chưa được học tập',
        opensOn: today,
        // Never past the cycle's closing day, or the make-up session would be left without its ladder.
        deadline: [clampDeadline(addDays(today, input.makeupDays), input.makeupPolicy), today].sort().at(-1)!,
        policy: input.makeupPolicy,
      });
      obligations.push(makeup);
      running.push(runObligation(makeup));
      return;
    }
    await record(o, 'inspection_proposed', 'system', { reason: `Chưa đạt chỉ tiêu: ${outcome.summary}` });
  }

  /**
   * Stores an accepted submission as the obligation's next version, records it, follows up an outcome under
   * target, and queues the receipt. The first version decides on time or late; later ones are revisions.
   */
  async function accept(
    o: ObligationState,
    args: { requestId: string; actor: { id: string; via: string }; sentAt?: number | undefined },
    payload: Record<string, unknown>,
    outcome?: { underTarget: boolean; summary: string },
  ): Promise<SubmissionReceipt> {
    // On time or late by when the API received it: a worker outage across the deadline does not make a unit
    // late. Histories from before the API stamped `sentAt` never reach the patch call.
    const stamped = args.sentAt !== undefined && patched('submission-judged-by-sent-time');
    const sentAt = stamped ? judgedAt(args.sentAt, Date.now()) : Date.now();
    const sentCalendarAt = realToCalendar(clock, sentAt);
    const late = isLateAt(sentAt, calendarToReal(clock, o.dueAt));
    const key = `${cycleId}/${unitCode}/${o.phase}/${args.requestId}`;
    const summary = outcome?.summary;
    let version: number;
    let first: boolean;
    if (patched('accept-submission-local-activity')) {
      // The submission and its transition in one local activity, one transaction (see `local` above).
      const status = isClosed(o.status) ? o.status : late ? 'late' : 'submitted';
      transitionSeq += 1; // as record() counts it, so later transitions keep their keys' numbering
      // The obligation is the unit's from the moment its submission is accepted, not from when the store
      // returns: a phase opening or a reminder whose timer fires while the store runs (the same workflow task,
      // after a worker outage; or a slow database) would otherwise record "pending" after "submitted", and the
      // row, the reminders and the overdue list would treat a unit that submitted as one that did not (the
      // fault suite's full run, docs/RELIABILITY.md).
      // The local activity retries until it stores (no attempt limit), so a claim is never withdrawn.
      const claimed = patched('submission-claims-obligation-before-store') && !isClosed(o.status);
      if (claimed) {
        o.status = status;
        o.submittedAt = sentCalendarAt;
      }
      ({ version } = await oneLocalAtATime(() => local.acceptSubmission({
        key,
        cycleId,
        unitCode,
        phase: o.phase,
        payload,
        actor: args.actor.id,
        via: args.actor.via,
        late,
        calendarAt: calendarNow(),
        seq: transitionSeq,
        status,
        escalationLevel: o.escalationLevel,
        deadline: o.deadline,
        dueAt: o.dueAt,
        data: { late, via: args.actor.via, ...(summary ? { summary } : {}) },
      })));
      o.versions = Math.max(o.versions, version);
      if (claimed) {
        first = true;
      } else {
        // As below: decided once stored, so of two submissions accepted at once only one is the first.
        first = !isClosed(o.status);
        if (first) {
          o.status = late ? 'late' : 'submitted';
          o.submittedAt = calendarNow();
        }
      }
      publishSearchAttributes();
    } else {
      ({ version } = await acts.storeSubmission({ key, cycleId, unitCode, phase: o.phase, payload, actor: args.actor.id, via: args.actor.via, late, calendarAt: calendarNow() }));
      o.versions = Math.max(o.versions, version);
      first = !isClosed(o.status);
      if (first) {
        o.status = late ? 'late' : 'submitted';
        o.submittedAt = calendarNow();
      }
      await record(o, version === 1 ? 'submitted' : 'revised', args.actor.id, { data: { version, late, via: args.actor.via, ...(summary ? { summary } : {}) }, key });
    }
    if (first && outcome) await followUp(o, outcome, stamped ? sentCalendarAt : undefined);
    outbox.push(() => email(o, 'receipt', { version, late, ...(summary ? { summary } : {}) }));
    const receipt: SubmissionReceipt = { phase: o.phase, version, status: o.status, late, deadline: o.deadline, ...(outcome ? { summary: outcome.summary, underTarget: outcome.underTarget } : {}) };
    o.seenRequests.set(args.requestId, receipt);
    return receipt;
  }

  setHandler(
    submitUpdate,
    async (raw) => {
      const args = parseArgs(submitSchema, raw);
      const o = find(args.phase);
      const seen = o.seenRequests.get(args.requestId);
      if (seen) return seen; // a retried request is the same submission
      const { payload, outcome } = parsePayload(args.phase, args.payload);
      return accept(o, args, payload, outcome);
    },
    {
      validator: (raw) => {
        const args = parseArgs(submitSchema, raw);
        checkSubmittable(args.phase, args.requestId, args.sentAt);
        parsePayload(args.phase, args.payload, true);
      },
    },
  );

  setHandler(
    acknowledgePlanUpdate,
    async (raw) => {
      const args = parseArgs(acknowledgePlanSchema, raw);
      const o = find(args.phase);
      const seen = o.seenRequests.get(args.requestId);
      if (seen) return seen; // a retried request is the same submission
      const payload = { confirmedBy: args.confirmedBy, unitPlanNumber: args.unitPlanNumber ?? null, note: args.note ?? null };
      return accept(o, args, payload);
    },
    {
      validator: (raw) => {
        const args = parseArgs(acknowledgePlanSchema, raw);
        checkSubmittable(args.phase, args.requestId, args.sentAt);
      },
    },
  );

  setHandler(
    extendDeadlineUpdate,
    async (raw) => {
      const args = parseArgs(extendDeadlineSchema, raw);
      const o = find(args.phase);
      const times = obligationTimes({ deadline: args.newDeadline, calendar, timeZone, policy: o.spec.policy });
      o.deadline = times.deadline;
      o.dueAt = times.dueAt;
      o.revision += 1;
      // Reminders and escalations move with the deadline: the ladder starts again from the new date.
      o.stepsDone = [];
      o.ladderSince = calendarNow();
      o.escalationLevel = 0;
      if (!isClosed(o.status)) o.status = 'pending';
      await record(o, 'extended', args.actor.id, { reason: args.reason, data: { newDeadline: o.deadline }, key: `${cycleId}/${unitCode}/${o.phase}/${args.requestId}` });
      outbox.push(() => email(o, 'extension', { reason: args.reason }));
      return view(o);
    },
    {
      validator: (raw) => {
        const args = parseArgs(extendDeadlineSchema, raw);
        const o = find(args.phase);
        if (closed) refuse('Chu kỳ đã kết thúc');
        if (isClosed(o.status)) refuse(`Nghĩa vụ đã đóng (${statusLong(o.status).toLowerCase()}), không thể gia hạn`);
        if (compareDates(args.newDeadline, o.deadline) <= 0) refuse(`Hạn mới (${viDate(args.newDeadline)}) phải sau hạn hiện tại (${viDate(o.deadline)})`);
        const latest = latestDeadline(o.spec.policy);
        if (latest && compareDates(args.newDeadline, latest) > 0) {
          refuse(`Hạn mới (${viDate(args.newDeadline)}) quá muộn: chu kỳ kết thúc ngày ${viDate(input.closesOn)}, nên hạn chậm nhất là ${viDate(latest)} (để còn ${o.spec.policy.escalation.level3AfterDays} ngày nhắc và đôn đốc)`);
        }
      },
    },
  );

  setHandler(
    exemptUpdate,
    async (raw) => {
      const args = parseArgs(exemptSchema, raw);
      const o = find(args.phase);
      o.status = 'exempted';
      o.exemptReason = args.reason;
      await record(o, 'exempted', args.actor.id, { reason: args.reason, key: `${cycleId}/${unitCode}/${o.phase}/${args.requestId}` });
      outbox.push(() => email(o, 'exemption', { reason: args.reason }));
      return view(o);
    },
    {
      validator: (raw) => {
        const args = parseArgs(exemptSchema, raw);
        const o = find(args.phase);
        if (isClosed(o.status)) refuse(`Nghĩa vụ đã đóng (${statusLong(o.status).toLowerCase()}), không thể miễn`);
        if (closed) refuse('Chu kỳ đã kết thúc');
      },
    },
  );

  setHandler(
    removeUnitUpdate,
    async (raw) => {
      const args = parseArgs(removeUnitSchema, raw);
      for (const o of obligations) {
        if (isClosed(o.status)) continue;
        o.status = 'removed';
        await record(o, 'unit_removed', args.actor.id, { reason: args.reason, key: `${cycleId}/${unitCode}/${o.phase}/${args.requestId}` });
      }
      closed = true;
      return { cycleId, unitCode, closed, obligations: obligations.map(view) };
    },
    {
      validator: (raw) => {
        parseArgs(removeUnitSchema, raw);
        if (closed) refuse('Chu kỳ của đơn vị đã kết thúc');
      },
    },
  );

  setHandler(closeUnitSignal, () => {
    closed = true;
  });

  publishSearchAttributes();

  const mailer = (async () => {
    for (;;) {
      await condition(() => outbox.length > 0 || closed);
      const job = outbox.shift();
      if (job) await job();
      else return;
    }
  })();

  // The unit's workflow lives until the cycle closes it, even when every obligation is closed: a unit may still
  // revise before a deadline, and the year's record stays queryable in one place.
  await Promise.all([...obligations.map(runObligation), condition(() => closed)]);
  await Promise.all(running);
  await condition(allHandlersFinished);
  await mailer;
  // Drain anything queued by a handler that finished after the mailer's last look.
  for (let job = outbox.shift(); job; job = outbox.shift()) await job();
  return { cycleId, unitCode, closed, obligations: obligations.map(view) };
}
