/**
 * What the clerk must see beside a status that reads "submitted": a study or pledge report whose member count
 * differs from the units list by more than the cycle's margin (with the unit's reason, or without one when it was
 * accepted before reasons were asked), and a models report that lists nothing ("nộp, không có mô hình"). Read
 * from each unit's latest submission of those phases; shown in the unit table's cells and on the unit's page.
 */
import { html } from 'hono/html';
import { latestSubmissionsWithRegistryMembers } from '../db/console-marks.js';
import type { Db } from '../db/pool.js';
import type { CycleRow } from '../db/cycles.js';
import {
  DEFAULT_MEMBERS_MARGIN_PERCENT,
  MEMBER_COUNT_PHASES,
  formatInt,
  formatTarget,
  membersBeyondMargin,
  reportedMembers,
} from '../domain/phases/common.js';
import { EMPTY_MODELS_LABEL, isEmptyModelsReport } from '../domain/phases/models.js';
import type { Html } from './html.js';

export type SubmissionMark =
  { kind: 'members'; registry: number; reported: number; marginPercent: number; reason?: string } | { kind: 'empty-models' };

/** Marks by unit code, then phase. */
export type SubmissionMarks = Map<string, Map<string, SubmissionMark>>;

/** The mark of one latest submission, if it needs one. */
export function markOf(phase: string, payload: unknown, registry: number, marginPercent: number): SubmissionMark | undefined {
  if (phase === 'models') return isEmptyModelsReport(payload) ? { kind: 'empty-models' } : undefined;
  const stated = reportedMembers(phase, payload);
  if (!stated) return undefined;
  const { members, reason } = stated;
  if (!reason && !membersBeyondMargin(members, registry, marginPercent)) return undefined;
  return { kind: 'members', registry, reported: members, marginPercent, ...(reason ? { reason } : {}) };
}

/** The marks of a cycle's units (or of one unit), from each unit's latest study, pledge and models submission. */
export async function submissionMarks(db: Db, cycle: CycleRow, unitCode?: string): Promise<SubmissionMarks> {
  const margin = cycle.definition.targets?.membersMarginPercent ?? DEFAULT_MEMBERS_MARGIN_PERCENT;
  const rows = await latestSubmissionsWithRegistryMembers(db, cycle.id, [...MEMBER_COUNT_PHASES, 'models'], unitCode);
  const marks: SubmissionMarks = new Map();
  for (const r of rows) {
    const mark = markOf(r.phase, r.payload, r.members, margin);
    if (!mark) continue;
    let byPhase = marks.get(r.unitCode);
    if (!byPhase) marks.set(r.unitCode, (byPhase = new Map()));
    byPhase.set(r.phase, mark);
  }
  return marks;
}

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** The mark in a unit table cell: short, the reason clipped (the unit page has it whole). */
export function markCell(mark: SubmissionMark | undefined): Html | '' {
  if (!mark) return '';
  if (mark.kind === 'empty-models') return html`<small class="mark mark-empty-models info">${EMPTY_MODELS_LABEL}</small>`;
  return html`<small class="mark mark-members bad" title="${membersText(mark)}">Số đảng viên: báo cáo ${formatInt(mark.reported)}, danh sách ${formatInt(mark.registry)}${
    mark.reason ? ` — lý do: ${clip(mark.reason, 60)}` : ' — chưa có lý do'
  }</small>`;
}

/** The whole sentence, for the unit page and the cell's tooltip. */
export function membersText(mark: Extract<SubmissionMark, { kind: 'members' }>): string {
  return (
    `Đơn vị báo cáo ${formatInt(mark.reported)} đảng viên, danh sách đơn vị có ${formatInt(mark.registry)} đảng viên ` +
    `(chênh lệch quá ${formatTarget(mark.marginPercent)} thì cần lý do). ` +
    (mark.reason
      ? `Lý do đơn vị ghi: ${mark.reason}. Cần kiểm tra trước khi tổng hợp.`
      : 'Đơn vị chưa ghi lý do. Cần kiểm tra trước khi tổng hợp.')
  );
}

/** The mark on the unit page, inside the obligation's card. */
export function markBox(mark: SubmissionMark | undefined): Html | '' {
  if (!mark) return '';
  if (mark.kind === 'empty-models')
    return html`<div class="box info mark mark-empty-models">Đã nộp, không có mô hình: báo cáo không đăng ký mô hình, điển hình nào và không có đề nghị khen thưởng.</div>`;
  return html`<div class="box bad mark mark-members">${membersText(mark)}</div>`;
}
