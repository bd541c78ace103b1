/**
 * What a unit's form post needs from the database, read in one round trip: whether its link was revoked, the
 * cycle and the unit the page is about, and what an earlier send with the same request id stored. Read apart,
 * these were three queries on every post (isRevoked, getCycleAndUnit, earlierSend); on these 2 cores each round
 * trip costs the API and PostgreSQL CPU that the unit's answer waits for (issue 16, bench/RESULTS.md scenario 3).
 * Each part is the same SQL as the function it replaces on this path.
 */
import type { Db } from './pool.js';
import { toCycle, toUnit, type CycleRow, type UnitRow } from './cycles.js';
import type { EarlierSend } from './request-ids.js';

export interface FormPostContext {
  /** The unit's links issued before the end of this second (epoch seconds) are revoked; null: none is. */
  revokedBeforeSecond: number | null;
  cycle?: CycleRow;
  unit?: UnitRow;
  /** The submission an earlier send with the post's request id stored (its first version), if any. */
  earlier?: EarlierSend;
}

export async function formPostContext(
  db: Db,
  scope: { cycleId: string; unitCode: string; phase: string },
  requestId: string | undefined,
): Promise<FormPostContext> {
  // A submission's key ends with `/<request id>` (db/request-ids.ts).
  const suffix = requestId === undefined ? null : `/${requestId}`;
  const { rows } = await db.query(
    `SELECT c.*,
            (SELECT to_jsonb(u) FROM units u WHERE u.cycle_id = $1 AND u.code = $2) AS unit_row,
            (SELECT floor(extract(epoch FROM revoked_before))::bigint FROM link_revocations
              WHERE cycle_id = $1 AND unit_code = $2) AS revoked_second,
            (SELECT jsonb_build_object('version', s.version, 'payload', s.payload) FROM submissions s
              WHERE $5::text IS NOT NULL AND s.cycle_id = $1 AND s.unit_code = $2 AND s.phase = $3
                AND right(s.submission_key, $4) = $5
              ORDER BY s.version LIMIT 1) AS earlier
       FROM (SELECT 1) AS one LEFT JOIN cycles c ON c.id = $1`,
    [scope.cycleId, scope.unitCode, scope.phase, suffix?.length ?? 0, suffix],
  );
  const r = rows[0] as Record<string, unknown>;
  const earlier = r.earlier as { version: number; payload: unknown } | null;
  return {
    revokedBeforeSecond: r.revoked_second === null ? null : Number(r.revoked_second),
    ...(r.id ? { cycle: toCycle(r) } : {}),
    ...(r.unit_row ? { unit: toUnit(r.unit_row as Record<string, unknown>) } : {}),
    ...(earlier ? { earlier: { version: earlier.version, payload: earlier.payload } } : {}),
  };
}
