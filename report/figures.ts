/**
 * Every figure of the review report, computed from frozen cycles, each with the list of what it was summed from
 * (`chuky report explain` prints that list). Pure: no I/O, so the same snapshots always give the same figures.
 *
 * A unit reports some figures more than once in a year (attendance at the study phase, again after a make-up
 * session, again in its year-end report). Each figure takes, per unit, the first source present in a fixed
 * order — the unit's latest word first — and records which submission it came from.
 */
import type { FrozenDataset } from '../db/frozen.js';
import { COMMENDATION_FORM_LABEL_VI, COMMENDATION_LEVEL_LABEL_VI, DOCUMENT_TYPE_LABEL_VI } from '../domain/records.js';

export interface YearInput {
  year: number;
  cycleId: string;
  data: FrozenDataset;
}

export type FrozenUnit = FrozenDataset['units'][number];

/** One addend of a figure. */
export interface Contribution {
  year: number;
  cycleId: string;
  value: number;
  /** Where the value was read: a unit's submission, a committee record, an inspection, or the units list. */
  source:
    | { kind: 'submission'; unitCode: string; unitName: string; phase: string; submissionId: number; version: number; field: string }
    | { kind: 'record'; recordId: number; recordKind: string; field: string; description: string }
    | { kind: 'inspection'; inspectionId: string; unitCode: string; unitName: string }
    | { kind: 'unit'; unitCode: string; unitName: string; field: string };
}

export interface Figure {
  id: string;
  /** Vietnamese, what is counted: "đảng viên vi phạm cam kết". */
  label: string;
  value: number;
  byYear: Record<number, number>;
  contributions: Contribution[];
}

export class Figures {
  private readonly map = new Map<string, Figure>();

  add(id: string, label: string, c: Contribution): void {
    let f = this.map.get(id);
    if (!f) {
      f = { id, label, value: 0, byYear: {}, contributions: [] };
      this.map.set(id, f);
    }
    f.value += c.value;
    f.byYear[c.year] = (f.byYear[c.year] ?? 0) + c.value;
    f.contributions.push(c);
  }

  /** Declares a figure that may stay at zero (so "0" is stated, not missing). */
  declare(id: string, label: string, years: number[]): void {
    if (this.map.has(id)) return;
    const byYear: Record<number, number> = {};
    for (const y of years) byYear[y] = 0;
    this.map.set(id, { id, label, value: 0, byYear, contributions: [] });
  }

  get(id: string): Figure {
    const f = this.map.get(id);
    if (!f) throw new Error(`no figure "${id}"`);
    return f;
  }

  value(id: string, year?: number): number {
    const f = this.map.get(id);
    if (!f) return 0;
    return year === undefined ? f.value : (f.byYear[year] ?? 0);
  }

  has(id: string): boolean {
    return this.map.has(id);
  }

