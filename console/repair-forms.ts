/**
 * The repair forms the pages show (a unit's obligation, an overdue row, a stall), and the banner that shows a
 * repair's result from the audit log after the redirect. Every form asks for the reason (required) and carries
 * a fresh requestId, so a double click or a resent form repairs once.
 */
import { auditScope } from './scope.js';
import { auditMessageVi } from '../domain/words.js';
import { randomUUID } from 'node:crypto';
import { html } from 'hono/html';
import { listAudit } from '../ops/audit.js';
import { addDays } from '../domain/calendar.js';
import type { ConsoleDeps, Ctx } from './context.js';
import { REPAIR_LABEL, viDateTime } from './format.js';
import { BASE, consoleUrl, csrfField, seg, type Html } from './html.js';
import { allowed, repairPermission } from './permissions.js';

export interface RepairTarget {
  cycleId?: string | undefined;
  unitCode?: string | undefined;
  phase?: string | undefined;
  workflowId?: string | undefined;
}

/** May the signed-in user make this repair? (The guard checks again when the form is sent.) */
export function mayRepair(c: Ctx, action: string): boolean {
  // A committee under the user's is read, not changed: its pages show no repair to make (the guard refuses one).
  if (c.get('readOnlyCycle')) return false;
  const permission = repairPermission(action);
  return !!permission && allowed(c.get('session')?.role, permission);
}

const hidden = (name: string, value: string | undefined): Html =>
  value ? html`<input type="hidden" name="${name}" value="${value}">` : html``;

/** The current page (path and query, without a previous result), where the repair's result is shown. */
export function backTo(c: Ctx): string {
  const url = new URL(c.req.url);
  url.searchParams.delete('ket-qua');
  return url.pathname + url.search;
}

export function repairForm(c: Ctx, action: string, target: RepairTarget, opts: { deadline?: string | undefined } = {}): Html {
  if (!mayRepair(c, action)) return html``;
  const label = REPAIR_LABEL[action] ?? action;
  if (action === 'record') {
    if (!target.cycleId || !target.unitCode || !target.phase) return html``;
    const href = `${BASE}/chu-ky/${seg(target.cycleId)}/don-vi/${seg(target.unitCode)}/ghi-nhan/${seg(target.phase)}?quay-lai=${encodeURIComponent(backTo(c))}`;
    return html`<a class="button secondary" href="${href}" data-action="record" data-phase="${target.phase}">${label}…</a> `;
  }
  const min = opts.deadline && /^\d{4}-\d{2}-\d{2}$/.test(opts.deadline) ? addDays(opts.deadline, 1) : undefined;
  return html`<details class="repair" data-action="${action}" data-unit="${target.unitCode ?? ''}" data-phase="${target.phase ?? ''}"><summary>${label}</summary>
<form method="post" action="${BASE}/sua-chua/${action}">${csrfField(c)}
<input type="hidden" name="requestId" value="console-${randomUUID()}"><input type="hidden" name="back" value="${backTo(c)}">
${hidden('cycleId', target.cycleId)}${hidden('unitCode', target.unitCode)}${hidden('phase', target.phase)}${hidden('workflowId', target.workflowId)}
${action === 'extend' ? html`<label>Hạn mới<input type="date" name="until" required${min ? html` min="${min}"` : ''}></label>` : ''}
<label>Lý do (bắt buộc)<textarea name="reason" required minlength="3" maxlength="1000" placeholder="Vì sao cần ${label.toLowerCase()}…"></textarea></label>
<button type="submit">${label}</button></form></details>`;
}

/** The repairs side by side (each opens to its form, full width, when tapped); nothing when none is allowed. */
export function repairForms(c: Ctx, actions: readonly string[], target: RepairTarget, opts: { deadline?: string | undefined } = {}): Html {
  // In a list of the subtree's rows (overdue, stalled), a committee under the user's shows no repair to make.
  const own = c.get('ownCycles');
  if (own && !(target.cycleId && own.has(target.cycleId))) return html``;
  const mine = actions.filter((a) => mayRepair(c, a));
  return mine.length ? html`<div class="repairs">${mine.map((a) => repairForm(c, a, target, opts))}</div>` : html``;
}

/** After a repair, the page it came from shows its result, read back from the audit log by id. */
export async function repairResultBanner(c: Ctx, deps: ConsoleDeps): Promise<Html> {
  const id = Number(c.req.query('ket-qua'));
  if (!Number.isSafeInteger(id) || id <= 0) return html``;
  const [entry] = await listAudit(deps.db, { beforeId: id + 1, limit: 1, ...auditScope(c.get('scope')) });
  if (!entry || entry.id !== id) return html``;
  const ok = entry.outcome === 'ok';
  return html`<div class="box ${ok ? 'ok' : 'bad'}" id="repair-result" role="${ok ? 'status' : 'alert'}">
<b>${REPAIR_LABEL[entry.action] ?? entry.action}: ${ok ? 'đã thực hiện' : entry.outcome === 'refused' ? 'không thực hiện' : 'thất bại'}.</b> ${entry.message ? auditMessageVi(entry.message) : ''}
<div class="muted">${entry.actor} · ${viDateTime(entry.at)} · Lý do: ${entry.reason} · <a href="${consoleUrl('/nhat-ky', { 'chu-ky': entry.cycleId ?? undefined })}">Nhật ký</a></div></div>`;
}
