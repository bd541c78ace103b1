/**
 * What the operators' repairs (ops/repairs.ts) read and hold in the database: the units a bulk repair matches,
 * a unit's membership and an obligation's projection row for a repair's checks, and the lock that makes a
 * repeated request wait for the first.
 */
import type pg from 'pg';
import type { Db } from './pool.js';

export interface UnitMatch {
  cycleId: string;
  phase?: string | undefined;
  status?: string[] | undefined;
  minLevel?: number | undefined;
  unitCodes?: string[] | undefined;
}

/**
 * The codes of the cycle's units that match, in order. Obligation conditions (phase, status, level) match the
 * obligations projection, so a phase that has not opened for a unit does not match it; units that left the
 * cycle never match.
 */
export async function matchingUnitCodes(db: Db, f: UnitMatch): Promise<string[]> {
  const byObligation = f.phase !== undefined || (f.status?.length ?? 0) > 0 || f.minLevel !== undefined;
  const { rows } = await db.query(
    `SELECT DISTINCT u.code FROM units u
     ${byObligation ? 'JOIN' : 'LEFT JOIN'} obligations o ON o.cycle_id = u.cycle_id AND o.unit_code = u.code
       AND ($2::text IS NULL OR o.phase = $2)
       AND ($3::text[] IS NULL OR o.status = ANY($3))
       AND ($4::int IS NULL OR o.escalation_level >= $4)
     WHERE u.cycle_id = $1 AND u.active AND u.removed_at IS NULL
       AND ($5::text[] IS NULL OR u.code = ANY($5))
     ORDER BY u.code`,
    [f.cycleId, f.phase ?? null, f.status?.length ? f.status : null, f.minLevel ?? null, f.unitCodes?.length ? f.unitCodes : null],
  );
  return rows.map((r) => r.code as string);
}

/** Whether the unit is in the cycle, and still in it (not inactive, not removed); undefined when it never was. */
export async function unitMembership(db: Db, cycleId: string, unitCode: string): Promise<{ inCycle: boolean } | undefined> {
  const { rows } = await db.query('SELECT active, removed_at FROM units WHERE cycle_id = $1 AND code = $2', [cycleId, unitCode]);
  if (!rows[0]) return undefined;
  return { inCycle: Boolean(rows[0].active) && !rows[0].removed_at };
}

/** Whether the unit's workflow has recorded the obligation (its phase has opened for the unit). */
export async function hasObligation(db: Db, cycleId: string, unitCode: string, phase: string): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM obligations WHERE cycle_id = $1 AND unit_code = $2 AND phase = $3', [
    cycleId,
    unitCode,
    phase,
  ]);
  return rows.length > 0;
}

/**
 * Holds the session-level lock of a repair's request id on `client` until `unlockRequest`: a second request with
 * the same id waits here for the first to finish, then finds its audit row.
 */
export async function lockRequest(client: pg.PoolClient, requestId: string): Promise<void> {
  await client.query('SELECT pg_advisory_lock(hashtext($1))', [`chuky-repair:${requestId}`]);
}

export async function unlockRequest(client: pg.PoolClient, requestId: string): Promise<void> {
  await client.query('SELECT pg_advisory_unlock(hashtext($1))', [`chuky-repair:${requestId}`]);
}
