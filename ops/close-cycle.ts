/**
 * Closing a cycle before its natural end, from the command line (deployment credentials) or the operator API
 * (a committee's token): one rule for both. A superior's year closed while a committee under it still runs its
 * own would never receive that committee's report: refused, unless the closing is a decision, recorded as such.
 */
import type { Client } from '@temporalio/client';
import { childCycles } from '../db/cycle-tree.js';
import type { Db } from '../db/pool.js';
import { cycleWorkflowId } from '../domain/ids.js';
import { closeCycleSignal } from '../workflows/messages.js';
import { recordAudit } from './audit.js';

export class CycleCloseRefused extends Error {}

export interface CloseCycleResult {
  cycleId: string;
  closing: true;
  openChildren?: string[];
}

export async function closeCycle(
  deps: { client: Client; db: Db },
  o: { cycleId: string; reason: string; actor: string; role: string; despiteOpenChildren?: boolean },
): Promise<CloseCycleResult> {
  const open = (await childCycles(deps.db, o.cycleId)).filter((c) => c.status !== 'closed');
  if (open.length && !o.despiteOpenChildren)
    throw new CycleCloseRefused(
      `cycle ${o.cycleId} has child cycles still open: ${open.map((c) => `${c.id} (unit ${c.unitCode}, ${c.status})`).join(', ')}; ` +
        `close them first, or close this one anyway with --despite-open-children (the reason is recorded as the decision)`,
    );
  if (open.length)
    await recordAudit(deps.db, {
      actor: o.actor,
      role: o.role,
      action: 'close-cycle-despite-open-children',
      cycleId: o.cycleId,
      unitCode: null,
      phase: null,
      workflowId: cycleWorkflowId(o.cycleId),
      reason: o.reason,
      details: { openChildren: open.map((c) => ({ cycleId: c.id, unitCode: c.unitCode, status: c.status })) },
      outcome: 'ok',
      message: null,
    });
  await deps.client.workflow
    .getHandle(cycleWorkflowId(o.cycleId))
    .signal(closeCycleSignal, { reason: o.reason, actor: `operator:${o.actor}` });
  return { cycleId: o.cycleId, closing: true, ...(open.length ? { openChildren: open.map((c) => c.id) } : {}) };
}
