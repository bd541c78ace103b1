/**
 * The columns of the past-years workbook (`chuky report template`, `chuky cycle import-year`): one sheet of units
 * with every field of the year-end report (the phase's own form: `domain/phases/year-end-report.ts`), one sheet per
 * kind of committee record (`domain/records.ts`). Headers are the Vietnamese labels the schemas' own messages use,
 * read from the schemas themselves, so an error "Số đảng viên vi phạm cam kết: không được là số âm" names the
 * column as the clerk sees it. Each column carries its rules as text for the header cell's note. Pure.
 */
import type { z } from 'zod';
import { formatInt, formLeaves, type LeafField } from '../../domain/phases/common.js';
import { yearEndReportPhase } from '../../domain/phases/year-end-report.js';
import {
  COMMENDATION_FORMS,
  COMMENDATION_LEVELS,
  CONFERENCE_KINDS,
  DOCUMENT_TYPE_LABEL_VI,
  DOCUMENT_TYPES,
  INSPECTION_RECORD_BODIES,
  INSPECTION_RECORD_KINDS,
  RECORD_KIND_LABEL_VI,
  RECORD_KINDS,
  RECORD_SCHEMAS,
  type RecordKind,
} from '../../domain/records.js';

export const INFO_SHEET = 'Thông tin';
export const UNITS_SHEET = 'Đơn vị';
/** The "Thông tin" sheet's label for the year (column A), its value in column B. */
export const INFO_YEAR_LABEL = 'Năm';
export const INFO_COMMITTEE_LABEL = 'Mã cấp ủy';

/** Sheet names: Excel allows 31 characters, so the record kinds' labels are shortened here. */
export const RECORD_SHEETS: Record<RecordKind, string> = {
  document: 'Văn bản chỉ đạo',
  conference: 'Hội nghị học tập, quán triệt',
  commendation: 'Khen thưởng, tuyên dương',
  contest: 'Cuộc thi',
  charity: 'Thiện nguyện, an sinh xã hội',
  inspection: 'Kiểm tra, giám sát cấp ủy',
};

export type CellKind = 'text' | 'int' | 'date' | 'bool' | 'enum' | 'unitKind';

