/**
 * A unit's whole record as the timeline (ops/timeline.ts) reads it: its emails (each with the reason it was sent),
 * submissions, events, the operators' repairs and its inspections, each in the order it was written.
 */
import type { Db } from './pool.js';

export interface EmailRecordRow {
  id: string;
  email_key: string;
  phase: string;
  kind: string;
  to_addrs: string[];
  cc_addrs: string[] | null;
  subject: string;
  status: string;
  attempts: number;
  last_error: string | null;
  message_id: string;
  created_at: Date;
  sent_at: Date | null;
  calendar_at: Date;
  /** Why it was sent, in Vietnamese; NULL for emails written before the column existed. */
  reason: string | null;
}

export interface SubmissionRecordRow {
  id: string;
  submission_key: string;
  phase: string;
  version: number;
  actor: string;
  via: string;
  late: boolean;
  payload: Record<string, unknown> | null;
  submitted_at: Date;
  calendar_at: Date;
}

export interface EventRecordRow {
  id: string;
  event_key: string;
  phase: string;
  kind: string;
  status: string;
  escalation_level: number;
  deadline: string;
  actor: string;
  reason: string | null;
  /** What the transition recorded beside its state: an email key, a new deadline, a submission's summary… */
  data: Record<string, unknown> | null;
  at: Date;
  calendar_at: Date;
}

export interface AuditRecordRow {
  id: string;
  at: Date;
  actor: string;
  role: string;
  action: string;
  phase: string | null;
  workflow_id: string | null;
  reason: string;
  details: Record<string, unknown> | null;
  outcome: string;
  message: string | null;
  request_id: string | null;
}

export interface InspectionRecordRow {
  id: string;
  kind: string;
  body: string;
  origin: string;
  reason: string | null;
  status: string;
  scheduled_on: string | null;
  remedy_deadline: string | null;
  escalation_level: number;
  created_at: Date;
  updated_at: Date;
}

export interface UnitRecordRows {
  emails: EmailRecordRow[];
  submissions: SubmissionRecordRow[];
  events: EventRecordRow[];
  audits: AuditRecordRow[];
  inspections: InspectionRecordRow[];
}

export async function unitRecordRows(db: Db, cycleId: string, unitCode: string): Promise<UnitRecordRows> {
  const [emails, submissions, events, audits, inspections] = await Promise.all([
    db.query<EmailRecordRow>(
      `SELECT id, email_key, phase, kind, to_addrs, cc_addrs, subject, status, attempts, last_error, message_id, created_at, sent_at, calendar_at, reason
       FROM emails WHERE cycle_id = $1 AND unit_code = $2 ORDER BY id`,
      [cycleId, unitCode],
    ),
    db.query<SubmissionRecordRow>(
      `SELECT id, submission_key, phase, version, actor, via, late, payload, submitted_at, calendar_at
       FROM submissions WHERE cycle_id = $1 AND unit_code = $2 ORDER BY id`,
      [cycleId, unitCode],
    ),
    db.query<EventRecordRow>(
      `SELECT id, event_key, phase, kind, status, escalation_level, to_char(deadline, 'YYYY-MM-DD') AS deadline, actor, reason, data, at, calendar_at
       FROM events WHERE cycle_id = $1 AND unit_code = $2 ORDER BY id`,
      [cycleId, unitCode],
    ),
    db.query<AuditRecordRow>(
      `SELECT id, at, actor, role, action, phase, workflow_id, reason, details, outcome, message, request_id
       FROM audit_log WHERE cycle_id = $1 AND unit_code = $2 ORDER BY id`,
      [cycleId, unitCode],
    ),
    db.query<InspectionRecordRow>(
      `SELECT id, kind, body, origin, reason, status, to_char(scheduled_on, 'YYYY-MM-DD') AS scheduled_on,
         to_char(remedy_deadline, 'YYYY-MM-DD') AS remedy_deadline, escalation_level, created_at, updated_at
       FROM inspections WHERE cycle_id = $1 AND unit_code = $2 ORDER BY created_at`,
      [cycleId, unitCode],
    ),
  ]);
  return { emails: emails.rows, submissions: submissions.rows, events: events.rows, audits: audits.rows, inspections: inspections.rows };
}
