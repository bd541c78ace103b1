/**
 * The three-year review compiled from three frozen years written by the seed-history generator, on the real
 * PostgreSQL: the DOCX read back states the seed's figures; every figure is explained down to submissions that
 * hold those values; recompiling gives the same bytes even after a submission is changed behind the freeze; the
 * register numbers reports through the term; LibreOffice opens the DOCX (PDF and a first-page PNG are kept).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadCycleFile } from '../../config/cycle.js';
import { loadReportConfig, type ReportConfig } from '../../config/report.js';
import { registerCycle } from '../../db/cycles.js';
import { frozenDataset } from '../../db/frozen.js';
import { createPool, type Db } from '../../db/pool.js';
import { REAL_CLOCK } from '../../domain/clock.js';
import { formatInt, formatPercent } from '../../domain/phases/common.js';
import { count, withBase } from '../../report/build.js';
import { compileReport, type CompileResult } from '../../report/compile.js';
import * as SEED from '../../demo-data/seed-figures.js';
import { writeSeedHistory } from '../../demo-data/seed-history.js';
import { projectRoot } from '../../config/paths.js';
import { convertDocument, ensureLibreOffice } from '../../stack/libreoffice.js';
import { docxText } from '../support/docx-text.js';
import { writeFixture } from '../support/fixtures.js';
import { chuky } from '../support/processes.js';

const COMMITTEE = 'RPT';
const ARTIFACTS = path.join(projectRoot(), 'test', 'artifacts', 'report');

describe('the three-year review compiled from frozen cycles', () => {
  const services = inject('services');
  let db: Db;
  let out: string;
  let config: ReportConfig;
  let first: CompileResult;
  let text: string;
  let footnotes: string;

  const compile = (selection: Parameters<typeof compileReport>[1]['selection'], dir = out) =>
    compileReport(db, { selection, config, outDir: dir, actor: 'test' });

  beforeAll(async () => {
    db = createPool(services.databaseUrl);
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'chuky-report-'));
    config = { ...loadReportConfig(path.join(projectRoot(), 'config', 'demo', 'report.yaml')), date: '2024-01-15' };
    const written = await writeSeedHistory(db, { committeeCode: COMMITTEE });
    expect(written.cycleIds).toEqual(['RPT-2021', 'RPT-2022', 'RPT-2023']);
    first = await compile({ committeeCode: COMMITTEE, years: [2021, 2022, 2023] });
    const doc = await docxText(fs.readFileSync(first.files.docx));
    text = doc.body.join('\n');
    footnotes = doc.footnotes.join('\n');
  }, 180_000);

  afterAll(async () => {
    await db?.end();
  });

  it('has the header, number, date, title, signature and recipients of a Party document', () => {
    expect(first.number).toBe('Số 12-BC/ĐUK');
    for (const s of [
      'ĐẢNG BỘ TỈNH HÀ TĨNH',
      'ĐẢNG ỦY KHỐI CÁC CƠ QUAN VÀ DOANH NGHIỆP TỈNH',
      'ĐẢNG CỘNG SẢN VIỆT NAM',
      'Số 12-BC/ĐUK',
      'Hà Tĩnh, ngày 15 tháng 01 năm 2024',
      'BÁO CÁO',
    ]) {
      expect(text).toContain(s);
    }
    expect(text).toContain('sơ kết 03 năm triển khai Kết luận số 01-KL/TW');
    for (const part of [
      'I. CÔNG TÁC LÃNH ĐẠO',
      'II. KẾT QUẢ TỔ CHỨC TRIỂN KHAI THỰC HIỆN',
      'III. ĐÁNH GIÁ CHUNG',
      'IV. PHƯƠNG HƯỚNG, NHIỆM VỤ, GIẢI PHÁP VÀ KIẾN NGHỊ',
    ])
      expect(text).toContain(part);
    expect(text).toContain('Nơi nhận:');
    expect(text).toContain('Ban Tuyên giáo Tỉnh ủy, (để báo cáo)');
    expect(text).toContain('T/M BAN THƯỜNG VỤ');
    expect(text).toContain('Hà Thị Sâm');
    expect(text.normalize('NFC')).toBe(text);
  });

  it('states the seed’s directive documents, conferences and study figures', () => {
    expect(text).toContain(`đã ban hành ${SEED.DOCUMENTS_TOTAL} văn bản chỉ đạo, hướng dẫn thực hiện`);
    expect(footnotes).toContain('Gồm 05 kế hoạch, 02 chương trình, 07 công văn, 04 giấy mời, 04 báo cáo.');
    expect(footnotes).toContain('Kế hoạch số 25-KH/ĐUK, ngày 10/11/2021');
    for (const c of SEED.SEED_CONFERENCES) {
      expect(footnotes).toContain(
        `kết nối đường truyền đến ${count(c.connectionPoints)} điểm cầu với ${formatInt(c.attendees)} đảng viên được học tập`,
      );
    }
    const studied = SEED.sumYears(SEED.STUDIED);
    expect(text).toContain(
      `Toàn Đảng bộ có ${formatPercent(studied, SEED.MEMBER_YEARS_TOTAL)} đảng viên được học tập các ` +
        `chuyên đề hằng năm (${formatInt(studied)} trên 21.200 lượt đảng viên)`,
    );
    for (const y of SEED.SEED_YEARS) expect(footnotes).toContain(`ăm ${y}: ${withBase(SEED.STUDIED[y], SEED.MEMBERS[y], 'đảng viên')}`);
    expect(footnotes).toContain(
      `Năm 2022 có ${SEED.TU_SOI_TU_SUA_UNITS[2022]} đơn vị, năm 2023 ` +
        `có ${SEED.TU_SOI_TU_SUA_UNITS[2023]} đơn vị tổ chức sinh hoạt chuyên đề “Tự soi, tự sửa”.`,
    );
  });

  it('states the seed’s pledges, models, commendations and contests', () => {
    expect(footnotes).toContain(
      `toàn đảng bộ có 100% cán bộ, đảng viên xây dựng kế hoạch học tập và làm theo tư tưởng, đạo ` +
        `đức, phong cách Hồ Chí Minh (21.200 trên 21.200 lượt đảng viên)`,
    );
    expect(footnotes).toContain(
      `trong đó có 98,9% cán bộ, đảng viên thực hiện tốt cam kết (20.969 trên 21.200 lượt đảng ` +
        `viên), có ${SEED.VIOLATED_PLEDGE_TOTAL} đảng viên vi phạm cam kết thực hiện`,
    );
    expect(footnotes).toContain(`Đảng bộ có ${SEED.MODELS_TOTAL} mô hình tiêu biểu được xây dựng`);
    const C = SEED.COMMENDATION_TOTALS;
    expect(text).toContain(`Ban Thường vụ Đảng ủy Khối đã khen thưởng đối với ${C.banThuongVuOrgs} tổ chức cơ sở đảng`);
    expect(text).toContain(
      `${count(C.banThuongVuMembers)} đảng viên; đề nghị cấp trên khen thưởng ${C.capTrenOrgs} tổ ` +
        `chức cơ sở đảng, ${count(C.capTrenMembers)} cá nhân; ${count(C.trungUongMembers)} cá nhân được ` +
        `cấp Trung ương khen thưởng; tuyên dương ${C.tuyenDuongMembers} điển hình`,
    );
    expect(footnotes).toContain(
      `Năm 2021 Ban Thường vụ Đảng ủy Khối khen thưởng ${C.banThuongVuOrgsByYear[2021]} tổ chức cơ ` +
        `sở đảng, năm 2022 Ban Thường vụ Đảng ủy Khối khen thưởng ${C.banThuongVuOrgsByYear[2022]} tổ ` +
        `chức cơ sở đảng, năm 2023 Ban Thường vụ Đảng ủy Khối khen ` +
        `thưởng ${C.banThuongVuOrgsByYear[2023]} tổ chức cơ sở đảng.`,
    );
    for (const c of SEED.SEED_CONTESTS)
      expect(footnotes).toContain(`${c.name} (năm ${c.cycleYear}), với ${formatInt(c.participants)} lượt người tham gia dự thi`);
  });

  it('states the seed’s inspections and supervision at every level, and the members disciplined', () => {
    const T = SEED.COMMITTEE_INSPECTION_TOTALS;
    const G = SEED.GRASSROOTS_INSPECTION_TOTALS;
    expect(text).toContain(
      `Ban Thường vụ Đảng ủy Khối đã tham mưu cho cấp trên kiểm ` +
        `tra ${count(T['cap-tren']['kiem-tra'].orgs)} tổ chức đảng ` +
        `và ${count(T['cap-tren']['kiem-tra'].members)} đảng viên`,
    );
    expect(text).toContain(
      `Ban Thường vụ Đảng ủy Khối đã tổ chức kiểm tra ${count(T['ban-thuong-vu']['kiem-tra'].orgs)} ` +
        `tổ chức đảng và ${count(T['ban-thuong-vu']['kiem-tra'].members)} đảng viên; giám ` +
        `sát ${count(T['ban-thuong-vu']['giam-sat'].orgs)} tổ chức đảng ` +
        `và ${count(T['ban-thuong-vu']['giam-sat'].members)} đảng viên`,
    );
    expect(text).toContain(
      `Ủy ban Kiểm tra Đảng ủy Khối kiểm tra ${count(T.ubkt['kiem-tra'].orgs)} tổ chức đảng ` +
        `và ${count(T.ubkt['kiem-tra'].members)} đảng viên; giám sát ${count(T.ubkt['giam-sat'].orgs)} ` +
        `tổ chức đảng và ${count(T.ubkt['giam-sat'].members)} đảng viên`,
    );
    expect(text).toContain(
      `Cấp ủy cơ sở kiểm tra ${G.committee.inspectedOrgs} tổ chức đảng ` +
        `và ${G.committee.inspectedMembers} đảng viên; giám sát ${G.committee.supervisedOrgs} tổ chức ` +
        `đảng và ${G.committee.supervisedMembers} đảng viên.`,
    );
    expect(text).toContain(
      `Ủy ban kiểm tra cơ sở kiểm tra ${G.ubkt.inspectedOrgs} tổ chức đảng; giám ` +
        `sát ${G.ubkt.supervisedOrgs} tổ chức đảng và ${G.ubkt.supervisedMembers} đảng viên.`,
    );
    expect(text).toContain(`xử lý kỷ luật ${SEED.MEMBERS_DISCIPLINED_TOTAL} đảng viên`);
  });

  it('names the units late or missing per phase, embeds its charts and drafts narrative from the units', async () => {
    const data = JSON.parse(fs.readFileSync(first.files.json, 'utf8'));
    const missingPlan = data.standings
      .filter((s: { phase: string }) => s.phase === 'plan')
      .flatMap((s: { missing: { name: string }[] }) => s.missing);
    expect(missingPlan.length).toBeGreaterThan(0);
    expect(text).toContain('PHỤ LỤC 1');
    for (const u of missingPlan) expect(text).toContain(u.name);
    const doc = await docxText(fs.readFileSync(first.files.docx));
    expect(doc.media.filter((m) => m.endsWith('.png')).length).toBeGreaterThanOrEqual(3);
    // Narrative groups name how many units said it, and who.
    expect(text).toMatch(/\(\d+ đơn vị: [^)]+\)/);
    const html = fs.readFileSync(first.files.html, 'utf8');
    expect(html).toContain('Số 12-BC/ĐUK');
    expect(html).toContain('<svg');
    expect(html).toContain('98,9% cán bộ, đảng viên thực hiện tốt cam kết (20.969 trên 21.200 lượt đảng viên)');
  });

  it('explains a figure down to the submissions it was summed from', async () => {
    const r = await chuky(['report', 'explain', 'unit.violatedPledge', '--years', '2021-2023', '--committee', COMMITTEE, '--json'], {
      DATABASE_URL: services.databaseUrl,
    });
    expect(r.stderr).toBe('');
    const e = JSON.parse(r.stdout);
    expect(e.total).toBe(SEED.VIOLATED_PLEDGE_TOTAL);
    expect(e.figure.byYear).toEqual({
      2021: SEED.VIOLATED_PLEDGE[2021],
      2022: SEED.VIOLATED_PLEDGE[2022],
      2023: SEED.VIOLATED_PLEDGE[2023],
    });
    const ids = e.contributions.map((c: { source: { submissionId: number } }) => c.source.submissionId);
    const { rows } = await db.query("SELECT id, (payload->'figures'->>'violatedPledge')::int AS v FROM submissions WHERE id = ANY($1)", [
      ids,
    ]);
    const byId = new Map(rows.map((x) => [Number(x.id), x.v]));
    for (const c of e.contributions) expect(byId.get(c.source.submissionId)).toBe(c.value);
    const human = await chuky(['report', 'explain', 'conferences.attendees@2022', '--years', '2021-2023', '--committee', COMMITTEE], {
      DATABASE_URL: services.databaseUrl,
    });
    expect(human.stdout).toContain(
      `total ${SEED.SEED_CONFERENCES.filter((c) => c.cycleYear === 2022).reduce((n, c) => n + c.attendees, 0)} in 2022`,
    );
    const unknown = await chuky(['report', 'explain', 'pledges.violated', '--years', '2021-2023', '--committee', COMMITTEE], {
      DATABASE_URL: services.databaseUrl,
    });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no figure "pledges.violated"');
  });

  it('recompiles to the same bytes and number, even after a submission is changed behind the freeze', async () => {
    const again = await compile(
      { cycleIds: ['RPT-2021', 'RPT-2022', 'RPT-2023'] },
      fs.mkdtempSync(path.join(os.tmpdir(), 'chuky-report-')),
    );
    expect(again.number).toBe(first.number);
    expect(again.numberCreated).toBe(false);
    expect(again.docxSha256).toBe(first.docxSha256);

    const { rows } = await db.query(
      "SELECT id FROM submissions WHERE cycle_id = 'RPT-2023' AND phase = 'year-end-report' ORDER BY id LIMIT 1",
    );
    await db.query("UPDATE submissions SET payload = jsonb_set(payload, '{figures,violatedPledge}', '999') WHERE id = $1", [rows[0].id]);
    const live = await frozenDataset(db, 'RPT-2023');
    expect(JSON.stringify(live)).toContain('"violatedPledge":999');
    const after = await compile(
      { committeeCode: COMMITTEE, years: [2021, 2022, 2023] },
      fs.mkdtempSync(path.join(os.tmpdir(), 'chuky-report-')),
    );
    expect(after.docxSha256).toBe(first.docxSha256);
    await expect(db.query("UPDATE frozen_snapshots SET sha256 = 'x' WHERE cycle_id = 'RPT-2023'")).rejects.toThrow(/immutable/);
  });

  it('numbers reports per type through the term and refuses a cycle not yet frozen', async () => {
    const { subject: _threeYears, ...yearConfig } = config;
    const year = await compileReport(db, {
      selection: { cycleIds: ['RPT-2023'] },
      config: yearConfig,
      outDir: fs.mkdtempSync(path.join(os.tmpdir(), 'chuky-report-')),
      actor: 'test',
    });
    expect(year.number).toBe('Số 13-BC/ĐUK');
    const doc = await docxText(fs.readFileSync(year.files.docx));
    expect(doc.body.join('\n')).toContain('kết quả thực hiện Kết luận số 01-KL/TW');
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    fs.copyFileSync(year.files.docx, path.join(ARTIFACTS, path.basename(year.files.docx)));
    const fx = writeFixture({ code: 'RPTOPEN', issuedOn: '2027-01-10', deadline: '2027-02-15', units: 1 });
    const loaded = loadCycleFile(fx.file);
    await registerCycle(db, { id: 'RPTOPEN-2027', definition: loaded.definition, units: loaded.units, clock: REAL_CLOCK });
    await expect(compile({ cycleIds: ['RPTOPEN-2027'] })).rejects.toThrow(/not frozen yet: RPTOPEN-2027.*chuky cycle close/);
  });

  it('works from the command line: example data, compile, figures', async () => {
    const env = { DATABASE_URL: services.databaseUrl };
    const seed = await chuky(['report', 'example-data', '--committee', 'RPTC', '--units', '100', '--json'], env);
    expect(seed.stderr).toBe('');
    expect(JSON.parse(seed.stdout)).toMatchObject({ cycleIds: ['RPTC-2021', 'RPTC-2022', 'RPTC-2023'], created: [true, true, true] });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chuky-report-cli-'));
    const compiled = await chuky(
      [
        'report',
        'compile',
        '--years',
        '2021-2023',
        '--committee',
        'RPTC',
        '--out',
        dir,
        '--config',
        path.join(projectRoot(), 'config', 'demo', 'report.yaml'),
      ],
      env,
    );
    expect(compiled.code).toBe(0);
    expect(compiled.stdout).toMatch(/^Số \d+-BC\/ĐUK \(new number in the register\), dated \d{4}-\d{2}-\d{2}/);
    expect(fs.readdirSync(dir).sort()).toEqual(['RPTC-so-ket-2021-2023.docx', 'RPTC-so-ket-2021-2023.html', 'RPTC-so-ket-2021-2023.json']);
    const figures = await chuky(['report', 'figures', '--years', '2021-2023', '--committee', 'RPTC', '--json'], env);
    const violated = JSON.parse(figures.stdout).find((f: { id: string }) => f.id === 'unit.violatedPledge');
    expect(violated.value).toBe(SEED.VIOLATED_PLEDGE_TOTAL);
    const bad = await chuky(['report', 'compile', '--years', '2031-2029', '--out', dir], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--years: 2029 is before 2031');
  });

  it(
    'opens in LibreOffice: converted to PDF, first page kept as PNG',
    async () => {
      const soffice = await ensureLibreOffice();
      fs.mkdirSync(ARTIFACTS, { recursive: true });
      fs.copyFileSync(first.files.docx, path.join(ARTIFACTS, path.basename(first.files.docx)));
      fs.copyFileSync(first.files.html, path.join(ARTIFACTS, path.basename(first.files.html)));
      const [pdf, png] = await Promise.all([
        convertDocument(first.files.docx, 'pdf', ARTIFACTS, { soffice }),
        convertDocument(first.files.docx, 'png', ARTIFACTS, { soffice }),
      ]);
      const pdfBytes = fs.readFileSync(pdf);
      expect(pdfBytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      expect(pdfBytes.length).toBeGreaterThan(20_000);
      const pngBytes = fs.readFileSync(png);
      expect(pngBytes.subarray(1, 4).toString('latin1')).toBe('PNG');
    },
    20 * 60_000,
  );
});
