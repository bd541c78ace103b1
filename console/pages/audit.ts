/** The audit log of repairs (ops/audit.ts), newest first, 50 a page, by cycle and unit. */
import { auditScope } from '../scope.js';
import { html } from 'hono/html';
import { listAudit } from '../../ops/audit.js';
import { labelIssuePaths } from '../../domain/submissions.js';
import { auditMessageVi } from '../../domain/words.js';
import type { ConsoleDeps } from '../context.js';
import { REPAIR_LABEL, phaseShort, viDateTime } from '../format.js';
import { BASE, consoleUrl, layout, seg } from '../html.js';
import { ROLE_LABEL_VI, isRole } from '../permissions.js';
import type { ConsoleRouter } from '../router.js';

const PAGE = 50;
const OUTCOME: Record<string, { label: string; css: string }> = {
  ok: { label: 'Đã thực hiện', css: 'st-ontime' },
  refused: { label: 'Không thực hiện', css: 'st-late' },
  failed: { label: 'Thất bại', css: 'st-missing' },
};

export function registerAudit(router: ConsoleRouter, deps: ConsoleDeps): void {
  router.get('/nhat-ky', 'audit.view', async (c) => {
    const cycleId = c.req.query('chu-ky')?.trim() || undefined;
    const unitCode = c.req.query('don-vi')?.trim() || undefined;
    const before = Number(c.req.query('truoc'));
    const beforeId = Number.isSafeInteger(before) && before > 0 ? before : undefined;
    const entries = await listAudit(deps.db, {
      ...(cycleId ? { cycleId } : {}),
      ...(unitCode ? { unitCode } : {}),
      ...(beforeId ? { beforeId } : {}),
      ...auditScope(c.get('scope')),
      limit: PAGE + 1,
    });
    const page = entries.slice(0, PAGE);
    const more = entries.length > PAGE;
    const filters = { 'chu-ky': cycleId, 'don-vi': unitCode };
    const body = html`<h1>Nhật ký sửa chữa</h1>
<form class="filters card" method="get" action="${BASE}/nhat-ky">
<label>Chu kỳ<input name="chu-ky" value="${cycleId ?? ''}"></label><label>Đơn vị<input name="don-vi" value="${unitCode ?? ''}"></label>
<button type="submit">Lọc</button> <a href="${BASE}/nhat-ky">Bỏ lọc</a></form>
<div class="scroll"><table id="audit" class="cards"><thead><tr><th>Thời điểm</th><th>Người làm</th><th>Thao tác</th><th>Đối tượng</th><th>Lý do</th><th>Kết quả</th></tr></thead><tbody>
${page.map((e) => {
  const o = OUTCOME[e.outcome] ?? { label: e.outcome, css: 'st-pending' };
  return html`<tr data-audit="${e.id}"><td data-label="Thời điểm">${viDateTime(e.at)} <span class="muted">#${e.id}</span></td><td data-label="Người làm">${e.actor} <span class="muted">(${isRole(e.role) ? ROLE_LABEL_VI[e.role] : e.role})</span></td>
<td data-label="Thao tác">${REPAIR_LABEL[e.action] ?? e.action}</td>
<td data-label="Đối tượng">${e.cycleId ? html`<a href="${BASE}/chu-ky/${seg(e.cycleId)}">${e.cycleId}</a>` : ''}${e.unitCode && e.cycleId ? html` · <a href="${BASE}/chu-ky/${seg(e.cycleId)}/don-vi/${seg(e.unitCode)}">${e.unitCode}</a>` : ''}${e.phase ? html` · ${phaseShort(e.phase)}` : ''}${e.workflowId && !e.unitCode ? html`<br><span class="muted">${e.workflowId}</span>` : ''}</td>
<td data-label="Lý do">${e.reason}</td><td data-label="Kết quả"><span><span class="chip ${o.css}">${o.label}</span> ${e.message ? labelIssuePaths(auditMessageVi(e.message), e.phase ?? undefined) : ''}</span></td></tr>`;
})}
</tbody></table></div>
${page.length === 0 ? html`<p class="muted">Chưa có thao tác nào.</p>` : ''}
<div class="pager">${beforeId ? html`<a href="${consoleUrl('/nhat-ky', filters)}">« Mới nhất</a>` : ''}${more ? html`<a id="older" href="${consoleUrl('/nhat-ky', { ...filters, truoc: page.at(-1)!.id })}">Cũ hơn »</a>` : ''}</div>`;
    return c.html(layout(c, 'Nhật ký', body, { current: `${BASE}/nhat-ky` }));
  });
}
