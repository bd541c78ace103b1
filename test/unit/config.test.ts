import { mkdtempSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, formatIssue, type ConfigIssue } from '../../config/errors.js';
import { effectivePhasePolicy, loadCycleFile, parseCycleYaml } from '../../config/cycle.js';
import { loadUnitsFile, parseUnitsCsv } from '../../config/units.js';
import { DEV_SIGNING_SECRET, loadEnv } from '../../config/env.js';

const DEMO = resolve(import.meta.dirname, '../../config/demo/cycle.yaml');

function issuesOf(fn: () => unknown): ConfigIssue[] {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).issues;
  }
  throw new Error('expected a ConfigError');
}

/** 1-based line of the first line containing `marker`. */
function lineOf(text: string, marker: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(marker));
  if (i < 0) throw new Error(`marker not found: ${marker}`);
  return i + 1;
}

const BASE_YAML = `committee:
  code: DUK-HT
  superior: ĐẢNG BỘ TỈNH HÀ TĨNH
  name: ĐẢNG ỦY KHỐI CÁC CƠ QUAN VÀ DOANH NGHIỆP TỈNH
  documentCode: ĐUK
  place: Hà Tĩnh
  standingBody:
    name: Ban Tuyên giáo và Dân vận Đảng ủy Khối
    email: btg@example.vn
  leaders:
    - { name: Nguyễn Văn A, title: Phó Bí thư Thường trực, email: a@example.vn }
year: 2027
plan:
  number: 64-KH/ĐUK
  title: Kế hoạch năm 2027
  issuedOn: 2027-01-10
phases:
  - id: plan
    title: Nộp kế hoạch thực hiện
    deadline: 2027-02-15
unitsFile: units.csv
`;

describe('demo configuration', () => {
  it('loads the demo cycle and its units', () => {
    const loaded = loadCycleFile(DEMO);
    expect(loaded.sourceFile).toBe(DEMO);
    expect(loaded.unitsFile).toBe(resolve(import.meta.dirname, '../../config/demo/units.csv'));
    const def = loaded.definition;
    expect(def.committee.code).toBe('DUK-HT');
    expect(def.committee.standingBody.name).toBe('Ban Tuyên giáo và Dân vận Đảng ủy Khối');
    expect(def.year).toBe(2027);
    expect(def.timezone).toBe('Asia/Ho_Chi_Minh');
    expect(def.calendar.holidays).toContain('2027-02-06');
    expect(def.phases.map((p) => p.id)).toEqual(['plan', 'study', 'pledge', 'models', 'inspection', 'year-end-report', 'compile']);
    expect(def.phases[0]).toMatchObject({ id: 'plan', deadline: '2027-02-15', opensOn: '2027-01-11' });
    expect(def.phases[1]).toMatchObject({ id: 'study', makeupDays: 14 });
    expect(def.targets).toEqual({ studyPercent: 98, pledgePercent: 100, membersMarginPercent: 10 });
    expect(def.closesOn).toBe('2027-12-31');
    expect(loaded.units).toHaveLength(12);
    for (const u of loaded.units) {
      expect(u.members).toBeGreaterThanOrEqual(15);
      expect(u.members).toBeLessThanOrEqual(400);
      expect(u.secretary.email).toMatch(/^[a-z0-9.]+@example\.vn$/);
    }
    const tuPhap = loaded.units.find((u) => u.code === 'SO-TP');
    expect(tuPhap).toMatchObject({ name: 'Chi bộ Sở Tư pháp', kind: 'chi-bo-co-so', members: 32, contact: null });
    const taiChinh = loaded.units.find((u) => u.code === 'SO-TC');
    expect(taiChinh).toMatchObject({
      kind: 'dang-bo-co-so',
      secretary: { name: 'Lê Văn Thành', email: 'bithu.sotaichinh@example.vn' },
      contact: { name: 'Phan Thị Mai', email: 'vanphong.sotaichinh@example.vn' },
    });
    expect(loaded.units.find((u) => u.code === 'SO-VHTTDL')?.name).toBe('Chi bộ Sở Văn hóa, Thể thao và Du lịch');
  });

  it('computes the effective policy of a phase', () => {
    const def = loadCycleFile(DEMO).definition;
    expect(effectivePhasePolicy(def, 'plan')).toEqual({
      reminders: { daysBefore: [7, 3, 1] },
      escalation: { overdueNotice: true, level2AfterDays: 7, level3AfterDays: 14 },
    });
    expect(effectivePhasePolicy(def, 'models').reminders).toEqual({ daysBefore: [14, 7, 1] });
    expect(() => effectivePhasePolicy({ ...def, phases: def.phases.filter((p) => p.id !== 'study') }, 'study')).toThrow(ConfigError);
  });
});

