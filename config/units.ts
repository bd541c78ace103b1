/**
 * The units (grassroots Party organisations) of a cycle, from a CSV file as committee clerks export it from Excel
 * (or the first sheet of a workbook, units-xlsx.ts): English or Vietnamese headers in any case, with or without
 * accents, `,` or `;` (or tab) delimiters, a UTF-8 BOM, CRLF line ends. Every row is checked by a zod row schema
 * (UnitRowSchema, with UnitRowRelationsSchema for the rules between cells), and every problem is reported in
 * Vietnamese (unit clerks read these) with its line (the header is line 1) and the header as the file wrote it;
 * a header problem also lists the spellings accepted for the column, Vietnamese and English.
 */
import { extname } from 'node:path';
import { parse } from 'csv-parse/sync';
import * as z from 'zod';
import { ConfigError, type ConfigIssue } from './errors.js';
import { readConfigText } from './files.js';
import { isUnsafeText } from '../domain/text-safety.js';

export const UNIT_KINDS = ['dang-bo-co-so', 'chi-bo-co-so'] as const;
export const UnitKindSchema = z.enum(UNIT_KINDS);
export type UnitKind = z.output<typeof UnitKindSchema>;

export const UnitSchema = z.object({
  code: z.string().regex(/^[A-Za-z0-9._-]+$/),
  name: z.string().min(1),
  kind: UnitKindSchema,
  members: z.number().int().min(0),
  secretary: z.object({ name: z.string().min(1), email: z.email() }),
  /** The unit's contact person; the email alone is enough (many lists have no column for the name). */
  contact: z.object({ name: z.string().min(1).nullable(), email: z.email() }).nullable(),
  parent: z
    .string()
    .regex(/^[A-Za-z0-9._-]+$/)
    .optional(),
});
export type Unit = z.output<typeof UnitSchema>;

export type UnitColumn =
  'code' | 'name' | 'kind' | 'members' | 'secretaryName' | 'secretaryEmail' | 'contactName' | 'contactEmail' | 'parent';

const REQUIRED: UnitColumn[] = ['code', 'name', 'kind', 'members', 'secretaryName', 'secretaryEmail'];

/** The Vietnamese header we suggest for each column. */
export const VIETNAMESE_HEADERS: Record<UnitColumn, string> = {
  code: 'Mã đơn vị',
  name: 'Tên đơn vị',
  kind: 'Loại',
  members: 'Số đảng viên',
  secretaryName: 'Bí thư',
  secretaryEmail: 'Email bí thư',
  contactName: 'Người liên hệ',
  contactEmail: 'Email liên hệ',
  parent: 'Đơn vị cấp trên',
};

