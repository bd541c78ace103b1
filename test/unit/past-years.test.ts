/**
 * The past-years workbook: the template's sheets, headers and notes come from the year-end report's form and the
 * records' schemas; a filled workbook is read back with those same schemas, and every error names the sheet, the
 * row and the column as its header is written.
 */
import type ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { formLeaves } from '../../domain/phases/common.js';
import { yearEndReportPhase } from '../../domain/phases/year-end-report.js';
import { RECORD_KINDS, RECORD_SCHEMAS } from '../../domain/records.js';
import { INFO_SHEET, RECORD_SHEETS, UNITS_SHEET, recordColumns, unitColumns } from '../../report/past-years/columns.js';
import { formatIssue, readPastYearWorkbook } from '../../report/past-years/read.js';
import { buildTemplate } from '../../report/past-years/template.js';

/** A header's note as text: the template writes plain strings; ExcelJS types a note as a string or a rich-text comment. */
function noteText(note: string | ExcelJS.Comment): string {
  return typeof note === 'string' ? note : (note.texts ?? []).map((t) => t.text).join('');
}

/** Writes a row under the headers: values keyed by column path. */
function fill(sheet: ExcelJS.Worksheet, rowNumber: number, values: Record<string, unknown>): void {
  const header = sheet.getRow(1);
  for (let c = 1; c <= header.cellCount; c++) {
    const key = sheet.getColumn(c).key;
    if (key && key in values) sheet.getRow(rowNumber).getCell(c).value = values[key] as ExcelJS.CellValue;
  }
}

const GOOD_FIGURES = {
  'figures.members': 40,
  'figures.studied': 39,
  'figures.withPersonalPlan': 40,
  'figures.keptPledge': 38,
  'figures.violatedPledge': 1,
  'figures.modelsBuilt': 2,
  'figures.discussionSessions': 4,
  'figures.commendedOrgs': 1,
  'figures.commendedMembers': 3,
  'figures.proposedOrgs': 0,
  'figures.proposedMembers': 1,
  'figures.contests': 1,
  'figures.contestParticipants': 35,
  'figures.charityVnd': '15.000.000',
  'figures.inspections.committee.inspectedOrgs': 1,
  'figures.inspections.committee.inspectedMembers': 2,
  'figures.inspections.committee.supervisedOrgs': 0,
  'figures.inspections.committee.supervisedMembers': 1,
  'figures.inspections.ubkt.inspectedOrgs': 0,
  'figures.inspections.ubkt.inspectedMembers': 0,
  'figures.inspections.ubkt.supervisedOrgs': 1,
  'figures.inspections.ubkt.supervisedMembers': 0,
  'figures.membersDisciplined': 0,
  'narrative.results': 'Chi bộ tổ chức học tập chuyên đề năm đầy đủ, đảng viên xây dựng kế hoạch cá nhân.',
  'narrative.limitations': 'Một số đảng viên chưa thực hiện tốt cam kết, cần tiếp tục nhắc nhở.',
};

async function roundTrip(wb: ExcelJS.Workbook) {
  const buffer = Buffer.from(await wb.xlsx.writeBuffer());
  return readPastYearWorkbook(buffer, 'so-lieu-2022.xlsx');
}

