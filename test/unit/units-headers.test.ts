/**
 * Units lists as clerks keep them (issue 15): a contact's email without a column for the contact's name, headers
 * written in any case or decomposed, `;` separators and a BOM, upper-case emails; and header problems that name
 * the header as the file wrote it, say how to fix it, and list the accepted spellings, in Vietnamese.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { parseUnitsCsv, UnitRowSchema } from '../../config/units.js';
import { loadUnitsFileAsync, parseUnitsXlsx } from '../../config/units-xlsx.js';
import { ConfigError, type ConfigIssue } from '../../config/errors.js';

function issuesOf(fn: () => unknown): ConfigIssue[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.issues;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

async function issuesOfAsync(p: Promise<unknown>): Promise<ConfigError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConfigError);
  return err as ConfigError;
}

async function workbook(rows: unknown[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet('Danh sách');
  for (const r of rows) sheet.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** What no message shown to a clerk may contain: the loader's internal column ids, or English phrasing. */
const INTERNAL = /contactName|contactEmail|secretaryEmail|secretaryName|needs it|missing|required|duplicate|not a valid/;

describe('a contact email without a contact-name column', () => {
  it('CSV: "contact_email" alone is accepted (the name is optional), emails kept in lower case', () => {
    const units = parseUnitsCsv(
      'code,name,kind,members,secretary,secretary email,contact_email\nA1,Chi bộ A,Chi bộ cơ ' +
        'sở,15,Lê Văn B,BiThu@Example.VN,VanPhong.A1@Example.vn\nA2,Chi bộ B,Chi bộ cơ sở,9,Lê Văn ' +
        'C,c@example.vn,\n',
      'u.csv',
    );
    expect(units).toEqual([
      {
        code: 'A1',
        name: 'Chi bộ A',
        kind: 'chi-bo-co-so',
        members: 15,
        secretary: { name: 'Lê Văn B', email: 'bithu@example.vn' },
        contact: { name: null, email: 'vanphong.a1@example.vn' },
      },
      {
        code: 'A2',
        name: 'Chi bộ B',
        kind: 'chi-bo-co-so',
        members: 9,
        secretary: { name: 'Lê Văn C', email: 'c@example.vn' },
        contact: null,
      },
    ]);
  });

  it('CSV as Excel saves it: BOM, ";", CRLF, a decomposed "Email Liên Hệ" header, upper-case emails', () => {
    const header = ['STT', 'MÃ ĐƠN VỊ', 'Tên đơn vị', 'Loại', 'Số đảng viên', 'Bí thư', 'Email bí thư', 'Email Liên Hệ']
      .map((h) => h.normalize('NFD'))
      .join(';');
    const text =
      `\uFEFF${header}\r\n1;SO-TC;Đảng bộ Sở Tài chính;Đảng bộ cơ sở;1.250;Lê Văn ` + `Thành;BITHU.STC@EXAMPLE.VN;VP.STC@EXAMPLE.VN\r\n`;
    expect(parseUnitsCsv(text, 'u.csv')).toEqual([
      {
        code: 'SO-TC',
        name: 'Đảng bộ Sở Tài chính',
        kind: 'dang-bo-co-so',
        members: 1250,
        secretary: { name: 'Lê Văn Thành', email: 'bithu.stc@example.vn' },
        contact: { name: null, email: 'vp.stc@example.vn' },
      },
    ]);
  });

  it('Excel: the same sheet loads, from a file on disk too', async () => {
    const rows = [
      ['Mã đơn vị', 'Tên đơn vị', 'Loại', 'Số đảng viên', 'Bí thư', 'Email bí thư', 'Email Liên Hệ'],
      [
        'SO-TP',
        'Chi bộ Sở Tư pháp',
        'Chi bộ cơ sở',
        32,
        'Nguyễn Thị Lan',
        { text: 'BiThu.STP@example.vn', hyperlink: 'mailto:BiThu.STP@example.vn' },
        'VanPhong.STP@Example.vn',
      ],
    ];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chuky-units-'));
    fs.writeFileSync(path.join(dir, 'don-vi.xlsx'), await workbook(rows));
    const units = await loadUnitsFileAsync(path.join(dir, 'don-vi.xlsx'));
    expect(units).toEqual([
      {
        code: 'SO-TP',
        name: 'Chi bộ Sở Tư pháp',
        kind: 'chi-bo-co-so',
        members: 32,
        secretary: { name: 'Nguyễn Thị Lan', email: 'bithu.stp@example.vn' },
        contact: { name: null, email: 'vanphong.stp@example.vn' },
      },
    ]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a contact name on a row still needs the email beside it, said in Vietnamese at the header as written', () => {
    const issues = issuesOf(() =>
      parseUnitsCsv(
        'Mã đơn vị;Tên đơn vị;Loại;Số đảng viên;Bí thư;Email bí thư;Người Liên Hệ;Email Liên ' +
          'Hệ\nA1;Chi bộ A;Chi bộ cơ sở;15;Lê A;a@example.vn;Trần Thị B;\n',
        'u.csv',
      ),
    );
    expect(issues).toEqual([
      {
        file: 'u.csv',
        line: 2,
        field: 'Email Liên Hệ',
        message: 'ô trống: đã ghi người liên hệ "Trần Thị B" thì cần cả email của người đó',
      },
    ]);
  });
});

describe('header problems name the header as written and list the accepted spellings', () => {
  it('a bad email under "Email Liên Hệ" is reported at that header, as written, in Vietnamese', async () => {
    const csv =
      'Mã đơn vị;Tên đơn vị;Loại;Số đảng viên;Bí thư;Email bí thư;Email  Liên Hệ\nA1;Chi bộ A;Chi bộ ' +
      'cơ sở;15;Lê A;a@example.vn;VP(at)example.vn\n';
    const issues = issuesOf(() => parseUnitsCsv(csv, 'don-vi.csv'));
    expect(issues).toEqual([
      { file: 'don-vi.csv', line: 2, field: 'Email  Liên Hệ', message: 'địa chỉ email không hợp lệ: "VP(at)example.vn"' },
    ]);
    expect(new ConfigError(issues).message).toBe('don-vi.csv:2: Email  Liên Hệ: địa chỉ email không hợp lệ: "VP(at)example.vn"');

    const xlsx = await workbook([
      ['Mã đơn vị', 'Tên đơn vị', 'Loại', 'Số đảng viên', 'Bí thư', 'Email bí thư', 'Email Liên Hệ'.normalize('NFD')],
      ['A1', 'Chi bộ A', 'Chi bộ cơ sở', 15, 'Lê A', 'a@example.vn', 'khong-phai-email'],
    ]);
    const err = await issuesOfAsync(parseUnitsXlsx(xlsx, 'don-vi.xlsx'));
    expect(err.issues).toEqual([
      { file: 'don-vi.xlsx', line: 2, field: 'Email Liên Hệ', message: 'địa chỉ email không hợp lệ: "khong-phai-email"' },
    ]);
  });

  it('two headers for the same column: the second is named as written, with the first', () => {
    const issues = issuesOf(() =>
      parseUnitsCsv('Mã đơn vị;Tên đơn vị;Loại;Số đảng viên;Bí thư;Email bí thư;Email người liên hệ;Email Liên Hệ\n', 'u.csv'),
    );
    expect(issues).toEqual([
      {
        file: 'u.csv',
        line: 1,
        field: 'Email Liên Hệ',
        message: 'cột này trùng với cột "Email người liên hệ" (cùng là "Email liên hệ"); chỉ giữ một trong hai cột',
      },
    ]);
  });

  it('a misspelt required header: the missing column, every accepted spelling, and the header the file wrote', () => {
    const issues = issuesOf(() =>
      parseUnitsCsv(
        'STT;Mã đơn vị;Tên đơn vị;Loại;Số đảng viên;Bí thư;Mail Bí Thư\n1;A1;Chi bộ A;Chi bộ cơ sở;15;Lê A;a@example.vn\n',
        'u.csv',
      ),
    );
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ file: 'u.csv', line: 1, field: 'Email bí thư' });
    const message = issues[0]!.message;
    expect(message).toMatch(
      /^thiếu cột bắt buộc "Email bí thư" \(tên cột được nhận: "Email bí thư", "Thư điện tử bí thư"; tiếng Anh: "secretaryEmail", "secretary email"\)/,
    );
    expect(message).toContain('có phải cột "Mail Bí Thư"? Hãy sửa tên cột đó');
    // With no near spelling, the headers the file has that were not recognised are named instead.
    const other = issuesOf(() => parseUnitsCsv('STT;Mã đơn vị;Tên đơn vị;Loại;Bí thư;Email bí thư;Ghi chú\n', 'u.csv'));
    expect(other).toEqual([
      expect.objectContaining({
        field: 'Số đảng viên',
        message: expect.stringContaining('các cột chưa nhận ra trong tệp: "STT", "Ghi chú"'),
      }),
    ]);
    expect(other[0]!.message).toContain('"Số lượng đảng viên"');
    expect(other[0]!.message).toContain('tiếng Anh: "members", "member count"');
  });

  it("an English file gets readable English column names, never the loader's ids", () => {
    const issues = issuesOf(() => parseUnitsCsv('code,name,kind,members,secretary\n', 'u.csv'));
    expect(issues.map((i) => i.field)).toEqual(['secretary email']);
    // The accepted spellings are listed (English ones among them); outside that list, only Vietnamese.
    for (const i of issues) expect(i.message.replace(/\(tên cột được nhận: [^)]*\)/, '')).not.toMatch(INTERNAL);
  });

  it('a contact-name column without an email column: named as written, with how to fix it', () => {
    const issues = issuesOf(() => parseUnitsCsv('Mã đơn vị;Tên đơn vị;Loại;Số đảng viên;Bí thư;Email bí thư;Cán Bộ Liên Hệ\n', 'u.csv'));
    expect(issues).toEqual([
      {
        file: 'u.csv',
        line: 1,
        field: 'Cán Bộ Liên Hệ',
        message:
          'có cột người liên hệ nhưng không có cột email liên hệ: thêm cột "Email liên hệ" (tên cột được ' +
          'nhận: "Email liên hệ", "Email người liên hệ", "Email cán bộ liên hệ"; tiếng Anh: ' +
          '"contactEmail", "contact email"), hoặc bỏ cột "Cán Bộ Liên Hệ"',
      },
    ]);
  });

  it('every message a clerk can meet is Vietnamese and names file, line and column', () => {
    const text =
      'Mã đơn vị;Tên đơn vị;Loại;Số đảng viên;Bí thư;Email bí thư;Email liên hệ;Đơn vị cấp trên\n' +
      'A 1;;Tổ đảng;-3;;x@;y@;A 1\n' +
      'A2;B;Chi bộ;nhiều;C;c@example.vn;;A2\n' +
      'a2;B;Chi bộ;1;C;c@example.vn;;X/Y\n';
    const issues = issuesOf(() => parseUnitsCsv(text, 'u.csv'));
    expect(issues.length).toBeGreaterThanOrEqual(10);
    for (const i of issues) {
      expect(i.file).toBe('u.csv');
      expect(Number.isInteger(i.line)).toBe(true);
      expect(i.field).not.toMatch(/^\(|^[a-z]+[A-Z]/);
      expect(i.message).not.toMatch(INTERNAL);
    }
    expect(issues.map((i) => `${i.line}|${i.field}`)).toEqual([
      '2|Mã đơn vị',
      '2|Tên đơn vị',
      '2|Loại',
      '2|Số đảng viên',
      '2|Bí thư',
      '2|Email bí thư',
      '2|Email liên hệ',
      '2|Đơn vị cấp trên',
      '2|Đơn vị cấp trên',
      '3|Số đảng viên',
      '3|Đơn vị cấp trên',
      '3|Mã đơn vị',
      '4|Đơn vị cấp trên',
      '4|Mã đơn vị',
    ]);
  });
});

describe('the row schema', () => {
  it('is the zod schema the loader uses: a good row parses, a bad one names its columns', () => {
    const good = {
      code: 'A1',
      name: 'Chi bộ A',
      kind: 'CBCS',
      members: '1 250',
      secretaryName: 'Lê A',
      secretaryEmail: 'A@B.VN',
      contactName: '',
      contactEmail: '',
      parent: '',
    };
    expect(UnitRowSchema.parse(good)).toEqual({ ...good, kind: 'chi-bo-co-so', members: 1250, secretaryEmail: 'a@b.vn' });
    const bad = UnitRowSchema.safeParse({ ...good, code: '', members: '-1', secretaryEmail: 'x' });
    expect(bad.error?.issues.map((i) => [i.path[0], i.message])).toEqual([
      ['code', 'ô trống; cột này bắt buộc'],
      ['members', 'số đảng viên không được âm (đang ghi -1)'],
      ['secretaryEmail', 'địa chỉ email không hợp lệ: "x"'],
    ]);
  });
});
