/**
 * Phase "study-makeup" (quán triệt bổ sung): owed by a unit whose attendance was under target; it reports the
 * make-up session and how many members have now studied in total. Still under target: still owed.
 */
import { z } from 'zod';
import { formatVietnameseDate } from '../calendar.js';
import {
  ALWAYS,
  checkAtMost,
  MAX_NOTE,
  dateField,
  formatTarget,
  intField,
  isUnderTarget,
  memberCap,
  memberCapReason,
  optionalText,
  ratioText,
} from './common.js';
import { definePhase } from './define.js';
import { form } from './fields.js';
import type { UnitFacts } from './types.js';

function studyMakeupSchema(facts: UnitFacts) {
  const cap = memberCap(facts);
  return z
    .object({
      /** The date of the make-up session. */
      makeupDate: dateField('Ngày quán triệt bổ sung'),
      /** Members who have now studied, in total (first session and make-up). */
      studiedTotal: form(intField('Tổng số đảng viên đã học tập', { max: cap }), {
        label: 'Tổng số đảng viên đã học tập (cả đợt đầu và đợt bổ sung)',
      }),
      members: form(intField('Tổng số đảng viên', { min: 1, max: cap, maxReason: memberCapReason(facts) }), {
        label: 'Tổng số đảng viên của đơn vị',
      }),
      note: form(optionalText('Ghi chú', MAX_NOTE), { label: 'Ghi chú (lý do đảng viên vắng, nếu còn)' }),
    })
    .superRefine((v, ctx) => {
      checkAtMost(ctx, v.studiedTotal, v.members, ['studiedTotal'], 'Tổng số đảng viên đã học tập không được lớn hơn tổng số đảng viên');
    }, ALWAYS);
}

export type StudyMakeupPayload = z.infer<ReturnType<typeof studyMakeupSchema>>;

export const studyMakeupPhase = definePhase({
  id: 'study-makeup',
  title: 'Báo cáo quán triệt bổ sung',
  schema: studyMakeupSchema,
  outcome(payload, _facts, targets) {
    const underTarget = isUnderTarget(payload.studiedTotal, payload.members, targets.studyPercent);
    let summary =
      `Quán triệt bổ sung ngày ${formatVietnameseDate(payload.makeupDate)}: tổng cộng đã học ` +
      `tập ${ratioText(payload.studiedTotal, payload.members)}`;
    if (underTarget) summary += ` — vẫn chưa đạt chỉ tiêu ${formatTarget(targets.studyPercent)}`;
    return { underTarget, summary };
  },
});
