/**
 * The units (grassroots Party organisations) of a cycle, from a CSV file as committee clerks export it from Excel:
 * English or Vietnamese headers, `,` or `;` (or tab) delimiters, a UTF-8 BOM, CRLF line ends. Every row is
 * checked and every problem reported with its CSV line (the header is line 1) and the header as written.
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
  contact: z.object({ name: z.string().min(1), email: z.email() }).nullable(),
  parent: z.string().regex(/^[A-Za-z0-9._-]+$/).optional(),
});
export type Unit = z.output<typeof UnitSchema>;

export type UnitColumn = 'code' | 'name' | 'kind' | 'members' | 'secretaryName' | 'secretaryEmail' | 'contactName' | 'contactEmail' | 'parent';

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

const HEADER_ALIASES: Record<string, UnitColumn> = {};
const VIETNAMESE_KEYS = new Set<string>();
function alias(column: UnitColumn, names: string[], vietnamese: boolean): void {
  for (const n of names) {
    HEADER_ALIASES[foldKey(n)] = column;
    if (vietnamese) VIETNAMESE_KEYS.add(foldKey(n));
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
    throw new ConfigError([{ file, line: err.lines, field: 'CSV', message: err.message.replace(/^Invalid [^:]*: /, '') }]);
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

/** Validate the rows of a units sheet (CSV or Excel): header first, then one unit per row. */
export function validateUnitRows(rows: SheetRow[], file: string): Unit[] {
  const issues: ConfigIssue[] = [];
  const header = rows.find((r) => r.cells.some((c) => c !== ''));
  if (!header) throw new ConfigError([{ file, line: 1, field: '(header)', message: 'the file is empty; expected a header row' }]);

  // Header → columns.
  const columnIndex = new Map<UnitColumn, number>();
  const headerText = new Map<UnitColumn, string>();
  let vietnamese = false;
  header.cells.forEach((cell, i) => {
    const column = unitColumnForHeader(cell);
    if (!column) return;
    if (VIETNAMESE_KEYS.has(foldKey(cell))) vietnamese = true;
    const previous = headerText.get(column);
    if (previous !== undefined) {
      issues.push({ file, line: header.line, field: cell, message: `the same column as "${previous}"; keep only one` });
      return;
    }
    columnIndex.set(column, i);
    headerText.set(column, cell);
  });
  const label = (column: UnitColumn): string => headerText.get(column) ?? (vietnamese ? VIETNAMESE_HEADERS[column] : column);
  for (const column of REQUIRED) {
    if (!columnIndex.has(column)) {
      const other = vietnamese ? column : VIETNAMESE_HEADERS[column];
      issues.push({ file, line: header.line, field: label(column), message: `missing required column (also accepted: "${other}")` });
    }
  }
  if (columnIndex.has('contactName') !== columnIndex.has('contactEmail')) {
    const missing: UnitColumn = columnIndex.has('contactName') ? 'contactEmail' : 'contactName';
    issues.push({ file, line: header.line, field: label(missing), message: `missing column: "${label(missing === 'contactName' ? 'contactEmail' : 'contactName')}" needs it` });
  }
  if (issues.length > 0) throw new ConfigError(issues);

  const units: Unit[] = [];
  const codeLines = new Map<string, { code: string; lines: number[] }>();
  for (const row of rows) {
    if (row.line <= header.line || row.cells.every((c) => c === '')) continue;
    const get = (column: UnitColumn): string => {
      const i = columnIndex.get(column);
      return i === undefined ? '' : (row.cells[i] ?? '');
    };
    const rowIssues: ConfigIssue[] = [];
    const problem = (column: UnitColumn, message: string): void => {
      rowIssues.push({ file, line: row.line, field: label(column), message });
    };
    const required = (column: UnitColumn): string => {
      const v = get(column);
      if (v === '') problem(column, 'required');
      return v;
    };

    for (const column of columnIndex.keys()) {
      if (isUnsafeText(get(column))) problem(column, 'contains a NUL character (\\0) or broken text, which cannot be stored; retype the cell');
    }

    const code = required('code');
    if (code !== '' && !SLUG.test(code)) problem('code', `"${code}" may only contain letters A-Z, digits, ".", "-" and "_"`);
    const name = required('name');

    const kindText = required('kind');
    const kind = kindText === '' ? undefined : parseUnitKind(kindText);
    if (kindText !== '' && !kind) problem('kind', `"${kindText}" is not a unit kind; use "Đảng bộ cơ sở" (dang-bo-co-so) or "Chi bộ cơ sở" (chi-bo-co-so)`);

    const membersText = required('members');
    const members = membersText === '' ? undefined : parseMemberCount(membersText);
    if (membersText !== '' && members === undefined) {
      problem('members', /^-\s*\d/.test(membersText) ? `must not be negative, got ${membersText}` : `"${membersText}" is not a whole number of members`);
    }

    const secretaryName = required('secretaryName');
    const secretaryEmail = required('secretaryEmail').toLowerCase();
    if (secretaryEmail !== '' && !isEmail(secretaryEmail)) problem('secretaryEmail', `not a valid email address: "${get('secretaryEmail')}"`);

    const contactName = get('contactName');
    const contactEmail = get('contactEmail').toLowerCase();
    if (contactEmail !== '' && !isEmail(contactEmail)) problem('contactEmail', `not a valid email address: "${get('contactEmail')}"`);
    if (contactName !== '' && contactEmail === '') problem('contactEmail', `required when "${label('contactName')}" is given`);
    if (contactName === '' && contactEmail !== '') problem('contactName', `required when "${label('contactEmail')}" is given`);

    const parent = get('parent');
    if (parent !== '' && !SLUG.test(parent)) problem('parent', `"${parent}" is not a unit code`);
    if (parent !== '' && code !== '' && parent.toLowerCase() === code.toLowerCase()) problem('parent', 'a unit cannot be its own parent');

    if (code !== '') {
      const key = code.toLowerCase();
      const entry = codeLines.get(key) ?? { code, lines: [] };
      entry.lines.push(row.line);
      codeLines.set(key, entry);
    }

    if (rowIssues.length > 0 || kind === undefined || members === undefined) {
      issues.push(...rowIssues);
      continue;
    }
    const unit: Unit = {
      code,
      name,
      kind,
      members,
      secretary: { name: secretaryName, email: secretaryEmail },
      contact: contactEmail !== '' ? { name: contactName, email: contactEmail } : null,
    };
    if (parent !== '') unit.parent = parent;
    units.push(unit);
  }

  for (const { code, lines } of codeLines.values()) {
    if (lines.length < 2) continue;
    for (const line of lines) {
      const others = lines.filter((l) => l !== line);
      issues.push({ file, line, field: label('code'), message: `duplicate unit code "${code}" (also on line${others.length > 1 ? 's' : ''} ${others.join(', ')})` });
    }
  }
  if (issues.length === 0 && units.length === 0) {
    issues.push({ file, line: header.line, field: '(rows)', message: 'no units: the file has a header but no unit rows' });
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
    throw new ConfigError([{ file: path, field: '(file)', message: 'an Excel file is read by the chuky commands (cycle start, config check, units import); here, save the sheet as "CSV UTF-8"' }]);
  }
  return parseUnitsCsv(readConfigText(path), path);
}
