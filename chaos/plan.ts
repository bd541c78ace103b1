/**
 * The fault suite's year: a committee of N units on a compressed calendar (plan and study phases, study make-up,
 * the whole ladder), what each unit submits and when, and — for the faulty run — which faults strike when.
 * Everything is derived from the options and a seed, so the run with faults and the run without them play the
 * same year. Pure.
 *
 * Submissions are placed at least 1.3 calendar days from any step of the unit's own ladder (reminders at 08:00,
 * the overdue notice, level 2): a fault delays a submission by seconds, and a compressed day lasts several of
 * them, so a delayed submission still lands on the same side of every step and the final statuses can be
 * compared one for one.
 */
import { localTimeToInstant, type IsoDate } from '../domain/calendar.js';
import { samplePayload } from '../rehearsal/payloads.js';
import { mulberry32 } from '../demo-data/seed-history.js';

export const TIMEZONE = 'Asia/Ho_Chi_Minh';
export const ISSUED_ON: IsoDate = '2027-03-01';
export const CLOSES_ON: IsoDate = '2027-03-24';
export const PHASES = [
  { id: 'plan', opensOn: '2027-03-01', deadline: '2027-03-10' },
  { id: 'study', opensOn: '2027-03-03', deadline: '2027-03-12', makeupDays: 4 },
] as const;
export const LADDER = { reminders: [4, 1], level2AfterDays: 5, level3AfterDays: 9 } as const;
export const STUDY_TARGET = 98;

export interface ChaosOptions {
  /** Committee code: the cycle is `<code>-2027`. */
  code: string;
  units: number;
  /** Real seconds per calendar day. */
  secondsPerDay: number;
  /** Worker kills (kill -9) in the faulty run. */
  workerKills: number;
  seed: number;
  /**
   * What runs Temporal: the CLI's dev server on SQLite with one worker and one API (`dev`, the default), or the
   * production shape (`server`): the real Temporal server split into its four services on the same PostgreSQL
   * instance as chuky's data, two `chuky worker` and two `chuky api` processes behind a round-robin proxy.
   */
  engine?: Engine;
}

export type Engine = 'dev' | 'server';

/** Worker and API processes per engine. */
export function processCounts(engine: Engine = 'dev'): { workers: number; apis: number } {
  return engine === 'server' ? { workers: 2, apis: 2 } : { workers: 1, apis: 1 };
}

export type Intent = 'on-time' | 'late' | 'never';

export interface UnitIntent {
  code: string;
  name: string;
  members: number;
  plan: Intent;
  study: Intent;
  /** Attendance reported in the study phase; under the target opens the make-up obligation. */
  studyPercent: number;
  makeup: Intent;
  /** Sends a second version of its plan (a revision) the day after the first. */
  revisesPlan: boolean;
  /** Its first plan submission is sent twice with the same request id (a double tap). */
  doubleTap: boolean;
}

export interface PlannedSubmission {
  unitCode: string;
  phase: string;
  /** Calendar instant of the attempt. */
  at: number;
  requestId: string;
  payload: Record<string, unknown>;
  intent: Intent;
}

const at = (date: IsoDate, hour: number) => localTimeToInstant(date, hour, TIMEZONE);

/** The units as the fixture writer names them (test/support/fixtures.ts): U001…, members 20 + (i·37 mod 300). */
export function unitIntents(n: number): UnitIntent[] {
  const NAMES = [
    'Sở Tài chính',
    'Sở Tư pháp',
    'Sở Y tế',
    'Sở Giáo dục và Đào tạo',
    'Kho bạc Nhà nước tỉnh',
    'Công ty Điện lực',
    'Ngân hàng Nhà nước chi nhánh tỉnh',
    'Sở Nông nghiệp và Môi trường',
  ];
  return Array.from({ length: n }, (_, i) => {
    const kind = i % 10;
    return {
      code: `U${String(i + 1).padStart(3, '0')}`,
      name: `Đảng bộ ${NAMES[i % NAMES.length]} ${i + 1}`,
      members: 20 + ((i * 37) % 300),
      plan: kind === 0 ? 'never' : kind === 1 || kind === 2 ? 'late' : 'on-time',
      study: kind === 0 ? 'never' : kind === 3 ? 'late' : 'on-time',
      studyPercent: kind === 4 || kind === 5 ? 90 : 100,
      makeup: kind === 4 ? 'on-time' : 'never',
      revisesPlan: kind === 6,
      doubleTap: kind === 7,
    };
  });
}

