/** What `chuky unit …` does (unit.ts declares the commands and loads this when one runs). */
import { unitView } from '../../client/unit-actions.js';
import { unitEvents } from '../../db/records.js';
import { unitEmails } from '../../db/unit-emails.js';
import { unitTimeline } from '../../ops/timeline.js';
import type { RepairRequest, RepairResult } from '../../ops/types.js';
import type { ObligationView, SubmissionReceipt } from '../../workflows/messages.js';
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

export async function runUnitAck(o: Common & { by: string; planNumber?: string; note?: string; reason?: string }): Promise<void> {
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
  show(
    { ...receipt, auditId: result.auditId },
    o.json,
    `Recorded: ${o.unit} ${receipt.phase} version ${receipt.version}, ${receipt.status}${receipt.late ? ' (late)' : ''}`,
  );
}

export async function runUnitExtend(o: Common & { phase: string; until: string; reason: string }): Promise<void> {
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
  const result = await withTemporalAndDb(async ({ client, db }) => {
    // At once: the query waits on the worker, the reads on PostgreSQL. The timeline is everything in one list, in
    // time order, each with why: emails, submissions, transitions, repairs, inspections.
    const [live, events, emails, timeline] = await Promise.all([
      unitView(client, o.cycle, o.unit),
      unitEvents(db, o.cycle, o.unit),
      unitEmails(db, o.cycle, o.unit),
      unitTimeline(db, o.cycle, o.unit),
    ]);
    return { live, events, emails, timeline };
  });
  if (o.json) printJson(result);
  else {
    for (const ob of result.live?.obligations ?? []) {
      process.stdout.write(`${obligationLine(ob)}\n`);
    }
    if (result.live) process.stdout.write('\n');
    for (const t of result.timeline) process.stdout.write(`${timelineLine(t)}\n`);
  }
}
