/** The engine baseline's workflows: nothing of chuky's, so their rates and latencies are the engine's own. */
import { condition, defineSignal, defineUpdate, setHandler } from '@temporalio/workflow';

/** A start and a completion. */
export async function emptyWorkflow(): Promise<void> {}

/** The submission path's engine floor: an Update answered by the workflow with its argument, nothing stored. */
export const echoUpdate = defineUpdate<string, [string]>('echo');
export const finishSignal = defineSignal('finish');

/** Waits for Updates until it is told to finish: the engine's counterpart of a unit workflow taking a form. */
export async function updateTargetWorkflow(): Promise<void> {
  let finished = false;
  setHandler(echoUpdate, (text) => text);
  setHandler(finishSignal, () => {
    finished = true;
  });
  await condition(() => finished);
}
