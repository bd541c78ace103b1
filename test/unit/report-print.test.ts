/**
 * What the printed report says and how it is laid out, on small hand-made years: the document number written
 * "01", headings with nothing under them left out, Phụ lục 2 in Vietnamese rather than codes, the report's date
 * as given, narrative grouped per year without merging opposite or differently numbered sentences, and the
 * DOCX's paragraph spacing and charts written so LibreOffice cannot draw a chart over text.
 */
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import type { CommitteeInfo } from '../../config/cycle.js';
import { ConfigError } from '../../config/errors.js';
import { DEFAULT_REPORT_CONFIG, parseReportYaml, type ReportConfig } from '../../config/report.js';
import type { FrozenDataset } from '../../db/frozen.js';
import { buildReport, documentNumber, dropEmptyHeadings, formatMillions } from '../../report/build.js';
import { analyse, parseReportDate } from '../../report/compile.js';
import { fitWidth, renderDocx } from '../../report/docx.js';
import type { Block, ParagraphBlock, TableBlock } from '../../report/model.js';
import { groupNarratives, meaningKey, negations, numbers } from '../../report/narratives.js';
import type { YearInput } from '../../report/figures.js';

let nextId = 1;
const sub = (payload: unknown) => ({ id: nextId++, version: 1, late: false, submittedAt: '2023-03-01T01:00:00.000Z', payload });
const ob = (payload: unknown) => ({ status: 'submitted', escalationLevel: 0, deadline: '2023-02-15', submission: sub(payload) });

type Narrative = Partial<Record<'results' | 'strengths' | 'limitations' | 'causes' | 'proposals', string>>;

function unitOf(code: string, narrative: Narrative) {
  return {
    code,
    name: `Chi bộ ${code}`,
    kind: 'chi-bo',
    members: 20,
    active: true,
    removedReason: null,
    phases: {
      study: ob({ members: 20, studied: 20 }),
      'year-end-report': ob({ figures: { members: 20, studied: 20, withPersonalPlan: 20, keptPledge: 20, violatedPledge: 0 }, narrative }),
    },
  };
}

function yearOf(year: number, units: [string, Narrative][], committeeRecords: FrozenDataset['committeeRecords'] = []): YearInput {
  const data: FrozenDataset = {
    cycleId: `T-${year}`,
    frozenAt: `${year + 1}-01-10T00:00:00.000Z`,
    definition: {},
    units: units.map(([code, n]) => unitOf(code, n)),
    committeeRecords,
    inspections: [],
  };
  return { year, cycleId: `T-${year}`, data };
}

const committee: CommitteeInfo = {
  code: 'T',
  superior: 'Đảng bộ tỉnh Hà Tĩnh',
  name: 'Đảng ủy Khối các cơ quan và doanh nghiệp tỉnh',
  shortName: 'Đảng ủy Khối',
  documentCode: 'ĐUK',
  place: 'Hà Tĩnh',
  standingBody: { name: 'Ban Tuyên giáo Đảng ủy Khối', email: 'btg@example.vn' },
  leaders: [{ name: 'Hà Thị Sâm', title: 'Phó Bí thư Thường trực Đảng ủy Khối', email: 'sam@example.vn' }],
};

function build(years: YearInput[], config: ReportConfig = DEFAULT_REPORT_CONFIG) {
  return buildReport({
    years,
    committee,
    config,
    ...analyse(years),
    number: documentNumber(1, 'BC', 'ĐUK'),
    date: '2024-01-15',
    studyTargetPercent: 98,
  });
}

const textOf = (b: Block): string => (b.kind === 'paragraph' ? b.runs.map((r) => ('text' in r ? r.text : '')).join('') : '');
const headings = (blocks: Block[]) =>
  blocks.filter((b): b is ParagraphBlock => b.kind === 'paragraph' && b.style !== 'body' && b.style !== 'dash').map(textOf);

describe('the document number', () => {
  it('has two digits at least, as Party documents write it', () => {
    expect(documentNumber(1, 'BC', 'ĐUK')).toBe('Số 01-BC/ĐUK');
    expect(documentNumber(9, 'BC', 'ĐUK')).toBe('Số 09-BC/ĐUK');
    expect(documentNumber(12, 'BC', 'ĐUK')).toBe('Số 12-BC/ĐUK');
    expect(documentNumber(123, 'KH', 'ĐUK')).toBe('Số 123-KH/ĐUK');
    expect(build([yearOf(2023, [['A', {}]])]).header.number).toBe('Số 01-BC/ĐUK');
  });
});