/** Lower case, no diacritics, đ → d, only letters and digits: "Email  Bí thư" → "emailbithu". */
export function foldKey(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

/** The English header we suggest for each column (in an English file's messages). */
export const ENGLISH_HEADERS: Record<UnitColumn, string> = {
  code: 'code',
  name: 'name',
  kind: 'kind',
  members: 'members',
  secretaryName: 'secretary name',
  secretaryEmail: 'secretary email',
  contactName: 'contact name',
  contactEmail: 'contact email',
  parent: 'parent code',
};

const HEADER_ALIASES: Record<string, UnitColumn> = {};
const VIETNAMESE_KEYS = new Set<string>();
/** Every accepted spelling of each column, as documented (matching ignores case, accents, spaces and punctuation). */
const ACCEPTED: Record<UnitColumn, { vi: string[]; en: string[] }> = {
  code: { vi: [], en: [] },
  name: { vi: [], en: [] },
  kind: { vi: [], en: [] },
  members: { vi: [], en: [] },
  secretaryName: { vi: [], en: [] },
  secretaryEmail: { vi: [], en: [] },
  contactName: { vi: [], en: [] },
  contactEmail: { vi: [], en: [] },
  parent: { vi: [], en: [] },
};
function alias(column: UnitColumn, names: string[], vietnamese: boolean): void {
  for (const n of names) {
    HEADER_ALIASES[foldKey(n)] = column;
    if (vietnamese) VIETNAMESE_KEYS.add(foldKey(n));
    ACCEPTED[column][vietnamese ? 'vi' : 'en'].push(n);
  }
}
alias('code', ['code', 'unit code'], false);
alias('code', ['Mã đơn vị', 'Mã', 'Mã tổ chức', 'Mã TCCS'], true);
alias('name', ['name', 'unit name'], false);
alias('name', ['Tên đơn vị', 'Tên', 'Tên tổ chức', 'Tên TCCS'], true);
alias('kind', ['kind', 'type'], false);
alias('kind', ['Loại', 'Loại hình', 'Loại tổ chức'], true);
alias('members', ['members', 'member count'], false);
alias('members', ['Số đảng viên', 'Đảng viên', 'Số lượng đảng viên', 'Tổng số đảng viên'], true);
alias('secretaryName', ['secretaryName', 'secretary', 'secretary name'], false);
alias('secretaryName', ['Bí thư', 'Họ tên bí thư', 'Họ và tên bí thư', 'Tên bí thư'], true);
alias('secretaryEmail', ['secretaryEmail', 'secretary email'], false);
alias('secretaryEmail', ['Email bí thư', 'Thư điện tử bí thư'], true);
alias('contactName', ['contactName', 'contact', 'contact name'], false);
alias('contactName', ['Người liên hệ', 'Họ tên người liên hệ', 'Cán bộ liên hệ'], true);
alias('contactEmail', ['contactEmail', 'contact email'], false);
alias('contactEmail', ['Email liên hệ', 'Email người liên hệ', 'Email cán bộ liên hệ'], true);
alias('parent', ['parent', 'parent code'], false);
alias('parent', ['Đơn vị cấp trên', 'Mã đơn vị cấp trên', 'Cấp trên', 'Trực thuộc'], true);

/** Map a header cell to its column, or undefined for a column we do not use (e.g. "STT", "Ghi chú"). */
export function unitColumnForHeader(header: string): UnitColumn | undefined {
  return HEADER_ALIASES[foldKey(header)];
}

/** The spellings accepted for a column, for messages: `"Email bí thư", "Thư điện tử bí thư"; tiếng Anh: "secretaryEmail", …`. */
export function acceptedHeaders(column: UnitColumn): string {
  const quote = (names: string[]): string => names.map((n) => `"${n}"`).join(', ');
  return `${quote(ACCEPTED[column].vi)}; tiếng Anh: ${quote(ACCEPTED[column].en)}`;
}

/** Edit distance, for a header that is nearly a known one ("Mail bí thư" for "Email bí thư"). */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** The column an unrecognised header was probably meant to be: within 1 edit (2 for long headers) of a spelling. */
function nearColumn(header: string): UnitColumn | undefined {
  const key = foldKey(header);
  if (key.length < 4) return undefined;
  const allowed = key.length >= 10 ? 2 : 1;
  let best: { column: UnitColumn; distance: number } | undefined;
  for (const [spelling, column] of Object.entries(HEADER_ALIASES)) {
    const distance = editDistance(key, spelling);
    if (distance <= allowed && (!best || distance < best.distance)) best = { column, distance };
  }
  return best?.column;
}

const KIND_ALIASES: Record<string, UnitKind> = {
  [foldKey('dang-bo-co-so')]: 'dang-bo-co-so',
  [foldKey('Đảng bộ cơ sở')]: 'dang-bo-co-so',
  [foldKey('Đảng bộ')]: 'dang-bo-co-so',
  [foldKey('ĐBCS')]: 'dang-bo-co-so',
  [foldKey('chi-bo-co-so')]: 'chi-bo-co-so',
  [foldKey('Chi bộ cơ sở')]: 'chi-bo-co-so',
  [foldKey('Chi bộ')]: 'chi-bo-co-so',
  [foldKey('CBCS')]: 'chi-bo-co-so',
};

export function parseUnitKind(value: string): UnitKind | undefined {
  return KIND_ALIASES[foldKey(value)];
}

/** "1.250", "1,250", "1 250" and "1250" are all 1250; anything else (including "-3" and "12.5") is undefined. */
export function parseMemberCount(value: string): number | undefined {
  const v = value.replace(/\s+/g, ' ').trim();
  if (/^\d+$/.test(v) || /^\d{1,3}([., \u00a0\u202f]\d{3})+$/.test(v)) {
    const n = Number(v.replace(/[^\d]/g, ''));
    return Number.isSafeInteger(n) ? n : undefined;
  }
  return undefined;
}

const EMAIL = z.email();
const isEmail = (v: string): boolean => EMAIL.safeParse(v).success;
const SLUG = /^[A-Za-z0-9._-]+$/;

/** Guess the delimiter from the header line: the most frequent of `;`, `,`, tab outside quotes (`,` on a tie). */
function detectDelimiter(headerLine: string): string {
  const counts: Record<string, number> = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  for (const ch of headerLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch in counts) counts[ch] = (counts[ch] ?? 0) + 1;
  }
  let best = ',';
  for (const d of [';', '\t']) if ((counts[d] ?? 0) > (counts[best] ?? 0)) best = d;
  return best;
}

