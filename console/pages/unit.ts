/**
 * A unit's page: who it is, each obligation with its deadline, escalation level, next reminder and next step,
 * the repairs Ban Tuyên giáo may make on it, its inspections, and its whole timeline (ops/timeline.ts), with
 * links to its workflows in Temporal's Web UI.
 */
import { html } from 'hono/html';
import { getCycle } from '../../db/cycles.js';
import { getRegisteredUnit } from '../../db/units.js';
import { listInspections } from '../../db/inspections.js';
import { phaseTitle, unitPhases } from '../../config/phase-lookup.js';
import { effectiveDeadline } from '../../domain/calendar.js';
import { unitWorkflowId } from '../../domain/ids.js';
import { unitView } from '../../client/unit-actions.js';
import { comparePhases } from '../../ops/overview.js';
import { unitTimeline } from '../../ops/timeline.js';
import { param, temporalLink, type ConsoleDeps, type Ctx } from '../context.js';
import { INSPECTION_STATUS_VI, LEVEL_LABEL, UNIT_KIND_VI, actorVi, phaseShort, viCalendarTime, viDate, viDateTime } from '../format.js';
import { BASE, chip, consoleUrl, layout, seg, temporalAnchor, type Html } from '../html.js';
import { STEP_VI, upcoming, type NextStep } from '../next-steps.js';
import { unitObligations, type UnitObligation } from '../queries.js';
import { repairForms, repairResultBanner } from '../repair-forms.js';
import { markBox, submissionMarks, type SubmissionMark } from '../submission-marks.js';
import { refusal, type ConsoleRouter } from '../router.js';
import type { CycleRow } from '../../db/cycles.js';

const CLOSED = new Set(['submitted', 'late', 'exempted', 'removed']);

function when(cycle: CycleRow, n: NextStep | undefined): Html {
  if (!n) return html`<span class="muted">không còn</span>`;
  const tz = cycle.definition.timezone;
  const compressed = cycle.clock.kind !== 'real';
  return html`<time datetime="${new Date(n.calendarAt).toISOString()}">${viCalendarTime(n.calendarAt, tz)}</time>${
    compressed ? html` <span class="muted">(lịch rút gọn: lúc ${viDateTime(n.realAt)} giờ thực)</span>` : ''
  }`;
}

interface ObligationLine extends Partial<UnitObligation> {
  phase: string;
  configuredDeadline?: string;
  opened: boolean;
  stepsDone?: string[];
  /** A member count far from the list, an empty models report: shown for the clerk to check. */
  mark?: SubmissionMark;
}

function obligationCard(c: Ctx, cycle: CycleRow, unitCode: string, o: ObligationLine): Html {
  const status = o.status ?? 'pending';
  const deadline = o.deadline ?? o.configuredDeadline ?? '';
  const next = upcoming(cycle, o.phase, deadline, status, o.stepsDone);
  const open = !CLOSED.has(status) && cycle.status !== 'closed';
  const target = { cycleId: cycle.id, unitCode, phase: o.phase };
  return html`<section class="card obligation" data-phase="${o.phase}" id="ob-${o.phase}">
<h3>${phaseShort(o.phase)} ${chip(status)}${o.opened ? '' : html` <span class="muted">(chưa mở)</span>`}</h3>
<div class="muted">${phaseTitle(cycle.definition, o.phase)}</div>
${markBox(o.mark)}
<dl class="facts">
<dt>Hạn nộp</dt><dd class="deadline">${viDate(deadline)}${o.configuredDeadline && deadline !== o.configuredDeadline ? html` <span class="muted">(hạn ban đầu ${viDate(o.configuredDeadline)})</span>` : ''}</dd>
<dt>Mức đôn đốc</dt><dd class="level">${LEVEL_LABEL[o.escalationLevel ?? 0] ?? o.escalationLevel}</dd>
<dt>Số lần nộp</dt><dd class="versions">${o.versions ?? 0}</dd>
<dt>Nhắc tiếp theo</dt><dd class="next-reminder">${when(cycle, next.nextReminder)}</dd>
<dt>Bước tiếp theo</dt><dd class="next-step">${next.nextStep ? html`${STEP_VI[next.nextStep.step.kind](next.nextStep.step.days)}: ${when(cycle, next.nextStep)}` : html`<span class="muted">không còn</span>`}</dd>
</dl>
${open ? repairForms(c, ['extend', 'exempt', 'remind', 'record'], target, { deadline }) : ''}
</section>`;
}