describe('headings with nothing under them', () => {
  it('are left out: "2.2. Nguyên nhân" with no cause written, kept when a unit wrote one', () => {
    const none = build([yearOf(2023, [['A', { limitations: 'Một số đảng viên xây dựng kế hoạch cá nhân còn chung chung.' }]])]);
    expect(headings(none.body)).toContain('2.1. Về hạn chế, khuyết điểm');
    expect(headings(none.body)).not.toContain('2.2. Nguyên nhân');
    expect(headings(none.body)).not.toContain('Kiến nghị, đề xuất');
    const some = build([
      yearOf(2023, [
        [
          'A',
          {
            causes: 'Nhận thức của một số cấp ủy về việc học tập chưa đầy đủ.',
            proposals: 'Đề nghị cấp trên mở lớp bồi dưỡng cho bí thư chi bộ.',
          },
        ],
      ]),
    ]);
    expect(headings(some.body)).toContain('2.2. Nguyên nhân');
    expect(headings(some.body)).toContain('Kiến nghị, đề xuất');
    // The committee's own text for a section counts as content too.
    const own = build([yearOf(2023, [['A', {}]])], { ...DEFAULT_REPORT_CONFIG, text: { causes: ['Nguyên nhân do cấp ủy viết.'] } });
    expect(headings(own.body)).toContain('2.2. Nguyên nhân');
  });

  it('keeps a parent whose child has content and drops a parent whose children are all empty', () => {
    const h = (style: ParagraphBlock['style'], text: string): Block => ({ kind: 'paragraph', style, runs: [{ text }] });
    const blocks: Block[] = [
      h('part', 'I'),
      h('section', '1'),
      h('subsection', '1.1'),
      h('body', 'nội dung'),
      h('subsection', '1.2'),
      h('section', '2'),
      h('subsection', '2.1'),
      h('part', 'II'),
      { kind: 'table', caption: 'Bảng', header: ['a'], rows: [] },
      h('part', 'III'),
    ];
    expect(dropEmptyHeadings(blocks).map((b) => (b.kind === 'paragraph' ? textOf(b) : b.kind))).toEqual([
      'I',
      '1',
      '1.1',
      'nội dung',
      'II',
      'table',
    ]);
  });
});

describe('Phụ lục 2', () => {
  it('names every figure in Vietnamese, not by its internal codes', () => {
    const records = [
      { id: 1, kind: 'document', payload: { type: 'bao-cao', number: '12-BC/ĐUK', issuedOn: '2023-05-01', title: 'Báo cáo' } },
      { id: 2, kind: 'document', payload: { type: 'ke-hoach', number: '25-KH/ĐUK', issuedOn: '2023-01-10', title: 'Kế hoạch' } },
      {
        id: 3,
        kind: 'commendation',
        payload: { form: 'khen-thuong', level: 'ban-thuong-vu', organisations: 3, members: 5, decidedOn: '2023-12-01' },
      },
      {
        id: 4,
        kind: 'commendation',
        payload: { form: 'tuyen-duong', level: 'cap-tren', organisations: 0, members: 2, decidedOn: '2023-12-02' },
      },
      { id: 5, kind: 'charity', payload: { heldOn: '2023-10-01', description: 'Ủng hộ quỹ vì người nghèo', amountVnd: 20_150_000_000 } },
    ];
    const doc = build([yearOf(2022, [['A', {}]]), yearOf(2023, [['A', {}]], records)]);
    const heading = doc.appendices.findIndex((b) => b.kind === 'paragraph' && textOf(b).startsWith('PHỤ LỤC 2.'));
    const table = doc.appendices.slice(heading).find((b): b is TableBlock => b.kind === 'table')!;
    expect(table.header).toEqual(['TT', 'Nội dung', '2022', '2023', 'Cộng']);
    // No cell anywhere in the table is an internal code or id ("bao-cao", "documents.bao-cao", "charity.committeeVnd").
    for (const cell of [...table.header, ...table.rows.flat()]) {
      expect(cell, `a code in "${cell}"`).not.toMatch(/\b[a-z]+(?:-[a-z]+)+\b|\b[a-z]+\.[a-zA-Z]+/);
    }
    expect(table.rows.map((r) => r[0])).toEqual(table.rows.map((_, i) => String(i + 1)));
    // Amounts in đồng are given in millions.
    expect(table.rows.find((r) => r[1] === 'Triệu đồng do cấp ủy kêu gọi, ủng hộ')).toEqual(
      ['', 'Triệu đồng do cấp ủy kêu gọi, ủng hộ', '0', '20.150', '20.150'].map((c, i) => (i === 0 ? expect.any(String) : c)),
    );
    expect(formatMillions(20_150_000_000)).toBe('20.150');
    expect(formatMillions(1_500_000)).toBe('1,5');
    expect(formatMillions(0)).toBe('0');
    const labels = table.rows.map((r) => r[1]!);
    expect(labels).toContain('Báo cáo (văn bản chỉ đạo)');
    expect(labels).toContain('Tập thể được Ban Thường vụ khen thưởng');
    expect(labels).toContain('Cá nhân được Ban Thường vụ khen thưởng');
    expect(labels).toContain('Cá nhân được cấp trên tuyên dương');
  });
});

