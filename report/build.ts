/**
 * Builds the review report (parts I–IV as in the seed, figures in footnotes, appendices naming late and missing
 * units) from computed figures, phase standings and grouped unit narratives. Figures are stated with their base
 * ("20.969 trên 21.200 lượt đảng viên, 98,9%"); narrative drawn from units, or from defaults, is marked as a
 * draft for the clerk. Pure: the same inputs give the same document.
 */
import type { CommitteeInfo } from '../config/cycle.js';
import type { ReportConfig, ReportTextKey } from '../config/report.js';
import { formatVietnameseDate } from '../domain/calendar.js';
import { formatInt, formatPercent } from '../domain/phases/common.js';
import { DOCUMENT_TYPE_LABEL_VI, DOCUMENT_TYPES } from '../domain/records.js';
import { renderChart, type ChartSpec } from './charts.js';
import { countedUnits, normaliseTopic, slug, UNIT_SOURCES, pickNumber, type Figures, type YearInput } from './figures.js';
import type { Block, ChartBlock, FootnoteRef, ParagraphBlock, ReportDocument, Run } from './model.js';
import type { NarrativeField, NarrativeGroup } from './narratives.js';
import type { PhaseStanding } from './standings.js';
import { discrepancyNotes } from './discrepancies.js';

export interface BuildInput {
  years: YearInput[];
  committee: CommitteeInfo;
  config: ReportConfig;
  figures: Figures;
  standings: PhaseStanding[];
  narratives: Record<NarrativeField, NarrativeGroup[]>;
  /** "Số 12-BC/ĐUK" (from the register). */
  number: string;
  /** The report's date, YYYY-MM-DD. */
  date: string;
  /** The study target in percent (from the last cycle). */
  studyTargetPercent: number;
}

/** Counts as the seed writes them: "06", "24", "4.320". */
export function count(n: number): string {
  return n >= 0 && n < 10 ? `0${n}` : formatInt(n);
}

/**
 * The document number as Party documents write it: "Số 01-BC/ĐUK", the register's number with two digits at
 * least (Hướng dẫn 36-HD/VPTW), then the document type and the issuing body's code.
 */
export function documentNumber(n: number, docType: string, issuerCode: string): string {
  return `Số ${String(n).padStart(2, '0')}-${docType}/${issuerCode}`;
}

const HEADING_RANK: Partial<Record<ParagraphBlock['style'], number>> = { part: 1, section: 2, subsection: 3 };

/**
 * Headings with nothing under them are left out ("2.2. Nguyên nhân" when no cause was written): a heading keeps
 * its place when a paragraph, table or chart follows it before the next heading of its rank or higher.
 */
export function dropEmptyHeadings(blocks: Block[]): Block[] {
  const rank = (b: Block) => (b.kind === 'paragraph' ? HEADING_RANK[b.style] : undefined);
  return blocks.filter((block, i) => {
    const r = rank(block);
    if (r === undefined) return true;
    for (const next of blocks.slice(i + 1)) {
      if (next.kind === 'page-break') continue;
      const nr = rank(next);
      if (nr === undefined) return true;
      if (nr <= r) return false;
    }
    return false;
  });
}

/** A share as the report writes it: "98,9%", and "100%" when it is all of them. */
export function percent(part: number, whole: number): string {
  return whole > 0 && part === whole ? '100%' : formatPercent(part, whole);
}

/** "20.969 trên 21.200 lượt đảng viên" — the base, where the share is already stated. */
export function ofBase(part: number, whole: number, noun: string): string {
  return `${formatInt(part)} trên ${formatInt(whole)} ${noun}`;
}

/** "20.969 trên 21.200 lượt đảng viên, 98,9%". */
export function withBase(part: number, whole: number, noun: string): string {
  return `${ofBase(part, whole, noun)}, ${percent(part, whole)}`;
}

/** An amount in đồng as millions, the Vietnamese way: 20.150.000.000 → "20.150", 1.500.000 → "1,5". */
export function formatMillions(vnd: number): string {
  const millions = Math.round(vnd / 100_000) / 10;
  const whole = Math.trunc(millions);
  const tenth = Math.round(Math.abs(millions - whole) * 10);
  return `${formatInt(whole)}${tenth ? `,${tenth}` : ''}`;
}

/** "đồng" amounts: 20.150.000.000 đồng. */
const money = (n: number) => `${formatInt(n)} đồng`;

const longDate = (iso: string) => {
  const [y, m, d] = iso.split('-');
  return `ngày ${d} tháng ${m} năm ${y}`;
};

