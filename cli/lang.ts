/**
 * The language of the operator commands' text output: English (the default) or Vietnamese (`chuky --lang vi …`,
 * or CHUKY_LANG=vi). Vietnamese words come from the one catalogue (domain/words.ts). JSON output never changes:
 * ids, dates and figures stay as scripts read them.
 */
import {
  CYCLE_STATUS_LABEL,
  EMAIL_KIND_VI,
  LEVEL_LABEL,
  REPAIR_LABEL,
  STALL_LABEL,
  STATUS_VIEW,
  phaseShort,
  statusShort,
  viDate,
} from '../domain/words.js';
import { TERMINAL_WIDTH, wrapText } from '../ops/format.js';
import type { Stall } from '../ops/types.js';

import { isVi } from './language.js';

export { LANGS, isVi, lang, setLang, type Lang } from './language.js';

/** Column headers of the operator tables, in Vietnamese. */
const HEADER_VI: Record<string, string> = {
  cycleId: 'Chu kỳ',
  cycle: 'Chu kỳ',
  committeeCode: 'Cấp ủy',
  year: 'Năm',
  status: 'Trạng thái',
  units: 'Đơn vị',
  overdue: 'Quá hạn',
  frozenAt: 'Ngày chốt',
  createdAt: 'Ngày khởi tạo',
  imported: 'Nhập từ sổ (ngày, người nhập)',
  unitCode: 'Mã ĐV',
  childCycle: 'Chu kỳ con',
  unitsDone: 'ĐV đã xong',
  ownStatus: 'Nghĩa vụ với cấp trên',
  ownDeadline: 'Hạn với cấp trên',
  unit: 'Mã ĐV',
  unitName: 'Tên đơn vị',
  phase: 'Giai đoạn',
  deadline: 'Hạn nộp',
  level: 'Mức',
  escalationLevel: 'Mức',
  daysOverdue: 'Số ngày quá hạn',
  emailsSent: 'Thư đã gửi',
  versions: 'Số lần nộp',
  total: 'Tổng',
  'on time': 'Đúng hạn',
  late: 'Nộp chậm',
  'not submitted': 'Không nộp',
  exempted: 'Được miễn',
  pending: 'Chưa đến hạn',
  removed: 'Đã rời',
  kind: 'Loại',
  to: 'Gửi tới',
  error: 'Lỗi',
};

export const headerVi = (column: string): string => HEADER_VI[column] ?? column;

/** A table cell's value as text: empty for none, an instant in ISO 8601, a nested value as JSON (not "[object Object]"). */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value instanceof Date) return value.toISOString();
  return JSON.stringify(value) ?? '';
}

/** A cell of an operator table in Vietnamese: ids (phases, statuses, kinds) in words, dates dd/mm/yyyy. */
function cellVi(column: string, value: unknown): string {
  const text = cellText(value);
  if (text === '') return text;
  switch (column) {
    case 'phase':
      return phaseShort(text);
    case 'status':
      return STATUS_VIEW[text] ? statusShort(text) : (CYCLE_STATUS_LABEL[text] ?? text);
    case 'kind':
      return EMAIL_KIND_VI[text] ?? STALL_LABEL[text] ?? text;
    case 'deadline':
    case 'createdAt':
    case 'frozenAt':
      return viDate(text.slice(0, 10));
    case 'imported':
      return `${viDate(text.slice(0, 10))}${text.slice(10)}`;
    default:
      return text;
  }
}

/** Rows and columns for printTable in the chosen language (unchanged in English). */
export function localiseTable(rows: Record<string, unknown>[], columns: string[]): { rows: Record<string, unknown>[]; headers: string[] } {
  if (!isVi()) return { rows, headers: columns };
  return { rows: rows.map((r) => Object.fromEntries(columns.map((c) => [c, cellVi(c, r[c])]))), headers: columns.map(headerVi) };
}

/** The fixed sentences of the operator commands, in Vietnamese. */
const SENTENCES_VI: Record<string, string> = {
  'No unit is overdue.': 'Không có đơn vị nào quá hạn.',
  'A child cycle of': 'Chu kỳ con của',
  unit: 'đơn vị',
  'Committees under it running their own cycles:': 'Các cấp ủy trực thuộc chạy chu kỳ riêng:',
  'Nothing is stalled.': 'Không có gì bị kẹt.',
  'No cycles yet; start one with `chuky cycle start --config FILE`': 'Chưa có chu kỳ nào; khởi tạo bằng `chuky cycle start --config FILE`',
  "In Temporal's Web UI:": 'Trong giao diện web của Temporal:',
  "No link to Temporal's Web UI: its address is unknown (set TEMPORAL_UI_URL, or start `chuky dev`).":
    'Không có liên kết tới giao diện web của Temporal: chưa biết địa chỉ (đặt TEMPORAL_UI_URL, hoặc chạy `chuky dev`).',
  "Undeliverable emails (correct the unit's address with `chuky units import`):":
    'Thư không gửi được (sửa địa chỉ của đơn vị bằng `chuky units import`):',
};

