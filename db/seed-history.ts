/**
 * Writing the generated example years of demo-data/seed-history.ts: each table's columns in the order its rows
 * give their values, and one year written with multi-row INSERTs in the caller's transaction. What the rows hold
 * (and that it sums to the seed review's figures) is demo-data's; this module only knows the tables.
 */
import type pg from 'pg';
import type { Db } from './pool.js';

/** The columns each row fills, in order: a row is one value per column. */
export const SEED_COLUMNS = {
  cycles: [
    'id',
    'committee_code',
    'year',
    'definition',
    'clock',
    'source_file',
    'status',
    'launched_units',
    'created_at',
    'closed_at',
    'closed_reason',
    'frozen_at',
  ],
  units: [
    'cycle_id',
    'code',
    'name',
    'kind',
    'members',
    'secretary_name',
    'secretary_email',
    'contact_name',
    'contact_email',
    'parent_code',
    'active',
    'added_at',
  ],
  obligations: [
    'cycle_id',
    'unit_code',
    'phase',
    'deadline',
    'due_at',
    'status',
    'escalation_level',
    'last_event',
    'updated_at',
    'calendar_at',
  ],
  submissions: [
    'submission_key',
    'cycle_id',
    'unit_code',
    'phase',
    'version',
    'payload',
    'actor',
    'via',
    'late',
    'submitted_at',
    'calendar_at',
  ],
  events: [
    'event_key',
    'cycle_id',
    'unit_code',
    'phase',
    'kind',
    'status',
    'escalation_level',
    'deadline',
    'actor',
    'reason',
    'data',
    'at',
    'calendar_at',
  ],
  committee_records: ['record_key', 'cycle_id', 'kind', 'payload', 'actor', 'created_at'],
  inspections: [
    'id',
    'cycle_id',
    'unit_code',
    'kind',
    'body',
    'origin',
    'reason',
    'status',
    'scheduled_on',
    'findings',
    'conclusion',
    'remedies',
    'remedy_deadline',
    'escalation_level',
    'created_at',
    'updated_at',
  ],
} as const;

export type SeedRow = unknown[];
export type SeedTable = Exclude<keyof typeof SEED_COLUMNS, 'cycles'>;

/** One year: its cycle row and the rows of each of its tables. */
export interface SeedYearRows {
  cycle: SeedRow;
  tables: Record<SeedTable, SeedRow[]>;
}

export async function cycleExists(db: Db, cycleId: string): Promise<boolean> {
  const exists = await db.query('SELECT 1 FROM cycles WHERE id = $1', [cycleId]);
  return exists.rowCount !== 0;
}

/** Multi-row INSERTs, in chunks that stay well under PostgreSQL's 65,535 parameters. */
/** Rows of one table in SEED_COLUMNS' order, in multi-row INSERTs (the bench's frozen years use it too). */
export async function insertSeedRows(client: pg.PoolClient, table: SeedTable, rows: readonly SeedRow[]): Promise<void> {
  await insertRows(client, table, SEED_COLUMNS[table], rows);
}

async function insertRows(client: pg.PoolClient, table: string, columns: readonly string[], rows: readonly SeedRow[]): Promise<void> {
  const perChunk = Math.max(1, Math.floor(30_000 / columns.length));
  for (let start = 0; start < rows.length; start += perChunk) {
    const params: unknown[] = [];
    const values = rows.slice(start, start + perChunk).map((row) => {
      if (row.length !== columns.length) throw new Error(`${table}: a row of ${row.length} values for ${columns.length} columns`);
      return `(${row.map((v) => `$${params.push(v)}`).join(', ')})`;
    });
    await client.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${values.join(', ')}`, params);
  }
}

/** Writes the year in the caller's transaction; false (and nothing written) when the cycle id already exists. */
export async function insertSeedYear(client: pg.PoolClient, rows: SeedYearRows): Promise<boolean> {
  const inserted = await client.query(
    `INSERT INTO cycles (${SEED_COLUMNS.cycles.join(', ')}) VALUES ` +
      `(${SEED_COLUMNS.cycles.map((_, i) => `$${i + 1}`).join(', ')}) ON CONFLICT (id) DO NOTHING ` +
      `RETURNING id`,
    rows.cycle,
  );
  if ((inserted.rowCount ?? 0) === 0) return false;
  for (const table of ['units', 'obligations', 'submissions', 'events', 'committee_records', 'inspections'] as const) {
    await insertRows(client, table, SEED_COLUMNS[table], rows.tables[table]);
  }
  return true;
}
