/**
 * The unit registry of a running cycle: units with when they joined and left, upserted by an import and marked
 * removed (never deleted: a removed unit's record stays in the year's report).
 */
import type pg from 'pg';
import type { Unit } from '../config/units.js';
import type { Db } from './pool.js';
import { toUnit, type UnitRow } from './cycles.js';

export interface RegisteredUnit extends UnitRow {
  parentCode: string | null;
  addedAt: string;
  removedAt: string | null;
  removedReason: string | null;
}

// timestamptz: a Date from pg, or text where a query casts it.
const iso = (v: unknown): string | null => (v instanceof Date ? v.toISOString() : typeof v === 'string' ? v : null);

function toRegistered(r: Record<string, unknown>): RegisteredUnit {
  return {
    ...toUnit(r),
    parentCode: (r.parent_code as string | null) ?? null,
    addedAt: iso(r.added_at) ?? '',
    removedAt: iso(r.removed_at),
    removedReason: (r.removed_reason as string | null) ?? null,
  };
}

/** Every unit of the cycle, active or removed, by code. */
export async function listRegisteredUnits(db: Db | pg.PoolClient, cycleId: string): Promise<RegisteredUnit[]> {
  const { rows } = await db.query('SELECT * FROM units WHERE cycle_id = $1 ORDER BY code', [cycleId]);
  return rows.map(toRegistered);
}

export async function getRegisteredUnit(db: Db | pg.PoolClient, cycleId: string, code: string): Promise<RegisteredUnit | undefined> {
  const { rows } = await db.query('SELECT * FROM units WHERE cycle_id = $1 AND code = $2', [cycleId, code]);
  return rows[0] ? toRegistered(rows[0]) : undefined;
}

/**
 * Inserts new units (added_at = now()) and updates the details of existing ones; whether a unit is active is
 * not touched here. Returns the codes inserted.
 */
export async function upsertUnits(
  client: pg.PoolClient,
  cycleId: string,
  units: Unit[],
): Promise<{ inserted: string[]; updated: string[] }> {
  const inserted: string[] = [];
  const updated: string[] = [];
  for (const u of units) {
    const { rows } = await client.query(
      `INSERT INTO units (cycle_id, code, name, kind, members, secretary_name, secretary_email, contact_name, contact_email, parent_code, added_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, now())
       ON CONFLICT (cycle_id, code) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind, members = EXCLUDED.members,
         secretary_name = EXCLUDED.secretary_name, secretary_email = EXCLUDED.secretary_email,
         contact_name = EXCLUDED.contact_name, contact_email = EXCLUDED.contact_email, parent_code = EXCLUDED.parent_code
       RETURNING (xmax = 0) AS inserted`,
      [
        cycleId,
        u.code,
        u.name,
        u.kind,
        u.members,
        u.secretary.name,
        u.secretary.email,
        u.contact?.name ?? null,
        u.contact?.email ?? null,
        u.parent ?? null,
      ],
    );
    if (rows[0]?.inserted) inserted.push(u.code);
    else updated.push(u.code);
  }
  return { inserted, updated };
}

/** Marks a unit as having left the cycle. The first removal's time and reason stand; returns false for no such unit. */
export async function markUnitRemoved(db: Db | pg.PoolClient, cycleId: string, code: string, reason: string): Promise<boolean> {
  const result = await db.query(
    `UPDATE units SET active = false, removed_at = COALESCE(removed_at, now()), removed_reason = COALESCE(removed_reason, $3)
     WHERE cycle_id = $1 AND code = $2`,
    [cycleId, code, reason],
  );
  return (result.rowCount ?? 0) > 0;
}
