/**
 * The upward_reports table (migration 1765200000000): a committee's year-end report sent to its superior from its
 * child cycle, with what was drafted, what was sent and why it differs. Written once per report, never changed.
 */
import type pg from 'pg';
import type { Db } from './pool.js';

type Queryable = Db | pg.PoolClient;

export interface UpwardReportRow {
  id: number;
  requestId: string;
  childCycleId: string;
  parentCycleId: string;
  unitCode: string;
  version: number;
  snapshotSha256: string;
  drafted: unknown;
  submitted: unknown;
  edits: Array<{ field: string; drafted: unknown; submitted: unknown }>;
  editReason: string | null;
  confirmedBy: string;
  actor: string;
  createdAt: string;
}

const COLUMNS =
  'id, request_id, child_cycle_id, parent_cycle_id, unit_code, version, snapshot_sha256, drafted, submitted, edits, ' +
  'edit_reason, confirmed_by, actor, created_at';

function toRow(r: Record<string, unknown>): UpwardReportRow {
  return {
    id: Number(r.id),
    requestId: r.request_id as string,
    childCycleId: r.child_cycle_id as string,
    parentCycleId: r.parent_cycle_id as string,
    unitCode: r.unit_code as string,
    version: r.version as number,
    snapshotSha256: r.snapshot_sha256 as string,
    drafted: r.drafted,
    submitted: r.submitted,
    edits: r.edits as UpwardReportRow['edits'],
    editReason: (r.edit_reason as string | null) ?? null,
    confirmedBy: r.confirmed_by as string,
    actor: r.actor as string,
    createdAt: new Date(r.created_at as string).toISOString(),
  };
}

/** Records a report sent; a request already recorded (the same file sent again) returns its first row. */
export async function recordUpwardReport(
  db: Queryable,
  r: Omit<UpwardReportRow, 'id' | 'createdAt'>,
): Promise<{ row: UpwardReportRow; created: boolean }> {
  const { rows } = await db.query(
    `INSERT INTO upward_reports (request_id, child_cycle_id, parent_cycle_id, unit_code, version, snapshot_sha256, drafted,
       submitted, edits, edit_reason, confirmed_by, actor)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
     ON CONFLICT DO NOTHING
     RETURNING ${COLUMNS}`,
    [
      r.requestId,
      r.childCycleId,
      r.parentCycleId,
      r.unitCode,
      r.version,
      r.snapshotSha256,
      JSON.stringify(r.drafted),
      JSON.stringify(r.submitted),
      JSON.stringify(r.edits),
      r.editReason,
      r.confirmedBy,
      r.actor,
    ],
  );
  if (rows[0]) return { row: toRow(rows[0]), created: true };
  const { rows: first } = await db.query(`SELECT ${COLUMNS} FROM upward_reports WHERE request_id = $1`, [r.requestId]);
  if (!first[0]) throw new Error(`upward report for ${r.parentCycleId}/${r.unitCode} v${r.version} is recorded under another request`);
  return { row: toRow(first[0]), created: false };
}

/** The report behind the superior's submission (cycle, unit, version of its year-end report), if it came from a child cycle. */
export async function upwardReportOf(
  db: Db,
  parentCycleId: string,
  unitCode: string,
  version: number,
): Promise<UpwardReportRow | undefined> {
  const { rows } = await db.query(`SELECT ${COLUMNS} FROM upward_reports WHERE parent_cycle_id = $1 AND unit_code = $2 AND version = $3`, [
    parentCycleId,
    unitCode,
    version,
  ]);
  return rows[0] ? toRow(rows[0]) : undefined;
}

/** Every report sent from a child cycle, oldest first. */
export async function upwardReportsFrom(db: Db, childCycleId: string): Promise<UpwardReportRow[]> {
  const { rows } = await db.query(`SELECT ${COLUMNS} FROM upward_reports WHERE child_cycle_id = $1 ORDER BY id`, [childCycleId]);
  return rows.map(toRow);
}
