/**
 * A committee's year-end report to its superior, drafted from its own closed cycle (issue 17): when a unit of the
 * superior's cycle runs a cycle of its own in chuky (a child cycle), the figures of its year-end report are the
 * compiled figures of that child cycle — the sums of its units' figures, and what the committee itself recorded
 * (its standing committee's commendations and inspections, its contests, its charity). Its narrative is drafted
 * from its units' year-end narratives, grouped as the compiled report groups them. The clerk confirms or edits the
 * draft (an edit needs a recorded reason: report/upward-submit.ts); the superior's unit workflow validates it as
 * any unit's form.
 *
 * Pure: the same frozen snapshot always gives the same draft, so the draft need not be stored to be compared with
 * what the clerk sends back, and `report explain` can recompute it at any later time.
 */
import type { YearEndReportPayload } from '../domain/phases/year-end-report.js';
import { computeFigures, type Figures, type YearInput } from './figures.js';
import { groupNarratives, NARRATIVE_FIELDS, type NarrativeField } from './narratives.js';

/** One field of the year-end report's figures, and the child cycle's figures it is the sum of. */
export interface UpwardField {
  /** Dotted path in the year-end report's payload: "figures.studied", "figures.inspections.ubkt.inspectedOrgs". */
  path: string;
  /** The child's figure ids whose sum the field is; a function where the ids depend on the year (contests). */
  figureIds: (figures: Figures) => string[];
  /** What the sum holds, in Vietnamese, for the draft's comment and `report explain`. */
  sumOf: string;
}

const ids =
  (...list: string[]) =>
  (): string[] =>
    list;
const plus = (list: string[], prefix: string, suffix: string) => (figures: Figures) => [
  ...list,
  ...figures
    .all()
    .map((f) => f.id)
    .filter((id) => id.startsWith(prefix) && id.endsWith(suffix)),
];

const COMMENDATION_FORMS = ['khen-thuong', 'tuyen-duong'] as const;
const byStandingCommittee = (what: 'orgs' | 'members') => COMMENDATION_FORMS.map((form) => `commendation.${form}.ban-thuong-vu.${what}`);

const INSPECTION_FIELDS = [
  ['inspectedOrgs', 'kiem-tra', 'orgs'],
  ['inspectedMembers', 'kiem-tra', 'members'],
  ['supervisedOrgs', 'giam-sat', 'orgs'],
  ['supervisedMembers', 'giam-sat', 'members'],
] as const;

/**
 * Every figure of the year-end report, each the sum of the child's figures in the same terms: its units' own
 * figures, plus what the committee did at its own level. Not counted: commendations and inspections by the level
 * above (`cap-tren`, `trung-uong`): the superior holds those already, and counting them would count them twice.
 */
export const UPWARD_FIELDS: readonly UpwardField[] = [
  { path: 'figures.members', figureIds: ids('unit.members'), sumOf: 'tổng số đảng viên của các đơn vị' },
  { path: 'figures.studied', figureIds: ids('unit.studied'), sumOf: 'đảng viên được học tập ở các đơn vị (kể cả bổ sung)' },
  { path: 'figures.withPersonalPlan', figureIds: ids('unit.withPersonalPlan'), sumOf: 'đảng viên có kế hoạch cá nhân ở các đơn vị' },
  { path: 'figures.keptPledge', figureIds: ids('unit.keptPledge'), sumOf: 'đảng viên thực hiện tốt cam kết ở các đơn vị' },
  { path: 'figures.violatedPledge', figureIds: ids('unit.violatedPledge'), sumOf: 'đảng viên vi phạm cam kết ở các đơn vị' },
  { path: 'figures.modelsBuilt', figureIds: ids('models.built'), sumOf: 'mô hình, điển hình các đơn vị xây dựng' },
  { path: 'figures.discussionSessions', figureIds: ids('unit.discussionSessions'), sumOf: 'buổi sinh hoạt chuyên đề của các đơn vị' },
  {
    path: 'figures.commendedOrgs',
    figureIds: ids('unit.commendedOrgs', ...byStandingCommittee('orgs')),
    sumOf: 'tập thể các đơn vị khen thưởng, biểu dương, cộng tập thể Ban Thường vụ khen thưởng, tuyên dương',
  },
  {
    path: 'figures.commendedMembers',
    figureIds: ids('unit.commendedMembers', ...byStandingCommittee('members')),
    sumOf: 'đảng viên các đơn vị khen thưởng, biểu dương, cộng cá nhân Ban Thường vụ khen thưởng, tuyên dương',
  },
  { path: 'figures.proposedOrgs', figureIds: ids('unit.proposedOrgs'), sumOf: 'tập thể các đơn vị đề nghị khen thưởng' },
  { path: 'figures.proposedMembers', figureIds: ids('unit.proposedMembers'), sumOf: 'cá nhân các đơn vị đề nghị khen thưởng' },
  {
    path: 'figures.contests',
    figureIds: ids('unit.contests', 'contests.count'),
    sumOf: 'cuộc thi các đơn vị tổ chức, hưởng ứng, cộng cuộc thi cấp ủy tổ chức',
  },
  {
    path: 'figures.contestParticipants',
    figureIds: plus(['unit.contestParticipants'], 'contest.', '.participants'),
    sumOf: 'lượt người dự thi ở các đơn vị, cộng lượt người dự các cuộc thi cấp ủy tổ chức',
  },
  {
    path: 'figures.charityVnd',
    figureIds: ids('unit.charityVnd', 'charity.committeeVnd'),
    sumOf: 'số tiền các đơn vị ủng hộ, cộng số tiền cấp ủy kêu gọi',
  },
  ...INSPECTION_FIELDS.map(([count, kind, what]): UpwardField => ({
    path: `figures.inspections.committee.${count}`,
    figureIds: ids(`inspection.grassroots.committee.${count}`, `inspection.ban-thuong-vu.${kind}.${what}`),
    sumOf: 'của cấp ủy các đơn vị, cộng của Ban Thường vụ',
  })),
  ...INSPECTION_FIELDS.map(([count, kind, what]): UpwardField => ({
    path: `figures.inspections.ubkt.${count}`,
    figureIds: ids(`inspection.grassroots.ubkt.${count}`, `inspection.ubkt.${kind}.${what}`),
    sumOf: 'của ủy ban kiểm tra các đơn vị, cộng của Ủy ban Kiểm tra cấp ủy',
  })),
  { path: 'figures.membersDisciplined', figureIds: ids('unit.membersDisciplined'), sumOf: 'đảng viên bị kỷ luật ở các đơn vị' },
];

