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
  formToPayload,
  formatTarget,
  intField,
  isUnderTarget,
  memberCap,
  memberCapReason,
  membersReasonField,
  membersReasonSummary,
  checkMembersReason,
  membersReasonFormField,
  optionalDateField,
  optionalText,
  ratioText,
} from './common.js';
import type { FieldSpec, PhaseSpec, UnitFacts } from './types.js';

function studySchema(facts: UnitFacts) {
  const cap = memberCap(facts);
  return z
    .object({
      /** Members of the unit now (may differ from the registered list). */
      members: intField('Tổng số đảng viên', { min: 1, max: cap, maxReason: memberCapReason(facts) }),
      /** Why `members` differs from the registry's count by more than the cycle's margin (required then). */
      membersReason: membersReasonField(),
      /** Members who studied. */
      studied: intField('Số đảng viên đã học tập', { max: cap }),
      /** When the unit's study session was held. */
      sessionDate: optionalDateField('Ngày học tập, quán triệt'),
      /** The unit's own thematic discussion session (sinh hoạt chuyên đề). */
      discussionTopic: optionalText('Chủ đề sinh hoạt chuyên đề', 500),
      discussionDate: optionalDateField('Ngày sinh hoạt chuyên đề'),
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

const form: FieldSpec[] = [
  { kind: 'number', name: 'members', label: 'Tổng số đảng viên của đơn vị', min: 1, required: true },
  membersReasonFormField(),
  { kind: 'number', name: 'studied', label: 'Số đảng viên đã học tập, quán triệt', min: 0, required: true, help: 'Tính cả đảng viên học tại các điểm cầu trực tuyến.' },
  { kind: 'date', name: 'sessionDate', label: 'Ngày học tập, quán triệt', required: false },
  { kind: 'text', name: 'discussionTopic', label: 'Chủ đề sinh hoạt chuyên đề của đơn vị', maxLength: 500, required: false, placeholder: 'Ví dụ: Tự soi, tự sửa' },
  { kind: 'date', name: 'discussionDate', label: 'Ngày sinh hoạt chuyên đề', required: false, help: 'Bắt buộc khi đã ghi chủ đề sinh hoạt chuyên đề.' },
  { kind: 'textarea', name: 'note', label: 'Ghi chú', maxLength: MAX_NOTE, required: false },
];

export const studyPhase: PhaseSpec<StudyPayload> = {
  id: 'study',
  title: 'Báo cáo kết quả học tập, quán triệt chuyên đề',
  schema: studySchema,
  form,
  fromForm: (fields) => formToPayload(form, fields),
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
};
