/**
 * A deliberately wrong deploy, for the stalled-workflow tests: `unitWorkflow` starts with a timer that the
 * histories recorded by the real code do not have, so a worker bundling this module fails every replayed
 * workflow task with a non-determinism error ([TMPRL1100]) — what an incompatible change deployed without
 * `patched()` does. The other workflow types are the real ones.
 */
import { sleep } from '@temporalio/workflow';
import type { UnitWorkflowInput } from '../../domain/workflow-io.js';
import type { UnitView } from '../../workflows/messages.js';
import { unitWorkflow as realUnitWorkflow } from '../../workflows/unit.js';

export { cycleWorkflow } from '../../workflows/cycle.js';
export { inspectionWorkflow } from '../../workflows/inspection.js';

export async function unitWorkflow(input: UnitWorkflowInput): Promise<UnitView> {
  await sleep(1);
  return realUnitWorkflow(input);
}
