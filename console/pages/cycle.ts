/**
 * A cycle's page: its phases' standing, and the unit table (a row per unit, a coloured cell per phase) with
 * filters as GET parameters — phase, status, escalation level, name search — and live updates as units submit.
 */
import { html } from 'hono/html';
import { getCycle, type CycleRow } from '../../db/cycles.js';
import { cycleWorkflowId } from '../../domain/ids.js';
import { unitPhases } from '../../config/phase-lookup.js';
import { phaseSummaries } from '../../ops/overview.js';
import { childProgress } from '../../ops/child-progress.js';
import { childrenSection, parentLine } from './cycle-children.js';
import type { PhaseSummary } from '../../ops/types.js';
import { param, temporalLink, type ConsoleDeps, type Ctx } from '../context.js';
import { CYCLE_STATUS_LABEL, FILTER_STATUSES, phaseShort, searchKey, statusView, viDate, viNumber, viPercent } from '../format.js';
import { BASE, chip, consoleUrl, layout, seg, temporalAnchor, type Html } from '../html.js';
import { LIVE_SCRIPT } from '../live-client.js';
import { lastEventId, unitTable, type UnitTableRow } from '../queries.js';
import { refusal, type ConsoleRouter } from '../router.js';
import { repairResultBanner } from '../repair-forms.js';
import { markCell, submissionMarks, type SubmissionMark, type SubmissionMarks } from '../submission-marks.js';

export interface UnitFilters {
  phase?: string;
  status?: string;
  level?: number;
  q?: string;
}

export function parseFilters(c: Ctx): UnitFilters {
  const phase = c.req.query('phase')?.trim();
  const status = c.req.query('status')?.trim();
  const level = Number(c.req.query('level'));
  const q = c.req.query('q')?.normalize('NFC').trim().slice(0, 100);
  return {
    ...(phase ? { phase } : {}),
    ...(status && (FILTER_STATUSES as readonly string[]).includes(status) ? { status } : {}),
    ...(Number.isInteger(level) && level >= 1 && level <= 3 ? { level } : {}),
    ...(q ? { q } : {}),
  };
}

/**
 * A unit's status in a phase. A configured phase that has not opened for the unit yet counts as "chưa đến hạn";
 * a phase that arises for some units only (a make-up session, an inspection's remedy) is not owed by the others.
 */
const statusIn = (u: UnitTableRow, phase: string, configured: ReadonlySet<string>): string =>
  u.obligations.get(phase)?.status ?? (configured.has(phase) ? 'pending' : 'none');

export function applyFilters(units: UnitTableRow[], phases: string[], f: UnitFilters, configured: ReadonlySet<string>): UnitTableRow[] {
  const shown = f.phase ? [f.phase] : phases;
  const needle = f.q ? searchKey(f.q) : undefined;
  return units.filter((u) => {
    if (needle && !searchKey(`${u.code} ${u.name}`).includes(needle)) return false;
    if (f.status && !shown.some((p) => statusIn(u, p, configured) === f.status)) return false;
    if (f.level && !shown.some((p) => (u.obligations.get(p)?.escalationLevel ?? 0) >= f.level!)) return false;
    return true;
  });
}

const SEGMENTS: Array<[keyof PhaseSummary['counts'], string]> = [
  ['onTime', 'submitted'],
  ['late', 'late'],
  ['overdue', 'overdue'],
  ['notSubmitted', 'not_submitted'],
  ['exempted', 'exempted'],
  ['pending', 'pending'],
  ['removed', 'removed'],
];
const BAR_FILL: Record<string, string> = {
  submitted: '#4caf50',
  late: '#e0b400',
  overdue: '#f07a3c',
  not_submitted: '#8d1010',
  exempted: '#6d9bd1',
  pending: '#cfcfcf',
  removed: '#999999',
};

/** The phase's standing as a stacked bar: SVG geometry, not inline styles, so the page's CSP needs no exception. */
function standingBar(s: PhaseSummary): Html {
  let x = 0;
  const rects = SEGMENTS.filter(([k]) => s.counts[k] > 0).map(([k, status]) => {
    const w = s.total ? (s.counts[k] / s.total) * 100 : 0;
    const r = html`<rect x="${x.toFixed(3)}" y="0" width="${w.toFixed(3)}" height="4" fill="${BAR_FILL[status]}"></rect>`;
    x += w;
    return r;
  });
  return html`<svg class="bar-svg" viewBox="0 0 100 4" preserveAspectRatio="none" width="100%" height="12" aria-hidden="true">${rects}</svg>`;
}

function summaryCards(cycleId: string, summaries: PhaseSummary[]): Html {
  return html`<div class="summary" id="phase-summary">${summaries.map(
    (s) => html`<div class="card" data-phase="${s.phase}"><b>${phaseShort(s.phase)}</b> <span class="muted">· ${s.total} đơn vị</span>
<div class="muted">${s.title}</div>${standingBar(s)}
<div>${SEGMENTS.filter(([k]) => s.counts[k] > 0).map(
      ([k, status]) =>
        html`<a href="${consoleUrl(`/chu-ky/${seg(cycleId)}`, { phase: s.phase, status: status === 'removed' ? undefined : status })}" class="chip ${statusView(status).css}">${statusView(status).label}: ${s.counts[k]} (${viPercent(s.percent[k])})</a> `,
    )}</div></div>`,
  )}</div>`;
}