  all(): Figure[] {
    return [...this.map.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
}

type Path = string;
/** A source of a unit's value: a phase and a dotted path into its payload. */
type Source = readonly [phase: string, path: Path];

function at(payload: unknown, path: Path): unknown {
  let v: unknown = payload;
  for (const key of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

/** The first source with a number, with its provenance. */
export function pickNumber(
  unit: FrozenUnit,
  sources: readonly Source[],
): { value: number; phase: string; field: string; submissionId: number; version: number } | undefined {
  for (const [phase, path] of sources) {
    const s = unit.phases[phase]?.submission;
    if (!s) continue;
    const v = at(s.payload, path);
    if (typeof v === 'number' && Number.isFinite(v)) return { value: v, phase, field: path, submissionId: s.id, version: s.version };
  }
  return undefined;
}

/** Where each per-unit figure is read, latest word first. */
export const UNIT_SOURCES = {
  members: [
    ['year-end-report', 'figures.members'],
    ['study-makeup', 'members'],
    ['study', 'members'],
    ['pledge', 'members'],
  ],
  studied: [
    ['year-end-report', 'figures.studied'],
    ['study-makeup', 'studiedTotal'],
    ['study', 'studied'],
  ],
  studiedFirst: [['study', 'studied']],
  withPersonalPlan: [
    ['year-end-report', 'figures.withPersonalPlan'],
    ['pledge', 'withPersonalPlan'],
  ],
  keptPledge: [['year-end-report', 'figures.keptPledge']],
  violatedPledge: [['year-end-report', 'figures.violatedPledge']],
  discussionSessions: [['year-end-report', 'figures.discussionSessions']],
  commendedOrgs: [['year-end-report', 'figures.commendedOrgs']],
  commendedMembers: [['year-end-report', 'figures.commendedMembers']],
  proposedOrgs: [['year-end-report', 'figures.proposedOrgs']],
  proposedMembers: [['year-end-report', 'figures.proposedMembers']],
  contests: [['year-end-report', 'figures.contests']],
  contestParticipants: [['year-end-report', 'figures.contestParticipants']],
  charityVnd: [['year-end-report', 'figures.charityVnd']],
  membersDisciplined: [
    ['year-end-report', 'figures.membersDisciplined'],
    ['inspection', 'membersDisciplined'],
  ],
} as const satisfies Record<string, readonly Source[]>;

export const UNIT_FIGURE_LABELS: Record<keyof typeof UNIT_SOURCES, string> = {
  members: 'lượt đảng viên (tổng số đảng viên của các đơn vị, cộng theo năm)',
  studied: 'đảng viên được học tập (kể cả quán triệt bổ sung)',
  studiedFirst: 'đảng viên học tập ở đợt đầu',
  withPersonalPlan: 'đảng viên xây dựng kế hoạch cá nhân',
  keptPledge: 'đảng viên thực hiện tốt cam kết',
  violatedPledge: 'đảng viên vi phạm cam kết',
  discussionSessions: 'buổi sinh hoạt chuyên đề của các đơn vị',
  commendedOrgs: 'tập thể được đơn vị khen thưởng, biểu dương',
  commendedMembers: 'đảng viên được đơn vị khen thưởng, biểu dương',
  proposedOrgs: 'tập thể được đơn vị đề nghị cấp trên khen thưởng',
  proposedMembers: 'cá nhân được đơn vị đề nghị cấp trên khen thưởng',
  contests: 'cuộc thi các đơn vị tổ chức, hưởng ứng',
  contestParticipants: 'lượt người tham gia các cuộc thi ở đơn vị',
  charityVnd: 'đồng các đơn vị ủng hộ, từ thiện, an sinh xã hội',
  membersDisciplined: 'đảng viên bị kỷ luật',
};

export const GRASSROOTS_LEVELS = { committee: 'cấp ủy cơ sở', ubkt: 'ủy ban kiểm tra cơ sở' } as const;
export const INSPECTION_COUNTS = {
  inspectedOrgs: 'tổ chức đảng được kiểm tra',
  inspectedMembers: 'đảng viên được kiểm tra',
  supervisedOrgs: 'tổ chức đảng được giám sát',
  supervisedMembers: 'đảng viên được giám sát',
} as const;

/** Committee-level inspections: by the level above on the committee's advice, the standing committee, its UBKT. */
export const COMMITTEE_BODIES = {
  'cap-tren': 'cấp trên (do Ban Thường vụ tham mưu)',
  'ban-thuong-vu': 'Ban Thường vụ',
  ubkt: 'Ủy ban Kiểm tra',
} as const;
/** An inspection workflow counts once its conclusion is given. */
const CONCLUDED = new Set(['concluded', 'remedy_overdue', 'remedied', 'closed']);

/** Lower case, no quotes or punctuation, no leading "chuyên đề": "“Tự soi, tự sửa”" and "Chuyên đề tự soi tự sửa" meet. */
export function normaliseTopic(topic: string): string {
  return topic
    .normalize('NFC')
    .toLowerCase()
    .replace(/[“”"'‘’«»()[\].,;:!?–—-]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^(sinh hoạt )?chuyên đề\s+/, '')
    .trim();
}

/** An ASCII slug for figure ids: "tự soi tự sửa" → "tu-soi-tu-sua". */
export function slug(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60);
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** Units counted in a year: those still in the cycle when it froze. */
export function countedUnits(data: FrozenDataset): FrozenUnit[] {
  return data.units.filter((u) => u.active);
}

export function computeFigures(years: YearInput[]): Figures {
  const F = new Figures();
  const yearList = years.map((y) => y.year);
  for (const key of Object.keys(UNIT_SOURCES) as (keyof typeof UNIT_SOURCES)[]) F.declare(`unit.${key}`, UNIT_FIGURE_LABELS[key], yearList);
  for (const [level, levelLabel] of Object.entries(GRASSROOTS_LEVELS)) {
    for (const [count, label] of Object.entries(INSPECTION_COUNTS))
      F.declare(`inspection.grassroots.${level}.${count}`, `${label} bởi ${levelLabel}`, yearList);
  }
  for (const [body, bodyLabel] of Object.entries(COMMITTEE_BODIES)) {
    for (const kind of ['kiem-tra', 'giam-sat'] as const) {
      const verb = kind === 'kiem-tra' ? 'kiểm tra' : 'giám sát';
      F.declare(`inspection.${body}.${kind}.orgs`, `tổ chức đảng được ${verb} bởi ${bodyLabel}`, yearList);
      F.declare(`inspection.${body}.${kind}.members`, `đảng viên được ${verb} bởi ${bodyLabel}`, yearList);
    }
  }
  F.declare('models.built', 'mô hình, điển hình được xây dựng', yearList);
  F.declare('documents.total', 'văn bản chỉ đạo, hướng dẫn', yearList);
  F.declare('units.counted', 'tổ chức cơ sở đảng', yearList);

  for (const { year, cycleId, data } of years) {
    const base = { year, cycleId };
    for (const unit of countedUnits(data)) {
      F.add('units.counted', 'tổ chức cơ sở đảng', {
        ...base,
        value: 1,
        source: { kind: 'unit', unitCode: unit.code, unitName: unit.name, field: 'active' },
      });
      const fromSubmission = (id: string, label: string, p: NonNullable<ReturnType<typeof pickNumber>>) =>
        F.add(id, label, {
          ...base,
          value: p.value,
          source: {
            kind: 'submission',
            unitCode: unit.code,
            unitName: unit.name,
            phase: p.phase,
            submissionId: p.submissionId,
            version: p.version,
            field: p.field,
          },
        });
      for (const key of Object.keys(UNIT_SOURCES) as (keyof typeof UNIT_SOURCES)[]) {
        const p = pickNumber(unit, UNIT_SOURCES[key]);
        if (p) fromSubmission(`unit.${key}`, UNIT_FIGURE_LABELS[key], p);
        else if (key === 'members') {
          // A unit that reported nothing still has members: the registered count keeps the base honest.
          F.add('unit.members', UNIT_FIGURE_LABELS.members, {
            ...base,
            value: unit.members,
            source: { kind: 'unit', unitCode: unit.code, unitName: unit.name, field: 'members' },
          });
        }
      }
      // Models: the year-end count, else the entries of the models phase.
      const modelsBuilt = pickNumber(unit, [['year-end-report', 'figures.modelsBuilt']]);
      if (modelsBuilt) fromSubmission('models.built', 'mô hình, điển hình được xây dựng', modelsBuilt);
      else {
        const s = unit.phases.models?.submission;
        const list = at(s?.payload, 'models');
        if (s && Array.isArray(list) && list.length > 0) {
          fromSubmission('models.built', 'mô hình, điển hình được xây dựng', {
            value: list.length,
            phase: 'models',
            field: 'models',
            submissionId: s.id,
            version: s.version,
          });
        }
      }
      for (const level of Object.keys(GRASSROOTS_LEVELS) as (keyof typeof GRASSROOTS_LEVELS)[]) {
        for (const count of Object.keys(INSPECTION_COUNTS) as (keyof typeof INSPECTION_COUNTS)[]) {
          const p = pickNumber(unit, [
            ['year-end-report', `figures.inspections.${level}.${count}`],
            ['inspection', `${level}.${count}`],
          ]);
          if (p)
            fromSubmission(`inspection.grassroots.${level}.${count}`, `${INSPECTION_COUNTS[count]} bởi ${GRASSROOTS_LEVELS[level]}`, p);
        }
      }
      // Study make-up sessions held.
      const makeup = unit.phases['study-makeup']?.submission;
      if (makeup) {
        F.add('study.makeupUnits', 'đơn vị tổ chức quán triệt bổ sung', {
          ...base,
          value: 1,
          source: {
            kind: 'submission',
            unitCode: unit.code,
            unitName: unit.name,
            phase: 'study-makeup',
            submissionId: makeup.id,
            version: makeup.version,
            field: 'makeupDate',
          },
        });
      }
      // Thematic sessions, counted in units per topic.
      const study = unit.phases.study?.submission;
      const topic = str(at(study?.payload, 'discussionTopic'));
      if (study && topic) {
        const key = slug(normaliseTopic(topic));
        if (key) {
          F.add(`discussion.topic.${key}`, `đơn vị sinh hoạt chuyên đề “${topic}”`, {
            ...base,
            value: 1,
            source: {
              kind: 'submission',
              unitCode: unit.code,
              unitName: unit.name,
              phase: 'study',
              submissionId: study.id,
              version: study.version,
              field: 'discussionTopic',
            },
          });
        }
        F.add('discussion.units', 'đơn vị tổ chức sinh hoạt chuyên đề', {
          ...base,
          value: 1,
          source: {
            kind: 'submission',
            unitCode: unit.code,
            unitName: unit.name,
            phase: 'study',
            submissionId: study.id,
            version: study.version,
            field: 'discussionTopic',
          },
        });
      }
    }

    const unitName = new Map(data.units.map((u) => [u.code, u.name]));
    for (const row of data.inspections) {
      const status = str(row.status);
      const body = str(row.body);
      const kind = str(row.kind);
      if (!CONCLUDED.has(status) || !(body in COMMITTEE_BODIES) || (kind !== 'kiem-tra' && kind !== 'giam-sat')) continue;
      const verb = kind === 'kiem-tra' ? 'kiểm tra' : 'giám sát';
      const code = str(row.unit_code);
      F.add(`inspection.${body}.${kind}.orgs`, `tổ chức đảng được ${verb} bởi ${COMMITTEE_BODIES[body as keyof typeof COMMITTEE_BODIES]}`, {
        ...base,
        value: 1,
        source: { kind: 'inspection', inspectionId: str(row.id), unitCode: code, unitName: unitName.get(code) ?? code },
      });
    }

    for (const r of data.committeeRecords) {
      const p = (r.payload ?? {}) as Record<string, unknown>;
      const rec = (id: string, label: string, field: string, value: number, description: string) =>
        F.add(id, label, { ...base, value, source: { kind: 'record', recordId: r.id, recordKind: r.kind, field, description } });
      switch (r.kind) {
        case 'document': {
          const desc = `${str(p.number)} ngày ${str(p.issuedOn)}: ${str(p.title)}`;
          rec('documents.total', 'văn bản chỉ đạo, hướng dẫn', 'type', 1, desc);
          rec(
            `documents.${str(p.type)}`,
            `${(DOCUMENT_TYPE_LABEL_VI[str(p.type) as keyof typeof DOCUMENT_TYPE_LABEL_VI] ?? str(p.type)).toLowerCase()} ` +
              `(văn bản chỉ đạo)`,
            'type',
            1,
            desc,
          );
          break;
        }
        case 'conference': {
          const desc = `${str(p.heldOn)}: ${str(p.theme)}`;
          rec('conferences.count', 'hội nghị học tập, quán triệt', 'heldOn', 1, desc);
          rec(
            `conference.${r.id}.connectionPoints`,
            `điểm cầu tại hội nghị “${str(p.theme)}”`,
            'connectionPoints',
            num(p.connectionPoints),
            desc,
          );
          rec(`conference.${r.id}.attendees`, `người dự hội nghị “${str(p.theme)}”`, 'attendees', num(p.attendees), desc);
          rec('conferences.attendees', 'lượt người dự các hội nghị học tập, quán triệt', 'attendees', num(p.attendees), desc);
          break;
        }
        case 'commendation': {
          const form = str(p.form) || 'khen-thuong';
          const level = str(p.level);
          const desc = `${str(p.decidedOn)}${p.decisionNumber ? ` (${str(p.decisionNumber)})` : ''}${p.note ? `: ${str(p.note)}` : ''}`;
          const by = `được ${COMMENDATION_LEVEL_LABEL_VI[level as keyof typeof COMMENDATION_LEVEL_LABEL_VI] ?? level} ${COMMENDATION_FORM_LABEL_VI[form as keyof typeof COMMENDATION_FORM_LABEL_VI] ?? form}`;
          if (num(p.organisations) > 0)
            rec(`commendation.${form}.${level}.orgs`, `tập thể ${by}`, 'organisations', num(p.organisations), desc);
          if (num(p.members) > 0) rec(`commendation.${form}.${level}.members`, `cá nhân ${by}`, 'members', num(p.members), desc);
          break;
        }
        case 'contest': {
          const desc = `${str(p.heldOn)}: ${str(p.name)}`;
          rec('contests.count', 'cuộc thi do cấp ủy tổ chức, phát động', 'name', 1, desc);
          rec(`contest.${r.id}.participants`, `lượt người dự thi “${str(p.name)}”`, 'participants', num(p.participants), desc);
          break;
        }
        case 'charity':
          rec(
            'charity.committeeVnd',
            'đồng do cấp ủy kêu gọi, ủng hộ',
            'amountVnd',
            num(p.amountVnd),
            `${str(p.heldOn)} ${str(p.description)}`.trim(),
          );
          break;
        case 'inspection': {
          const body = str(p.body);
          const kind = str(p.kind);
          const verb = kind === 'kiem-tra' ? 'kiểm tra' : 'giám sát';
          const bodyLabel = COMMITTEE_BODIES[body as keyof typeof COMMITTEE_BODIES] ?? body;
          const desc = `${str(p.heldOn)}: ${str(p.subject)}`;
          if (num(p.organisations) > 0)
            rec(
              `inspection.${body}.${kind}.orgs`,
              `tổ chức đảng được ${verb} bởi ${bodyLabel}`,
              'organisations',
              num(p.organisations),
              desc,
            );
          if (num(p.members) > 0)
            rec(`inspection.${body}.${kind}.members`, `đảng viên được ${verb} bởi ${bodyLabel}`, 'members', num(p.members), desc);
          break;
        }
      }
    }
  }
  return F;
}
