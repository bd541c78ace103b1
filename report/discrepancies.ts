/**
 * The report's working notes for Ban Tuyên giáo: figures to check before signing. Today one kind: a unit's study or
 * pledge report whose member count differs from the units list ("Số đảng viên") by more than the cycle's margin
 * (`targets.membersMarginPercent`), with the reason the unit gave, or none (a report accepted before reasons were
 * asked). Such a count is never silently taken as the unit's whole: it is named here, with both counts. The notes
 * go after the appendices as drafted (highlighted) paragraphs, so the document cannot be signed with them unread.
 * Pure.
 */
import {
  DEFAULT_MEMBERS_MARGIN_PERCENT,
  MEMBER_COUNT_PHASES,
  formatInt,
  formatTarget,
  membersBeyondMargin,
  reportedMembers,
} from '../domain/phases/common.js';
import { countedUnits, type YearInput } from './figures.js';
import type { Block, ParagraphBlock } from './model.js';

export interface MembersDiscrepancy {
  year: number;
  cycleId: string;
  unitCode: string;
  unitName: string;
  phase: (typeof MEMBER_COUNT_PHASES)[number];
  /** The units list's count. */
  registry: number;
  /** The count the unit reported. */
  reported: number;
  marginPercent: number;
  reason?: string;
  submissionId: number;
  version: number;
}

const PHASE_NOUN: Record<MembersDiscrepancy['phase'], string> = {
  study: 'báo cáo học tập, quán triệt',
  pledge: 'báo cáo kế hoạch cá nhân, cam kết',
  'year-end-report': 'báo cáo kết quả thực hiện năm',
};

export const NOTES_HEADING = 'GHI CHÚ ĐỂ KIỂM TRA TRƯỚC KHI KÝ (xóa phần này khỏi bản trình ký)';

/** Every study and pledge submission of the counted units whose member count is far from the list, or has a reason. */
export function membersDiscrepancies(years: YearInput[]): MembersDiscrepancy[] {
  const out: MembersDiscrepancy[] = [];
  for (const { year, cycleId, data } of years) {
    const def = data.definition as { targets?: { membersMarginPercent?: number } } | null;
    const margin = def?.targets?.membersMarginPercent ?? DEFAULT_MEMBERS_MARGIN_PERCENT;
    for (const unit of countedUnits(data)) {
      for (const phase of MEMBER_COUNT_PHASES) {
        const s = unit.phases[phase]?.submission;
        const stated = s ? reportedMembers(phase, s.payload) : undefined;
        if (!s || !stated) continue;
        const { reason } = stated;
        if (!reason && !membersBeyondMargin(stated.members, unit.members, margin)) continue;
        out.push({
          year,
          cycleId,
          unitCode: unit.code,
          unitName: unit.name,
          phase,
          registry: unit.members,
          reported: stated.members,
          marginPercent: margin,
          ...(reason ? { reason } : {}),
          submissionId: s.id,
          version: s.version,
        });
      }
    }
  }
  return out;
}

/** One note's sentence. */
export function discrepancySentence(d: MembersDiscrepancy): string {
  return (
    `- Năm ${d.year}, ${d.unitName} (${d.unitCode}), ${PHASE_NOUN[d.phase]}: đơn vị báo cáo ${formatInt(d.reported)} đảng viên, ` +
    `danh sách đơn vị có ${formatInt(d.registry)} đảng viên (chênh lệch quá ${formatTarget(d.marginPercent)}); ` +
    (d.reason ? `lý do đơn vị ghi: “${d.reason}”.` : 'đơn vị không ghi lý do.') +
    ` Số liệu của đơn vị được tính theo số đơn vị báo cáo; cần đối chiếu trước khi ký (báo cáo số ${d.submissionId}, lần ${d.version}).`
  );
}

/** The working notes' blocks: nothing when there is nothing to check. */
export function discrepancyNotes(years: YearInput[]): Block[] {
  const list = membersDiscrepancies(years);
  if (list.length === 0) return [];
  const p = (style: ParagraphBlock['style'], text: string): ParagraphBlock => ({ kind: 'paragraph', style, runs: [{ text }], draft: true });
  return [
    p('part', NOTES_HEADING),
    p('section', `Số đảng viên khác danh sách đơn vị (${formatInt(list.length)} báo cáo)`),
    ...list.map((d) => p('dash', discrepancySentence(d))),
  ];
}
