/**
 * The committee's own records for a cycle (documents, conferences, commendations, contests, charity), as Ban
 * Tuyên giáo enters them. Adding is idempotent by the caller's request id; deleting is soft, with who and why,
 * so the year's figures can always be traced to what was entered and what was withdrawn.
 */
import type { Db } from './pool.js';

export interface CommitteeRecordRow {
  id: number;
  cycleId: string;
  kind: string;
  payload: Record<string, unknown>;
  actor: string;
  createdAt: string;
  deletedAt: string | null;
  deletedBy: string | null;
  deletedReason: string | null;
}

export class RecordStoreError extends Error {
  override name = 'RecordStoreError';
  constructor(
    message: string,
    readonly httpStatus: 404 | 409,
  ) {
    super(message);
  }
}

// timestamptz: a Date from pg, or text where a query casts it.
const iso = (v: unknown): string | null => (v instanceof Date ? v.toISOString() : typeof v === 'string' ? v : null);

function toRow(r: Record<string, unknown>): CommitteeRecordRow {
  return {
    id: Number(r.id),
    cycleId: r.cycle_id as string,
    kind: r.kind as string,
    payload: r.payload as Record<string, unknown>,
    actor: r.actor as string,
    createdAt: iso(r.created_at) ?? '',
    deletedAt: iso(r.deleted_at),
    deletedBy: (r.deleted_by as string | null) ?? null,
    deletedReason: (r.deleted_reason as string | null) ?? null,
  };
}

/** The stored key of a request: request ids are the caller's, so they are scoped to the cycle. */
export function recordKey(cycleId: string, requestId: string): string {
  return `${cycleId}/${requestId}`;
}

/**
 * Adds a record once per request id: a retried request returns the record it created (`created: false`); the
 * same request id with a different record is refused (409), since one of the two would be lost silently.
 */
export async function addCommitteeRecord(
  db: Db,
  params: { cycleId: string; kind: string; payload: Record<string, unknown>; actor: string; requestId: string },
): Promise<{ record: CommitteeRecordRow; created: boolean }> {
  const key = recordKey(params.cycleId, params.requestId);
  const payload = JSON.stringify(params.payload);
  await refuseIfFrozen(db, params.cycleId);
  let inserted;
  try {
    inserted = await db.query(
      `INSERT INTO committee_records (record_key, cycle_id, kind, payload, actor)
       VALUES ($1, $2, $3, $4::jsonb, $5)
       ON CONFLICT (record_key) DO NOTHING
       RETURNING *`,
      [key, params.cycleId, params.kind, payload, params.actor],
    );
  } catch (err) {
    if ((err as { code?: string }).code === '23503') throw new RecordStoreError(`Không có chu kỳ "${params.cycleId}"`, 404);
    throw err;
  }
  if (inserted.rows[0]) return { record: toRow(inserted.rows[0]), created: true };
  const { rows } = await db.query('SELECT *, (payload = $2::jsonb) AS same_payload FROM committee_records WHERE record_key = $1', [
    key,
    payload,
  ]);
  const existing = rows[0];
  if (!existing) throw new Error(`record ${key} vanished`); // never deleted for real; soft deletes keep the row
  if (existing.kind !== params.kind || !existing.same_payload) {
    throw new RecordStoreError(
      `requestId "${params.requestId}" đã được dùng cho một hồ sơ khác (số ${existing.id}); hãy dùng mã yêu cầu mới`,
      409,
    );
  }
  return { record: toRow(existing), created: false };
}

/**
 * A frozen cycle's records are part of its snapshot (db/frozen.ts): changing them afterwards would make the
 * records and the compiled report disagree, so it is refused with the reason.
 */
async function refuseIfFrozen(db: Db, cycleId: string): Promise<void> {
  const { rows } = await db.query(
    "SELECT to_char(frozen_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'DD/MM/YYYY') AS frozen FROM cycles WHERE id = $1 AND frozen_at IS NOT NULL",
    [cycleId],
  );
  if (rows[0])
    throw new RecordStoreError(`Chu kỳ ${cycleId} đã khóa sổ ngày ${rows[0].frozen}; hồ sơ của năm không còn được thêm hoặc xóa`, 409);
}

/** The cycle's records that are not deleted, oldest first; of one kind when given. */
export async function listCommitteeRecords(db: Db, cycleId: string, kind?: string): Promise<CommitteeRecordRow[]> {
  const { rows } = await db.query(
    `SELECT * FROM committee_records WHERE cycle_id = $1 AND deleted_at IS NULL AND ($2::text IS NULL OR kind = $2) ORDER BY id`,
    [cycleId, kind ?? null],
  );
  return rows.map(toRow);
}

export async function getCommitteeRecord(db: Db, cycleId: string, id: number): Promise<CommitteeRecordRow | undefined> {
  const { rows } = await db.query('SELECT * FROM committee_records WHERE cycle_id = $1 AND id = $2', [cycleId, id]);
  return rows[0] ? toRow(rows[0]) : undefined;
}

/**
 * Soft-deletes a record with who and why. Repeating it is harmless (`alreadyDeleted`: the first deletion stands);
 * a record not in the cycle is a 404.
 */
export async function deleteCommitteeRecord(
  db: Db,
  params: { cycleId: string; id: number; actor: string; reason?: string },
): Promise<{ record: CommitteeRecordRow; alreadyDeleted: boolean }> {
  await refuseIfFrozen(db, params.cycleId);
  const { rows } = await db.query(
    `UPDATE committee_records SET deleted_at = now(), deleted_by = $3, deleted_reason = $4
     WHERE cycle_id = $1 AND id = $2 AND deleted_at IS NULL RETURNING *`,
    [params.cycleId, params.id, params.actor, params.reason ?? null],
  );
  if (rows[0]) return { record: toRow(rows[0]), alreadyDeleted: false };
  const existing = await getCommitteeRecord(db, params.cycleId, params.id);
  if (!existing) throw new RecordStoreError(`không có hồ sơ số ${params.id} trong chu kỳ ${params.cycleId}`, 404);
  return { record: existing, alreadyDeleted: true };
}
