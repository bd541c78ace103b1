/**
 * The report's pure parts on a small hand-made year: which source each figure takes, what it records as its
 * addends, how topics and narratives are grouped, how figures are written, and the report settings' errors.
 */
import { describe, expect, it } from 'vitest';
import { parseReportYaml } from '../../config/report.js';
import { ConfigError } from '../../config/errors.js';
import type { FrozenDataset } from '../../db/frozen.js';
import { count, nameList, topicGroups, withBase } from '../../report/build.js';
import { defaultTerm, parseYears } from '../../report/compile.js';
import { explainFigure } from '../../report/explain.js';
import { computeFigures, normaliseTopic } from '../../report/figures.js';
import { groupNarratives, sentences } from '../../report/narratives.js';
import { phaseStandings } from '../../report/standings.js';

let nextId = 1;
const sub = (payload: unknown, late = false) => ({ id: nextId++, version: 1, late, submittedAt: '2023-03-01T01:00:00.000Z', payload });
const ob = (
  submission: ReturnType<typeof sub> | null,
  status = submission ? (submission.late ? 'late' : 'submitted') : 'not_submitted',
) => ({
  status,
  escalationLevel: submission ? 0 : 3,
  deadline: '2023-02-15',
  submission,
});

function unit(code: string, name: string, phases: FrozenDataset['units'][number]['phases'], active = true) {
  return { code, name, kind: 'chi-bo', members: 20, active, removedReason: null, phases };
}

const narrative = (limitations: string) => ({ results: 'Hoàn thành tốt nhiệm vụ chính trị của đơn vị trong năm.', limitations });

const data: FrozenDataset = {
  cycleId: 'T-2023',
  frozenAt: '2024-01-10T00:00:00.000Z',
  definition: {},
  units: [
    unit('A', 'Chi bộ A', {
      study: ob(sub({ members: 20, studied: 18, discussionTopic: '“Tự soi, tự sửa”', discussionDate: '2023-04-01' })),
      'study-makeup': ob(sub({ members: 20, studiedTotal: 20, makeupDate: '2023-04-20' }), 'submitted'),
      pledge: ob(sub({ members: 20, withPersonalPlan: 20 })),
      'year-end-report': ob(
        sub({
          figures: {
            members: 21,
            studied: 21,
            withPersonalPlan: 21,
            keptPledge: 20,
            violatedPledge: 1,
            modelsBuilt: 2,
            inspections: { committee: { inspectedOrgs: 1, inspectedMembers: 2, supervisedOrgs: 0, supervisedMembers: 0 } },
            membersDisciplined: 1,
          },
          narrative: narrative('Một số đảng viên xây dựng kế hoạch cá nhân còn chung chung. Công tác tuyên truyền chưa thường xuyên.'),
        }),
      ),
    }),
    unit('B', 'Chi bộ B', {
      plan: ob(null),
      study: ob(sub({ members: 30, studied: 30, discussionTopic: 'chuyên đề tự soi tự sửa', discussionDate: '2023-04-02' }, true)),
      pledge: ob(sub({ members: 30, withPersonalPlan: 29 })),
      inspection: ob(
        sub({
          committee: { inspectedOrgs: 2, inspectedMembers: 0, supervisedOrgs: 1, supervisedMembers: 3 },
          ubkt: { inspectedOrgs: 0, inspectedMembers: 0, supervisedOrgs: 0, supervisedMembers: 0 },
          membersDisciplined: 2,
        }),
      ),
      'year-end-report': ob(
        sub({
          figures: { violatedPledge: 0 },
          narrative: narrative('- Một số đảng viên xây dựng kế hoạch cá nhân còn chung chung\n- Đơn vị thiếu kinh phí tổ chức.'),
        }),
      ),
    }),
    unit('C', 'Chi bộ C (đã sáp nhập)', { study: ob(sub({ members: 99, studied: 99 })) }, false),
  ],
  committeeRecords: [
    {
      id: 7,
      kind: 'conference',
      payload: { heldOn: '2023-03-01', theme: 'Chủ đề năm 2023', online: true, connectionPoints: 150, attendees: 6124, kind: 'chu-de-nam' },
    },
    {
      id: 8,
      kind: 'inspection',
      payload: { body: 'ban-thuong-vu', kind: 'kiem-tra', heldOn: '2023-09-01', subject: 'x', organisations: 0, members: 2 },
    },
  ],
  inspections: [
    { id: 'insp-1', unit_code: 'B', kind: 'kiem-tra', body: 'ban-thuong-vu', status: 'closed', origin: 'escalation' },
    { id: 'insp-2', unit_code: 'A', kind: 'kiem-tra', body: 'ban-thuong-vu', status: 'scheduled', origin: 'plan' },
  ],
};
const years = [{ year: 2023, cycleId: 'T-2023', data }];

