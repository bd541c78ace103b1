/**
 * The upward report as a file the committee's clerk reads, checks and edits (`chuky report upward draft` writes
 * it, `… submit` reads it back): YAML, each figure under a comment saying in Vietnamese what it is and what it is
 * the sum of, the narrative as block text. Keys are the year-end form's own field names, so a refusal by the
 * superior's workflow (which names fields by path) is reported at the file's line.
 */
import { Document, Scalar, type Pair, YAMLMap } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../config/errors.js';
import { parseYamlText, validateYaml, yamlLineOf } from '../config/cycle.js';
import { fieldLabels } from '../domain/words.js';
import { UPWARD_FIELDS, type UpwardDraft } from './upward.js';

export interface UpwardFileHeader {
  childCycleId: string;
  committeeName: string;
  parentCycleId: string;
  unitCode: string;
  /** The day the child cycle froze, dd/mm/yyyy. */
  frozenOn: string;
}

const FIELD_NOTE = {
  confirmedBy: 'Người xác nhận báo cáo (họ tên, chức vụ): bắt buộc',
  editReason: 'Lý do chỉnh sửa: bắt buộc khi có số liệu hoặc nội dung khác bản dự thảo',
} as const;

function commented(doc: Document, map: YAMLMap, key: string, value: unknown, comment: string | undefined): void {
  const node = doc.createNode(value) as Scalar | YAMLMap;
  if (node instanceof Scalar && typeof value === 'string' && value.includes('\n')) node.type = Scalar.BLOCK_LITERAL;
  const pair = doc.createPair(key, node) as Pair<Scalar, unknown>;
  if (comment) pair.key.commentBefore = ` ${comment}`;
  map.items.push(pair);
}

/** The draft as YAML, with its explanations as comments. */
export function renderUpwardFile(h: UpwardFileHeader, draft: UpwardDraft): string {
  const labels = fieldLabels('year-end-report');
  const doc = new Document({});
  const root = doc.contents as YAMLMap;
  doc.commentBefore = [
    ` Báo cáo năm của ${h.committeeName} gửi cấp trên: chu kỳ ${h.parentCycleId}, đơn vị ${h.unitCode}.`,
    ` Bản dự thảo lập từ chu kỳ ${h.childCycleId} (khóa sổ ngày ${h.frozenOn}, ${draft.units} đơn vị trực thuộc):`,
    ' mỗi số liệu là tổng của các đơn vị (và của cấp ủy, nơi ghi rõ), như báo cáo tổng hợp của chu kỳ.',
    ' Kiểm tra, sửa nếu cần (ghi lý do ở editReason), ghi người xác nhận ở confirmedBy, rồi gửi:',
    `   chuky report upward submit --cycle ${h.childCycleId} --file <tệp này>`,
  ].join('\n');
  commented(doc, root, 'childCycle', h.childCycleId, 'Chu kỳ của cấp ủy, nơi lập bản dự thảo (không sửa)');
  commented(doc, root, 'confirmedBy', '', FIELD_NOTE.confirmedBy);
  commented(doc, root, 'editReason', '', FIELD_NOTE.editReason);

  const figures = new YAMLMap();
  const place = (path: string, value: unknown, comment: string | undefined) => {
    const keys = path.split('.').slice(1);
    let map = figures;
    for (const key of keys.slice(0, -1)) {
      let next = map.get(key) as YAMLMap | undefined;
      if (!next) {
        next = new YAMLMap();
        commented(doc, map, key, next, labels.get(`figures.${keys.slice(0, keys.indexOf(key) + 1).join('.')}`));
      }
      map = next;
    }
    commented(doc, map, keys[keys.length - 1]!, value, comment);
  };
  for (const field of UPWARD_FIELDS) {
    const source = draft.sources[field.path]!;
    const label = (labels.get(field.path) ?? field.path).replace(/^Số liệu trong năm: /, '').replace(/^.*?: /, '');
    const parts = source.figures.map((f) => `${f.id} ${f.value}`).join(' + ');
    place(field.path, source.value, `${label}: ${field.sumOf} (${parts})`);
    if (field.path === 'figures.members')
      place('figures.membersReason', '', 'Lý do số đảng viên khác danh sách của cấp trên (khi chênh quá mức cho phép)');
  }
  commented(doc, root, 'figures', figures, 'Số liệu trong năm');

  const narrative = new YAMLMap();
  for (const [key, value] of Object.entries((draft.payload as { narrative: Record<string, string> }).narrative)) {
    commented(
      doc,
      narrative,
      key,
      value,
      `${(labels.get(`narrative.${key}`) ?? key).replace(/^Đánh giá: /, '')}${value ? ' (dự thảo từ báo cáo của các đơn vị)' : ''}`,
    );
  }
  commented(doc, root, 'narrative', narrative, 'Đánh giá: dự thảo ghép từ báo cáo năm của các đơn vị; viết lại cho gọn trước khi gửi');
  return doc.toString({ lineWidth: 0 }).normalize('NFC');
}

