/**
 * The audit_log table: appended once per operator request, never changed afterwards — the table refuses UPDATE,
 * DELETE and TRUNCATE itself (db/migrations/1764400000000_audit-log.sql). The rules (a reason is required, a
 * repeated request returns its first entry) are ops/audit.ts's; this module only reads and writes rows.
 */
import type pg from 'pg';
import type { Db } from './pool.js';

type Queryable = Db | pg.PoolClient;

/** One row of the audit log (ops/types.ts calls it AuditEntry). */
export interface AuditLogRow {
  id: number;
  at: string;
  actor: string;
  role: string;
  action: string;
  cycleId: string | null;
  unitCode: string | null;
  phase: string | null;
  workflowId: string | null;
  reason: string;
  details: Record<string, unknown>;
  outcome: 'ok' | 'refused' | 'failed';
  message: string | null;
  /** The request's idempotency key, when it had one (unique in the log). */
  requestId?: string | null;
  /**
   * The committee the entry is about: given, or its cycle's (written by the insert). Null for entries written
   * before the column existed; readers then go by the cycle.
   */
  committeeCode?: string | null;
}

const COLUMNS =
  'id, at, actor, role, action, cycle_id, unit_code, phase, workflow_id, reason, details, outcome, message, request_id, committee_code';

function toRow(r: Record<string, unknown>): AuditLogRow {
  return {
    // bigserial comes back as a string; ids stay far below 2^53.
    id: Number(r.id),
    at: new Date(r.at as string).toISOString(),
    actor: r.actor as string,
    role: r.role as string,
    action: r.action as string,
    cycleId: (r.cycle_id as string | null) ?? null,
    unitCode: (r.unit_code as string | null) ?? null,
    phase: (r.phase as string | null) ?? null,
    workflowId: (r.workflow_id as string | null) ?? null,
    reason: r.reason as string,
    details: (r.details as Record<string, unknown> | null) ?? {},
    outcome: r.outcome as AuditLogRow['outcome'],
    message: (r.message as string | null) ?? null,
    requestId: (r.request_id as string | null) ?? null,
    committeeCode: (r.committee_code as string | null) ?? null,
  };
}

/** Inserts one entry; undefined when its request_id is already in the log (nothing is written then). */
export async function insertAuditEntry(db: Queryable, e: Omit<AuditLogRow, 'id' | 'at'>): Promise<AuditLogRow | undefined> {
  const { rows } = await db.query(
    `INSERT INTO audit_log (actor, role, action, cycle_id, unit_code, phase, workflow_id, reason, details, outcome, message, request_id,
       committee_code)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, COALESCE($13, (SELECT committee_code FROM cycles WHERE id = $4)))
     ON CONFLICT (request_id) DO NOTHING
     RETURNING ${COLUMNS}`,
    [
      e.actor,
      e.role,
      e.action,
      e.cycleId,
      e.unitCode,
      e.phase,
      e.workflowId,
      e.reason,
      JSON.stringify(e.details ?? {}),
      e.outcome,
      e.message,
      e.requestId ?? null,
      e.committeeCode ?? null,
    ],
  );
  return rows[0] ? toRow(rows[0]) : undefined;
}

export async function auditEntryByRequestId(db: Queryable, requestId: string): Promise<AuditLogRow | undefined> {
  const { rows } = await db.query(`SELECT ${COLUMNS} FROM audit_log WHERE request_id = $1`, [requestId]);
  return rows[0] ? toRow(rows[0]) : undefined;
}

/** Equality filters on audit_log; every one given must hold. */
export interface AuditLogFilter {
  cycleId?: string;
  unitCode?: string;
  /** Entries older than this id (the last id of the previous page). */
  beforeId?: number;
  action?: string;
  actor?: string;
  outcome?: AuditLogRow['outcome'];
  workflowId?: string;
  /** Only entries about these committees (a scoped console user's): by the entry's committee, else its cycle's. */
  committees?: readonly string[];
}

/** Entries newest first, at most `limit` (the caller bounds it). */
export async function listAuditEntries(db: Db, f: AuditLogFilter, limit: number): Promise<AuditLogRow[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (f.cycleId) add('cycle_id = ?', f.cycleId);
  if (f.unitCode) add('unit_code = ?', f.unitCode);
  if (f.beforeId !== undefined) add('id < ?', f.beforeId);
  if (f.action) add('action = ?', f.action);
  if (f.actor) add('actor = ?', f.actor);
  if (f.outcome) add('outcome = ?', f.outcome);
  if (f.workflowId) add('workflow_id = ?', f.workflowId);
  if (f.committees) {
    params.push(f.committees);
    const p = `$${params.length}`;
    where.push(
      `(committee_code = ANY(${p}) OR (committee_code IS NULL AND cycle_id IN (SELECT id FROM cycles WHERE committee_code = ANY(${p}))))`,
    );
  }
  params.push(limit);
  const { rows } = await db.query(
    `SELECT ${COLUMNS} FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT $${params.length}`,
    params,
  );
  return rows.map(toRow);
}
