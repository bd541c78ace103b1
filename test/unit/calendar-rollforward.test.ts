/** Why a deadline moved: `explainRollForward` names the holidays and weekend days a deadline was rolled past. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  effectiveDeadline,
  explainRollForward,
  formatRollForward,
  vietnameseHolidayName,
  type WorkingCalendar,
} from '../../domain/calendar.js';

/** The demo committee's calendar for 2027 (Tết Đinh Mùi 05/02–10/02, Giỗ Tổ 16/04, …), read from the file. */
const demo = parse(fs.readFileSync(path.join(import.meta.dirname, '../../config/demo/cycle.yaml'), 'utf8')) as {
  calendar: { weekend: number[]; holidays: unknown[] };
};
const CAL: WorkingCalendar = {
  rollForward: true,
  weekend: demo.calendar.weekend,
  holidays: demo.calendar.holidays.map((d) => (d instanceof Date ? d.toISOString().slice(0, 10) : String(d))),
};

describe('explainRollForward', () => {
  it('a deadline in Tết rolls to the first working day after it, because of Tết', () => {
    const e = explainRollForward('2027-02-08', CAL);
    expect(e).toMatchObject({ configured: '2027-02-08', effective: '2027-02-11', rolled: true, reason: 'Tết' });
    expect(e.skipped).toEqual([
      { date: '2027-02-08', reason: 'holiday', label: 'Tết' },
      { date: '2027-02-09', reason: 'holiday', label: 'Tết' },
      { date: '2027-02-10', reason: 'holiday', label: 'Tết' },
    ]);
    expect(formatRollForward(e)).toBe('08/02 → 11/02: Tết');
  });

  it('a Sunday rolls to Monday; a Saturday names both weekend days', () => {
    expect(formatRollForward(explainRollForward('2027-10-31', CAL))).toBe('31/10 → 01/11: Chủ nhật');
    expect(formatRollForward(explainRollForward('2027-10-30', CAL))).toBe('30/10 → 01/11: Thứ Bảy, Chủ nhật');
  });

  it('Tết over a weekend: the holiday is the reason for the days it covers, the weekend for the others', () => {
    // 2027-02-05 is a Friday; Tết runs to Wednesday 10/02.
    const e = explainRollForward('2027-02-05', CAL);
    expect(e.effective).toBe('2027-02-11');
    expect(e.reason).toBe('Tết');
    const withoutTet: WorkingCalendar = { ...CAL, holidays: ['2027-02-05'] };
    expect(formatRollForward(explainRollForward('2027-02-05', withoutTet))).toBe('05/02 → 08/02: Tết, Thứ Bảy, Chủ nhật');
  });

  it('the other holidays are named; a working day is not moved', () => {
    expect(formatRollForward(explainRollForward('2027-04-16', CAL))).toBe('16/04 → 19/04: Giỗ Tổ Hùng Vương, Thứ Bảy, Chủ nhật');
    expect(formatRollForward(explainRollForward('2027-04-30', CAL))).toMatch(/^30\/04 → \d\d\/05: Giải phóng miền Nam, Quốc tế Lao động/);
    expect(vietnameseHolidayName('2027-09-02')).toBe('Quốc khánh');
    expect(vietnameseHolidayName('2027-01-01')).toBe('Tết Dương lịch');
    expect(vietnameseHolidayName('2027-07-27')).toBe('ngày nghỉ lễ');
    const e = explainRollForward('2027-02-15', CAL);
    expect(e).toMatchObject({ effective: '2027-02-15', rolled: false, skipped: [], reason: '' });
    expect(formatRollForward(e)).toBe('15/02');
  });

  it('a roll across the new year writes the years; a calendar without roll-forward says what the day is', () => {
    const cal: WorkingCalendar = { ...CAL, holidays: [...CAL.holidays, '2027-12-31', '2028-01-01'] };
    expect(formatRollForward(explainRollForward('2027-12-31', cal))).toBe(
      '31/12/2027 → 03/01/2028: ngày nghỉ lễ, Tết Dương lịch, Chủ nhật',
    );
    const off = explainRollForward('2027-02-08', { ...CAL, rollForward: false });
    expect(off).toMatchObject({ effective: '2027-02-08', rolled: false, nonWorkingDay: 'Tết' });
  });

  it('always agrees with effectiveDeadline, whatever the date', () => {
    for (let d = new Date('2027-01-01T00:00:00Z'); d.getUTCFullYear() === 2027; d.setUTCDate(d.getUTCDate() + 1)) {
      const date = d.toISOString().slice(0, 10);
      const e = explainRollForward(date, CAL);
      expect(e.effective).toBe(effectiveDeadline(date, CAL));
      expect(e.skipped.length).toBe(e.rolled ? Math.round((Date.parse(e.effective) - Date.parse(date)) / 86_400_000) : 0);
    }
  });
});
