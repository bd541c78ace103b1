/**
 * Building blocks shared by the phase modules: zod fields with Vietnamese messages (text is NFC-normalised and
 * trimmed, numbers are integers), the conversion of flat HTML form strings into payloads, and the Vietnamese
 * number and percent formatting used in outcome summaries. Pure: safe inside workflows.
 */
import { z } from 'zod';
import { parseIsoDate } from '../calendar.js';
import { FORM, form } from './fields.js';
import type { FieldSpec } from './types.js';

export const MAX_NOTE = 5000;

/** Sanity bound for counts of organisations (a unit's own sub-organisations, inspections, sessions). */
export const MAX_ORGS = 1000;

/** Upper bound on member counts when the unit's own count is unknown (facts.members ≤ 0). */
const MAX_MEMBERS_UNKNOWN = 1_000_000;

/** Name of the hidden field that keeps an already uploaded file's id when the form is shown again. */
export const CURRENT_FILE_SUFFIX = ':current';

export const nfc = (s: string): string => s.normalize('NFC').trim();

/** 1234567 → "1.234.567" (Vietnamese thousands separator). */
export function formatInt(n: number): string {
  const sign = n < 0 ? '-' : '';
  const digits = String(Math.abs(Math.trunc(n)));
  return sign + digits.replace(/\B(?=(\d{3})+(?!\d))/g, '.');
}

/**
 * part/whole as a Vietnamese percentage with one decimal, rounded down so that a figure under target never
 * reads as the target: 979/1000 → "97,9%", 4319/4320 → "99,9%" (not "100,0%").
 */
export function formatPercent(part: number, whole: number): string {
  if (whole <= 0) return '0,0%';
  const tenths = Math.floor((part * 1000) / whole);
  return `${formatInt(Math.floor(tenths / 10))},${tenths % 10}%`;
}

/** part/whole·100 < targetPercent, computed without floating-point division. */
export function isUnderTarget(part: number, whole: number, targetPercent: number): boolean {
  if (whole <= 0) return false;
  return part * 100 < targetPercent * whole;
}

/** "Học tập: 95/100 đảng viên (95,0%)" — the "95/100 đảng viên (95,0%)" part. */
export function ratioText(part: number, whole: number): string {
  return `${formatInt(part)}/${formatInt(whole)} đảng viên (${formatPercent(part, whole)})`;
}

/** The largest member count a payload may claim: twice the unit's registered members (the count may change). */
export function memberCap(facts: { members: number }): number {
  return facts.members > 0 ? facts.members * 2 : MAX_MEMBERS_UNKNOWN;
}

/** The unit's registered member count, or a large bound when it is unknown. */
export function registeredMembers(facts: { members: number }): number {
  return facts.members > 0 ? facts.members : MAX_MEMBERS_UNKNOWN;
}

/**
 * `build()` on the first call, the same value after. Schemas that need no unit facts are built this way rather
 * than when their module loads: every unit workflow loads the phase modules (its update validators use them),
 * and most never validate anything while they are in the worker's cache (bench/README.md, "Worker memory").
 */
export function once<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => (built ??= { value: build() }).value;
}

// ---------------------------------------------------------------------------------------------------------------
// Fields

export interface IntOptions {
  min?: number;
  max?: number;
  /** Why max is the bound, appended to the message: "không được lớn hơn 100 (số đảng viên của đơn vị)". */
  maxReason?: string;
}

/** A whole number with Vietnamese messages; a missing value reads "không được để trống". */
export function intField(label: string, opts: IntOptions = {}) {
  const min = opts.min ?? 0;
  let schema = z
    .number({
      error: (iss) =>
        iss.input === undefined || iss.input === null || iss.input === ''
          ? `${label}: không được để trống`
          : `${label}: cần là số nguyên (ví dụ 1250)`,
    })
    .int({ error: `${label}: cần là số nguyên (ví dụ 1250)` })
    .min(min, { error: min === 0 ? `${label}: không được là số âm` : `${label}: cần ít nhất ${formatInt(min)}` });
  if (opts.max !== undefined) {
    const reason = opts.maxReason ? ` (${opts.maxReason})` : '';
    schema = schema.max(opts.max, { error: `${label}: không được lớn hơn ${formatInt(opts.max)}${reason}` });
  }
  // The form reads its label and its min and max from here (domain/phases/fields.ts).
  return schema.register(FORM, { label, kind: 'number' });
}

