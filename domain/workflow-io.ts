/**
 * Inputs and outputs of activities, shared as types with the workflows (which import them with `import type`
 * only, so no side-effecting code is bundled into the workflow sandbox).
 */
import type { IsoDate, WorkingCalendar } from './calendar.js';
import type { ClockMap } from './clock.js';
import type { EscalationLevel, ObligationStatus } from './obligation.js';
import type { ObligationPolicy } from './schedule.js';

export type EmailKind =
  | 'notice' // thông báo: the plan is issued, here is your deadline
  | 'reminder' // nhắc hạn
  | 'overdue' // quá hạn: to the secretary, copied to the standing body
  | 'escalation2' // báo cáo lãnh đạo: to the committee's leaders
  | 'escalation3' // ghi nhận không nộp: to the standing body
  | 'receipt' // xác nhận đã nhận
  | 'extension' // gia hạn
  | 'exemption' // miễn
  | 'bounce' // thư không gửi được: to the standing body, secretary copied
  | 'inspection-notice' // thông báo kiểm tra, giám sát
  | 'inspection-scheduled' // lịch làm việc của đoàn
  | 'inspection-conclusion'; // kết luận và yêu cầu khắc phục

export interface SendUnitEmailInput {
  key: string;
  cycleId: string;
  unitCode: string;
  phase: string;
  kind: EmailKind;
  deadline: IsoDate;
  /** Calendar instant the email speaks for (differs from real time in a compressed rehearsal). */
  calendarAt: number;
  /** For reminders: days left. For escalations: days overdue. */
  days?: number;
  version?: number;
  reason?: string;
  /** The operator whose act sends this email (an extension, an exemption, a manual reminder): named in its reason. */
  actor?: string;
  late?: boolean;
  /** What the submission said, in one Vietnamese line (receipts). */
  summary?: string;
  /** For inspection emails. */
  inspection?: {
    kind: string;
    body: string;
    reason?: string;
    date?: string;
    conclusion?: string;
    remedies?: string[];
    remedyDeadline?: string;
  };
}

export interface InspectionWorkflowInput {
  inspectionId: string;
  cycleId: string;
  unitCode: string;
  kind: 'kiem-tra' | 'giam-sat';
  body: 'ban-thuong-vu' | 'ubkt';
  origin: string;
  reason: string;
  actor: string;
  timeZone: string;
  calendar: WorkingCalendar;
  clock: ClockMap;
  /** Reminders and ladder of the remedy deadline. */
  remedyPolicy: ObligationPolicy;
}

export interface RecordInspectionInput {
  inspectionId: string;
  cycleId: string;
  unitCode: string;
  kind: string;
  body: string;
  origin: string;
  reason: string;
  status: string;
  scheduledOn?: string;
  findings?: string;
  conclusion?: string;
  remedies?: string[];
  remedyDeadline?: string;
  escalationLevel: number;
}

export interface SendUnitEmailResult {
  status: 'sent' | 'already_sent' | 'bounced';
  messageId: string;
  to: string[];
}

export interface RecordTransitionInput {
  key: string;
  cycleId: string;
  unitCode: string;
  phase: string;
  kind: string;
  status: ObligationStatus;
  escalationLevel: EscalationLevel;
  deadline: IsoDate;
  dueAt: number;
  calendarAt: number;
  /** The transition's place in its workflow's order (unit workflows); breaks a tie of equal calendar times. */
  seq?: number;
  actor: string;
  reason?: string;
  data?: Record<string, unknown>;
}

export interface StoreSubmissionInput {
  key: string;
  cycleId: string;
  unitCode: string;
  phase: string;
  payload: Record<string, unknown>;
  actor: string;
  via: string;
  late: boolean;
  calendarAt: number;
}

/**
 * A submission stored and its transition ('submitted' for version 1, 'revised' after) recorded in one
 * transaction, keyed by the submission's key (acceptSubmission, the unit workflow's local activity).
 */
export interface AcceptSubmissionInput extends StoreSubmissionInput {
  /** The obligation once this submission is accepted, as its transition records it. */
  status: ObligationStatus;
  escalationLevel: EscalationLevel;
  deadline: IsoDate;
  dueAt: number;
  /** The transition's place in its workflow's order (see RecordTransitionInput). */
  seq?: number;
  /** The transition's data, after the version this submission gets. */
  data: Record<string, unknown>;
  /**
   * The receipt to send, stored with the submission as a request the workers' email relay sends
   * (workers/email-relay.ts): the email as sendUnitEmail takes it, less its key and version, which follow from
   * the version stored. Absent in histories from before the 'receipt-by-email-relay' patch (an activity sent it).
   */
  receipt?: { workflowId: string; email: Omit<SendUnitEmailInput, 'key' | 'version'> };
}

export interface ObligationSpec {
  phase: string;
  title: string;
  opensOn: IsoDate;
  deadline: IsoDate;
  policy: ObligationPolicy;
}

export interface UnitWorkflowInput {
  cycleId: string;
  committeeCode: string;
  year: number;
  unitCode: string;
  timeZone: string;
  calendar: WorkingCalendar;
  clock: ClockMap;
  obligations: ObligationSpec[];
  /** False only on the time-skipping test server, which has no custom search attributes. */
  searchAttributes: boolean;
  /** Members of the unit at launch: submissions are checked against it (studied ≤ members). Absent in early histories. */
  members?: number;
  /** membersMarginPercent: absent in workflows launched before it existed (their validators use the default). */
  targets?: { studyPercent: number; pledgePercent: number; membersMarginPercent?: number };
  /** Days a unit under the attendance target has for its make-up session. */
  makeupDays?: number;
  /** The policy of derived obligations (the make-up session), taken from the study phase. */
  makeupPolicy?: ObligationPolicy;
  /** The cycle's closing day: no deadline may move past it (the cycle would close before its ladder ran). */
  closesOn?: IsoDate;
}

export interface CycleWorkflowInput {
  cycleId: string;
  /** Units launched per activity call: keeps each call short and the cycle's history small. */
  batchSize?: number;
}

export interface CyclePlan {
  unitCount: number;
  /** Real instant after which the cycle may close (last escalation of the last phase, plus a margin). */
  closesAt: number;
}

export interface LaunchBatchInput {
  cycleId: string;
  offset: number;
  limit: number;
}
