/**
 * A workflow that drives the obligation ladder (workflows/ladder.ts) and nothing else, for ladder.test.ts: its
 * steps are written down instead of emailed, so a test reads what the ladder decided, when. Bundled by that
 * test only; never by the worker.
 */
import { defineQuery, defineSignal, defineUpdate, setHandler, condition, sleep } from '@temporalio/workflow';
import { Ladder } from '../../workflows/ladder.js';
import { REAL_CLOCK } from '../../domain/clock.js';
import type { ObligationPolicy, ScheduledStep, StepKind } from '../../domain/schedule.js';

export interface LadderRun {
  deadline: string;
  dueAt: number;
  /** Each step as run: its name, and the instant (ms) the workflow ran it. */
  steps: { name: string; kind: StepKind; days: number; ranAt: number }[];
  stopped: 'exempted' | 'submitted' | undefined;
  late?: boolean;
}

export const moveUpdate = defineUpdate<LadderRun, [{ deadline: string }]>('move');
export const submitUpdate = defineUpdate<{ late: boolean; stamped: boolean }, [{ sentAt?: number }]>('submit');
export const exemptSignal = defineSignal('exempt');
export const finishSignal = defineSignal('finish');
export const runQuery = defineQuery<LadderRun>('run');

export async function ladderWorkflow(input: {
  deadline: string;
  policy: ObligationPolicy;
  catchUp: boolean;
  bySentTime: boolean;
  holdFirstStepMs?: number;
}): Promise<LadderRun> {
  const ladder = new Ladder(
    { clock: REAL_CLOCK, calendar: { rollForward: false, weekend: [], holidays: [] }, timeZone: 'Asia/Ho_Chi_Minh', policy: input.policy },
    input.deadline,
  );
  const run: LadderRun = { deadline: ladder.deadline, dueAt: ladder.dueAt, steps: [], stopped: undefined };
  let finished = false;
  const view = (): LadderRun => ({ ...run, deadline: ladder.deadline, dueAt: ladder.dueAt, steps: [...run.steps] });
  setHandler(runQuery, view);
  setHandler(moveUpdate, async ({ deadline }) => {
    ladder.move(deadline, Date.now());
    return view();
  });
  setHandler(submitUpdate, async ({ sentAt }) => {
    const { late, stamped } = ladder.judge(sentAt, () => input.bySentTime);
    run.stopped = 'submitted';
    run.late = late;
    return { late, stamped };
  });
  setHandler(exemptSignal, () => void (run.stopped = 'exempted'));
  setHandler(finishSignal, () => void (finished = true));
  const write = async (step: ScheduledStep) => {
    run.steps.push({ name: step.name, kind: step.kind, days: step.days, ranAt: Date.now() });
    // The first step held up as by an outage (its email retried for days while the mail server was down, or
    // no worker ran): the ladder's next turn starts after the following step's moment.
    if (run.steps.length === 1 && input.holdFirstStepMs) await sleep(input.holdFirstStepMs);
  };
  ladder.start(Date.now());
  await ladder.run({
    stopped: () => run.stopped !== undefined || finished,
    catchUp: () => input.catchUp,
    on: { reminder: write, overdue: write, escalation2: write, escalation3: write },
  });
  await condition(() => finished);
  return view();
}
