/**
 * Cycle definitions for the bench, written to files the way an operator writes them: a cycle YAML and a units CSV
 * with Vietnamese headers, any number of units (test/support/fixtures.ts stops at 999 codes; the bench goes to
 * 5,000 and beyond). Each cycle has its own committee code and mail domain, so counts at the SMTP sink are per cycle.
 */
import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { addDays, instantToLocalDate, type IsoDate } from '../domain/calendar.js';

export const TIME_ZONE = 'Asia/Ho_Chi_Minh';

// The same titles as the tests' fixtures: one list, so a bench cycle reads like a test cycle.
import { PHASE_TITLES } from '../test/support/fixtures.js';

export { PHASE_TITLES };

const NAMES = ['Sở Tài chính', 'Sở Tư pháp', 'Sở Y tế', 'Sở Giáo dục và Đào tạo', 'Kho bạc Nhà nước', 'Công ty Điện lực', 'Ngân hàng Nhà nước chi nhánh', 'Sở Nông nghiệp và Môi trường', 'Trường Cao đẳng Kỹ thuật', 'Bệnh viện Đa khoa'];

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
  unitEmail(code: string, role: 'secretary' | 'contact'): string;
}

/** Members of the unit at 0-based position i, as the test fixtures count them: 20 to 319. */
export const membersAt = (i: number) => 20 + ((i * 37) % 300);

export function unitCode(i: number): string {
  return `U${String(i + 1).padStart(4, '0')}`;
}

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
}): BenchCycle {
  const dir = path.join(o.dir, o.code);
  fs.mkdirSync(dir, { recursive: true });
  const domain = `${o.code.toLowerCase()}.bench.example.vn`;
  const unitCodes = Array.from({ length: o.units }, (_, i) => unitCode(i));
  const unitEmail = (code: string, role: 'secretary' | 'contact') => `${role === 'secretary' ? 'bithu' : 'vanphong'}.${code.toLowerCase()}@${domain}`;
  const rows = unitCodes.map((code, i) =>
    [
      code,
      `Đảng bộ ${NAMES[i % NAMES.length]} ${i + 1}`,
      i % 3 === 0 ? 'Chi bộ cơ sở' : 'Đảng bộ cơ sở',
      String(membersAt(i)),
      `Nguyễn Văn Bí Thư ${i + 1}`,
      unitEmail(code, 'secretary'),
      `Trần Thị Liên Hệ ${i + 1}`,
      unitEmail(code, 'contact'),
    ].join(';'),
  );
  fs.writeFileSync(path.join(dir, 'units.csv'), ['Mã đơn vị;Tên đơn vị;Loại;Số đảng viên;Bí thư;Email bí thư;Người liên hệ;Email liên hệ', ...rows, ''].join('\n'));
  const def = {
    committee: {
      code: o.code,
      superior: 'ĐẢNG BỘ TỈNH THỬ NGHIỆM',
      name: `ĐẢNG ỦY KHỐI THỬ NGHIỆM ${o.code}`,
      shortName: 'Đảng ủy Khối',
      documentCode: 'ĐUK',
      place: 'Hà Tĩnh',
      standingBody: { name: 'Ban Tuyên giáo và Dân vận Đảng ủy Khối', email: `btg@${domain}` },
      leaders: [{ name: 'Lê Thị Lãnh Đạo', title: 'Phó Bí thư Thường trực', email: `pbttt@${domain}` }],
    },
    year: o.year,
    timezone: TIME_ZONE,
    plan: { number: '64-KH/ĐUK', title: `Kế hoạch học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh năm ${o.year}`, issuedOn: o.issuedOn },
    calendar: { rollForward: o.rollForward ?? false, weekend: [6, 0], holidays: o.holidays ?? [] },
    reminders: { daysBefore: [7, 3, 1] },
    escalation: { overdueNotice: true, level2AfterDays: 7, level3AfterDays: 14 },
    targets: { studyPercent: 98, pledgePercent: 100 },
    phases: o.phases.map((p) => ({ id: p.id, title: PHASE_TITLES[p.id] ?? p.id, opensOn: p.opensOn, deadline: p.deadline, ...(p.makeupDays ? { makeupDays: p.makeupDays } : {}) })),
    unitsFile: 'units.csv',
    ...(o.closesOn ? { closesOn: o.closesOn } : {}),
  };
  const file = path.join(dir, 'cycle.yaml');
  fs.writeFileSync(file, stringify(def));
  return { file, code: o.code, year: o.year, domain, unitCodes, unitEmail };
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
