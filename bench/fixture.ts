/**
 * Cycle definitions for the bench, written to files the way an operator writes them (a cycle YAML and a units CSV
 * with Vietnamese headers) by the tests' own fixture writer, at any number of units. Each cycle has its own
 * committee code and mail domain, so counts at the SMTP sink are per cycle.
 */
import path from 'node:path';
import { addDays, instantToLocalDate, type IsoDate } from '../domain/calendar.js';
import { writeFixture } from '../test/support/fixtures.js';

export const TIME_ZONE = 'Asia/Ho_Chi_Minh';

export interface PhaseDates {
  id: string;
  opensOn: IsoDate;
  deadline: IsoDate;
  makeupDays?: number;
}

export interface BenchCycle {
  file: string;
  code: string;
  year: number;
  domain: string;
  unitCodes: string[];
  /** A plain function (no `this`): callers pass it around on its own. */
  unitEmail: (code: string, role: 'secretary' | 'contact') => string;
}

/** A bench cycle is a test fixture of any size, written under the bench's own run folder. */
export function writeBenchCycle(o: {
  dir: string;
  code: string;
  year: number;
  units: number;
  issuedOn: IsoDate;
  phases: PhaseDates[];
  rollForward?: boolean;
  holidays?: IsoDate[];
  closesOn?: IsoDate;
  /** A child cycle: the superior's committee code and this committee's unit code there. */
  parent?: { committee: string; unit: string };
}): BenchCycle {
  const fx = writeFixture({
    dir: path.join(o.dir, o.code),
    domain: `${o.code.toLowerCase()}.bench.example.vn`,
    code: o.code,
    year: o.year,
    units: o.units,
    issuedOn: o.issuedOn,
    deadline: o.phases[o.phases.length - 1]!.deadline,
    phases: o.phases,
    ...(o.rollForward !== undefined ? { rollForward: o.rollForward } : {}),
    ...(o.holidays ? { holidays: o.holidays } : {}),
    ...(o.closesOn ? { closesOn: o.closesOn } : {}),
    ...(o.parent ? { parent: o.parent } : {}),
  });
  return { file: fx.file, code: o.code, year: o.year, domain: fx.domain, unitCodes: fx.unitCodes, unitEmail: fx.unitEmail };
}

export function today(): IsoDate {
  return instantToLocalDate(Date.now(), TIME_ZONE);
}

/**
 * A launch on the real calendar whose plan notice is due at once: the plan phase opened yesterday (its 08:00
 * notice is already due when the unit workflow starts), and its deadline is 31 to 40 days away, so no reminder
 * falls due during the bench.
 */
export function launchDates(): { year: number; issuedOn: IsoDate; phases: PhaseDates[] } {
  const t = today();
  const year = Number(t.slice(0, 4));
  const yesterday = addDays(t, -1);
  const latest = `${year + 1}-01-31`;
  const in40 = addDays(t, 40);
  return { year, issuedOn: yesterday, phases: [{ id: 'plan', opensOn: yesterday, deadline: in40 < latest ? in40 : latest }] };
}

/** A whole year's phases (as test/workflow/full-year.test.ts has them), in `year`. */
export function fullYearPhases(year: number): { phases: PhaseDates[]; holidays: IsoDate[]; issuedOn: IsoDate; closesOn: IsoDate } {
  const y = String(year);
  return {
    issuedOn: `${y}-01-11`,
    closesOn: `${y}-12-31`,
    holidays: ['01-01', '04-16', '04-30', '05-01', '09-02', '09-03'].map((d) => `${y}-${d}`),
    phases: [
      { id: 'plan', opensOn: `${y}-01-11`, deadline: `${y}-02-15` },
      { id: 'study', opensOn: `${y}-02-01`, deadline: `${y}-04-30`, makeupDays: 14 },
      { id: 'pledge', opensOn: `${y}-02-01`, deadline: `${y}-03-31` },
      { id: 'models', opensOn: `${y}-03-01`, deadline: `${y}-11-30` },
      { id: 'inspection', opensOn: `${y}-07-01`, deadline: `${y}-10-31` },
      { id: 'year-end-report', opensOn: `${y}-11-01`, deadline: `${y}-11-30` },
      { id: 'compile', opensOn: `${y}-12-01`, deadline: `${y}-12-15` },
    ],
  };
}
