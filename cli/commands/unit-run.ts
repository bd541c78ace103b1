/** What `chuky unit …` does (unit.ts declares the commands and loads this when one runs). */
import { randomUUID } from 'node:crypto';
import type { UnitShowView } from '../../ops/unit-view.js';
import type { RepairRequest, RepairResult } from '../../ops/types.js';
import type { ObligationView, SubmissionReceipt } from '../../workflows/messages.js';
import { apiPath, type CommitteeApi } from '../committee-api.js';
import { committeeApi } from '../committee-mode.js';
import { obligationLine, timelineLine } from '../lang.js';
import { printJson } from '../print.js';
import { withTemporalAndDb } from '../with-temporal.js';

/**
 * Runs one repair through the audited path (ops/repairs.ts) on the full wiring (workers/runtime.ts, migrations
 * first): loaded by the acts only, not by `unit show`.
 */
async function repair(request: RepairRequest): Promise<RepairResult> {
  const [{ runRepair }, { withOps }] = await Promise.all([import('../../ops/repairs.js'), import('./repair-run.js')]);
  return withOps((deps) => runRepair(deps, request));
}

/** The repair's data when it succeeded; its message as the command's error otherwise (exit code 1, as before). */
function succeeded(result: RepairResult): Record<string, unknown> {
  if (!result.ok) throw new Error(`${result.message}${result.auditId ? ` [audit #${result.auditId}]` : ''}`);
  return result.data ?? {};
}

function show(result: unknown, json: boolean | undefined, text: string): void {
  if (json) printJson(result);
  else process.stdout.write(`${text}\n`);
}

interface Common {
  cycle: string;
  unit: string;
  actor: string;
  requestId?: string;
  json?: boolean;
}

/**
 * As a committee's operator: the same act through the operator API, which audits extensions and exemptions as
 * the repairs do; the request id makes a repeated command one act.
 */
function viaApi<T>(api: CommitteeApi, o: Common, act: 'acknowledge' | 'extend' | 'exempt', body: Record<string, unknown>): Promise<T> {
  return api.send<T>('POST', apiPath('cycles', o.cycle, 'units', o.unit, act), {
    ...body,
    actor: { id: `operator:${o.actor}`, via: 'api' },
    requestId: o.requestId ?? randomUUID(),
  });
}

export async function runUnitAck(o: Common & { by: string; planNumber?: string; note?: string; reason?: string }): Promise<void> {
  const api = committeeApi();
  if (api) {
    const receipt = await viaApi<SubmissionReceipt>(api, o, 'acknowledge', {
      phase: 'plan',
      confirmedBy: o.by,
      ...(o.planNumber ? { unitPlanNumber: o.planNumber } : {}),
      ...(o.note ? { note: o.note } : {}),
    });
    return show(receipt, o.json, receiptLine(o.unit, receipt));
  }
  // Through the 'record' repair, so the acknowledgement entered by an operator is in the audit log.
  const result = await repair({
    action: 'record',
    cycleId: o.cycle,
    unitCode: o.unit,
    phase: 'plan',
    payload: { confirmedBy: o.by, ...(o.planNumber ? { unitPlanNumber: o.planNumber } : {}) },
    ...(o.note ? { note: o.note } : {}),
    reason: o.reason ?? `Ghi nhận thay đơn vị: ${o.by} xác nhận đã tiếp nhận kế hoạch`,
    actor: { id: o.actor, role: 'cli' },
    ...(o.requestId ? { requestId: o.requestId } : {}),
  });
  const receipt = succeeded(result).receipt as SubmissionReceipt;
  show({ ...receipt, auditId: result.auditId }, o.json, receiptLine(o.unit, receipt));
}

const receiptLine = (unit: string, r: SubmissionReceipt) =>
  `Recorded: ${unit} ${r.phase} version ${r.version}, ${r.status}${r.late ? ' (late)' : ''}`;

export async function runUnitExtend(o: Common & { phase: string; until: string; reason: string }): Promise<void> {
  const api = committeeApi();
  if (api) {
    const view = await viaApi<ObligationView>(api, o, 'extend', { phase: o.phase, newDeadline: o.until, reason: o.reason });
    return show(view, o.json, `Extended: ${o.unit} ${view.phase} now due ${view.deadline}`);
  }
  const result = await repair({
    action: 'extend',
    cycleId: o.cycle,
    unitCode: o.unit,
    phase: o.phase,
    until: o.until,
    reason: o.reason,
    actor: { id: o.actor, role: 'cli' },
    ...(o.requestId ? { requestId: o.requestId } : {}),
  });
  const view = succeeded(result).obligation as ObligationView;
  show({ ...view, auditId: result.auditId }, o.json, `Extended: ${o.unit} ${view.phase} now due ${view.deadline}`);
}

export async function runUnitExempt(o: Common & { phase: string; reason: string }): Promise<void> {
  const api = committeeApi();
  if (api) {
    const view = await viaApi<ObligationView>(api, o, 'exempt', { phase: o.phase, reason: o.reason });
    return show(view, o.json, `Exempted: ${o.unit} ${view.phase}`);
  }
  const result = await repair({
    action: 'exempt',
    cycleId: o.cycle,
    unitCode: o.unit,
    phase: o.phase,
    reason: o.reason,
    actor: { id: o.actor, role: 'cli' },
    ...(o.requestId ? { requestId: o.requestId } : {}),
  });
  const view = succeeded(result).obligation as ObligationView;
  show({ ...view, auditId: result.auditId }, o.json, `Exempted: ${o.unit} ${view.phase}`);
}

/** Reads only: the live state from Temporal (a query), the record from PostgreSQL; no migration, no worker SDK. */
export async function runUnitShow(o: { cycle: string; unit: string; json?: boolean }): Promise<void> {
  const api = committeeApi();
  if (api) return printUnitShow(await api.get<UnitShowView>(apiPath('cycles', o.cycle, 'units', o.unit)), o.json);
  const { unitShowView } = await import('../../ops/unit-view.js');
  printUnitShow(await withTemporalAndDb(({ client, db }) => unitShowView(client, db, o.cycle, o.unit)), o.json);
}

/** The same from the deployment or, with a committee's token, from the operator API (GET /cycles/:c/units/:u). */
export function printUnitShow(view: UnitShowView, json: boolean | undefined): void {
  if (json) return printJson(view);
  for (const ob of view.live?.obligations ?? []) process.stdout.write(`${obligationLine(ob)}\n`);
  if (view.live) process.stdout.write('\n');
  for (const t of view.timeline) process.stdout.write(`${timelineLine(t)}\n`);
}
