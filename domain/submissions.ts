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
import { knownFieldLabel } from './words.js';

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
    { message: `${label ? `${label}: ngày` : 'Ngày'} không hợp lệ, cần dạng năm-tháng-ngày (YYYY-MM-DD)` },
  );

const nfcText = (max: number, label: string) =>
  z
    .string({ message: `${label}: cần là chuỗi ký tự` })
    .transform((s) => s.normalize('NFC').trim())
    .pipe(z.string().max(max, { message: `${label}: quá dài (tối đa ${max} ký tự)` }));

/**
 * An Update argument's shape version. Absent means 1, the only one so far; a handler switches on it (`args.v ?? 1`,
 * workflows/unit/handlers.ts), and that switch is where a second shape would be handled beside the first while
 * workflows that took the first run on. Parsed, so that a `v` the caller sent reaches the workflow.
 */
export const messageVersionSchema = z.literal(1, { message: 'Phiên bản thông điệp: chỉ hỗ trợ phiên bản 1' }).optional();

export const actorSchema = z.lazy(() =>
  z.object({
    /** Who acted: 'unit:<code>' for a unit through its link, 'operator:<name>' for Ban Tuyên giáo, 'system'. */
    id: z.string().min(1).max(200),
    via: z.enum(['web', 'cli', 'api', 'system'], { message: 'Kênh gửi: không hợp lệ (trang của đơn vị, dòng lệnh, API hoặc hệ thống)' }),
  }),
);
export type Actor = z.infer<typeof actorSchema>;

/**
 * When the API received a submission (ms since the epoch, real time): stamped by the API server over whatever a
 * caller sent, so that the workflow judges the submission by it (`judgedAt` in domain/obligation.ts).
 */
const sentAtSchema = z.number().int().positive();

/**
 * A request's caller-chosen id, so that a retried request is the same one. One rule for every door: the unit form
 * keeps a posted id only if this accepts it (zod counts characters, not UTF-16 units; a check of its own there
 * kept ids that the workflow's validator then refused).
 */
export const requestIdSchema = z.string().min(8).max(100);

/** Phase 1: the unit acknowledges the plan and, optionally, describes its own implementation plan. */
export const acknowledgePlanSchema = z.lazy(() =>
  z.object({
    v: messageVersionSchema,
    phase: z.literal('plan'),
    actor: actorSchema,
    /** Người xác nhận: who at the unit confirms receipt. */
    confirmedBy: nfcText(200, 'Người xác nhận').pipe(z.string().min(1, { message: 'Người xác nhận: không được để trống' })),
    /** Số, ngày kế hoạch thực hiện của đơn vị, if already issued. */
    unitPlanNumber: nfcText(100, 'Số kế hoạch của đơn vị').optional(),
    note: nfcText(MAX_TEXT, 'Ghi chú').optional(),
    /** Caller-chosen id so a retried request is the same submission, not a second version. */
    requestId: requestIdSchema,
    sentAt: sentAtSchema.optional(),
  }),
);
export type AcknowledgePlan = z.infer<typeof acknowledgePlanSchema>;

export const extendDeadlineSchema = z.lazy(() =>
  z.object({
    v: messageVersionSchema,
    phase: z.string().min(1),
    newDeadline: isoDateField(),
    reason: nfcText(1000, 'Lý do gia hạn').pipe(z.string().min(3, { message: 'Lý do gia hạn: cần ghi rõ lý do' })),
    actor: actorSchema,
    requestId: requestIdSchema,
  }),
);
export type ExtendDeadline = z.infer<typeof extendDeadlineSchema>;

export const exemptSchema = z.lazy(() =>
  z.object({
    v: messageVersionSchema,
    phase: z.string().min(1),
    reason: nfcText(1000, 'Lý do miễn').pipe(z.string().min(3, { message: 'Lý do miễn: cần ghi rõ lý do' })),
    actor: actorSchema,
    requestId: requestIdSchema,
  }),
);
export type Exempt = z.infer<typeof exemptSchema>;

/**
 * Any phase's submission: the envelope is checked here, the payload by the phase's own schema
 * (domain/phases), with the unit's facts, in the API and again in the workflow's validator.
 */
export const submitSchema = z.lazy(() =>
  z.object({
    v: messageVersionSchema,
    phase: z.string().min(1).max(50),
    payload: z.unknown(),
    actor: actorSchema,
    requestId: requestIdSchema,
    sentAt: sentAtSchema.optional(),
  }),
);
export type Submit = z.infer<typeof submitSchema>;

/** A unit leaves the running cycle (giải thể, sáp nhập): its open obligations close with the reason. */
export const removeUnitSchema = z.lazy(() =>
  z.object({
    v: messageVersionSchema,
    reason: nfcText(1000, 'Lý do').pipe(z.string().min(3, { message: 'Lý do: cần ghi rõ lý do' })),
    actor: actorSchema,
    requestId: requestIdSchema,
  }),
);
export type RemoveUnit = z.infer<typeof removeUnitSchema>;

