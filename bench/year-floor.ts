/**
 * The engine's own figure beside the rehearsal (scenario 5): a year of the rehearsal's shape with nothing of
 * chuky's in it. As many unit workflows as the rehearsed year, each with the rehearsal's mean number of timers,
 * activities and Updates per unit, run by the same time-skipping test server and an in-process worker with the
 * same workflow cache, driven the way rehearsal/run.ts drives a year: the client skips to each action instant and
 * sends that instant's Updates, 20 at a time. The activities do nothing, the Updates echo their argument; no
 * PostgreSQL, no email, no rendering.
 *
 * The shape is the year's, not its exact calendar: every unit wakes at the same instants (08:00 on days spread
 * over the year, as the real reminders fall on shared days), each wake runs its share of the activities, and the
 * Updates fall at 10:00 on days between the wakes. What the rehearsal takes beyond this is chuky's.
 *
 * Where the shape is not the year's, it errs both ways: every timer the year started fires here (in the year a
 * submission cancels some), and its local activities (acceptSubmission) run here as activities, both more work
 * for the engine than the year gave it; while every unit here wakes at the same few instants, where the year's
 * reminders fall on more distinct days, so the server skips less often here.
 */
import { fileURLToPath } from 'node:url';
import { timeSkippingEnvAt } from '../stack/test-server.js';
import { DefaultLogger, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { ensureTestServer } from '../stack/test-server.js';
import { DEFAULT_CONCURRENCY, rehearsalCacheSize } from '../rehearsal/run.js';
import { pool } from './stats.js';
import type { YearShapePlan } from './workflows.js';

export interface YearShape {
  units: number;
  /** Per unit: timers started (each a wake here), activities run (local ones included), Updates taken. */
  timers: number;
  activities: number;
  updates: number;
}

const DAY = 86_400_000;
/** The days a year's wakes spread over (a cycle runs from its notice in January to its close in December). */
const YEAR_DAYS = 330;

/** Spreads `total` over `slots` as evenly as whole numbers allow. */
export function spread(total: number, slots: number): number[] {
  if (slots <= 0) return [];
  return Array.from({ length: slots }, (_, i) => Math.floor(((i + 1) * total) / slots) - Math.floor((i * total) / slots));
}

/** The wake instants (08:00 of evenly spaced days after `startMs`'s day) and each wake's activities. */
export function yearPlan(startMs: number, shape: Pick<YearShape, 'timers' | 'activities'>): YearShapePlan {
  const day0 = Math.floor(startMs / DAY) * DAY;
  const wakes = Math.max(1, shape.timers);
  const wakeAt = Array.from(
    { length: wakes },
    (_, i) => day0 + (1 + Math.floor(((i + 1) * (YEAR_DAYS - 1)) / wakes)) * DAY + 8 * 3_600_000,
  );
  return { wakeAt, activitiesPerWake: spread(shape.activities, wakes) };
}

/** The Updates' instants: 10:00 on days between the first and last wake, evenly spaced. */
export function updateInstants(plan: YearShapePlan, updates: number): number[] {
  const first = plan.wakeAt[0]!;
  const last = plan.wakeAt[plan.wakeAt.length - 1]!;
  const days = Math.max(1, Math.floor((last - first) / DAY));
  return Array.from({ length: updates }, (_, i) => first + Math.floor(((i + 1) * days) / (updates + 1)) * DAY + 2 * 3_600_000);
}

/**
 * Runs the year of `shape`. `wallS` is measured as the rehearsal's "year alone" is: from the test server's being
 * up to the last workflow's end, the worker's bundling and the launch included.
 */
export async function runYearFloor(shape: YearShape, log: (m: string) => void): Promise<{ wallS: number; startS: number }> {
  const t0 = Date.now();
  const testServerPath = await ensureTestServer(log);
  const env = await timeSkippingEnvAt(testServerPath);
  const t1 = Date.now();
  try {
    const workflowBundle = await bundleWorkflowCode({
      workflowsPath: fileURLToPath(new URL('./workflows.js', import.meta.url)),
      logger: new DefaultLogger('WARN'),
    });
    const taskQueue = 'bench-year-floor';
    const worker = await Worker.create({
      connection: env.nativeConnection,
      namespace: 'default',
      taskQueue,
      workflowBundle,
      activities: { noop: async () => undefined },
      maxCachedWorkflows: rehearsalCacheSize(shape.units),
    });
    await worker.runUntil(async () => {
      const plan = yearPlan(await env.currentTimeMs(), shape);
      const ids = Array.from({ length: shape.units }, (_, i) => `year-floor-${i}`);
      await pool(ids.length, DEFAULT_CONCURRENCY, async (i) => {
        await env.client.workflow.start('yearShapeWorkflow', { taskQueue, workflowId: ids[i]!, args: [plan] });
      });
      for (const at of updateInstants(plan, shape.updates)) {
        const now = await env.currentTimeMs();
        if (at > now) await env.sleep(at - now);
        await pool(ids.length, DEFAULT_CONCURRENCY, async (i) => {
          await env.client.workflow.getHandle(ids[i]!).executeUpdate('echo', { args: [`u${i}`] });
        });
      }
      // Past the last wake; the results are read one at a time: the time-skipping client unlocks the server's
      // clock for each result it waits on, and concurrent waits unbalance that lock (the server says so and stalls).
      const end = plan.wakeAt[plan.wakeAt.length - 1]! + DAY;
      const now = await env.currentTimeMs();
      if (end > now) await env.sleep(end - now);
      const taken: number[] = [];
      for (const id of ids) taken.push((await env.client.workflow.getHandle(id).result()) as number);
      const short = taken.filter((n) => n !== shape.updates).length;
      if (short) throw new Error(`${short} of the floor's workflows did not take their ${shape.updates} Updates`);
    });
    const wallS = (Date.now() - t1) / 1000;
    log(
      `engine floor: ${shape.units} units × (${shape.timers} timers, ${shape.activities} activities, ${shape.updates} updates) in ${wallS.toFixed(1)} s`,
    );
    return { wallS, startS: (t1 - t0) / 1000 };
  } finally {
    await env.teardown();
  }
}
