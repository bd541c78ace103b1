/**
 * A unit's form carries a hidden request id, so that a send repeated by the browser (a second tap, a reload, a
 * retry after a lost answer) is the same submission: the unit workflow answers a request id it has seen with that
 * submission's receipt and stores nothing (workflows/unit.ts, and Temporal's own update id). The same id with a
 * different body is the unit's browser sending an old page again (the back button, a tab left open) after the
 * unit changed it: the change would be dropped in silence. The form route looks the id up first, and when it was
 * used for a different body it tells the unit so, and gives the form a fresh id (api/routes/unit-forms.ts).
 */
import { isDeepStrictEqual } from 'node:util';

/** The lookup itself is db/'s (SQL lives there): read with the rest of a form post's context (db/form-post.ts). */
export type { EarlierSend } from '../db/request-ids.js';

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
