/**
 * Which cycles a repair request names, for the scope guards of the console (console/router.ts) and the operator
 * API (api/routes/repairs.ts): a committee may repair only what is in its own cycles (issue 17).
 */
import { accessToCycle, type Scope } from '../db/committee-scope.js';
import type { Db } from '../db/pool.js';
import { parseWorkflowId } from './stalled.js';

/**
 * Every cycle a repair names: its `cycleId` and its `workflowId`'s cycle, both, since the repair acts on the
 * workflow when one is given. A workflow id that names no cycle is an undefined entry; none named is an empty list.
 * The guard lets a request through only when every entry is a cycle its user may change (accessToEveryCycle).
 */
export function cyclesOfRequest(body: Record<string, unknown>): Array<string | undefined> {
  const cycleId = typeof body.cycleId === 'string' ? body.cycleId.trim() : '';
  const workflowId = typeof body.workflowId === 'string' ? body.workflowId.trim() : '';
  return [...(cycleId ? [cycleId] : []), ...(workflowId ? [parseWorkflowId(workflowId).cycleId] : [])];
}

/**
 * Whether a scope may change every cycle a request names: 'act' when they are all its own committee's (and it
 * names one); else the first that is not, as 'read-only' (a committee under it) or 'unseen' (answered 404).
 */
export async function accessToEveryCycle(
  db: Db,
  scope: Scope,
  cycles: Array<string | undefined>,
): Promise<{ access: 'act' } | { access: 'read-only' | 'unseen'; cycleId: string | undefined }> {
  if (scope.all) return { access: 'act' };
  if (!cycles.length) return { access: 'unseen', cycleId: undefined };
  for (const id of cycles) {
    const access = await accessToCycle(db, scope, id);
    if (access !== 'act') return { access, cycleId: id };
  }
  return { access: 'act' };
}