describe('cycle YAML', () => {
  it('applies defaults', () => {
    const def = parseCycleYaml(BASE_YAML, 'cycle.yaml');
    expect(def.timezone).toBe('Asia/Ho_Chi_Minh');
    expect(def.calendar).toEqual({ rollForward: true, weekend: [6, 0], holidays: [] });
    expect(def.reminders).toEqual({ daysBefore: [7, 3, 1] });
    expect(def.escalation).toEqual({ overdueNotice: true, level2AfterDays: 7, level3AfterDays: 14 });
    expect(def.phases[0]?.opensOn).toBe('2027-01-10');
    expect(def.committee.leaders[0]).toEqual({ name: 'Nguyễn Văn A', title: 'Phó Bí thư Thường trực', email: 'a@example.vn' });
  });

  it('merges phase overrides and sorts reminder days', () => {
    const text = BASE_YAML.replace(
      '    deadline: 2027-02-15\n',
      '    deadline: 2027-02-15\n    reminders: { daysBefore: [1, 5] }\n    escalation: { level2AfterDays: 5 }\n',
    ).replace('year: 2027\n', 'year: 2027\nreminders:\n  daysBefore: [1, 14, 3]\n');
    const def = parseCycleYaml(text, 'cycle.yaml');
    expect(def.reminders.daysBefore).toEqual([14, 3, 1]);
    expect(effectivePhasePolicy(def, 'plan')).toEqual({
      reminders: { daysBefore: [5, 1] },
      escalation: { overdueNotice: true, level2AfterDays: 5, level3AfterDays: 14 },
    });
  });

  it('reports a bad date on its line with the field path', () => {
    const text = BASE_YAML.replace('deadline: 2027-02-15', 'deadline: 2027-02-30');
    const issues = issuesOf(() => parseCycleYaml(text, 'cycle.yaml'));
    expect(issues).toEqual([
      {
        file: 'cycle.yaml',
        line: lineOf(text, 'deadline: 2027-02-30'),
        field: 'phases[0].deadline',
        message: 'not a real calendar date: 2027-02-30',
      },
    ]);
  });

  it('reports every problem at once, each on its own line', () => {
    const text = BASE_YAML.replace('- id: plan', '- id: planning')
      .replace('email: btg@example.vn', 'email: not-an-email')
      .replace('issuedOn: 2027-01-10', 'issuedOn: 10/01/2027')
      .replace('year: 2027\n', 'year: 2027\ntimezone: Asia/Hanoi_Nowhere\n');
    const issues = issuesOf(() => parseCycleYaml(text, 'cycle.yaml'));
    const byField = Object.fromEntries(issues.map((i) => [i.field, i]));
    expect(byField['phases[0].id']).toMatchObject({ line: lineOf(text, 'id: planning') });
    expect(byField['phases[0].id']?.message).toContain('"plan"');
    expect(byField['committee.standingBody.email']).toMatchObject({ line: lineOf(text, 'not-an-email') });
    expect(byField['plan.issuedOn']).toMatchObject({ line: lineOf(text, 'issuedOn:'), message: expect.stringContaining('YYYY-MM-DD') });
    expect(byField['timezone']).toMatchObject({ line: lineOf(text, 'timezone:') });
    expect(issues).toHaveLength(4);
  });

  it('rejects level3AfterDays <= level2AfterDays, for the cycle and for a phase override', () => {
    const text = BASE_YAML.replace('year: 2027\n', 'year: 2027\nescalation:\n  level2AfterDays: 10\n  level3AfterDays: 10\n');
    expect(issuesOf(() => parseCycleYaml(text, 'c.yaml'))).toEqual([
      expect.objectContaining({ line: lineOf(text, 'level3AfterDays: 10'), field: 'escalation.level3AfterDays' }),
    ]);
    const phaseText = BASE_YAML.replace(
      '    deadline: 2027-02-15\n',
      '    deadline: 2027-02-15\n    escalation:\n      level2AfterDays: 20\n',
    );
    expect(issuesOf(() => parseCycleYaml(phaseText, 'c.yaml'))).toEqual([
      expect.objectContaining({ line: lineOf(phaseText, 'level2AfterDays: 20'), field: 'phases[0].escalation.level2AfterDays' }),
    ]);
  });

  it('rejects duplicate phase ids, deadlines before opening or outside the year', () => {
    const text = BASE_YAML.replace(
      'unitsFile:',
      '  - id: plan\n    title: Again\n    opensOn: 2027-03-01\n    deadline: 2027-02-01\n  - id: ' +
        'compile\n    title: Late\n    deadline: 2028-02-01\nunitsFile:',
    );
    const issues = issuesOf(() => parseCycleYaml(text, 'c.yaml'));
    expect(issues.map((i) => [i.field, i.line])).toEqual([
      ['phases[1].id', lineOf(text, 'title: Again') - 1],
      ['phases[1].deadline', lineOf(text, 'deadline: 2027-02-01')],
      ['phases[2].deadline', lineOf(text, 'deadline: 2028-02-01')],
    ]);
    expect(issues[0]?.message).toContain('duplicate');
  });

  it('reports unknown fields and missing fields', () => {
    const text = BASE_YAML.replace('  documentCode: ĐUK\n', '').replace('    deadline: 2027-02-15\n', '    deadLine: 2027-02-15\n');
    const issues = issuesOf(() => parseCycleYaml(text, 'c.yaml'));
    expect(issues).toContainEqual({ file: 'c.yaml', line: 1, field: 'committee.documentCode', message: 'required' });
    expect(issues).toContainEqual(expect.objectContaining({ line: lineOf(text, 'deadLine'), field: 'phases[0].deadLine' }));
    expect(issues).toContainEqual(expect.objectContaining({ field: 'phases[0].deadline', message: 'required' }));
  });

  it('rejects duplicate and non-positive reminder days', () => {
    const text = BASE_YAML.replace('year: 2027\n', 'year: 2027\nreminders:\n  daysBefore:\n    - 3\n    - 3\n    - 0\n');
    const issues = issuesOf(() => parseCycleYaml(text, 'c.yaml'));
    expect(issues.map((i) => i.field).sort()).toEqual(['reminders.daysBefore[1]', 'reminders.daysBefore[2]']);
    expect(issues.find((i) => i.field === 'reminders.daysBefore[2]')?.line).toBe(lineOf(text, '- 0'));
  });

  it('reports YAML syntax errors with their line', () => {
    const text = 'committee:\n  code: DUK\n  name: "unterminated\nyear: 2027\n';
    const issues = issuesOf(() => parseCycleYaml(text, 'bad.yaml'));
    expect(issues[0]).toMatchObject({ file: 'bad.yaml', field: 'YAML syntax' });
    expect(issues[0]?.line).toBeGreaterThanOrEqual(3);
    const dup = issuesOf(() => parseCycleYaml(BASE_YAML.replace('year: 2027\n', 'year: 2027\nyear: 2028\n'), 'dup.yaml'));
    expect(dup[0]).toMatchObject({ line: 13, field: 'YAML syntax' });
  });

  it('normalises strings to NFC', () => {
    const decomposed = 'Nguyê\u0303n Văn A'; // ễ as e + circumflex + combining tilde
    expect(decomposed).not.toBe(decomposed.normalize('NFC'));
    const def = parseCycleYaml(BASE_YAML.replace('Nguyễn Văn A', decomposed), 'c.yaml');
    expect(def.committee.leaders[0]?.name).toBe('Nguyễn Văn A');
    expect(def.committee.leaders[0]?.name).toBe(def.committee.leaders[0]?.name.normalize('NFC'));
  });

  it('points at the unitsFile line when the units file is missing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'chuky-config-'));
    const file = join(dir, 'cycle.yaml');
    writeFileSync(file, BASE_YAML.replace('unitsFile: units.csv', 'unitsFile: missing.csv'));
    const issues = issuesOf(() => loadCycleFile(file));
    expect(issues).toEqual([
      expect.objectContaining({
        file,
        line: lineOf(BASE_YAML, 'unitsFile'),
        field: 'unitsFile',
        message: expect.stringContaining('file not found'),
      }),
    ]);
    copyFileSync(resolve(import.meta.dirname, '../../config/demo/units.csv'), join(dir, 'other.csv'));
    writeFileSync(file, BASE_YAML.replace('unitsFile: units.csv', 'unitsFile: other.csv'));
    expect(loadCycleFile(file).units).toHaveLength(12);
  });
});

