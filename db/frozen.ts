/**
 * The year's data as the report compiler receives it once the cycle is frozen: every unit with, per phase, its
 * final status and the last version it submitted before the freeze, the committee's own records and the
 * inspections. Every figure a report sums can be traced back to a submission id here.
 */
import { createHash } from 'node:crypto';
import type { Db } from './pool.js';

/** Where an imported value was read (`chuky cycle import-year`): the workbook's file name, the sheet, the row. */
export interface FrozenOrigin {
  workbook: string;
  sheet: string;
  row: number;
}

export interface FrozenDataset {
  cycleId: string;
  frozenAt: string | null;
  definition: unknown;
  /** Present only for a year imported from a workbook rather than run in chuky: who, when, from what. */
  imported?: { at: string; by: string; workbook: string; sha256: string };
  units: {
    code: string;
    name: string;
    kind: string;
    members: number;
    active: boolean;
    removedReason: string | null;
    phases: Record<
      string,
      {
        status: string;
        escalationLevel: number;
        deadline: string;
        submission: { id: number; version: number; late: boolean; submittedAt: string; payload: unknown; origin?: FrozenOrigin } | null;
      }
    >;
  }[];
  committeeRecords: { id: number; kind: string; payload: unknown; origin?: FrozenOrigin }[];
  inspections: Record<string, unknown>[];
}

export async function frozenDataset(db: Db, cycleId: string): Promise<FrozenDataset | undefined> {
  const { rows: cycles } = await db.query(
    'SELECT id, definition, frozen_at, imported_at, imported_by, imported_from FROM cycles WHERE id = $1',
    [cycleId],
  );
  const cycle = cycles[0];
  if (!cycle) return undefined;
  const frozenAt: Date | null = cycle.frozen_at;
  const { rows: units } = await db.query(
    'SELECT code, name, kind, members, active, removed_reason FROM units WHERE cycle_id = $1 ORDER BY code',
    [cycleId],
  );
  const { rows: obligations } = await db.query(
    "SELECT unit_code, phase, status, escalation_level, to_char(deadline, 'YYYY-MM-DD') AS deadline FROM obligations WHERE cycle_id = $1",
    [cycleId],
  );
  // The last version of each unit's submission per phase, made before the freeze.
  const { rows: submissions } = await db.query(
    `SELECT DISTINCT ON (unit_code, phase) id, unit_code, phase, version, late, submitted_at, payload, origin
     FROM submissions WHERE cycle_id = $1 AND ($2::timestamptz IS NULL OR submitted_at <= $2)
     ORDER BY unit_code, phase, version DESC`,
    [cycleId, frozenAt],
  );
  const { rows: records } = await db.query(
    'SELECT id, kind, payload, origin FROM committee_records WHERE cycle_id = $1 AND deleted_at IS NULL ORDER BY id',
    [cycleId],
  );
  // Dates as the civil dates they are: a Date object would be serialised in UTC and could shift by a day.
  const { rows: inspections } = await db.query(
    `SELECT id, cycle_id, unit_code, kind, body, origin, reason, status, to_char(scheduled_on, 'YYYY-MM-DD') AS scheduled_on, findings, conclusion,
            remedies, to_char(remedy_deadline, 'YYYY-MM-DD') AS remedy_deadline, escalation_level, created_at, updated_at
     FROM inspections WHERE cycle_id = $1 ORDER BY unit_code, id`,
    [cycleId],
  );
  // Indexed once: matching by scanning the lists for every unit grew with the square of the units (bench).
  const obligationsByUnit = new Map<string, typeof obligations>();
  for (const o of obligations) obligationsByUnit.set(o.unit_code, [...(obligationsByUnit.get(o.unit_code) ?? []), o]);
  const submissionByKey = new Map(submissions.map((x) => [`${x.unit_code}\u0000${x.phase}`, x]));
  return {
    cycleId,
    frozenAt: frozenAt ? frozenAt.toISOString() : null,
    definition: cycle.definition,
    // Only when imported, so the snapshot of a year run in chuky keeps the shape it always had.
    ...(cycle.imported_at
      ? {
          imported: {
            at: new Date(cycle.imported_at).toISOString(),
            by: cycle.imported_by ?? '',
            workbook: cycle.imported_from?.workbook ?? '',
            sha256: cycle.imported_from?.sha256 ?? '',
          },
        }
      : {}),
    units: units.map((u) => {
      const phases: FrozenDataset['units'][number]['phases'] = {};
      for (const o of obligationsByUnit.get(u.code) ?? []) {
        const s = submissionByKey.get(`${u.code}\u0000${o.phase}`);
        phases[o.phase] = {
          status: o.status,
          escalationLevel: o.escalation_level,
          deadline: o.deadline,
          submission: s
            ? {
                id: Number(s.id),
                version: s.version,
                late: s.late,
                submittedAt: new Date(s.submitted_at).toISOString(),
                payload: s.payload,
                ...(s.origin ? { origin: s.origin } : {}),
              }
            : null,
        };
      }
      return { code: u.code, name: u.name, kind: u.kind, members: u.members, active: u.active, removedReason: u.removed_reason, phases };
    }),
    committeeRecords: records.map((r) => ({
      id: Number(r.id),
      kind: r.kind,
      payload: r.payload,
      ...(r.origin ? { origin: r.origin } : {}),
    })),
    inspections,
  };
}

/** The stored snapshot of a frozen cycle. */
export interface FrozenSnapshot {
  cycleId: string;
  frozenAt: string;
  sha256: string;
  data: FrozenDataset;
}

/**
 * Writes the frozen cycle's snapshot once (a second call, or a concurrent one, keeps the first) and returns the
 * stored one. Undefined when the cycle does not exist or is not frozen yet.
 */
export async function snapshotFrozenCycle(db: Db, cycleId: string): Promise<FrozenSnapshot | undefined> {
  const existing = await loadFrozenSnapshot(db, cycleId);
  if (existing) return existing;
  const data = await frozenDataset(db, cycleId);
  if (!data || !data.frozenAt) return undefined;
  // Through JSON once, so dates and bigints are in the form they will be read back in.
  const json = JSON.stringify(data);
  const sha256 = createHash('sha256').update(json).digest('hex');
  await db.query(
    'INSERT INTO frozen_snapshots (cycle_id, frozen_at, data, sha256) VALUES ($1, $2, $3::jsonb, $4) ON CONFLICT (cycle_id) DO NOTHING',
    [cycleId, data.frozenAt, json, sha256],
  );
  return loadFrozenSnapshot(db, cycleId);
}

export async function loadFrozenSnapshot(db: Db, cycleId: string): Promise<FrozenSnapshot | undefined> {
  const { rows } = await db.query('SELECT cycle_id, frozen_at, data, sha256 FROM frozen_snapshots WHERE cycle_id = $1', [cycleId]);
  const r = rows[0];
  if (!r) return undefined;
  return { cycleId: r.cycle_id, frozenAt: new Date(r.frozen_at).toISOString(), sha256: r.sha256, data: r.data as FrozenDataset };
}