/** The fields of operators' and units' requests outside a phase's form, by their names in Vietnamese. */
const REQUEST_FIELD_LABELS: Record<string, string> = {
  requestId: 'Mã lần gửi',
  phase: 'Giai đoạn',
  reason: 'Lý do',
  newDeadline: 'Hạn mới',
  actor: 'Người thực hiện',
  'actor.id': 'Người thực hiện',
  'actor.via': 'Kênh gửi',
  payload: 'Nội dung báo cáo',
  sentAt: 'Thời điểm nhận',
  confirmedBy: 'Người xác nhận',
  unitPlanNumber: 'Số kế hoạch của đơn vị',
  note: 'Ghi chú',
};

/** A message that already names its field, as the schemas' own messages do ("Người xác nhận: không được để trống"). */
const LABELLED = /^[^:;]{1,80}: /;

function labelOf(path: readonly PropertyKey[], phase: string | undefined): string | undefined {
  const dotted = path.map(String).join('.');
  if (REQUEST_FIELD_LABELS[dotted]) return REQUEST_FIELD_LABELS[dotted];
  // A submission's payload: the phase form's own label for the field ("payload.studied" → its form label).
  if (path[0] === 'payload' && path.length > 1)
    return knownFieldLabel(phase, path.slice(1).map(String).join('.')) ?? REQUEST_FIELD_LABELS.payload;
  return knownFieldLabel(phase, dotted);
}

/**
 * Turns zod issues into one line per field: "confirmedBy: Người xác nhận: không được để trống". The API and the CLI
 * answer operators and scripts, who fix a request by its field's name, so the path stays; zod's own messages are
 * in Vietnamese (vietnameseZodErrors). Where a clerk reads such a line, `labelIssuePaths` names the fields instead.
 */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((i) => {
      const message = issueMessage(i);
      return i.path.length ? `${i.path.join('.')}: ${message}` : message;
    })
    .join('; ');
}

/** An issue's message as people read it (zod's own, in Vietnamese, lose their invisible mark). */
export function issueMessage(issue: { message: string }): string {
  return issue.message.startsWith(ZOD_MESSAGE) ? issue.message.slice(ZOD_MESSAGE.length) : issue.message;
}

/** Where describeIssues starts a field's line: "; " then a dotted field path ("figures.members", "models.0.name") and ": ". */
const ISSUE_LINE = /; (?=[A-Za-z]\w*(?:\.\w+)*: )/;

/**
 * describeIssues read back: one { path, message } per line ("" for a line without a path). A workflow's validator
 * refuses with that text (a refusal crosses Temporal as a message); the unit's form reads it back to show each
 * message under its field, as its own parse would. Lines split only where a field path starts, since a message may
 * itself hold "; " (the members reason's does).
 */
export function issuesFromText(text: string): Array<{ path: string; message: string }> {
  return text.split(ISSUE_LINE).map((line) => {
    const m = /^([A-Za-z]\w*(?:\.\w+)*): (.*)$/s.exec(line);
    return m ? { path: m[1]!, message: m[2]! } : { path: '', message: line };
  });
}

/**
 * A refusal written by describeIssues, for a clerk: each field's path replaced by its Vietnamese label, or dropped
 * when the schema's own message already names it ("confirmedBy: Người xác nhận: …" → "Người xác nhận: …").
 */
export function labelIssuePaths(text: string, phase?: string): string {
  return text
    .split('; ')
    .map((line) => {
      const m = /^([A-Za-z][\w]*(?:\.[\w]+)*): (.*)$/s.exec(line);
      if (!m) return line;
      const path = m[1]!.split('.');
      const rest = m[2]!;
      if (LABELLED.test(rest) && !/^(Đầu vào|Quá|Giá trị|Tùy chọn|Chuỗi|Số|Khóa|Định dạng)/.test(rest)) return rest;
      const label = labelOf(path, phase);
      return label ? `${label}: ${rest}` : `Một mục của yêu cầu: ${rest}`;
    })
    .join('; ');
}

/** Marks a message zod wrote itself (invisible), so describeIssues knows to name its field. */
const ZOD_MESSAGE = '\u2060';

/** zod's own messages (a wrong type, a list too long) in Vietnamese; the schemas' own messages stay as written. */
let vietnameseErrors: z.core.$ZodErrorMap | undefined;
export const vietnameseZodErrors = (): z.core.$ZodErrorMap =>
  (vietnameseErrors ??= (() => {
    const vi = z.locales.vi().localeError;
    return (issue) => {
      const made = vi(issue);
      const text = typeof made === 'string' ? made : made?.message;
      return text === undefined ? undefined : `${ZOD_MESSAGE}${text}`;
    };
  })());

export class InvalidSubmissionError extends Error {
  override name = 'InvalidSubmissionError';
}

/**
 * A phase payload's parse, with the same error map parseOrThrow uses: the unit's form parses with it at the edge, so
 * its messages are word for word those of the workflow's validator.
 */
export function safeParsePayload<T>(schema: z.ZodType<T>, input: unknown): z.ZodSafeParseResult<T> {
  return schema.safeParse(input, { error: vietnameseZodErrors() });
}

export function parseOrThrow<T>(schema: z.ZodType<T>, input: unknown): T {
  // A NUL or a broken surrogate anywhere (the payload included) could never be stored: refused by its field.
  const unsafe = unsafeTextPath(input);
  if (unsafe !== undefined) throw new InvalidSubmissionError(unsafeTextMessage(unsafe));
  const result = schema.safeParse(input, { error: vietnameseZodErrors() });
  if (!result.success) throw new InvalidSubmissionError(describeIssues(result.error));
  return result.data;
}
