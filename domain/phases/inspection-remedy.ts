/**
 * Phase "inspection-remedy" (khắc phục sau kiểm tra, giám sát): after an inspection's conclusion, the unit
 * reports what it did about each remedy. It is owed to the inspection's workflow, not the unit's.
 */
import { z } from 'zod';
import { formatVietnameseDate } from '../calendar.js';
import { MAX_NOTE, once, optionalDateField, optionalText, requiredText } from './common.js';
import { definePhase } from './define.js';
import { form } from './fields.js';

const remedySchema = once(() =>
  z.object({
    /** Báo cáo khắc phục: what was done, remedy by remedy. */
    report: form(requiredText('Báo cáo kết quả khắc phục', 20_000, 20), {
      label: 'Kết quả khắc phục từng nội dung theo kết luận kiểm tra, giám sát',
    }),
    completedOn: optionalDateField('Ngày hoàn thành khắc phục'),
    note: optionalText('Ghi chú', MAX_NOTE),
  }),
);

export type InspectionRemedyPayload = z.infer<ReturnType<typeof remedySchema>>;

export const inspectionRemedyPhase = definePhase({
  id: 'inspection-remedy',
  title: 'Báo cáo khắc phục sau kiểm tra, giám sát',
  schema: remedySchema,
  outcome: (payload) => ({
    underTarget: false,
    summary: `Đã báo cáo khắc phục${payload.completedOn ? `, hoàn thành ngày ${formatVietnameseDate(payload.completedOn)}` : ''}`,
  }),
});
