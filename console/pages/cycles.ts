/**
 * The start page: every cycle the user may see, as the Party tree (each cycle followed by its child cycles,
 * indented; newest first among siblings), with its units, obligations overdue now, and its workflow.
 */
import { sees } from '../scope.js';
import { html } from 'hono/html';
import { listCycles as dbCycles } from '../../db/cycles.js';
import { listCycles } from '../../ops/overview.js';
import type { ConsoleDeps } from '../context.js';
import { CYCLE_STATUS_LABEL, viDateTime, viNumber } from '../format.js';
import { BASE, layout, seg, temporalAnchor } from '../html.js';
import type { ConsoleRouter } from '../router.js';
import { treeOrder } from '../cycle-tree-order.js';

export function registerCycles(router: ConsoleRouter, deps: ConsoleDeps): void {
  router.get('/', 'cycle.view', async (c) => {
    const [all, rows] = await Promise.all([listCycles(deps.db, deps.temporalUiUrl, deps.namespace), dbCycles(deps.db)]);
    const scope = c.get('scope');
    const parents = new Map(rows.map((r) => [r.id, r.parent?.cycleId]));
    const cycles = treeOrder(
      all.filter((cy) => sees(scope, cy.committeeCode)).map((cy) => ({ ...cy, id: cy.cycleId, parentId: parents.get(cy.cycleId) })),
    );
    const names = new Map(rows.map((r) => [r.id, r.definition.committee.name]));
    const body = html`<h1>Các chu kỳ</h1>
${cycles.length === 0 ? html`<p class="muted">Chưa có chu kỳ nào. Khởi tạo bằng <code>chuky cycle start --config …</code>.</p>` : ''}
<div class="scroll"><table id="cycles" class="cards"><thead><tr><th>Chu kỳ</th><th>Cấp ủy</th><th class="num">Năm</th><th>Trạng thái</th><th class="num">Đơn vị</th><th class="num">Quá hạn</th><th>Khởi tạo</th><th>Temporal</th></tr></thead><tbody>
${cycles.map(
  (
    cy,
  ) => html`<tr data-cycle="${cy.cycleId}"><td data-label="Chu kỳ" class="depth-${Math.min(cy.depth, 5)}">${cy.depth > 0 ? html`<span class="muted" aria-label="chu kỳ con của ${cy.parentId ?? ''}">└ </span>` : ''}<a href="${BASE}/chu-ky/${seg(cy.cycleId)}">${cy.cycleId}</a></td><td data-label="Cấp ủy">${names.get(cy.cycleId) ?? cy.committeeCode}</td>
<td class="num" data-label="Năm">${cy.year}</td><td data-label="Trạng thái">${CYCLE_STATUS_LABEL[cy.status] ?? cy.status}${cy.frozenAt ? html` <span class="muted">(đã chốt)</span>` : ''}${cy.imported ? html` <span class="muted imported">(năm cũ nhập từ sổ ngày ${viDateTime(cy.imported.at)}${cy.imported.by ? html`, người nhập: ${cy.imported.by}` : ''})</span>` : ''}</td>
<td class="num" data-label="Đơn vị">${viNumber(cy.units)}</td><td class="num" data-label="Quá hạn">${cy.overdue > 0 ? html`<a href="${BASE}/qua-han?chu-ky=${encodeURIComponent(cy.cycleId)}">${viNumber(cy.overdue)}</a>` : '0'}</td>
<td data-label="Khởi tạo">${viDateTime(cy.createdAt)}</td><td data-label="Temporal">${temporalAnchor(cy.temporalUrl, 'Workflow')}</td></tr>`,
)}
</tbody></table></div>`;
    return c.html(layout(c, 'Các chu kỳ', body, { current: `${BASE}/` }));
  });
}