export function registerUnit(router: ConsoleRouter, deps: ConsoleDeps): void {
  router.get('/chu-ky/:cycle/don-vi/:unit', 'cycle.view', async (c) => {
    const cycle = await getCycle(deps.db, param(c, 'cycle'));
    const unit = cycle ? await getRegisteredUnit(deps.db, cycle.id, param(c, 'unit')) : undefined;
    if (!cycle || !unit) return refusal(c, 404, 'Không tìm thấy', 'Không có chu kỳ hoặc đơn vị này.');
    const [rows, live, inspections, timeline, banner, marks] = await Promise.all([
      unitObligations(deps.db, cycle.id, unit.code),
      // The workflow knows which reminders it has sent; when it has finished (or Temporal is away) the schedule alone is used.
      unitView(deps.client, cycle.id, unit.code).catch(() => undefined),
      listInspections(deps.db, cycle.id, unit.code),
      unitTimeline(deps.db, cycle.id, unit.code),
      repairResultBanner(c, deps),
      submissionMarks(deps.db, cycle, unit.code),
    ]);
    const def = cycle.definition;
    const byPhase = new Map(rows.map((r) => [r.phase, r]));
    const liveBy = new Map((live?.obligations ?? []).map((o) => [o.phase, o]));
    const phases = [...new Set([...unitPhases(def).map((p) => p.id as string), ...rows.map((r) => r.phase)])].sort(comparePhases);
    const lines: ObligationLine[] = phases.map((phase) => {
      const row = byPhase.get(phase);
      const view = liveBy.get(phase);
      const configured = def.phases.find((p) => p.id === phase)?.deadline;
      return {
        ...row,
        phase,
        opened: !!row,
        ...(marks.get(unit.code)?.get(phase) ? { mark: marks.get(unit.code)!.get(phase)! } : {}),
        ...(configured ? { configuredDeadline: effectiveDeadline(configured, def.calendar) } : {}),
        // The live view is a moment ahead of the projection (an extension just made), when it answers.
        ...(view
          ? {
              deadline: view.deadline,
              status: row?.status === 'removed' ? row.status : view.status,
              escalationLevel: view.escalationLevel,
              stepsDone: view.stepsDone,
            }
          : {}),
      };
    });
    const wf = unitWorkflowId(cycle.id, unit.code);
    const body = html`<p class="muted"><a href="${BASE}/chu-ky/${seg(cycle.id)}">← ${cycle.id}</a></p>
<h1 id="unit-name">${unit.name}</h1>
<p class="muted">Mã ${unit.code} · ${UNIT_KIND_VI[unit.kind] ?? unit.kind} · ${unit.members} đảng viên · ${temporalAnchor(temporalLink(deps, wf), 'Workflow của đơn vị trong Temporal')}</p>
${unit.removedAt ? html`<div class="box bad">Đơn vị đã rời chu kỳ từ ${viDateTime(unit.removedAt)}: ${unit.removedReason ?? ''}</div>` : ''}
${banner}
<div class="card"><dl class="facts"><dt>Bí thư</dt><dd>${unit.secretaryName}<br>${unit.secretaryEmail}</dd>
${unit.contactName || unit.contactEmail ? html`<dt>Người liên hệ</dt><dd>${unit.contactName ?? ''}<br>${unit.contactEmail ?? ''}</dd>` : ''}</dl></div>
<h2>Nghĩa vụ</h2>
${lines.map((o) => obligationCard(c, cycle, unit.code, o))}
${
  inspections.length
    ? html`<h2>Kiểm tra, giám sát</h2><div class="scroll"><table id="inspections" class="cards"><thead><tr><th>Loại</th><th>Cơ quan</th><th>Trạng thái</th><th>Ngày</th><th>Hạn khắc phục</th><th>Temporal</th></tr></thead><tbody>${inspections.map(
        (i) =>
          html`<tr><td data-label="Loại">${i.kind === 'giam-sat' ? 'Giám sát' : 'Kiểm tra'}</td><td data-label="Cơ quan">${i.body === 'ubkt' ? 'UBKT' : 'Ban Thường vụ'}</td><td data-label="Trạng thái">${INSPECTION_STATUS_VI[i.status] ?? i.status}</td><td data-label="Ngày">${viDate(i.scheduledOn)}</td><td data-label="Hạn khắc phục">${viDate(i.remedyDeadline)}</td><td data-label="Temporal">${temporalAnchor(temporalLink(deps, i.id), 'Workflow')}</td></tr>`,
      )}</tbody></table></div>`
    : ''
}
<h2>Dòng thời gian</h2>
<p class="muted"><a href="${consoleUrl('/nhat-ky', { 'chu-ky': cycle.id, 'don-vi': unit.code })}">Các lần sửa chữa của đơn vị trong nhật ký</a></p>
<ol class="timeline" id="timeline">${timeline.map(
      (t) =>
        html`<li class="k-${t.kind}"><span class="muted">${viDateTime(t.at)}${t.phase ? ` · ${phaseShort(t.phase)}` : ''}${t.actor ? ` · ${actorVi(t.actor)}` : ''}</span><br>${t.summary}${t.reason && !t.summary.includes(t.reason) ? html` <span class="muted">— ${t.reason}</span>` : ''}</li>`,
    )}</ol>
${timeline.length === 0 ? html`<p class="muted">Chưa có gì.</p>` : ''}`;
    return c.html(layout(c, unit.name, body, { current: `${BASE}/` }));
  });
}
