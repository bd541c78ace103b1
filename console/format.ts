/** How the console writes things in Vietnamese: dates, times, numbers, statuses and their colours. */
import { formatVietnameseDate } from '../domain/calendar.js';

export const CONSOLE_TIME_ZONE = 'Asia/Ho_Chi_Minh';

/** "19/03/2027" from "2027-03-19"; anything else unchanged. */
export function viDate(isoDate: string | null | undefined): string {
  if (!isoDate) return '';
  return /^\d{4}-\d{2}-\d{2}$/.test(isoDate) ? formatVietnameseDate(isoDate) : isoDate;
}

const TIME = new Intl.DateTimeFormat('vi-VN', { timeZone: CONSOLE_TIME_ZONE, hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
const DAY = new Intl.DateTimeFormat('en-CA', { timeZone: CONSOLE_TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });

/** "08:00:00 19/03/2027" for an instant (ISO string or ms), in the given zone (the committee's). */
export function viDateTime(at: string | number | Date | null | undefined, timeZone = CONSOLE_TIME_ZONE): string {
  if (at === null || at === undefined || at === '') return '';
  const d = at instanceof Date ? at : new Date(at);
  if (Number.isNaN(d.getTime())) return String(at);
  const time = timeZone === CONSOLE_TIME_ZONE ? TIME : new Intl.DateTimeFormat('vi-VN', { timeZone, hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
  const day = timeZone === CONSOLE_TIME_ZONE ? DAY : new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  return `${time.format(d)} ${viDate(day.format(d))}`;
}

/** "08:00 07/05/2027": a moment of the committee's calendar (reminders, escalations), to the minute. */
export function viCalendarTime(at: number, timeZone = CONSOLE_TIME_ZONE): string {
  return viDateTime(at, timeZone).replace(/^(\d{2}:\d{2}):\d{2}/, '$1');
}

export const UNIT_KIND_VI: Record<string, string> = { 'dang-bo-co-so': 'Đảng bộ cơ sở', 'chi-bo-co-so': 'Chi bộ cơ sở' };

/** "98,5%" (one decimal, Vietnamese comma). */
export function viPercent(value: number): string {
  return `${value.toLocaleString('vi-VN', { minimumFractionDigits: 1, maximumFractionDigits: 1 })}%`;
}

export function viNumber(value: number): string {
  return value.toLocaleString('vi-VN');
}

/** An obligation's state as the console shows it: label and colour class (see the stylesheet). */
export const STATUS_VIEW: Record<string, { label: string; css: string }> = {
  submitted: { label: 'Đúng hạn', css: 'st-ontime' },
  late: { label: 'Nộp chậm', css: 'st-late' },
  overdue: { label: 'Quá hạn', css: 'st-overdue' },
  not_submitted: { label: 'Không nộp', css: 'st-missing' },
  exempted: { label: 'Được miễn', css: 'st-exempt' },
  pending: { label: 'Chưa đến hạn', css: 'st-pending' },
  removed: { label: 'Đã rời chu kỳ', css: 'st-removed' },
  launching: { label: 'Đang khởi tạo', css: 'st-pending' },
  /** A phase the unit does not owe (a make-up session, a remedy: only some units have one). */
  none: { label: '—', css: 'st-none' },
};

/** The statuses a cycle's unit table filters by, in the order shown. */
export const FILTER_STATUSES = ['submitted', 'late', 'overdue', 'not_submitted', 'exempted', 'pending'] as const;

export function statusView(status: string): { label: string; css: string } {
  return STATUS_VIEW[status] ?? { label: status, css: 'st-pending' };
}

export const LEVEL_LABEL: Record<number, string> = {
  0: 'Chưa đôn đốc',
  1: 'Mức 1: đã báo quá hạn',
  2: 'Mức 2: đã báo lãnh đạo',
  3: 'Mức 3: ghi nhận không nộp',
};

export const CYCLE_STATUS_LABEL: Record<string, string> = {
  starting: 'Đang khởi động',
  running: 'Đang chạy',
  closed: 'Đã kết thúc',
};

/** Short phase names for narrow columns and chart axes (titles are long sentences). */
export const PHASE_SHORT: Record<string, string> = {
  plan: 'Kế hoạch',
  study: 'Học tập',
  'study-makeup': 'Học bù',
  pledge: 'Cam kết',
  models: 'Mô hình',
  inspection: 'Kiểm tra, GS',
  'year-end-report': 'Báo cáo năm',
  'inspection-remedy': 'Khắc phục',
  compile: 'Tổng hợp',
};

export const phaseShort = (phase: string): string => PHASE_SHORT[phase] ?? phase;

export const REPAIR_LABEL: Record<string, string> = {
  extend: 'Gia hạn',
  exempt: 'Miễn',
  remind: 'Nhắc lại',
  record: 'Ghi nhận bản nộp',
  retry: 'Thử lại',
  reset: 'Chạy lại workflow',
  cancel: 'Hủy workflow',
};

export const STALL_LABEL: Record<string, string> = {
  'activity-retrying': 'Tác vụ đang thử lại',
  'workflow-task-failing': 'Workflow lỗi lặp lại',
  overdue: 'Quá hạn',
  'remedy-overdue': 'Quá hạn khắc phục',
  'phase-blocked': 'Giai đoạn bị tắc',
  'worker-missing': 'Không có worker',
};

/** Compares Vietnamese text for search: case and diacritics ignored ("so tai chinh" finds "Sở Tài chính"). */
export function searchKey(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase();
}