describe('units CSV', () => {
  const HEADER = 'code,name,kind,members,secretaryName,secretaryEmail,contactName,contactEmail';

  it('parses English headers, a comma delimiter and optional contacts', () => {
    const units = parseUnitsCsv(
      `${HEADER}\nA1,Chi bộ A,chi-bo-co-so,15,Lê Văn B,b@example.vn,,\nA2,"Đảng bộ B, ` +
        `C",dang-bo-co-so,"1,250",Lê Văn C,C@Example.vn,Võ Thị D,d@example.vn\n`,
      'u.csv',
    );
    expect(units).toEqual([
      {
        code: 'A1',
        name: 'Chi bộ A',
        kind: 'chi-bo-co-so',
        members: 15,
        secretary: { name: 'Lê Văn B', email: 'b@example.vn' },
        contact: null,
      },
      {
        code: 'A2',
        name: 'Đảng bộ B, C',
        kind: 'dang-bo-co-so',
        members: 1250,
        secretary: { name: 'Lê Văn C', email: 'c@example.vn' },
        contact: { name: 'Võ Thị D', email: 'd@example.vn' },
      },
    ]);
  });

  it('parses a semicolon-delimited file with a BOM, CRLF and Vietnamese headers and kinds', () => {
    const text =
      '\uFEFFSTT; MÃ ĐƠN VỊ ;Tên đơn vị;Loại hình;Đảng viên;bí thư;Email Bí Thư;Người liên hệ;Email người liên hệ;Đơn vị cấp trên\r\n' +
      '1;SO-TC;Đảng bộ Sở Tài chính;Đảng bộ cơ sở;1.250;Lê Văn Thành;bithu.sotaichinh@example.vn;;;DUK-HT\r\n' +
      '\r\n' +
      '2;SO-TP;Chi bộ Sở Tư pháp;chi bo co so;32;Nguyễn Thị Lan;bithu.sotuphap@example.vn;Trần Văn X;x@example.vn;\r\n' +
      ';;;;;;;;;\r\n';
    const units = parseUnitsCsv(text, 'u.csv');
    expect(units).toEqual([
      {
        code: 'SO-TC',
        name: 'Đảng bộ Sở Tài chính',
        kind: 'dang-bo-co-so',
        members: 1250,
        secretary: { name: 'Lê Văn Thành', email: 'bithu.sotaichinh@example.vn' },
        contact: null,
        parent: 'DUK-HT',
      },
      {
        code: 'SO-TP',
        name: 'Chi bộ Sở Tư pháp',
        kind: 'chi-bo-co-so',
        members: 32,
        secretary: { name: 'Nguyễn Thị Lan', email: 'bithu.sotuphap@example.vn' },
        contact: { name: 'Trần Văn X', email: 'x@example.vn' },
      },
    ]);
  });

  it('accepts the short Vietnamese headers', () => {
    const units = parseUnitsCsv('Mã,Tên,Loại,Số đảng viên,Bí thư,Email bí thư\nX1,Chi bộ X,Chi bộ cơ sở,20,Lê A,a@example.vn\n', 'u.csv');
    expect(units[0]).toMatchObject({ code: 'X1', name: 'Chi bộ X', kind: 'chi-bo-co-so', members: 20, contact: null });
  });

  it('normalises decomposed input to NFC', () => {
    const text = `${HEADER}\nA1,Chi bo\u0302\u0323 A,chi-bo-co-so,15,Nguyê\u0303n Văn B,b@example.vn,,\n`;
    const [unit] = parseUnitsCsv(text, 'u.csv');
    expect(unit?.secretary.name).toBe('Nguyễn Văn B');
    expect(unit?.secretary.name).toBe('Nguyễn Văn B'.normalize('NFC'));
    expect(unit?.name).toBe('Chi bộ A');
  });

  it('reports a duplicate code on both lines', () => {
    const text =
      `${HEADER}\nA1,Chi bộ A,chi-bo-co-so,15,L,a@example.vn,,\nA2,Chi bộ ` +
      `B,chi-bo-co-so,15,L,a@example.vn,,\na1,Chi bộ C,chi-bo-co-so,15,L,a@example.vn,,\n`;
    const issues = issuesOf(() => parseUnitsCsv(text, 'u.csv'));
    expect(issues).toEqual([
      { file: 'u.csv', line: 2, field: 'code', message: 'trùng mã đơn vị "A1" (cũng có ở dòng 4)' },
      { file: 'u.csv', line: 4, field: 'code', message: 'trùng mã đơn vị "A1" (cũng có ở dòng 2)' },
    ]);
  });

  it('reports every bad row with its line and the header as written', () => {
    const text =
      'Mã đơn vị;Tên đơn vị;Loại;Số đảng viên;Bí thư;Email bí thư\n' +
      'A1;Chi bộ A;Chi bộ cơ sở;15;Lê A;a@example.vn\n' +
      'A2;"Chi bộ\nnhiều dòng";Chi bộ cơ sở;-3;Lê B;b@example.vn\n' +
      'A3;Chi bộ C;Chi bộ cơ sở;12;Lê C;khong-phai-email\n' +
      'A 4;;Tổ đảng;12,5;;c@example.vn\n';
    const issues = issuesOf(() => parseUnitsCsv(text, 'u.csv'));
    expect(issues).toEqual([
      { file: 'u.csv', line: 3, field: 'Số đảng viên', message: 'số đảng viên không được âm (đang ghi -3)' },
      { file: 'u.csv', line: 5, field: 'Email bí thư', message: 'địa chỉ email không hợp lệ: "khong-phai-email"' },
      expect.objectContaining({ line: 6, field: 'Mã đơn vị' }),
      { file: 'u.csv', line: 6, field: 'Tên đơn vị', message: 'ô trống; cột này bắt buộc' },
      expect.objectContaining({ line: 6, field: 'Loại', message: expect.stringContaining('Tổ đảng') }),
      expect.objectContaining({ line: 6, field: 'Số đảng viên' }),
      { file: 'u.csv', line: 6, field: 'Bí thư', message: 'ô trống; cột này bắt buộc' },
    ]);
    expect(new ConfigError(issues).message.split('\n')[0]).toBe('u.csv:3: Số đảng viên: số đảng viên không được âm (đang ghi -3)');
  });

  it('reports missing required columns on the header line', () => {
    const issues = issuesOf(() => parseUnitsCsv('Mã đơn vị;Tên đơn vị;Loại;Bí thư\nA;B;Chi bộ cơ sở;C\n', 'u.csv'));
    expect(issues).toEqual([
      expect.objectContaining({ file: 'u.csv', line: 1, field: 'Số đảng viên', message: expect.stringContaining('thiếu cột bắt buộc') }),
      expect.objectContaining({ file: 'u.csv', line: 1, field: 'Email bí thư', message: expect.stringContaining('thiếu cột bắt buộc') }),
    ]);
    const english = issuesOf(() => parseUnitsCsv('code,name,kind,members,secretaryName\n', 'u.csv'));
    expect(english).toEqual([expect.objectContaining({ line: 1, field: 'secretary email' })]);
  });

  it('rejects an empty file and an Excel file', () => {
    expect(issuesOf(() => parseUnitsCsv('', 'u.csv'))[0]).toMatchObject({ line: 1 });
    expect(issuesOf(() => parseUnitsCsv(`${HEADER}\n`, 'u.csv'))[0]).toMatchObject({
      line: 1,
      message: expect.stringContaining('chưa có đơn vị nào'),
    });
    expect(issuesOf(() => loadUnitsFile('units.xlsx'))[0]?.message).toContain('CSV');
  });
});