describe('the past-years template', () => {
  it('has the info sheet, the units sheet and one sheet per kind of committee record, headers with their rules in notes', async () => {
    const wb = await buildTemplate({
      year: 2022,
      committeeCode: 'DUK-HT',
      units: [{ code: 'SO-TC', name: 'Chi bộ Sở Tài chính', kind: 'chi-bo-co-so' }],
    });
    expect(wb.worksheets.map((s) => s.name)).toEqual([INFO_SHEET, UNITS_SHEET, ...RECORD_KINDS.map((k) => RECORD_SHEETS[k])]);
    for (const s of wb.worksheets) expect(s.name.length).toBeLessThanOrEqual(31);
    expect(wb.getWorksheet(INFO_SHEET)!.getCell('B1').value).toBe(2022);

    const units = wb.getWorksheet(UNITS_SHEET)!;
    const headers = (units.getRow(1).values as unknown[]).slice(1);
    // Every field of the year-end report's form is a column, headed by the label its messages use.
    const leaves = formLeaves(yearEndReportPhase.form).map((l) => l.path);
    expect(unitColumns().map((c) => c.path)).toEqual(['unit.code', 'unit.name', 'unit.kind', ...leaves]);
    expect(headers).toContain('Số đảng viên vi phạm cam kết');
    expect(headers).toContain('Ủy ban kiểm tra cơ sở, số tổ chức đảng được giám sát');
    expect(headers).toContain('Kết quả đạt được');
    expect(new Set(headers).size).toBe(headers.length);
    const studied = units.getRow(1).getCell(headers.indexOf('Số đảng viên đã học tập') + 1);
    expect(noteText(studied.note)).toContain('Bắt buộc.');
    expect(noteText(studied.note)).toContain('Không lớn hơn cột “Tổng số đảng viên”');
    expect(units.getRow(2).getCell(1).value).toBe('SO-TC');
    expect(units.getRow(2).getCell(3).value).toBe('Chi bộ cơ sở');

    for (const kind of RECORD_KINDS) {
      // The sheet's columns are the schema's fields, no more, no fewer.
      const shape = Object.keys((RECORD_SCHEMAS[kind] as unknown as { shape: Record<string, unknown> }).shape).sort();
      expect(
        recordColumns(kind)
          .map((c) => c.path)
          .sort(),
      ).toEqual(shape);
      const sheet = wb.getWorksheet(RECORD_SHEETS[kind])!;
      const row = sheet.getRow(1);
      recordColumns(kind).forEach((c, i) => {
        expect(row.getCell(i + 1).value).toBe(c.header);
        expect(noteText(row.getCell(i + 1).note)).toContain(c.required ? 'Bắt buộc.' : 'Không bắt buộc');
      });
    }
    const doc = wb.getWorksheet(RECORD_SHEETS.document)!.getRow(1);
    expect((doc.values as unknown[]).slice(1)).toEqual(['Loại văn bản', 'Số, ký hiệu', 'Ngày ban hành', 'Trích yếu']);
    expect(noteText(doc.getCell(1).note)).toContain('“Kế hoạch” (ke-hoach)');
  });
});

