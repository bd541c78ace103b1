/**
 * Calendar-date arithmetic for deadlines. A deadline is a civil date ("15/02/2027") in the committee's time
 * zone, not an instant; everything here works on 'YYYY-MM-DD' strings and converts to instants only at the end,
 * so the same rules hold whatever the server's own zone is. Pure: safe inside workflows.
 */

export type IsoDate = string; // 'YYYY-MM-DD'

export interface WorkingCalendar {
  /** Roll a deadline that falls on a weekend or holiday forward to the next working day. */
  rollForward: boolean;
  /** Days of the week (0 = Sunday … 6 = Saturday) that are not working days. */
  weekend: number[];
  /** Public holidays (e.g. Tết), as 'YYYY-MM-DD'. */
  holidays: IsoDate[];
}

const DAY_MS = 86_400_000;

export function parseIsoDate(date: IsoDate): { y: number; m: number; d: number } {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) throw new RangeError(`not a YYYY-MM-DD date: ${date}`);
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const check = new Date(Date.UTC(y, m - 1, d));
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== m - 1 || check.getUTCDate() !== d) {
    throw new RangeError(`not a real calendar date: ${date}`);
  }
  return { y, m, d };
}

function toUtcDay(date: IsoDate): number {
  const { y, m, d } = parseIsoDate(date);
  return Date.UTC(y, m - 1, d);
}

function fromUtcDay(ms: number): IsoDate {
  return new Date(ms).toISOString().slice(0, 10);
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return fromUtcDay(toUtcDay(date) + days * DAY_MS);
}

export function dayOfWeek(date: IsoDate): number {
  return new Date(toUtcDay(date)).getUTCDay();
}

export function isWorkingDay(date: IsoDate, calendar: WorkingCalendar): boolean {
  return !calendar.weekend.includes(dayOfWeek(date)) && !calendar.holidays.includes(date);
}

/** The deadline a unit actually has: the configured date, rolled past weekends and holidays when configured. */
export function effectiveDeadline(date: IsoDate, calendar: WorkingCalendar): IsoDate {
  if (!calendar.rollForward) return date;
  let current = date;
  // A year has at most ~120 non-working days; the bound only guards against a misconfigured all-weekend week.
  for (let i = 0; i < 400 && !isWorkingDay(current, calendar); i++) current = addDays(current, 1);
  return current;
}

// One formatter per zone: building one is slow, and schedules ask for offsets many times per workflow task.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Offset of `timeZone` from UTC, in minutes, at the given instant (e.g. +420 for Asia/Ho_Chi_Minh). */
export function zoneOffsetMinutes(instantMs: number, timeZone: string): number {
  const parts = formatterFor(timeZone).formatToParts(new Date(instantMs));
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return Math.round((asUtc - Math.floor(instantMs / 1000) * 1000) / 60_000);
}

/** The instant at which the local wall-clock time `hour:00` on `date` occurs in `timeZone`. */
export function localTimeToInstant(date: IsoDate, hour: number, timeZone: string): number {
  const naive = toUtcDay(date) + hour * 3_600_000;
  // Two passes settle the offset even across a DST change (Vietnam has none, other zones might).
  let instant = naive - zoneOffsetMinutes(naive, timeZone) * 60_000;
  instant = naive - zoneOffsetMinutes(instant, timeZone) * 60_000;
  return instant;
}

/** The civil date in `timeZone` at an instant. */
export function instantToLocalDate(instantMs: number, timeZone: string): IsoDate {
  return fromUtcDay(Math.floor((instantMs + zoneOffsetMinutes(instantMs, timeZone) * 60_000) / DAY_MS) * DAY_MS);
}

/** "15/02/2027", the way Vietnamese documents and emails write a date. */
export function formatVietnameseDate(date: IsoDate): string {
  const { y, m, d } = parseIsoDate(date);
  return `${String(d).padStart(2, '0')}/${String(m).padStart(2, '0')}/${y}`;
}

/** "ngày 15 tháng 02 năm 2027", the long form used in document headers. */
export function formatVietnameseLongDate(date: IsoDate): string {
  const { y, m, d } = parseIsoDate(date);
  return `ngày ${String(d).padStart(2, '0')} tháng ${String(m).padStart(2, '0')} năm ${y}`;
}