/**
 * Every submission of the year, in calendar order. Plan (deadline 10/03; ladder 06/03, 09/03, 11/03, 15/03):
 * on time 02/03 14:00, a revision 03/03 14:00, late 13/03 00:00. Study (deadline 12/03; ladder 08/03, 11/03,
 * 13/03, 17/03): on time 04/03 14:00, late 15/03 00:00. Make-up (due 08/03 for a 04/03 study; its reminder
 * 07/03): 06/03 00:00.
 */
export function plannedSubmissions(opts: Pick<ChaosOptions, 'code' | 'units'>): PlannedSubmission[] {
  const out: PlannedSubmission[] = [];
  const req = (u: string, phase: string, v: number) => `chaos-${opts.code}-${u}-${phase}-v${v}`;
  for (const u of unitIntents(opts.units)) {
    const sample = { code: u.code, name: u.name, members: u.members };
    if (u.plan !== 'never') {
      const when = u.plan === 'on-time' ? at('2027-03-02', 14) : at('2027-03-13', 0);
      const date = u.plan === 'on-time' ? '2027-03-02' : '2027-03-13';
      const first = {
        unitCode: u.code,
        phase: 'plan',
        at: when,
        requestId: req(u.code, 'plan', 1),
        payload: samplePayload('plan', sample, { date }),
        intent: u.plan,
      };
      out.push(first);
      if (u.doubleTap) out.push({ ...first, at: when + 60_000 });
      if (u.revisesPlan && u.plan === 'on-time') {
        const payload = samplePayload('plan', sample, { date: '2027-03-03' });
        out.push({
          unitCode: u.code,
          phase: 'plan',
          at: at('2027-03-03', 14),
          requestId: req(u.code, 'plan', 2),
          payload: { ...payload, planText: `${String(payload.planText)} (Bản sửa đổi.)` },
          intent: 'on-time',
        });
      }
    }
    if (u.study !== 'never') {
      const date: IsoDate = u.study === 'on-time' ? '2027-03-04' : '2027-03-15';
      const when = u.study === 'on-time' ? at(date, 14) : at(date, 0);
      out.push({
        unitCode: u.code,
        phase: 'study',
        at: when,
        requestId: req(u.code, 'study', 1),
        payload: samplePayload('study', sample, { date, studyPercent: u.studyPercent }),
        intent: u.study,
      });
      if (u.study === 'on-time' && u.studyPercent < STUDY_TARGET && u.makeup === 'on-time') {
        out.push({
          unitCode: u.code,
          phase: 'study-makeup',
          at: at('2027-03-06', 0),
          requestId: req(u.code, 'study-makeup', 1),
          payload: samplePayload('study-makeup', sample, { date: '2027-03-06' }),
          intent: 'on-time',
        });
      }
    }
  }
  return out.sort((a, b) => a.at - b.at || a.unitCode.localeCompare(b.unitCode));
}

export type FaultKind =
  | 'worker-kill'
  | 'api-kill'
  | 'temporal-restart'
  | 'history-restart'
  | 'frontend-restart'
  | 'matching-restart'
  | 'smtp-outage'
  | 'postgres-restart';

/** The kinds each engine's faulty year injects, in the order the summary lists them. */
export function faultKinds(engine: Engine = 'dev'): FaultKind[] {
  return engine === 'server'
    ? ['worker-kill', 'api-kill', 'history-restart', 'frontend-restart', 'matching-restart', 'postgres-restart', 'smtp-outage']
    : ['worker-kill', 'temporal-restart', 'smtp-outage', 'postgres-restart'];
}

export interface PlannedFault {
  kind: FaultKind;
  /** Calendar instant the fault begins. */
  at: number;
  /** How long the service stays down, in real milliseconds (SMTP: refusing, then answering 4xx). */
  downMs: number;
  /** SMTP only: how long it then answers 451 before accepting again. */
  tempfailMs?: number;
  /** Which worker or API process (from 0) a kill strikes, when there are several. */
  target?: number;
}

/** A seed names a run: the same deterministic generator the example data uses. */
export const rng = mulberry32;

/**
 * The faulty run's faults. One worker kill meets the on-time plans of 02/03; the SMTP outage (refusing, then
 * answering 451) spans the study reminders of 08/03; the Temporal restart spans the study reminders and the
 * plan's overdue notices of 11/03; PostgreSQL is down when the late plans and the study's overdue notices of
 * 13/03 come. The other worker kills fall at random moments between the launch and the last escalations, away
 * from the other faults so that each recovery is measured on its own.
 */
