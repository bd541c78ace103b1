/**
 * One inspection or supervision (kiểm tra, giám sát) of a unit: the notice, the visit's date, the findings, the
 * conclusion with remedies and their deadline, then the remedy obligation with reminders and the escalation
 * ladder like any other, until the unit reports what it did or the committee closes the inspection.
 */
import { condition, patched, proxyActivities, setHandler, workflowInfo, allHandlersFinished } from '@temporalio/workflow';
import { calendarToReal, realToCalendar } from '../domain/clock.js';
import { instantToLocalDate } from '../domain/calendar.js';
import type { ScheduledStep, StepKind } from '../domain/schedule.js';
import { emailKey } from '../domain/ids.js';
import { closeInspectionSchema, concludeSchema, findingsSchema, scheduleInspectionSchema, type InspectionStatus } from '../domain/inspections.js';
import { describeIssues, submitSchema } from '../domain/submissions.js';
import { inspectionRemedyPhase } from '../domain/phases/inspection-remedy.js';
import { DEFAULT_TARGETS } from '../domain/phases/index.js';
import type { Activities } from '../activities/index.js';
import { messageVersion, parseArgs, refuse } from './refusals.js';
import { Ladder } from './ladder.js';
import type { EmailKind, InspectionWorkflowInput } from '../domain/workflow-io.js';
import type { EscalationLevel } from '../domain/obligation.js';
import {
  closeInspectionUpdate,
  closeUnitSignal,
  concludeInspectionUpdate,
  inspectionViewQuery,
  recordFindingsUpdate,
  reportRemedyUpdate,
  scheduleInspectionUpdate,
  type InspectionView,
  type SubmissionReceipt,
} from './messages.js';

const acts = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  // Activities heartbeat every 2 s (activities/index.ts): one whose worker died is retried after 10 s, not a minute.
  heartbeatTimeout: '10 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

const REMEDY_PHASE = 'inspection-remedy';

