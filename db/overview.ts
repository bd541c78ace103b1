/**
 * The reads behind the operator's overview (ops/overview.ts): cycles with their counts, each unit's state per
 * phase, the obligations overdue. PostgreSQL only, so they answer while Temporal is down.
 */
import type { ClockMap } from '../domain/clock.js';
import type { Db } from './pool.js';

export interface CycleSummaryRow {
  id: string;
  committeeCode: string;
  year: number;
  status: string;
  frozenAt: Date | null;
  createdAt: Date;
  importedAt: Date | null;
  importedBy: string | null;
  /** Units not removed. */
  units: number;
  /** Obligations whose status is one of the given overdue statuses. */
  overdue: number;
}

/** Every cycle, newest first, with its unit count and its obligations in `overdueStatuses`. */
export async function cycleSummaries(db: Db, overdueStatuses: readonly string[]): Promise<CycleSummaryRow[]> {
  const { rows } = await db.query(
    `SELECT c.id, c.committee_code, c.year, c.status, c.frozen_at, c.created_at, c.imported_at, c.imported_by,
       (SELECT count(*)::int FROM units u WHERE u.cycle_id = c.id AND u.removed_at IS NULL) AS units,
       (SELECT count(*)::int FROM obligations o WHERE o.cycle_id = c.id AND o.status = ANY($1::text[])) AS overdue
     FROM cycles c ORDER BY c.created_at DESC, c.id`,
    [[...overdueStatuses]],
  );
  return rows.map((r) => ({
    id: r.id,
    committeeCode: r.committee_code,
    year: r.year,
    status: r.status,
    frozenAt: r.frozen_at ?? null,
    createdAt: r.created_at,
    importedAt: r.imported_at ?? null,
    importedBy: r.imported_by ?? null,
    units: r.units,
    overdue: r.overdue,
  }));
}

/** Every unit of a cycle, removed ones included, and whether it was removed. */
export async function unitsWithRemoval(db: Db, cycleId: string): Promise<{ code: string; removed: boolean }[]> {
  const { rows } = await db.query('SELECT code, removed_at IS NOT NULL AS removed FROM units WHERE cycle_id = $1', [cycleId]);
  return rows.map((r) => ({ code: r.code, removed: r.removed }));
}

export interface ObligationStatusRow {
  unitCode: string;
  phase: string;
  status: string;
}

/** Each obligation's status in a cycle, by unit code, then phase. */
export async function obligationStatuses(db: Db, cycleId: string): Promise<ObligationStatusRow[]> {
  const { rows } = await db.query('SELECT unit_code, phase, status FROM obligations WHERE cycle_id = $1 ORDER BY unit_code, phase', [
    cycleId,
  ]);
  return rows.map((r) => ({ unitCode: r.unit_code, phase: r.phase, status: r.status }));
}

export interface OverdueObligationRow {
  cycleId: string;
  unitCode: string;
  unitName: string;
  phase: string;
  status: string;
  escalationLevel: number;
  /** YYYY-MM-DD. */
  deadline: string;
  clock: ClockMap;
  /** The cycle's time zone; null when its definition names none. */
  timezone: string | null;
  closedAt: Date | null;
}

/**
 * Obligations whose status is in `statuses`, at `minLevel` or above; in one cycle, or (without one) in the
 * cycles not closed. Unordered: the caller orders by phase order, which SQL does not know.
 */
export async function overdueObligations(
  db: Db,
  q: { statuses: readonly string[]; cycleId?: string; phase?: string; minLevel?: number },
): Promise<OverdueObligationRow[]> {
  const { rows } = await db.query(
    `SELECT o.cycle_id, o.unit_code, u.name AS unit_name, o.phase, o.status, o.escalation_level,
       to_char(o.deadline, 'YYYY-MM-DD') AS deadline, c.clock, c.definition->>'timezone' AS tz, c.closed_at
     FROM obligations o
     JOIN units u ON u.cycle_id = o.cycle_id AND u.code = o.unit_code
     JOIN cycles c ON c.id = o.cycle_id
     WHERE o.status = ANY($1::text[])
       AND ($2::text IS NULL OR o.cycle_id = $2)
       AND ($2::text IS NOT NULL OR c.status <> 'closed')
       AND ($3::text IS NULL OR o.phase = $3)
       AND o.escalation_level >= $4`,
    [[...q.statuses], q.cycleId ?? null, q.phase ?? null, q.minLevel ?? 0],
  );
  return rows.map((r) => ({
    cycleId: r.cycle_id,
    unitCode: r.unit_code,
    unitName: r.unit_name,
    phase: r.phase,
    status: r.status,
    escalationLevel: r.escalation_level,
    deadline: r.deadline,
    clock: r.clock as ClockMap,
    timezone: r.tz ?? null,
    closedAt: r.closed_at ?? null,
  }));
}
