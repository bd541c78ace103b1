/**
 * A whole year of a committee of 150 units through every phase (plan, study, pledge, models, inspection,
 * year-end report; compile is the committee's), rehearsed on a stack of its own under time skipping: units on
 * time, late (before level 2, after it, after level 3), never, extended, exempted, and some under the study target
 * who then owe a make-up session. For EVERY unit and phase the emails, escalations and final status are compared
 * with what the configuration and the behaviour imply, computed here independently of the rehearsal's planner.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeFixture, type Fixture } from '../support/fixtures.js';
import { runRehearsal, type Timeline } from '../../rehearsal/run.js';
import { addDays, instantToLocalDate, localTimeToInstant, type IsoDate } from '../../domain/calendar.js';
import { cycleWorkflowId, unitWorkflowId } from '../../domain/ids.js';
import { recordHistories } from '../support/histories.js';

const TZ = 'Asia/Ho_Chi_Minh';
const at = (date: IsoDate, hour: number) => localTimeToInstant(date, hour, TZ);
const dateOf = (ms: number) => instantToLocalDate(ms, TZ);
const maxDate = (a: IsoDate, b: IsoDate) => (a > b ? a : b);

// The configuration: the default ladder, deadlines rolling past weekends and holidays.
const REMINDERS = [7, 3, 1];
const LEVEL2 = 7;
const LEVEL3 = 14;
const MAKEUP_DAYS = 14;
const STUDY_TARGET = 98;
const HOLIDAYS = ['2027-01-01', '2027-04-16', '2027-04-30', '2027-05-01', '2027-09-02', '2027-09-03'];
const PHASES = [
  { id: 'plan', opensOn: '2027-01-11', deadline: '2027-02-15' },
  { id: 'study', opensOn: '2027-02-01', deadline: '2027-04-30', makeupDays: MAKEUP_DAYS }, // a holiday: rolls to Monday 3 May
  { id: 'pledge', opensOn: '2027-02-01', deadline: '2027-03-31' },
  { id: 'models', opensOn: '2027-03-01', deadline: '2027-11-30' },
  { id: 'inspection', opensOn: '2027-07-01', deadline: '2027-10-31' }, // a Sunday: rolls to Monday 1 November
  { id: 'year-end-report', opensOn: '2027-11-01', deadline: '2027-11-30' },
  { id: 'compile', opensOn: '2027-12-01', deadline: '2027-12-15' },
];
const UNIT_PHASES = PHASES.filter((p) => p.id !== 'compile');
/** The cycle closes its unit workflows at the end of its closing day. */
const CLOSE = at('2028-01-01', 0);

const BEHAVIOUR_YAML = `default: on-time
mix: { on-time: 50, late: 20, never: 10, extended: 10, exempted: 10 }
units:
  U001: { behaviour: late, lateDays: 10 }                                   # after level 2
  U002: { behaviour: late, lateDays: 20 }                                   # after level 3
  U003: { phases: { study: { studyPercent: 90 } } }                         # under target: make-up, on time
  U004: { phases: { study: { behaviour: late, studyPercent: 95 } } }        # late study, late make-up
  U005: { phases: { study: { studyPercent: 97 }, study-makeup: never } }    # make-up never held
  U006: { phases: { study: { behaviour: extended, studyPercent: 80 } } }    # extended study, extended make-up
  U007: { phases: { plan: late, pledge: never, models: exempted, inspection: extended } }
  U008: { onTimeDaysBefore: 10 }                                            # before any reminder
  U009: { onTimeDaysBefore: 0 }                                             # on the deadline day
  U010: { studyPercent: 98 }                                                # exactly the target: no make-up
  U080: { phases: { study: { studyPercent: 50 } } }                         # a late unit under target
  U110: { phases: { study: { behaviour: on-time, studyPercent: 60 } } }     # a silent unit that reports study
  U125: { extendDays: 16 }                                                  # extended as far as the ladder allows: 16/12 for a 30/11 deadline
  U140: { phases: { plan: { behaviour: exempted, exemptAtDaysBefore: 30 } } }
  U150: { phases: { year-end-report: { behaviour: late, lateDays: 25 } } }  # year-end report after level 3
`;

// ---------------------------------------------------------------------------------------------------------------
// The oracle: what the configuration and the behaviour imply, computed from the dates alone.

interface Tuning {
  behaviour: 'on-time' | 'late' | 'never' | 'extended' | 'exempted';
  onTimeDaysBefore: number;
  lateDays: number;
  extendDays: number;
  extendAtDaysBefore: number;
  exemptAtDaysBefore: number;
  studyPercent: number;
}

