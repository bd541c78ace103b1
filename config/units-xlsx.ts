/**
 * Units lists as committee clerks keep them: an Excel workbook (.xlsx). The first worksheet is read like the CSV
 * (same headers, Vietnamese or English, same row schema, same Vietnamese messages), and errors name the sheet's
 * row numbers and the header as the sheet wrote it.
 */
import type ExcelJS from 'exceljs';
import { ConfigError } from './errors.js';
import { isExcelFile, loadUnitsFile, validateUnitRows, type SheetRow, type Unit } from './units.js';

function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'object') {
    if ('text' in value && typeof value.text === 'string') return value.text; // hyperlink (an email address)
    if ('richText' in value) return value.richText.map((r) => r.text).join('');
    if ('result' in value) return cellText(value.result); // formula: its cached result
    if ('hyperlink' in value) return String(value.hyperlink).replace(/^mailto:/i, '');
    return '';
  }
  return String(value);
}

export async function readXlsxRows(content: Buffer | ArrayBuffer, file: string): Promise<SheetRow[]> {
  // Loaded when a workbook is read: exceljs is large, and the worker (which loads this module for the cycle's
  // configuration) never reads one.
  const { default: Excel } = await import('exceljs');
  const workbook = new Excel.Workbook();
  try {
    await workbook.xlsx.load(content as ArrayBuffer);
  } catch (err) {
    throw new ConfigError([
      {
        file,
        field: '(file)',
        message: `không đọc được sổ Excel (.xlsx): ${(err as Error).message}. Tệp .xls cũ cần lưu lại dạng .xlsx hoặc CSV UTF-8`,
      },
    ]);
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) throw new ConfigError([{ file, field: '(file)', message: 'sổ Excel không có trang tính nào' }]);
  const rows: SheetRow[] = [];
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const cells: string[] = [];
    for (let c = 1; c <= row.cellCount; c++) cells.push(cellText(row.getCell(c).value).normalize('NFC').trim());
    rows.push({ line: rowNumber, cells });
  });
  return rows;
}

export async function parseUnitsXlsx(content: Buffer | ArrayBuffer, file: string): Promise<Unit[]> {
  return validateUnitRows(await readXlsxRows(content, file), file);
}

/** Read and validate a units file, CSV or Excel. */
export async function loadUnitsFileAsync(path: string): Promise<Unit[]> {
  if (!isExcelFile(path)) return loadUnitsFile(path);
  const { readFile } = await import('node:fs/promises');
  let content: Buffer;
  try {
    content = await readFile(path);
  } catch (err) {
    throw new ConfigError([{ file: path, field: '(file)', message: `không đọc được tệp: ${(err as Error).message}` }]);
  }
  return parseUnitsXlsx(content, path);
}
