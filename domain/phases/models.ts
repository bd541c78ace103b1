/**
 * Phase "models" (mô hình, điển hình): the models and examples the unit registers during the year, and at year
 * end its proposals for commendation. On the form both lists are textareas, one entry per line:
 * "Tên | tập thể/cá nhân | mô tả (or lý do)". The schema accepts the lists as arrays or as that text, so a
 * malformed line is refused with its line number ("Dòng 3: …") under the textarea it came from.
 */
import { z } from 'zod';
import { MAX_NOTE, formatInt, nfc, once, optionalText, requiredText } from './common.js';
import { definePhase } from './define.js';
import { form } from './fields.js';

export type ModelKind = 'tap-the' | 'ca-nhan';

export const MODEL_KIND_LABEL: Record<ModelKind, string> = { 'tap-the': 'tập thể', 'ca-nhan': 'cá nhân' };

const MAX_ENTRIES = 200;
/** Bound on the textarea text of one list (200 lines of name, kind and a long description). */
const MAX_LIST_TEXT = 500_000;

/** "tập thể", "Tap the", "tap-the", "TT" → 'tap-the'; "cá nhân", "ca nhan", "CN" → 'ca-nhan'; blank → default. */
export function parseModelKind(raw: string): ModelKind | undefined | null {
  const folded = raw
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/[\s_-]+/g, '');
  if (folded === '') return undefined;
  if (folded === 'tapthe' || folded === 'tt') return 'tap-the';
  if (folded === 'canhan' || folded === 'cn') return 'ca-nhan';
  return null;
}

const kindField = (label: string) =>
  z.preprocess(
    (v) => {
      if (v === undefined) return 'tap-the';
      if (typeof v !== 'string') return v;
      return parseModelKind(v) ?? v;
    },
    z.enum(['tap-the', 'ca-nhan'], { error: `${label}: cần là “tập thể” (tap-the) hoặc “cá nhân” (ca-nhan)` }),
  );

const modelItem = once(() =>
  z.object({
    name: requiredText('Tên mô hình, điển hình', 300),
    kind: kindField('Loại mô hình'),
    description: optionalText('Mô tả mô hình', 2000),
  }),
);

const proposalItem = once(() =>
  z.object({
    name: requiredText('Tên tập thể, cá nhân được đề nghị', 300),
    kind: kindField('Loại đề nghị'),
    reason: requiredText('Lý do đề nghị khen thưởng', 2000),
  }),
);

export type ModelEntry = z.infer<ReturnType<typeof modelItem>>;
export type ProposalEntry = z.infer<ReturnType<typeof proposalItem>>;

interface LineListSpec {
  /** "mô hình" / "đề nghị khen thưởng" — what one line is. */
  noun: string;
  /** Label of the list for list-level messages. */
  label: string;
  /** What the third column is, as said in the format hint. */
  third: string;
  /** The key the third column goes to. */
  thirdKey: 'description' | 'reason';
  /** The schema of one entry (built at first use). */
  item: () => z.ZodType;
}

const MODELS_LIST: LineListSpec = {
  noun: 'mô hình',
  label: 'Danh sách mô hình, điển hình',
  third: 'mô tả',
  thirdKey: 'description',
  item: modelItem,
};
const PROPOSALS_LIST: LineListSpec = {
  noun: 'đề nghị',
  label: 'Danh sách đề nghị khen thưởng',
  third: 'lý do',
  thirdKey: 'reason',
  item: proposalItem,
};

export interface LineError {
  line: number;
  message: string;
}

/**
 * Parses textarea text, one entry per line: "Tên | tập thể/cá nhân | mô tả". Blank lines are skipped, leading
 * bullets ("- ", "• ", "3. ") dropped, a missing kind means tập thể, extra "|" stay in the last column.
 * Each line is checked against the item schema; errors carry the 1-based line number.
 */
function parseLines(text: string, spec: LineListSpec): { entries: unknown[]; errors: LineError[] } {
  const entries: unknown[] = [];
  const errors: LineError[] = [];
  const hint = `cần dạng: Tên | tập thể/cá nhân | ${spec.third}`;
  const lines = text.normalize('NFC').split(/\r\n|\r|\n/);
  lines.forEach((rawLine, index) => {
    const line = index + 1;
    const content = rawLine.trim().replace(/^(?:[-•*+–]\s+|\d{1,3}[.)]\s+)/, '');
    if (content === '') return;
    const parts = content.split('|').map(nfc);
    const name = parts[0] ?? '';
    if (name === '') {
      errors.push({ line, message: `Dòng ${line}: thiếu tên ${spec.noun} (${hint})` });
      return;
    }
    const kind = parseModelKind(parts[1] ?? '');
    if (kind === null) {
      errors.push({ line, message: `Dòng ${line}: loại “${parts[1]}” không rõ, cần ghi “tập thể” hoặc “cá nhân” (${hint})` });
      return;
    }
    const third = parts.slice(2).join(' | ').trim();
    const candidate: Record<string, unknown> = { name, kind: kind ?? 'tap-the' };
    if (third !== '') candidate[spec.thirdKey] = third;
    const result = spec.item().safeParse(candidate);
    if (!result.success) {
      const first = result.error.issues[0];
      const missingThird = first?.path[0] === spec.thirdKey && third === '';
      errors.push({ line, message: `Dòng ${line}: ${first?.message ?? 'không hợp lệ'}${missingThird ? ` (${hint})` : ''}` });
      return;
    }
    entries.push(result.data);
  });
  if (entries.length + errors.length > MAX_ENTRIES) {
    errors.push({ line: 0, message: `${spec.label}: tối đa ${MAX_ENTRIES} dòng` });
  }
  return { entries, errors };
}

