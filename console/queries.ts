/**
 * The console's own reads of PostgreSQL (everything else comes from db/ and ops/): the unit table of a cycle,
 * one unit's obligations, and the events the live view streams.
 */
import type { Db } from '../db/pool.js';
import { cycleStatus, type ObligationRow } from '../db/records.js';
import { comparePhases } from '../ops/overview.js';

export interface UnitTableRow {
  code: string;
  name: string;
  /** By phase. */
  obligations: Map<string, ObligationRow>;
}

/** Every unit of a cycle with its obligations by phase, in code order; and the phases seen, in the year's order. */
export async function unitTable(db: Db, cycleId: string): Promise<{ units: UnitTableRow[]; phases: string[] }> {
  const rows = await cycleStatus(db, cycleId);
  const units = new Map<string, UnitTableRow>();
  const phases = new Set<string>();
  for (const r of rows) {
    let u = units.get(r.unitCode);
    if (!u) units.set(r.unitCode, (u = { code: r.unitCode, name: r.unitName, obligations: new Map() }));
    if (r.phase) {
      u.obligations.set(r.phase, r);
      phases.add(r.phase);
    }
  }
  return { units: [...units.values()], phases: [...phases].sort(comparePhases) };
}

export interface UnitObligation {
  phase: string;
  deadline: string;
  dueAt: number;
  status: string;
  escalationLevel: number;
  lastEvent: string;
  updatedAt: string;
  versions: number;
}

export async function unitObligations(db: Db, cycleId: string, unitCode: string): Promise<UnitObligation[]> {
  const { rows } = await db.query(
    `SELECT o.phase, to_char(o.deadline, 'YYYY-MM-DD') AS deadline, o.due_at, o.status, o.escalation_level, o.last_event, o.updated_at,
       (SELECT count(*)::int FROM submissions s WHERE s.cycle_id = o.cycle_id AND s.unit_code = o.unit_code AND s.phase = o.phase) AS versions
     FROM obligations o WHERE o.cycle_id = $1 AND o.unit_code = $2`,
    [cycleId, unitCode],
  );
  return rows
    .map((r) => ({
      phase: r.phase,
      deadline: r.deadline,
      dueAt: new Date(r.due_at).getTime(),
      status: r.status,
      escalationLevel: r.escalation_level,
      lastEvent: r.last_event,
      updatedAt: new Date(r.updated_at).toISOString(),
      versions: r.versions,
    }))
    .sort((a, b) => comparePhases(a.phase, b.phase));
}

/** The newest event id of a cycle (0 for none): where a page's live stream starts. */
export async function lastEventId(db: Db, cycleId: string): Promise<number> {
  const { rows } = await db.query('SELECT COALESCE(max(id), 0)::bigint AS id FROM events WHERE cycle_id = $1', [cycleId]);
  return Number(rows[0].id);
}

export interface LiveEvent {
  id: number;
  unitCode: string;
  unitName: string;
  phase: string;
  kind: string;
  status: string;
  level: number;
  deadline: string;
  actor: string;
  at: string;
}

export async function eventsAfter(db: Db, cycleId: string, afterId: number, limit = 200): Promise<LiveEvent[]> {
  const { rows } = await db.query(
    `SELECT e.id, e.unit_code, u.name AS unit_name, e.phase, e.kind, e.status, e.escalation_level, to_char(e.deadline, 'YYYY-MM-DD') AS deadline, e.actor, e.at
     FROM events e LEFT JOIN units u ON u.cycle_id = e.cycle_id AND u.code = e.unit_code
     WHERE e.cycle_id = $1 AND e.id > $2 ORDER BY e.id LIMIT $3`,
    [cycleId, afterId, limit],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    unitCode: r.unit_code,
    unitName: r.unit_name ?? r.unit_code,
    phase: r.phase,
    kind: r.kind,
    status: r.status,
    level: r.escalation_level,
    deadline: r.deadline,
    actor: r.actor,
    at: new Date(r.at).toISOString(),
  }));
}

/** Event kinds in words, for the live banner: from the catalogue. */
export { EVENT_KIND_VI } from '../domain/words.js';
