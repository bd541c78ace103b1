/** Deadlines cascade down the tree (issue 17): domain/cascade.ts and the cycle file's `parent`. */
import { describe, expect, it } from 'vitest';
import { parseCycleYaml } from '../../config/cycle.js';
import { ConfigError, type ConfigIssue } from '../../config/errors.js';
import { cascadeChecks } from '../../domain/cascade.js';

const m = (entries: Record<string, string>) => new Map(Object.entries(entries));

describe('cascadeChecks', () => {
  it('allows a deadline up to the margin before the superior’s, and refuses one a day later', () => {
    const parent = m({ plan: '2027-03-20' });
    expect(cascadeChecks(m({ plan: '2027-03-15' }), parent, 5)).toEqual([
      { phase: 'plan', childDeadline: '2027-03-15', parentDeadline: '2027-03-20', latestAllowed: '2027-03-15', ok: true },
    ]);
    expect(cascadeChecks(m({ plan: '2027-03-16' }), parent, 5)[0]).toMatchObject({ ok: false, latestAllowed: '2027-03-15' });
    expect(cascadeChecks(m({ plan: '2027-03-20' }), parent, 0)[0]!.ok).toBe(true);
    expect(cascadeChecks(m({ plan: '2027-03-21' }), parent, 0)[0]!.ok).toBe(false);
  });

  it('counts the margin across a month and a year end', () => {
    expect(cascadeChecks(m({ x: '2027-02-26' }), m({ x: '2027-03-03' }), 5)[0]).toMatchObject({ latestAllowed: '2027-02-26', ok: true });
    expect(cascadeChecks(m({ x: '2027-12-30' }), m({ x: '2028-01-02' }), 5)[0]).toMatchObject({ latestAllowed: '2027-12-28', ok: false });
  });

  it('checks only the phases both cycles have', () => {
    const checks = cascadeChecks(m({ plan: '2027-03-01', models: '2027-06-01' }), m({ plan: '2027-03-20', study: '2027-05-01' }), 5);
    expect(checks.map((c) => c.phase)).toEqual(['plan']);
    expect(cascadeChecks(m({ models: '2027-06-01' }), m({ plan: '2027-03-20' }), 5)).toEqual([]);
  });
});

const YAML = `committee:
  code: DU-XA
  superior: ĐẢNG BỘ TỈNH HÀ TĨNH
  name: ĐẢNG ỦY XÃ THỬ NGHIỆM
  documentCode: ĐU
  place: Hà Tĩnh
  standingBody: { name: Văn phòng Đảng ủy, email: vp@example.vn }
  leaders:
    - { name: Nguyễn Văn A, title: Bí thư, email: a@example.vn }
PARENT
year: 2027
plan: { number: 1-KH/ĐU, title: Kế hoạch năm 2027, issuedOn: 2027-01-10 }
phases:
  - { id: plan, title: Nộp kế hoạch, deadline: 2027-02-15 }
unitsFile: units.csv
`;
const issuesOf = (text: string): ConfigIssue[] => {
  try {
    parseCycleYaml(text, 'c.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).issues;
  }
  throw new Error('expected a ConfigError');
};

describe('the cycle file’s parent', () => {
  it('is optional; the unit defaults to the committee’s own code at start, the margin to 5 days', () => {
    expect(parseCycleYaml(YAML.replace('PARENT\n', ''), 'c.yaml').parent).toBeUndefined();
    expect(parseCycleYaml(YAML.replace('PARENT', 'parent: { committee: TU-HT }'), 'c.yaml').parent).toEqual({
      committee: 'TU-HT',
      marginDays: 5,
    });
    expect(parseCycleYaml(YAML.replace('PARENT', 'parent: { committee: TU-HT, unit: XA-01, marginDays: 0 }'), 'c.yaml').parent).toEqual({
      committee: 'TU-HT',
      unit: 'XA-01',
      marginDays: 0,
    });
  });

  it('refuses the committee as its own parent, a code unfit for ids, and a margin out of range, at their lines', () => {
    expect(issuesOf(YAML.replace('PARENT', 'parent: { committee: DU-XA }'))).toEqual([
      { file: 'c.yaml', line: 10, field: 'parent.committee', message: expect.stringContaining("is this committee's own code (DU-XA)") },
    ]);
    expect(issuesOf(YAML.replace('PARENT', 'parent:\n  committee: TU HT\n  marginDays: -1')).map((i) => [i.line, i.field])).toEqual([
      [11, 'parent.committee'],
      [12, 'parent.marginDays'],
    ]);
    expect(issuesOf(YAML.replace('PARENT', 'parent: { committee: TU-HT, margin: 3 }'))[0]).toMatchObject({ field: 'parent.margin' });
  });
});
