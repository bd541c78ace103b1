/**
 * The shapes units and operators send in, with Vietnamese messages. One schema per message, used by the HTTP
 * API, the CLI and the Temporal update validators alike, so a bad request is refused with the same words
 * everywhere and never enters a workflow's history.
 *
 * Each schema is a `z.lazy`: built at its first parse, not when the module loads. Every unit workflow loads this
 * module (its update validators use it) and most never receive an update while they are in the worker's cache;
 * building the schemas at load cost each of them its CPU and memory (bench/README.md, "Worker memory").
 */
import { z } from 'zod';
import { parseIsoDate } from './calendar.js';
import { unsafeTextMessage, unsafeTextPath } from './text-safety.js';

const MAX_TEXT = 5000;

/** A 'YYYY-MM-DD' civil date that exists; `label` names the field in the message. */
export const isoDateField = (label?: string) =>
  z.string().refine(
    (s) => {
      try {
        parseIsoDate(s);
        return true;
      } catch {
        return false;
      }
    },
    { message: `${label ? `${label}: ngày` : 'Ngày'} không hợp lệ, cần dạng YYYY-MM-DD (ví dụ 2027-02-15)` },
  );

const nfcText = (max: number, label: string) =>
  z
    .string({ message: `${label}: cần là chuỗi ký tự` })
    .transform((s) => s.normalize('NFC').trim())
    .pipe(z.string().max(max, { message: `${label}: quá dài (tối đa ${max} ký tự)` }));

export const actorSchema = z.lazy(() =>
  z.object({
    /** Who acted: 'unit:<code>' for a unit through its link, 'operator:<name>' for Ban Tuyên giáo, 'system'. */
    id: z.string().min(1).max(200),
    via: z.enum(['web', 'cli', 'api', 'system']),
  }),
);
export type Actor = z.infer<typeof actorSchema>;

/**
 * When the API received a submission (ms since the epoch, real time): stamped by the API server over whatever a
 * caller sent, so that the workflow judges the submission by it (`judgedAt` in domain/obligation.ts).
 */
const sentAtSchema = z.number().int().positive();

/** Phase 1: the unit acknowledges the plan and, optionally, describes its own implementation plan. */
export const acknowledgePlanSchema = z.lazy(() =>
  z.object({
    phase: z.literal('plan'),
    actor: actorSchema,
    /** Người xác nhận: who at the unit confirms receipt. */
    confirmedBy: nfcText(200, 'Người xác nhận').pipe(z.string().min(1, { message: 'Người xác nhận: không được để trống' })),
    /** Số, ngày kế hoạch thực hiện của đơn vị, if already issued. */
    unitPlanNumber: nfcText(100, 'Số kế hoạch của đơn vị').optional(),
    note: nfcText(MAX_TEXT, 'Ghi chú').optional(),
    /** Caller-chosen id so a retried request is the same submission, not a second version. */
    requestId: z.string().min(8).max(100),
    sentAt: sentAtSchema.optional(),
  }),
);
export type AcknowledgePlan = z.infer<typeof acknowledgePlanSchema>;

export const extendDeadlineSchema = z.lazy(() =>
  z.object({
    phase: z.string().min(1),
    newDeadline: isoDateField(),
    reason: nfcText(1000, 'Lý do gia hạn').pipe(z.string().min(3, { message: 'Lý do gia hạn: cần ghi rõ lý do' })),
    actor: actorSchema,
    requestId: z.string().min(8).max(100),
  }),
);
export type ExtendDeadline = z.infer<typeof extendDeadlineSchema>;

export const exemptSchema = z.lazy(() =>
  z.object({
    phase: z.string().min(1),
    reason: nfcText(1000, 'Lý do miễn').pipe(z.string().min(3, { message: 'Lý do miễn: cần ghi rõ lý do' })),
    actor: actorSchema,
    requestId: z.string().min(8).max(100),
  }),
);
export type Exempt = z.infer<typeof exemptSchema>;

/**
 * Any phase's submission: the envelope is checked here, the payload by the phase's own schema
 * (domain/phases), with the unit's facts, in the API and again in the workflow's validator.
 */
export const submitSchema = z.lazy(() =>
  z.object({
    phase: z.string().min(1).max(50),
    payload: z.unknown(),
    actor: actorSchema,
    requestId: z.string().min(8).max(100),
    sentAt: sentAtSchema.optional(),
  }),
);
export type Submit = z.infer<typeof submitSchema>;

/** A unit leaves the running cycle (giải thể, sáp nhập): its open obligations close with the reason. */
export const removeUnitSchema = z.lazy(() =>
  z.object({
    reason: nfcText(1000, 'Lý do').pipe(z.string().min(3, { message: 'Lý do: cần ghi rõ lý do' })),
    actor: actorSchema,
    requestId: z.string().min(8).max(100),
  }),
);
export type RemoveUnit = z.infer<typeof removeUnitSchema>;

/** Turns zod issues into one Vietnamese line per field: "confirmedBy: Người xác nhận: không được để trống". */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
}

export class InvalidSubmissionError extends Error {
  override name = 'InvalidSubmissionError';
}

export function parseOrThrow<T>(schema: z.ZodType<T>, input: unknown): T {
  // A NUL or a broken surrogate anywhere (the payload included) could never be stored: refused by its field.
  const unsafe = unsafeTextPath(input);
  if (unsafe !== undefined) throw new InvalidSubmissionError(unsafeTextMessage(unsafe));
  const result = schema.safeParse(input);
  if (!result.success) throw new InvalidSubmissionError(describeIssues(result.error));
  return result.data;
}