const stringError = (label: string) => (iss: { input?: unknown }) =>
  iss.input === undefined || iss.input === null ? `${label}: không được để trống` : `${label}: cần là chuỗi ký tự`;

/** Required text, NFC-normalised and trimmed; `min` > 1 asks for a real sentence rather than a placeholder. */
export function requiredText(label: string, max: number, min = 1) {
  let inner = z
    .string()
    .min(1, { error: `${label}: không được để trống`, abort: true })
    .max(max, { error: `${label}: quá dài (tối đa ${formatInt(max)} ký tự)` });
  if (min > 1) inner = inner.min(min, { error: `${label}: quá ngắn, cần viết ít nhất ${min} ký tự` });
  return z
    .string({ error: stringError(label) })
    .transform(nfc)
    .pipe(inner)
    .register(FORM, { label });
}

/** Optional text, NFC-normalised and trimmed; blank text counts as absent. */
export function optionalText(label: string, max: number) {
  return z
    .string({ error: (iss) => (iss.input === null ? `${label}: không được là null` : `${label}: cần là chuỗi ký tự`) })
    .transform(nfc)
    .pipe(z.string().max(max, { error: `${label}: quá dài (tối đa ${formatInt(max)} ký tự)` }))
    .transform((s) => (s === '' ? undefined : s))
    .optional()
    .register(FORM, { label });
}

function isPlausibleIsoDate(s: string): boolean {
  try {
    const { y } = parseIsoDate(s);
    return y >= 2000 && y <= 2100;
  } catch {
    return false;
  }
}

/** A civil date 'YYYY-MM-DD' (between 2000 and 2100). */
export function dateField(label: string) {
  return z
    .string({ error: stringError(label) })
    .transform(nfc)
    .pipe(
      z
        .string()
        .min(1, { error: `${label}: không được để trống`, abort: true })
        .refine(isPlausibleIsoDate, { error: `${label}: ngày không hợp lệ, cần dạng năm-tháng-ngày (YYYY-MM-DD)` }),
    )
    .register(FORM, { label, kind: 'date' });
}

/** An optional civil date; blank counts as absent. */
export function optionalDateField(label: string) {
  return z
    .string({ error: (iss) => (iss.input === null ? `${label}: không được là null` : `${label}: cần là chuỗi ký tự`) })
    .transform(nfc)
    .pipe(
      z.string().refine((s) => s === '' || isPlausibleIsoDate(s), {
        error: `${label}: ngày không hợp lệ, cần dạng năm-tháng-ngày (YYYY-MM-DD)`,
      }),
    )
    .transform((s) => (s === '' ? undefined : s))
    .optional()
    .register(FORM, { label, kind: 'date' });
}

/** The id of a stored file (the web API stores the upload and puts its id here); `accept`: the types the input offers. */
export function optionalFileId(label: string, accept: string) {
  return form(optionalText(label, 200), { kind: 'file', accept });
}

/** Cross-check "part ≤ whole" (e.g. studied ≤ members) on `path`, only when both are whole numbers. */
export function checkAtMost(ctx: z.RefinementCtx, part: unknown, whole: unknown, path: string[], message: string): void {
  if (isInt(part) && isInt(whole) && part > whole) ctx.addIssue({ code: 'custom', path, message });
}

/** Superrefine options: run cross-checks even when another field already failed (each check guards its inputs). */
export const ALWAYS = {
  // …but only on an object: a payload that is null or not an object at all has nothing to cross-check (and its
  // checks would read fields of null).
  when: (payload: { value: unknown }) => typeof payload.value === 'object' && payload.value !== null && !Array.isArray(payload.value),
} as const;

export const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

