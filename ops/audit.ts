/**
 * The audit log of operator repairs: one row per request, written after the repair acted (or was refused, or
 * failed), never changed afterwards — the table refuses UPDATE, DELETE and TRUNCATE itself
 * (db/migrations/1764400000000_audit-log.sql).
 */
import type pg from 'pg';
import type { Db } from '../db/pool.js';
import type { AuditEntry } from './types.js';

type Queryable = Db | pg.PoolClient;

const COLUMNS = 'id, at, actor, role, action, cycle_id, unit_code, phase, workflow_id, reason, details, outcome, message, request_id';

function toEntry(r: Record<string, unknown>): AuditEntry {
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
    outcome: r.outcome as AuditEntry['outcome'],
    message: (r.message as string | null) ?? null,
    requestId: (r.request_id as string | null) ?? null,
  };
}

/**
 * Appends one entry. With a requestId already in the log the first entry is returned unchanged (the request
 * was recorded once; repeating it records nothing new).
 */
export async function recordAudit(db: Queryable, e: Omit<AuditEntry, 'id' | 'at'>): Promise<AuditEntry> {
  const reason = e.reason?.normalize('NFC').trim() ?? '';
  if (!reason) throw new Error('audit: a reason is required (the log refuses an entry without one)');
  if (!e.actor?.trim()) throw new Error('audit: an actor is required');
  const { rows } = await db.query(
    `INSERT INTO audit_log (actor, role, action, cycle_id, unit_code, phase, workflow_id, reason, details, outcome, message, request_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
     ON CONFLICT (request_id) DO NOTHING
     RETURNING ${COLUMNS}`,
    [
      e.actor.trim(),
      e.role,
      e.action,
      e.cycleId,
      e.unitCode,
      e.phase,
      e.workflowId,
      reason,
      JSON.stringify(e.details ?? {}),
      e.outcome,
      e.message,
      e.requestId ?? null,
    ],
  );
  if (rows[0]) return toEntry(rows[0]);
  const first = await auditByRequestId(db, e.requestId!);
  if (!first) throw new Error(`audit: request ${e.requestId} conflicted but its entry was not found`);
  return first;
}

export async function auditByRequestId(db: Queryable, requestId: string): Promise<AuditEntry | undefined> {
  const { rows } = await db.query(`SELECT ${COLUMNS} FROM audit_log WHERE request_id = $1`, [requestId]);
  return rows[0] ? toEntry(rows[0]) : undefined;
}

export interface AuditQuery {
  cycleId?: string;
  unitCode?: string;
  /** Page size, default 100, at most 1000. */
  limit?: number;
  /** The next page: entries older than this id (pass the last id of the previous page). */
  beforeId?: number;
  action?: string;
  actor?: string;
  outcome?: AuditEntry['outcome'];
  workflowId?: string;
}

/** Entries newest first, filtered; page with `beforeId`. */
export async function listAudit(db: Db, q: AuditQuery = {}): Promise<AuditEntry[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (q.cycleId) add('cycle_id = ?', q.cycleId);
  if (q.unitCode) add('unit_code = ?', q.unitCode);
  if (q.beforeId !== undefined) add('id < ?', q.beforeId);
  if (q.action) add('action = ?', q.action);
  if (q.actor) add('actor = ?', q.actor);
  if (q.outcome) add('outcome = ?', q.outcome);
  if (q.workflowId) add('workflow_id = ?', q.workflowId);
  const limit = Math.min(Math.max(1, Math.floor(q.limit ?? 100)), 1000);
  params.push(limit);
  const { rows } = await db.query(
    `SELECT ${COLUMNS} FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT $${params.length}`,
    params,
  );
  return rows.map(toEntry);
}