/** A row of a units sheet with its line (CSV) or row number (Excel), as the clerk sees it. */
export interface SheetRow {
  line: number;
  cells: string[];
}
type CsvRow = SheetRow;

function readCsv(text: string, file: string): CsvRow[] {
  // NFC per cell after parsing, not on the whole text: a character whose NFC form is a separator (U+037E, the
  // Greek question mark, becomes ";") must stay inside its cell.
  const normalised = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const firstLine = normalised.split('\n', 1)[0] ?? '';
  let records: { record: string[]; raw: string }[];
  try {
    records = parse(normalised, {
      delimiter: detectDelimiter(firstLine),
      raw: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: false,
      trim: true,
    }) as unknown as { record: string[]; raw: string }[];
  } catch (e) {
    const err = e as Error & { lines?: number };
    const detail = err.message.replace(/^Invalid [^:]*: /, '');
    throw new ConfigError([
      { file, line: err.lines, field: 'CSV', message: `không đọc được tệp CSV (${detail}); mở tệp bằng Excel và lưu lại dạng "CSV UTF-8"` },
    ]);
  }
  const rows: CsvRow[] = [];
  let line = 1;
  for (const { record, raw } of records) {
    rows.push({ line, cells: record.map((c) => c.normalize('NFC').trim()) });
    line += (raw.match(/\n/g) ?? []).length;
  }
  return rows;
}

/** Parse and validate a units CSV. `file` is only used in error messages. */
export function parseUnitsCsv(text: string, file: string): Unit[] {
  return validateUnitRows(readCsv(text, file), file);
}

// ---------------------------------------------------------------------------------------------------------------
// The row schema. Its input is one row's cells by column ('' for an empty cell or a column the file does not
// have), already NFC and trimmed; its output is the unit's fields. Messages are Vietnamese; the caller puts the
// line and the header as written in front of them.

const MSG = {
  unsafe: 'có ký tự NUL (\\0) hoặc chữ bị hỏng, không lưu được; hãy gõ lại ô này',
  empty: 'ô trống; cột này bắt buộc',
  code: (v: unknown) => `"${String(v)}" không dùng được làm mã đơn vị: mã chỉ gồm chữ cái không dấu A-Z, chữ số và các dấu ".", "-", "_"`,
  kind: (v: string) => `"${v}" không phải loại tổ chức; ghi "Đảng bộ cơ sở" (dang-bo-co-so) hoặc "Chi bộ cơ sở" (chi-bo-co-so)`,
  negative: (v: string) => `số đảng viên không được âm (đang ghi ${v})`,
  members: (v: string) => `"${v}" không phải số nguyên; ghi số đảng viên, ví dụ 86 hoặc 1.250`,
  email: (v: unknown) => `địa chỉ email không hợp lệ: "${String(v)}"`,
  parent: (v: unknown) => `"${String(v)}" không phải mã đơn vị`,
  ownParent: 'đơn vị không thể trực thuộc chính nó',
} as const;

/** Any cell: text that can be stored (no NUL, no broken surrogate); nothing else is checked after that. */
const cell = z.string().refine((v) => !isUnsafeText(v), { error: MSG.unsafe, abort: true });
/** A cell that must not be empty. */
const filled = cell.check(z.minLength(1, { error: MSG.empty, abort: true }));
/** An email as written (any case), kept in lower case. */
const email = (text: z.ZodType<string, string>) =>
  text.refine((v) => v === '' || isEmail(v.toLowerCase()), { error: (iss) => MSG.email(iss.input) }).transform((v) => v.toLowerCase());

