/**
 * Cycle fixtures written to a temporary folder: a committee with any number of units, dates and ladder given
 * by the test. Each fixture has its own committee code and mail domain, so tests sharing the database and the
 * SMTP sink never read each other's records.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';

export interface FixtureOptions {
  code: string;
  year?: number;
  issuedOn: string;
  deadline: string;
  units: number;
  reminders?: number[];
  overdueNotice?: boolean;
  level2AfterDays?: number;
  level3AfterDays?: number;
  holidays?: string[];
  rollForward?: boolean;
  closesOn?: string;
  /** Phases of a full cycle; default: only the plan phase from issuedOn to deadline. */
  phases?: { id: string; opensOn?: string; deadline: string; title?: string; makeupDays?: number }[];
  targets?: { studyPercent?: number; pledgePercent?: number };
  /** Where to write the files (default: a new temporary folder). */
  dir?: string;
  /** The units' email domain (default: `<code>.example.vn`). */
  domain?: string;
  /** A child cycle: the superior committee running its own cycle in chuky (config `parent`). */
  parent?: { committee: string; unit?: string; marginDays?: number };
}

export const PHASE_TITLES: Record<string, string> = {
  plan: 'Tiếp nhận kế hoạch và nộp kế hoạch thực hiện của đơn vị',
  study: 'Báo cáo kết quả học tập, quán triệt chuyên đề năm',
  pledge: 'Báo cáo xây dựng kế hoạch cá nhân, cam kết của đảng viên',
  models: 'Đăng ký mô hình, điển hình và đề xuất khen thưởng',
  inspection: 'Báo cáo kiểm tra, giám sát của cấp ủy, ủy ban kiểm tra cơ sở',
  'year-end-report': 'Báo cáo kết quả thực hiện năm',
  compile: 'Tổng hợp báo cáo sơ kết',
};

export interface Fixture {
  file: string;
  domain: string;
  unitCodes: string[];
  /** A plain function (no `this`): callers pass it around on its own. */
  unitEmail: (code: string, role: 'secretary' | 'contact') => string;
  standingBodyEmail: string;
  leaderEmails: string[];
}

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

export function writeFixture(o: FixtureOptions): Fixture {
  const dir = o.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), `chuky-fixture-${o.code}-`));
  fs.mkdirSync(dir, { recursive: true });
  const domain = o.domain ?? `${o.code.toLowerCase()}.example.vn`;
  const unitCodes = Array.from({ length: o.units }, (_, i) => `U${String(i + 1).padStart(3, '0')}`);
  const unitEmail = (code: string, role: 'secretary' | 'contact') =>
    `${role === 'secretary' ? 'bithu' : 'vanphong'}.${code.toLowerCase()}@${domain}`;
  const rows = unitCodes.map((code, i) => [
    code,
    `Đảng bộ ${NAMES[i % NAMES.length]} ${i + 1}`,
    i % 3 === 0 ? 'Chi bộ cơ sở' : 'Đảng bộ cơ sở',
    String(20 + ((i * 37) % 300)),
    `Nguyễn Văn Bí Thư ${i + 1}`,
    unitEmail(code, 'secretary'),
    `Trần Thị Liên Hệ ${i + 1}`,
    unitEmail(code, 'contact'),
  ]);
  const csv = [
    'Mã đơn vị;Tên đơn vị;Loại;Số đảng viên;Bí thư;Email bí thư;Người liên hệ;Email liên hệ',
    ...rows.map((r) => r.join(';')),
  ].join('\n');
  fs.writeFileSync(path.join(dir, 'units.csv'), `${csv}\n`);
  const standingBodyEmail = `btg@${domain}`;
  const leaderEmails = [`pbttt@${domain}`];
  const year = o.year ?? Number(o.deadline.slice(0, 4));
  const def = {
    committee: {
      code: o.code,
      superior: 'ĐẢNG BỘ TỈNH THỬ NGHIỆM',
      name: `ĐẢNG ỦY KHỐI THỬ NGHIỆM ${o.code}`,
      shortName: 'Đảng ủy Khối',
      documentCode: 'ĐUK',
      place: 'Hà Tĩnh',
      standingBody: { name: 'Ban Tuyên giáo và Dân vận Đảng ủy Khối', email: standingBodyEmail },
      leaders: [{ name: 'Lê Thị Lãnh Đạo', title: 'Phó Bí thư Thường trực', email: leaderEmails[0] }],
    },
    ...(o.parent ? { parent: o.parent } : {}),
    year,
    timezone: 'Asia/Ho_Chi_Minh',
    plan: {
      number: '64-KH/ĐUK',
      title: `Kế hoạch học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh năm ${year}`,
      issuedOn: o.issuedOn,
    },
    calendar: { rollForward: o.rollForward ?? false, weekend: [6, 0], holidays: o.holidays ?? [] },
    reminders: { daysBefore: o.reminders ?? [7, 3, 1] },
    escalation: {
      overdueNotice: o.overdueNotice ?? true,
      level2AfterDays: o.level2AfterDays ?? 7,
      level3AfterDays: o.level3AfterDays ?? 14,
    },
    phases: (o.phases ?? [{ id: 'plan', opensOn: o.issuedOn, deadline: o.deadline }]).map((p) => ({
      id: p.id,
      title: p.title ?? PHASE_TITLES[p.id] ?? p.id,
      opensOn: p.opensOn ?? o.issuedOn,
      deadline: p.deadline,
      ...(p.makeupDays ? { makeupDays: p.makeupDays } : {}),
    })),
    ...(o.targets ? { targets: o.targets } : {}),
    unitsFile: 'units.csv',
    ...(o.closesOn ? { closesOn: o.closesOn } : {}),
  };
  const file = path.join(dir, 'cycle.yaml');
  fs.writeFileSync(file, stringify(def));
  return { file, domain, unitCodes, unitEmail, standingBodyEmail, leaderEmails };
}
