/**
 * The committee's own records for the year, entered by Ban Tuyên giáo: the directive documents it issued, the
 * study conferences it held, the commendations it decided, the contests it ran and the charity it raised. The
 * seed report counts each of them; the compiled report sums them from here. One zod schema per kind, with
 * Vietnamese messages naming the field; text is NFC-normalised and trimmed; unknown fields are refused (a typo
 * in a field name would otherwise lose the value). Pure: no I/O.
 */
import { z } from 'zod';
import { dateField, intField, optionalDateField, optionalText, requiredText, nfc } from './phases/common.js';
import { unsafeTextMessage, unsafeTextPath } from './text-safety.js';

export const RECORD_KINDS = ['document', 'conference', 'commendation', 'contest', 'charity', 'inspection'] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];

export const RECORD_KIND_LABEL_VI: Record<RecordKind, string> = {
  document: 'Văn bản chỉ đạo',
  conference: 'Hội nghị học tập, quán triệt',
  commendation: 'Khen thưởng, tuyên dương',
  contest: 'Cuộc thi',
  charity: 'Hoạt động thiện nguyện, an sinh xã hội',
  inspection: 'Kiểm tra, giám sát của cấp ủy, ủy ban kiểm tra',
};

export const DOCUMENT_TYPES = ['ke-hoach', 'chuong-trinh', 'cong-van', 'giay-moi', 'bao-cao', 'huong-dan', 'thong-bao', 'khac'] as const;
export const DOCUMENT_TYPE_LABEL_VI: Record<(typeof DOCUMENT_TYPES)[number], string> = {
  'ke-hoach': 'Kế hoạch',
  'chuong-trinh': 'Chương trình',
  'cong-van': 'Công văn',
  'giay-moi': 'Giấy mời',
  'bao-cao': 'Báo cáo',
  'huong-dan': 'Hướng dẫn',
  'thong-bao': 'Thông báo',
  khac: 'Văn bản khác',
};
export const CONFERENCE_KINDS = ['chuyen-de-toan-khoa', 'chu-de-nam', 'chuyen-de-hang-nam', 'khac'] as const;
/**
 * Who decided a commendation: the committee's standing committee, the level above on the committee's proposal
 * (the seed's "đề nghị Ban Thường vụ Tỉnh ủy khen thưởng"), or a central body (Ban Tuyên giáo Trung ương).
 */
export const COMMENDATION_LEVELS = ['ban-thuong-vu', 'cap-tren', 'trung-uong'] as const;
/** Khen thưởng (a decision with a certificate) or tuyên dương (public praise, e.g. examples honoured at a review). */
export const COMMENDATION_FORMS = ['khen-thuong', 'tuyen-duong'] as const;
/** As a report writes them: "tập thể được Ban Thường vụ khen thưởng". */
export const COMMENDATION_LEVEL_LABEL_VI: Record<(typeof COMMENDATION_LEVELS)[number], string> = {
  'ban-thuong-vu': 'Ban Thường vụ',
  'cap-tren': 'cấp trên',
  'trung-uong': 'cấp Trung ương',
};
export const COMMENDATION_FORM_LABEL_VI: Record<(typeof COMMENDATION_FORMS)[number], string> = {
  'khen-thuong': 'khen thưởng',
  'tuyen-duong': 'tuyên dương',
};
/**
 * Inspections and supervision decided above the grassroots, counted by the committee: advised to the level
 * above ("tham mưu Ban Thường vụ Tỉnh ủy kiểm tra"), by the standing committee, by the committee's UBKT. Those
 * run as chuky inspection workflows are counted from them; this record holds the rest (members inspected with
 * an organisation, inspections decided before chuky).
 */
export const INSPECTION_RECORD_BODIES = ['cap-tren', 'ban-thuong-vu', 'ubkt'] as const;
export const INSPECTION_RECORD_KINDS = ['kiem-tra', 'giam-sat'] as const;

const MAX_TITLE = 1000;
const MAX_NOTE = 5000;
/** Counts of people or organisations: far above any committee, low enough to catch a pasted amount. */
const MAX_COUNT = 10_000_000;

function enumField<const T extends readonly [string, ...string[]]>(label: string, values: T) {
  const list = values.join(', ');
  return z.enum(values, {
    error: (iss) =>
      iss.input === undefined || iss.input === null ? `${label}: không được để trống` : `${label}: cần là một trong: ${list}`,
  });
}

function booleanField(label: string) {
  return z.boolean({
    error: (iss) =>
      iss.input === undefined || iss.input === null ? `${label}: không được để trống` : `${label}: cần là true (có) hoặc false (không)`,
  });
}

const count = (label: string) => intField(label, { max: MAX_COUNT });