const text = (label: string) =>
  z
    .string({ error: `${label}: cần là một đoạn chữ` })
    .nullish()
    .transform((v) => (v ?? '').normalize('NFC').trim());

const UpwardFileSchema = z.object({
  childCycle: z.string({ error: 'Chu kỳ: thiếu (dòng childCycle của bản dự thảo)' }),
  confirmedBy: text('Người xác nhận').pipe(z.string().min(1, { message: 'Người xác nhận: chưa ghi (họ tên, chức vụ)' })),
  editReason: text('Lý do chỉnh sửa'),
  figures: z.record(z.string(), z.unknown(), { error: 'Số liệu: thiếu mục figures' }),
  narrative: z.record(z.string(), z.unknown(), { error: 'Đánh giá: thiếu mục narrative' }),
});

export interface UpwardFile {
  childCycle: string;
  confirmedBy: string;
  editReason: string;
  /** The year-end report's payload, as written: the superior's workflow checks it. */
  payload: { figures: Record<string, unknown>; narrative: Record<string, unknown> };
  /** The line of a field of the file ("figures.studied", "editReason"). */
  lineOf: (path: string) => number | undefined;
}

/** Reads the clerk's file; problems are ConfigErrors at their line. */
export function parseUpwardFile(source: string, file: string): UpwardFile {
  const parsed = parseYamlText(source, file);
  const v = validateYaml(parsed, file, UpwardFileSchema);
  const lineOf = (path: string) => yamlLineOf(parsed.doc, parsed.lineCounter, path.split('.'));
  // Narrative texts NFC and trimmed; an emptied optional paragraph is left out, as the form leaves it out.
  const narrative: Record<string, unknown> = {};
  for (const [k, value] of Object.entries(v.narrative)) {
    if (typeof value === 'string') {
      const t = value.normalize('NFC').trim();
      if (t) narrative[k] = t;
    } else if (value !== null && value !== undefined) narrative[k] = value;
  }
  const figures = { ...v.figures };
  if (typeof figures.membersReason === 'string') {
    const reason = figures.membersReason.normalize('NFC').trim();
    if (reason) figures.membersReason = reason;
    else delete figures.membersReason;
  } else if (figures.membersReason === null) delete figures.membersReason;
  return { childCycle: v.childCycle, confirmedBy: v.confirmedBy, editReason: v.editReason, payload: { figures, narrative }, lineOf };
}

/** A ConfigError for problems named by the payload's field paths, located in the file. */
export function upwardFileError(
  file: string,
  parsed: Pick<UpwardFile, 'lineOf'>,
  issues: Array<{ path: string; message: string }>,
): ConfigError {
  return new ConfigError(
    issues.map((i) => ({
      file,
      line: (i.path && parsed.lineOf(i.path)) || 1,
      field: i.path,
      message: i.message,
    })),
  );
}
