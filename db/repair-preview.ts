/** What a repair's dry run shows (`chuky repair … --dry-run`, cli/commands/repair.ts): the units it would touch. */
import type { Db } from './pool.js';

export interface UnitObligationRow {
  code: string;
  name: string;
  /** Null when the unit has no obligation (for the phase asked, or at all): the unit is still listed. */
  phase: string | null;
  status: string | null;
  escalationLevel: number | null;
  /** YYYY-MM-DD. */
  deadline: string | null;
}

/** The given units of a cycle with their obligations (only `phase`'s when given), by unit code, then phase. */
export async function unitsWithObligations(db: Db, cycleId: string, codes: string[], phase?: string): Promise<UnitObligationRow[]> {
  const { rows } = await db.query(
    `SELECT u.code, u.name, o.phase, o.status, o.escalation_level, to_char(o.deadline, 'YYYY-MM-DD') AS deadline
     FROM units u LEFT JOIN obligations o ON o.cycle_id = u.cycle_id AND o.unit_code = u.code AND ($3::text IS NULL OR o.phase = $3)
     WHERE u.cycle_id = $1 AND u.code = ANY($2) ORDER BY u.code, o.phase`,
    [cycleId, codes, phase ?? null],
  );
  return rows.map((r) => ({
    code: r.code,
    name: r.name,
    phase: r.phase ?? null,
    status: r.status ?? null,
    escalationLevel: r.escalation_level ?? null,
    deadline: r.deadline ?? null,
  }));
}
