/**
 * Past years imported, on the real PostgreSQL and through the built `chuky`: three templates written by
 * `report template` (units prefilled from the cycle file), filled with the seed review's figures (split over the
 * units), a dry run that finds an error (sheet, row and column named; nothing written), the imports, a second
 * import of a year refused, and `report compile --years` / `report explain` over the imported years: the seed's
 * totals, and every addend traced to its workbook row.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadReportConfig } from '../../config/report.js';
import { loadFrozenSnapshot } from '../../db/frozen.js';
import { createPool, type Db } from '../../db/pool.js';
import { compileReport } from '../../report/compile.js';
import * as SEED from '../../demo-data/seed-figures.js';
import { RECORD_SHEETS, UNITS_SHEET } from '../../report/past-years/columns.js';
import { projectRoot } from '../../config/paths.js';
import { writeFixture } from '../support/fixtures.js';
import { chuky } from '../support/processes.js';

const COMMITTEE = 'PYI';
const UNITS = 10;
const BY = 'Nguyễn Thị Lan, Ban Tuyên giáo';

/** total split over n parts, the remainder on the first ones (so a smaller total never exceeds a larger one part by part). */
const split = (total: number, n = UNITS): number[] => Array.from({ length: n }, (_, i) => Math.floor(total / n) + (i < total % n ? 1 : 0));

function unitFigures(year: SEED.SeedYear): Record<string, unknown>[] {
  const members = split(SEED.MEMBERS[year]);
  const studied = split(SEED.STUDIED[year]);
  const violated = split(SEED.VIOLATED_PLEDGE[year]);
  const models = split(SEED.MODELS[year]);
  const charity = split(SEED.UNIT_CHARITY_VND[year]);
  const disciplined = split(SEED.MEMBERS_DISCIPLINED[year]);
  const g = SEED.GRASSROOTS_INSPECTIONS[year];
  const grass = (level: 'committee' | 'ubkt', key: keyof SEED.GrassrootsCounts) => split(g[level][key]);
  const gi = {
    'committee.inspectedOrgs': grass('committee', 'inspectedOrgs'),
    'committee.inspectedMembers': grass('committee', 'inspectedMembers'),
    'committee.supervisedOrgs': grass('committee', 'supervisedOrgs'),
    'committee.supervisedMembers': grass('committee', 'supervisedMembers'),
    'ubkt.inspectedOrgs': grass('ubkt', 'inspectedOrgs'),
    'ubkt.inspectedMembers': grass('ubkt', 'inspectedMembers'),
    'ubkt.supervisedOrgs': grass('ubkt', 'supervisedOrgs'),
    'ubkt.supervisedMembers': grass('ubkt', 'supervisedMembers'),
  };
  return members.map((m, i) => ({
    'figures.members': m,
    'figures.studied': studied[i],
    'figures.withPersonalPlan': m,
    'figures.keptPledge': m - violated[i]!,
    'figures.violatedPledge': violated[i],
    'figures.modelsBuilt': models[i],
    'figures.discussionSessions': 4,
    'figures.commendedOrgs': 0,
    'figures.commendedMembers': 2,
    'figures.proposedOrgs': 0,
    'figures.proposedMembers': 0,
    'figures.contests': 1,
    'figures.contestParticipants': 50,
    // As a clerk types it, with thousands separators.
    'figures.charityVnd': charity[i]!.toLocaleString('de-DE'),
    ...Object.fromEntries(Object.entries(gi).map(([k, v]) => [`figures.inspections.${k}`, v[i]])),
    'figures.membersDisciplined': disciplined[i],
    'narrative.results': `Đơn vị tổ chức học tập chuyên đề năm ${year} đầy đủ, đảng viên xây dựng kế hoạch cá nhân gắn với nhiệm vụ.`,
    'narrative.limitations': 'Một số đảng viên chưa thực hiện tốt cam kết tu dưỡng, rèn luyện; sinh hoạt chuyên đề có lúc chưa sâu.',
  }));
}