export interface Column {
  /** Dotted path in the payload ("figures.inspections.ubkt.supervisedOrgs"), or "unit.code" for the unit's own columns. */
  path: string;
  /** The header as written in the template (Vietnamese). */
  header: string;
  kind: CellKind;
  required: boolean;
  /** For 'enum': each accepted code with its Vietnamese label (either may be written in the cell). */
  values?: readonly { code: string; label: string }[];
  /** The limits and rules, for the header cell's note. */
  note: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Labels from the schemas' own messages

/**
 * The label each field's messages start with ("Tổng số đảng viên: không được để trống"), found by giving the
 * schema a value of the wrong type in every field: each field then answers with "<label>: …".
 */
export function schemaLabels(schema: z.ZodType, paths: readonly string[]): Map<string, string> {
  const input: Record<string, unknown> = {};
  for (const p of paths) {
    const keys = p.split('.');
    let node = input;
    for (const k of keys.slice(0, -1)) node = (node[k] ??= {}) as Record<string, unknown>;
    node[keys[keys.length - 1]!] = [];
  }
  const labels = new Map<string, string>();
  const r = schema.safeParse(input);
  if (!r.success) {
    for (const issue of r.error.issues) {
      const path = issue.path.join('.');
      const i = issue.message.indexOf(': ');
      if (i > 0 && !labels.has(path)) labels.set(path, issue.message.slice(0, i));
    }
  }
  return labels;
}

// ---------------------------------------------------------------------------------------------------------------
// The units sheet

const MEMBER_COUNTS = new Set([
  'figures.studied',
  'figures.withPersonalPlan',
  'figures.violatedPledge',
  'figures.commendedMembers',
  'figures.membersDisciplined',
]);

/** Rules the year-end schema checks across fields, written for the note of the column they are reported on. */
function crossRules(path: string, header: (p: string) => string): string[] {
  const out: string[] = [];
  if (MEMBER_COUNTS.has(path) || /^figures\.inspections\.[a-z]+\.(inspected|supervised)Members$/.test(path))
    out.push(`Không lớn hơn cột “${header('figures.members')}”.`);
  if (path === 'figures.keptPledge')
    out.push(`Cộng với cột “${header('figures.violatedPledge')}” không lớn hơn cột “${header('figures.withPersonalPlan')}”.`);
  return out;
}

function leafNote(f: LeafField, extra: string[]): string {
  const lines: string[] = [];
  lines.push(f.required ? 'Bắt buộc.' : 'Không bắt buộc (để trống nếu không có).');
  if (f.kind === 'number') {
    const min = f.min ?? 0;
    lines.push(
      `Số nguyên${f.max !== undefined ? `, từ ${formatInt(min)} đến ${formatInt(f.max)}` : `, không nhỏ hơn ${formatInt(min)}`}; ` +
        `có thể viết 1.250 hoặc 1250.`,
    );
  } else if (f.kind === 'textarea' || f.kind === 'text') {
    lines.push(`Văn bản, tối đa ${formatInt(f.maxLength)} ký tự${f.required ? '; viết thành câu (ít nhất 20 ký tự)' : ''}.`);
  }
  if (f.help) lines.push(f.help);
  return [...lines, ...extra].join('\n');
}

let unitColumnsCache: Column[] | undefined;

/** The units sheet: the unit's code, name and kind, then every field of the year-end report, in the form's order. */
export function unitColumns(): Column[] {
  if (unitColumnsCache) return unitColumnsCache;
  const leaves = formLeaves(yearEndReportPhase.form);
  const labels = schemaLabels(
    yearEndReportPhase.schema({ members: 0 }),
    leaves.map((l) => l.path),
  );
  const header = (p: string) => labels.get(p) ?? leaves.find((l) => l.path === p)?.field.label ?? p;
  const cols: Column[] = [
    {
      path: 'unit.code',
      header: 'Mã đơn vị',
      kind: 'text',
      required: true,
      note: 'Bắt buộc. Mã của tổ chức cơ sở đảng (chữ, số, "-", "_"), ví dụ SO-TC; mỗi đơn vị một dòng, không trùng mã.',
    },
    {
      path: 'unit.name',
      header: 'Tên đơn vị',
      kind: 'text',
      required: true,
      note: 'Bắt buộc. Tên tổ chức cơ sở đảng như trong báo cáo năm, tối đa 300 ký tự.',
    },
    {
      path: 'unit.kind',
      header: 'Loại đơn vị',
      kind: 'unitKind',
      required: false,
      note: 'Không bắt buộc. “Đảng bộ cơ sở” hoặc “Chi bộ cơ sở” (để trống: chi bộ cơ sở).',
    },
  ];
  for (const { path, field } of leaves) {
    const extra = crossRules(path, header);
    cols.push({
      path,
      header: header(path),
      kind: field.kind === 'number' ? 'int' : 'text',
      required: field.required,
      note: leafNote(field, extra),
    });
  }
  unitColumnsCache = cols;
  return cols;
}

// ---------------------------------------------------------------------------------------------------------------
// The record sheets

const enumValues = (codes: readonly string[], labels: Record<string, string>) =>
  codes.map((code) => ({ code, label: labels[code] ?? code }));

export const CONFERENCE_KIND_LABELS: Record<(typeof CONFERENCE_KINDS)[number], string> = {
  'chuyen-de-toan-khoa': 'Chuyên đề toàn khóa',
  'chu-de-nam': 'Chủ đề năm',
  'chuyen-de-hang-nam': 'Chuyên đề hằng năm',
  khac: 'Khác',
};
export const COMMENDATION_LEVEL_LABELS: Record<(typeof COMMENDATION_LEVELS)[number], string> = {
  'ban-thuong-vu': 'Ban Thường vụ',
  'cap-tren': 'Cấp trên',
  'trung-uong': 'Trung ương',
};
export const COMMENDATION_FORM_LABELS: Record<(typeof COMMENDATION_FORMS)[number], string> = {
  'khen-thuong': 'Khen thưởng',
  'tuyen-duong': 'Tuyên dương',
};
export const INSPECTION_BODY_LABELS: Record<(typeof INSPECTION_RECORD_BODIES)[number], string> = {
  'cap-tren': 'Cấp trên (do Ban Thường vụ tham mưu)',
  'ban-thuong-vu': 'Ban Thường vụ',
  ubkt: 'Ủy ban Kiểm tra',
};
export const INSPECTION_KIND_LABELS: Record<(typeof INSPECTION_RECORD_KINDS)[number], string> = {
  'kiem-tra': 'Kiểm tra',
  'giam-sat': 'Giám sát',
};

interface RecordColumnSpec {
  field: string;
  kind: CellKind;
  required: boolean;
  values?: readonly { code: string; label: string }[];
  rule?: string;
}

const COUNT_RULE = `Số nguyên, từ 0 đến ${formatInt(10_000_000)}.`;
const DATE_RULE = 'Ngày, dạng 15/02/2023 hoặc 2023-02-15 (hoặc ô kiểu ngày của Excel).';

/** The fields of each record kind, in the order of the sheet (the schema's fields; a test checks they match). */
export const RECORD_COLUMN_SPECS: Record<RecordKind, RecordColumnSpec[]> = {
  document: [
    { field: 'type', kind: 'enum', required: true, values: enumValues(DOCUMENT_TYPES, DOCUMENT_TYPE_LABEL_VI) },
    { field: 'number', kind: 'text', required: true, rule: 'Dạng số-ký hiệu/cơ quan ban hành, ví dụ 64-KH/ĐUK.' },
    { field: 'issuedOn', kind: 'date', required: true, rule: DATE_RULE },
    { field: 'title', kind: 'text', required: true, rule: 'Tối đa 1.000 ký tự.' },
  ],
  conference: [
    { field: 'heldOn', kind: 'date', required: true, rule: DATE_RULE },
    { field: 'theme', kind: 'text', required: true, rule: 'Tối đa 1.000 ký tự.' },
    { field: 'kind', kind: 'enum', required: true, values: enumValues(CONFERENCE_KINDS, CONFERENCE_KIND_LABELS) },
    { field: 'online', kind: 'bool', required: true, rule: '“Có” hoặc “Không”.' },
    { field: 'connectionPoints', kind: 'int', required: true, rule: `${COUNT_RULE} Hội nghị trực tuyến cần ít nhất 1 điểm cầu.` },
    { field: 'attendees', kind: 'int', required: true, rule: COUNT_RULE },
  ],
  commendation: [
    { field: 'decidedOn', kind: 'date', required: true, rule: DATE_RULE },
    { field: 'decisionNumber', kind: 'text', required: false, rule: 'Tối đa 100 ký tự.' },
    { field: 'level', kind: 'enum', required: true, values: enumValues(COMMENDATION_LEVELS, COMMENDATION_LEVEL_LABELS) },
    {
      field: 'form',
      kind: 'enum',
      required: false,
      values: enumValues(COMMENDATION_FORMS, COMMENDATION_FORM_LABELS),
      rule: 'Để trống: khen thưởng.',
    },
    { field: 'organisations', kind: 'int', required: true, rule: COUNT_RULE },
    { field: 'members', kind: 'int', required: true, rule: `${COUNT_RULE} Cần ít nhất một tập thể hoặc một cá nhân.` },
    { field: 'note', kind: 'text', required: false, rule: 'Tối đa 5.000 ký tự.' },
  ],
  contest: [
    { field: 'name', kind: 'text', required: true, rule: 'Tối đa 1.000 ký tự.' },
    { field: 'heldOn', kind: 'date', required: true, rule: DATE_RULE },
    { field: 'participants', kind: 'int', required: true, rule: COUNT_RULE },
    { field: 'prizes', kind: 'text', required: false, rule: 'Tối đa 5.000 ký tự.' },
  ],
  charity: [
    { field: 'description', kind: 'text', required: true, rule: 'Tối đa 5.000 ký tự.' },
    { field: 'amountVnd', kind: 'int', required: true, rule: 'Số nguyên (đồng), không âm; có thể viết 15.000.000.' },
    { field: 'heldOn', kind: 'date', required: false, rule: DATE_RULE },
  ],
  inspection: [
    { field: 'body', kind: 'enum', required: true, values: enumValues(INSPECTION_RECORD_BODIES, INSPECTION_BODY_LABELS) },
    { field: 'kind', kind: 'enum', required: true, values: enumValues(INSPECTION_RECORD_KINDS, INSPECTION_KIND_LABELS) },
    { field: 'heldOn', kind: 'date', required: true, rule: DATE_RULE },
    { field: 'subject', kind: 'text', required: true, rule: 'Tối đa 1.000 ký tự.' },
    { field: 'organisations', kind: 'int', required: true, rule: COUNT_RULE },
    { field: 'members', kind: 'int', required: true, rule: `${COUNT_RULE} Cần ít nhất một tổ chức hoặc một đảng viên.` },
    { field: 'note', kind: 'text', required: false, rule: 'Tối đa 5.000 ký tự.' },
  ],
};

const recordColumnsCache = new Map<RecordKind, Column[]>();

export function recordColumns(kind: RecordKind): Column[] {
  const cached = recordColumnsCache.get(kind);
  if (cached) return cached;
  const specs = RECORD_COLUMN_SPECS[kind];
  const labels = schemaLabels(
    RECORD_SCHEMAS[kind] as z.ZodType,
    specs.map((s) => s.field),
  );
  const cols = specs.map((s): Column => {
    const lines = [s.required ? 'Bắt buộc.' : 'Không bắt buộc (để trống nếu không có).'];
    if (s.values) lines.push(`Một trong: ${s.values.map((v) => `“${v.label}” (${v.code})`).join(', ')}.`);
    if (s.kind === 'text' && !s.rule) lines.push('Văn bản.');
    if (s.rule) lines.push(s.rule);
    return {
      path: s.field,
      header: labels.get(s.field) ?? s.field,
      kind: s.kind,
      required: s.required,
      ...(s.values ? { values: s.values } : {}),
      note: lines.join('\n'),
    };
  });
  recordColumnsCache.set(kind, cols);
  return cols;
}

export function recordSheetNote(kind: RecordKind): string {
  return `${RECORD_KIND_LABEL_VI[kind]}: mỗi dòng một hồ sơ của cấp ủy trong năm.`;
}

export { RECORD_KINDS };
