/**
 * The repair routes: one POST per repair action, each its own permission, all through ops/repairs.ts runRepair
 * with the signed-in user as the actor. The result is recorded in the audit log by runRepair; the browser is sent
 * back to the page the form was on, which shows the result (console/repair-forms.ts). The "record" repair has
 * its own page: the phase's form, filled on the unit's behalf (a report received on paper, by phone…).
 */
import { html } from 'hono/html';
import { getCycle, getUnit } from '../../db/cycles.js';
import { phaseTitle } from '../../config/phase-lookup.js';
import { isPhaseId, phaseSpec, type FieldSpec } from '../../domain/phases/index.js';
import { runRepair } from '../../ops/repairs.js';
import { REPAIR_ACTIONS, type RepairRequest } from '../../ops/types.js';
import { opsDeps, param, type ConsoleDeps, type Ctx } from '../context.js';
import { REPAIR_LABEL } from '../format.js';
import { BASE, csrfField, layout, messageBox, seg, type Html } from '../html.js';
import { repairPermission } from '../permissions.js';
import { refusal, type ConsoleRouter } from '../router.js';
import { randomUUID } from 'node:crypto';
import { formBody } from '../../api/body.js';

/** A console page to return to; anything else goes to the start page. */
export function safeBack(raw: unknown): string {
  if (typeof raw !== 'string' || !/^\/console(\/|\?|$)/.test(raw) || raw.includes('\\') || raw.length > 1000) return `${BASE}/`;
  return raw;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.normalize('NFC').trim() : undefined);

/** The phase form's fields, sent as "p:<path>", back to the flat record the phase's fromForm reads. */
function payloadFields(body: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) if (k.startsWith('p:') && typeof v === 'string') out[k.slice(2)] = v;
  return out;
}

function resultPage(c: Ctx, title: string, message: string, back: string, status: 400 | 422) {
  return c.html(
    layout(c, title, html`<h1>${title}</h1>${messageBox('bad', message, 'repair-result')}<p><a href="${back}">Quay lại</a></p>`),
    status,
  );
}

