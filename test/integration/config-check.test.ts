/**
 * `chuky config check` as the clerk runs it before launch (issue 15): each phase's deadline as units will have it,
 * rolled past Tết and weekends, with why; a units list with a contact's email and no column for the name; and
 * header problems in Vietnamese that name the header as the file wrote it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { chuky } from '../support/processes.js';
import { projectRoot } from '../../config/paths.js';

const DEMO = path.join(projectRoot(), 'config', 'demo');

/** The demo cycle, with its plan due on 08/02/2027 (Tết Đinh Mùi) and its own units list. */
function cycleWith(units: string): { dir: string; file: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chuky-config-check-'));
  const yaml = fs.readFileSync(path.join(DEMO, 'cycle.yaml'), 'utf8');
  expect(yaml).toContain('deadline: 2027-02-15');
  fs.writeFileSync(path.join(dir, 'cycle.yaml'), yaml.replace('deadline: 2027-02-15', 'deadline: 2027-02-08'));
  fs.writeFileSync(path.join(dir, 'units.csv'), units);
  return { dir, file: path.join(dir, 'cycle.yaml') };
}

// As Excel saves "CSV UTF-8" in Vietnam: a BOM, ";", CRLF; a contact's email and no contact-name column.
const UNITS =
  '\uFEFFSTT;Mã đơn vị;Tên đơn vị;Loại;Số đảng viên;Bí thư;Email bí thư;Email Liên Hệ\r\n' +
  '1;SO-TC;Đảng bộ Sở Tài chính;Đảng bộ cơ sở;86;Lê Văn Thành;BiThu.STC@Example.vn;VanPhong.STC@Example.vn\r\n' +
  '2;SO-TP;Chi bộ Sở Tư pháp;Chi bộ cơ sở;32;Nguyễn Thị Lan;bithu.stp@example.vn;\r\n';

describe('chuky config check', () => {
  it("shows each phase's deadline after roll-forward, with the reason, in text and JSON", async () => {
    const { dir, file } = cycleWith(UNITS);
    const [text, json] = await Promise.all([
      chuky(['config', 'check', '--config', file], {}),
      chuky(['config', 'check', '--config', file, '--json'], {}),
    ]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^OK: .*2027: 7 phase\(s\), 2 units, 118 members$/m);
    expect(text.stdout).toMatch(/^ {2}plan +11\/02\/2027 \(Thứ Năm\) {2}08\/02 → 11\/02: Tết$/m);
    expect(text.stdout).toMatch(/^ {2}inspection +01\/11\/2027 \(Thứ Hai\) {2}31\/10 → 01\/11: Chủ nhật$/m);
    expect(text.stdout).toMatch(/^ {2}study +15\/04\/2027 \(Thứ Năm\)$/m);

    expect(json.code, json.stderr).toBe(0);
    const out = JSON.parse(json.stdout) as {
      ok: boolean;
      phases: {
        id: string;
        deadline: string;
        effectiveDeadline: string;
        rollForward: { rolled: boolean; reason: string; skipped: { date: string; label: string }[] };
      }[];
    };
    expect(out.ok).toBe(true);
    const plan = out.phases.find((p) => p.id === 'plan')!;
    expect(plan).toMatchObject({ deadline: '2027-02-08', effectiveDeadline: '2027-02-11', rollForward: { rolled: true, reason: 'Tết' } });
    expect(plan.rollForward.skipped.map((s) => s.date)).toEqual(['2027-02-08', '2027-02-09', '2027-02-10']);
    expect(out.phases.find((p) => p.id === 'study')).toMatchObject({
      deadline: '2027-04-15',
      effectiveDeadline: '2027-04-15',
      rollForward: { rolled: false, reason: '' },
    });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a bad units list in Vietnamese, at file, line and the header as written (exit 2)', async () => {
    const bad =
      'Mã đơn vị;Tên đơn vị;Loại;Số đảng viên;Bí thư;Email bí thư;Email Liên Hệ\n' +
      'SO-TC;Đảng bộ Sở Tài chính;Đảng bộ cơ sở;86;Lê Văn Thành;bithu@example.vn;vanphong(at)example.vn\n';
    const { dir, file } = cycleWith(bad);
    const r = await chuky(['config', 'check', '--config', file], {});
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${path.join(dir, 'units.csv')}:2: Email Liên Hệ: địa chỉ email không hợp lệ: "vanphong(at)example.vn"`);

    // A header that is nearly "Email bí thư": named as written, with the spellings accepted for the column.
    const { dir: dir2, file: file2 } = cycleWith('Mã đơn vị;Tên đơn vị;Loại;Số đảng viên;Bí thư;Mail Bí Thư;Email Liên Hệ\n');
    const missing = await chuky(['config', 'check', '--config', file2], {});
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(
      `${path.join(dir2, 'units.csv')}:1: Email bí thư: thiếu cột bắt buộc "Email bí thư" (tên cột ` +
        `được nhận: "Email bí thư", "Thư điện tử bí thư"; tiếng Anh: "secretaryEmail", "secretary ` +
        `email"); có phải cột "Mail Bí Thư"? Hãy sửa tên cột đó`,
    );
    for (const d of [dir, dir2]) fs.rmSync(d, { recursive: true, force: true });
  });
});
