/**
 * Starting the cycle's and the inspections' workflows, by the workflow function itself rather than its name: the
 * compiler then checks the arguments against the workflow's own signature, and a renamed workflow fails to
 * compile here instead of starting nothing at run time. Importing the workflow modules only defines functions
 * (Temporal's samples start workflows the same way); their code runs in the worker's sandbox, never here.
 *
 * Every start is idempotent by its derived workflow id: a second start finds the first and says so.
 */
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { cycleWorkflow } from '../workflows/cycle.js';
import { inspectionWorkflow } from '../workflows/inspection.js';
import type { CycleWorkflowInput, InspectionWorkflowInput } from '../domain/workflow-io.js';

/**
 * One unit's workflow for the year (a unit joining a running cycle). Defined beside the cycle's launch, which
 * starts every unit the same way from its activity (activities and workflows are one layer, below this one).
 */
export { startUnitWorkflow } from '../activities/cycle.js';

/** Runs a start; true when it started the workflow, false when one with that id was already running. */
async function startOnce(start: () => Promise<unknown>): Promise<boolean> {
  try {
    await start();
    return true;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
    throw err;
  }
}

/** The cycle's own workflow (it launches the units' workflows). */
export async function startCycleWorkflow(
  client: Client,
  params: { taskQueue: string; workflowId: string; input: CycleWorkflowInput },
): Promise<{ started: boolean }> {
  return {
    started: await startOnce(() =>
      client.workflow.start(cycleWorkflow, { taskQueue: params.taskQueue, workflowId: params.workflowId, args: [params.input] }),
    ),
  };
}

/** One inspection's workflow; its id is `input.inspectionId`. */
export async function startInspectionWorkflow(
  client: Client,
  params: { taskQueue: string; input: InspectionWorkflowInput },
): Promise<{ started: boolean }> {
  return {
    started: await startOnce(() =>
      client.workflow.start(inspectionWorkflow, {
        taskQueue: params.taskQueue,
        workflowId: params.input.inspectionId,
        args: [params.input],
      }),
    ),
  };
}
