/**
 * Which cycles a repair request names, for the scope guards of the console (console/router.ts) and the operator
 * API (api/routes/repairs.ts): a committee may repair only what is in its own cycles (issue 17).
 */
import { seesCycle, type Scope } from '../db/committee-scope.js';
import type { Db } from '../db/pool.js';
import { parseWorkflowId } from './stalled.js';

/**
 * Every cycle a repair names: its `cycleId` and its `workflowId`'s cycle, both, since the repair acts on the
 * workflow when one is given. A workflow id that names no cycle is an undefined entry; none named is an empty list.
 * The guard lets a request through only when every entry is a cycle its user sees (seesEveryCycle).
 */
export function cyclesOfRequest(body: Record<string, unknown>): Array<string | undefined> {
  const cycleId = typeof body.cycleId === 'string' ? body.cycleId.trim() : '';
  const workflowId = typeof body.workflowId === 'string' ? body.workflowId.trim() : '';
  return [...(cycleId ? [cycleId] : []), ...(workflowId ? [parseWorkflowId(workflowId).cycleId] : [])];
}

/** Whether a scope sees every cycle a request names (and it names at least one); the whole deployment sees all. */
export async function seesEveryCycle(db: Db, scope: Scope, cycles: Array<string | undefined>): Promise<boolean> {
  if (scope.all) return true;
  if (!cycles.length) return false;
  for (const id of cycles) if (!(await seesCycle(db, scope, id))) return false;
  return true;
}