describe('report figures', () => {
  const F = computeFigures(years);

  it('take each unit’s latest word: the year-end report, else the make-up, else the study phase', () => {
    // A: year-end 21/21; B: no year-end members, so its study phase 30/30. C left the cycle and is not counted.
    expect(F.value('unit.members')).toBe(51);
    expect(F.value('unit.studied')).toBe(51);
    expect(F.value('unit.withPersonalPlan')).toBe(21 + 29);
    expect(F.value('unit.violatedPledge')).toBe(1);
    expect(F.value('units.counted')).toBe(2);
  });

  it('take grassroots inspections from the year-end report, else the inspection phase', () => {
    expect(F.value('inspection.grassroots.committee.inspectedOrgs')).toBe(3);
    expect(F.value('inspection.grassroots.committee.inspectedMembers')).toBe(2);
    expect(F.value('inspection.grassroots.committee.supervisedMembers')).toBe(3);
    expect(F.value('unit.membersDisciplined')).toBe(3);
  });

  it('count committee inspections once concluded, plus the records of members inspected', () => {
    expect(F.value('inspection.ban-thuong-vu.kiem-tra.orgs')).toBe(1);
    expect(F.value('inspection.ban-thuong-vu.kiem-tra.members')).toBe(2);
  });

  it('record every addend, so a figure can be explained', () => {
    const e = explainFigure(F, 'unit.studied@2023');
    expect(e.total).toBe(51);
    expect(
      e.contributions.map((c) => (c.source.kind === 'submission' ? [c.source.unitCode, c.source.phase, c.source.field, c.value] : [])),
    ).toEqual([
      ['A', 'year-end-report', 'figures.studied', 21],
      ['B', 'study', 'studied', 30],
    ]);
    expect(() => explainFigure(F, 'unit.studid')).toThrow(/no figure "unit.studid"/);
    expect(() => explainFigure(F, 'unit.studied@23')).toThrow(/four digits/);
  });

  it('count units per discussion topic whatever the quotes, case or "chuyên đề" prefix', () => {
    expect(normaliseTopic('“Tự soi, tự sửa”')).toBe(normaliseTopic('Chuyên đề tự soi tự sửa'));
    expect(F.value('discussion.topic.tu-soi-tu-sua')).toBe(2);
    expect(topicGroups(years)[0]).toMatchObject({ key: 'tu-soi-tu-sua', unitCount: 2, units: ['Chi bộ A', 'Chi bộ B'] });
    expect(F.value('study.makeupUnits')).toBe(1);
  });
});

describe('report standings and narratives', () => {
  it('name the units late, missing and on time in each phase', () => {
    const study = phaseStandings(years).find((s) => s.phase === 'study')!;
    expect(study.late.map((u) => u.code)).toEqual(['B']);
    expect(study.onTime.map((u) => u.code)).toEqual(['A']);
    const plan = phaseStandings(years).find((s) => s.phase === 'plan')!;
    expect(plan.missing.map((u) => u.code)).toEqual(['B']);
  });

  it('group sentences units share and name the units', () => {
    expect(sentences('- Một. Câu thứ nhất đủ dài.\n- Câu thứ hai cũng đủ dài; câu ba đủ dài nữa')).toEqual([
      'Câu thứ nhất đủ dài',
      'Câu thứ hai cũng đủ dài',
      'câu ba đủ dài nữa',
    ]);
    const groups = groupNarratives(years, 'limitations');
    expect(groups[0]!.text).toMatch(/kế hoạch cá nhân còn chung chung/);
    expect(groups[0]!.units.map((u) => u.code)).toEqual(['A', 'B']);
    expect(groups).toHaveLength(3);
  });
});

describe('report wording', () => {
  it('writes counts and bases the way the seed does', () => {
    expect(count(6)).toBe('06');
    expect(count(4320)).toBe('4.320');
    expect(withBase(6124, 6250, 'đảng viên')).toBe('6.124 trên 6.250 đảng viên, 97,9%');
    expect(withBase(20, 20, 'đơn vị')).toBe('20 trên 20 đơn vị, 100%');
    expect(nameList(['A', 'B', 'C'], 2)).toBe('A, B và 1 đơn vị khác');
    expect(defaultTerm(2023)).toBe('2020-2025');
    expect(defaultTerm(2025)).toBe('2025-2030');
    expect(parseYears('2021-2023')).toEqual([2021, 2022, 2023]);
    expect(() => parseYears('2023-2021')).toThrow(/before/);
  });

  it('report settings errors name the file, line and field', () => {
    try {
      parseReportYaml('term: "2020"\nsignature:\n  title: PHÓ BÍ THƯ\nfirstNumber: 0\n', 'r.yaml');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as Error).message).toContain('r.yaml:1: term: must be two years');
      expect((e as Error).message).toContain('r.yaml:2: signature.name: required');
      expect((e as Error).message).toMatch(/r\.yaml:4: firstNumber: /);
    }
  });
});
