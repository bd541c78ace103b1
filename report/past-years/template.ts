/**
 * `chuky report template --year 2024 --out 2024.xlsx`: the workbook a committee fills with a past year's data
 * (`chuky cycle import-year` reads it back). A "Thông tin" sheet with the year, the units sheet (one row per unit,
 * one column per field of the year-end report), and one sheet per kind of committee record. Every header cell has
 * a note with the column's limits and rules. With a units list (from a cycle file) the units sheet is prefilled
 * with each unit's code, name and kind.
 */
import type ExcelJS from 'exceljs';
import { RECORD_KIND_LABEL_VI, RECORD_KINDS } from '../../domain/records.js';
import {
  INFO_COMMITTEE_LABEL,
  INFO_SHEET,
  INFO_YEAR_LABEL,
  RECORD_SHEETS,
  UNITS_SHEET,
  recordColumns,
  recordSheetNote,
  unitColumns,
  type Column,
} from './columns.js';

export interface TemplateUnit {
  code: string;
  name: string;
  kind?: string;
}

export interface TemplateOptions {
  year: number;
  committeeCode?: string;
  committeeName?: string;
  /** Units to prefill (code, name, kind). */
  units?: TemplateUnit[];
}

const KIND_TEXT: Record<string, string> = { 'dang-bo-co-so': 'Đảng bộ cơ sở', 'chi-bo-co-so': 'Chi bộ cơ sở' };

function headerRow(sheet: ExcelJS.Worksheet, columns: Column[]): void {
  sheet.columns = columns.map((c) => ({ header: c.header, key: c.path, width: Math.min(60, Math.max(14, c.header.length + 4)) }));
  const row = sheet.getRow(1);
  row.font = { bold: true };
  row.alignment = { wrapText: true, vertical: 'top' };
  row.height = 48;
  columns.forEach((c, i) => {
    const cell = row.getCell(i + 1);
    cell.note = c.note;
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: c.required ? 'FFFCE4D6' : 'FFE2EFDA' } };
  });
  sheet.views = [{ state: 'frozen', xSplit: 0, ySplit: 1 }];
  // A drop-down of the accepted words for columns with a fixed list (typing a code instead stays allowed).
  const validations = (sheet as unknown as { dataValidations: { add(range: string, v: ExcelJS.DataValidation): void } }).dataValidations;
  columns.forEach((c, i) => {
    const words =
      c.kind === 'enum'
        ? (c.values ?? []).map((v) => v.label)
        : c.kind === 'bool'
          ? ['Có', 'Không']
          : c.kind === 'unitKind'
            ? ['Đảng bộ cơ sở', 'Chi bộ cơ sở']
            : [];
    const list = words.join(',');
    if (!words.length || words.some((w) => w.includes(',') || w.includes('"')) || list.length > 250) return;
    const col = sheet.getColumn(i + 1).letter;
    validations.add(`${col}2:${col}${VALIDATED_ROWS}`, {
      type: 'list',
      allowBlank: true,
      formulae: [`"${list}"`],
      showErrorMessage: false,
    });
  });
}

/** Rows that get the drop-downs: far more units or records than a committee has in a year. */
const VALIDATED_ROWS = 2000;

/** The template as an ExcelJS workbook (write it with `workbook.xlsx.writeFile`). */
export async function buildTemplate(o: TemplateOptions): Promise<ExcelJS.Workbook> {
  if (!Number.isInteger(o.year) || o.year < 2000 || o.year > 2100)
    throw new RangeError(`--year: a year between 2000 and 2100, got ${o.year}`);
  const { default: Excel } = await import('exceljs');
  const wb = new Excel.Workbook();
  wb.creator = 'chuky';
  wb.title = `Số liệu năm ${o.year}`;

  const info = wb.addWorksheet(INFO_SHEET);
  info.columns = [{ width: 22 }, { width: 90 }];
  info.addRow([INFO_YEAR_LABEL, o.year]);
  info.addRow([INFO_COMMITTEE_LABEL, o.committeeCode ?? '']);
  info.addRow(['Cấp ủy', o.committeeName ?? '']);
  info.addRow([]);
  info.addRow([
    'Hướng dẫn',
    `Sổ số liệu năm ${o.year} để nhập vào chuky (chuky cycle import-year). Mỗi trang một loại số ` +
      `liệu; dòng 1 là tiêu đề cột, không sửa tiêu đề.`,
  ]);
  info.addRow(['', 'Di chuột vào ô tiêu đề để xem quy định của cột (ghi chú). Cột tô màu cam là bắt buộc, màu xanh là không bắt buộc.']);
  info.addRow(['', `Trang “${UNITS_SHEET}”: mỗi tổ chức cơ sở đảng một dòng, với số liệu và đánh giá trong báo cáo năm của đơn vị.`]);
  for (const kind of RECORD_KINDS) info.addRow(['', `Trang “${RECORD_SHEETS[kind]}”: ${RECORD_KIND_LABEL_VI[kind]}, mỗi dòng một hồ sơ.`]);
  info.addRow(['', 'Số viết 1.250 hoặc 1250; ngày viết 15/02/2023 hoặc 2023-02-15. Dòng để trống hoàn toàn được bỏ qua.']);
  info.addRow(['', 'Kiểm tra trước khi nhập: chuky cycle import-year --file SO-LIEU.xlsx --config cycle.yaml --dry-run']);
  info.getColumn(1).font = { bold: true };
  info.getColumn(2).alignment = { wrapText: true };
  info.getCell('B1').note = 'Năm của số liệu (bốn chữ số). Mỗi năm chỉ nhập một lần.';
  info.getCell('B2').note = 'Mã cấp ủy như trong tệp chu kỳ (committee.code). Để trống: lấy theo tệp --config.';

  const units = wb.addWorksheet(UNITS_SHEET);
  headerRow(units, unitColumns());
  for (const u of o.units ?? [])
    units.addRow({ 'unit.code': u.code, 'unit.name': u.name, 'unit.kind': u.kind ? (KIND_TEXT[u.kind] ?? u.kind) : '' });

  for (const kind of RECORD_KINDS) {
    const sheet = wb.addWorksheet(RECORD_SHEETS[kind]);
    headerRow(sheet, recordColumns(kind));
    const first = sheet.getCell('A1');
    first.note = `${recordSheetNote(kind)}\n\n${first.note as string}`;
  }
  return wb;
}

export async function writeTemplate(file: string, o: TemplateOptions): Promise<void> {
  const wb = await buildTemplate(o);
  await wb.xlsx.writeFile(file);
}