describe("the report's date", () => {
  it('is read from --date as YYYY-MM-DD or dd/mm/yyyy, and refuses a day that does not exist', () => {
    expect(parseReportDate('2024-01-15')).toBe('2024-01-15');
    expect(parseReportDate('15/01/2024')).toBe('2024-01-15');
    expect(parseReportDate('5/1/2024')).toBe('2024-01-05');
    expect(() => parseReportDate('31/02/2024')).toThrow('--date: 31/02/2024 is not a day of the calendar');
    expect(() => parseReportDate('2024-02-30')).toThrow(/not a day of the calendar/);
    expect(() => parseReportDate('15.01.2024')).toThrow('--date: expected a date such as 2024-01-15 or 15/01/2024, got "15.01.2024"');
  });

  it('is read from the settings’ date: in either form, with the file and line of a bad one', () => {
    expect(parseReportYaml('date: 2024-01-15\n', 'r.yaml').date).toBe('2024-01-15');
    expect(parseReportYaml('date: 15/01/2024\n', 'r.yaml').date).toBe('2024-01-15');
    expect(parseReportYaml('term: 2020-2025\n', 'r.yaml').date).toBeUndefined();
    try {
      parseReportYaml('term: 2020-2025\ndate: 31/02/2024\n', 'r.yaml');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as Error).message).toContain('r.yaml:2: date:');
    }
  });

  it('is printed in the header as given', () => {
    const doc = buildReport({
      years: [yearOf(2023, [['A', {}]])],
      committee,
      config: DEFAULT_REPORT_CONFIG,
      ...analyse([yearOf(2023, [['A', {}]])]),
      number: 'Số 01-BC/ĐUK',
      date: '2024-01-05',
      studyTargetPercent: 98,
    });
    expect(doc.header.placeAndDate).toBe('Hà Tĩnh, ngày 05 tháng 01 năm 2024');
    expect(doc.meta.date).toBe('2024-01-05');
  });
});

