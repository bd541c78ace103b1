/** How the console writes things in Vietnamese: dates, times, numbers, statuses and their colours. */
import {
  CYCLE_STATUS_LABEL,
  INSPECTION_STATUS_VI,
  LEVEL_LABEL,
  PHASE_SHORT,
  REPAIR_LABEL,
  STALL_LABEL,
  STATUS_VIEW,
  UNIT_KIND_VI,
  actorVi,
  phaseShort,
  viDate,
} from '../domain/words.js';

/** The console's words come from the one catalogue (domain/words.ts); re-exported for the pages. */
export {
  CYCLE_STATUS_LABEL,
  INSPECTION_STATUS_VI,
  LEVEL_LABEL,
  PHASE_SHORT,
  REPAIR_LABEL,
  STALL_LABEL,
  STATUS_VIEW,
  UNIT_KIND_VI,
  actorVi,
  phaseShort,
  viDate,
};

export const CONSOLE_TIME_ZONE = 'Asia/Ho_Chi_Minh';

const TIME = new Intl.DateTimeFormat('vi-VN', {
  timeZone: CONSOLE_TIME_ZONE,
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
});
const DAY = new Intl.DateTimeFormat('en-CA', { timeZone: CONSOLE_TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });

/** "08:00:00 19/03/2027" for an instant (ISO string or ms), in the given zone (the committee's). */
export function viDateTime(at: string | number | Date | null | undefined, timeZone = CONSOLE_TIME_ZONE): string {
  if (at === null || at === undefined || at === '') return '';
  const d = at instanceof Date ? at : new Date(at);
  if (Number.isNaN(d.getTime())) return String(at);
  const time =
    timeZone === CONSOLE_TIME_ZONE
      ? TIME
      : new Intl.DateTimeFormat('vi-VN', { timeZone, hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
  const day =
    timeZone === CONSOLE_TIME_ZONE
      ? DAY
      : new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  return `${time.format(d)} ${viDate(day.format(d))}`;
}

/** "08:00 07/05/2027": a moment of the committee's calendar (reminders, escalations), to the minute. */
export function viCalendarTime(at: number, timeZone = CONSOLE_TIME_ZONE): string {
  return viDateTime(at, timeZone).replace(/^(\d{2}:\d{2}):\d{2}/, '$1');
}

/** "98,5%" (one decimal, Vietnamese comma). */
export function viPercent(value: number): string {
  return `${value.toLocaleString('vi-VN', { minimumFractionDigits: 1, maximumFractionDigits: 1 })}%`;
}

export function viNumber(value: number): string {
  return value.toLocaleString('vi-VN');
}

/** The statuses a cycle's unit table filters by, in the order shown. */
export const FILTER_STATUSES = ['submitted', 'late', 'overdue', 'not_submitted', 'exempted', 'pending'] as const;

export function statusView(status: string): { label: string; css: string } {
  return STATUS_VIEW[status] ?? { label: status, css: 'st-pending' };
}

/** Compares Vietnamese text for search: case and diacritics ignored ("so tai chinh" finds "Sở Tài chính"). */
export function searchKey(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase();
}
