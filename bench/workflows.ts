/** The engine baseline's workflows: nothing of chuky's, so their rates and latencies are the engine's own. */
import { condition, defineSignal, defineUpdate, proxyActivities, proxyLocalActivities, setHandler, sleep } from '@temporalio/workflow';

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

const { noop: localNoop } = proxyLocalActivities<{ noop(): Promise<void> }>({ startToCloseTimeout: '1 minute' });

/**
 * The submission path's second floor: an Update whose handler runs one local activity (which does nothing) before
 * it answers. A submission's Update does that much in the engine (its local activity stores the form): this is
 * the engine's share of it, with nothing of chuky's — no validation, no database, no email.
 */
export async function localStepUpdateTargetWorkflow(): Promise<void> {
  let finished = false;
  setHandler(echoUpdate, async (text) => {
    await localNoop();
    return text;
  });
  setHandler(finishSignal, () => {
    finished = true;
  });
  await condition(() => finished);
}

/** What a year-shaped workflow does: wake at each instant (epoch ms), run that many activities, take Updates. */
export interface YearShapePlan {
  wakeAt: number[];
  activitiesPerWake: number[];
}

const { noop } = proxyActivities<{ noop(): Promise<void> }>({ startToCloseTimeout: '1 minute' });

/**
 * The rehearsal's engine floor (bench/year-floor.ts): a unit's year with nothing of chuky's — its timers, its
 * activities (which do nothing) and its Updates (answered with their argument), at the year's instants.
 */
export async function yearShapeWorkflow(plan: YearShapePlan): Promise<number> {
  let updates = 0;
  setHandler(echoUpdate, (text) => {
    updates++;
    return text;
  });
  for (let i = 0; i < plan.wakeAt.length; i++) {
    const wait = plan.wakeAt[i]! - Date.now();
    if (wait > 0) await sleep(wait);
    for (let k = 0; k < (plan.activitiesPerWake[i] ?? 0); k++) await noop();
  }
  return updates;
}
