/**
 * A unit's form carries a hidden request id, so that a send repeated by the browser (a second tap, a reload, a
 * retry after a lost answer) is the same submission: the unit workflow answers a request id it has seen with that
 * submission's receipt and stores nothing (workflows/unit.ts, and Temporal's own update id). The same id with a
 * different body is the unit's browser sending an old page again (the back button, a tab left open) after the
 * unit changed it: the change would be dropped in silence. The form route looks the id up first, and when it was
 * used for a different body it tells the unit so, and gives the form a fresh id (api/routes/unit-forms.ts).
 */
import { isDeepStrictEqual } from 'node:util';
import type { Db } from '../db/pool.js';

/** What a request id was already used for: the version it stored and the payload stored with it. */
export interface EarlierSend {
  version: number;
  payload: unknown;
}

/**
 * The submission an earlier send with this request id stored for the unit's obligation, if any. Its key ends with
 * the request id (`cycle/unit/phase/<id>` for a unit's obligation, `<inspection>/<id>` for a remedy report).
 */
export async function earlierSend(db: Db, scope: { cycleId: string; unitCode: string; phase: string }, requestId: string): Promise<EarlierSend | undefined> {
  const suffix = `/${requestId}`;
  const { rows } = await db.query<{ version: number; payload: unknown }>(
    `SELECT version, payload FROM submissions
      WHERE cycle_id = $1 AND unit_code = $2 AND phase = $3 AND right(submission_key, $4) = $5
      ORDER BY version LIMIT 1`,
    [scope.cycleId, scope.unitCode, scope.phase, suffix.length, suffix],
  );
  return rows[0] ? { version: rows[0].version, payload: rows[0].payload } : undefined;
}

/** Whether two payloads say the same, compared as the JSON they are stored as (key order and undefined aside). */
export function samePayload(stored: unknown, sent: unknown): boolean {
  return isDeepStrictEqual(JSON.parse(JSON.stringify(stored ?? null)), JSON.parse(JSON.stringify(sent ?? null)));
}

/** What the unit reads when its send repeated an earlier one with other content (Vietnamese, NFC). */
export function repeatNotice(version: number): string {
  return (
    `Lần gửi này trùng với một lần gửi trước (đã nhận là lần ${version}), nên nội dung vừa sửa chưa được lưu và không có gì thay đổi. ` +
    'Biểu mẫu dưới đây vẫn giữ nội dung vừa sửa: xin bấm nút gửi một lần nữa để lưu thành một lần nộp mới.'
  ).normalize('NFC');
}