export const UnitRowSchema = z.object({
  code: filled.regex(SLUG, { error: (iss) => MSG.code(iss.input) }),
  name: filled,
  kind: filled.transform((v, ctx): UnitKind => {
    const kind = parseUnitKind(v);
    if (kind) return kind;
    ctx.issues.push({ code: 'custom', input: v, message: MSG.kind(v) });
    return z.NEVER;
  }),
  members: filled.transform((v, ctx): number => {
    const n = parseMemberCount(v);
    if (n !== undefined) return n;
    ctx.issues.push({ code: 'custom', input: v, message: /^-\s*\d/.test(v) ? MSG.negative(v) : MSG.members(v) });
    return z.NEVER;
  }),
  secretaryName: filled,
  secretaryEmail: email(filled),
  contactName: cell,
  contactEmail: email(cell),
  parent: cell.refine((v) => v === '' || SLUG.test(v), { error: (iss) => MSG.parent(iss.input) }),
});
export type UnitRowInput = z.input<typeof UnitRowSchema>;

/**
 * The rules between a row's cells, on the cells as written (they hold whatever the other cells' problems): a
 * contact's name needs the contact's email (an email alone is enough), and a unit is not its own parent.
 */
export const UnitRowRelationsSchema = z
  .object({ code: z.string(), parent: z.string(), contactName: z.string(), contactEmail: z.string() })
  .superRefine((row, ctx) => {
    if (row.contactName !== '' && row.contactEmail === '') {
      ctx.addIssue({
        code: 'custom',
        path: ['contactEmail'],
        message: `ô trống: đã ghi người liên hệ "${row.contactName}" thì cần cả email của người đó`,
      });
    }
    if (row.parent !== '' && row.code !== '' && row.parent.toLowerCase() === row.code.toLowerCase()) {
      ctx.addIssue({ code: 'custom', path: ['parent'], message: MSG.ownParent });
    }
  });

/** One row through both schemas: the unit, or its problems by column. */
export function parseUnitRow(cells: UnitRowInput): { unit: Unit } | { problems: { column: UnitColumn; message: string }[] } {
  const parsed = UnitRowSchema.safeParse(cells);
  const relations = UnitRowRelationsSchema.safeParse(cells);
  const problems = [...(parsed.error?.issues ?? []), ...(relations.error?.issues ?? [])].map((i) => ({
    column: i.path[0] as UnitColumn,
    message: i.message,
  }));
  if (!parsed.success || problems.length > 0) return { problems };
  const r = parsed.data;
  const unit: Unit = {
    code: r.code,
    name: r.name,
    kind: r.kind,
    members: r.members,
    secretary: { name: r.secretaryName, email: r.secretaryEmail },
    contact: r.contactEmail !== '' ? { name: r.contactName !== '' ? r.contactName : null, email: r.contactEmail } : null,
  };
  if (r.parent !== '') unit.parent = r.parent;
  return { unit };
}

// ---------------------------------------------------------------------------------------------------------------
// The header.

interface HeaderColumns {
  index: Map<UnitColumn, number>;
  /** The header as the file wrote it (NFC, trimmed), for every column the file has. */
  written: Map<UnitColumn, string>;
  vietnamese: boolean;
}

/** The header row → columns, with every problem it has (missing, doubled or misspelt columns). */
function readHeader(header: SheetRow, file: string): { columns: HeaderColumns; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const index = new Map<UnitColumn, number>();
  const written = new Map<UnitColumn, string>();
  const unknown: string[] = [];
  let vietnamese = false;
  header.cells.forEach((cellText, i) => {
    const column = unitColumnForHeader(cellText);
    if (!column) {
      if (cellText !== '') unknown.push(cellText);
      return;
    }
    if (VIETNAMESE_KEYS.has(foldKey(cellText))) vietnamese = true;
    const previous = written.get(column);
    if (previous !== undefined) {
      issues.push({
        file,
        line: header.line,
        field: cellText,
        message: `cột này trùng với cột "${previous}" (cùng là "${VIETNAMESE_HEADERS[column]}"); chỉ giữ một trong hai cột`,
      });
      return;
    }
    index.set(column, i);
    written.set(column, cellText);
  });
  const suggested = (column: UnitColumn): string => (vietnamese ? VIETNAMESE_HEADERS : ENGLISH_HEADERS)[column];
  for (const column of REQUIRED) {
    if (index.has(column)) continue;
    const near = unknown.filter((h) => nearColumn(h) === column);
    const hint = near.length
      ? `; có phải cột ${near.map((h) => `"${h}"`).join(', ')}? Hãy sửa tên cột đó`
      : unknown.length
        ? `; các cột chưa nhận ra trong tệp: ${unknown
            .slice(0, 6)
            .map((h) => `"${h}"`)
            .join(', ')}${unknown.length > 6 ? ', …' : ''}`
        : '';
    issues.push({
      file,
      line: header.line,
      field: suggested(column),
      message: `thiếu cột bắt buộc "${suggested(column)}" (tên cột được nhận: ${acceptedHeaders(column)})${hint}`,
    });
  }
  const contactName = written.get('contactName');
  if (contactName !== undefined && !index.has('contactEmail')) {
    issues.push({
      file,
      line: header.line,
      field: contactName,
      message:
        `có cột người liên hệ nhưng không có cột email liên hệ: thêm cột ` +
        `"${suggested('contactEmail')}" (tên cột được nhận: ${acceptedHeaders('contactEmail')}), hoặc ` +
        `bỏ cột "${contactName}"`,
    });
  }
  return { columns: { index, written, vietnamese }, issues };
}