export function compareDates(a: IsoDate, b: IsoDate): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function daysBetween(from: IsoDate, to: IsoDate): number {
  return Math.round((toUtcDay(to) - toUtcDay(from)) / DAY_MS);
}

/** Vietnamese day-of-week names, Sunday = 0, as `dayOfWeek` counts. */
export const VIETNAMESE_WEEKDAYS = ['Chủ nhật', 'Thứ Hai', 'Thứ Ba', 'Thứ Tư', 'Thứ Năm', 'Thứ Sáu', 'Thứ Bảy'] as const;

/**
 * The name a Vietnamese reader gives a public holiday, guessed from its date (a cycle lists its holidays as bare
 * dates): 01/01 Tết Dương lịch; mid-January to February Tết (Nguyên đán, which moves with the lunar calendar);
 * late March to April Giỗ Tổ Hùng Vương (10/3 âm lịch); 30/04, 01/05, and 02/09 with the days around it. Any
 * other listed day (a substitute day off, a local holiday) is "ngày nghỉ lễ".
 */
export function vietnameseHolidayName(date: IsoDate): string {
  const md = date.slice(5);
  if (md === '01-01') return 'Tết Dương lịch';
  if (md >= '01-15' && md <= '02-29') return 'Tết';
  if (md === '04-30') return 'Giải phóng miền Nam';
  if (md === '05-01') return 'Quốc tế Lao động';
  if (md >= '03-25' && md <= '04-29') return 'Giỗ Tổ Hùng Vương';
  if (md >= '08-31' && md <= '09-03') return 'Quốc khánh';
  return 'ngày nghỉ lễ';
}

/** Why a deadline moved: the configured date, the date it rolled to, and each non-working day it was moved past. */
export interface RollForwardExplanation {
  configured: IsoDate;
  effective: IsoDate;
  /** False when it was a working day, or when the calendar does not roll deadlines forward. */
  rolled: boolean;
  /** The non-working days from the configured date up to (not including) the effective one. */
  skipped: { date: IsoDate; reason: 'holiday' | 'weekend'; label: string }[];
  /** The labels of the skipped days, each once, in order: "Tết", "Thứ Bảy, Chủ nhật". Empty when not rolled. */
  reason: string;
  /**
   * When the calendar does not roll forward but the deadline is a non-working day, what that day is (the clerk
   * should know a deadline falls on Tết); otherwise absent.
   */
  nonWorkingDay?: string;
}

function dayLabel(
  date: IsoDate,
  calendar: WorkingCalendar,
  holidayName: (date: IsoDate) => string,
): { reason: 'holiday' | 'weekend'; label: string } {
  return calendar.holidays.includes(date)
    ? { reason: 'holiday', label: holidayName(date) }
    : { reason: 'weekend', label: VIETNAMESE_WEEKDAYS[dayOfWeek(date)]! };
}

/**
 * Explain `effectiveDeadline`: which holidays and weekend days moved a deadline, and where to. A day that is both
 * a holiday and a weekend day is named as the holiday. `holidayName` names a holiday (default: by its date).
 */
export function explainRollForward(
  date: IsoDate,
  calendar: WorkingCalendar,
  holidayName: (date: IsoDate) => string = vietnameseHolidayName,
): RollForwardExplanation {
  const effective = effectiveDeadline(date, calendar);
  const skipped: RollForwardExplanation['skipped'] = [];
  for (let d = date; d < effective; d = addDays(d, 1)) skipped.push({ date: d, ...dayLabel(d, calendar, holidayName) });
  const reason = [...new Set(skipped.map((s) => s.label))].join(', ');
  const out: RollForwardExplanation = { configured: date, effective, rolled: effective !== date, skipped, reason };
  if (!calendar.rollForward && !isWorkingDay(date, calendar)) out.nonWorkingDay = dayLabel(date, calendar, holidayName).label;
  return out;
}

/** "08/02 → 11/02: Tết" (the year written only when the two dates' years differ); the date alone when not rolled. */
export function formatRollForward(e: RollForwardExplanation): string {
  const short = (d: IsoDate): string => formatVietnameseDate(d).slice(0, 5);
  if (!e.rolled) return short(e.configured);
  const crossesYear = e.configured.slice(0, 4) !== e.effective.slice(0, 4);
  const show = crossesYear ? formatVietnameseDate : short;
  return `${show(e.configured)} → ${show(e.effective)}: ${e.reason}`;
}
