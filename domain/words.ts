/**
 * Every word a Vietnamese reader sees for one of chuky's ids: phases, obligation statuses, escalation levels,
 * cycle and inspection states, stall kinds, repairs, email kinds, actors, how a submission came in, and each
 * phase's field labels (read from the phase's form, which domain/phases/fields.ts derives from the phase's payload
 * schema: a label is written once, on the schema's field, and messages, form and these words agree).
 * The console, the timeline, the unit's form, the stalled detector and `chuky --lang vi` all read these.
 * Pure (no I/O, no Node APIs): safe inside workflows. Ids stay in JSON and the database; only what people read
 * is translated here.
 */
import { formatVietnameseDate } from './calendar.js';
import type { ObligationStatus } from './obligation.js';
import { PHASES } from './phases/index.js';
import type { FieldSpec } from './phases/types.js';

// ---------------------------------------------------------------------------------------------------------------
// Dates

/** "19/03/2027" from "2027-03-19" (dd/mm/yyyy, as Vietnamese documents write it); anything else unchanged. */
export function viDate(isoDate: string | null | undefined): string {
  if (!isoDate) return '';
  return /^\d{4}-\d{2}-\d{2}$/.test(isoDate) ? formatVietnameseDate(isoDate) : isoDate;
}

/** Every ISO civil date (YYYY-MM-DD) inside a text rewritten as dd/mm/yyyy. */
export function viDatesIn(text: string): string {
  return text.replace(/\b(\d{4})-(\d{2})-(\d{2})\b/g, (_m, y: string, mo: string, d: string) => `${d}/${mo}/${y}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Phases

/** Short phase names for narrow columns, chart axes and sentences ("Nộp kế hoạch lần 1"). */
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

/** The short name of a phase; an unknown id is returned as it is (an operator's own phase). */
export const phaseShort = (phase: string): string => PHASE_SHORT[phase] ?? phase;

/** The phase's full Vietnamese title (what is submitted), from its PhaseSpec; the cycle may override it. */
export function phaseTitleVi(phase: string): string {
  return Object.prototype.hasOwnProperty.call(PHASES, phase) ? PHASES[phase]!.title : phaseShort(phase);
}

// ---------------------------------------------------------------------------------------------------------------
// Obligation statuses

/** An obligation's status as a sentence reads it (the unit's form, the timeline, repairs' messages). */
export const STATUS_LABEL_VI: Record<ObligationStatus, string> = {
  pending: 'Chưa đến hạn',
  overdue: 'Quá hạn',
  not_submitted: 'Không nộp',
  submitted: 'Đã nộp đúng hạn',
  late: 'Nộp chậm',
  exempted: 'Được miễn',
  removed: 'Đơn vị không còn trong chu kỳ',
};

/** An obligation's status as the console's chips show it: a short label and its colour class. */
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

export const statusShort = (status: string): string => STATUS_VIEW[status]?.label ?? status;
export const statusLong = (status: string): string => STATUS_LABEL_VI[status as ObligationStatus] ?? statusShort(status);

/** Escalation levels. */
export const LEVEL_LABEL: Record<number, string> = {
  0: 'Chưa đôn đốc',
  1: 'Mức 1: đã báo quá hạn',
  2: 'Mức 2: đã báo lãnh đạo',
  3: 'Mức 3: ghi nhận không nộp',
};

export const levelLabel = (level: number): string => LEVEL_LABEL[level] ?? `Mức ${level}`;

export const CYCLE_STATUS_LABEL: Record<string, string> = {
  starting: 'Đang khởi động',
  running: 'Đang chạy',
  closed: 'Đã kết thúc',
};

export const INSPECTION_STATUS_VI: Record<string, string> = {
  noticed: 'Đã thông báo',
  scheduled: 'Đã hẹn ngày',
  findings: 'Đã có kết quả',
  concluded: 'Đã kết luận',
  remedied: 'Đã khắc phục',
  remedy_overdue: 'Quá hạn khắc phục',
  closed: 'Đã đóng',
};

/** Why an inspection was started (inspections.origin). */
export const INSPECTION_ORIGIN_VI: Record<string, string> = {
  plan: 'theo kế hoạch',
  escalation: 'đề xuất do không nộp',
  'under-target': 'đề xuất do chưa đạt chỉ tiêu',
  other: 'lý do khác',
};

export const UNIT_KIND_VI: Record<string, string> = { 'dang-bo-co-so': 'Đảng bộ cơ sở', 'chi-bo-co-so': 'Chi bộ cơ sở' };

// ---------------------------------------------------------------------------------------------------------------
// Operations: stalls, repairs

export const STALL_LABEL: Record<string, string> = {
  'activity-retrying': 'Tác vụ đang thử lại',
  'workflow-task-failing': 'Workflow lỗi lặp lại',
  overdue: 'Quá hạn',
  'remedy-overdue': 'Quá hạn khắc phục',
  'phase-blocked': 'Giai đoạn bị tắc',
  'worker-missing': 'Không có worker',
};

export const REPAIR_LABEL: Record<string, string> = {
  extend: 'Gia hạn',
  exempt: 'Miễn',
  remind: 'Nhắc lại',
  record: 'Ghi nhận bản nộp',
  retry: 'Thử lại',
  reset: 'Chạy lại workflow',
  cancel: 'Hủy workflow',
  'close-cycle-despite-open-children': 'Đóng chu kỳ khi chu kỳ con chưa đóng',
};

/**
 * An audit row's message as the console shows it. The engine-busy lines are written in English for operators
 * (the API's and the repairs', client/unit-actions.ts engineBusyLine); the console, read by clerks, says them in
 * Vietnamese. Any other message is the workflow's or the validator's own, already Vietnamese.
 */
export function auditMessageVi(message: string): string {
  if (/^busy, not confirmed: /.test(message))
    return 'Hệ thống bận, chưa được xác nhận: Temporal không trả lời kịp; thao tác chỉ có hiệu lực nếu hồ sơ của đơn vị cho thấy — gửi lại với cùng mã yêu cầu (chỉ áp dụng một lần)';
  const busy = /^Temporal did not answer within ([\d.]+) s\b/.exec(message);
  if (busy)
    return `Temporal không trả lời trong ${busy[1]!.replace('.', ',')} giây (hệ thống bận hoặc không có worker nhận việc); chưa có gì thay đổi trừ khi hồ sơ của đơn vị cho thấy; hãy thử lại`;
  return message;
}

/** What an activity does, for a stall's cause ("Gửi thư, lần thử 6: …"). */
export const ACTIVITY_VI: Record<string, string> = {
  sendUnitEmail: 'Gửi thư',
  recordTransition: 'Ghi chuyển trạng thái',
  storeSubmission: 'Lưu bản nộp',
  acceptSubmission: 'Nhận bản nộp',
  recordInspection: 'Ghi kiểm tra, giám sát',
  launchUnitBatch: 'Khởi tạo đơn vị',
  closeUnitBatch: 'Kết thúc đơn vị',
  freezeCycle: 'Chốt dữ liệu chu kỳ',
};

export const activityVi = (type: string): string => ACTIVITY_VI[type] ?? `Tác vụ ${type}`;

/** "5 ngày" (Vietnamese has no plural). */
export const daysVi = (n: number): string => `${n} ngày`;

// ---------------------------------------------------------------------------------------------------------------
// Emails, actors, channels

export const EMAIL_KIND_VI: Record<string, string> = {
  notice: 'thông báo',
  reminder: 'nhắc hạn',
  overdue: 'quá hạn',
  escalation2: 'báo cáo lãnh đạo',
  escalation3: 'ghi nhận không nộp',
  receipt: 'xác nhận đã nhận',
  extension: 'gia hạn',
  exemption: 'miễn',
  bounce: 'thư không gửi được',
  'inspection-notice': 'thông báo kiểm tra, giám sát',
  'inspection-scheduled': 'lịch làm việc của đoàn',
  'inspection-conclusion': 'kết luận kiểm tra, giám sát',
};

export const EMAIL_STATUS_VI: Record<string, string> = {
  sent: 'đã gửi',
  pending: 'chưa gửi được, đang thử lại',
  bounced: 'không gửi được',
  partial: 'gửi được một phần',
};

/** What an event means (events.kind), as a clause: the console's live banner, the timeline. */
export const EVENT_KIND_VI: Record<string, string> = {
  opened: 'giai đoạn mở',
  submitted: 'đã nộp',
  revised: 'nộp bản sửa',
  overdue: 'quá hạn',
  escalation2: 'báo lãnh đạo (mức 2)',
  escalation3: 'ghi nhận không nộp (mức 3)',
  inspection_proposed: 'đề xuất kiểm tra',
  under_target: 'chưa đạt chỉ tiêu',
  extended: 'được gia hạn',
  exempted: 'được miễn',
  unit_removed: 'rời chu kỳ',
  email_bounced: 'thư bị trả lại',
  manual_reminder: 'được nhắc',
  inspection_opened: 'có đợt kiểm tra, giám sát',
  inspection_scheduled: 'đã hẹn ngày kiểm tra',
  inspection_findings: 'có kết quả kiểm tra',
  inspection_concluded: 'có kết luận kiểm tra',
  inspection_remedy_overdue: 'quá hạn khắc phục',
  inspection_remedied: 'đã báo cáo khắc phục',
  inspection_closed: 'đóng đợt kiểm tra',
  inspection_remedy_reminder: 'nhắc hạn khắc phục',
  inspection_remedy_overdue_notice: 'báo quá hạn khắc phục',
  inspection_remedy_escalation2: 'quá hạn khắc phục: báo lãnh đạo (mức 2)',
  inspection_remedy_escalation3: 'quá hạn khắc phục: mức 3',
  closed: 'kết thúc',
};

/** Who acted, by role, as a sentence names it: console roles, the command line, the API. */
export const ROLE_VI: Record<string, string> = {
  admin: 'quản trị',
  clerk: 'Ban Tuyên giáo',
  leader: 'lãnh đạo',
  cli: 'dòng lệnh',
  api: 'API',
};

/** How a submission or act came in (actor.via). */
export const VIA_VI: Record<string, string> = {
  web: 'biểu mẫu trực tuyến',
  form: 'biểu mẫu trực tuyến',
  api: 'API',
  cli: 'dòng lệnh',
  console: 'bảng điều khiển',
  system: 'hệ thống',
};

export const viaVi = (via: string): string => VIA_VI[via] ?? via;

/**
 * Who did something, as recorded ('system', 'unit:SO-TC', 'operator:an', 'console:an'): "hệ thống",
 * "đơn vị SO-TC", "an".
 */
export function actorVi(actor: string | null | undefined): string {
  if (!actor) return '';
  if (actor === 'system') return 'hệ thống';
  const colon = actor.indexOf(':');
  if (colon < 0) return actor;
  const kind = actor.slice(0, colon);
  const name = actor.slice(colon + 1);
  if (kind === 'unit') return `đơn vị ${name}`;
  if (kind === 'system') return 'hệ thống';
  return name || actor;
}

// ---------------------------------------------------------------------------------------------------------------
// Field labels, from the phases' forms

function leafLabels(fields: FieldSpec[], prefix: string, groupLabel: string, out: Map<string, string>): void {
  for (const f of fields) {
    const path = prefix ? `${prefix}.${f.name}` : f.name;
    if (f.kind === 'group') {
      out.set(path, f.label);
      leafLabels(f.fields, path, f.label, out);
    } else {
      out.set(path, groupLabel ? `${groupLabel}: ${f.label}` : f.label);
    }
  }
}

const FIELD_LABELS = new Map<string, Map<string, string>>();

/** Every field of a phase's form by its dotted path ("committee.inspectedOrgs") with its Vietnamese label. */
export function fieldLabels(phase: string): ReadonlyMap<string, string> {
  let labels = FIELD_LABELS.get(phase);
  if (!labels) {
    labels = new Map();
    const spec = Object.prototype.hasOwnProperty.call(PHASES, phase) ? PHASES[phase] : undefined;
    if (spec) leafLabels(spec.form, '', '', labels);
    FIELD_LABELS.set(phase, labels);
  }
  return labels;
}

/**
 * The label of a field a person typed into: the phase's form label for its path ("models.2.name" → the label of
 * "models"), else a plain description that names no internal id.
 */
export function fieldLabel(phase: string | undefined, path: string): string {
  return knownFieldLabel(phase, path) ?? (path === 'requestId' ? 'mã lần gửi' : 'một ô của biểu mẫu');
}

/** The label of a field of the phase's form (or, with no phase, of any phase's form); undefined when none has it. */
export function knownFieldLabel(phase: string | undefined, path: string): string | undefined {
  const labels = phase ? fieldLabels(phase) : undefined;
  if (labels) {
    const parts = path.split('.');
    for (let n = parts.length; n > 0; n--) {
      const label = labels.get(parts.slice(0, n).join('.'));
      if (label) return label;
    }
    return undefined;
  }
  for (const p of Object.keys(PHASES)) {
    const label = fieldLabels(p).get(path);
    if (label) return label;
  }
  return undefined;
}