export async function inspectionWorkflow(input: InspectionWorkflowInput): Promise<InspectionView> {
  const { cycleId, unitCode, clock, timeZone, calendar } = input;
  const calendarNow = (): number => realToCalendar(clock, Date.now());
  const today = (): string => instantToLocalDate(calendarNow(), timeZone);
  let status: InspectionStatus = 'noticed';
  let scheduledOn: string | undefined;
  let findings: string | undefined;
  let conclusion: string | undefined;
  let remedies: string[] = [];
  let remedyDeadline: string | undefined;
  let escalationLevel: EscalationLevel = 0;
  /** The remedies' ladder (workflows/ladder.ts), from the conclusion that sets their deadline. */
  let ladder: Ladder | undefined;
  let seq = 0;
  const seen = new Map<string, unknown>();

  const view = (): InspectionView => ({
    inspectionId: input.inspectionId,
    cycleId,
    unitCode,
    kind: input.kind,
    body: input.body,
    status,
    remedies,
    escalationLevel,
    ...(scheduledOn ? { scheduledOn } : {}),
    ...(findings ? { findings } : {}),
    ...(conclusion ? { conclusion } : {}),
    ...(remedyDeadline ? { remedyDeadline } : {}),
  });
  const done = () => status === 'remedied' || status === 'closed';

  async function record(kind: string, actor: string, reason?: string): Promise<void> {
    seq += 1;
    await acts.recordInspection({
      inspectionId: input.inspectionId,
      cycleId,
      unitCode,
      kind: input.kind,
      body: input.body,
      origin: input.origin,
      reason: input.reason,
      status,
      escalationLevel,
      remedies,
      ...(scheduledOn ? { scheduledOn } : {}),
      ...(findings ? { findings } : {}),
      ...(conclusion ? { conclusion } : {}),
      ...(remedyDeadline ? { remedyDeadline } : {}),
    });
    // The unit's record shows the inspection beside its obligations, under the remedy phase.
    await acts.recordTransition({
      key: `${workflowInfo().workflowId}/${seq}`,
      cycleId,
      unitCode,
      phase: REMEDY_PHASE,
      kind: `inspection_${kind}`,
      status: status === 'remedied' ? 'submitted' : status === 'closed' ? 'exempted' : escalationLevel >= 3 ? 'not_submitted' : escalationLevel > 0 ? 'overdue' : 'pending',
      escalationLevel,
      deadline: remedyDeadline ?? scheduledOn ?? today(),
      dueAt: ladder ? ladder.dueAt : calendarNow(),
      calendarAt: calendarNow(),
      actor,
      ...(reason ? { reason } : {}),
    });
  }

  async function email(kind: EmailKind, name: string, deadline: string, extra: { days?: number; version?: number; late?: boolean; summary?: string } = {}): Promise<void> {
    await acts.sendUnitEmail({
      key: emailKey({ cycle: cycleId, unit: unitCode, phase: `inspection-${input.kind}-${input.body}`, kind: name, deadline }),
      cycleId,
      unitCode,
      phase: REMEDY_PHASE,
      kind,
      deadline,
      calendarAt: calendarNow(),
      ...extra,
      inspection: {
        kind: input.kind,
        body: input.body,
        reason: input.reason,
        ...(scheduledOn ? { date: scheduledOn } : {}),
        ...(conclusion ? { conclusion } : {}),
        remedies,
        ...(remedyDeadline ? { remedyDeadline } : {}),
      },
    });
  }

  const outbox: Array<() => Promise<void>> = [];
  /** A validator's parse: a shape version it does not know (workflows/messages.ts `Versioned`) is refused too. */
  const checked = <T>(schema: Parameters<typeof parseArgs<T>>[0], raw: unknown): T => (messageVersion(raw, true), parseArgs(schema, raw));

  setHandler(inspectionViewQuery, view);

  setHandler(
    scheduleInspectionUpdate,
    async (raw) => {
      const args = parseArgs(scheduleInspectionSchema, raw);
      scheduledOn = args.date;
      if (status === 'noticed') status = 'scheduled';
      await record('scheduled', args.actor.id);
      outbox.push(() => email('inspection-scheduled', `scheduled@${args.date}`, args.date));
      return view();
    },
    { validator: (raw) => void (checked(scheduleInspectionSchema, raw), done() && refuse('Cuộc kiểm tra đã kết thúc')) },
  );

  setHandler(
    recordFindingsUpdate,
    async (raw) => {
      const args = parseArgs(findingsSchema, raw);
      findings = args.findings;
      if (status === 'noticed' || status === 'scheduled') status = 'findings';
      await record('findings', args.actor.id);
      return view();
    },
    { validator: (raw) => void (checked(findingsSchema, raw), done() && refuse('Cuộc kiểm tra đã kết thúc')) },
  );

  setHandler(
    concludeInspectionUpdate,
    async (raw) => {
      const args = parseArgs(concludeSchema, raw);
      conclusion = args.conclusion;
      remedies = args.remedies;
      remedyDeadline = args.remedies.length ? args.remedyDeadline : undefined;
      status = remedies.length ? 'concluded' : 'closed';
      escalationLevel = 0;
      ladder = remedyDeadline ? new Ladder({ clock, calendar, timeZone, policy: input.remedyPolicy }, remedyDeadline) : undefined;
      // Reminders due before the conclusion are not sent; one an outage holds past its moment after it is.
      ladder?.start(calendarNow());
      await record('concluded', args.actor.id);
      outbox.push(() => email('inspection-conclusion', 'conclusion', remedyDeadline ?? today()));
      return view();
    },
    {
      validator: (raw) => {
        checked(concludeSchema, raw);
        if (done()) refuse('Cuộc kiểm tra đã kết thúc');
        if (conclusion) refuse('Cuộc kiểm tra đã có kết luận');
      },
    },
  );

  setHandler(
    reportRemedyUpdate,
    async (raw) => {
      const args = parseArgs(submitSchema, raw);
      const previous = seen.get(args.requestId) as SubmissionReceipt | undefined;
      if (previous) return previous;
      const payload = inspectionRemedyPhase.schema({ members: 0 }).parse(args.payload);
      // Added on 6 December 2026 (docs/DEPLOYS.md): judged by when the API received the report, as a unit's
      // reports are, not by when a worker got to it; reports recorded before were judged by the latter.
      const { late } = ladder!.judge(args.sentAt, () => patched('remedy-judged-by-sent-time'));
      const key = `${input.inspectionId}/${args.requestId}`;
      const { version } = await acts.storeSubmission({ key, cycleId, unitCode, phase: REMEDY_PHASE, payload, actor: args.actor.id, via: args.actor.via, late, calendarAt: calendarNow() });
      status = 'remedied';
      await record('remedied', args.actor.id, late ? 'Báo cáo khắc phục chậm' : undefined);
      const receipt: SubmissionReceipt = { phase: REMEDY_PHASE, version, status: late ? 'late' : 'submitted', late, deadline: remedyDeadline! };
      seen.set(args.requestId, receipt);
      // Added mid-year (docs/DEPLOYS.md): the unit is told its remedy report arrived, and whether it counts as
      // late, as for every other report it submits. Inspections remedied under the earlier code ended without
      // this email; `patched` keeps their recorded histories replaying.
      if (patched('remedy-receipt')) {
        const { summary } = inspectionRemedyPhase.outcome(payload, { members: 0 }, DEFAULT_TARGETS);
        outbox.push(() => email('receipt', 'remedy-receipt', remedyDeadline!, { version, late, summary }));
      }
      return receipt;
    },
    {
      validator: (raw) => {
        const args = checked(submitSchema, raw);
        if (seen.has(args.requestId)) return;
        if (!remedyDeadline || !conclusion) refuse('Chưa có kết luận yêu cầu khắc phục');
        if (done()) refuse('Đã báo cáo khắc phục hoặc cuộc kiểm tra đã kết thúc');
        const result = inspectionRemedyPhase.schema({ members: 0 }).safeParse(args.payload);
        if (!result.success) refuse(describeIssues(result.error));
      },
    },
  );

  setHandler(
    closeInspectionUpdate,
    async (raw) => {
      const args = parseArgs(closeInspectionSchema, raw);
      status = 'closed';
      await record('closed', args.actor.id, args.note);
      return view();
    },
    { validator: (raw) => void (checked(closeInspectionSchema, raw), done() && refuse('Cuộc kiểm tra đã kết thúc')) },
  );

  // The cycle closing the year closes the inspections still open.
  setHandler(closeUnitSignal, () => {
    if (!done()) status = 'closed';
  });

  /** What each step of the remedies' ladder does. */
  const escalate = (level: 2 | 3) => async (step: ScheduledStep) => {
    escalationLevel = level;
    status = 'remedy_overdue';
    await record(`remedy_${step.kind}`, 'system', `Quá hạn khắc phục ${step.days} ngày`);
    return email(step.kind as 'escalation2' | 'escalation3', `remedy-${step.name}`, remedyDeadline!, { days: step.days });
  };
  const steps: Record<StepKind, (step: ScheduledStep) => Promise<void>> = {
    reminder: async (step) => email('reminder', `remedy-${step.name}`, remedyDeadline!, { days: step.days }),
    overdue: async (step) => {
      status = 'remedy_overdue';
      escalationLevel = 1;
      await record('remedy_overdue', 'system');
      return email('overdue', `remedy-${step.name}`, remedyDeadline!, { days: step.days });
    },
    escalation2: escalate(2),
    escalation3: escalate(3),
  };

  await record('opened', input.actor, input.reason);
  await email('inspection-notice', 'notice', today());

  for (;;) {
    while (outbox.length) await outbox.shift()!();
    if (done()) break;
    const current = ladder;
    const interrupted = () => done() || ladder !== current || outbox.length > 0;
    if (!current || status === 'noticed' || status === 'scheduled' || status === 'findings') {
      await condition(interrupted);
      continue;
    }
    await current.turn({
      stopped: interrupted,
      // Added on 6 December 2026 (docs/DEPLOYS.md): a remedy reminder an outage held past its moment is still
      // sent before the deadline, as a unit's are (`remainingStepsSince`); inspections before it dropped it.
      catchUp: () => patched('remedy-late-reminder-still-sent'),
      on: steps,
    });
  }
  await condition(allHandlersFinished);
  while (outbox.length) await outbox.shift()!();
  return view();
}