/** The committee's records of the year, by record kind, as rows keyed by field. */
function recordRows(year: SEED.SeedYear): Record<keyof typeof RECORD_SHEETS, Record<string, unknown>[]> {
  const vnDate = (iso: string) => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;
  return {
    document: SEED.SEED_DOCUMENTS.filter((d) => d.cycleYear === year).map((d) => ({
      type: d.type,
      number: d.number,
      issuedOn: vnDate(d.issuedOn),
      title: d.title,
    })),
    conference: SEED.SEED_CONFERENCES.filter((c) => c.cycleYear === year).map((c) => ({
      heldOn: c.heldOn,
      theme: c.theme,
      kind: c.kind,
      online: 'Có',
      connectionPoints: c.connectionPoints,
      attendees: c.attendees,
    })),
    commendation: SEED.SEED_COMMENDATIONS.filter((c) => c.cycleYear === year).map((c) => ({
      decidedOn: c.decidedOn,
      decisionNumber: c.decisionNumber ?? '',
      level: c.level,
      form: c.form === 'tuyen-duong' ? 'Tuyên dương' : 'Khen thưởng',
      organisations: c.organisations,
      members: c.members,
      note: c.note,
    })),
    contest: SEED.SEED_CONTESTS.filter((c) => c.cycleYear === year).map((c) => ({
      name: c.name,
      heldOn: c.heldOn,
      participants: c.participants,
      prizes: c.prizes ?? '',
    })),
    charity: SEED.SEED_CHARITY.filter((c) => c.cycleYear === year).map((c) => ({
      description: c.description,
      amountVnd: c.amountVnd,
      heldOn: c.heldOn,
    })),
    inspection: SEED.COMMITTEE_INSPECTIONS.filter((c) => c.orgs[year] + c.members[year] > 0).map((c) => ({
      body: c.body,
      kind: c.kind,
      heldOn: `${year}-11-15`,
      subject: `Kiểm tra, giám sát thực hiện Kết luận số 01-KL/TW năm ${year}`,
      organisations: c.orgs[year],
      members: c.members[year],
    })),
  };
}

function fillRow(sheet: ExcelJS.Worksheet, rowNumber: number, values: Record<string, unknown>): void {
  const header = sheet.getRow(1);
  for (let c = 1; c <= header.cellCount; c++) {
    const key = sheet.getColumn(c).key;
    const v = key ? values[key] : undefined;
    if (v !== undefined && v !== '') sheet.getRow(rowNumber).getCell(c).value = v as ExcelJS.CellValue;
  }
}

/** Column keys are not stored in the file: set them again from the headers' order, as the template wrote them. */
async function openTemplate(file: string): Promise<ExcelJS.Workbook> {
  const { default: Excel } = await import('exceljs');
  const { recordColumns, unitColumns } = await import('../../report/past-years/columns.js');
  const wb = new Excel.Workbook();
  await wb.xlsx.readFile(file);
  const keyed = (sheet: ExcelJS.Worksheet, paths: string[]) => paths.forEach((p, i) => (sheet.getColumn(i + 1).key = p));
  keyed(
    wb.getWorksheet(UNITS_SHEET)!,
    unitColumns().map((c) => c.path),
  );
  for (const [kind, name] of Object.entries(RECORD_SHEETS))
    keyed(
      wb.getWorksheet(name)!,
      recordColumns(kind as keyof typeof RECORD_SHEETS).map((c) => c.path),
    );
  return wb;
}