const DEFAULTS = { onTimeDaysBefore: 3, lateDays: 5, extendDays: 10, extendAtDaysBefore: 2, exemptAtDaysBefore: 5, studyPercent: 100 };

/** The behaviour file above, read by hand. */
function behaviourOf(index: number, phase: string): Tuning {
  const code = `U${String(index).padStart(3, '0')}`;
  // The mix, in code order: 75 on time, 30 late, 15 never, 15 extended, 15 exempted.
  const mixed: Tuning['behaviour'] =
    index <= 75 ? 'on-time' : index <= 105 ? 'late' : index <= 120 ? 'never' : index <= 135 ? 'extended' : 'exempted';
  const t: Tuning = { behaviour: mixed, ...DEFAULTS };
  const studyLike = phase === 'study' || phase === 'study-makeup';
  switch (code) {
    case 'U001':
      return { ...t, behaviour: 'late', lateDays: 10 };
    case 'U002':
      return { ...t, behaviour: 'late', lateDays: 20 };
    case 'U003':
      return studyLike ? { ...t, studyPercent: 90 } : t;
    case 'U004':
      return studyLike ? { ...t, behaviour: 'late', studyPercent: 95 } : t;
    case 'U005':
      return phase === 'study' ? { ...t, studyPercent: 97 } : phase === 'study-makeup' ? { ...t, behaviour: 'never', studyPercent: 97 } : t;
    case 'U006':
      return studyLike ? { ...t, behaviour: 'extended', studyPercent: 80 } : t;
    case 'U007':
      return {
        ...t,
        behaviour:
          ({ plan: 'late', pledge: 'never', models: 'exempted', inspection: 'extended' } as Record<string, Tuning['behaviour']>)[phase] ??
          t.behaviour,
      };
    case 'U008':
      return { ...t, onTimeDaysBefore: 10 };
    case 'U009':
      return { ...t, onTimeDaysBefore: 0 };
    case 'U010':
      return { ...t, studyPercent: 98 };
    case 'U080':
      return studyLike ? { ...t, studyPercent: 50 } : t;
    case 'U110':
      return studyLike ? { ...t, behaviour: 'on-time', studyPercent: 60 } : t;
    case 'U125':
      return { ...t, extendDays: 16 };
    case 'U140':
      return phase === 'plan' ? { ...t, behaviour: 'exempted', exemptAtDaysBefore: 30 } : t;
    case 'U150':
      return phase === 'year-end-report' ? { ...t, behaviour: 'late', lateDays: 25 } : t;
    default:
      return t;
  }
}

function rollForward(date: IsoDate): IsoDate {
  let d = date;
  for (;;) {
    const dow = new Date(`${d}T00:00:00Z`).getUTCDay();
    if (dow !== 0 && dow !== 6 && !HOLIDAYS.includes(d)) return d;
    d = addDays(d, 1);
  }
}

interface Expected {
  emails: string[];
  escalations: string[];
  status: string;
  actions: string[];
}

type Expectations = Map<string, Map<string, Expected>>;