// ---------------------------------------------------------------------------------------------------------------
// Forms

/**
 * A form number: "1250", "1.250", "1 250" (also with a non-breaking or thin space) and "-3" become numbers;
 * anything else ("abc", "1,5", "12.50") is returned as typed, so the schema refuses it with its own message.
 */
export function parseFormInt(raw: string | undefined): number | string | undefined {
  if (raw === undefined) return undefined;
  const s = raw.normalize('NFC').trim();
  if (s === '') return undefined;
  if (/^[+-]?\d+$/.test(s)) return Number(s);
  const grouped = /^([+-]?)(\d{1,3}(?:([. \u00a0\u202f\u2009])\d{3})(?:\3\d{3})*)$/.exec(s);
  if (grouped) return Number((grouped[1] ?? '') + (grouped[2] ?? '').replace(/[. \u00a0\u202f\u2009]/g, ''));
  return s;
}

/** A form date: 'YYYY-MM-DD' from a date picker, or "15/02/2027" typed on a phone without one. */
export function parseFormDate(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const s = raw.normalize('NFC').trim();
  if (s === '') return undefined;
  const vn = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(s);
  if (vn) return `${vn[3]}-${(vn[2] ?? '').padStart(2, '0')}-${(vn[1] ?? '').padStart(2, '0')}`;
  return s;
}

/** A form text: NFC and trimmed; blank is absent, so "không được để trống" applies to required fields. */
export function parseFormText(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const s = raw.normalize('NFC').trim();
  return s === '' ? undefined : s;
}

export type LeafField = Exclude<FieldSpec, { kind: 'group' }>;

/** Every input of a form with its full dotted path (a group's fields are named relative to the group). */
export function formLeaves(form: FieldSpec[], prefix = ''): Array<{ path: string; field: LeafField }> {
  const out: Array<{ path: string; field: LeafField }> = [];
  for (const f of form) {
    const path = prefix ? `${prefix}.${f.name}` : f.name;
    if (f.kind === 'group') out.push(...formLeaves(f.fields, path));
    else out.push({ path, field: f });
  }
  return out;
}

export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node: Record<string, unknown> = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (typeof next === 'object' && next !== null && !Array.isArray(next)) node = next as Record<string, unknown>;
    else {
      const created: Record<string, unknown> = {};
      node[key] = created;
      node = created;
    }
  }
  node[keys[keys.length - 1] as string] = value;
}

/**
 * The generic conversion from flat form strings to a payload: numbers parsed (thousands separators allowed),
 * dates normalised, text NFC-normalised, blank fields left out. Fields not in the form (requestId…) are ignored.
 */
export function formToPayload(form: FieldSpec[], fields: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // Groups are always present, so a blank group reports its fields one by one rather than "missing group".
  const groups = (specs: FieldSpec[], prefix: string): void => {
    for (const f of specs) {
      if (f.kind !== 'group') continue;
      const path = prefix ? `${prefix}.${f.name}` : f.name;
      setPath(out, path, {});
      groups(f.fields, path);
    }
  };
  groups(form, '');
  for (const { path, field } of formLeaves(form)) {
    const raw = fields[path];
    let value: unknown;
    switch (field.kind) {
      case 'number':
        value = parseFormInt(raw);
        break;
      case 'date':
        value = parseFormDate(raw);
        break;
      case 'file':
        value = parseFormText(raw) ?? parseFormText(fields[path + CURRENT_FILE_SUFFIX]);
        break;
      default:
        value = parseFormText(raw);
    }
    if (value !== undefined) setPath(out, path, value);
  }
  return out;
}

/** A configured target as Vietnamese text: 98 → "98%", 97.5 → "97,5%". */
export function formatTarget(percent: number): string {
  return `${String(percent).replace('.', ',')}%`;
}

