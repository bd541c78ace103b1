/** What the console's submission marks (console/submission-marks.ts) are read from. */
import type { Db } from './pool.js';

/**
 * Each unit's latest submission of the given phases (of one unit when `unitCode` is given), with the member
 * count of the units list beside it.
 */
export async function latestSubmissionsWithRegistryMembers(
  db: Db,
  cycleId: string,
  phases: readonly string[],
  unitCode?: string,
): Promise<{ unitCode: string; phase: string; payload: unknown; members: number }[]> {
  const { rows } = await db.query(
    `SELECT DISTINCT ON (s.unit_code, s.phase) s.unit_code, s.phase, s.payload, u.members
     FROM submissions s JOIN units u ON u.cycle_id = s.cycle_id AND u.code = s.unit_code
     WHERE s.cycle_id = $1 AND s.phase = ANY($3::text[]) AND ($2::text IS NULL OR s.unit_code = $2)
     ORDER BY s.unit_code, s.phase, s.version DESC`,
    [cycleId, unitCode ?? null, [...phases]],
  );
  return rows.map((r) => ({ unitCode: r.unit_code, phase: r.phase, payload: r.payload, members: Number(r.members) }));
}
