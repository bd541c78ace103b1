/**
 * The committee's year-end report to its superior, from its own closed cycle (issue 17), in the console: the draft
 * (every figure the sum of the cycle's figures, with what it sums; the narrative from the units' reports) as a
 * form the committee's clerk checks, edits with a reason, confirms and sends — through report/upward-submit.ts,
 * the same path as `chuky report upward submit`, so the same checks and the same record. The route names the
 * committee's own cycle, so a user of another committee gets 404 (console/scope.ts).
 */
import { html } from 'hono/html';
import { getCycle } from '../../db/cycles.js';
import { upwardReportsFrom } from '../../db/upward-reports.js';
import { phaseSpec } from '../../domain/phases/index.js';
import { fieldLabels } from '../../domain/words.js';
import { ReportError } from '../../report/compile.js';
import { readAt, UPWARD_FIELDS } from '../../report/upward.js';
import { prepareUpward, sendUpward, UpwardRefused, type PreparedUpward } from '../../report/upward-submit.js';
import { param, type ConsoleDeps, type Ctx } from '../context.js';
import { viDateTime, viNumber } from '../format.js';
import { BASE, csrfField, layout, messageBox, seg, type Html } from '../html.js';
import { refusal, type ConsoleRouter } from '../router.js';
import { formBody } from '../../api/body.js';

const PATH = '/chu-ky/:cycle/bao-cao-len';
const NARRATIVE = ['results', 'strengths', 'limitations', 'causes', 'proposals'] as const;

interface FormState {
  values: Record<string, string>;
  confirmedBy: string;
  editReason: string;
  issues: Map<string, string>;
  notice?: { kind: 'ok' | 'bad'; text: string };
}

/** The form's fields from the draft: numbers as written, texts as drafted. */
function draftValues(prepared: PreparedUpward): Record<string, string> {
  const values: Record<string, string> = {};
  const at = (path: string) => {
    const v = readAt(prepared.draft.payload, path);
    return typeof v === 'number' || typeof v === 'string' ? String(v) : '';
  };
  for (const f of UPWARD_FIELDS) values[f.path] = at(f.path);
  for (const n of NARRATIVE) values[`narrative.${n}`] = at(`narrative.${n}`);
  values['figures.membersReason'] = '';
  return values;
}

const errorOf = (state: FormState, path: string): Html => {
  const message = state.issues.get(path);
  return message ? html`<div class="err" role="alert">${message}</div>` : html``;
};

async function page(c: Ctx, deps: ConsoleDeps, cycleId: string, state?: FormState, status: 200 | 422 = 200): Promise<Response> {
  const cycle = await getCycle(deps.db, cycleId);
  if (!cycle) return refusal(c, 404, 'Không tìm thấy', 'Không có chu kỳ này.');
  const title = 'Báo cáo năm lên cấp trên';
  const back = html`<p class="muted"><a href="${BASE}/chu-ky/${seg(cycle.id)}">← ${cycle.id}</a></p>`;
  if (!cycle.parent)
    return c.html(
      layout(
        c,
        title,
        html`${back}<h1>${title}</h1>${messageBox('info', 'Chu kỳ này không có cấp trên chạy chu kỳ trong chuky: báo cáo năm gửi cấp trên theo cách thông thường.')}`,
      ),
    );
  let prepared: PreparedUpward;
  try {
    prepared = await prepareUpward(deps.db, cycle.id);
  } catch (err) {
    if (!(err instanceof ReportError)) throw err;
    return c.html(
      layout(
        c,
        title,
        html`${back}<h1>${title}</h1>${messageBox('info', `Chu kỳ ${cycle.id} chưa khóa sổ: bản dự thảo được lập từ số liệu của năm đã khóa sổ. Khi các đơn vị đã báo cáo đủ, quản trị khóa sổ chu kỳ rồi trở lại trang này.`)}`,
      ),
    );
  }
  const s: FormState = state ?? { values: draftValues(prepared), confirmedBy: '', editReason: '', issues: new Map() };
  const labels = fieldLabels('year-end-report');
  const sent = await upwardReportsFrom(deps.db, cycle.id);
  const figureInput = (path: string) => {
    const field = UPWARD_FIELDS.find((f) => f.path === path)!;
    const source = prepared.draft.sources[path]!;
    return html`<label>${labels.get(path) ?? path}<input type="text" inputmode="numeric" name="p:${path}" value="${s.values[path] ?? ''}"></label>
<div class="muted">Dự thảo ${viNumber(source.value)}: ${field.sumOf}</div>${errorOf(s, path)}`;
  };
  const body = html`${back}<h1>${title}</h1>
${s.notice ? messageBox(s.notice.kind, s.notice.text, 'upward-result') : ''}
<div class="card">Gửi chu kỳ <b>${prepared.parent.cycleId}</b> với tư cách đơn vị <b>${prepared.parent.unitCode}</b>. Bản dự thảo lập từ chu kỳ ${cycle.id} đã khóa sổ (${viNumber(prepared.draft.units)} đơn vị trực thuộc): mỗi số liệu là tổng của các đơn vị, cộng phần của cấp ủy nơi ghi rõ. Sửa số nào thì ghi lý do; bản gửi được kiểm tra như biểu mẫu của mọi đơn vị.</div>
${sent.length ? html`<h2>Đã gửi</h2><ul id="upward-sent">${sent.map((r) => html`<li>Lần ${r.version}, ${viDateTime(r.createdAt)}, người xác nhận: ${r.confirmedBy}${r.edits.length ? html`; sửa ${r.edits.length} mục: ${r.editReason ?? ''}` : html`; đúng như dự thảo`}</li>`)}</ul>` : ''}
${
  c.get('readOnlyCycle')
    ? messageBox('info', 'Báo cáo này do cấp ủy đó xác nhận và gửi; cấp trên chỉ xem.')
    : html`<form method="post" action="${BASE}/chu-ky/${seg(cycle.id)}/bao-cao-len" class="card repair" id="upward-form">${csrfField(c)}
<fieldset class="card"><legend>${labels.get('figures') ?? 'Số liệu'}</legend>
${UPWARD_FIELDS.map((f) => figureInput(f.path))}
<label>${labels.get('figures.membersReason') ?? 'Lý do'}<input type="text" name="p:figures.membersReason" value="${s.values['figures.membersReason'] ?? ''}"></label>${errorOf(s, 'figures.membersReason')}
</fieldset>
<fieldset class="card"><legend>${labels.get('narrative') ?? 'Đánh giá'}</legend>
${NARRATIVE.map((n) => html`<label>${(labels.get(`narrative.${n}`) ?? n).replace(/^Đánh giá: /, '')}<textarea name="p:narrative.${n}">${s.values[`narrative.${n}`] ?? ''}</textarea></label>${errorOf(s, `narrative.${n}`)}`)}
</fieldset>
<label>Người xác nhận (họ tên, chức vụ) *<input type="text" name="confirmedBy" maxlength="200" value="${s.confirmedBy}"></label>${errorOf(s, 'confirmedBy')}
<label>Lý do chỉnh sửa (bắt buộc khi có mục khác bản dự thảo)<textarea name="editReason" maxlength="1000">${s.editReason}</textarea></label>${errorOf(s, 'editReason')}
${errorOf(s, '')}
<button type="submit">Xác nhận và gửi lên cấp trên</button></form>`
}`;
  return c.html(layout(c, title, body), status);
}

