/** A cycle's charts page. */
import { html, raw } from 'hono/html';
import { getCycle } from '../../db/cycles.js';
import { param, type ConsoleDeps } from '../context.js';
import { chartSvg, completionChart, escalationsChart, ratesChart } from '../charts.js';
import { BASE, layout, seg } from '../html.js';
import { refusal, type ConsoleRouter } from '../router.js';

export function registerCharts(router: ConsoleRouter, deps: ConsoleDeps): void {
  router.get('/chu-ky/:cycle/bieu-do', 'cycle.view', async (c) => {
    const cycle = await getCycle(deps.db, param(c, 'cycle'));
    if (!cycle) return refusal(c, 404, 'Không tìm thấy', 'Không có chu kỳ này.');
    const [completion, rates, escalations] = await Promise.all([
      completionChart(deps.db, cycle),
      ratesChart(deps.db, cycle),
      escalationsChart(deps.db, cycle),
    ]);
    const figure = (id: string, svg: string, caption: string) =>
      html`<figure class="card chart" id="${id}" aria-label="${caption}">${raw(svg)}<figcaption class="muted">${caption}</figcaption></figure>`;
    const body = html`<p class="muted"><a href="${BASE}/chu-ky/${seg(cycle.id)}">← ${cycle.id}</a></p>
<h1>Biểu đồ · ${cycle.definition.committee.name} · năm ${cycle.definition.year}</h1>
${figure('chart-completion', chartSvg(completion, { height: 380 }), 'Tính theo ngày trên lịch của chu kỳ; mỗi đơn vị tính một lần, từ bản nộp đầu tiên.')}
${figure('chart-rates', chartSvg(rates), 'Số liệu mới nhất của từng đơn vị (buổi quán triệt bổ sung thay cho lần báo cáo đầu, nếu có).')}
${figure('chart-escalations', chartSvg(escalations, { height: 340 }), 'Số đơn vị đã từng đến mỗi mức đôn đốc.')}`;
    return c.html(layout(c, 'Biểu đồ', body, { current: `${BASE}/` }));
  });
}
