/**
 * One committee's year. It launches a unit workflow per unit through an activity, in batches: the unit
 * workflows are not children, so the cycle's history holds one activity per batch however many units there are,
 * and each start is idempotent by its derived id. Then it waits for the year to end (or an operator to close it)
 * and tells every unit workflow to close.
 */
import { condition, patched, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { CycleWorkflowInput } from '../domain/workflow-io.js';
import { closeCycleSignal, cycleViewQuery } from './messages.js';

const acts = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

export async function cycleWorkflow(input: CycleWorkflowInput): Promise<{ launched: number; closed: boolean }> {
  const batchSize = input.batchSize ?? 200;
  let launched = 0;
  let closeRequest: { reason: string; actor: string } | undefined;

  const plan = await acts.planCycle({ cycleId: input.cycleId });
  setHandler(cycleViewQuery, () => ({ cycleId: input.cycleId, unitCount: plan.unitCount, launched, closed: closeRequest !== undefined }));
  setHandler(closeCycleSignal, (req) => {
    closeRequest = req;
  });

  for (let offset = 0; offset < plan.unitCount; offset += batchSize) {
    const { started, existing } = await acts.launchUnitBatch({ cycleId: input.cycleId, offset, limit: batchSize });
    launched += started + existing;
  }
  await acts.markCycleLaunched({ cycleId: input.cycleId, launched });

  const waitMs = plan.closesAt - Date.now();
  if (waitMs > 0) await condition(() => closeRequest !== undefined, waitMs);
  const reason = closeRequest?.reason ?? 'Kết thúc chu kỳ';
  // Units imported mid-year are in the database, not in the count taken at launch: count again before closing.
  const unitCount = patched('recount-before-close') ? (await acts.planCycle({ cycleId: input.cycleId })).unitCount : plan.unitCount;
  for (let offset = 0; offset < unitCount; offset += batchSize) {
    await acts.closeUnitBatch({ cycleId: input.cycleId, offset, limit: batchSize, reason });
  }
  await acts.markCycleClosed({ cycleId: input.cycleId, actor: closeRequest?.actor ?? 'system', reason });
  // Added after the first cycles ran (their histories end above): closing the year also closes open
  // inspections and freezes the year's data for the report compiler.
  if (patched('freeze-on-close')) {
    await acts.closeOpenInspections({ cycleId: input.cycleId, reason });
    await acts.freezeCycle({ cycleId: input.cycleId });
  }
  return { launched, closed: true };
}
