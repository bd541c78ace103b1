/**
 * What is stuck (ops/stalled.ts findStalls): each stall with its cause, since when, its workflow in Temporal,
 * and the repairs it lists, as forms that ask for the reason. A scan that could only partly be done (Temporal or
 * PostgreSQL away) shows what it found and says what it could not look at.
 */
import { visibleCycles } from '../scope.js';
import { html } from 'hono/html';
import { findStalls, StallScanError } from '../../ops/stalled.js';
import { STALL_KINDS, type Stall, type StallKind } from '../../ops/types.js';
import { opsDeps, type ConsoleDeps, type Ctx } from '../context.js';
import { activityVi } from '../../domain/words.js';
import { LEVEL_LABEL, STALL_LABEL, phaseShort, viDateTime, viNumber } from '../format.js';
import { BASE, layout, messageBox, seg, temporalAnchor, type Html } from '../html.js';
import { repairForms, repairResultBanner } from '../repair-forms.js';
import type { ConsoleRouter } from '../router.js';

function stallCard(c: Ctx, s: Stall): Html {
  return html`<section class="card stall" data-kind="${s.kind}"${s.unitCode ? html` data-unit="${s.unitCode}"` : ''}${s.phase ? html` data-phase="${s.phase}"` : ''}>
<b>${STALL_LABEL[s.kind] ?? s.kind}</b>${s.level !== undefined ? html` · <span class="muted">${LEVEL_LABEL[s.level] ?? `mức ${s.level}`}</span>` : ''}
<div>${s.cycleId ? html`<a href="${BASE}/chu-ky/${seg(s.cycleId)}">${s.cycleId}</a>` : ''}${s.unitCode && s.cycleId ? html` · <a href="${BASE}/chu-ky/${seg(s.cycleId)}/don-vi/${seg(s.unitCode)}">${s.unitName ?? s.unitCode}</a>` : ''}${s.phase ? html` · ${phaseShort(s.phase)}` : ''}</div>
<div class="cause">Nguyên nhân: ${s.causeVi ?? s.cause}</div>
<div class="muted">${s.since ? html`Từ ${viDateTime(s.since)}` : ''}${s.attempt !== undefined ? html` · lần thử ${s.attempt}` : ''}${s.activityType ? html` · ${activityVi(s.activityType)}` : ''}${s.workflowId ? html` · ${s.workflowId}` : ''} ${temporalAnchor(s.temporalUrl)}</div>
${repairForms(c, s.repairs, { cycleId: s.cycleId, unitCode: s.unitCode, phase: s.phase, workflowId: s.workflowId })}
</section>`;
}

export function registerStalled(router: ConsoleRouter, deps: ConsoleDeps): void {
  router.get('/bi-ket', 'stalls.view', async (c) => {
    const cycleId = c.req.query('chu-ky')?.trim() || undefined;
    const kind = c.req.query('loai');
    const kinds = (STALL_KINDS as readonly string[]).includes(kind ?? '') ? [kind as StallKind] : undefined;
    let stalls: Stall[];
    let partial: string | undefined;
    try {
      stalls = await findStalls(opsDeps(deps), { ...(cycleId ? { cycleId } : {}), ...(kinds ? { kinds } : {}) });
    } catch (err) {
      if (!(err instanceof StallScanError)) throw err;
      stalls = err.stalls;
      partial = err.messageVi;
    }
    // A scoped user sees the stalls of its committees' cycles only.
    const visible = await visibleCycles(deps.db, c.get('scope'));
    if (visible) stalls = stalls.filter((s) => s.cycleId !== undefined && visible.has(s.cycleId));
    const banner = await repairResultBanner(c, deps);
    const counts = new Map<string, number>();
    for (const s of stalls) counts.set(s.kind, (counts.get(s.kind) ?? 0) + 1);
    const body = html`<h1>Bị kẹt</h1>
<form class="filters card" method="get" action="${BASE}/bi-ket">
<label>Chu kỳ<input name="chu-ky" value="${cycleId ?? ''}" placeholder="Tất cả"></label>
<label>Loại<select name="loai"><option value="">Tất cả</option>${STALL_KINDS.map((k) => html`<option value="${k}"${kinds?.[0] === k ? html` selected` : ''}>${STALL_LABEL[k]}${counts.get(k) ? ` (${counts.get(k)})` : ''}</option>`)}</select></label>
<button type="submit">Lọc</button> <a href="${BASE}/bi-ket">Bỏ lọc</a></form>
${banner}
${partial ? messageBox('bad', `Chỉ quét được một phần: ${partial}`) : ''}
<p class="muted">${viNumber(stalls.length)} việc cần xử lý.</p>
<div id="stalls">${stalls.map((s) => stallCard(c, s))}</div>
${stalls.length === 0 && !partial ? html`<p class="muted">Không có gì bị kẹt.</p>` : ''}`;
    return c.html(layout(c, 'Bị kẹt', body, { current: `${BASE}/bi-ket` }));
  });
}
