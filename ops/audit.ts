/**
 * The audit log of operator repairs: one row per request, written after the repair acted (or was refused, or
 * failed), never changed afterwards — the table refuses UPDATE, DELETE and TRUNCATE itself
 * (db/migrations/1764400000000_audit-log.sql). The rows are read and written in db/audit-log.ts; the rules are here.
 */
import type pg from 'pg';
import { auditEntryByRequestId, insertAuditEntry, listAuditEntries } from '../db/audit-log.js';
import type { Db } from '../db/pool.js';
import type { AuditEntry } from './types.js';

type Queryable = Db | pg.PoolClient;

/**
 * Appends one entry. With a requestId already in the log the first entry is returned unchanged (the request
 * was recorded once; repeating it records nothing new).
 */
export async function recordAudit(db: Queryable, e: Omit<AuditEntry, 'id' | 'at'>): Promise<AuditEntry> {
  const reason = e.reason?.normalize('NFC').trim() ?? '';
  if (!reason) throw new Error('audit: a reason is required (the log refuses an entry without one)');
  if (!e.actor?.trim()) throw new Error('audit: an actor is required');
  const inserted = await insertAuditEntry(db, { ...e, actor: e.actor.trim(), reason });
  if (inserted) return inserted;
  const first = await auditByRequestId(db, e.requestId!);
  if (!first) throw new Error(`audit: request ${e.requestId} conflicted but its entry was not found`);
  return first;
}

export async function auditByRequestId(db: Queryable, requestId: string): Promise<AuditEntry | undefined> {
  return auditEntryByRequestId(db, requestId);
}

export interface AuditQuery {
  cycleId?: string;
  /** Only entries about these committees (a console user scoped to them). */
  committees?: readonly string[];
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
  const limit = Math.min(Math.max(1, Math.floor(q.limit ?? 100)), 1000);
  return listAuditEntries(db, q, limit);
}