describe('ConfigError', () => {
  it('prints one line per issue', () => {
    const error = new ConfigError([
      { file: 'a.yaml', line: 3, field: 'phases[0].deadline', message: 'not a real calendar date' },
      { field: 'SMTP_URL', message: 'bad' },
      { file: 'b.csv', field: '(file)', message: 'file not found' },
    ]);
    expect(error.toString()).toBe('a.yaml:3: phases[0].deadline: not a real calendar date\nSMTP_URL: bad\nb.csv: (file): file not found');
    expect(error.message).toBe(error.toString());
    expect(formatIssue({ file: 'x', line: 1, field: 'f', message: 'm' })).toBe('x:1: f: m');
  });
});

describe('environment', () => {
  it('has development defaults', () => {
    const env = loadEnv({});
    expect(env).toEqual({
      temporalAddress: '',
      temporalNamespace: 'default',
      temporalUiUrl: '',
      taskQueue: 'chuky',
      databaseUrl: '',
      smtpUrl: '',
      mailFrom: '"Ban Tuyên giáo (chuky)" <chuky@localhost>',
      publicBaseUrl: 'http://127.0.0.1:3000',
      apiPort: 3000,
      signingSecret: DEV_SIGNING_SECRET,
      signingSecretIsDefault: true,
      apiToken: undefined,
      templatesDir: undefined,
      workerCache: undefined,
      formThrottle: { perToken: 30, perIp: 300, windowSeconds: 600 },
      trustProxy: false,
    });
    expect(DEV_SIGNING_SECRET.length).toBeGreaterThanOrEqual(32);
  });

  it('reads production values', () => {
    const env = loadEnv({
      TEMPORAL_ADDRESS: 'temporal.example.vn:7233',
      DATABASE_URL: 'postgres://chuky:pw@db.example.vn/chuky',
      SMTP_URL: 'smtps://user:pass@mail.example.vn:465',
      PUBLIC_BASE_URL: 'https://chuky.example.vn/',
      API_PORT: '8080',
      CHUKY_SIGNING_SECRET: 'x'.repeat(40),
      CHUKY_API_TOKEN: 'operator-token',
      TEMPORAL_NAMESPACE: '',
    });
    expect(env).toMatchObject({
      temporalAddress: 'temporal.example.vn:7233',
      temporalNamespace: 'default',
      smtpUrl: 'smtps://user:pass@mail.example.vn:465',
      publicBaseUrl: 'https://chuky.example.vn',
      apiPort: 8080,
      signingSecretIsDefault: false,
      apiToken: 'operator-token',
    });
  });

  it('names each bad variable', () => {
    const issues = issuesOf(() => loadEnv({ SMTP_URL: 'http://mail.example.vn', API_PORT: 'abc', CHUKY_SIGNING_SECRET: 'short' }));
    expect(issues.map((i) => i.field)).toEqual(['SMTP_URL', 'API_PORT', 'CHUKY_SIGNING_SECRET']);
    expect(issues[0]?.message).toContain('smtp://');
    expect(issuesOf(() => loadEnv({ SMTP_URL: 'not a url' }))).toEqual([expect.objectContaining({ field: 'SMTP_URL' })]);
    expect(issuesOf(() => loadEnv({ CHUKY_WORKER_CACHE: '0' }))).toEqual([expect.objectContaining({ field: 'CHUKY_WORKER_CACHE' })]);
    expect(issuesOf(() => loadEnv({ TEMPORAL_UI_URL: 'temporal-ui:8080' }))).toEqual([
      expect.objectContaining({ field: 'TEMPORAL_UI_URL' }),
    ]);
    expect(loadEnv({ CHUKY_WORKER_CACHE: '400', TEMPORAL_UI_URL: 'http://ui.example.vn:8080/' })).toMatchObject({
      workerCache: 400,
      temporalUiUrl: 'http://ui.example.vn:8080',
    });
    expect(
      issuesOf(() =>
        loadEnv({ CHUKY_FORM_POSTS_PER_LINK: '0', CHUKY_FORM_POSTS_PER_IP: 'many', CHUKY_FORM_POSTS_WINDOW_SECONDS: '1.5' }),
      ).map((i) => i.field),
    ).toEqual(['CHUKY_FORM_POSTS_PER_LINK', 'CHUKY_FORM_POSTS_PER_IP', 'CHUKY_FORM_POSTS_WINDOW_SECONDS']);
    expect(loadEnv({ CHUKY_FORM_POSTS_PER_LINK: '5', CHUKY_FORM_POSTS_WINDOW_SECONDS: '60' }).formThrottle).toEqual({
      perToken: 5,
      perIp: 300,
      windowSeconds: 60,
    });
    expect(loadEnv({ CHUKY_TRUST_PROXY: '1' }).trustProxy).toBe(true);
    expect(loadEnv({ CHUKY_TRUST_PROXY: 'no' }).trustProxy).toBe(false);
    expect(issuesOf(() => loadEnv({ CHUKY_TRUST_PROXY: 'nginx' }))).toEqual([expect.objectContaining({ field: 'CHUKY_TRUST_PROXY' })]);
  });
});
