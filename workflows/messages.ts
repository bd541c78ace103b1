/**
 * The messages a unit workflow answers, defined once: the workflow sets their handlers, and the API and CLI
 * import these same definitions. Arguments are the zod-parsed shapes of domain/submissions.ts.
 *
 * Versions: every Update's argument may carry `v`, the version of its shape (`Versioned`). Absent means 1, the
 * only version so far. A workflow runs for a year, so a changed shape has to be taken beside the old one: the
 * handler's `switch (messageVersion(raw))` (workflows/unit/handlers.ts) is where a `v: 2` would be handled, and
 * the validators refuse a version they do not know before it reaches history.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { AcknowledgePlan, Exempt, ExtendDeadline, RemoveUnit, Submit } from '../domain/submissions.js';
import type { EscalationLevel, ObligationStatus } from '../domain/obligation.js';
import type { IsoDate } from '../domain/calendar.js';
import type { CloseInspection, Conclude, Findings, InspectionStatus, ScheduleInspection } from '../domain/inspections.js';
import type { Remind, ReminderResult } from '../domain/reminders.js';
import type { EmailKind } from '../domain/workflow-io.js';

/** An Update's argument with its shape's version: absent means 1 (see above). */
export type Versioned<T> = T & { v?: 1 };

export interface ObligationView {
  phase: string;
  title: string;
  configuredDeadline: IsoDate;
  deadline: IsoDate;
  dueAt: number;
  status: ObligationStatus;
  escalationLevel: EscalationLevel;
  stepsDone: string[];
  versions: number;
  submittedAt?: number;
  exemptReason?: string;
}

export interface UnitView {
  cycleId: string;
  unitCode: string;
  obligations: ObligationView[];
  closed: boolean;
  /**
   * What the workflow's update validator checks payloads against (the registry's member count as launched, the
   * cycle's margin): the web form checks with the same. Absent from workflows built before it was added.
   */
  facts?: { members: number; membersMarginPercent: number };
}

export interface SubmissionReceipt {
  phase: string;
  version: number;
  status: ObligationStatus;
  late: boolean;
  deadline: IsoDate;
  /** The submission in one Vietnamese line, and whether it fell under the cycle's target. */
  summary?: string;
  underTarget?: boolean;
}

export const submitUpdate = defineUpdate<SubmissionReceipt, [Versioned<Submit>]>('submit');
export const acknowledgePlanUpdate = defineUpdate<SubmissionReceipt, [Versioned<AcknowledgePlan>]>('acknowledgePlan');
export const extendDeadlineUpdate = defineUpdate<ObligationView, [Versioned<ExtendDeadline>]>('extendDeadline');
export const exemptUpdate = defineUpdate<ObligationView, [Versioned<Exempt>]>('exempt');
export const removeUnitUpdate = defineUpdate<UnitView, [Versioned<RemoveUnit>]>('removeUnit');
/**
 * A manual reminder of one obligation, now (domain/reminders.ts): the ladder decides whether it is a reminder
 * or an overdue notice and records it ('manual_reminder'); a repeated request id returns the first result.
 */
export const remindUpdate = defineUpdate<ReminderResult, [Remind]>('remind');
export const unitViewQuery = defineQuery<UnitView>('unitView');
/** Sent by the cycle when the year closes: open obligations stay as they are and the workflow ends. */
export const closeUnitSignal = defineSignal<[{ reason: string }]>('closeUnit');

/** An email the workers' relay sent for this unit (a receipt) bounced: `to` refused it (workers/email-relay.ts). */
export interface EmailBounce {
  phase: string;
  kind: EmailKind;
  /** The email's key: a bounce told twice is recorded once. */
  key: string;
  to: string[];
  messageId: string;
}
export const emailBouncedSignal = defineSignal<[EmailBounce]>('emailBounced');

export interface CycleView {
  cycleId: string;
  unitCount: number;
  launched: number;
  closed: boolean;
}
export const cycleViewQuery = defineQuery<CycleView>('cycleView');
export const closeCycleSignal = defineSignal<[{ reason: string; actor: string }]>('closeCycle');

// Inspections (kiểm tra, giám sát): one workflow each.

export interface InspectionView {
  inspectionId: string;
  cycleId: string;
  unitCode: string;
  kind: string;
  body: string;
  status: InspectionStatus;
  scheduledOn?: IsoDate;
  findings?: string;
  conclusion?: string;
  remedies: string[];
  remedyDeadline?: IsoDate;
  escalationLevel: EscalationLevel;
}

export const scheduleInspectionUpdate = defineUpdate<InspectionView, [Versioned<ScheduleInspection>]>('scheduleInspection');
export const recordFindingsUpdate = defineUpdate<InspectionView, [Versioned<Findings>]>('recordFindings');
export const concludeInspectionUpdate = defineUpdate<InspectionView, [Versioned<Conclude>]>('concludeInspection');
/** The unit's report on its remedies: a `Submit` with phase 'inspection-remedy'. */
export const reportRemedyUpdate = defineUpdate<SubmissionReceipt, [Versioned<Submit>]>('reportRemedy');
export const closeInspectionUpdate = defineUpdate<InspectionView, [Versioned<CloseInspection>]>('closeInspection');
export const inspectionViewQuery = defineQuery<InspectionView>('inspectionView');
/**
 * A manual reminder of the inspection's remedy report (phase 'inspection-remedy'), the inspection's own Update
 * beside the unit's `remind`: the remedies' ladder decides reminder or overdue notice and the workflow records it
 * ('inspection_manual_reminder'); a repeated request id returns the first result (workflows/inspection/remind.ts).
 */
export const remindRemedyUpdate = defineUpdate<ReminderResult, [Remind]>('remindRemedy');
