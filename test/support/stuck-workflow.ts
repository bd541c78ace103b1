/**
 * A workflow whose task keeps failing, for the reset repair's test (test/integration/repairs.test.ts): the
 * shape of a bad deploy. Its first task completes (it waits for the signal); the task after the signal throws a
 * plain Error, which the TypeScript SDK treats as a workflow task failure that Temporal retries forever. The run
 * created by a reset is the "fixed code": it completes. Bundled on its own, for its own worker and task queue.
 */
import { condition, defineSignal, setHandler, workflowInfo } from '@temporalio/workflow';

export const goSignal = defineSignal('go');

export async function stuckWorkflow(): Promise<string> {
  let go = false;
  setHandler(goSignal, () => {
    go = true;
  });
  await condition(() => go);
  // A reset starts a new run of the same execution chain: its runId differs from the first run's.
  if (workflowInfo().runId === workflowInfo().firstExecutionRunId) {
    throw new Error('deliberate bug: this workflow task fails every time');
  }
  return 'recovered';
}
