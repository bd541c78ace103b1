/** Files units upload with a submission, stored in PostgreSQL beside the submission that names them. */
import { createHash } from 'node:crypto';
import type { Db } from './pool.js';

export const MAX_FILE_BYTES = 10 * 1024 * 1024;

const ALLOWED = /\.(pdf|doc|docx|odt|xls|xlsx|ods|csv|txt|jpg|jpeg|png|heic|webp)$/i;

export class FileRefused extends Error {
  override name = 'FileRefused';
}

/** Checks an upload and says, in Vietnamese, what is wrong with it. */
export function checkUpload(filename: string, size: number): void {
  if (size === 0) throw new FileRefused(`Tệp "${filename}" rỗng`);
  if (size > MAX_FILE_BYTES) throw new FileRefused(`Tệp "${filename}" quá lớn (${(size / 1_048_576).toFixed(1)} MB, tối đa 10 MB)`);
  if (!ALLOWED.test(filename)) throw new FileRefused(`Tệp "${filename}": chỉ nhận PDF, Word, Excel, CSV, văn bản hoặc ảnh`);
}

/** Stores a file once: the id is a hash of where it belongs and what it holds, so a re-upload is the same file. */
export async function storeFile(
  db: Db,
  f: { cycleId: string; unitCode: string; phase: string; filename: string; contentType: string; content: Buffer; uploadedBy: string },
): Promise<string> {
  checkUpload(f.filename, f.content.length);
  const sha256 = createHash('sha256').update(f.content).digest('hex');
  const id = createHash('sha256').update(`${f.cycleId}/${f.unitCode}/${f.phase}/${sha256}`).digest('hex').slice(0, 32);
  await db.query(
    `INSERT INTO files (id, cycle_id, unit_code, phase, filename, content_type, size, sha256, content, uploaded_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (id) DO NOTHING`,
    [
      id,
      f.cycleId,
      f.unitCode,
      f.phase,
      f.filename.normalize('NFC'),
      f.contentType || 'application/octet-stream',
      f.content.length,
      sha256,
      f.content,
      f.uploadedBy,
    ],
  );
  return id;
}

export async function getFile(
  db: Db,
  id: string,
): Promise<{ filename: string; contentType: string; content: Buffer; cycleId: string; unitCode: string } | undefined> {
  const { rows } = await db.query('SELECT filename, content_type, content, cycle_id, unit_code FROM files WHERE id = $1', [id]);
  const r = rows[0];
  return r
    ? { filename: r.filename, contentType: r.content_type, content: r.content, cycleId: r.cycle_id, unitCode: r.unit_code }
    : undefined;
}

/** The latest version of a unit's submission for a phase, to pre-fill its form for a revision. */
export async function latestSubmission(
  db: Db,
  cycleId: string,
  unitCode: string,
  phase: string,
): Promise<{ version: number; payload: Record<string, unknown> } | undefined> {
  const { rows } = await db.query(
    'SELECT version, payload FROM submissions WHERE cycle_id = $1 AND unit_code = $2 AND phase = $3 ORDER BY version DESC LIMIT 1',
    [cycleId, unitCode, phase],
  );
  return rows[0] ? { version: rows[0].version, payload: rows[0].payload } : undefined;
}
