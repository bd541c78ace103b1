/**
 * Reads a filled past-years workbook (see template.ts) and validates every row with the schemas chuky itself
 * uses: a unit's row with the year-end report's schema, through the form's own conversion (`fromForm`: numbers
 * "1.250", dates 15/02/2023, blank cells absent), and a record's row with `safeParseRecord`, as the records API
 * does. Every problem names the sheet, the row and the column as its header is written, in Vietnamese. Pure apart
 * from loading exceljs: no database.
 */
import type ExcelJS from 'exceljs';
import { foldKey, parseUnitKind } from '../../config/units.js';
import { parseFormDate, parseFormInt } from '../../domain/phases/common.js';
import { yearEndReportPhase } from '../../domain/phases/year-end-report.js';
import { safeParseRecord, type RecordKind } from '../../domain/records.js';
import { unsafeTextMessage, unsafeTextPath } from '../../domain/text-safety.js';
import {
  INFO_COMMITTEE_LABEL,
  INFO_SHEET,
  INFO_YEAR_LABEL,
  RECORD_KINDS,
  RECORD_SHEETS,
  UNITS_SHEET,
  recordColumns,
  unitColumns,
  type Column,
} from './columns.js';

/** Where a value was read: the workbook (file name), the sheet and the row as Excel numbers it. */
export interface RowOrigin {
  workbook: string;
  sheet: string;
  row: number;
}

export interface ImportIssue {
  sheet: string;
  /** The row as Excel numbers it (1 is the header); absent for a problem of the sheet as a whole. */
  row?: number;
  /** The column's header as written in the workbook. */
  column?: string;
  /** The cell, e.g. "E7". */
  cell?: string;
  /** Vietnamese: what is wrong. */
  message: string;
}

export interface ImportedUnit {
  origin: RowOrigin;
  code: string;
  name: string;
  kind: string;
  /** The parsed year-end report, as the schema returns it (what a form submission stores). */
  payload: Record<string, unknown>;
  members: number;
}

export interface ImportedRecord {
  origin: RowOrigin;
  kind: RecordKind;
  payload: Record<string, unknown>;
}

export interface ReadResult {
  workbook: string;
  year?: number;
  committeeCode?: string;
  units: ImportedUnit[];
  records: ImportedRecord[];
  errors: ImportIssue[];
  /** Not errors: sheets that were not read, record sheets missing. */
  warnings: ImportIssue[];
}