/** "A, B, C và 4 đơn vị khác". */
export function nameList(names: string[], max = 5): string {
  if (names.length <= max) return names.join(', ');
  return `${names.slice(0, max).join(', ')} và ${names.length - max} đơn vị khác`;
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const endSentence = (s: string) => (/[.!?…]$/.test(s) ? s : `${s}.`);

class Writer {
  readonly body: Block[] = [];
  readonly footnotes: Run[][] = [];

  fn(text: string | Run[]): FootnoteRef {
    this.footnotes.push(typeof text === 'string' ? [{ text }] : text);
    return { footnote: this.footnotes.length };
  }

  p(style: ParagraphBlock['style'], runs: Array<Run | string>, draft = false): void {
    const block: ParagraphBlock = { kind: 'paragraph', style, runs: runs.map((r) => (typeof r === 'string' ? { text: r } : r)) };
    if (draft) block.draft = true;
    this.body.push(block);
  }

  part(text: string) {
    this.p('part', [text]);
  }
  section(text: string) {
    this.p('section', [text]);
  }
  subsection(text: string) {
    this.p('subsection', [text]);
  }
}

export function buildReport(input: BuildInput): ReportDocument {
  const { years, committee, config, figures: F, standings, narratives } = input;
  const w = new Writer();
  const yearList = years.map((y) => y.year);
  const first = yearList[0]!;
  const last = yearList[yearList.length - 1]!;
  const multi = yearList.length > 1;
  const span = multi ? `${first}-${last}` : String(first);
  const inPeriod = multi ? `Trong ${count(yearList.length)} năm (${span})` : `Năm ${first}`;
  const inPeriodLower = multi ? `trong ${count(yearList.length)} năm (${span})` : `năm ${first}`;
  const memberNoun = multi ? 'lượt đảng viên' : 'đảng viên';
  const unitNoun = multi ? 'lượt đơn vị' : 'đơn vị';
  const short = committee.shortName ?? capitalise(committee.name.toLowerCase());
  const btv = `Ban Thường vụ ${short}`;
  const directive = config.directive;
  const own = (key: ReportTextKey): string[] | undefined => config.text[key];
  /** The committee's own paragraphs for a section, else the drafted ones. */
  const paragraphs = (key: ReportTextKey, drafted: string[]) => {
    const mine = own(key);
    for (const text of mine ?? drafted) w.p('body', [text], !mine);
  };
  /** The units' sentences, grouped within each year: the `max` most said of each year, the year named when several. */
  const groups = (field: NarrativeField, max: number) => {
    for (const year of yearList) {
      for (const g of narratives[field].filter((x) => x.years.length === 1 && x.years[0] === year).slice(0, max)) {
        const names = g.units.map((u) => u.name);
        const who = `${g.units.length > 1 ? `${g.units.length} đơn vị: ` : ''}${nameList(names)}`;
        w.p('dash', [`- ${endSentence(capitalise(g.text)).replace(/\.$/, '')} (${who}${multi ? `; năm ${year}` : ''}).`], true);
      }
    }
  };
  const byYear = (id: string, phrase: (year: number, v: number) => string) => yearList.map((y) => phrase(y, F.value(id, y))).join('; ');

  // ----------------------------------------------------------------------------------------------------------
  // Opening
  const subject =
    config.subject ??
    (multi
      ? `sơ kết ${count(yearList.length)} năm triển khai thực hiện ${directive} về tiếp tục đẩy mạnh ` +
        `học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh (${span})`
      : `kết quả thực hiện ${directive} về tiếp tục đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh năm ${first}`);
  w.p(
    'body',
    [config.basis ?? `Thực hiện sự chỉ đạo của cấp trên, ${btv} báo cáo kết quả thực hiện ${directive} ${inPeriodLower} như sau:`],
    !config.basis,
  );

  // ----------------------------------------------------------------------------------------------------------
  // I. Leadership and directive documents
  w.part(`I. CÔNG TÁC LÃNH ĐẠO, CHỈ ĐẠO, TỔ CHỨC TRIỂN KHAI THỰC HIỆN ${directive.toUpperCase()}`);
  const plans = allRecords(years, 'document').filter((r) => r.payload.type === 'ke-hoach');
  const planRefs: Run[] = plans.length
    ? [
        w.fn(
          plans.map((r) => `Kế hoạch số ${String(r.payload.number)}, ngày ${formatVietnameseDate(String(r.payload.issuedOn))}`).join('; ') +
            ` của ${btv}.`,
        ),
      ]
    : [];
  if (own('leadership')) paragraphs('leadership', []);
  else
    w.p(
      'body',
      [
        `Sau khi có các văn bản hướng dẫn, chỉ đạo của cấp trên, ${btv} đã xây dựng kế hoạch thực ` +
          `hiện ${directive} để lãnh đạo, chỉ đạo và hướng dẫn tổ chức cơ sở đảng triển khai thực hiện; ` +
          `hằng năm cụ thể hóa bằng các kế hoạch để thực hiện`,
        ...planRefs,
        '.',
      ],
      true,
    );
  const docTotal = F.value('documents.total');
  if (docTotal > 0) {
    const parts = DOCUMENT_TYPES.filter((t) => F.value(`documents.${t}`) > 0).map(
      (t) => `${count(F.value(`documents.${t}`))} ${DOCUMENT_TYPE_LABEL_VI[t].toLowerCase()}`,
    );
    w.p('body', [
      `Nhằm cụ thể hóa việc thực hiện, ${btv} đã ban hành ${count(docTotal)} văn bản chỉ đạo, hướng dẫn thực hiện`,
      w.fn(`Gồm ${parts.join(', ')}.`),
      `; giao ${committee.standingBody.name} làm cơ quan thường trực, tham mưu, giúp việc cho Ban ` +
        `Thường vụ trong việc chỉ đạo, hướng dẫn, theo dõi các tổ chức cơ sở đảng thực ` +
        `hiện ${directive}.`,
    ]);
  }
  const plan = sumStanding(standings, 'plan');
  if (plan.total > 0) {
    const done = plan.onTime + plan.late;
    const tail = [
      plan.late ? `${count(plan.late)} ${unitNoun} nộp chậm` : '',
      plan.missing ? `${count(plan.missing)} ${unitNoun} không nộp` : '',
    ]
      .filter(Boolean)
      .join(', ');
    w.p('body', [
      `Các tổ chức cơ sở đảng đã xây dựng kế hoạch cụ thể để triển khai thực ` +
        `hiện: ${withBase(done, plan.total - plan.exempted, unitNoun)} đã gửi kế ` +
        `hoạch${tail ? `, trong đó ${tail} (Phụ lục 1)` : ''}.`,
    ]);
  }

  // ----------------------------------------------------------------------------------------------------------
  // II. Results
  w.part('II. KẾT QUẢ TỔ CHỨC TRIỂN KHAI THỰC HIỆN');
  w.section(`1. Tổ chức nghiên cứu, học tập, quán triệt ${directive}, chuyên đề toàn khóa, nội dung sinh hoạt chuyên đề hằng năm`);
  const conferences = allRecords(years, 'conference').sort((a, b) => (String(a.payload.heldOn) < String(b.payload.heldOn) ? -1 : 1));
  const confRef: Run[] = conferences.length
    ? [
        w.fn(
          conferences
            .map((c) => {
              const p = c.payload;
              const where = p.online ? `kết nối đường truyền đến ${count(Number(p.connectionPoints))} điểm cầu với ` : 'tổ chức cho ';
              const theme = String(p.theme);
              return (
                `tại ${/^hội nghị/iu.test(theme) ? theme : `Hội nghị ${theme}`} ` +
                `(ngày ${formatVietnameseDate(String(p.heldOn))}), ${short} ` +
                `đã ${where}${formatInt(Number(p.attendees))} đảng viên được học tập`
              );
            })
            .map((s, i) => (i === 0 ? capitalise(s) : s))
            .join('; ') + '.',
        ),
      ]
    : [];
  if (own('study')) paragraphs('study', []);
  w.p('body', [
    `${btv} đã xây dựng kế hoạch học tập chuyên đề toàn khóa, chuyên đề hằng năm, chỉ đạo các đảng ` +
      `ủy, chi bộ cơ sở kết nối đường truyền tổ chức học tập, quán triệt bằng hình thức trực tuyến ` +
      `cho đội ngũ cốt cán, cán bộ, đảng viên`,
    ...confRef,
    '.',
  ]);
  const members = F.value('unit.members');
  const studied = F.value('unit.studied');
  const makeupUnits = F.value('study.makeupUnits');
  const studyPerYear = yearList
    .map((y) => `năm ${y}: ${withBase(F.value('unit.studied', y), F.value('unit.members', y), 'đảng viên')}`)
    .join('; ');
  w.p('body', [
    makeupUnits > 0
      ? `Sau hội nghị, ${committee.standingBody.name} đã rà soát, đôn ` +
        `đốc; ${count(makeupUnits)} ${unitNoun} đã tổ chức quán triệt bổ sung cho những đồng chí chưa ` +
        `được tham dự. `
      : '',
    `Toàn Đảng bộ có ${percent(studied, members)} đảng viên được học tập các chuyên đề hằng năm (${ofBase(studied, members, memberNoun)})`,
    ...(multi ? [w.fn(`${capitalise(studyPerYear)}.`)] : []),
    '.',
  ]);
  const topics = topicGroups(years);
  const common = topics.filter((t) => t.unitCount > 1);
  const single = topics.filter((t) => t.unitCount === 1);
  if (topics.length > 0) {
    const refs: Run[] = [];
    const top = common[0];
    if (top) {
      refs.push({ text: `, đặc biệt là sinh hoạt chuyên đề “${top.display}”` });
      refs.push(
        w.fn(
          `${capitalise(
            yearList
              .filter((y) => F.value(`discussion.topic.${top.key}`, y) > 0)
              .map((y) => `năm ${y} có ${count(F.value(`discussion.topic.${top.key}`, y))} đơn vị`)
              .join(', '),
          )} tổ chức sinh hoạt chuyên đề “${top.display}”.`,
        ),
      );
    }
    if (single.length > 0) {
      refs.push({ text: '; chuyên đề giải pháp thực hiện nhiệm vụ chính trị của cơ quan, đơn vị' });
      refs.push(
        w.fn(
          `${single
            .slice(0, 6)
            .map((t) => `${t.units[0]!} sinh hoạt chuyên đề “${t.display}”`)
            .join('; ')}${single.length > 6 ? ',...' : '.'}`,
        ),
      );
    }
    w.p('body', [
      `Sau các hội nghị học tập chuyên đề, ${count(F.value('discussion.units'))} ${unitNoun} đã tổ ` +
        `chức sinh hoạt, thảo luận theo chủ đề phù hợp với nhiệm vụ chính trị, xây dựng Đảng của từng ` +
        `cơ quan, đơn vị, doanh nghiệp`,
      ...refs,
      '.',
    ]);
  }
  w.body.push(rateChart(input));

  w.section('2. Kết hợp giữa học tập với làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh');
  paragraphs('following', [
    `${btv} xác định việc học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh là một nội ` +
      `dung quan trọng trong công tác xây dựng, chỉnh đốn Đảng; gắn với thực hiện các nghị quyết, quy ` +
      `định của Trung ương, của Tỉnh ủy về xây dựng, chỉnh đốn Đảng và trách nhiệm nêu gương.`,
  ]);
  const withPlan = F.value('unit.withPersonalPlan');
  const kept = F.value('unit.keptPledge');
  const violated = F.value('unit.violatedPledge');
  w.p('body', [
    'Cán bộ, đảng viên, nhất là bí thư cấp ủy, người đứng đầu cơ quan, đơn vị, doanh nghiệp đã xây ' +
      'dựng kế hoạch học tập và làm theo Bác với những việc làm và hành động cụ thể',
    w.fn(
      `${inPeriod}, toàn đảng bộ có ${percent(withPlan, members)} cán bộ, đảng viên xây dựng kế ` +
        `hoạch học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh ` +
        `(${ofBase(withPlan, members, memberNoun)}), trong đó có ${percent(kept, withPlan)} cán bộ, ` +
        `đảng viên thực hiện tốt cam kết (${ofBase(kept, withPlan, memberNoun)}), có ${count(violated)} ` +
        `đảng viên vi phạm cam kết thực hiện.`,
    ),
    '. Từ đó, góp phần quan trọng vào việc thực hiện nhiệm vụ chính trị của mỗi tổ chức và cá nhân.',
  ]);
  groups('results', 4);
  const charity = allRecords(years, 'charity');
  const unitCharity = F.value('unit.charityVnd');
  if (charity.length > 0 || unitCharity > 0) {
    const lines = yearList
      .map((y) => {
        const items = charity
          .filter((r) => r.year === y)
          .map((r) => `${String(r.payload.description)} ${money(Number(r.payload.amountVnd))}`);
        return items.length ? `năm ${y}: ${items.join('; ')}` : '';
      })
      .filter(Boolean);
    const text = [
      lines.length ? capitalise(lines.join('; ')) : '',
      unitCharity > 0 ? `Các tổ chức cơ sở đảng báo cáo ủng hộ ${money(unitCharity)}` : '',
    ]
      .filter(Boolean)
      .join('. ');
    w.p('body', [
      'Các đơn vị trong Đảng bộ tích cực làm tốt công tác an sinh xã hội, từ thiện, xây dựng nông thôn mới, đô thị văn minh',
      w.fn(`${text}.`),
      '.',
    ]);
  }
  const commend = commendationSentence(F, btv, yearList, inPeriod, w);
  if (commend) w.p('body', commend);

  w.section('3. Thực hiện trách nhiệm nêu gương trong học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh');
  paragraphs('example', [
    `${btv} đã chỉ đạo các cấp ủy đảng, cán bộ, đảng viên tiếp tục thực hiện nghiêm túc quy định ` +
      `về trách nhiệm nêu gương của cán bộ, đảng viên, nhất là cán bộ lãnh đạo chủ chốt các cấp với ` +
      `phương châm “trên trước, dưới sau”, “trong trước, ngoài sau”.`,
  ]);
  const cOrgs = F.value('unit.commendedOrgs');
  const cMembers = F.value('unit.commendedMembers');
  if (cOrgs + cMembers > 0) {
    w.p('body', [
      `${inPeriod}, các tổ chức cơ sở đảng đã khen thưởng, biểu dương ${count(cOrgs)} tập thể ` +
        `và ${count(cMembers)} đảng viên tiêu biểu trong học tập và làm theo Bác; đề nghị cấp trên khen ` +
        `thưởng ${count(F.value('unit.proposedOrgs'))} tập ` +
        `thể, ${count(F.value('unit.proposedMembers'))} cá nhân.`,
    ]);
  }

  w.section('4. Công tác tuyên truyền về tư tưởng, đạo đức, phong cách Hồ Chí Minh');
  paragraphs('communication', [
    'Phát huy hiệu quả trang thông tin điện tử của Đảng bộ và các đảng bộ, chi bộ trực thuộc để ' +
      'tuyên truyền các nội dung học tập, các bài viết, các gương điển hình về học tập và làm theo tư ' +
      'tưởng, đạo đức, phong cách Hồ Chí Minh.',
  ]);
  const contests = allRecords(years, 'contest');
  if (contests.length > 0) {
    w.p('body', [
      `Tuyên truyền, động viên cán bộ, đảng viên tích cực tham gia các cuộc thi; ${btv} đã tổ chức, ` +
        `phát động ${count(contests.length)} cuộc thi`,
      w.fn(
        contests
          .map(
            (c) =>
              `${String(c.payload.name)} (năm ${c.year}), với ${formatInt(Number(c.payload.participants))} ` +
              `lượt người tham gia dự ` +
              `thi${typeof c.payload.prizes === 'string' && c.payload.prizes ? `; ${c.payload.prizes}` : ''}`,
          )
          .join('; ') + '.',
      ),
      F.value('unit.contestParticipants') > 0
        ? `; các tổ chức cơ sở đảng tổ chức, hưởng ứng ${count(F.value('unit.contests'))} cuộc thi ` +
          `với ${formatInt(F.value('unit.contestParticipants'))} lượt người tham gia`
        : '',
      '.',
    ]);
  }
  const models = F.value('models.built');
  const modelUnits = topModelUnits(years);
  w.p('body', [
    'Chú trọng phát hiện, bồi dưỡng, nhân rộng các mô hình, điển hình tiêu biểu trong học tập và ' +
      'làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh',
    w.fn(
      `${inPeriod} Đảng bộ có ${count(models)} mô hình tiêu biểu được xây ` +
        `dựng${multi ? ` (${byYear('models.built', (y, v) => `năm ${y}: ${count(v)}`)})` : ''}.`,
    ),
    modelUnits.length ? `. Nhiều đơn vị có cách làm hay, hiệu quả như: ${modelUnits.slice(0, 6).join(', ')},...` : '.',
  ]);

  w.section(
    '5. Việc đổi mới, nâng cao chất lượng, hiệu quả nghiên cứu, giảng dạy, học tập, vận dụng và ' +
      'phát triển sáng tạo Chủ nghĩa Mác - Lênin, tư tưởng Hồ Chí Minh',
  );
  paragraphs('theory', [
    `${btv} đã quan tâm lãnh đạo, chỉ đạo việc đổi mới, nâng cao chất lượng nghiên cứu, giảng dạy ` +
      `Chủ nghĩa Mác - Lênin, tư tưởng Hồ Chí Minh, các chuyên đề toàn khóa và hằng năm; các lớp học ` +
      `tập chỉ thị, nghị quyết, bồi dưỡng đối tượng kết nạp Đảng, đảng viên mới phù hợp với từng đối tượng.`,
  ]);

  w.section(`6. Công tác kiểm tra, giám sát, biểu dương, khen thưởng việc thực hiện ${directive}`);
  w.p('dash', inspectionRuns(F, btv, short, inPeriodLower, years));
  paragraphs('inspection', [
    `- Hằng năm ${btv} chỉ đạo các đảng ủy, chi bộ cơ sở nghiêm túc thực hiện việc sơ kết, từ việc ` +
      `xây dựng báo cáo, đề nghị vinh danh đến tổ chức hội nghị sơ kết; biểu dương, khen thưởng kịp ` +
      `thời những mô hình hay, các điển hình tiên tiến.`,
  ]);

  // ----------------------------------------------------------------------------------------------------------
  // III. Assessment
  w.part('III. ĐÁNH GIÁ CHUNG');
  w.section('1. Ưu điểm');
  paragraphs('strengths', [
    `${short} đã bám sát, cụ thể hóa nội dung ${directive}, các kế hoạch, hướng dẫn của cấp trên; ` +
      `kịp thời ban hành kế hoạch, hướng dẫn các tổ chức cơ sở đảng triển khai thực hiện.`,
  ]);
  groups('strengths', 4);
  w.section('2. Hạn chế, khuyết điểm và nguyên nhân');
  w.subsection('2.1. Về hạn chế, khuyết điểm');
  const late = standings.reduce((n, s) => n + s.late.length, 0);
  const missing = standings.reduce((n, s) => n + s.missing.length, 0);
  if (late + missing > 0) {
    w.p('dash', [
      `- Việc gửi kế hoạch, báo cáo của một số tổ chức cơ sở đảng còn chậm: ${inPeriodLower} ` +
        `có ${count(late)} ${unitNoun} nộp chậm và ${count(missing)} ${unitNoun} không nộp theo quy ` +
        `định (Phụ lục 1).`,
    ]);
  }
  const under = underTargetUnits(years, input.studyTargetPercent);
  if (under.length > 0) {
    w.p('dash', [
      `- ${count(under.length)} ${unitNoun} có tỷ lệ đảng viên học tập ở đợt đầu ` +
        `dưới ${String(input.studyTargetPercent).replace('.', ',')}%, phải tổ chức quán triệt bổ sung ` +
        `(${nameList(under)}).`,
    ]);
  }
  if (own('limitations')) paragraphs('limitations', []);
  groups('limitations', 6);
  w.subsection('2.2. Nguyên nhân');
  if (own('causes')) paragraphs('causes', []);
  groups('causes', 4);

  // ----------------------------------------------------------------------------------------------------------
  // IV. Directions and proposals
  w.part('IV. PHƯƠNG HƯỚNG, NHIỆM VỤ, GIẢI PHÁP VÀ KIẾN NGHỊ');
  const directions = own('directions') ?? [
    `Tiếp tục quán triệt, nâng cao nhận thức cho cán bộ, đảng viên về thực hiện ${directive}, gắn ` +
      `với thực hiện các nghị quyết, quy định về xây dựng, chỉnh đốn Đảng và trách nhiệm nêu gương.`,
    'Chỉ đạo các tổ chức cơ sở đảng xây dựng kế hoạch học tập và làm theo đúng thời hạn, cụ thể, ' +
      'gắn với nhiệm vụ chính trị của từng cơ quan, đơn vị; đưa kết quả thực hiện kế hoạch cá nhân ' +
      'vào đánh giá, xếp loại đảng viên cuối năm.',
    'Chủ động phát hiện, xây dựng, biểu dương, nhân rộng các mô hình, điển hình tiêu biểu trong ' +
      'học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh.',
    `Thực hiện tốt công tác kiểm tra, giám sát đối với tổ chức đảng, đảng viên trong việc thực ` +
      `hiện ${directive}; kịp thời đôn đốc các đơn vị chậm, chưa đạt chỉ tiêu.`,
  ];
  directions.forEach((text, i) => w.p('body', [`${i + 1}. ${text}`], !own('directions')));
  w.section('Kiến nghị, đề xuất');
  if (own('proposals')) paragraphs('proposals', []);
  groups('proposals', 5);

  // ----------------------------------------------------------------------------------------------------------
  // The working notes (figures to check before signing) follow the appendices, highlighted as drafts.
  const appendices = [...buildAppendices(input), ...discrepancyNotes(input.years)];
  const title = 'BÁO CÁO';
  return {
    header: {
      superior: committee.superior.toUpperCase(),
      issuer: committee.name.toUpperCase(),
      number: input.number,
      placeAndDate: `${committee.place}, ${longDate(input.date)}`,
    },
    title,
    subject,
    body: dropEmptyHeadings(w.body),
    footnotes: w.footnotes,
    recipients: (config.recipients ?? defaultRecipients(committee)).map((r) => (r.startsWith('-') ? r : `- ${r}`)),
    signature: config.signature ?? { onBehalf: 'T/M BAN THƯỜNG VỤ', title: signerTitle(committee), name: committee.leaders[0]!.name },
    appendices,
    meta: { title: `${title} ${subject}`, author: committee.name, date: input.date },
  };
}

/** The first leader's title, without the committee: "Phó Bí thư Thường trực Đảng ủy Khối" → "PHÓ BÍ THƯ THƯỜNG TRỰC". */
function signerTitle(committee: CommitteeInfo): string {
  const title = committee.leaders[0]!.title;
  const short = committee.shortName;
  return (short && title.endsWith(short) ? title.slice(0, -short.length) : title).trim().toUpperCase();
}

function defaultRecipients(committee: CommitteeInfo): string[] {
  const short = committee.shortName ?? 'Đảng ủy';
  return [
    `Ban Tuyên giáo cấp trên, (để báo cáo)`,
    `Ban Thường vụ ${short}, (để biết)`,
    `Các ban Đảng, UBKT và Văn phòng ${short},`,
    `Các tổ chức cơ sở đảng trực thuộc,`,
    `Lưu Văn phòng ${short}.`,
  ];
}

type RecordRow = { id: number; year: number; payload: Record<string, unknown> };
function allRecords(years: YearInput[], kind: string): RecordRow[] {
  return years.flatMap(({ year, data }) =>
    data.committeeRecords
      .filter((r) => r.kind === kind)
      .map((r) => ({ id: r.id, year, payload: (r.payload ?? {}) as Record<string, unknown> })),
  );
}

function sumStanding(standings: PhaseStanding[], phase: string) {
  const s = standings.filter((x) => x.phase === phase);
  return {
    total: s.reduce((n, x) => n + x.total, 0),
    onTime: s.reduce((n, x) => n + x.onTime.length, 0),
    late: s.reduce((n, x) => n + x.late.length, 0),
    missing: s.reduce((n, x) => n + x.missing.length, 0),
    exempted: s.reduce((n, x) => n + x.exempted.length, 0),
  };
}

export interface TopicGroup {
  key: string;
  display: string;
  unitCount: number;
  units: string[];
}

/** Discussion topics by normalised wording, most units first; shown in the wording most units used. */
export function topicGroups(years: YearInput[]): TopicGroup[] {
  const map = new Map<string, { wordings: Map<string, number>; units: string[] }>();
  for (const { data } of years) {
    for (const unit of countedUnits(data)) {
      const topic = (unit.phases.study?.submission?.payload as { discussionTopic?: unknown } | undefined)?.discussionTopic;
      if (typeof topic !== 'string' || !topic.trim()) continue;
      const key = slug(normaliseTopic(topic));
      if (!key) continue;
      let g = map.get(key);
      if (!g) map.set(key, (g = { wordings: new Map(), units: [] }));
      const clean = topic
        .normalize('NFC')
        .replace(/[“”"]/g, '')
        .replace(/^\s*(sinh hoạt\s+)?chuyên đề\s+/iu, '')
        .trim();
      g.wordings.set(clean, (g.wordings.get(clean) ?? 0) + 1);
      g.units.push(unit.name);
    }
  }
  return [...map.entries()]
    .map(([key, g]) => ({
      key,
      display: capitalise([...g.wordings.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]![0]),
      unitCount: g.units.length,
      units: g.units,
    }))
    .sort((a, b) => b.unitCount - a.unitCount || (a.key < b.key ? -1 : 1));
}

/** Units with the most models over the period, by name. */
function topModelUnits(years: YearInput[]): string[] {
  const totals = new Map<string, number>();
  for (const { data } of years) {
    for (const unit of countedUnits(data)) {
      const n = pickNumber(unit, [['year-end-report', 'figures.modelsBuilt']])?.value ?? 0;
      if (n > 0) totals.set(unit.name, (totals.get(unit.name) ?? 0) + n);
    }
  }
  return [...totals.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([name]) => name);
}

/** Units whose first study report was under the target (they owed a make-up session). */
function underTargetUnits(years: YearInput[], target: number): string[] {
  const out: string[] = [];
  for (const { data } of years) {
    for (const unit of countedUnits(data)) {
      const p = unit.phases.study?.submission?.payload as { studied?: number; members?: number } | undefined;
      if (p && typeof p.studied === 'number' && typeof p.members === 'number' && p.members > 0 && p.studied * 100 < target * p.members)
        out.push(unit.name);
    }
  }
  return [...new Set(out)];
}

function commendationSentence(F: Figures, btv: string, yearList: number[], inPeriod: string, w: Writer): Run[] | undefined {
  const v = (id: string) => F.value(id);
  const btvOrgs = v('commendation.khen-thuong.ban-thuong-vu.orgs');
  const btvMembers = v('commendation.khen-thuong.ban-thuong-vu.members');
  const upOrgs = v('commendation.khen-thuong.cap-tren.orgs');
  const upMembers = v('commendation.khen-thuong.cap-tren.members');
  const centralOrgs = v('commendation.khen-thuong.trung-uong.orgs');
  const centralMembers = v('commendation.khen-thuong.trung-uong.members');
  const central = centralOrgs + centralMembers;
  const praised = v('commendation.tuyen-duong.ban-thuong-vu.members') + v('commendation.tuyen-duong.ban-thuong-vu.orgs');
  if (btvOrgs + btvMembers + upOrgs + upMembers + central + praised === 0) return undefined;
  const runs: Run[] = [
    {
      text:
        `${inPeriod}, nhiều tổ chức, cá nhân đã được các cấp khen thưởng. Trong đó, ${btv} đã khen ` +
        `thưởng đối với ${count(btvOrgs)} tổ chức cơ sở đảng`,
    },
  ];
  if (yearList.length > 1 && btvOrgs > 0) {
    runs.push(
      w.fn(
        yearList
          .map((y) => `năm ${y} ${btv} khen thưởng ${count(F.value('commendation.khen-thuong.ban-thuong-vu.orgs', y))} tổ chức cơ sở đảng`)
          .map((s, i) => (i === 0 ? capitalise(s) : s))
          .join(', ') + '.',
      ),
    );
  }
  const rest: string[] = [];
  if (btvMembers) rest.push(`${count(btvMembers)} đảng viên`);
  if (upOrgs + upMembers) rest.push(`đề nghị cấp trên khen thưởng ${count(upOrgs)} tổ chức cơ sở đảng, ${count(upMembers)} cá nhân`);
  if (central)
    rest.push(
      `${[centralOrgs ? `${count(centralOrgs)} tập thể` : '', centralMembers ? `${count(centralMembers)} cá nhân` : ''].filter(Boolean).join(', ')} ` +
        `được cấp Trung ương khen thưởng`,
    );
  if (praised) rest.push(`tuyên dương ${count(praised)} điển hình tiêu biểu`);
  runs.push({ text: `${rest.length ? ', ' + rest.join('; ') : ''}.` });
  return runs;
}

function inspectionRuns(F: Figures, btv: string, short: string, inPeriodLower: string, years: YearInput[]): Run[] {
  const pair = (prefix: string) => {
    const orgs = F.value(`${prefix}.orgs`);
    const members = F.value(`${prefix}.members`);
    if (orgs === 0 && members === 0) return '';
    if (members === 0) return `${count(orgs)} tổ chức đảng`;
    if (orgs === 0) return `${count(members)} đảng viên`;
    return `${count(orgs)} tổ chức đảng và ${count(members)} đảng viên`;
  };
  const clause = (subject: string, body: string) => {
    const k = pair(`inspection.${body}.kiem-tra`);
    const g = pair(`inspection.${body}.giam-sat`);
    const parts = [k ? `kiểm tra ${k}` : '', g ? `giám sát ${g}` : ''].filter(Boolean);
    return parts.length ? `${subject} ${parts.join('; ')}` : '';
  };
  const grassroots = (subject: string, level: string) => {
    const g = (c: string) => F.value(`inspection.grassroots.${level}.${c}`);
    const text = (orgs: number, members: number) =>
      members === 0
        ? `${count(orgs)} tổ chức đảng`
        : orgs === 0
          ? `${count(members)} đảng viên`
          : `${count(orgs)} tổ chức đảng và ${count(members)} đảng viên`;
    const parts = [
      g('inspectedOrgs') + g('inspectedMembers') > 0 ? `kiểm tra ${text(g('inspectedOrgs'), g('inspectedMembers'))}` : '',
      g('supervisedOrgs') + g('supervisedMembers') > 0 ? `giám sát ${text(g('supervisedOrgs'), g('supervisedMembers'))}` : '',
    ].filter(Boolean);
    return parts.length ? `${subject} ${parts.join('; ')}` : '';
  };
  const upper = pair('inspection.cap-tren.kiem-tra');
  const clauses = [
    upper ? `${btv} đã tham mưu cho cấp trên kiểm tra ${upper}` : '',
    clause(`${btv} đã tổ chức`, 'ban-thuong-vu'),
    clause(`Ủy ban Kiểm tra ${short}`, 'ubkt'),
  ].filter(Boolean);
  const origins = years.flatMap((y) => y.data.inspections).filter((r) => r.origin === 'escalation' || r.origin === 'under-target').length;
  const text = [
    `- ${btv}, các đảng ủy, chi bộ đã đưa nội dung kiểm tra, giám sát việc thực hiện vào chương ` +
      `trình kiểm tra, giám sát toàn khóa và hằng năm. Kết quả, ${inPeriodLower} `,
    clauses.length ? `${clauses.join('; ')}` : `${btv} chưa tổ chức cuộc kiểm tra, giám sát nào`,
    origins > 0 ? ` (trong đó ${count(origins)} cuộc đối với đơn vị chậm nộp hoặc chưa đạt chỉ tiêu)` : '',
    '. ',
    [grassroots('Cấp ủy cơ sở', 'committee'), grassroots('Ủy ban kiểm tra cơ sở', 'ubkt')]
      .filter(Boolean)
      .map((s) => `${s}.`)
      .join(' '),
    ` ${inPeriodLower.charAt(0).toUpperCase()}${inPeriodLower.slice(1)}, cấp ủy các cấp của Đảng ` +
      `bộ đã xử lý kỷ luật ${count(F.value('unit.membersDisciplined'))} đảng viên vi phạm.`,
  ];
  return [{ text: text.join('').replace(/\s+\./g, '.').replace(/ {2,}/g, ' ') }];
}

function chartBlock(spec: ChartSpec, caption: string): ChartBlock {
  const r = renderChart(spec);
  return { kind: 'chart', id: spec.id, caption, svg: r.svg, png: r.png, width: r.width, height: r.height };
}

const pct = (part: number, whole: number) => (whole > 0 ? Math.floor((part * 1000) / whole) / 10 : null);

/** Rates by year (several years), or units by attendance band (one year). */
function rateChart(input: BuildInput): ChartBlock {
  const F = input.figures;
  const years = input.years.map((y) => y.year);
  if (years.length > 1) {
    return chartBlock(
      {
        id: 'rates-by-year',
        title: 'Tỷ lệ học tập, xây dựng kế hoạch cá nhân và thực hiện cam kết theo năm',
        kind: 'bar',
        percent: true,
        yMin: 90,
        categories: years.map(String),
        series: [
          { name: 'Học tập chuyên đề', values: years.map((y) => pct(F.value('unit.studied', y), F.value('unit.members', y))) },
          {
            name: 'Xây dựng kế hoạch cá nhân',
            values: years.map((y) => pct(F.value('unit.withPersonalPlan', y), F.value('unit.members', y))),
          },
          {
            name: 'Thực hiện tốt cam kết',
            values: years.map((y) => pct(F.value('unit.keptPledge', y), F.value('unit.withPersonalPlan', y))),
          },
        ],
      },
      'Biểu đồ 1. Tỷ lệ đảng viên học tập, xây dựng kế hoạch cá nhân và thực hiện tốt cam kết qua các năm',
    );
  }
  return bandChart(input.years[input.years.length - 1]!, 'Biểu đồ 1');
}

const BANDS = [
  { label: 'Dưới 90%', min: 0, max: 90 },
  { label: '90–95%', min: 90, max: 95 },
  { label: '95–98%', min: 95, max: 98 },
  { label: '98–100%', min: 98, max: 100 },
  { label: '100%', min: 100, max: Infinity },
];

/** Units of one year by their attendance and personal-plan rates. */
function bandChart(y: YearInput, label: string): ChartBlock {
  const rate = (unit: ReturnType<typeof countedUnits>[number], key: 'studied' | 'withPersonalPlan') => {
    const part = pickNumber(unit, UNIT_SOURCES[key])?.value;
    const whole = pickNumber(unit, UNIT_SOURCES.members)?.value ?? unit.members;
    return part === undefined || whole <= 0 ? undefined : (part * 100) / whole;
  };
  const units = countedUnits(y.data);
  const bucket = (key: 'studied' | 'withPersonalPlan') =>
    BANDS.map(
      (b) =>
        units.filter((u) => {
          const r = rate(u, key);
          return r !== undefined && (b.max === Infinity ? r >= 100 : r >= b.min && r < b.max);
        }).length,
    );
  return chartBlock(
    {
      id: `units-by-rate-${y.year}`,
      title: `Số đơn vị theo tỷ lệ học tập và xây dựng kế hoạch cá nhân, năm ${y.year}`,
      kind: 'bar',
      categories: BANDS.map((b) => b.label),
      series: [
        { name: 'Học tập chuyên đề', values: bucket('studied') },
        { name: 'Kế hoạch cá nhân', values: bucket('withPersonalPlan') },
      ],
    },
    `${label}. Số tổ chức cơ sở đảng theo tỷ lệ đảng viên học tập và xây dựng kế hoạch cá nhân, năm ${y.year}`,
  );
}

function trendChart(input: BuildInput): ChartBlock {
  const F = input.figures;
  const years = input.years.map((y) => y.year);
  const sumIds = (ids: string[], y: number) => ids.reduce((n, id) => n + F.value(id, y), 0);
  const inspections = F.all()
    .filter(
      (f) =>
        (f.id.startsWith('inspection.') && f.id.endsWith('.orgs')) ||
        /inspection\.grassroots\.[a-z]+\.(inspected|supervised)Orgs$/.test(f.id),
    )
    .map((f) => f.id);
  return chartBlock(
    {
      id: 'activity-by-year',
      title: 'Mô hình, khen thưởng, kiểm tra và giám sát theo năm',
      kind: 'line',
      categories: years.map(String),
      series: [
        { name: 'Mô hình, điển hình', values: years.map((y) => F.value('models.built', y)) },
        {
          name: 'Tổ chức đảng được khen thưởng',
          values: years.map((y) => sumIds(['commendation.khen-thuong.ban-thuong-vu.orgs', 'commendation.khen-thuong.cap-tren.orgs'], y)),
        },
        { name: 'Tổ chức đảng được kiểm tra, giám sát', values: years.map((y) => sumIds(inspections, y)) },
        { name: 'Đảng viên vi phạm cam kết', values: years.map((y) => F.value('unit.violatedPledge', y)) },
      ],
    },
    'Biểu đồ 3. Mô hình, khen thưởng, kiểm tra, giám sát và vi phạm cam kết qua các năm',
  );
}

function buildAppendices(input: BuildInput): Block[] {
  const { standings, figures: F, years } = input;
  const yearList = years.map((y) => y.year);
  const blocks: Block[] = [{ kind: 'page-break' }];
  const heading = (text: string) => blocks.push({ kind: 'paragraph', style: 'part', runs: [{ text }] });

  heading('PHỤ LỤC 1. TÌNH HÌNH GỬI KẾ HOẠCH, BÁO CÁO CỦA CÁC TỔ CHỨC CƠ SỞ ĐẢNG');
  blocks.push({
    kind: 'table',
    caption: 'Số đơn vị theo tình trạng, từng nội dung',
    header: ['Năm', 'Nội dung', 'Phải nộp', 'Đúng hạn', 'Nộp chậm', 'Không nộp', 'Được miễn'],
    rows: standings.map((s) => [
      String(s.year),
      s.title,
      formatInt(s.total),
      formatInt(s.onTime.length),
      formatInt(s.late.length),
      formatInt(s.missing.length),
      formatInt(s.exempted.length),
    ]),
    widths: [8, 40, 10, 10, 10, 10, 10],
    numeric: [2, 3, 4, 5, 6],
  });
  const named = standings.flatMap((s) =>
    (
      [
        ['Nộp chậm', s.late],
        ['Không nộp', s.missing],
        ['Được miễn', s.exempted],
      ] as const
    )
      .filter(([, list]) => list.length > 0)
      .map(([label, list]) => [String(s.year), s.title, label, list.map((u) => u.name).join('; ')]),
  );
  blocks.push({
    kind: 'table',
    caption: 'Các đơn vị nộp chậm, không nộp, được miễn',
    header: ['Năm', 'Nội dung', 'Tình trạng', 'Đơn vị'],
    rows: named.length ? named : [['', '', '', 'Tất cả đơn vị nộp đúng hạn']],
    widths: [8, 27, 12, 53],
  });

  heading('PHỤ LỤC 2. SỐ LIỆU TỔNG HỢP THEO NĂM');
  const listed = F.all().filter((f) => !/^(conference|contest)\.\d+\./.test(f.id) && !f.id.startsWith('discussion.topic.'));
  // The signed document names each figure in Vietnamese; its id (for `report explain`) is in `report figures`
  // and the JSON, in the same order. Amounts in đồng are given in millions, as tables of Party reports give them.
  const money = (id: string) => /Vnd$/.test(id);
  const cell = (id: string, v: number) => (money(id) ? formatMillions(v) : formatInt(v));
  blocks.push({
    kind: 'table',
    caption: 'Số liệu tổng hợp từ báo cáo của các tổ chức cơ sở đảng và hồ sơ của cấp ủy',
    header: ['TT', 'Nội dung', ...yearList.map(String), ...(yearList.length > 1 ? ['Cộng'] : [])],
    rows: listed.map((f, i) => [
      String(i + 1),
      `${capitalise(money(f.id) ? f.label.replace(/^đồng\b/u, 'triệu đồng') : f.label)}`,
      ...yearList.map((y) => cell(f.id, f.byYear[y] ?? 0)),
      ...(yearList.length > 1 ? [cell(f.id, f.value)] : []),
    ]),
    widths: [6, 42, ...yearList.map(() => 13), ...(yearList.length > 1 ? [13] : [])],
    numeric: [0, ...yearList.map((_, i) => i + 2), ...(yearList.length > 1 ? [yearList.length + 2] : [])],
  });
  if (yearList.length > 1) {
    blocks.push(trendChart(input));
    blocks.push(bandChart(years[years.length - 1]!, 'Biểu đồ 2'));
  }

  const lastYear = years[years.length - 1]!;
  heading(`PHỤ LỤC 3. SỐ LIỆU THEO ĐƠN VỊ NĂM ${lastYear.year}`);
  const rate = (part: number | undefined, whole: number) =>
    part === undefined ? '—' : `${formatInt(part)} (${formatPercent(part, whole)})`;
  blocks.push({
    kind: 'table',
    caption: 'Theo báo cáo của từng tổ chức cơ sở đảng',
    header: ['Mã', 'Tổ chức cơ sở đảng', 'Đảng viên', 'Học tập', 'Kế hoạch cá nhân', 'Vi phạm cam kết', 'Mô hình'],
    rows: countedUnits(lastYear.data).map((u) => {
      const members = pickNumber(u, UNIT_SOURCES.members)?.value ?? u.members;
      return [
        u.code,
        u.name,
        formatInt(members),
        rate(pickNumber(u, UNIT_SOURCES.studied)?.value, members),
        rate(pickNumber(u, UNIT_SOURCES.withPersonalPlan)?.value, members),
        formatInt(pickNumber(u, UNIT_SOURCES.violatedPledge)?.value ?? 0),
        formatInt(pickNumber(u, [['year-end-report', 'figures.modelsBuilt']])?.value ?? 0),
      ];
    }),
    widths: [10, 34, 10, 14, 14, 9, 9],
    numeric: [2, 3, 4, 5, 6],
  });
  return blocks;
}