export function upwardField(path: string): UpwardField | undefined {
  return UPWARD_FIELDS.find((f) => f.path === path);
}

export interface UpwardDraft {
  /** The year-end report's payload, as the superior's form takes it. */
  payload: YearEndReportPayload;
  /** Per figure field: its value and the child's figures it sums, with how many addends each has. */
  sources: Record<string, { value: number; figures: { id: string; value: number; addends: number }[] }>;
  /** Units counted in the child cycle. */
  units: number;
}

function setAt(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    node[key] ??= {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]!] = value;
}

export function readAt(payload: unknown, path: string): unknown {
  let v: unknown = payload;
  for (const key of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

/** The child's narrative for one field: its units' grouped sentences, most said first, one paragraph each. */
function narrativeOf(year: YearInput, field: NarrativeField): string {
  return (
    groupNarratives([year], field)
      .map((g) => g.text.trim())
      .filter(Boolean)
      // The groups are sentences cut from the units' texts, without their full stops.
      .map((t) => (/[.!?…:;]$/.test(t) ? t : `${t}.`))
      .join('\n')
      .normalize('NFC')
  );
}

/** The draft of the year-end report a committee sends its superior, from its child cycle's frozen year. */
export function draftUpward(year: YearInput, figures: Figures = computeFigures([year])): UpwardDraft {
  const payload: Record<string, unknown> = {};
  const sources: UpwardDraft['sources'] = {};
  for (const field of UPWARD_FIELDS) {
    const parts = field.figureIds(figures).map((id) => {
      const f = figures.has(id) ? figures.get(id) : undefined;
      return { id, value: f ? f.value : 0, addends: f ? f.contributions.length : 0 };
    });
    const value = parts.reduce((n, p) => n + p.value, 0);
    setAt(payload, field.path, value);
    sources[field.path] = { value, figures: parts };
  }
  const narrative: Record<string, string> = {};
  for (const f of NARRATIVE_FIELDS) narrative[f] = narrativeOf(year, f);
  payload.narrative = narrative;
  return { payload: payload as unknown as YearEndReportPayload, sources, units: figures.value('units.counted') };
}

/** A field the clerk changed from the draft. */
export interface UpwardEdit {
  field: string;
  drafted: unknown;
  submitted: unknown;
}

const LEAF_PATHS = [...UPWARD_FIELDS.map((f) => f.path), 'figures.membersReason', ...NARRATIVE_FIELDS.map((f) => `narrative.${f}`)];

const same = (a: unknown, b: unknown): boolean => {
  const norm = (v: unknown) => (typeof v === 'string' ? v.normalize('NFC').trim() : v === '' ? undefined : v);
  const x = norm(a);
  const y = norm(b);
  return (x === undefined || x === '') && (y === undefined || y === '') ? true : x === y;
};

/** Every field of `submitted` that differs from the draft, in the form's order; a text's spacing at its ends does not count. */
export function upwardEdits(drafted: unknown, submitted: unknown): UpwardEdit[] {
  const edits: UpwardEdit[] = [];
  for (const path of LEAF_PATHS) {
    const d = readAt(drafted, path);
    const s = readAt(submitted, path);
    if (!same(d, s)) edits.push({ field: path, drafted: d ?? null, submitted: s ?? null });
  }
  return edits;
}
