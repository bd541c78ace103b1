/** The units overdue or not submitted, most escalated first within each phase, with the repairs at hand. */
import { visibleCycles } from '../scope.js';
import { html } from 'hono/html';
import { listOverdue } from '../../ops/overview.js';
import { PHASE_IDS } from '../../domain/phases/index.js';
import type { ConsoleDeps } from '../context.js';
import { phaseShort, viDate, viNumber } from '../format.js';
import { BASE, chip, consoleUrl, layout, seg, temporalAnchor } from '../html.js';
import { repairForms, repairResultBanner } from '../repair-forms.js';
import type { ConsoleRouter } from '../router.js';

export function registerOverdue(router: ConsoleRouter, deps: ConsoleDeps): void {
  router.get('/qua-han', 'overdue.view', async (c) => {
    const cycleId = c.req.query('chu-ky')?.trim() || undefined;
    const phase = c.req.query('phase')?.trim() || undefined;
    const level = Number(c.req.query('level'));
    const minLevel = Number.isInteger(level) && level >= 1 && level <= 3 ? level : undefined;
    const [all, banner, visible] = await Promise.all([
      listOverdue(deps.db, {
        ...(cycleId ? { cycleId } : {}),
        ...(phase ? { phase } : {}),
        ...(minLevel ? { minLevel } : {}),
        ...(deps.temporalUiUrl ? { temporalUiUrl: deps.temporalUiUrl } : {}),
        namespace: deps.namespace,
      }),
      repairResultBanner(c, deps),
      visibleCycles(deps.db, c.get('scope')),
    ]);
    const rows = visible ? all.filter((r) => visible.has(r.cycleId)) : all;
    const body = html`<h1>Đơn vị quá hạn</h1>
<form class="filters card" method="get" action="${BASE}/qua-han">
<label>Chu kỳ<input name="chu-ky" value="${cycleId ?? ''}" placeholder="Tất cả chu kỳ đang chạy"></label>
<label>Giai đoạn<select name="phase"><option value="">Tất cả</option>${PHASE_IDS.map((p) => html`<option value="${p}"${phase === p ? html` selected` : ''}>${phaseShort(p)}</option>`)}</select></label>
<label>Mức đôn đốc<select name="level"><option value="">Tất cả</option>${[1, 2, 3].map((l) => html`<option value="${l}"${minLevel === l ? html` selected` : ''}>Từ mức ${l}</option>`)}</select></label>
<button type="submit">Lọc</button> <a href="${BASE}/qua-han">Bỏ lọc</a></form>
${banner}
<p class="muted">${viNumber(rows.length)} nghĩa vụ quá hạn hoặc không nộp.</p>
<div class="scroll"><table id="overdue" class="cards"><thead><tr><th>Chu kỳ</th><th>Đơn vị</th><th>Giai đoạn</th><th>Trạng thái</th><th class="num">Mức</th><th>Hạn</th><th class="num">Quá hạn</th><th>Sửa chữa</th></tr></thead><tbody>
${rows.map(
  (
    r,
  ) => html`<tr data-unit="${r.unitCode}" data-phase="${r.phase}"><td data-label="Chu kỳ"><a href="${BASE}/chu-ky/${seg(r.cycleId)}">${r.cycleId}</a></td>
<td data-label="Đơn vị"><span><a href="${BASE}/chu-ky/${seg(r.cycleId)}/don-vi/${seg(r.unitCode)}">${r.unitName}</a> <span class="muted">${r.unitCode}</span><br>${temporalAnchor(r.temporalUrl, 'Workflow')}</span></td>
<td data-label="Giai đoạn">${phaseShort(r.phase)}</td><td data-label="Trạng thái"><span>${chip(r.status)}</span></td><td class="num" data-label="Mức">${r.level}</td><td data-label="Hạn">${viDate(r.deadline)}</td><td class="num" data-label="Quá hạn">${r.daysOverdue} ngày</td>
<td data-label="">${repairForms(c, ['remind', 'extend', 'exempt', 'record'], { cycleId: r.cycleId, unitCode: r.unitCode, phase: r.phase }, { deadline: r.deadline })}</td></tr>`,
)}
</tbody></table></div>
${rows.length === 0 ? html`<p class="muted">Không có đơn vị nào quá hạn${cycleId && (!visible || visible.has(cycleId)) ? html` trong <a href="${consoleUrl(`/chu-ky/${seg(cycleId)}`)}">${cycleId}</a>` : ''}.</p>` : ''}`;
    return c.html(layout(c, 'Quá hạn', body, { current: `${BASE}/qua-han` }));
  });
}
