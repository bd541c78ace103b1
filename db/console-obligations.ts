/** One unit's obligations as the console's unit page lists them, each with how many versions it received. */
import type { Db } from './pool.js';

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

/** In no particular order: the year's order of phases is the caller's (ops/overview.ts's comparePhases). */
export async function unitObligationRows(db: Db, cycleId: string, unitCode: string): Promise<UnitObligation[]> {
  const { rows } = await db.query(
    `SELECT o.phase, to_char(o.deadline, 'YYYY-MM-DD') AS deadline, o.due_at, o.status, o.escalation_level, o.last_event, o.updated_at,
       (SELECT count(*)::int FROM submissions s WHERE s.cycle_id = o.cycle_id AND s.unit_code = o.unit_code AND s.phase = o.phase) AS versions
     FROM obligations o WHERE o.cycle_id = $1 AND o.unit_code = $2`,
    [cycleId, unitCode],
  );
  return rows.map((r) => ({
    phase: r.phase,
    deadline: r.deadline,
    dueAt: new Date(r.due_at).getTime(),
    status: r.status,
    escalationLevel: r.escalation_level,
    lastEvent: r.last_event,
    updatedAt: new Date(r.updated_at).toISOString(),
    versions: r.versions,
  }));
}