/** A fixed sentence in the chosen language. */
export function t(sentence: string): string {
  return isVi() ? (SENTENCES_VI[sentence] ?? sentence) : sentence;
}

/** "Cycle X: running; submitted 3, overdue 2" (or its Vietnamese). */
export function cycleHeadline(id: string, status: string, summary: Record<string, number>): string {
  if (!isVi())
    return `Cycle ${id}: ${status}; ${Object.entries(summary)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`;
  return `Chu kỳ ${id}: ${(CYCLE_STATUS_LABEL[status] ?? status).toLowerCase()}; ${Object.entries(summary)
    .map(([k, v]) => `${statusShort(k).toLowerCase()} ${v}`)
    .join(', ')}`;
}

/** One obligation of `unit show`, as a line. */
export function obligationLine(ob: {
  phase: string;
  status: string;
  escalationLevel: number;
  deadline: string;
  versions?: number;
  exemptReason?: string;
}): string {
  if (!isVi())
    return (
      `${ob.phase.padEnd(16)} ${ob.status.padEnd(13)} level ${ob.escalationLevel}  ` +
      `due ${ob.deadline}${ob.versions ? `  ${ob.versions} version(s)` : ''}${ob.exemptReason ? `  — ${ob.exemptReason}` : ''}`
    );
  return (
    `${phaseShort(ob.phase).padEnd(14)} ${statusShort(ob.status).padEnd(14)} ${(LEVEL_LABEL[ob.escalationLevel] ?? `mức ${ob.escalationLevel}`).padEnd(27)} ` +
    `hạn ${viDate(ob.deadline)}${ob.versions ? `  đã nộp ${ob.versions} lần` : ''}${ob.exemptReason ? `  — ${ob.exemptReason}` : ''}`
  );
}

const TIMELINE_KIND_VI: Record<string, string> = {
  email: 'thư',
  submission: 'bản nộp',
  transition: 'chuyển',
  repair: 'sửa chữa',
  inspection: 'kiểm tra',
};

/** One timeline entry of `unit show`, as a line (the summaries are Vietnamese already). */
export function timelineLine(t: {
  at: string;
  kind: string;
  phase: string | null;
  summary: string;
  details: Record<string, unknown>;
}): string {
  const calendarAt = typeof t.details.calendarAt === 'string' ? t.details.calendarAt : undefined;
  // On a compressed calendar the day the entry speaks for differs from the real time it happened.
  const otherDay = calendarAt && calendarAt.slice(0, 10) !== t.at.slice(0, 10) ? calendarAt.slice(0, 10) : undefined;
  if (!isVi())
    return `${t.at.slice(0, 19).replace('T', ' ')}${otherDay ? ` [${otherDay}]` : ''}  ${t.kind.padEnd(10)} ${(t.phase ?? '-').padEnd(16)} ${t.summary}`;
  return `${t.at.slice(11, 19)} ${viDate(t.at.slice(0, 10))}${otherDay ? ` [ngày ${viDate(otherDay)}]` : ''}  ${(TIMELINE_KIND_VI[t.kind] ?? t.kind).padEnd(9)} ${(t.phase ? phaseShort(t.phase) : '-').padEnd(14)} ${t.summary}`;
}

/** `chuky stalled` in Vietnamese: each stall as a short block, its cause in words. */
export function stallsVi(stalls: Stall[]): string {
  if (!stalls.length) return 'Không có gì bị kẹt.\n';
  const lines = [`${stalls.length} việc bị kẹt:`];
  for (const s of stalls) {
    const where = [s.cycleId, s.unitName ?? s.unitCode, s.phase ? phaseShort(s.phase) : undefined].filter(Boolean).join(' · ');
    const level =
      s.level !== undefined ? ` · ${LEVEL_LABEL[s.level] ?? `mức ${s.level}`}` : s.attempt !== undefined ? ` · lần thử ${s.attempt}` : '';
    lines.push(
      '',
      ...wrapText(`${STALL_LABEL[s.kind] ?? s.kind}${where ? ` — ${where}` : ''}${level}`, TERMINAL_WIDTH, '').map((l, i) =>
        i ? `  ${l}` : l,
      ),
    );
    if (s.since) lines.push(`  Từ: ${s.since.slice(11, 19)} ${viDate(s.since.slice(0, 10))} (UTC)`);
    lines.push(...wrapText(`Nguyên nhân: ${s.causeVi ?? s.cause}`, TERMINAL_WIDTH, '  '));
    if (s.repairs.length) lines.push(`  Cách xử lý: ${s.repairs.map((r) => REPAIR_LABEL[r] ?? r).join(', ')}`);
    if (s.temporalUrl) lines.push(`  Temporal: ${s.temporalUrl}`);
  }
  return `${lines.join('\n')}\n`;
}