export function registerRepairs(router: ConsoleRouter, deps: ConsoleDeps): void {
  for (const action of REPAIR_ACTIONS) {
    const permission = repairPermission(action);
    if (!permission) throw new Error(`repair "${action}" has no permission in console/permissions.ts`);
    router.post(`/sua-chua/${action}`, permission, async (c) => {
      const body = await formBody(c);
      const back = safeBack(body.back);
      const label = REPAIR_LABEL[action] ?? action;
      const reason = str(body.reason);
      if (!reason || reason.length < 3)
        return resultPage(
          c,
          `${label}: chưa thực hiện`,
          'Cần ghi rõ lý do (ít nhất 3 ký tự): mọi thao tác sửa chữa được ghi vào nhật ký.',
          back,
          400,
        );
      const session = c.get('session')!;
      const phase = str(body.phase);
      let payload: unknown;
      if (action === 'record') {
        if (!phase || !isPhaseId(phase))
          return resultPage(c, `${label}: chưa thực hiện`, 'Giai đoạn không có biểu mẫu để ghi nhận.', back, 400);
        payload = phaseSpec(phase).fromForm(payloadFields(body));
      }
      const request: RepairRequest = {
        action,
        reason,
        actor: { id: session.username, role: session.role },
        requestId: str(body.requestId) ?? `console-${randomUUID()}`,
        ...(str(body.cycleId) ? { cycleId: str(body.cycleId)! } : {}),
        ...(str(body.unitCode) ? { unitCode: str(body.unitCode)! } : {}),
        ...(phase ? { phase } : {}),
        ...(str(body.workflowId) ? { workflowId: str(body.workflowId)! } : {}),
        ...(str(body.until) ? { until: str(body.until)! } : {}),
        ...(str(body.note) ? { note: str(body.note)! } : {}),
        ...(payload !== undefined ? { payload } : {}),
      };
      const result = await runRepair(opsDeps(deps), request);
      if (result.auditId > 0) {
        const url = new URL(back, 'http://console.invalid');
        url.searchParams.set('ket-qua', String(result.auditId));
        return c.redirect(url.pathname + url.search, 303);
      }
      // Refused before anything was recorded (no reason, no actor): said here, since there is no audit row.
      return resultPage(c, `${label}: chưa thực hiện`, result.message, back, 422);
    });
  }

  router.get('/chu-ky/:cycle/don-vi/:unit/ghi-nhan/:phase', 'repair.record', async (c) => {
    const cycle = await getCycle(deps.db, param(c, 'cycle'));
    const unit = cycle ? await getUnit(deps.db, cycle.id, param(c, 'unit')) : undefined;
    const phase = param(c, 'phase');
    if (!cycle || !unit) return refusal(c, 404, 'Không tìm thấy', 'Không có chu kỳ hoặc đơn vị này.');
    if (!isPhaseId(phase)) return refusal(c, 404, 'Không tìm thấy', 'Giai đoạn này không có biểu mẫu.');
    const spec = phaseSpec(phase);
    const back = safeBack(c.req.query('quay-lai') ?? `${BASE}/chu-ky/${seg(cycle.id)}/don-vi/${seg(unit.code)}`);
    const title = `Ghi nhận bản nộp thay đơn vị`;
    return c.html(
      layout(
        c,
        title,
        html`<p class="muted"><a href="${back}">← Quay lại</a></p><h1>${title}</h1>
<div class="card"><b>${unit.name}</b> (${unit.code}) · ${phaseTitle(cycle.definition, phase)}</div>
<p class="muted">Dùng khi đơn vị gửi báo cáo bằng giấy, qua điện thoại hoặc thư điện tử. Bản nộp được ghi là do bạn nhập, kèm lý do, vào nhật ký. Tệp đính kèm không nhập được ở đây: đơn vị gửi qua đường dẫn của mình.</p>
<form method="post" action="${BASE}/sua-chua/record" class="card repair" id="record-form">${csrfField(c)}
<input type="hidden" name="requestId" value="console-${randomUUID()}"><input type="hidden" name="back" value="${back}">
<input type="hidden" name="cycleId" value="${cycle.id}"><input type="hidden" name="unitCode" value="${unit.code}"><input type="hidden" name="phase" value="${phase}">
${spec.form.map((f) => field(f, ''))}
<label>Ghi chú của người nhập (ví dụ: nhận bản giấy ngày 12/3)<input type="text" name="note" maxlength="500"></label>
<label>Lý do (bắt buộc)<textarea name="reason" required minlength="3" maxlength="1000"></textarea></label>
<button type="submit">Ghi nhận</button></form>`,
      ),
    );
  });
}

/** One field of the phase's form, named "p:<path>" (files are left out: see the page's note). */
function field(f: FieldSpec, prefix: string): Html {
  const path = prefix ? `${prefix}.${f.name}` : f.name;
  const name = `p:${path}`;
  switch (f.kind) {
    case 'group':
      return html`<fieldset class="card"><legend>${f.label}</legend>${f.fields.map((x) => field(x, path))}</fieldset>`;
    case 'file':
      return html``;
    case 'number':
      return html`<label>${f.label}${f.required ? ' *' : ''}<input type="text" inputmode="numeric" name="${name}"${f.required ? html` required` : ''}></label>`;
    case 'date':
      return html`<label>${f.label}${f.required ? ' *' : ''}<input type="date" name="${name}"${f.required ? html` required` : ''}></label>`;
    case 'text':
      return html`<label>${f.label}${f.required ? ' *' : ''}<input type="text" name="${name}" maxlength="${f.maxLength}"${f.required ? html` required` : ''}></label>`;
    case 'textarea':
      return html`<label>${f.label}${f.required ? ' *' : ''}<textarea name="${name}" maxlength="${f.maxLength}"${f.required ? html` required` : ''}></textarea></label>`;
  }
}
