import { describe, expect, it } from 'vitest';
import { describeDiff, diffUnits, type CurrentUnit } from '../../registry/diff.js';
import { parseUnitsCsv, type Unit } from '../../config/units.js';

const row = (code: string, over: Partial<CurrentUnit> = {}): CurrentUnit => ({
  code,
  name: `Đảng bộ ${code}`,
  kind: 'dang-bo-co-so',
  members: 40,
  secretaryName: `Bí thư ${code}`,
  secretaryEmail: `bithu.${code.toLowerCase()}@x.vn`,
  contactName: `Liên hệ ${code}`,
  contactEmail: `lienhe.${code.toLowerCase()}@x.vn`,
  active: true,
  ...over,
});

const unit = (code: string, over: Partial<Unit> = {}): Unit => ({
  code,
  name: `Đảng bộ ${code}`,
  kind: 'dang-bo-co-so',
  members: 40,
  secretary: { name: `Bí thư ${code}`, email: `bithu.${code.toLowerCase()}@x.vn` },
  contact: { name: `Liên hệ ${code}`, email: `lienhe.${code.toLowerCase()}@x.vn` },
  ...over,
});

describe('diffUnits', () => {
  it('sorts the file into added, changed (with the fields), unchanged and missing', () => {
    const current = [row('A1'), row('A2'), row('A3'), row('A5')];
    const incoming = [
      unit('A1'),
      unit('A2', { contact: { name: 'Liên hệ A2', email: 'moi.a2@x.vn' }, members: 41 }),
      unit('A4'),
      unit('A5', { name: 'Đảng bộ A5 (đổi tên)' }),
    ];
    const d = diffUnits(current, incoming);
    expect(d.added.map((u) => u.code)).toEqual(['A4']);
    expect(d.changed.map((c) => [c.code, c.fields])).toEqual([
      ['A2', ['members', 'contactEmail']],
      ['A5', ['name']],
    ]);
    expect(d.changed[0]!.before.contactEmail).toBe('lienhe.a2@x.vn');
    expect(d.changed[0]!.after.contact?.email).toBe('moi.a2@x.vn');
    expect(d.unchanged).toEqual(['A1']);
    expect(d.missing.map((u) => u.code)).toEqual(['A3']);
    expect(d.inactive).toEqual([]);
  });

  it('compares text after NFC and emails without case', () => {
    const decomposed = 'Đảng bộ A1'.normalize('NFD');
    const d = diffUnits([row('A1', { name: decomposed, secretaryEmail: 'BiThu.A1@X.vn' })], [unit('A1')]);
    expect(d.unchanged).toEqual(['A1']);
    expect(d.changed).toEqual([]);
  });

  it('notices a contact added or dropped, and a secretary replaced', () => {
    const d = diffUnits(
      [row('A1', { contactName: null, contactEmail: null }), row('A2')],
      [unit('A1'), unit('A2', { contact: null, secretary: { name: 'Người mới', email: 'moi@x.vn' } })],
    );
    expect(d.changed.map((c) => [c.code, c.fields])).toEqual([
      ['A1', ['contactName', 'contactEmail']],
      ['A2', ['secretaryName', 'secretaryEmail', 'contactName', 'contactEmail']],
    ]);
  });

  it('matches codes without case and keeps the registered spelling', () => {
    const d = diffUnits([row('So-TC')], [unit('SO-TC', { members: 50 })]);
    expect(d.added).toEqual([]);
    expect(d.changed[0]!.code).toBe('So-TC');
    expect(d.changed[0]!.after.code).toBe('So-TC');
  });

  it('compares the parent only when the registered one is known', () => {
    expect(diffUnits([row('A1')], [unit('A1', { parent: 'P1' })]).unchanged).toEqual(['A1']);
    expect(diffUnits([row('A1', { parentCode: null })], [unit('A1', { parent: 'P1' })]).changed[0]!.fields).toEqual(['parent']);
    expect(diffUnits([row('A1', { parentCode: 'p1' })], [unit('A1', { parent: 'P1' })]).unchanged).toEqual(['A1']);
  });

  it('does not bring back a removed unit, and does not report it missing again', () => {
    const d = diffUnits([row('A1', { active: false }), row('A2', { active: false })], [unit('A1', { members: 99 })]);
    expect(d.inactive).toEqual(['A1']);
    expect(d.added).toEqual([]);
    expect(d.changed).toEqual([]);
    expect(d.missing).toEqual([]);
  });

  it('an empty registry adds everything; the diff of a parsed CSV against itself is empty', () => {
    const csv =
      'Mã đơn vị;Tên đơn vị;Loại;Số đảng viên;Bí thư;Email bí thư;Người liên hệ;Email liên hệ\nU1;Sở ' +
      'Y tế;Đảng bộ cơ sở;1.250;Nguyễn Văn A;a@x.vn;;\n';
    const parsed = parseUnitsCsv(csv, 'units.csv');
    expect(diffUnits([], parsed).added).toHaveLength(1);
    const registered = [
      row('U1', {
        name: 'Sở Y tế',
        members: 1250,
        secretaryName: 'Nguyễn Văn A',
        secretaryEmail: 'a@x.vn',
        contactName: null,
        contactEmail: null,
      }),
    ];
    expect(diffUnits(registered, parsed)).toEqual({ added: [], changed: [], unchanged: ['U1'], missing: [], inactive: [] });
  });

  it('describes the changes for people, old and new values side by side', () => {
    const d = diffUnits([row('A2'), row('A3')], [unit('A2', { contact: { name: 'Liên hệ A2', email: 'moi.a2@x.vn' } }), unit('A4')]);
    const lines = describeDiff(d);
    expect(lines).toContain('~ A2  contactEmail');
    expect(lines).toContain('    contactEmail: lienhe.a2@x.vn → moi.a2@x.vn');
    expect(lines.some((l) => l.startsWith('+ A4'))).toBe(true);
    expect(lines.some((l) => l.startsWith('- A3'))).toBe(true);
  });
});