/** "64-KH/ĐUK", "05-CT/TW", "12-CTr/ĐUK", "36-HD/VPTW"; a leading "Số" and spaces are dropped. */
const DOCUMENT_NUMBER = /^\d+-[\p{L}\p{N}.]+(\/[\p{L}\p{N}.-]+)+$/u;
const documentNumber = requiredText('Số, ký hiệu', 100)
  .transform((s) => s.replace(/^số\s*:?\s*/iu, '').replace(/\s+/g, ''))
  .pipe(z.string().regex(DOCUMENT_NUMBER, { error: 'Số, ký hiệu: cần dạng số-ký hiệu/cơ quan ban hành, ví dụ 64-KH/ĐUK' }));

export const documentRecordSchema = z.strictObject({
  type: enumField('Loại văn bản', DOCUMENT_TYPES),
  number: documentNumber,
  issuedOn: dateField('Ngày ban hành'),
  title: requiredText('Trích yếu', MAX_TITLE),
});

export const conferenceRecordSchema = z
  .strictObject({
    heldOn: dateField('Ngày tổ chức'),
    theme: requiredText('Chuyên đề, nội dung', MAX_TITLE),
    online: booleanField('Trực tuyến'),
    connectionPoints: count('Số điểm cầu'),
    attendees: count('Số người tham dự'),
    kind: enumField('Loại hội nghị', CONFERENCE_KINDS),
  })
  .superRefine((c, ctx) => {
    if (c.online === true && c.connectionPoints === 0) {
      ctx.addIssue({ code: 'custom', path: ['connectionPoints'], message: 'Số điểm cầu: hội nghị trực tuyến cần ít nhất 1 điểm cầu' });
    }
  });

export const commendationRecordSchema = z
  .strictObject({
    decidedOn: dateField('Ngày quyết định'),
    decisionNumber: optionalText('Số quyết định', 100),
    level: enumField('Cấp khen thưởng', COMMENDATION_LEVELS),
    form: enumField('Hình thức', COMMENDATION_FORMS).optional(),
    organisations: count('Số tập thể được khen'),
    members: count('Số cá nhân được khen'),
    note: optionalText('Ghi chú', MAX_NOTE),
  })
  .superRefine((c, ctx) => {
    if (c.organisations === 0 && c.members === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['members'],
        message: 'Số cá nhân được khen: cần ít nhất một tập thể hoặc một cá nhân được khen',
      });
    }
  });

export const contestRecordSchema = z.strictObject({
  name: requiredText('Tên cuộc thi', MAX_TITLE),
  heldOn: dateField('Ngày tổ chức (hoặc tổng kết)'),
  participants: count('Số người tham gia'),
  prizes: optionalText('Giải thưởng', MAX_NOTE),
});

export const charityRecordSchema = z.strictObject({
  description: requiredText('Nội dung hoạt động', MAX_NOTE),
  amountVnd: intField('Số tiền (đồng)', { max: Number.MAX_SAFE_INTEGER }),
  heldOn: optionalDateField('Ngày thực hiện'),
});

export const inspectionRecordSchema = z
  .strictObject({
    body: enumField('Chủ thể', INSPECTION_RECORD_BODIES),
    kind: enumField('Loại', INSPECTION_RECORD_KINDS),
    heldOn: dateField('Ngày (hoặc ngày kết luận)'),
    subject: requiredText('Nội dung', MAX_TITLE),
    organisations: count('Số tổ chức đảng'),
    members: count('Số đảng viên'),
    note: optionalText('Ghi chú', MAX_NOTE),
  })
  .superRefine((c, ctx) => {
    if (c.organisations === 0 && c.members === 0) {
      ctx.addIssue({ code: 'custom', path: ['members'], message: 'Số đảng viên: cần ít nhất một tổ chức hoặc một đảng viên' });
    }
  });

export const RECORD_SCHEMAS = {
  document: documentRecordSchema,
  conference: conferenceRecordSchema,
  commendation: commendationRecordSchema,
  contest: contestRecordSchema,
  charity: charityRecordSchema,
  inspection: inspectionRecordSchema,
} as const;

export type DocumentRecord = z.infer<typeof documentRecordSchema>;
export type ConferenceRecord = z.infer<typeof conferenceRecordSchema>;
export type CommendationRecord = z.infer<typeof commendationRecordSchema>;
export type ContestRecord = z.infer<typeof contestRecordSchema>;
export type CharityRecord = z.infer<typeof charityRecordSchema>;
export type InspectionRecord = z.infer<typeof inspectionRecordSchema>;
export interface RecordPayloads {
  document: DocumentRecord;
  conference: ConferenceRecord;
  commendation: CommendationRecord;
  contest: ContestRecord;
  charity: CharityRecord;
  inspection: InspectionRecord;
}
export type CommitteeRecordPayload = RecordPayloads[RecordKind];

