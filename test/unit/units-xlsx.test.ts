/** Units lists as Excel workbooks: same headers and checks as the CSV, errors by the sheet's row numbers. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { loadUnitsFileAsync, parseUnitsXlsx } from '../../config/units-xlsx.js';
import { loadCycleFileAsync } from '../../config/cycle.js';
import { ConfigError } from '../../config/errors.js';

async function workbook(rows: unknown[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet('Đơn vị');
  for (const r of rows) sheet.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const HEADER = ['STT', 'Mã đơn vị', 'Tên đơn vị', 'Loại', 'Số đảng viên', 'Bí thư', 'Email bí thư', 'Người liên hệ', 'Email liên hệ'];

describe('units from Excel', () => {
  it('reads Vietnamese headers, numbers, hyperlinked emails and decomposed text', async () => {
    const buf = await workbook([
      HEADER,
      [
        1,
        'SO-TC',
        'Đảng bộ Sở Tài chính',
        'Đảng bộ cơ sở',
        86,
        'Le\u0302 Va\u0306n Tha\u0300nh',
        { text: 'bithu.stc@example.vn', hyperlink: 'mailto:bithu.stc@example.vn' },
        'Phan Thị Mai',
        'vp.stc@example.vn',
      ],
      [2, 'SO-TP', 'Chi bộ Sở Tư pháp', 'Chi bộ cơ sở', '1.250', 'Nguyễn Thị Lan', 'bithu.stp@example.vn', null, null],
    ]);
    const units = await parseUnitsXlsx(buf, 'don-vi.xlsx');
    expect(units).toEqual([
      {
        code: 'SO-TC',
        name: 'Đảng bộ Sở Tài chính',
        kind: 'dang-bo-co-so',
        members: 86,
        secretary: { name: 'Lê Văn Thành', email: 'bithu.stc@example.vn' },
        contact: { name: 'Phan Thị Mai', email: 'vp.stc@example.vn' },
      },
      {
        code: 'SO-TP',
        name: 'Chi bộ Sở Tư pháp',
        kind: 'chi-bo-co-so',
        members: 1250,
        secretary: { name: 'Nguyễn Thị Lan', email: 'bithu.stp@example.vn' },
        contact: null,
      },
    ]);
  });

  it('names the sheet row and column of every problem', async () => {
    const buf = await workbook([
      HEADER,
      [1, 'A', 'Đơn vị A', 'Đảng bộ cơ sở', -3, 'X', 'not-an-email', '', ''],
      [2, 'A', 'Đơn vị B', 'Chi bộ cơ sở', 10, 'Y', 'y@example.vn', '', ''],
    ]);
    const err = await parseUnitsXlsx(buf, 'don-vi.xlsx').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    const text = (err as ConfigError).message;
    expect(text).toContain('don-vi.xlsx:2: Số đảng viên: số đảng viên không được âm');
    expect(text).toContain('don-vi.xlsx:2: Email bí thư: địa chỉ email không hợp lệ');
    expect(text).toContain('don-vi.xlsx:3: Mã đơn vị: trùng mã đơn vị "A" (cũng có ở dòng 2)');
  });

  it('refuses a file that is not a workbook, and a cycle can name a workbook as its units file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chuky-xlsx-'));
    fs.writeFileSync(path.join(dir, 'bad.xlsx'), 'not a zip');
    await expect(loadUnitsFileAsync(path.join(dir, 'bad.xlsx'))).rejects.toThrow(/không đọc được sổ Excel/);
    fs.writeFileSync(
      path.join(dir, 'units.xlsx'),
      await workbook([HEADER, [1, 'U1', 'Đơn vị 1', 'Chi bộ cơ sở', 20, 'Bí Thư', 'bt@example.vn', '', '']]),
    );
    const yaml = fs
      .readFileSync(path.join(import.meta.dirname, '../../config/demo/cycle.yaml'), 'utf8')
      .replace('unitsFile: units.csv', 'unitsFile: units.xlsx');
    fs.writeFileSync(path.join(dir, 'cycle.yaml'), yaml);
    const loaded = await loadCycleFileAsync(path.join(dir, 'cycle.yaml'));
    expect(loaded.units.map((u) => u.code)).toEqual(['U1']);
  });
});
