/**
 * On a cycle's page, the tree (issue 17): the cycle it is a child of, and the committees under it that run their
 * own cycles — each one's units' progress per phase beside its own obligation toward this cycle.
 */
import { html } from 'hono/html';
import type { CycleRow } from '../../db/cycles.js';
import type { ChildProgress } from '../../ops/child-progress.js';
import { CYCLE_STATUS_LABEL, phaseShort, viDate, viNumber, viPercent } from '../format.js';
import { BASE, chip, seg, type Html } from '../html.js';

/** "Chu kỳ con của …": a link up the tree, or nothing for a cycle at the top of what chuky runs. */
export function parentLine(cycle: CycleRow): Html {
  if (!cycle.parent) return html``;
  return html`<p class="muted">Chu kỳ con của <a href="${BASE}/chu-ky/${seg(cycle.parent.cycleId)}">${cycle.parent.cycleId}</a>
 (cấp ủy này là đơn vị <b>${cycle.parent.unitCode}</b> của chu kỳ cấp trên) · <a href="${BASE}/chu-ky/${seg(cycle.id)}/bao-cao-len" id="upward-link">Báo cáo năm lên cấp trên</a></p>`;
}

export function childrenSection(children: ChildProgress[]): Html {
  if (!children.length) return html``;
  const rows = children.flatMap((c) =>
    c.phases.map(
      (p, i) => html`<tr>
  ${i === 0 ? html`<td rowspan="${c.phases.length}"><a href="${BASE}/chu-ky/${seg(c.cycleId)}">${c.unitName ?? c.unitCode}</a><br><span class="muted">${c.cycleId} · ${CYCLE_STATUS_LABEL[c.status] ?? c.status}</span></td>` : ''}
  <td>${phaseShort(p.phase)}</td>
  <td>${viNumber(p.done)}/${viNumber(p.total)} (${viPercent(p.percentDone)})</td>
  <td>${p.towardParent ? html`${chip(p.towardParent.status)} hạn ${viDate(p.towardParent.deadline)}` : html`<span class="muted">chưa mở</span>`}</td>
</tr>`,
    ),
  );
  return html`<h2>Các cấp ủy trực thuộc chạy chu kỳ riêng</h2>
<table class="units">
<thead><tr><th>Cấp ủy (chu kỳ con)</th><th>Giai đoạn</th><th>Đơn vị của cấp ủy đã xong</th><th>Nghĩa vụ của cấp ủy với chu kỳ này</th></tr></thead>
<tbody>${rows}</tbody>
</table>`;
}