export function isRecordKind(kind: string): kind is RecordKind {
  return (RECORD_KINDS as readonly string[]).includes(kind);
}

export interface RecordIssue {
  /** Dotted path of the field ('' for the record as a whole). */
  field: string;
  /** Vietnamese, naming the field: "Số điểm cầu: không được là số âm". */
  message: string;
}

export class InvalidRecordError extends Error {
  override name = 'InvalidRecordError';
  constructor(readonly issues: RecordIssue[]) {
    super(issues.map((i) => (i.field ? `${i.field}: ${i.message}` : i.message)).join('; '));
  }

  /** The first message per field, as forms show them. */
  get fields(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const i of this.issues) out[i.field || 'form'] ??= i.message;
    return out;
  }
}

function toIssues(error: z.ZodError): RecordIssue[] {
  const out: RecordIssue[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const k of issue.keys)
        out.push({ field: [...issue.path, k].join('.'), message: `Trường "${k}" không có trong loại hồ sơ này (kiểm tra chính tả)` });
    } else if (issue.path.length === 0 && issue.code === 'invalid_type') {
      out.push({ field: '', message: 'Hồ sơ cần là một đối tượng JSON, ví dụ {"heldOn": "2027-03-15", …}' });
    } else {
      out.push({ field: issue.path.join('.'), message: issue.message });
    }
  }
  return out;
}

export type ParsedRecord = { [K in RecordKind]: { kind: K; data: RecordPayloads[K] } }[RecordKind];

/** Validates a record of `kind`; returns the issues instead of throwing. */
export function safeParseRecord(
  kind: string,
  input: unknown,
): { success: true; record: ParsedRecord } | { success: false; issues: RecordIssue[] } {
  const k = nfc(String(kind));
  if (!isRecordKind(k)) {
    return {
      success: false,
      issues: [{ field: 'kind', message: `Loại hồ sơ không hợp lệ: "${k}"; cần một trong: ${RECORD_KINDS.join(', ')}` }],
    };
  }
  // A NUL or a broken surrogate could not be stored (PostgreSQL): refused by its field, from the API or the CLI.
  const unsafe = unsafeTextPath(input);
  if (unsafe !== undefined) return { success: false, issues: [{ field: unsafe, message: unsafeTextMessage('') }] };
  const result = RECORD_SCHEMAS[k].safeParse(input);
  if (!result.success) return { success: false, issues: toIssues(result.error) };
  return { success: true, record: { kind: k, data: result.data } as ParsedRecord };
}

/** Validates a record of `kind`, or throws InvalidRecordError with one Vietnamese message per field. */
export function parseRecord(kind: string, input: unknown): ParsedRecord {
  const r = safeParseRecord(kind, input);
  if (!r.success) throw new InvalidRecordError(r.issues);
  return r.record;
}

/** One line for people: "Kế hoạch 64-KH/ĐUK (2027-01-10): Kế hoạch học tập …". */
export function describeRecord(kind: RecordKind, payload: Record<string, unknown>): string {
  // A stored payload passed its kind's schema when it was recorded (parseRecord), so it has that kind's shape.
  switch (kind) {
    case 'document': {
      const p = payload as DocumentRecord;
      return `${DOCUMENT_TYPE_LABEL_VI[p.type] ?? p.type} ${p.number} (${p.issuedOn}): ${p.title}`;
    }
    case 'conference': {
      const p = payload as ConferenceRecord;
      return `${p.heldOn}: ${p.theme}${p.online ? `, trực tuyến ${p.connectionPoints} điểm cầu` : ''}, ${p.attendees} người dự`;
    }
    case 'commendation': {
      const p = payload as CommendationRecord;
      return (
        `${p.decidedOn}${p.decisionNumber ? ` (QĐ ${p.decisionNumber})` : ''}: ${p.organisations} tập ` +
        `thể, ${p.members} cá nhân (${p.level})`
      );
    }
    case 'contest': {
      const p = payload as ContestRecord;
      return `${p.heldOn}: ${p.name}, ${p.participants} người tham gia`;
    }
    case 'charity': {
      const p = payload as CharityRecord;
      return `${p.heldOn ?? ''}${p.heldOn ? ': ' : ''}${p.description}, ${p.amountVnd} đồng`;
    }
    case 'inspection': {
      const p = payload as InspectionRecord;
      return `${p.heldOn}: ${p.body} ${p.kind} ${p.organisations} tổ chức, ${p.members} đảng viên — ${p.subject}`;
    }
  }
}