/** "Trang “Đơn vị”, dòng 7, cột “Số đảng viên đã học tập” (ô E7): không được là số âm". */
export function formatIssue(i: ImportIssue): string {
  const where = [`Trang “${i.sheet}”`];
  if (i.row !== undefined) where.push(`dòng ${i.row}`);
  if (i.column !== undefined) where.push(`cột “${i.column}”${i.cell ? ` (ô ${i.cell})` : ''}`);
  return `${where.join(', ')}: ${i.message}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Cells

function isoOfDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** A cell as the text a form field would hold (dates as YYYY-MM-DD; numbers as written by JavaScript). */
export function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : isoOfDate(value);
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((r) => r.text).join('');
    if ('formula' in value || 'sharedFormula' in value)
      return cellText(((value as { result?: unknown }).result ?? null) as ExcelJS.CellValue);
    if ('text' in value && typeof value.text === 'string') return value.text;
    if ('error' in value) return String(value.error);
    return '';
  }
  return String(value);
}

const YES = new Set(['co', 'x', 'true', '1', 'yes', 'dung', 'tructuyen']);
const NO = new Set(['khong', 'false', '0', 'no', 'sai', 'tructiep']);

/** A cell's value for a column of `kind`, as the schema should receive it; unparseable text is passed on as typed. */
function cellValue(col: Column, text: string): unknown {
  const s = text.normalize('NFC').trim();
  if (s === '') return undefined;
  switch (col.kind) {
    case 'int':
      return parseFormInt(s);
    case 'date':
      return parseFormDate(s);
    case 'bool': {
      const k = foldKey(s);
      return YES.has(k) ? true : NO.has(k) ? false : s;
    }
    case 'enum': {
      const k = foldKey(s);
      return col.values?.find((v) => foldKey(v.code) === k || foldKey(v.label) === k)?.code ?? s;
    }
    default:
      return s;
  }
}

const colLetter = (n: number): string => {
  let s = '';
  for (let x = n; x > 0; x = Math.floor((x - 1) / 26)) s = String.fromCharCode(65 + ((x - 1) % 26)) + s;
  return s;
};

interface SheetTable {
  /** Column number → column; undefined for a blank header. */
  byIndex: Map<number, { col: Column; header: string }>;
  rows: { row: number; cells: Map<string, { text: string; cell: string; header: string }> }[];
}

/** Matches the header row against the columns; every row after it as text by column path. */
function readTable(sheet: ExcelJS.Worksheet, columns: Column[], errors: ImportIssue[]): SheetTable | undefined {
  const name = sheet.name;
  const byHeader = new Map<string, Column>();
  for (const c of columns) {
    byHeader.set(foldKey(c.header), c);
    byHeader.set(foldKey(c.path), c);
  }
  const header = sheet.getRow(1);
  const byIndex = new Map<number, { col: Column; header: string }>();
  const seen = new Map<string, string>();
  let bad = false;
  const width = Math.max(header.cellCount, sheet.columnCount);
  for (let c = 1; c <= width; c++) {
    const text = cellText(header.getCell(c).value).normalize('NFC').trim();
    if (!text) continue;
    const col = byHeader.get(foldKey(text));
    if (!col) {
      errors.push({
        sheet: name,
        row: 1,
        column: text,
        cell: `${colLetter(c)}1`,
        message: `cột này không có trong mẫu; các cột của trang: ${columns.map((x) => `“${x.header}”`).join(', ')}`,
      });
      bad = true;
      continue;
    }
    const dup = seen.get(col.path);
    if (dup !== undefined) {
      errors.push({ sheet: name, row: 1, column: text, cell: `${colLetter(c)}1`, message: `cột trùng với cột ${dup}` });
      bad = true;
      continue;
    }
    seen.set(col.path, `${colLetter(c)}`);
    byIndex.set(c, { col, header: text });
  }
  for (const col of columns) {
    if (col.required && !seen.has(col.path)) {
      errors.push({
        sheet: name,
        row: 1,
        column: col.header,
        message: 'thiếu cột bắt buộc này (tạo lại mẫu bằng `chuky report template` và chép số liệu sang)',
      });
      bad = true;
    }
  }
  const rows: SheetTable['rows'] = [];
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    if (rowNumber === 1) return;
    const cells = new Map<string, { text: string; cell: string; header: string }>();
    let any = false;
    for (let c = 1; c <= Math.max(row.cellCount, width); c++) {
      const text = cellText(row.getCell(c).value).normalize('NFC').trim();
      if (!text) continue;
      any = true;
      const m = byIndex.get(c);
      if (m) cells.set(m.col.path, { text, cell: `${colLetter(c)}${rowNumber}`, header: m.header });
      else if (!cellText(header.getCell(c).value).trim()) {
        errors.push({
          sheet: name,
          row: rowNumber,
          cell: `${colLetter(c)}${rowNumber}`,
          column: `(cột ${colLetter(c)}, không có tiêu đề)`,
          message: 'ô có dữ liệu nhưng cột không có tiêu đề: ghi tiêu đề theo mẫu hoặc xóa dữ liệu',
        });
      }
    }
    if (any) rows.push({ row: rowNumber, cells });
  });
  return bad ? undefined : { byIndex, rows };
}

/** The issue's column from the field path the schema names (the closest column above it when it names a group). */
function issueAt(
  sheet: string,
  row: number,
  columns: Column[],
  cells: SheetTable['rows'][number]['cells'],
  field: string,
  message: string,
): ImportIssue {
  const col = columns.find((c) => c.path === field);
  if (!col) return { sheet, row, message: field ? `${field}: ${message}` : message };
  const seen = cells.get(col.path);
  const header = seen?.header ?? col.header;
  // The schema's message starts with the field's label, which is the column's header: said once.
  const text = message.startsWith(`${col.header}: `) ? message.slice(col.header.length + 2) : message;
  return { sheet, row, column: header, ...(seen ? { cell: seen.cell } : {}), message: text };
}

// ---------------------------------------------------------------------------------------------------------------
// The workbook

function readInfo(wb: ExcelJS.Workbook, errors: ImportIssue[]): { year?: number; committeeCode?: string } {
  const sheet = wb.worksheets.find((s) => foldKey(s.name) === foldKey(INFO_SHEET));
  if (!sheet) {
    errors.push({
      sheet: INFO_SHEET,
      message: `không có trang “${INFO_SHEET}” (ô B1 ghi năm của số liệu); tạo sổ từ mẫu \`chuky report template --year NĂM\``,
    });
    return {};
  }
  let year: number | undefined;
  let committeeCode: string | undefined;
  let yearRow: number | undefined;
  sheet.eachRow((row, n) => {
    const label = foldKey(cellText(row.getCell(1).value));
    const value = cellText(row.getCell(2).value).normalize('NFC').trim();
    if (label === foldKey(INFO_YEAR_LABEL) && yearRow === undefined) {
      yearRow = n;
      if (/^\d{4}$/.test(value) && Number(value) >= 2000 && Number(value) <= 2100) year = Number(value);
      else
        errors.push({
          sheet: sheet.name,
          row: n,
          column: 'B',
          cell: `B${n}`,
          message: `năm của số liệu cần là bốn chữ số, ví dụ 2023 (ô đang ghi “${value}”)`,
        });
    } else if (label === foldKey(INFO_COMMITTEE_LABEL) && value) committeeCode = value;
  });
  if (yearRow === undefined)
    errors.push({ sheet: sheet.name, message: `không có dòng “${INFO_YEAR_LABEL}” (cột A) với năm của số liệu (cột B)` });
  return { ...(year !== undefined ? { year } : {}), ...(committeeCode ? { committeeCode } : {}) };
}

