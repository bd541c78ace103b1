/**
 * Phase "plan": the unit acknowledges the committee's plan and submits its own implementation plan (number,
 * text or an uploaded file). Never under target: submitting is the whole obligation.
 */
import { z } from 'zod';
import { MAX_NOTE, once, optionalFileId, optionalText, requiredText } from './common.js';
import { definePhase } from './define.js';
import { form } from './fields.js';

const planSchema = once(() =>
  z.object({
    /** Người xác nhận: who at the unit confirms receipt (name, position). */
    confirmedBy: form(requiredText('Người xác nhận', 200), {
      label: 'Người xác nhận (họ tên, chức vụ)',
      placeholder: 'Ví dụ: Nguyễn Văn A, Bí thư',
    }),
    /** Số, ngày kế hoạch thực hiện của đơn vị, e.g. "05-KH/ĐU, ngày 20/01/2027". */
    unitPlanNumber: form(optionalText('Số, ngày kế hoạch của đơn vị', 100), {
      label: 'Số, ngày kế hoạch thực hiện của đơn vị (nếu đã ban hành)',
      placeholder: 'Ví dụ: 05-KH/ĐU, ngày 20/01/2027',
    }),
    /** The plan's text, pasted. */
    planText: form(optionalText('Nội dung kế hoạch', 20_000), { label: 'Nội dung kế hoạch (dán văn bản, nếu không gửi tệp)' }),
    /** The uploaded plan document (stored by the API; this is its id). */
    fileId: form(optionalFileId('Tệp kế hoạch', '.pdf,.doc,.docx,.odt,image/*'), {
      label: 'Tệp kế hoạch (Word, PDF hoặc ảnh chụp)',
      help: 'Không bắt buộc. Tối đa một tệp.',
    }),
    note: optionalText('Ghi chú', MAX_NOTE),
  }),
);

export type PlanPayload = z.infer<ReturnType<typeof planSchema>>;

export const planPhase = definePhase({
  id: 'plan',
  title: 'Xác nhận tiếp nhận kế hoạch và nộp kế hoạch thực hiện',
  schema: planSchema,
  outcome(payload) {
    const parts = [`Đã tiếp nhận kế hoạch; người xác nhận: ${payload.confirmedBy}`];
    if (payload.unitPlanNumber) parts.push(`kế hoạch của đơn vị số ${payload.unitPlanNumber}`);
    if (payload.fileId) parts.push('có tệp đính kèm');
    return { underTarget: false, summary: parts.join('; ') };
  },
});
