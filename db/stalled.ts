/**
 * The reads of the stalled-workflow detector's PostgreSQL half (ops/stalled.ts): overdue obligations, remedies
 * overdue, and the units a phase's ladder left behind. No Temporal call, so these answer while it is down.
 */
import type { CycleDefinition } from '../config/cycle.js';
import type { ClockMap } from '../domain/clock.js';
import type { Db } from './pool.js';

export interface StalledObligationRow {
  cycleId: string;
  unitCode: string;
  unitName: string;
  phase: string;
  status: string;
  escalationLevel: number;
  /** YYYY-MM-DD. */
  deadline: string;
  dueAt: Date;
  clock: ClockMap;
  timezone: string | null;
}

/** Obligations overdue or not submitted in the cycles not closed (or in one of them). */
export async function openOverdueObligations(db: Db, cycleId?: string): Promise<StalledObligationRow[]> {
  const { rows } = await db.query(
    `SELECT o.cycle_id, o.unit_code, u.name AS unit_name, o.phase, o.status, o.escalation_level,
       to_char(o.deadline, 'YYYY-MM-DD') AS deadline, o.due_at, c.clock, c.definition->>'timezone' AS tz
     FROM obligations o
     JOIN units u ON u.cycle_id = o.cycle_id AND u.code = o.unit_code
     JOIN cycles c ON c.id = o.cycle_id
     WHERE o.status IN ('overdue', 'not_submitted') AND c.status <> 'closed' AND ($1::text IS NULL OR o.cycle_id = $1)`,
    [cycleId ?? null],
  );
  return rows.map((r) => ({
    cycleId: r.cycle_id,
    unitCode: r.unit_code,
    unitName: r.unit_name,
    phase: r.phase,
    status: r.status,
    escalationLevel: r.escalation_level,
    deadline: r.deadline,
    dueAt: r.due_at,
    clock: r.clock as ClockMap,
    timezone: r.tz ?? null,
  }));
}

export interface RemedyOverdueRow {
  /** The inspection's id, which is its workflow id. */
  id: string;
  cycleId: string;
  unitCode: string;
  /** Null when the unit is not (or no longer) in the units table. */
  unitName: string | null;
  kind: string;
  body: string;
  escalationLevel: number;
  /** YYYY-MM-DD, or null when the inspection has none. */
  remedyDeadline: string | null;
  clock: ClockMap;
  timezone: string | null;
}

/** Inspections whose remedy is overdue, in the cycles not closed (or in one of them). */
export async function remedyOverdueInspections(db: Db, cycleId?: string): Promise<RemedyOverdueRow[]> {
  const { rows } = await db.query(
    `SELECT i.id, i.cycle_id, i.unit_code, u.name AS unit_name, i.kind, i.body, i.escalation_level,
       to_char(i.remedy_deadline, 'YYYY-MM-DD') AS remedy_deadline, c.clock, c.definition->>'timezone' AS tz
     FROM inspections i
     JOIN cycles c ON c.id = i.cycle_id
     LEFT JOIN units u ON u.cycle_id = i.cycle_id AND u.code = i.unit_code
     WHERE i.status = 'remedy_overdue' AND c.status <> 'closed' AND ($1::text IS NULL OR i.cycle_id = $1)`,
    [cycleId ?? null],
  );
  return rows.map((r) => ({
    id: r.id,
    cycleId: r.cycle_id,
    unitCode: r.unit_code,
    unitName: r.unit_name ?? null,
    kind: r.kind,
    body: r.body,
    escalationLevel: r.escalation_level,
    remedyDeadline: r.remedy_deadline ?? null,
    clock: r.clock as ClockMap,
    timezone: r.tz ?? null,
  }));
}

/** The cycles not closed (or the one named), by id, with what judging their phases needs. */
export async function openCycles(db: Db, cycleId?: string): Promise<{ id: string; definition: CycleDefinition; clock: ClockMap }[]> {
  const { rows } = await db.query(
    `SELECT id, definition, clock FROM cycles WHERE status <> 'closed' AND ($1::text IS NULL OR id = $1) ORDER BY id`,
    [cycleId ?? null],
  );
  return rows.map((r) => ({ id: r.id, definition: r.definition as CycleDefinition, clock: r.clock as ClockMap }));
}

/**
 * Obligations still pending or overdue of units present (not removed) and added more than `addedBeforeSeconds`
 * ago — a unit added a moment ago has not had its workflow record anything yet.
 */
export async function pendingObligationsOfSettledUnits(
  db: Db,
  cycleId: string,
  addedBeforeSeconds: number,
): Promise<{ unitCode: string; phase: string; status: string; deadline: string }[]> {
  const { rows } = await db.query(
    `SELECT o.unit_code, o.phase, o.status, to_char(o.deadline, 'YYYY-MM-DD') AS deadline
     FROM obligations o JOIN units u ON u.cycle_id = o.cycle_id AND u.code = o.unit_code
     WHERE o.cycle_id = $1 AND o.status IN ('pending', 'overdue') AND u.removed_at IS NULL
       AND u.added_at < now() - $2::double precision * interval '1 second'`,
    [cycleId, addedBeforeSeconds],
  );
  return rows.map((r) => ({ unitCode: r.unit_code, phase: r.phase, status: r.status, deadline: r.deadline }));
}

/** Units present and added more than `addedBeforeSeconds` ago that have no obligation row for `phase` at all. */
export async function settledUnitsWithoutPhase(db: Db, cycleId: string, phase: string, addedBeforeSeconds: number): Promise<string[]> {
  const { rows } = await db.query(
    `SELECT u.code FROM units u
     WHERE u.cycle_id = $1 AND u.removed_at IS NULL AND u.added_at < now() - $3::double precision * interval '1 second'
       AND NOT EXISTS (SELECT 1 FROM obligations o WHERE o.cycle_id = u.cycle_id AND o.unit_code = u.code AND o.phase = $2)`,
    [cycleId, phase, addedBeforeSeconds],
  );
  return rows.map((r) => r.code as string);
}

/** The names of the given (cycle, unit code) pairs, keyed `${cycleId}/${code}`; pairs not found are absent. */
export async function unitNames(db: Db, keys: { cycleId: string; unitCode: string }[]): Promise<Map<string, string>> {
  const { rows } = await db.query(
    `SELECT u.cycle_id, u.code, u.name FROM units u JOIN unnest($1::text[], $2::text[]) AS ` +
      `k(cycle_id, code) ON u.cycle_id = k.cycle_id AND u.code = k.code`,
    [keys.map((k) => k.cycleId), keys.map((k) => k.unitCode)],
  );
  return new Map(rows.map((r) => [`${r.cycle_id}/${r.code}`, r.name as string]));
}
