/** The rehearsal's plan: every unit action at 10:00 local on its day, never before its obligation opens. */
import { describe, expect, it } from 'vitest';
import { loadCycleFile } from '../../config/cycle.js';
import { localTimeToInstant } from '../../domain/calendar.js';
import { parseBehaviourYaml, resolveBehaviours } from '../../rehearsal/behaviour.js';
import { closingInstant, planActions, rehearsalCacheSize } from '../../rehearsal/run.js';
import { DEFAULT_MAX_CACHED_WORKFLOWS } from '../../workers/worker.js';
import { writeFixture } from '../support/fixtures.js';

function plan(behaviour: string, opts: { makeupDays?: number } = {}) {
  const fx = writeFixture({
    code: 'PLAN',
    issuedOn: '2027-01-11',
    deadline: '2027-02-15',
    units: 3,
    rollForward: true,
    holidays: ['2027-04-30'],
    phases: [
      { id: 'plan', opensOn: '2027-01-11', deadline: '2027-02-15' },
      { id: 'study', opensOn: '2027-04-20', deadline: '2027-04-30', ...(opts.makeupDays ? { makeupDays: opts.makeupDays } : {}) },
      { id: 'compile', opensOn: '2027-12-01', deadline: '2027-12-15' },
    ],
  });
  const { definition, units } = loadCycleFile(fx.file);
  const behaviours = resolveBehaviours(units, ['plan', 'study'], parseBehaviourYaml(behaviour, 'b.yaml'));
  return { definition, actions: planActions(definition, units, behaviours) };
}

const brief = (a: { date: string; unit: string; phase: string; action: string; newDeadline?: string }) =>
  `${a.date} ${a.unit} ${a.phase} ${a.action}${a.newDeadline ? ` → ${a.newDeadline}` : ''}`;

describe('rehearsal plan', () => {
  it('places each behaviour on its day at 10:00, against the rolled deadline (30/4 is a holiday → Mon 3/5)', () => {
    const { actions } = plan(`units:
  U001: on-time
  U002: { behaviour: late, lateDays: 4 }
  U003: { behaviour: extended, phases: { study: exempted } }
`);
    expect(actions.map(brief)).toEqual([
      '2027-02-12 U001 plan submit',
      '2027-02-13 U003 plan extend → 2027-02-25',
      '2027-02-19 U002 plan submit',
      '2027-02-22 U003 plan submit',
      '2027-04-28 U003 study exempt',
      '2027-04-30 U001 study submit',
      '2027-05-07 U002 study submit',
    ]);
    expect(actions[0]!.at).toBe(localTimeToInstant('2027-02-12', 10, 'Asia/Ho_Chi_Minh'));
    expect(actions.map((a) => a.expectLate)).toEqual([false, undefined, true, false, undefined, false, true]);
  });

  it('never acts before the obligation opens', () => {
    const { actions } = plan('onTimeDaysBefore: 30\nexemptAtDaysBefore: 40\nunits: { U002: exempted, U003: never }\n');
    expect(actions.map(brief)).toEqual(
      ['2027-01-16 U001 plan submit', '2027-01-11 U002 plan exempt', '2027-04-20 U001 study submit', '2027-04-20 U002 study exempt'].sort(),
    );
  });

  it('follows a study report under the target with the make-up session, in order, even on the same instant', () => {
    const { actions } = plan(
      `units:
  U001: { phases: { study: { studyPercent: 90 } } }
  U002: { phases: { study: { studyPercent: 90 }, study-makeup: { behaviour: late, lateDays: 1 } } }
  U003: { phases: { study: { behaviour: never, studyPercent: 10 } } }
`,
      { makeupDays: 2 },
    );
    const study = actions.filter((a) => a.phase !== 'plan');
    expect(study.map(brief)).toEqual([
      '2027-04-30 U001 study submit',
      // Due 2 days after the report (2/5 is a Sunday → Monday 3/5); on time means at once, right after the report.
      '2027-04-30 U001 study-makeup submit',
      '2027-04-30 U002 study submit',
      '2027-05-04 U002 study-makeup submit',
    ]);
    expect(study[0]!.at).toBe(study[1]!.at);
    expect(study[0]!.seq).toBeLessThan(study[1]!.seq);
    expect(study.map((a) => a.expectUnderTarget)).toEqual([true, undefined, true, undefined]);
    expect(study[3]!.expectLate).toBe(true);
  });

  it('knows when the cycle closes: the end of its closing day', () => {
    const { definition } = plan('');
    expect(closingInstant(definition)).toBe(localTimeToInstant('2028-01-01', 0, 'Asia/Ho_Chi_Minh'));
  });

  it("caches every unit of a committee larger than the worker's default cache, the cycle and inspections beside them", () => {
    expect(rehearsalCacheSize(12)).toBe(DEFAULT_MAX_CACHED_WORKFLOWS);
    for (const units of [250, 400, 1_000, 5_000]) expect(rehearsalCacheSize(units)).toBeGreaterThanOrEqual(units + 50);
  });
});
