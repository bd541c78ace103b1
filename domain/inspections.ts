/**
 * Inspections and supervision (kiểm tra, giám sát) of a unit by the standing committee or the UBKT: what
 * operators send to an inspection's workflow, with Vietnamese messages, and the derived workflow id — one
 * inspection per unit, kind and body in a year, so starting it twice finds the first.
 */
import { z } from 'zod';
import { actorSchema, isoDateField, messageVersionSchema, requestIdSchema } from './submissions.js';

export const INSPECTION_KINDS = ['kiem-tra', 'giam-sat'] as const;
export const INSPECTION_BODIES = ['ban-thuong-vu', 'ubkt'] as const;
export const INSPECTION_ORIGINS = ['plan', 'escalation', 'under-target', 'other'] as const;
export type InspectionKind = (typeof INSPECTION_KINDS)[number];
export type InspectionBody = (typeof INSPECTION_BODIES)[number];

export const KIND_LABEL_VI: Record<InspectionKind, string> = { 'kiem-tra': 'kiểm tra', 'giam-sat': 'giám sát' };
export const BODY_LABEL_VI: Record<InspectionBody, string> = { 'ban-thuong-vu': 'Ban Thường vụ', ubkt: 'Ủy ban Kiểm tra' };

export const INSPECTION_STATUSES = ['noticed', 'scheduled', 'findings', 'concluded', 'remedy_overdue', 'remedied', 'closed'] as const;
export type InspectionStatus = (typeof INSPECTION_STATUSES)[number];

export function inspectionWorkflowId(cycleId: string, unitCode: string, kind: InspectionKind, body: InspectionBody): string {
  return `chuky/inspection/${cycleId}/${unitCode}/${kind}-${body}`;
}

const text = (label: string, max: number, min = 1) =>
  z
    .string({ message: `${label}: cần là chuỗi ký tự` })
    .transform((s) => s.normalize('NFC').trim())
    .pipe(
      z
        .string()
        .min(min, { message: min > 1 ? `${label}: cần viết ít nhất ${min} ký tự` : `${label}: không được để trống` })
        .max(max, { message: `${label}: quá dài (tối đa ${max} ký tự)` }),
    );

const isoDate = isoDateField;

// Built at their first parse (z.lazy), not when a workflow loads this module: see domain/submissions.ts.
export const startInspectionSchema = z.lazy(() =>
  z.object({
    unitCode: z.string().min(1),
    kind: z.enum(INSPECTION_KINDS, { message: 'Loại: kiem-tra hoặc giam-sat' }),
    body: z.enum(INSPECTION_BODIES, { message: 'Chủ thể: ban-thuong-vu hoặc ubkt' }),
    origin: z.enum(INSPECTION_ORIGINS).default('plan'),
    reason: text('Nội dung, lý do', 2000),
    actor: actorSchema,
  }),
);
export type StartInspection = z.infer<typeof startInspectionSchema>;

export const scheduleInspectionSchema = z.lazy(() =>
  z.object({ v: messageVersionSchema, date: isoDate('Ngày kiểm tra'), actor: actorSchema, requestId: requestIdSchema }),
);
export const findingsSchema = z.lazy(() =>
  z.object({
    v: messageVersionSchema,
    findings: text('Kết quả kiểm tra', 20_000, 10),
    actor: actorSchema,
    requestId: requestIdSchema,
  }),
);
export const concludeSchema = z.lazy(() =>
  z
    .object({
      v: messageVersionSchema,
      conclusion: text('Kết luận', 20_000, 10),
      remedies: z.array(text('Nội dung khắc phục', 2000)).max(50).default([]),
      remedyDeadline: isoDate('Hạn khắc phục').optional(),
      actor: actorSchema,
      requestId: requestIdSchema,
    })
    .refine((v) => v.remedies.length === 0 || v.remedyDeadline !== undefined, {
      message: 'Hạn khắc phục: cần có khi có nội dung khắc phục',
      path: ['remedyDeadline'],
    }),
);
export const closeInspectionSchema = z.lazy(() =>
  z.object({ v: messageVersionSchema, note: text('Ghi chú', 2000), actor: actorSchema, requestId: requestIdSchema }),
);

export type ScheduleInspection = z.infer<typeof scheduleInspectionSchema>;
export type Findings = z.infer<typeof findingsSchema>;
export type Conclude = z.infer<typeof concludeSchema>;
export type CloseInspection = z.infer<typeof closeInspectionSchema>;