describe('the drafted narrative', () => {
  it('reads numbers as Vietnamese writes them, and counts negations', () => {
    expect(numbers('Có 1.234 đảng viên, đạt 98,9%; 05 chi bộ và 1,5 tỷ đồng')).toEqual(['1234', '98.9%', '5', '1.5']);
    expect(numbers('1.234')).toEqual(numbers('1234'));
    expect(numbers('98,9%')).not.toEqual(numbers('98,9'));
    expect(negations('Chi bộ chưa tổ chức, không có kinh phí')).toBe('chưa×1 không×1');
    expect(negations('Chi bộ đã tổ chức tốt')).toBe('');
    expect(meaningKey('Đã hoàn thành 100% kế hoạch')).not.toBe(meaningKey('Chưa hoàn thành 100% kế hoạch'));
  });

  it('never merges sentences whose negations or numbers differ, however many words they share', () => {
    const pairs: [string, string][] = [
      [
        'Chi bộ đã tổ chức sinh hoạt chuyên đề đầy đủ theo kế hoạch năm.',
        'Chi bộ chưa tổ chức sinh hoạt chuyên đề đầy đủ theo kế hoạch năm.',
      ],
      [
        'Đơn vị có kinh phí tổ chức các hoạt động học tập và làm theo Bác.',
        'Đơn vị không có kinh phí tổ chức các hoạt động học tập và làm theo Bác.',
      ],
      [
        'Đảng viên chẳng ngại khó khăn khi thực hiện cam kết học tập và làm theo.',
        'Đảng viên ngại khó khăn khi thực hiện cam kết học tập và làm theo.',
      ],
      [
        'Tỷ lệ đảng viên học tập chuyên đề đạt 98,9% so với kế hoạch đề ra.',
        'Tỷ lệ đảng viên học tập chuyên đề đạt 97,5% so với kế hoạch đề ra.',
      ],
      [
        'Chi bộ đã vận động ủng hộ 1.234 triệu đồng cho quỹ vì người nghèo.',
        'Chi bộ đã vận động ủng hộ 1.243 triệu đồng cho quỹ vì người nghèo.',
      ],
    ];
    for (const [a, b] of pairs) {
      const groups = groupNarratives(
        [
          yearOf(2023, [
            ['A', { limitations: a }],
            ['B', { limitations: b }],
          ]),
        ],
        'limitations',
      );
      expect(
        groups.map((g) => g.text),
        `${a} / ${b}`,
      ).toHaveLength(2);
      expect(groups.map((g) => g.units.map((u) => u.code))).toEqual([['A'], ['B']]);
    }
    // The same statement written two ways is still one group: "1.234" and "1234", "không" in both.
    const same = groupNarratives(
      [
        yearOf(2023, [
          ['A', { limitations: 'Chi bộ không có kinh phí tổ chức 1.234 hoạt động học tập.' }],
          ['B', { limitations: 'Chi bộ không có kinh phí để tổ chức 1234 hoạt động học tập.' }],
        ]),
      ],
      'limitations',
    );
    expect(same).toHaveLength(1);
    expect(same[0]!.units.map((u) => u.code)).toEqual(['A', 'B']);
  });

  it('groups per year: the same sentence in two years is two groups, each of one year', () => {
    const text = 'Một số đảng viên xây dựng kế hoạch cá nhân còn chung chung.';
    const years = [
      yearOf(2021, [
        ['A', { limitations: text }],
        ['B', { limitations: text }],
      ]),
      yearOf(2022, [['A', { limitations: text }]]),
      yearOf(2023, [['C', { limitations: 'Công tác tuyên truyền chưa thường xuyên, liên tục.' }]]),
    ];
    const groups = groupNarratives(years, 'limitations');
    expect(groups.map((g) => [g.years, g.units.map((u) => u.code)])).toEqual([
      [[2021], ['A', 'B']],
      [[2022], ['A']],
      [[2023], ['C']],
    ]);
    // The report names the year of each drafted line.
    const doc = build(years);
    const lines = doc.body.filter((b) => b.kind === 'paragraph' && b.draft && textOf(b).startsWith('- Một số đảng viên')).map(textOf);
    expect(lines).toEqual([
      '- Một số đảng viên xây dựng kế hoạch cá nhân còn chung chung (2 đơn vị: Chi bộ A, Chi bộ B; năm 2021).',
      '- Một số đảng viên xây dựng kế hoạch cá nhân còn chung chung (Chi bộ A; năm 2022).',
    ]);
  });
});

describe('the DOCX layout LibreOffice reads', () => {
  it('gives every line spacing a rule, and sets charts inline in their own auto-spaced paragraph within the text width', async () => {
    const years = [yearOf(2021, [['A', {}]]), yearOf(2022, [['A', {}]]), yearOf(2023, [['A', {}]])];
    const zip = await JSZip.loadAsync(await renderDocx(build(years)));
    const styles = await zip.file('word/styles.xml')!.async('string');
    const document = await zip.file('word/document.xml')!.async('string');
    const defaults = /<w:pPrDefault>[\s\S]*?<\/w:pPrDefault>/.exec(styles)![0];
    expect(defaults).toMatch(/<w:spacing [^>]*w:line="288"[^>]*w:lineRule="auto"|<w:spacing [^>]*w:lineRule="auto"[^>]*w:line="288"/);
    for (const xml of [styles, document]) {
      for (const spacing of xml.match(/<w:spacing [^>]*>/g) ?? []) {
        if (spacing.includes('w:line=')) expect(spacing).toContain('w:lineRule="auto"');
      }
    }
    const drawings = [...document.matchAll(/<w:p>(?:(?!<\/w:p>)[\s\S])*?<w:drawing>[\s\S]*?<\/w:p>/g)].map((m) => m[0]);
    expect(drawings.length).toBeGreaterThanOrEqual(3);
    for (const p of drawings) {
      expect(p).toContain('<wp:inline');
      expect(p).not.toContain('<wp:anchor');
      expect(p).toMatch(/<w:spacing [^>]*w:line="240"/);
      // Alone in its paragraph: no text run beside the picture.
      expect(p).not.toMatch(/<w:t[ >]/);
      const cx = Number(/<wp:extent cx="(\d+)"/.exec(p)![1]);
      // The text width (A4 less 30 mm and 15 mm margins) in EMU.
      expect(cx).toBeLessThanOrEqual(Math.round(((210 - 45) / 25.4) * 914400));
    }
    expect(fitWidth(640, 360)).toEqual({ width: 623, height: 350 });
    expect(fitWidth(500, 300)).toEqual({ width: 500, height: 300 });
  });
});