/** A list field: an array of entries, or the textarea text (parsed line by line); absent means empty. */
function listField<T extends z.ZodType>(spec: LineListSpec, item: T) {
  return z
    .unknown()
    .transform((value, ctx) => {
      if (value === undefined) return [];
      if (typeof value !== 'string') return value;
      if (value.length > MAX_LIST_TEXT) {
        ctx.addIssue({ code: 'custom', message: `${spec.label}: quá dài (tối đa ${formatInt(MAX_LIST_TEXT)} ký tự)` });
        return z.NEVER;
      }
      const { entries, errors } = parseLines(value, spec);
      for (const e of errors) ctx.addIssue({ code: 'custom', message: e.message });
      return errors.length ? z.NEVER : entries;
    })
    .pipe(
      z.array(item, { error: `${spec.label}: cần là danh sách` }).max(MAX_ENTRIES, { error: `${spec.label}: tối đa ${MAX_ENTRIES} mục` }),
    )
    .optional()
    .transform((list) => list ?? []);
}

const modelsSchema = once(() =>
  z.object({
    /** Models and examples registered (mô hình tập thể, điển hình cá nhân). */
    models: form(listField(MODELS_LIST, modelItem()), {
      label: 'Mô hình, điển hình đăng ký xây dựng (mỗi dòng một mô hình)',
      kind: 'textarea',
      maxLength: MAX_LIST_TEXT,
      help:
        'Mỗi dòng: Tên | tập thể hoặc cá nhân | mô tả ngắn. Ví dụ: Dân vận khéo trong cải cách hành ' +
        'chính | tập thể | Giảm 30% thời gian giải quyết hồ sơ',
    }),
    /** Proposals for commendation (đề nghị khen thưởng, tuyên dương). */
    proposals: form(listField(PROPOSALS_LIST, proposalItem()), {
      label: 'Đề nghị khen thưởng, tuyên dương (mỗi dòng một đề nghị)',
      kind: 'textarea',
      maxLength: MAX_LIST_TEXT,
      help:
        'Mỗi dòng: Tên tập thể hoặc cá nhân | tập thể hoặc cá nhân | lý do đề nghị. Ví dụ: Đồng chí ' +
        'Nguyễn Văn A | cá nhân | Điển hình trong chuyển đổi số',
    }),
    note: optionalText('Ghi chú', MAX_NOTE),
  }),
);

export type ModelsPayload = z.infer<ReturnType<typeof modelsSchema>>;

/**
 * The lists come from the form as their text, as typed (the generic conversion): the schema reads the lines, once,
 * so a malformed line is refused by the one parse of the payload, with its line number.
 */
export const modelsPhase = definePhase({
  id: 'models',
  title: 'Đăng ký mô hình, điển hình và đề nghị khen thưởng',
  schema: modelsSchema,
  outcome(payload) {
    const count = (list: Array<{ kind: ModelKind }>, kind: ModelKind) => list.filter((e) => e.kind === kind).length;
    const summary =
      `Mô hình, điển hình: ${formatInt(payload.models.length)} đăng ký ` +
      `(${formatInt(count(payload.models, 'tap-the'))} tập thể, ${formatInt(count(payload.models, 'ca-nhan'))} cá nhân); ` +
      `đề nghị khen thưởng: ${formatInt(payload.proposals.length)} ` +
      `(${formatInt(count(payload.proposals, 'tap-the'))} tập thể, ${formatInt(count(payload.proposals, 'ca-nhan'))} cá nhân)`;
    return { underTarget: false, summary };
  },
});

/** What the console shows for a models report that lists nothing: accepted on time, but not a real report. */
export const EMPTY_MODELS_LABEL = 'nộp, không có mô hình';

/** A stored models payload with no model and no proposal (0 and 0): on time, yet not the same as a real report. */
export function isEmptyModelsReport(payload: unknown): boolean {
  if (typeof payload !== 'object' || payload === null) return false;
  const p = payload as { models?: unknown; proposals?: unknown };
  const empty = (list: unknown) => list === undefined || (Array.isArray(list) && list.length === 0);
  return empty(p.models) && empty(p.proposals);
}
