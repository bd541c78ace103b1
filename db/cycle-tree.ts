/** The tree of cycles (migration 1765100000000_cycle-tree.sql): a child cycle's superior, and a cycle's children. */
import type { Db } from './pool.js';

/**
 * A committee's deadlines in its superior's cycle, phase by phase, as that cycle holds them: the obligation row's
 * deadline where the unit workflow has written one (an extension moves it), else none (the caller falls back on the
 * configured deadline). Undefined when the unit is not in that cycle.
 */
export async function unitDeadlinesIn(db: Db, cycleId: string, unitCode: string): Promise<Map<string, string> | undefined> {
  const { rows: unit } = await db.query('SELECT 1 FROM units WHERE cycle_id = $1 AND code = $2', [cycleId, unitCode]);
  if (!unit.length) return undefined;
  const { rows } = await db.query<{ phase: string; deadline: string }>(
    `SELECT phase, to_char(deadline, 'YYYY-MM-DD') AS deadline FROM obligations WHERE cycle_id = $1 AND unit_code = $2`,
    [cycleId, unitCode],
  );
  return new Map(rows.map((r) => [r.phase, r.deadline]));
}

export interface ChildCycle {
  id: string;
  unitCode: string;
  status: string;
}

/** The cycles registered as children of `cycleId`, by unit code. */
export async function childCycles(db: Db, cycleId: string): Promise<ChildCycle[]> {
  const { rows } = await db.query<{ id: string; unit_code: string; status: string }>(
    `SELECT id, parent_unit_code AS unit_code, status FROM cycles WHERE parent_cycle_id = $1 ORDER BY parent_unit_code, id`,
    [cycleId],
  );
  return rows.map((r) => ({ id: r.id, unitCode: r.unit_code, status: r.status }));
}

export interface UnitObligationRow {
  phase: string;
  status: string;
  deadline: string;
  escalationLevel: number;
}

/** What one unit owes in a cycle, phase by phase, as its workflow last recorded it. */
export async function unitObligations(db: Db, cycleId: string, unitCode: string): Promise<UnitObligationRow[]> {
  const { rows } = await db.query<{ phase: string; status: string; deadline: string; escalation_level: number }>(
    `SELECT phase, status, to_char(deadline, 'YYYY-MM-DD') AS deadline, escalation_level
       FROM obligations WHERE cycle_id = $1 AND unit_code = $2`,
    [cycleId, unitCode],
  );
  return rows.map((r) => ({ phase: r.phase, status: r.status, deadline: r.deadline, escalationLevel: r.escalation_level }));
}
