/**
 * Phase "plan": the unit acknowledges the committee's plan and submits its own implementation plan (number,
 * text or an uploaded file). Never under target: submitting is the whole obligation.
 */
import { z } from 'zod';
import { MAX_NOTE, formToPayload, once, optionalFileId, optionalText, requiredText } from './common.js';
import type { FieldSpec, PhaseSpec } from './types.js';

const planSchema = once(() =>
  z.object({
    /** Người xác nhận: who at the unit confirms receipt (name, position). */
    confirmedBy: requiredText('Người xác nhận', 200),
    /** Số, ngày kế hoạch thực hiện của đơn vị, e.g. "05-KH/ĐU, ngày 20/01/2027". */
    unitPlanNumber: optionalText('Số, ngày kế hoạch của đơn vị', 100),
    /** The plan's text, pasted. */
    planText: optionalText('Nội dung kế hoạch', 20_000),
    /** The uploaded plan document (stored by the API; this is its id). */
    fileId: optionalFileId('Tệp kế hoạch'),
    note: optionalText('Ghi chú', MAX_NOTE),
  }),
);

export type PlanPayload = z.infer<ReturnType<typeof planSchema>>;

const form: FieldSpec[] = [
  { kind: 'text', name: 'confirmedBy', label: 'Người xác nhận (họ tên, chức vụ)', maxLength: 200, required: true, placeholder: 'Ví dụ: Nguyễn Văn A, Bí thư' },
  { kind: 'text', name: 'unitPlanNumber', label: 'Số, ngày kế hoạch thực hiện của đơn vị (nếu đã ban hành)', maxLength: 100, required: false, placeholder: 'Ví dụ: 05-KH/ĐU, ngày 20/01/2027' },
  { kind: 'textarea', name: 'planText', label: 'Nội dung kế hoạch (dán văn bản, nếu không gửi tệp)', maxLength: 20_000, required: false },
  { kind: 'file', name: 'fileId', label: 'Tệp kế hoạch (Word, PDF hoặc ảnh chụp)', accept: '.pdf,.doc,.docx,.odt,image/*', required: false, help: 'Không bắt buộc. Tối đa một tệp.' },
  { kind: 'textarea', name: 'note', label: 'Ghi chú', maxLength: MAX_NOTE, required: false },
];

export const planPhase: PhaseSpec<PlanPayload> = {
  id: 'plan',
  title: 'Xác nhận tiếp nhận kế hoạch và nộp kế hoạch thực hiện',
  schema: planSchema,
  form,
  fromForm: (fields) => formToPayload(form, fields),
  outcome(payload) {
    const parts = [`Đã tiếp nhận kế hoạch; người xác nhận: ${payload.confirmedBy}`];
    if (payload.unitPlanNumber) parts.push(`kế hoạch của đơn vị số ${payload.unitPlanNumber}`);
    if (payload.fileId) parts.push('có tệp đính kèm');
    return { underTarget: false, summary: parts.join('; ') };
  },
};