/** The reason appended to "không được lớn hơn N" for member counts bounded by memberCap(facts). */
export function memberCapReason(facts: { members: number }): string | undefined {
  return facts.members > 0 ? `gấp đôi số đảng viên trong danh sách của đơn vị (${formatInt(facts.members)}), hãy kiểm tra lại` : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// The registry's member count

/** Default of `targets.membersMarginPercent`: a reported member count within 10% of the registry's needs no reason. */
export const DEFAULT_MEMBERS_MARGIN_PERCENT = 10;

/** What the unit sees above the reason's input, and what its messages name. */
export const MEMBERS_REASON_LABEL = 'Lý do số đảng viên khác danh sách';

export const MAX_MEMBERS_REASON = 1000;

/**
 * The optional reason a unit gives when its member count differs from the registry's; on the form right under the
 * member count (study, pledge, and the year-end report's figures): each schema puts it next to `members`.
 */
export function membersReasonField() {
  return form(optionalText(MEMBERS_REASON_LABEL, MAX_MEMBERS_REASON), {
    help:
      'Ô tổng số đảng viên đã điền sẵn số trong danh sách đơn vị. Nếu số thực tế khác nhiều (đảng ' +
      'viên chuyển đi, chuyển đến, từ trần…), ghi rõ lý do ở đây.',
  });
}

/**
 * Whether a reported member count differs from the registry's by more than `marginPercent` of it (integer
 * arithmetic: 95 registered, 10% → 86 and 104 are within, 85 and 105 are not). Never when the registry's count
 * is unknown (≤ 0).
 */
export function membersBeyondMargin(reported: number, registered: number, marginPercent: number): boolean {
  if (registered <= 0) return false;
  return Math.abs(reported - registered) * 100 > marginPercent * registered;
}

/**
 * The refinement of the study and pledge payloads: a member count beyond the margin of the registry's (as the
 * unit's workflow was launched with it) is accepted only with a reason. Runs only when the facts carry a margin
 * (validators and forms do; the workflow's handler does not, so what was accepted once is accepted on replay).
 */
export function checkMembersReason(
  ctx: z.RefinementCtx,
  members: unknown,
  reason: unknown,
  facts: { members: number; membersMarginPercent?: number },
): void {
  const margin = facts.membersMarginPercent;
  if (margin === undefined || !isInt(members) || !membersBeyondMargin(members, facts.members, margin)) return;
  if (typeof reason === 'string' && reason !== '') return;
  ctx.addIssue({
    code: 'custom',
    path: ['membersReason'],
    message:
      `${MEMBERS_REASON_LABEL}: cần ghi rõ vì tổng số đảng viên đơn vị báo cáo (${formatInt(members)}) khác số trong danh sách đơn vị ` +
      `(${formatInt(facts.members)} đảng viên) quá ${formatTarget(margin)}; nếu danh sách đúng, hãy sửa ô “Tổng số đảng viên của đơn vị”`,
  });
}

/** "; danh sách đơn vị: 95 đảng viên, lý do chênh lệch: …" — appended to a summary when the unit gave a reason. */
export function membersReasonSummary(reason: string | undefined, facts: { members: number }): string {
  if (!reason) return '';
  return `; danh sách đơn vị: ${formatInt(facts.members)} đảng viên, lý do chênh lệch: ${reason}`;
}

/** The phases whose reports state the unit's member count, and where their payload holds it. */
export const MEMBER_COUNT_PHASES = ['study', 'pledge', 'year-end-report'] as const;

/**
 * The member count a stored report states, with the reason the unit gave for it: top-level in the study and pledge
 * reports, among the figures in the year-end report. Undefined for other phases or a payload without one.
 */
export function reportedMembers(phase: string, payload: unknown): { members: number; reason?: string } | undefined {
  if (!(MEMBER_COUNT_PHASES as readonly string[]).includes(phase) || typeof payload !== 'object' || payload === null) return undefined;
  const holder = (phase === 'year-end-report' ? (payload as { figures?: unknown }).figures : payload) as
    { members?: unknown; membersReason?: unknown } | undefined;
  if (!holder || typeof holder.members !== 'number') return undefined;
  const reason = typeof holder.membersReason === 'string' && holder.membersReason.trim() !== '' ? holder.membersReason : undefined;
  return { members: holder.members, ...(reason ? { reason } : {}) };
}
