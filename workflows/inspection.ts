/**
 * One inspection or supervision (kiểm tra, giám sát) of a unit: the notice, the visit's date, the findings, the
 * conclusion with remedies and their deadline, then the remedy obligation on the shared ladder (workflows/ladder.ts)
 * with its reminders and escalations, until the unit reports what it did or the committee closes the inspection.
 * Its state and effects: workflows/inspection/state.ts.
 */
import { allHandlersFinished, condition, patched, setHandler } from '@temporalio/workflow';
import { closeInspectionSchema, concludeSchema, findingsSchema, scheduleInspectionSchema } from '../domain/inspections.js';
import { describeIssues, submitSchema } from '../domain/submissions.js';
import { remindSchema } from '../domain/reminders.js';
import { inspectionRemedyPhase } from '../domain/phases/inspection-remedy.js';
import { DEFAULT_TARGETS } from '../domain/phases/index.js';
import { messageVersion, parseArgs, refuse } from './refusals.js';
import { Ladder } from './ladder.js';
import type { InspectionWorkflowInput } from '../domain/workflow-io.js';
import {
  closeInspectionUpdate,
  closeUnitSignal,
  concludeInspectionUpdate,
  inspectionViewQuery,
  recordFindingsUpdate,
  remindRemedyUpdate,
  reportRemedyUpdate,
  scheduleInspectionUpdate,
  type InspectionView,
  type SubmissionReceipt,
} from './messages.js';
import { acts, Inspection, REMEDY_PHASE } from './inspection/state.js';
import { checkRemedyRemindable, remindRemedy } from './inspection/remind.js';

export async function inspectionWorkflow(input: InspectionWorkflowInput): Promise<InspectionView> {
  const { cycleId, unitCode, clock, timeZone, calendar } = input;
  const x = new Inspection(input);
  const { outbox, seen } = x;
  /** A validator's parse: a shape version it does not know (workflows/messages.ts `Versioned`) is refused too. */
  const checked = <T>(schema: Parameters<typeof parseArgs<T>>[0], raw: unknown): T => (messageVersion(raw, true), parseArgs(schema, raw));
  const ended = () => x.done() && refuse('Cuộc kiểm tra đã kết thúc');

  setHandler(inspectionViewQuery, () => x.view());

  setHandler(
    scheduleInspectionUpdate,
    async (raw) => {
      const args = parseArgs(scheduleInspectionSchema, raw);
      x.scheduledOn = args.date;
      if (x.status === 'noticed') x.status = 'scheduled';
      await x.record('scheduled', args.actor.id);
      outbox.push(() => x.email('inspection-scheduled', `scheduled@${args.date}`, args.date));
      return x.view();
    },
    { validator: (raw) => void (checked(scheduleInspectionSchema, raw), ended()) },
  );

  setHandler(
    recordFindingsUpdate,
    async (raw) => {
      const args = parseArgs(findingsSchema, raw);
      x.findings = args.findings;
      if (x.status === 'noticed' || x.status === 'scheduled') x.status = 'findings';
      await x.record('findings', args.actor.id);
      return x.view();
    },
    { validator: (raw) => void (checked(findingsSchema, raw), ended()) },
  );

  setHandler(
    concludeInspectionUpdate,
    async (raw) => {
      const args = parseArgs(concludeSchema, raw);
      x.conclusion = args.conclusion;
      x.remedies = args.remedies;
      x.remedyDeadline = args.remedies.length ? args.remedyDeadline : undefined;
      x.status = x.remedies.length ? 'concluded' : 'closed';
      x.escalationLevel = 0;
      x.ladder = x.remedyDeadline ? new Ladder({ clock, calendar, timeZone, policy: input.remedyPolicy }, x.remedyDeadline) : undefined;
      // Reminders due before the conclusion are not sent; one an outage holds past its moment after it is.
      x.ladder?.start(x.calendarNow());
      await x.record('concluded', args.actor.id);
      outbox.push(() => x.email('inspection-conclusion', 'conclusion', x.remedyDeadline ?? x.today()));
      return x.view();
    },
    {
      validator: (raw) => {
        checked(concludeSchema, raw);
        ended();
        if (x.conclusion) refuse('Cuộc kiểm tra đã có kết luận');
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
      const { late } = x.ladder!.judge(args.sentAt, () => patched('remedy-judged-by-sent-time'));
      const key = `${input.inspectionId}/${args.requestId}`;
      const { version } = await acts.storeSubmission({
        key,
        cycleId,
        unitCode,
        phase: REMEDY_PHASE,
        payload,
        actor: args.actor.id,
        via: args.actor.via,
        late,
        calendarAt: x.calendarNow(),
      });
      x.status = 'remedied';
      await x.record('remedied', args.actor.id, late ? 'Báo cáo khắc phục chậm' : undefined);
      const receipt: SubmissionReceipt = {
        phase: REMEDY_PHASE,
        version,
        status: late ? 'late' : 'submitted',
        late,
        deadline: x.remedyDeadline!,
      };
      seen.set(args.requestId, receipt);
      // Added mid-year (docs/DEPLOYS.md): the unit is told its remedy report arrived, and whether it counts as
      // late, as for every other report it submits. Inspections remedied under the earlier code ended without
      // this email; `patched` keeps their recorded histories replaying.
      if (patched('remedy-receipt')) {
        const { summary } = inspectionRemedyPhase.outcome(payload, { members: 0 }, DEFAULT_TARGETS);
        outbox.push(() => x.email('receipt', 'remedy-receipt', x.remedyDeadline!, { version, late, summary }));
      }
      return receipt;
    },
    {
      validator: (raw) => {
        const args = checked(submitSchema, raw);
        if (seen.has(args.requestId)) return;
        if (!x.remedyDeadline || !x.conclusion) refuse('Chưa có kết luận yêu cầu khắc phục');
        if (x.done()) refuse('Đã báo cáo khắc phục hoặc cuộc kiểm tra đã kết thúc');
        const result = inspectionRemedyPhase.schema({ members: 0 }).safeParse(args.payload);
        if (!result.success) refuse(describeIssues(result.error));
      },
    },
  );

  setHandler(
    closeInspectionUpdate,
    async (raw) => {
      const args = parseArgs(closeInspectionSchema, raw);
      x.status = 'closed';
      await x.record('closed', args.actor.id, args.note);
      return x.view();
    },
    { validator: (raw) => void (checked(closeInspectionSchema, raw), ended()) },
  );

  // Added 6 December 2026: a new Update sends nothing until called, so no history before it changes.
  setHandler(remindRemedyUpdate, (raw) => remindRemedy(x, parseArgs(remindSchema, raw)), {
    validator: (raw) => checkRemedyRemindable(x, checked(remindSchema, raw)),
  });

  // The cycle closing the year closes the inspections still open.
  setHandler(closeUnitSignal, () => {
    if (!x.done()) x.status = 'closed';
  });

  const steps = x.steps();
  await x.record('opened', input.actor, input.reason);
  await x.email('inspection-notice', 'notice', x.today());

  for (;;) {
    while (outbox.length) await outbox.shift()!();
    if (x.done()) break;
    const current = x.ladder;
    const interrupted = () => x.done() || x.ladder !== current || outbox.length > 0;
    if (!current || x.status === 'noticed' || x.status === 'scheduled' || x.status === 'findings') {
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
  return x.view();
}