describe('reading a filled workbook', () => {
  it('parses good rows with the same schemas as the form and the records API', async () => {
    const wb = await buildTemplate({ year: 2022 });
    fill(wb.getWorksheet(UNITS_SHEET)!, 2, {
      'unit.code': 'SO-TC',
      'unit.name': 'Chi bộ Sở Tài chính',
      'unit.kind': 'Đảng bộ cơ sở',
      ...GOOD_FIGURES,
    });
    fill(wb.getWorksheet(RECORD_SHEETS.document)!, 2, {
      type: 'Kế hoạch',
      number: 'Số 25-KH/ĐUK',
      issuedOn: new Date(Date.UTC(2022, 10, 10)),
      title: 'Kế hoạch thực hiện Kết luận số 01-KL/TW',
    });
    fill(wb.getWorksheet(RECORD_SHEETS.conference)!, 2, {
      heldOn: '10/03/2022',
      theme: 'Hội nghị quán triệt Chủ đề năm 2022',
      kind: 'Chủ đề năm',
      online: 'Có',
      connectionPoints: 132,
      attendees: '4.686',
    });
    const r = await roundTrip(wb);
    expect(r.errors.map(formatIssue)).toEqual([]);
    expect(r.year).toBe(2022);
    expect(r.units).toHaveLength(1);
    const u = r.units[0]!;
    expect(u).toMatchObject({
      code: 'SO-TC',
      kind: 'dang-bo-co-so',
      members: 40,
      origin: { workbook: 'so-lieu-2022.xlsx', sheet: UNITS_SHEET, row: 2 },
    });
    // Exactly what the phase's form conversion and schema make of the same values.
    const fields = Object.fromEntries(Object.entries(GOOD_FIGURES).map(([k, v]) => [k, String(v)]));
    expect(u.payload).toEqual(yearEndReportPhase.schema({ members: 40 }).parse(yearEndReportPhase.fromForm(fields)));
    expect((u.payload.figures as { charityVnd: number }).charityVnd).toBe(15_000_000);
    expect(r.records).toEqual([
      {
        kind: 'document',
        origin: { workbook: 'so-lieu-2022.xlsx', sheet: RECORD_SHEETS.document, row: 2 },
        payload: { type: 'ke-hoach', number: '25-KH/ĐUK', issuedOn: '2022-11-10', title: 'Kế hoạch thực hiện Kết luận số 01-KL/TW' },
      },
      {
        kind: 'conference',
        origin: { workbook: 'so-lieu-2022.xlsx', sheet: RECORD_SHEETS.conference, row: 2 },
        payload: {
          heldOn: '2022-03-10',
          theme: 'Hội nghị quán triệt Chủ đề năm 2022',
          kind: 'chu-de-nam',
          online: true,
          connectionPoints: 132,
          attendees: 4686,
        },
      },
    ]);
  });

  it('names the sheet, row and column (as the header is written) of every error, in Vietnamese', async () => {
    const wb = await buildTemplate({ year: 2022 });
    const units = wb.getWorksheet(UNITS_SHEET)!;
    fill(units, 2, { 'unit.code': 'SO-TC', 'unit.name': 'Chi bộ Sở Tài chính', ...GOOD_FIGURES });
    fill(units, 3, {
      'unit.code': 'SO-YT',
      'unit.name': 'Chi bộ Sở Y tế',
      ...GOOD_FIGURES,
      'figures.violatedPledge': -1,
      'figures.studied': 41,
    });
    fill(units, 4, { 'unit.code': 'SO-TC', 'unit.name': 'Trùng mã', ...GOOD_FIGURES, 'figures.discussionSessions': 2.5 });
    fill(units, 5, { 'unit.code': 'SO-TP', 'unit.name': 'Chi bộ Sở Tư pháp' });
    // A clerk's own header spelling (other case, no diacritics) is matched and quoted back as written.
    units.getRow(1).getCell(unitColumns().findIndex((c) => c.path === 'figures.contests') + 1).value = 'so cuoc thi da to chuc, huong ung';
    fill(units, 6, { 'unit.code': 'SO-GD', 'unit.name': 'Chi bộ Sở Giáo dục', ...GOOD_FIGURES, 'figures.contests': 'nhiều' });
    fill(wb.getWorksheet(RECORD_SHEETS.contest)!, 2, { name: 'Cuộc thi tìm hiểu', heldOn: '31/02/2022', participants: 120 });
    fill(wb.getWorksheet(RECORD_SHEETS.commendation)!, 3, { decidedOn: '2022-12-01', level: 'cấp trên', organisations: 0, members: 0 });
    fill(wb.getWorksheet(RECORD_SHEETS.commendation)!, 4, { decidedOn: '2022-12-01', level: 'Tỉnh', organisations: 1, members: 0 });
    const r = await roundTrip(wb);
    const messages = r.errors.map(formatIssue);
    const at = (sheet: string, row: number, column: string) =>
      r.errors.filter((e) => e.sheet === sheet && e.row === row && e.column === column);

    const violated = at(UNITS_SHEET, 3, 'Số đảng viên vi phạm cam kết');
    expect(violated).toHaveLength(1);
    expect(violated[0]!.cell).toMatch(/^[A-Z]+3$/);
    expect(formatIssue(violated[0]!)).toMatch(
      /^Trang “Đơn vị”, dòng 3, cột “Số đảng viên vi phạm cam kết” \(ô [A-Z]+3\): không được là số âm$/,
    );
    expect(at(UNITS_SHEET, 3, 'Số đảng viên đã học tập')[0]!.message).toContain('không được lớn hơn');
    expect(at(UNITS_SHEET, 4, 'Mã đơn vị')[0]!.message).toBe('mã “SO-TC” trùng với dòng 2');
    expect(at(UNITS_SHEET, 4, 'Số buổi sinh hoạt chuyên đề')[0]!.message).toContain('cần là số nguyên');
    expect(r.errors.filter((e) => e.row === 5).map((e) => e.message)).toEqual([
      'đơn vị chưa có số liệu báo cáo năm (mọi cột số liệu đều trống): điền số liệu, hoặc xóa dòng nếu đơn vị không có trong năm',
    ]);
    expect(at(UNITS_SHEET, 6, 'so cuoc thi da to chuc, huong ung')[0]!.message).toContain('cần là số nguyên');
    expect(messages).toContain(
      'Trang “Cuộc thi”, dòng 2, cột “Ngày tổ chức (hoặc tổng kết)” (ô B2): ngày không hợp lệ, cần dạng năm-tháng-ngày (YYYY-MM-DD)',
    );
    expect(at(RECORD_SHEETS.commendation, 4, 'Cấp khen thưởng')[0]!.message).toContain('cần là một trong');
    expect(at(RECORD_SHEETS.commendation, 3, 'Số cá nhân được khen')[0]!.message).toContain('cần ít nhất một tập thể hoặc một cá nhân');
    // Only the good row is kept; nothing of a row with an error.
    expect(r.units.map((u) => u.origin.row)).toEqual([2]);
    expect(r.records).toEqual([]);
    for (const m of messages) expect(m.normalize('NFC')).toBe(m);
  });

  it('refuses an unknown column and a workbook without its year, saying where', async () => {
    const wb = await buildTemplate({ year: 2022 });
    const units = wb.getWorksheet(UNITS_SHEET)!;
    units.getRow(1).getCell(unitColumns().length + 1).value = 'Ghi chu khac';
    wb.getWorksheet(INFO_SHEET)!.getCell('B1').value = 'năm ngoái';
    const r = await roundTrip(wb);
    const messages = r.errors.map(formatIssue);
    expect(messages.find((m) => m.startsWith('Trang “Đơn vị”, dòng 1, cột “Ghi chu khac”'))).toContain('cột này không có trong mẫu');
    expect(messages).toContain(
      'Trang “Thông tin”, dòng 1, cột “B” (ô B1): năm của số liệu cần là bốn chữ số, ví dụ 2023 (ô đang ghi “năm ngoái”)',
    );
    expect(r.year).toBeUndefined();
  });
});

