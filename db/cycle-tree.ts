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

export interface ChildDelay {
  /** The child cycle of the unit that is late. */
  cycleId: string;
  /** Its committee's name, as its cycle file gives it. */
  committeeName: string;
  total: number;
  done: number;
  /** Its units not done with the phase (pending, overdue, not submitted), most escalated first, then by code. */
  notDone: { code: string; name: string; status: string; level: number }[];
}

/**
 * Where a late unit's delay sits when the unit is a committee running its own cycle: its units that have not done
 * the same phase there. Undefined when the unit runs no child cycle (or the child has no such phase).
 */
export async function childDelayOf(db: Db, parentCycleId: string, unitCode: string, phase: string): Promise<ChildDelay | undefined> {
  const { rows: child } = await db.query<{ id: string; name: string; has_phase: boolean }>(
    `SELECT id, definition->'committee'->>'name' AS name,
            EXISTS (SELECT 1 FROM jsonb_array_elements(definition->'phases') p WHERE p->>'id' = $3) AS has_phase
       FROM cycles WHERE parent_cycle_id = $1 AND parent_unit_code = $2
      ORDER BY created_at DESC LIMIT 1`,
    [parentCycleId, unitCode, phase],
  );
  const c = child[0];
  if (!c || !c.has_phase) return undefined;
  const { rows } = await db.query<{ code: string; name: string; status: string; level: number }>(
    `SELECT u.code, u.name, COALESCE(o.status, CASE WHEN u.removed_at IS NULL THEN 'pending' ELSE 'removed' END) AS status,
            COALESCE(o.escalation_level, 0) AS level
       FROM units u LEFT JOIN obligations o ON o.cycle_id = u.cycle_id AND o.unit_code = u.code AND o.phase = $2
      WHERE u.cycle_id = $1
      ORDER BY u.code`,
    [c.id, phase],
  );
  const open = rows.filter((r) => r.status === 'pending' || r.status === 'overdue' || r.status === 'not_submitted');
  const counted = rows.filter((r) => r.status !== 'removed');
  open.sort((a, b) => b.level - a.level || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  return { cycleId: c.id, committeeName: c.name, total: counted.length, done: counted.length - open.length, notDone: open };
}
