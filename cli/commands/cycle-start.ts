/** Registering a cycle and starting its workflow: `chuky cycle start`, `chuky dev`, the rehearsal, the tests. */
import type { Client } from '@temporalio/client';
import { startCycleWorkflow } from '../../client/starts.js';
import { loadCycleFileAsync } from '../../config/cycle.js';
import { checkParent } from '../../registry/parent-check.js';
import { registerCycle, getCycle } from '../../db/cycles.js';
import type { Db } from '../../db/pool.js';
import { localTimeToInstant } from '../../domain/calendar.js';
import { REAL_CLOCK, type ClockMap } from '../../domain/clock.js';
import { cycleId as makeCycleId, cycleWorkflowId } from '../../domain/ids.js';

export interface StartCycleResult {
  cycleId: string;
  workflowId: string;
  units: number;
  registered: boolean;
  started: boolean;
  clock: ClockMap;
}

export interface StartCycleParams {
  db: Db;
  client: Client;
  taskQueue: string;
  configFile: string;
  secondsPerDay?: number;
  now?: number;
}

/**
 * Registers the cycle's definition and units in the database and starts its workflow. Both steps are
 * idempotent: a second start finds the running cycle and only refreshes unit details.
 */
export async function startCycle(params: StartCycleParams): Promise<StartCycleResult> {
  const loaded = await loadCycleFileAsync(params.configFile);
  const def = loaded.definition;
  const id = makeCycleId(def.committee.code, def.year);
  const clock: ClockMap = params.secondsPerDay
    ? {
        kind: 'compressed',
        // Day one of the compressed calendar is the earliest day a phase opens; it starts a few seconds from now.
        calendarOrigin: localTimeToInstant(def.phases.map((p) => p.opensOn).sort()[0]!, 0, def.timezone),
        realOrigin: (params.now ?? Date.now()) + 2_000,
        secondsPerDay: params.secondsPerDay,
      }
    : REAL_CLOCK;
  // A child cycle is checked against its superior's when first registered; a second start only refreshes units.
  const existing = await getCycle(params.db, id);
  const parent = existing ? existing.parent : await checkParent(params.db, loaded);
  const { created } = await registerCycle(params.db, {
    id,
    definition: def,
    units: loaded.units,
    clock,
    sourceFile: loaded.sourceFile,
    ...(parent ? { parent } : {}),
  });
  const workflowId = cycleWorkflowId(id);
  const { started } = await startCycleWorkflow(params.client, { taskQueue: params.taskQueue, workflowId, input: { cycleId: id } });
  const stored = await getCycle(params.db, id);
  return { cycleId: id, workflowId, units: loaded.units.length, registered: created, started, clock: stored?.clock ?? clock };
}
