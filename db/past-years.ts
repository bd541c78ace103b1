/**
 * The rows of a past year imported from a workbook (report/past-years/import.ts): the cycle, written closed and
 * frozen at once, each unit with its one submitted year-end report, and the committee's records. The caller
 * holds the transaction (all or nothing) and decides every value; these only write them.
 */
import type pg from 'pg';
import type { Db } from './pool.js';

/** A cycle already there under this id, imported or run; undefined when there is none. */
export async function existingYear(
  db: Db | pg.PoolClient,
  id: string,
): Promise<{ importedAt: string | null; importedBy: string | null; frozen: boolean } | undefined> {
  const { rows } = await db.query('SELECT imported_at, imported_by, frozen_at FROM cycles WHERE id = $1', [id]);
  const r = rows[0];
  if (!r) return undefined;
  return {
    importedAt: r.imported_at ? new Date(r.imported_at).toISOString() : null,
    importedBy: r.imported_by,
    frozen: r.frozen_at !== null,
  };
}

export interface ImportedCycle {
  id: string;
  committeeCode: string;
  year: number;
  /** The cycle definition and its clock, as JSON. */
  definitionJson: string;
  clockJson: string;
  sourceFile: string;
  launchedUnits: number;
  /** Created, closed, frozen and imported at this instant. */
  at: Date;
  closedReason: string;
  importedBy: string;
  /** What it was imported from (workbook, sha256, counts), as JSON. */
  importedFromJson: string;
}

/** Writes the cycle closed and frozen; false when a cycle with its id is already there (nothing written). */
export async function insertImportedCycle(client: pg.PoolClient, c: ImportedCycle): Promise<boolean> {
  const inserted = await client.query(
    `INSERT INTO cycles (id, committee_code, year, definition, clock, source_file, status, launched_units, created_at, closed_at, closed_reason, frozen_at, imported_at, imported_by, imported_from)
     VALUES ($1, $2, $3, $4, $5, $6, 'closed', $7, $8, $8, $9, $8, $8, $10, $11) ON CONFLICT (id) DO NOTHING RETURNING id`,
    [
      c.id,
      c.committeeCode,
      c.year,
      c.definitionJson,
      c.clockJson,
      c.sourceFile,
      c.launchedUnits,
      c.at,
      c.closedReason,
      c.importedBy,
      c.importedFromJson,
    ],
  );
  return (inserted.rowCount ?? 0) > 0;
}

export interface ImportedUnit {
  cycleId: string;
  code: string;
  name: string;
  kind: string;
  members: number;
  secretaryName: string;
  secretaryEmail: string;
  contactName: string | null;
  contactEmail: string | null;
  phase: string;
  /** YYYY-MM-DD, and the instant it passed. */
  deadline: string;
  dueAt: Date;
  /** The submission's key, which is also its event's key. */
  key: string;
  payloadJson: string;
  actor: string;
  via: string;
  /** The sheet and row it was read from, as JSON. */
  originJson: string;
  /** The event's reason and data (JSON). */
  eventReason: string;
  eventDataJson: string;
  at: Date;
}

/** A unit with its obligation (submitted on time), its one submission (version 1) and the event recording it. */
export async function insertImportedUnit(client: pg.PoolClient, u: ImportedUnit): Promise<void> {
  await client.query(
    `INSERT INTO units (cycle_id, code, name, kind, members, secretary_name, secretary_email, contact_name, contact_email, parent_code, active, added_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, true, $10)`,
    [u.cycleId, u.code, u.name, u.kind, u.members, u.secretaryName, u.secretaryEmail, u.contactName, u.contactEmail, u.at],
  );
  await client.query(
    `INSERT INTO obligations (cycle_id, unit_code, phase, deadline, due_at, status, escalation_level, last_event, updated_at, calendar_at)
     VALUES ($1, $2, $3, $4, $5, 'submitted', 0, 'submitted', $6, $6)`,
    [u.cycleId, u.code, u.phase, u.deadline, u.dueAt, u.at],
  );
  await client.query(
    `INSERT INTO submissions (submission_key, cycle_id, unit_code, phase, version, payload, actor, via, late, submitted_at, calendar_at, origin)
     VALUES ($1, $2, $3, $4, 1, $5, $6, $7, false, $8, $8, $9)`,
    [u.key, u.cycleId, u.code, u.phase, u.payloadJson, u.actor, u.via, u.at, u.originJson],
  );
  await client.query(
    `INSERT INTO events (event_key, cycle_id, unit_code, phase, kind, status, escalation_level, deadline, actor, reason, data, at, calendar_at)
     VALUES ($1, $2, $3, $4, 'submitted', 'submitted', 0, $5, $6, $7, $8, $9, $9)`,
    [u.key, u.cycleId, u.code, u.phase, u.deadline, u.actor, u.eventReason, u.eventDataJson, u.at],
  );
}

/** One committee record read from the workbook. */
export async function insertImportedRecord(
  client: pg.PoolClient,
  r: { key: string; cycleId: string; kind: string; payloadJson: string; actor: string; at: Date; originJson: string },
): Promise<void> {
  await client.query(
    `INSERT INTO committee_records (record_key, cycle_id, kind, payload, actor, created_at, origin) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [r.key, r.cycleId, r.kind, r.payloadJson, r.actor, r.at, r.originJson],
  );
}