describe('the template’s drop-downs', () => {
  it('offers the accepted words of a fixed-list column, and reads them back as the schema’s codes', async () => {
    const wb = await buildTemplate({ year: 2023 });
    const sheet = wb.getWorksheet(RECORD_SHEETS.inspection)!;
    const { default: Excel } = await import('exceljs');
    const again = new Excel.Workbook();
    await again.xlsx.load(await wb.xlsx.writeBuffer());
    const dv = again.getWorksheet(RECORD_SHEETS.inspection)!.getCell('A2').dataValidation;
    expect(dv).toMatchObject({ type: 'list', formulae: ['"Cấp trên (do Ban Thường vụ tham mưu),Ban Thường vụ,Ủy ban Kiểm tra"'] });
    fill(sheet, 2, {
      body: 'Ủy ban Kiểm tra',
      kind: 'Giám sát',
      heldOn: '2023-10-02',
      subject: 'Giám sát bí thư chi bộ',
      organisations: 1,
      members: 1,
    });
    fill(wb.getWorksheet(UNITS_SHEET)!, 2, { 'unit.code': 'SO-TC', 'unit.name': 'Chi bộ Sở Tài chính', ...GOOD_FIGURES });
    const r = await roundTrip(wb);
    expect(r.errors).toEqual([]);
    expect(r.records[0]?.payload).toMatchObject({ body: 'ubkt', kind: 'giam-sat' });
  });
});
