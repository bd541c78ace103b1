/**
 * Phase "inspection-remedy" (khắc phục sau kiểm tra, giám sát): after an inspection's conclusion, the unit
 * reports what it did about each remedy. It is owed to the inspection's workflow, not the unit's.
 */
import { z } from 'zod';
import { formatVietnameseDate } from '../calendar.js';
import { MAX_NOTE, formToPayload, once, optionalDateField, optionalText, requiredText } from './common.js';
import type { FieldSpec, PhaseSpec } from './types.js';

const remedySchema = once(() =>
  z.object({
    /** Báo cáo khắc phục: what was done, remedy by remedy. */
    report: requiredText('Báo cáo kết quả khắc phục', 20_000, 20),
    completedOn: optionalDateField('Ngày hoàn thành khắc phục'),
    note: optionalText('Ghi chú', MAX_NOTE),
  }),
);

export type InspectionRemedyPayload = z.infer<ReturnType<typeof remedySchema>>;

const form: FieldSpec[] = [
  { kind: 'textarea', name: 'report', label: 'Kết quả khắc phục từng nội dung theo kết luận kiểm tra, giám sát', maxLength: 20_000, required: true },
  { kind: 'date', name: 'completedOn', label: 'Ngày hoàn thành khắc phục', required: false },
  { kind: 'textarea', name: 'note', label: 'Ghi chú', maxLength: MAX_NOTE, required: false },
];

export const inspectionRemedyPhase: PhaseSpec<InspectionRemedyPayload> = {
  id: 'inspection-remedy',
  title: 'Báo cáo khắc phục sau kiểm tra, giám sát',
  schema: remedySchema,
  form,
  fromForm: (fields) => formToPayload(form, fields),
  outcome: (payload) => ({ underTarget: false, summary: `Đã báo cáo khắc phục${payload.completedOn ? `, hoàn thành ngày ${formatVietnameseDate(payload.completedOn)}` : ''}` }),
};