function expectations(unitCount: number, membersOf: (index: number) => number): Expectations {
  const all: Expectations = new Map();
  for (let i = 1; i <= unitCount; i++) {
    const code = `U${String(i).padStart(3, '0')}`;
    const perPhase = new Map<string, Expected>();
    all.set(code, perPhase);

    /** One obligation: opens at `openAt` (its notice), actions from `earliest`, the deadline as configured. */
    const obligation = (phase: string, opensOn: IsoDate, configured: IsoDate, openAt: number, earliest: number): void => {
      const b = behaviourOf(i, phase);
      const e: Expected = { emails: [], escalations: [], status: '', actions: [] };
      perPhase.set(phase, e);
      const mail = (t: number, kind: string) => e.emails.push(`${dateOf(t)} ${kind}`);
      const act = (t: number, what: string) => e.actions.push(`${dateOf(t)} ${what}`);
      const ladder = (deadline: IsoDate, from: number, to: number) => {
        for (const d of REMINDERS) {
          const t = at(addDays(deadline, -d), 8);
          // Reminders whose moment passed before the obligation opened (or moved) are not sent.
          if (t > from && t < to && t < CLOSE) mail(t, 'reminder');
        }
        for (const [kind, days, level] of [
          ['overdue', 1, 1],
          ['escalation2', LEVEL2, 2],
          ['escalation3', LEVEL3, 3],
        ] as const) {
          const t = at(addDays(deadline, days), 8);
          if (t > from && t < to && t < CLOSE) {
            mail(t, kind);
            e.escalations.push(`${dateOf(t)} L${level}`);
          }
        }
      };
      const actionAt = (date: IsoDate) => Math.max(earliest, at(maxDate(date, opensOn), 10));
      const submitted = (deadline: IsoDate, s: number) => {
        mail(s, 'receipt');
        act(s, 'submit');
        e.status = s >= at(addDays(deadline, 1), 0) ? 'late' : 'submitted';
        // Under the study target, the unit owes a make-up session from that day, due 14 days later.
        const members = membersOf(i);
        const studied = Math.round((members * b.studyPercent) / 100);
        if (phase === 'study' && studied * 100 < STUDY_TARGET * members) {
          const today = dateOf(s);
          obligation('study-makeup', today, addDays(today, MAKEUP_DAYS), s, s);
        }
      };
      mail(openAt, 'notice');
      const deadline = rollForward(configured);
      switch (b.behaviour) {
        case 'never':
          ladder(deadline, openAt, Infinity);
          e.status = at(addDays(deadline, LEVEL3), 8) < CLOSE ? 'not_submitted' : 'overdue';
          break;
        case 'on-time': {
          const s = actionAt(addDays(deadline, -b.onTimeDaysBefore));
          ladder(deadline, openAt, s);
          submitted(deadline, s);
          break;
        }
        case 'late': {
          const s = actionAt(addDays(deadline, b.lateDays));
          ladder(deadline, openAt, s);
          submitted(deadline, s);
          break;
        }
        case 'exempted': {
          const x = actionAt(addDays(deadline, -b.exemptAtDaysBefore));
          ladder(deadline, openAt, x);
          mail(x, 'exemption');
          act(x, 'exempt');
          e.status = 'exempted';
          break;
        }
        case 'extended': {
          const x = actionAt(addDays(deadline, -b.extendAtDaysBefore));
          ladder(deadline, openAt, x);
          mail(x, 'extension');
          act(x, 'extend');
          // The whole ladder moves to the new date; its reminders start again from the extension.
          const moved = rollForward(addDays(deadline, b.extendDays));
          const s = Math.max(x, at(addDays(moved, -b.onTimeDaysBefore), 10));
          ladder(moved, x, s);
          submitted(moved, s);
          break;
        }
      }
    };
    for (const p of UNIT_PHASES) obligation(p.id, p.opensOn, p.deadline, at(p.opensOn, 8), at(p.opensOn, 10));
  }
  return all;
}

// ---------------------------------------------------------------------------------------------------------------