export function registerUpward(router: ConsoleRouter, deps: ConsoleDeps): void {
  router.get(PATH, 'report.upward', (c) => page(c, deps, param(c, 'cycle')));

  router.post(PATH, 'report.upward', async (c) => {
    const cycleId = param(c, 'cycle');
    const body = await formBody(c);
    const text = (v: unknown) => (typeof v === 'string' ? v.replace(/\r\n?/g, '\n').normalize('NFC') : '');
    const values: Record<string, string> = {};
    for (const [k, v] of Object.entries(body)) if (k.startsWith('p:')) values[k.slice(2)] = text(v);
    const state: FormState = {
      values,
      confirmedBy: text(body.confirmedBy).trim(),
      editReason: text(body.editReason).trim(),
      issues: new Map(),
    };
    let prepared: PreparedUpward;
    try {
      prepared = await prepareUpward(deps.db, cycleId);
    } catch (err) {
      if (err instanceof ReportError) return page(c, deps, cycleId);
      throw err;
    }
    const payload = phaseSpec('year-end-report').fromForm(values) as UpwardPayload;
    const session = c.get('session')!;
    try {
      const r = await sendUpward(deps.db, deps.client, prepared, {
        payload: { figures: payload.figures ?? {}, narrative: payload.narrative ?? {} },
        confirmedBy: state.confirmedBy,
        editReason: state.editReason,
        actor: session.username,
        role: session.role,
        via: 'web',
      });
      state.notice = {
        kind: 'ok',
        text:
          `${r.created ? 'Đã gửi' : 'Bản này đã được gửi trước đó'}: báo cáo năm của ${r.unitCode} tới ${r.parentCycleId}, lần ${r.receipt.version}` +
          `${r.receipt.late ? ' (nộp muộn)' : ''}; ${r.edits.length ? `${r.edits.length} mục sửa so với dự thảo, lý do đã ghi vào nhật ký` : 'đúng như bản dự thảo'}.`,
      };
      return page(c, deps, cycleId, state);
    } catch (err) {
      if (!(err instanceof UpwardRefused)) throw err;
      for (const i of err.issues) state.issues.set(i.path, i.message);
      state.notice = { kind: 'bad', text: 'Chưa gửi: xem các mục được đánh dấu bên dưới. Không có gì được lưu.' };
      return page(c, deps, cycleId, state, 422);
    }
  });
}

type UpwardPayload = { figures?: Record<string, unknown>; narrative?: Record<string, unknown> };