/** Validate the rows of a units sheet (CSV or Excel): header first, then one unit per row. */
export function validateUnitRows(rows: SheetRow[], file: string): Unit[] {
  const header = rows.find((r) => r.cells.some((c) => c !== ''));
  if (!header)
    throw new ConfigError([
      { file, line: 1, field: '(tiêu đề)', message: 'tệp trống; dòng đầu phải là dòng tiêu đề (Mã đơn vị, Tên đơn vị, …)' },
    ]);
  const { columns, issues } = readHeader(header, file);
  if (issues.length > 0) throw new ConfigError(issues);
  const label = (column: UnitColumn): string =>
    columns.written.get(column) ?? (columns.vietnamese ? VIETNAMESE_HEADERS : ENGLISH_HEADERS)[column];

  const units: Unit[] = [];
  const codeLines = new Map<string, { code: string; lines: number[] }>();
  for (const row of rows) {
    if (row.line <= header.line || row.cells.every((c) => c === '')) continue;
    const get = (column: UnitColumn): string => {
      const i = columns.index.get(column);
      return i === undefined ? '' : (row.cells[i] ?? '');
    };
    const cells: UnitRowInput = {
      code: get('code'),
      name: get('name'),
      kind: get('kind'),
      members: get('members'),
      secretaryName: get('secretaryName'),
      secretaryEmail: get('secretaryEmail'),
      contactName: get('contactName'),
      contactEmail: get('contactEmail'),
      parent: get('parent'),
    };
    if (cells.code !== '') {
      const key = cells.code.toLowerCase();
      const entry = codeLines.get(key) ?? { code: cells.code, lines: [] };
      entry.lines.push(row.line);
      codeLines.set(key, entry);
    }
    const result = parseUnitRow(cells);
    if ('unit' in result) units.push(result.unit);
    else for (const p of result.problems) issues.push({ file, line: row.line, field: label(p.column), message: p.message });
  }

  for (const { code, lines } of codeLines.values()) {
    if (lines.length < 2) continue;
    for (const line of lines) {
      const others = lines.filter((l) => l !== line);
      issues.push({ file, line, field: label('code'), message: `trùng mã đơn vị "${code}" (cũng có ở dòng ${others.join(', ')})` });
    }
  }
  if (issues.length === 0 && units.length === 0) {
    issues.push({
      file,
      line: header.line,
      field: '(các dòng)',
      message: 'chưa có đơn vị nào: tệp có dòng tiêu đề nhưng không có dòng đơn vị',
    });
  }
  if (issues.length > 0) {
    issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
    throw new ConfigError(issues);
  }
  return units;
}

export function isExcelFile(path: string): boolean {
  return ['.xlsx', '.xls'].includes(extname(path).toLowerCase());
}

/**
 * Read and validate a CSV units file. Reading Excel is asynchronous (see `loadUnitsFileAsync` in
 * units-xlsx.ts), so an Excel file here gets a message saying which command reads it.
 */
export function loadUnitsFile(path: string): Unit[] {
  if (isExcelFile(path)) {
    throw new ConfigError([
      {
        file: path,
        field: '(file)',
        message:
          'tệp Excel được đọc bởi các lệnh chuky (cycle start, config check, units import); ở đây hãy lưu trang tính dạng "CSV UTF-8"',
      },
    ]);
  }
  return parseUnitsCsv(readConfigText(path), path);
}
