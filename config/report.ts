/**
 * A review report's own settings, authored as YAML by Ban Tuyên giáo (see config/demo/report.yaml): what the
 * report reviews (its subject and the directive it implements), the basis paragraph, its term and number
 * register, the recipients and who signs. Everything is optional: without a file the report is drafted from
 * the cycles' committee and sensible defaults, and the clerk edits the DOCX. Errors name file:line: field.
 */
import * as z from 'zod';
import { IsoDateSchema, parseYamlText, validateYaml } from './cycle.js';
import { readConfigText } from './files.js';

const Text = z.string().trim().min(1);

/** "15/01/2024" (as clerks write dates) → "2024-01-15"; anything else is left for the ISO date check. */
function clerkDate(v: unknown): unknown {
  const m = typeof v === 'string' ? /^\s*(\d{1,2})\/(\d{1,2})\/(\d{4})\s*$/.exec(v) : null;
  return m ? `${m[3]}-${m[2]!.padStart(2, '0')}-${m[1]!.padStart(2, '0')}` : v;
}
const Paragraphs = z.array(Text);

export const ReportConfigSchema = z.strictObject({
  /**
   * What the report reviews, after "BÁO CÁO": default "sơ kết 03 năm thực hiện việc học tập và làm theo …"
   * for several years, "kết quả thực hiện … năm 2027" for one.
   */
  subject: Text.optional(),
  /** The directive in the part I heading and the text: "Kết luận số 01-KL/TW". */
  directive: Text.default('Kết luận số 01-KL/TW'),
  /** The opening paragraph: "Thực hiện Kế hoạch số 224-KH/TU, ngày 08/12/2023 của Ban Thường vụ Tỉnh ủy …". */
  basis: Text.optional(),
  /** The committee's term, which numbers run through: "2020-2025". Default: the five-year term of the first year. */
  term: z
    .string()
    .trim()
    .regex(/^\d{4}-\d{4}$/, { message: 'must be two years, e.g. 2020-2025' })
    .optional(),
  /** Document type code in the number: "BC" in "Số 12-BC/ĐUK". */
  documentType: z
    .string()
    .trim()
    .regex(/^[A-Za-zĐđ]+$/u, { message: 'letters only, e.g. BC' })
    .default('BC'),
  /** The first number to use when the register is new this term (reports numbered before chuky). */
  firstNumber: z.number().int().min(1).max(100_000).default(1),
  /**
   * The report's date, 2024-01-15 or 15/01/2024; default: the day it is first compiled. Without it a recompiled
   * report keeps its first date; with it (or `report compile --date`) the register takes this date.
   */
  date: z.preprocess(clerkDate, IsoDateSchema).optional(),
  /** "Nơi nhận:" lines; default the seed's. */
  recipients: z.array(Text).min(1).optional(),
  signature: z
    .strictObject({
      onBehalf: Text.default('T/M BAN THƯỜNG VỤ'),
      title: Text,
      name: Text,
    })
    .optional(),
  /**
   * Paragraphs the committee writes itself, by section: they replace the drafted text of that section.
   * Keys: leadership, study, following, example, communication, theory, inspection, strengths, limitations,
   * causes, directions, proposals.
   */
  text: z
    .partialRecord(
      z.enum([
        'leadership',
        'study',
        'following',
        'example',
        'communication',
        'theory',
        'inspection',
        'strengths',
        'limitations',
        'causes',
        'directions',
        'proposals',
      ]),
      Paragraphs,
    )
    .default({}),
});
export type ReportConfig = z.output<typeof ReportConfigSchema>;
export type ReportTextKey = keyof ReportConfig['text'];

export const DEFAULT_REPORT_CONFIG: ReportConfig = ReportConfigSchema.parse({});

export function parseReportYaml(text: string, file: string): ReportConfig {
  return validateYaml(parseYamlText(text, file), file, ReportConfigSchema);
}

export function loadReportConfig(path: string): ReportConfig {
  return parseReportYaml(readConfigText(path), path);
}
