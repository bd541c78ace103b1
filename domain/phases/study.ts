/**
 * Phase "study": the unit reports how many of its members studied the year's themes (học tập, quán triệt),
 * and its own thematic discussion session (sinh hoạt chuyên đề). Under the study target the unit owes a
 * make-up session (phase "study-makeup").
 */
import { z } from 'zod';
import { formatVietnameseDate } from '../calendar.js';
import {
  ALWAYS,
  checkAtMost,
  MAX_NOTE,
  formatTarget,
  intField,
  isUnderTarget,
  memberCap,
  memberCapReason,
  membersReasonField,
  membersReasonSummary,
  checkMembersReason,
  optionalDateField,
  optionalText,
  ratioText,
} from './common.js';
import { definePhase } from './define.js';
import { form } from './fields.js';
import type { UnitFacts } from './types.js';

function studySchema(facts: UnitFacts) {
  const cap = memberCap(facts);
  return z
    .object({
      /** Members of the unit now (may differ from the registered list). */
      members: form(intField('Tổng số đảng viên', { min: 1, max: cap, maxReason: memberCapReason(facts) }), {
        label: 'Tổng số đảng viên của đơn vị',
      }),
      /** Why `members` differs from the registry's count by more than the cycle's margin (required then). */
      membersReason: membersReasonField(),
      /** Members who studied. */
      studied: form(intField('Số đảng viên đã học tập', { max: cap }), {
        label: 'Số đảng viên đã học tập, quán triệt',
        help: 'Tính cả đảng viên học tại các điểm cầu trực tuyến.',
      }),
      /** When the unit's study session was held. */
      sessionDate: optionalDateField('Ngày học tập, quán triệt'),
      /** The unit's own thematic discussion session (sinh hoạt chuyên đề). */
      discussionTopic: form(optionalText('Chủ đề sinh hoạt chuyên đề', 500), {
        label: 'Chủ đề sinh hoạt chuyên đề của đơn vị',
        placeholder: 'Ví dụ: Tự soi, tự sửa',
      }),
      discussionDate: form(optionalDateField('Ngày sinh hoạt chuyên đề'), { help: 'Bắt buộc khi đã ghi chủ đề sinh hoạt chuyên đề.' }),
      note: optionalText('Ghi chú', MAX_NOTE),
    })
    .superRefine((v, ctx) => {
      checkMembersReason(ctx, v.members, v.membersReason, facts);
      checkAtMost(ctx, v.studied, v.members, ['studied'], 'Số đảng viên đã học tập không được lớn hơn tổng số đảng viên');
      if (typeof v.discussionTopic === 'string' && v.discussionTopic !== '' && v.discussionDate === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['discussionDate'],
          message: 'Ngày sinh hoạt chuyên đề: cần nhập khi đã ghi chủ đề sinh hoạt chuyên đề',
        });
      }
    }, ALWAYS);
}

export type StudyPayload = z.infer<ReturnType<typeof studySchema>>;

export const studyPhase = definePhase({
  id: 'study',
  title: 'Báo cáo kết quả học tập, quán triệt chuyên đề',
  schema: studySchema,
  outcome(payload, facts, targets) {
    const underTarget = isUnderTarget(payload.studied, payload.members, targets.studyPercent);
    let summary = `Học tập: ${ratioText(payload.studied, payload.members)}${membersReasonSummary(payload.membersReason, facts)}`;
    if (underTarget) summary += ` — chưa đạt chỉ tiêu ${formatTarget(targets.studyPercent)}, cần quán triệt bổ sung`;
    if (payload.discussionTopic) {
      const when = payload.discussionDate ? ` ngày ${formatVietnameseDate(payload.discussionDate)}` : '';
      summary += `; sinh hoạt chuyên đề “${payload.discussionTopic}”${when}`;
    }
    return { underTarget, summary };
  },
});