const UNIT_CODE = /^[A-Za-z0-9._-]+$/;

function readUnits(sheet: ExcelJS.Worksheet, workbook: string, errors: ImportIssue[]): ImportedUnit[] {
  const columns = unitColumns();
  const table = readTable(sheet, columns, errors);
  if (!table) return [];
  const reportColumns = columns.filter((c) => !c.path.startsWith('unit.'));
  const out: ImportedUnit[] = [];
  const codes = new Map<string, number>();
  for (const { row, cells } of table.rows) {
    const at = (path: string, message: string) => errors.push(issueAt(sheet.name, row, columns, cells, path, message));
    const before = errors.length;
    const code = cells.get('unit.code')?.text ?? '';
    const name = cells.get('unit.name')?.text ?? '';
    const kindText = cells.get('unit.kind')?.text ?? '';
    if (!code) at('unit.code', 'không được để trống');
    else if (!UNIT_CODE.test(code)) at('unit.code', `“${code}” không hợp lệ: chỉ dùng chữ không dấu, số, “.”, “-”, “_” (ví dụ SO-TC)`);
    else if (codes.has(code.toUpperCase())) at('unit.code', `mã “${code}” trùng với dòng ${codes.get(code.toUpperCase())}`);
    else codes.set(code.toUpperCase(), row);
    if (!name) at('unit.name', 'không được để trống');
    else if (name.length > 300) at('unit.name', 'quá dài (tối đa 300 ký tự)');
    const kind = kindText ? parseUnitKind(kindText) : 'chi-bo-co-so';
    if (!kind) at('unit.kind', `“${kindText}” không hợp lệ: ghi “Đảng bộ cơ sở” hoặc “Chi bộ cơ sở”`);

    if (!reportColumns.some((c) => cells.has(c.path))) {
      errors.push({
        sheet: sheet.name,
        row,
        message:
          'đơn vị chưa có số liệu báo cáo năm (mọi cột số liệu đều trống): điền số liệu, hoặc xóa dòng nếu đơn vị không có trong năm',
      });
      continue;
    }
    // The form's own conversion, then the phase's schema, as a unit's submission through its form.
    const fields: Record<string, string> = {};
    for (const c of reportColumns) {
      const v = cells.get(c.path);
      if (v) fields[c.path] = v.text;
    }
    const raw = yearEndReportPhase.fromForm(fields) as Record<string, unknown>;
    const unsafe = unsafeTextPath(raw);
    if (unsafe !== undefined) {
      at(unsafe, unsafeTextMessage(''));
      continue;
    }
    const reported = (raw.figures as Record<string, unknown> | undefined)?.members;
    const members = typeof reported === 'number' && Number.isInteger(reported) && reported > 0 ? reported : 0;
    const parsed = yearEndReportPhase.schema({ members }).safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) at(issue.path.join('.'), issue.message);
      continue;
    }
    if (errors.length > before || !kind) continue;
    out.push({ origin: { workbook, sheet: sheet.name, row }, code, name, kind, payload: parsed.data, members });
  }
  return out;
}