function filterForm(cycleId: string, phases: string[], f: UnitFilters): Html {
  const opt = (value: string, label: string, selected: boolean) =>
    html`<option value="${value}"${selected ? html` selected` : ''}>${label}</option>`;
  return html`<form class="filters card" method="get" action="${BASE}/chu-ky/${seg(cycleId)}" id="filters">
<label>Giai đoạn<select name="phase">${opt('', 'Tất cả', !f.phase)}${phases.map((p) => opt(p, phaseShort(p), f.phase === p))}</select></label>
<label>Trạng thái<select name="status">${opt('', 'Tất cả', !f.status)}${FILTER_STATUSES.map((s) => opt(s, statusView(s).label, f.status === s))}</select></label>
<label>Mức đôn đốc<select name="level">${opt('', 'Tất cả', !f.level)}${[1, 2, 3].map((l) => opt(String(l), `Từ mức ${l}`, f.level === l))}</select></label>
<label>Tìm đơn vị<input type="search" name="q" value="${f.q ?? ''}" placeholder="Tên hoặc mã"></label>
<button type="submit">Lọc</button> <a href="${BASE}/chu-ky/${seg(cycleId)}">Bỏ lọc</a></form>`;
}

/**
 * One cell: the status chip, the escalation level, the deadline (the live script updates these three), and the
 * submission's mark when it needs the clerk's eye (a member count far from the list, an empty models report).
 */
export function unitCell(u: UnitTableRow, phase: string, configured: ReadonlySet<string>, mark?: SubmissionMark): Html {
  const o = u.obligations.get(phase);
  const status = statusIn(u, phase, configured);
  const level = o?.escalationLevel ?? 0;
  return html`<td class="cell" data-unit="${u.code}" data-phase="${phase}" data-status="${status}">${chip(status)}<span class="lvl">${level > 0 ? `M${level}` : ''}</span><small>${o?.deadline ? `hạn ${viDate(o.deadline)}` : o ? '' : status === 'none' ? '' : 'chưa mở'}</small>${markCell(mark)}</td>`;
}

function unitTableHtml(
  cycle: CycleRow,
  units: UnitTableRow[],
  phases: string[],
  configured: ReadonlySet<string>,
  total: number,
  afterId: number,
  marks: SubmissionMarks,
): Html {
  return html`<p class="muted" id="shown">Hiển thị ${viNumber(units.length)} / ${viNumber(total)} đơn vị</p>
<div class="scroll"><table id="unit-table" data-stream="${BASE}/chu-ky/${seg(cycle.id)}/truc-tiep?sau=${afterId}"><thead><tr><th>Mã</th><th>Đơn vị</th>${phases.map((p) => html`<th>${phaseShort(p)}</th>`)}</tr></thead><tbody>
${units.map(
  (u) =>
    html`<tr data-unit="${u.code}"><td>${u.code}</td><td><a href="${BASE}/chu-ky/${seg(cycle.id)}/don-vi/${seg(u.code)}">${u.name}</a></td>${phases.map((p) => unitCell(u, p, configured, marks.get(u.code)?.get(p)))}</tr>`,
)}
</tbody></table></div>`;
}

export function registerCycle(router: ConsoleRouter, deps: ConsoleDeps): void {
  router.get('/chu-ky/:cycle', 'cycle.view', async (c) => {
    const cycle = await getCycle(deps.db, param(c, 'cycle'));
    if (!cycle) return refusal(c, 404, 'Không tìm thấy', 'Không có chu kỳ này.');
    const filters = parseFilters(c);
    // The event id is read first: an event written while the page is built is streamed again, never missed.
    const afterId = await lastEventId(deps.db, cycle.id);
    const [summaries, table, banner, marks, children] = await Promise.all([
      phaseSummaries(deps.db, cycle.id),
      unitTable(deps.db, cycle.id),
      repairResultBanner(c, deps),
      submissionMarks(deps.db, cycle),
      childProgress(deps.db, cycle.id),
    ]);
    const phases = [...new Set([...summaries.map((s) => s.phase), ...table.phases])];
    const shownPhases = filters.phase ? phases.filter((p) => p === filters.phase) : phases;
    const configured = new Set<string>(unitPhases(cycle.definition).map((p) => p.id));
    const units = applyFilters(table.units, phases, filters, configured);
    const def = cycle.definition;
    const body = html`<p class="muted"><a href="${BASE}/">← Các chu kỳ</a></p>
<h1>${def.committee.name} · năm ${def.year}</h1>
<p class="muted">Chu kỳ <b>${cycle.id}</b> · ${CYCLE_STATUS_LABEL[cycle.status] ?? cycle.status} · ${viNumber(table.units.length)} đơn vị · Kế hoạch ${def.plan.number}
 · ${temporalAnchor(temporalLink(deps, cycleWorkflowId(cycle.id)), 'Workflow của chu kỳ trong Temporal')}</p>
<p><a href="${BASE}/chu-ky/${seg(cycle.id)}/bieu-do">Biểu đồ</a> · <a href="${consoleUrl('/qua-han', { 'chu-ky': cycle.id })}">Quá hạn</a> · <a href="${consoleUrl('/bi-ket', { 'chu-ky': cycle.id })}">Bị kẹt</a> · <a href="${consoleUrl('/nhat-ky', { 'chu-ky': cycle.id })}">Nhật ký sửa chữa</a></p>
${parentLine(cycle)}
${banner}
<h2>Tiến độ theo giai đoạn</h2>
${summaryCards(cycle.id, summaries)}
${childrenSection(children)}
<h2>Các đơn vị</h2>
${filterForm(cycle.id, phases, filters)}
<p id="live-state" class="muted" aria-live="polite">Cập nhật trực tiếp: đang kết nối…</p>
<div id="live-banner" class="box info" role="status" hidden></div>
${unitTableHtml(cycle, units, shownPhases, configured, table.units.length, afterId, marks)}`;
    return c.html(layout(c, `${cycle.id}`, body, { current: `${BASE}/`, scripts: [LIVE_SCRIPT] }));
  });
}