export function plannedFaults(opts: Pick<ChaosOptions, 'secondsPerDay' | 'workerKills' | 'seed' | 'engine'>): PlannedFault[] {
  if (opts.engine === 'server') return serverFaults(opts);
  const day = opts.secondsPerDay * 1000;
  const fixed: PlannedFault[] = [
    // Half an hour before the on-time plans come in (02/03 14:00), so they reach a dead worker.
    { kind: 'worker-kill', at: at('2027-03-02', 13) + 1_800_000, downMs: Math.round(0.25 * day) },
    { kind: 'smtp-outage', at: at('2027-03-07', 20), downMs: Math.round(0.6 * day), tempfailMs: Math.round(0.5 * day) },
    { kind: 'temporal-restart', at: at('2027-03-11', 4), downMs: Math.max(3_000, Math.round(0.3 * day)) },
    // The late plans (13/03 00:00) and the study's overdue notices (13/03 08:00) meet a database that is down.
    { kind: 'postgres-restart', at: at('2027-03-12', 23), downMs: Math.max(2_000, Math.round(0.4 * day)) },
  ];
  const random = rng(opts.seed);
  const from = at('2027-03-01', 12);
  const to = at('2027-03-21', 12);
  const dayMs = 86_400_000;
  const clear = (t: number) => fixed.every((f) => t < f.at - 0.6 * dayMs || t > f.at + 1.8 * dayMs);
  const kills: PlannedFault[] = [];
  for (let guard = 0; kills.length < opts.workerKills - 1 && guard < 10_000; guard++) {
    const t = Math.round(from + random() * (to - from));
    if (clear(t) && kills.every((k) => Math.abs(k.at - t) > 0.5 * dayMs))
      kills.push({ kind: 'worker-kill', at: t, downMs: 500 + Math.round(random() * 2_500) });
  }
  return [...fixed, ...kills].sort((a, b) => a.at - b.at);
}

/**
 * The production shape's faults. Each service restart spans a morning's emails (08:00): the history service
 * alone the plan's first reminders of 06/03, the matching service its second of 09/03, the frontend the study
 * reminders and the plan's overdue notices of 11/03 (where the dev server's restart falls); SMTP and PostgreSQL
 * as on the dev server — PostgreSQL now holds Temporal's databases too, so the whole server loses its store with
 * chuky. One worker is killed half an hour before the on-time plans; an API process is killed in the middle of
 * them, while submissions are in flight through the proxy. The other worker kills alternate between the two
 * workers at random moments, away from the other faults.
 */
function serverFaults(opts: Pick<ChaosOptions, 'secondsPerDay' | 'workerKills' | 'seed'>): PlannedFault[] {
  const day = opts.secondsPerDay * 1000;
  const restart = Math.max(3_000, Math.round(0.3 * day));
  const fixed: PlannedFault[] = [
    { kind: 'worker-kill', at: at('2027-03-02', 13) + 1_800_000, downMs: Math.round(0.25 * day), target: 0 },
    // At the on-time plans' own instant: the injector waits until several are in flight before it kills.
    { kind: 'api-kill', at: at('2027-03-02', 14), downMs: 1_000, target: 0 },
    { kind: 'history-restart', at: at('2027-03-06', 5), downMs: restart },
    { kind: 'smtp-outage', at: at('2027-03-07', 20), downMs: Math.round(0.6 * day), tempfailMs: Math.round(0.5 * day) },
    { kind: 'matching-restart', at: at('2027-03-09', 5), downMs: restart },
    { kind: 'frontend-restart', at: at('2027-03-11', 4), downMs: restart },
    { kind: 'postgres-restart', at: at('2027-03-12', 23), downMs: Math.max(2_000, Math.round(0.4 * day)) },
  ];
  const random = rng(opts.seed);
  const from = at('2027-03-01', 12);
  const to = at('2027-03-21', 12);
  const dayMs = 86_400_000;
  // Narrower than the dev server's margins (0.6 before, 1.8 after): six fixed faults leave little room otherwise.
  const clear = (t: number) => fixed.every((f) => t < f.at - 0.5 * dayMs || t > f.at + 1.2 * dayMs);
  const kills: PlannedFault[] = [];
  for (let guard = 0; kills.length < opts.workerKills - 1 && guard < 10_000; guard++) {
    const t = Math.round(from + random() * (to - from));
    if (clear(t) && kills.every((k) => Math.abs(k.at - t) > 0.5 * dayMs))
      kills.push({ kind: 'worker-kill', at: t, downMs: 500 + Math.round(random() * 2_500) });
  }
  // Alternate the target in calendar order so that both workers die as often (the fixed kill struck worker 1).
  kills.sort((a, b) => a.at - b.at).forEach((k, i) => (k.target = (i + 1) % 2));
  return [...fixed, ...kills].sort((a, b) => a.at - b.at);
}

/** The calendar instant by which everything has happened: the cycle closes at the start of CLOSES_ON. */
export function closingInstant(): number {
  return at(CLOSES_ON, 0);
}