function readRecords(sheet: ExcelJS.Worksheet, kind: RecordKind, workbook: string, errors: ImportIssue[]): ImportedRecord[] {
  const columns = recordColumns(kind);
  const table = readTable(sheet, columns, errors);
  if (!table) return [];
  const out: ImportedRecord[] = [];
  for (const { row, cells } of table.rows) {
    const input: Record<string, unknown> = {};
    for (const c of columns) {
      const v = cells.get(c.path);
      const value = v ? cellValue(c, v.text) : undefined;
      if (value !== undefined) input[c.path] = value;
    }
    // The records API's own validation.
    const parsed = safeParseRecord(kind, input);
    if (!parsed.success) {
      for (const i of parsed.issues) errors.push(issueAt(sheet.name, row, columns, cells, i.field, i.message));
      continue;
    }
    out.push({ origin: { workbook, sheet: sheet.name, row }, kind, payload: parsed.record.data });
  }
  return out;
}

/** Reads and validates the whole workbook: every error of every sheet, not only the first. */
export async function readPastYearWorkbook(content: Buffer | ArrayBuffer, workbook: string): Promise<ReadResult> {
  const { default: Excel } = await import('exceljs');
  const wb = new Excel.Workbook();
  const errors: ImportIssue[] = [];
  const warnings: ImportIssue[] = [];
  try {
    await wb.xlsx.load(content as ArrayBuffer);
  } catch (err) {
    return {
      workbook,
      units: [],
      records: [],
      warnings,
      errors: [
        { sheet: '(tệp)', message: `không đọc được sổ Excel (.xlsx): ${(err as Error).message}. Sổ .xls cũ cần lưu lại thành .xlsx` },
      ],
    };
  }
  const info = readInfo(wb, errors);
  const find = (name: string) => wb.worksheets.find((s) => foldKey(s.name) === foldKey(name));
  const unitsSheet = find(UNITS_SHEET);
  let units: ImportedUnit[] = [];
  if (!unitsSheet) errors.push({ sheet: UNITS_SHEET, message: `không có trang “${UNITS_SHEET}” (số liệu báo cáo năm của các đơn vị)` });
  else {
    units = readUnits(unitsSheet, workbook, errors);
    if (units.length === 0 && !errors.some((e) => e.sheet === unitsSheet.name))
      errors.push({ sheet: unitsSheet.name, message: 'trang chưa có đơn vị nào (mỗi đơn vị một dòng, từ dòng 2)' });
  }
  const records: ImportedRecord[] = [];
  for (const kind of RECORD_KINDS) {
    const sheet = find(RECORD_SHEETS[kind]);
    if (!sheet) warnings.push({ sheet: RECORD_SHEETS[kind], message: 'không có trang này: năm không có hồ sơ loại này' });
    else records.push(...readRecords(sheet, kind, workbook, errors));
  }
  const known = new Set([INFO_SHEET, UNITS_SHEET, ...Object.values(RECORD_SHEETS)].map(foldKey));
  for (const s of wb.worksheets)
    if (!known.has(foldKey(s.name))) warnings.push({ sheet: s.name, message: 'trang không có trong mẫu, không được đọc' });
  return { workbook, ...info, units, records, errors, warnings };
}
