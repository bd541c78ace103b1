/**
 * The messages a unit workflow answers, defined once: the workflow sets their handlers, and the API and CLI
 * import these same definitions. Arguments are the zod-parsed shapes of domain/submissions.ts.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { AcknowledgePlan, Exempt, ExtendDeadline, RemoveUnit, Submit } from '../domain/submissions.js';
import type { EscalationLevel, ObligationStatus } from '../domain/obligation.js';
import type { IsoDate } from '../domain/calendar.js';
import type { CloseInspection, Conclude, Findings, InspectionStatus, ScheduleInspection } from '../domain/inspections.js';

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

export const submitUpdate = defineUpdate<SubmissionReceipt, [Submit]>('submit');
export const acknowledgePlanUpdate = defineUpdate<SubmissionReceipt, [AcknowledgePlan]>('acknowledgePlan');
export const extendDeadlineUpdate = defineUpdate<ObligationView, [ExtendDeadline]>('extendDeadline');
export const exemptUpdate = defineUpdate<ObligationView, [Exempt]>('exempt');
export const removeUnitUpdate = defineUpdate<UnitView, [RemoveUnit]>('removeUnit');
export const unitViewQuery = defineQuery<UnitView>('unitView');
/** Sent by the cycle when the year closes: open obligations stay as they are and the workflow ends. */
export const closeUnitSignal = defineSignal<[{ reason: string }]>('closeUnit');

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

export const scheduleInspectionUpdate = defineUpdate<InspectionView, [ScheduleInspection]>('scheduleInspection');
export const recordFindingsUpdate = defineUpdate<InspectionView, [Findings]>('recordFindings');
export const concludeInspectionUpdate = defineUpdate<InspectionView, [Conclude]>('concludeInspection');
/** The unit's report on its remedies: a `Submit` with phase 'inspection-remedy'. */
export const reportRemedyUpdate = defineUpdate<SubmissionReceipt, [Submit]>('reportRemedy');
export const closeInspectionUpdate = defineUpdate<InspectionView, [CloseInspection]>('closeInspection');
export const inspectionViewQuery = defineQuery<InspectionView>('inspectionView');
