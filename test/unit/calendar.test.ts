import { describe, expect, it } from 'vitest';
import {
  addDays,
  effectiveDeadline,
  formatVietnameseDate,
  formatVietnameseLongDate,
  instantToLocalDate,
  localTimeToInstant,
  parseIsoDate,
  zoneOffsetMinutes,
} from '../../domain/calendar.js';

const tet2027 = {
  rollForward: true,
  weekend: [6, 0],
  holidays: ['2027-02-05', '2027-02-06', '2027-02-07', '2027-02-08', '2027-02-09', '2027-02-10'],
};

describe('calendar', () => {
  it('rejects impossible dates', () => {
    expect(() => parseIsoDate('2027-02-30')).toThrow(/real calendar date/);
    expect(() => parseIsoDate('15/02/2027')).toThrow(/YYYY-MM-DD/);
    expect(parseIsoDate('2028-02-29')).toEqual({ y: 2028, m: 2, d: 29 });
  });

  it('adds days across months and leap years', () => {
    expect(addDays('2027-02-27', 2)).toBe('2027-03-01');
    expect(addDays('2028-02-27', 2)).toBe('2028-02-29');
    expect(addDays('2027-01-01', -1)).toBe('2026-12-31');
  });

  it('rolls a weekend deadline to Monday and a Tết deadline past the holiday', () => {
    expect(effectiveDeadline('2027-02-13', tet2027)).toBe('2027-02-15'); // Saturday → Monday
    expect(effectiveDeadline('2027-02-05', tet2027)).toBe('2027-02-11'); // Tết → first working day after
    expect(effectiveDeadline('2027-02-15', tet2027)).toBe('2027-02-15'); // a working Monday stays
    expect(effectiveDeadline('2027-02-13', { ...tet2027, rollForward: false })).toBe('2027-02-13');
  });

  it('converts Vietnam local times to instants (UTC+7, no DST)', () => {
    const at = localTimeToInstant('2027-02-15', 8, 'Asia/Ho_Chi_Minh');
    expect(new Date(at).toISOString()).toBe('2027-02-15T01:00:00.000Z');
    expect(zoneOffsetMinutes(at, 'Asia/Ho_Chi_Minh')).toBe(420);
    const midnight = localTimeToInstant('2027-02-16', 0, 'Asia/Ho_Chi_Minh');
    expect(new Date(midnight).toISOString()).toBe('2027-02-15T17:00:00.000Z');
    expect(instantToLocalDate(midnight, 'Asia/Ho_Chi_Minh')).toBe('2027-02-16');
    expect(instantToLocalDate(midnight - 1, 'Asia/Ho_Chi_Minh')).toBe('2027-02-15');
  });

  it('handles a zone with daylight saving time', () => {
    // 2027-03-14 is the US DST change; 08:00 New York is then 12:00 UTC.
    expect(new Date(localTimeToInstant('2027-03-15', 8, 'America/New_York')).toISOString()).toBe('2027-03-15T12:00:00.000Z');
    expect(new Date(localTimeToInstant('2027-03-10', 8, 'America/New_York')).toISOString()).toBe('2027-03-10T13:00:00.000Z');
  });

  it('formats dates the Vietnamese way', () => {
    expect(formatVietnameseDate('2027-02-05')).toBe('05/02/2027');
    expect(formatVietnameseLongDate('2024-12-15')).toBe('ngày 15 tháng 12 năm 2024');
  });
});
