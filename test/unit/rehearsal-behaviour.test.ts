/** The rehearsal's behaviour file: parsing, defaults, the mix, per-unit and per-phase overrides, and its errors. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../config/errors.js';
import {
  defaultBehaviourFile,
  loadBehaviourFile,
  mixCounts,
  parseBehaviourYaml,
  resolveBehaviours,
  type BehaviourFile,
} from '../../rehearsal/behaviour.js';

const PHASES = ['plan', 'study', 'pledge', 'models', 'inspection', 'year-end-report'];
const codes = (n: number) => Array.from({ length: n }, (_, i) => `U${String(i + 1).padStart(3, '0')}`);

function errorsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).message.split('\n');
  }
  throw new Error('expected a ConfigError');
}

const EXAMPLE = `default: on-time            # on-time | late | never | extended | exempted
onTimeDaysBefore: 3
lateDays: 5
extendDays: 10
mix: { on-time: 60, late: 20, never: 10, extended: 5, exempted: 5 }
studyPercent: 100
units:
  U001: late
  U002: { behaviour: never }
  U003: { phases: { study: { behaviour: on-time, studyPercent: 90 } } }
`;

describe('behaviour file', () => {
  it('has defaults for everything: an empty file means every unit on time', () => {
    const file = parseBehaviourYaml('', 'b.yaml');
    expect(file.spec).toEqual({
      default: 'on-time',
      onTimeDaysBefore: 3,
      lateDays: 5,
      extendDays: 10,
      extendAtDaysBefore: 2,
      exemptAtDaysBefore: 5,
      studyPercent: 100,
      units: {},
    });
    const resolved = resolveBehaviours(codes(3), PHASES, file);
    for (const perPhase of resolved.values()) {
      expect([...perPhase.keys()]).toEqual([...PHASES, 'study-makeup']);
      for (const b of perPhase.values())
        expect(b).toEqual({
          behaviour: 'on-time',
          onTimeDaysBefore: 3,
          lateDays: 5,
          extendDays: 10,
          extendAtDaysBefore: 2,
          exemptAtDaysBefore: 5,
          studyPercent: 100,
        });
    }
    expect(resolveBehaviours(codes(1), PHASES)).toEqual(resolveBehaviours(codes(1), PHASES, defaultBehaviourFile()));
  });

  it('resolves the documented example: overrides, then the mix in unit-code order, then the default', () => {
    const file = parseBehaviourYaml(EXAMPLE, 'b.yaml');
    // Given in a shuffled order: the mix follows the codes, not the file's order.
    const units = codes(20)
      .reverse()
      .map((code) => ({ code }));
    const r = resolveBehaviours(units, PHASES, file);
    const unitLevel = (code: string) => r.get(code)!.get('plan')!.behaviour;
    expect(unitLevel('U001')).toBe('late');
    expect(unitLevel('U002')).toBe('never');
    expect(r.get('U003')!.get('study')).toMatchObject({ behaviour: 'on-time', studyPercent: 90 });
    expect(r.get('U003')!.get('pledge')).toMatchObject({ behaviour: 'on-time', studyPercent: 100 });
    // 20 units: 12 on-time, 4 late, 2 never, 1 extended, 1 exempted, in code order (U001/U002 are then overridden).
    const mixed = codes(20).map((c) => (c === 'U001' || c === 'U002' ? 'on-time' : unitLevel(c)));
    expect(mixed).toEqual([...Array(12).fill('on-time'), ...Array(4).fill('late'), 'never', 'never', 'extended', 'exempted']);
  });

  it('counts the mix by largest remainder; percentages under 100 leave the rest to the default', () => {
    expect(Object.fromEntries(mixCounts({ 'on-time': 60, late: 20, never: 10, extended: 5, exempted: 5 }, 7))).toEqual({
      'on-time': 4,
      late: 2,
      never: 1,
      extended: 0,
      exempted: 0,
    });
    expect(Object.fromEntries(mixCounts({ 'on-time': 50, late: 20, never: 10, extended: 10, exempted: 10 }, 150))).toEqual({
      'on-time': 75,
      late: 30,
      never: 15,
      extended: 15,
      exempted: 15,
    });
    const file = parseBehaviourYaml('default: never\nmix: { late: 50 }\n', 'b.yaml');
    const r = resolveBehaviours(codes(4), ['plan'], file);
    expect(codes(4).map((c) => r.get(c)!.get('plan')!.behaviour)).toEqual(['late', 'late', 'never', 'never']);
  });

  it('applies values phase override > unit override > file, for the behaviour and every number', () => {
    const file = parseBehaviourYaml(
      `default: late
lateDays: 8
studyPercent: 99
units:
  U001:
    behaviour: extended
    extendDays: 20
    lateDays: 9
    phases:
      plan: { lateDays: 12, behaviour: late }
      study: { studyPercent: 85 }
      study-makeup: never
  U002:
    phases:
      study: { behaviour: on-time, studyPercent: 90, onTimeDaysBefore: 6 }
`,
      'b.yaml',
    );
    const r = resolveBehaviours(['U001', 'U002', 'U003'], PHASES, file);
    expect(r.get('U001')!.get('plan')).toMatchObject({ behaviour: 'late', lateDays: 12, extendDays: 20, studyPercent: 99 });
    expect(r.get('U001')!.get('pledge')).toMatchObject({ behaviour: 'extended', lateDays: 9, extendDays: 20 });
    expect(r.get('U001')!.get('study')).toMatchObject({ behaviour: 'extended', studyPercent: 85 });
    expect(r.get('U001')!.get('study-makeup')).toMatchObject({ behaviour: 'never', extendDays: 20 });
    // The make-up session behaves as the study phase did, with its settings.
    expect(r.get('U002')!.get('study-makeup')).toMatchObject({ behaviour: 'on-time', onTimeDaysBefore: 6 });
    expect(r.get('U002')!.get('plan')).toMatchObject({ behaviour: 'late', lateDays: 8, onTimeDaysBefore: 3 });
    expect(r.get('U003')!.get('year-end-report')).toMatchObject({ behaviour: 'late', lateDays: 8, studyPercent: 99 });
  });

  it('adds no make-up phase to a cycle without a study phase', () => {
    const r = resolveBehaviours(['U001'], ['plan', 'compile'], defaultBehaviourFile());
    expect([...r.get('U001')!.keys()]).toEqual(['plan']);
  });

  it('loads from a file and reports that file in messages', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chuky-behaviour-'));
    const good = path.join(dir, 'good.yaml');
    fs.writeFileSync(good, '\uFEFFdefault: never\n');
    expect(loadBehaviourFile(good).spec.default).toBe('never');
    expect(errorsOf(() => loadBehaviourFile(path.join(dir, 'missing.yaml')))).toEqual([
      `${path.join(dir, 'missing.yaml')}: (file): file not found`,
    ]);
  });
});

describe('behaviour file errors name the file, the line and the field', () => {
  it('reports an unknown behaviour, in the shorthand and in the long form, and a misspelt field', () => {
    const text = `default: ontime
units:
  U001: lat
  U002: { behavior: never }
  U003:
    phases:
      study: { behaviour: early }
`;
    expect(errorsOf(() => parseBehaviourYaml(text, 'b.yaml'))).toEqual([
      'b.yaml:1: default: must be one of "on-time", "late", "never", "extended", "exempted", got text "ontime"',
      'b.yaml:3: units.U001.behaviour: must be one of "on-time", "late", "never", "extended", "exempted", got text "lat"',
      'b.yaml:4: units.U002.behavior: unknown field (check the spelling)',
      'b.yaml:7: units.U003.phases.study.behaviour: must be one of "on-time", "late", "never", "extended", "exempted", got text "early"',
    ]);
  });

  it('reports numbers out of range, and a mix over 100%', () => {
    const text = `lateDays: 0
onTimeDaysBefore: -1
extendDays: 2.5
studyPercent: 120
mix:
  on-time: 80
  late: 30
  sometimes: 5
units:
  U001: { studyPercent: abc }
`;
    expect(errorsOf(() => parseBehaviourYaml(text, 'b.yaml'))).toEqual([
      'b.yaml:1: lateDays: must be >= 1',
      'b.yaml:2: onTimeDaysBefore: must be >= 0',
      'b.yaml:3: extendDays: expected a whole number, got number 2.5',
      'b.yaml:4: studyPercent: must be <= 100',
      'b.yaml:5: mix: the percentages add up to 110; they must not exceed 100 (units left over take "default")',
      'b.yaml:8: mix.sometimes: unknown field (check the spelling)',
      'b.yaml:10: units.U001.studyPercent: expected a number, got text "abc"',
    ]);
  });

  it("reports unknown phases and the committee's own phase", () => {
    const text = `units:
  U001:
    phases:
      studdy: late
      compile: never
`;
    expect(errorsOf(() => parseBehaviourYaml(text, 'b.yaml'))).toEqual([
      'b.yaml:4: units.U001.phases.studdy: unknown phase "studdy" (phases: plan, study, ' +
        'study-makeup, pledge, models, inspection, year-end-report)',
      'b.yaml:5: units.U001.phases.compile: "compile" is the committee\'s own phase; units have no behaviour in it',
    ]);
  });

  it('reports units and phases the cycle does not have, when resolved against it', () => {
    const file: BehaviourFile = parseBehaviourYaml(
      `units:
  U001: late
  U999: never
  U002:
    phases:
      models: exempted
      study-makeup: late
`,
      'b.yaml',
    );
    expect(errorsOf(() => resolveBehaviours(['U001', 'U002'], ['plan', 'pledge'], file))).toEqual([
      'b.yaml:3: units.U999: no unit "U999" in the cycle\'s units file',
      'b.yaml:6: units.U002.phases.models: the cycle has no phase "models" (its unit phases: plan, pledge)',
      'b.yaml:7: units.U002.phases.study-makeup: the cycle has no phase "study-makeup" (its unit phases: plan, pledge)',
    ]);
  });

  it('reports YAML syntax errors and duplicate keys with their line', () => {
    expect(errorsOf(() => parseBehaviourYaml('default: on-time\nunits:\n  U001: late\n  U001: never\n', 'b.yaml'))[0]).toMatch(
      /^b\.yaml:4: YAML syntax: Map keys must be unique/,
    );
    expect(errorsOf(() => parseBehaviourYaml('mix: { on-time: 60\n', 'b.yaml'))[0]).toMatch(/^b\.yaml:\d+: YAML syntax: /);
    expect(errorsOf(() => parseBehaviourYaml('- on-time\n', 'b.yaml'))).toEqual([
      'b.yaml:1: (document): expected a mapping (key: value), got a list',
    ]);
  });
});