describe('past years imported from workbooks', () => {
  const services = inject('services');
  const env = () => ({ DATABASE_URL: services.databaseUrl });
  let db: Db;
  let dir: string;
  let config: string;
  const files: Record<number, string> = {};

  beforeAll(async () => {
    db = createPool(services.databaseUrl);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chuky-import-year-'));
    config = writeFixture({
      code: COMMITTEE,
      issuedOn: '2027-01-11',
      deadline: '2027-02-15',
      units: UNITS,
      phases: [
        { id: 'plan', deadline: '2027-02-15' },
        { id: 'year-end-report', opensOn: '2027-11-01', deadline: '2027-12-15' },
      ],
    }).file;
    for (const year of SEED.SEED_YEARS) {
      const out = path.join(dir, `so-lieu-${year}.xlsx`);
      const r = await chuky(['report', 'template', '--year', String(year), '--out', out, '--config', config], env());
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`${UNITS} units prefilled`);
      const wb = await openTemplate(out);
      const units = wb.getWorksheet(UNITS_SHEET)!;
      // Prefilled from the cycle file's units list: code, name, kind.
      expect(units.getRow(2).getCell(1).value).toBe('U001');
      unitFigures(year).forEach((values, i) => fillRow(units, i + 2, values));
      for (const [kind, rows] of Object.entries(recordRows(year))) {
        const sheet = wb.getWorksheet(RECORD_SHEETS[kind as keyof typeof RECORD_SHEETS])!;
        rows.forEach((values, i) => fillRow(sheet, i + 2, values));
      }
      await wb.xlsx.writeFile(out);
      files[year] = out;
    }
  }, 180_000);

  afterAll(async () => {
    await db?.end();
  });

  it('dry-runs a workbook with an error: sheet, row and column named, nothing written, and a real run imports nothing', async () => {
    const bad = path.join(dir, 'so-lieu-2022-loi.xlsx');
    const wb = await openTemplate(files[2022]!);
    fillRow(wb.getWorksheet(UNITS_SHEET)!, 5, { 'figures.violatedPledge': -3 });
    fillRow(wb.getWorksheet(RECORD_SHEETS.conference)!, 2, { heldOn: '30/02/2022' });
    await wb.xlsx.writeFile(bad);

    const dry = await chuky(['cycle', 'import-year', '--file', bad, '--config', config, '--dry-run'], env());
    expect(dry.code).toBe(1);
    expect(dry.stdout).toContain(`Sẽ nhập năm 2022 của ${COMMITTEE} (chu kỳ ${COMMITTEE}-2022) từ sổ so-lieu-2022-loi.xlsx`);
    expect(dry.stdout).toMatch(/Trang “Đơn vị”, dòng 5, cột “Số đảng viên vi phạm cam kết” \(ô [A-Z]+5\): không được là số âm/);
    expect(dry.stdout).toMatch(/Trang “Hội nghị học tập, quán triệt”, dòng 2, cột “Ngày tổ chức” \(ô A2\): ngày không hợp lệ/);
    expect(dry.stdout).toContain('2 lỗi');
    const json = await chuky(['cycle', 'import-year', '--file', bad, '--config', config, '--dry-run', '--json'], env());
    expect(JSON.parse(json.stdout)).toMatchObject({
      dryRun: true,
      imported: false,
      units: UNITS - 1,
      errors: [
        { sheet: UNITS_SHEET, row: 5, column: 'Số đảng viên vi phạm cam kết' },
        { sheet: RECORD_SHEETS.conference, row: 2, column: 'Ngày tổ chức' },
      ],
    });

    const real = await chuky(['cycle', 'import-year', '--file', bad, '--config', config, '--by', BY], env());
    expect(real.code).toBe(1);
    expect(real.stderr).toContain('so-lieu-2022-loi.xlsx: 2 lỗi, không nhập gì');
    expect(real.stderr).toMatch(/Trang “Đơn vị”, dòng 5, cột “Số đảng viên vi phạm cam kết”/);
    for (const table of ['cycles', 'frozen_snapshots']) {
      const { rows } = await db.query(`SELECT count(*)::int AS n FROM ${table} WHERE ${table === 'cycles' ? 'id' : 'cycle_id'} LIKE $1`, [
        `${COMMITTEE}-%`,
      ]);
      expect(rows[0].n).toBe(0);
    }
    for (const table of ['units', 'submissions', 'committee_records', 'obligations']) {
      const { rows } = await db.query(`SELECT count(*)::int AS n FROM ${table} WHERE cycle_id LIKE $1`, [`${COMMITTEE}-%`]);
      expect(rows[0].n).toBe(0);
    }

    const clean = await chuky(['cycle', 'import-year', '--file', files[2022]!, '--config', config, '--dry-run'], env());
    expect(clean.code).toBe(0);
    expect(clean.stdout).toContain(`trang “Đơn vị”: ${UNITS} đơn vị, 7.050 đảng viên`);
    expect(clean.stdout).toContain('Không có lỗi.');
    const { rows } = await db.query('SELECT count(*)::int AS n FROM cycles WHERE id = $1', [`${COMMITTEE}-2022`]);
    expect(rows[0].n).toBe(0);
  });

  it('imports three years as frozen cycles marked with who imported them and when; a second import of a year is refused', async () => {
    const before = Date.now();
    for (const year of SEED.SEED_YEARS) {
      const r = await chuky(['cycle', 'import-year', '--file', files[year]!, '--config', config, '--by', BY, '--json'], env());
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({
        cycleId: `${COMMITTEE}-${year}`,
        imported: true,
        units: UNITS,
        members: SEED.MEMBERS[year],
        importedBy: BY,
        errors: [],
      });
    }
    const { rows } = await db.query(
      'SELECT id, status, frozen_at, imported_at, imported_by, imported_from FROM cycles WHERE committee_code = $1 ORDER BY year',
      [COMMITTEE],
    );
    expect(rows.map((r) => r.id)).toEqual(['PYI-2021', 'PYI-2022', 'PYI-2023']);
    for (const r of rows) {
      expect(r.status).toBe('closed');
      expect(r.imported_by).toBe(BY);
      expect(new Date(r.imported_at).getTime()).toBeGreaterThanOrEqual(before - 1000);
      expect(r.frozen_at).not.toBeNull();
      expect(r.imported_from.workbook).toBe(`so-lieu-${r.id.slice(-4)}.xlsx`);
      const snap = await loadFrozenSnapshot(db, r.id);
      expect(snap?.data.imported).toMatchObject({ by: BY, workbook: `so-lieu-${r.id.slice(-4)}.xlsx` });
      // The secretaries' contacts came from the cycle file's units list.
      expect(snap?.data.units[0]?.phases['year-end-report']?.submission?.origin).toEqual({
        workbook: `so-lieu-${r.id.slice(-4)}.xlsx`,
        sheet: UNITS_SHEET,
        row: 2,
      });
    }
    const { rows: secretaries } = await db.query("SELECT secretary_email FROM units WHERE cycle_id = 'PYI-2021' AND code = 'U001'");
    expect(secretaries[0].secretary_email).toBe(`bithu.u001@${COMMITTEE.toLowerCase()}.example.vn`);
    const { rows: audit } = await db.query("SELECT actor, action FROM audit_log WHERE cycle_id = 'PYI-2022'");
    expect(audit).toEqual([{ actor: BY, action: 'import-year' }]);

    // `cycle list` tells an imported year from one run in chuky, and links no workflow for it (none ever ran).
    const list = await chuky(['cycle', 'list', '--json'], { ...env(), TEMPORAL_UI_URL: 'http://127.0.0.1:8233' });
    expect(list.code, list.stderr).toBe(0);
    const listed = (
      JSON.parse(list.stdout) as { cycleId: string; imported: { at: string; by: string | null } | null; temporalUrl?: string }[]
    ).filter((c) => c.cycleId.startsWith(`${COMMITTEE}-`));
    expect(listed.map((c) => c.cycleId).sort()).toEqual(['PYI-2021', 'PYI-2022', 'PYI-2023']);
    for (const c of listed) {
      expect(c.imported?.by).toBe(BY);
      expect(new Date(c.imported!.at).getTime()).toBeGreaterThanOrEqual(before - 1000);
      expect(c.temporalUrl).toBeUndefined();
    }
    const text = await chuky(['cycle', 'list', '--lang', 'vi'], env());
    expect(text.stdout).toContain('Nhập từ sổ');
    expect(text.stdout).toMatch(new RegExp(`PYI-2022.*\\d{2}/\\d{2}/\\d{4} ${BY}`));

    const again = await chuky(['cycle', 'import-year', '--file', files[2022]!, '--config', config, '--by', 'Người khác'], env());
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`năm này đã có trong chuky: chu kỳ ${COMMITTEE}-2022 đã được nhập ngày`);
    expect(again.stderr).toContain(`bởi ${BY}`);
    const { rows: subs } = await db.query("SELECT count(*)::int AS n FROM submissions WHERE cycle_id = 'PYI-2022'");
    expect(subs[0].n).toBe(UNITS);
  });

  it('compiles the three imported years with the seed’s figures', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'chuky-import-year-report-'));
    const reportConfig = { ...loadReportConfig(path.join(projectRoot(), 'config', 'demo', 'report.yaml')), date: '2024-01-15' };
    const r = await compileReport(db, {
      selection: { committeeCode: COMMITTEE, years: [2021, 2022, 2023] },
      config: reportConfig,
      outDir: out,
      actor: 'test',
    });
    expect(fs.existsSync(r.files.docx)).toBe(true);
    const data = JSON.parse(fs.readFileSync(r.files.json, 'utf8'));
    const fig = (id: string) => data.figures.find((f: { id: string }) => f.id === id);
    const value = (id: string) => fig(id)?.value;
    expect(data.cycles.map((c: { cycleId: string }) => c.cycleId)).toEqual(['PYI-2021', 'PYI-2022', 'PYI-2023']);
    expect(value('units.counted')).toBe(3 * UNITS);
    expect(value('unit.members')).toBe(SEED.MEMBER_YEARS_TOTAL);
    expect(value('unit.studied')).toBe(SEED.sumYears(SEED.STUDIED));
    expect(value('unit.withPersonalPlan')).toBe(SEED.MEMBER_YEARS_TOTAL);
    expect(value('unit.keptPledge')).toBe(SEED.KEPT_PLEDGE_TOTAL);
    expect(value('unit.violatedPledge')).toBe(SEED.VIOLATED_PLEDGE_TOTAL);
    expect(fig('unit.violatedPledge').byYear).toEqual({
      2021: SEED.VIOLATED_PLEDGE[2021],
      2022: SEED.VIOLATED_PLEDGE[2022],
      2023: SEED.VIOLATED_PLEDGE[2023],
    });
    expect(value('unit.membersDisciplined')).toBe(SEED.MEMBERS_DISCIPLINED_TOTAL);
    expect(value('models.built')).toBe(SEED.MODELS_TOTAL);
    expect(value('unit.charityVnd')).toBe(SEED.sumYears(SEED.UNIT_CHARITY_VND));
    expect(value('documents.total')).toBe(SEED.DOCUMENTS_TOTAL);
    for (const [type, n] of Object.entries(SEED.DOCUMENTS_BY_TYPE)) expect(value(`documents.${type}`)).toBe(n);
    expect(value('conferences.count')).toBe(SEED.SEED_CONFERENCES.length);
    expect(value('conferences.attendees')).toBe(SEED.SEED_CONFERENCES.reduce((n, c) => n + c.attendees, 0));
    expect(value('contests.count')).toBe(SEED.SEED_CONTESTS.length);
    expect(value('charity.committeeVnd')).toBe(SEED.SEED_CHARITY.reduce((n, c) => n + c.amountVnd, 0));
    const C = SEED.COMMENDATION_TOTALS;
    expect(value('commendation.khen-thuong.ban-thuong-vu.orgs')).toBe(C.banThuongVuOrgs);
    expect(value('commendation.khen-thuong.ban-thuong-vu.members')).toBe(C.banThuongVuMembers);
    expect(value('commendation.khen-thuong.cap-tren.orgs')).toBe(C.capTrenOrgs);
    expect(value('commendation.tuyen-duong.ban-thuong-vu.members')).toBe(C.tuyenDuongMembers);
    const T = SEED.COMMITTEE_INSPECTION_TOTALS;
    for (const body of ['cap-tren', 'ban-thuong-vu', 'ubkt'] as const) {
      for (const kind of ['kiem-tra', 'giam-sat'] as const) {
        expect(value(`inspection.${body}.${kind}.orgs`)).toBe(T[body][kind].orgs);
        expect(value(`inspection.${body}.${kind}.members`)).toBe(T[body][kind].members);
      }
    }
    const G = SEED.GRASSROOTS_INSPECTION_TOTALS;
    for (const level of ['committee', 'ubkt'] as const) {
      for (const key of ['inspectedOrgs', 'inspectedMembers', 'supervisedOrgs', 'supervisedMembers'] as const)
        expect(value(`inspection.grassroots.${level}.${key}`)).toBe(G[level][key]);
    }
    // The same figures from the command line, as an operator runs it.
    const cli = await chuky(['report', 'figures', '--years', '2021-2023', '--committee', COMMITTEE, '--json'], env());
    expect(JSON.parse(cli.stdout).find((f: { id: string }) => f.id === 'unit.violatedPledge').value).toBe(SEED.VIOLATED_PLEDGE_TOTAL);
  });

  it('explains a figure of an imported year down to the workbook, sheet, row and column it was read from', async () => {
    const r = await chuky(
      ['report', 'explain', 'unit.violatedPledge@2022', '--years', '2021-2023', '--committee', COMMITTEE, '--json'],
      env(),
    );
    expect(r.stderr).toBe('');
    const e = JSON.parse(r.stdout);
    expect(e.total).toBe(SEED.VIOLATED_PLEDGE[2022]);
    expect(e.contributions).toHaveLength(UNITS);
    // Each addend is the value in the workbook's cell at the row and column it names.
    const wb = await openTemplate(files[2022]!);
    const units = wb.getWorksheet(UNITS_SHEET)!;
    const headers = (units.getRow(1).values as unknown[]).map((v) => (typeof v === 'string' ? v : '')); // headers are text; [0] is empty
    for (const c of e.contributions) {
      expect(c.origin).toMatchObject({ workbook: 'so-lieu-2022.xlsx', sheet: UNITS_SHEET, column: 'Số đảng viên vi phạm cam kết' });
      expect(units.getRow(c.origin.row).getCell(headers.indexOf(c.origin.column)).value).toBe(c.value);
      expect(units.getRow(c.origin.row).getCell(1).value).toBe(c.source.unitCode);
    }
    const human = await chuky(['report', 'explain', 'conferences.attendees@2023', '--years', '2021-2023', '--committee', COMMITTEE], env());
    expect(human.stdout).toContain(
      'workbook so-lieu-2023.xlsx, sheet “Hội nghị học tập, quán triệt”, row 2, column “Số người tham dự” (record',
    );
    expect(human.stdout).toContain(
      'workbook so-lieu-2023.xlsx, sheet “Hội nghị học tập, quán triệt”, row 3, column “Số người tham dự” (record',
    );
    const docs = await chuky(
      ['report', 'explain', 'documents.total@2021', '--years', '2021-2023', '--committee', COMMITTEE, '--json'],
      env(),
    );
    const d = JSON.parse(docs.stdout);
    expect(d.total).toBe(SEED.SEED_DOCUMENTS.filter((x) => x.cycleYear === 2021).length);
    expect(d.contributions.map((c: { origin: { sheet: string; row: number } }) => `${c.origin.sheet}:${c.origin.row}`)).toEqual(
      d.contributions.map((_: unknown, i: number) => `${RECORD_SHEETS.document}:${i + 2}`),
    );
  });
});