describe('a committee of 150 units over a whole year (rehearsal, time skipping)', () => {
  let fx: Fixture;
  let t: Timeline;
  let expected: Expectations;
  let elapsedMs = 0;

  beforeAll(async () => {
    fx = writeFixture({
      code: 'FULLYEAR',
      issuedOn: '2027-01-11',
      deadline: '2027-02-15',
      units: 150,
      phases: PHASES,
      rollForward: true,
      holidays: HOLIDAYS,
      closesOn: '2027-12-31',
    });
    const behaviourFile = path.join(path.dirname(fx.file), 'behaviour.yaml');
    fs.writeFileSync(behaviourFile, BEHAVIOUR_YAML);
    const started = Date.now();
    t = await runRehearsal({
      configFile: fx.file,
      behaviourFile,
      ...(process.env.CHUKY_TEST_VERBOSE ? { log: (m: string) => console.log(`[rehearse] ${m}`) } : {}),
      // With CHUKY_RECORD_HISTORIES=vN: the histories replay.test.ts replays as full runs of the cycle and of a
      // unit's year (U004: every phase, its study late and under target, then a late make-up session).
      afterYear: async ({ client, cycleId }) => {
        await recordHistories(client, { 'cycle-full-year': cycleWorkflowId(cycleId), 'unit-full-year': unitWorkflowId(cycleId, 'U004') });
      },
    });
    elapsedMs = Date.now() - started;
    console.log(
      `full year: ${t.units.length} units, ${t.actions.length} actions, ${t.emails.length} ` +
        `emails, ${t.escalations.length} escalations in ${(elapsedMs / 1000).toFixed(1)} s`,
    );
    // The fixture's member counts (fixtures.ts): 20 + (i·37 mod 300) for the unit at 0-based position i.
    const members = new Map(t.units.map((u) => [u.code, u.members]));
    expected = expectations(150, (i) => members.get(`U${String(i).padStart(3, '0')}`)!);
  }, 900_000);

  it('plays every action as planned, with nothing refused or unexpected', () => {
    expect(t.problems).toEqual([]);
    expect(t.units).toHaveLength(150);
    const byKey = (list: { date: string; unit: string; phase: string; action: string }[]) =>
      list.map((a) => `${a.unit} ${a.phase} ${a.date} ${a.action}`).sort();
    const want: string[] = [];
    for (const [unit, phases] of expected) for (const [phase, e] of phases) for (const a of e.actions) want.push(`${unit} ${phase} ${a}`);
    expect(byKey(t.actions)).toEqual(want.sort());
    expect(t.actions.every((a) => a.result === 'ok')).toBe(true);
  });

  it('sends every unit, in every phase, exactly the emails the configuration and its behaviour imply', () => {
    const actual = new Map<string, string[]>();
    for (const e of t.emails) {
      const key = `${e.unit}/${e.phase}`;
      actual.set(key, [...(actual.get(key) ?? []), `${e.date} ${e.kind}`]);
    }
    let compared = 0;
    for (const [unit, phases] of expected) {
      for (const [phase, e] of phases) {
        expect(
          (actual.get(`${unit}/${phase}`) ?? []).sort(),
          `${unit} ${phase} (${behaviourOf(Number(unit.slice(1)), phase).behaviour})`,
        ).toEqual([...e.emails].sort());
        actual.delete(`${unit}/${phase}`);
        compared += e.emails.length;
      }
    }
    expect([...actual.keys()], 'emails for obligations nobody expected').toEqual([]);
    expect(compared).toBe(t.emails.length);
  });

  it('addresses every email to the people its kind is for', () => {
    for (const e of t.emails) {
      const unitPeople = [fx.unitEmail(e.unit, 'contact'), fx.unitEmail(e.unit, 'secretary')];
      const want =
        { overdue: [fx.unitEmail(e.unit, 'secretary')], escalation2: fx.leaderEmails, escalation3: [fx.standingBodyEmail] }[
          e.kind as 'overdue'
        ] ?? unitPeople;
      expect(e.to, `${e.date} ${e.unit} ${e.phase} ${e.kind}`).toEqual(want);
    }
  });

  it('records each escalation level on its day, for every unit and phase', () => {
    const actual = new Map<string, string[]>();
    for (const e of t.escalations) {
      const key = `${e.unit}/${e.phase}`;
      actual.set(key, [...(actual.get(key) ?? []), `${e.date} L${e.level}`]);
    }
    for (const [unit, phases] of expected) {
      for (const [phase, e] of phases) {
        expect((actual.get(`${unit}/${phase}`) ?? []).sort(), `${unit} ${phase}`).toEqual([...e.escalations].sort());
      }
    }
    expect(t.escalations).toHaveLength(
      [...expected.values()].flatMap((p) => [...p.values()]).reduce((n, e) => n + e.escalations.length, 0),
    );
  });

  it('ends the year with the final status the behaviour implies: submitted, late, not_submitted or exempted', () => {
    const want: Record<string, Record<string, string>> = {};
    for (const [unit, phases] of expected) want[unit] = Object.fromEntries([...phases].map(([phase, e]) => [phase, e.status]));
    expect(t.finalStatus).toEqual(want);
    // The scenario covers every outcome, including make-up sessions.
    const statuses = new Set(Object.values(t.finalStatus).flatMap((p) => Object.values(p)));
    expect([...statuses].sort()).toEqual(['exempted', 'late', 'not_submitted', 'submitted']);
    const makeups = Object.entries(t.finalStatus)
      .filter(([, p]) => p['study-makeup'])
      .map(([u, p]) => `${u}:${p['study-makeup']}`);
    expect(makeups.sort()).toEqual(['U003:submitted', 'U004:late', 'U005:not_submitted', 'U006:submitted', 'U080:late', 'U110:submitted']);
    expect(t.summary.byStatus).toEqual(
      Object.values(t.finalStatus)
        .flatMap((p) => Object.values(p))
        .reduce<Record<string, number>>((acc, s) => ({ ...acc, [s]: (acc[s] ?? 0) + 1 }), {}),
    );
  });

  it('delivers exactly as many messages over SMTP as the outbox recorded sent', () => {
    expect(t.summary.emailsNotSent).toBe(0);
    expect(t.smtpMessages).toBe(t.emails.length);
    expect(t.summary.emailsSent).toBe(t.emails.length);
    expect(Object.values(t.summary.emailsByKind).reduce((a, b) => a + b, 0)).toBe(t.emails.length);
    console.log(
      `full year: measured ${(elapsedMs / 1000).toFixed(1)} s for ${t.emails.length} emails (${JSON.stringify(t.summary.emailsByKind)})`,
    );
  });
});
