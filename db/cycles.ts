/** Cycles and their units in PostgreSQL: registered at launch, read by activities at send time. */
import type { CycleDefinition } from '../config/cycle.js';
import type { Unit } from '../config/units.js';
import type { ClockMap } from '../domain/clock.js';
import { withTransaction, type Db } from './pool.js';

export interface CycleRow {
  id: string;
  committeeCode: string;
  year: number;
  definition: CycleDefinition;
  clock: ClockMap;
  status: string;
  launchedUnits: number;
  /** The superior's cycle this one is a child of, and this committee's unit code there (issue 17). */
  parent?: { cycleId: string; unitCode: string };
}

export interface UnitRow {
  code: string;
  name: string;
  kind: string;
  members: number;
  secretaryName: string;
  secretaryEmail: string;
  contactName: string | null;
  contactEmail: string | null;
  active: boolean;
}

/**
 * Registers (or re-registers) a cycle and its units. Idempotent: starting the same cycle twice updates the
 * units' details and adds new units, and never removes anything (removing a unit is its own, reasoned act).
 */
export async function registerCycle(
  db: Db,
  params: {
    id: string;
    definition: CycleDefinition;
    units: Unit[];
    clock: ClockMap;
    sourceFile?: string;
    /** The superior's cycle and this committee's unit code there, for a child cycle (checked by the caller). */
    parent?: { cycleId: string; unitCode: string };
  },
): Promise<{ created: boolean }> {
  const { id, definition, units, clock } = params;
  return withTransaction(db, async (client) => {
    const inserted = await client.query(
      `INSERT INTO cycles (id, committee_code, year, definition, clock, source_file, parent_cycle_id, parent_unit_code)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (id) DO NOTHING`,
      [
        id,
        definition.committee.code,
        definition.year,
        JSON.stringify(definition),
        JSON.stringify(clock),
        params.sourceFile ?? null,
        params.parent?.cycleId ?? null,
        params.parent?.unitCode ?? null,
      ],
    );
    for (const u of units) {
      await client.query(
        `INSERT INTO units (cycle_id, code, name, kind, members, secretary_name, secretary_email, contact_name, contact_email, parent_code)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (cycle_id, code) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind, members = EXCLUDED.members,
           secretary_name = EXCLUDED.secretary_name, secretary_email = EXCLUDED.secretary_email,
           contact_name = EXCLUDED.contact_name, contact_email = EXCLUDED.contact_email, parent_code = EXCLUDED.parent_code`,
        [
          id,
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
    }
    return { created: (inserted.rowCount ?? 0) > 0 };
  });
}

export function toCycle(r: Record<string, unknown>): CycleRow {
  return {
    id: r.id as string,
    committeeCode: r.committee_code as string,
    year: r.year as number,
    definition: r.definition as CycleDefinition,
    clock: r.clock as ClockMap,
    status: r.status as string,
    launchedUnits: r.launched_units as number,
    ...(typeof r.parent_cycle_id === 'string' ? { parent: { cycleId: r.parent_cycle_id, unitCode: r.parent_unit_code as string } } : {}),
  };
}

export async function getCycle(db: Db, id: string): Promise<CycleRow | undefined> {
  const { rows } = await db.query('SELECT * FROM cycles WHERE id = $1', [id]);
  return rows[0] ? toCycle(rows[0]) : undefined;
}

export async function listCycles(db: Db): Promise<CycleRow[]> {
  const { rows } = await db.query('SELECT * FROM cycles ORDER BY created_at DESC');
  return rows.map(toCycle);
}

export function toUnit(r: Record<string, unknown>): UnitRow {
  return {
    code: r.code as string,
    name: r.name as string,
    kind: r.kind as string,
    members: r.members as number,
    secretaryName: r.secretary_name as string,
    secretaryEmail: r.secretary_email as string,
    contactName: (r.contact_name as string | null) ?? null,
    contactEmail: (r.contact_email as string | null) ?? null,
    active: r.active as boolean,
  };
}

export async function countUnits(db: Db, cycleId: string): Promise<number> {
  const { rows } = await db.query('SELECT count(*)::int AS n FROM units WHERE cycle_id = $1', [cycleId]);
  return rows[0].n as number;
}

/** Units in a stable order (by code), so batches by offset cover every unit exactly once. */
export async function listUnits(db: Db, cycleId: string, offset = 0, limit = 1_000_000): Promise<UnitRow[]> {
  const { rows } = await db.query('SELECT * FROM units WHERE cycle_id = $1 ORDER BY code OFFSET $2 LIMIT $3', [cycleId, offset, limit]);
  return rows.map(toUnit);
}

export async function getUnit(db: Db, cycleId: string, code: string): Promise<UnitRow | undefined> {
  const { rows } = await db.query('SELECT * FROM units WHERE cycle_id = $1 AND code = $2', [cycleId, code]);
  return rows[0] ? toUnit(rows[0]) : undefined;
}

/** The cycle and one of its units, in one query (each undefined when missing): what every email reads first. */
export async function getCycleAndUnit(db: Db, cycleId: string, code: string): Promise<{ cycle?: CycleRow; unit?: UnitRow }> {
  const { rows } = await db.query(
    'SELECT c.*, to_jsonb(u) AS unit_row FROM cycles c LEFT JOIN units u ON u.cycle_id = c.id AND u.code = $2 WHERE c.id = $1',
    [cycleId, code],
  );
  const r = rows[0];
  if (!r) return {};
  return { cycle: toCycle(r), ...(r.unit_row ? { unit: toUnit(r.unit_row as Record<string, unknown>) } : {}) };
}

export async function setCycleStatus(
  db: Db,
  id: string,
  status: 'running' | 'closed',
  extra: { launchedUnits?: number; reason?: string } = {},
): Promise<void> {
  await db.query(
    `UPDATE cycles SET status = $2,
       launched_units = COALESCE($3, launched_units),
       closed_at = CASE WHEN $2 = 'closed' THEN COALESCE(closed_at, now()) ELSE closed_at END,
       closed_reason = CASE WHEN $2 = 'closed' THEN $4 ELSE closed_reason END
     WHERE id = $1`,
    [id, status, extra.launchedUnits ?? null, extra.reason ?? null],
  );
}
