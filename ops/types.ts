/**
 * What operators see and do: the shapes shared by the stalled-workflow detector (ops/stalled.ts), the repairs
 * (ops/repairs.ts), the audit log (ops/audit.ts), the `chuky` commands and the web console. Types only.
 */
import type { AuditLogRow } from '../db/audit-log.js';
import type { Client } from '@temporalio/client';
import type { Db } from '../db/pool.js';
import type { EmailDeps } from '../activities/email.js';

/** Everything the operations code needs, built once per process. */
export interface OpsDeps {
  db: Db;
  client: Client;
  namespace: string;
  taskQueue: string;
  /** The Temporal Web UI's base URL, for links to a workflow's page (absent when unknown). */
  temporalUiUrl?: string;
  /**
   * What the 'remind' repair sends with: the worker's mailer and settings (a Runtime's `activityDeps` fits).
   * Without it, 'remind' fails with a message saying so; every other repair works.
   */
  mail?: Omit<EmailDeps, 'db'>;
}

export const STALL_KINDS = [
  /** An activity has failed `attempt` times and is still retrying (SMTP down, database down, …). */
  'activity-retrying',
  /** A workflow task keeps failing (e.g. non-determinism after a deploy); Temporal retries it forever. */
  'workflow-task-failing',
  /** A unit past its deadline, at escalation level 1, 2 or 3 (not submitted). */
  'overdue',
  /** An inspection whose remedy deadline has passed without the unit's remedy report. */
  'remedy-overdue',
  /** A phase whose ladder has run out while units are neither done, exempted nor marked not submitted. */
  'phase-blocked',
  /** No worker is polling the task queue. */
  'worker-missing',
  /** An email the workers' relay sends (a receipt) has failed `attempt` times and is still retried (SMTP down, …). */
  'email-retrying',
] as const;
export type StallKind = (typeof STALL_KINDS)[number];

export const REPAIR_ACTIONS = ['extend', 'exempt', 'remind', 'record', 'retry', 'reset', 'cancel'] as const;
export type RepairAction = (typeof REPAIR_ACTIONS)[number];

export interface Stall {
  kind: StallKind;
  cycleId?: string;
  unitCode?: string;
  unitName?: string;
  phase?: string;
  workflowId?: string;
  runId?: string;
  /** Escalation level for 'overdue'. */
  level?: number;
  /** Retry attempt for 'activity-retrying', 'email-retrying' and 'workflow-task-failing'. */
  attempt?: number;
  /** The activity type, for 'activity-retrying'. */
  activityType?: string;
  /** When the condition began (ISO instant), if known. */
  since?: string;
  /** One line: what is wrong and why, e.g. "sendEmail attempt 6: connect ECONNREFUSED 127.0.0.1:2525". */
  cause: string;
  /** The same in Vietnamese, from the catalogue (domain/words.ts): what the console and `--lang vi` show. */
  causeVi?: string;
  /** A link to the workflow's page in Temporal's Web UI. */
  temporalUrl?: string;
  /** The repairs that make sense for this stall, in the order to try them. */
  repairs: RepairAction[];
}

export interface StallQuery {
  cycleId?: string;
  /** An activity counts as stalled from this attempt on (default 3). */
  minAttempts?: number;
  /** A worker counts as missing when no poller has been seen for this long (default 90 s). */
  pollerGraceSeconds?: number;
  /** Only these kinds. */
  kinds?: StallKind[];
  /**
   * Describe every running workflow of the queue, not only those the workers noted failing and Temporal flags
   * (ops/stalled.ts): seconds for thousands of workflows; for when the notes are suspected incomplete.
   */
  deep?: boolean;
}

/** Who is acting: a console user or an operator at the command line. Every repair names one and a reason. */
export interface Actor {
  id: string;
  /** 'cli', or the console role: 'admin' | 'clerk' | 'leader'. */
  role: string;
}

/** One entry of the append-only audit log, as db/audit-log.ts reads it. */
export type AuditEntry = AuditLogRow;

export interface RepairRequest {
  action: RepairAction;
  cycleId?: string;
  unitCode?: string;
  phase?: string;
  /** For retry, reset and cancel: the workflow (a unit's, an inspection's or a cycle's). */
  workflowId?: string;
  /** extend: the new deadline, YYYY-MM-DD. */
  until?: string;
  /** record: the submission's payload (as the phase's form would send it). */
  payload?: unknown;
  /** record: a note kept with the submission (e.g. "received on paper on 12/3"). */
  note?: string;
  reason: string;
  actor: Actor;
  /** Makes a repeated request (a double click, a retried script) a no-op. */
  requestId?: string;
  /** cancel: allow cancelling a cycle workflow (refused without it: it would stop the year's closing and freezing). */
  force?: boolean;
}

export interface RepairResult {
  action: RepairAction;
  ok: boolean;
  /** One line for people, Vietnamese or English. */
  message: string;
  /** The audit row; 0 only when the request could not be recorded at all (no reason or no actor). */
  auditId: number;
  target: { cycleId?: string; unitCode?: string; phase?: string; workflowId?: string };
  /** 'refused' (nothing was done) or 'failed' (tried, and it did not work); 'ok' when ok. */
  outcome?: 'ok' | 'refused' | 'failed';
  /** What the repair produced: the obligation's new view, the receipt, the email's Message-ID, the new run id… */
  data?: Record<string, unknown>;
  /** True when this answers a repeated requestId with the first request's result (nothing was done again). */
  repeated?: boolean;
}

/** Selects units for a bulk repair. */
export interface UnitFilter {
  cycleId: string;
  phase?: string;
  /** Obligation statuses, e.g. ['overdue', 'not_submitted']. */
  status?: string[];
  /** Minimum escalation level. */
  minLevel?: number;
  unitCodes?: string[];
}

export interface CycleSummary {
  cycleId: string;
  committeeCode: string;
  year: number;
  status: string;
  units: number;
  frozenAt: string | null;
  createdAt: string;
  /** Obligations overdue or not submitted right now. */
  overdue: number;
  workflowId: string;
  /** A past year imported from a workbook (`chuky cycle import-year`): who imported it and when; null otherwise. */
  imported: { at: string; by: string | null } | null;
  /** Absent for an imported year: no workflow ever ran it. */
  temporalUrl?: string;
}

/** One phase of a cycle: how many units are in each state, with percentages of the units that owe it. */
export interface PhaseSummary {
  phase: string;
  title: string;
  total: number;
  counts: { onTime: number; late: number; overdue: number; notSubmitted: number; exempted: number; pending: number; removed: number };
  /** The same, as percentages of `total` with one decimal (Vietnamese formatting is the caller's). */
  percent: { onTime: number; late: number; overdue: number; notSubmitted: number; exempted: number; pending: number; removed: number };
}

export interface OverdueRow {
  cycleId: string;
  unitCode: string;
  unitName: string;
  phase: string;
  status: string;
  level: number;
  deadline: string;
  daysOverdue: number;
  workflowId: string;
  temporalUrl?: string;
}

export interface TimelineEntry {
  at: string;
  /** 'email' | 'submission' | 'transition' | 'repair' | 'inspection'. */
  kind: string;
  phase: string | null;
  /** One line for people. */
  summary: string;
  actor: string | null;
  reason: string | null;
  details: Record<string, unknown>;
}

export interface DoctorCheck {
  name: 'temporal' | 'postgres' | 'migrations' | 'smtp' | 'worker' | 'search-attributes' | 'dev-stack';
  ok: boolean;
  detail: string;
  ms: number;
}
