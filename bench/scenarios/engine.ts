/**
 * 1. Engine baseline: N empty workflows started and run to completion on the same Temporal (dev or real server), by a worker in its
 * own process registering only bench/workflows.ts. Two rates: with many starts in flight (the engine's own limit,
 * what launch throughput is compared with), and one start at a time (one round trip per start, which is how a
 * loop that awaits each start goes). Then the floor of the submission path (scenario 3): Updates that the
 * workflow answers at once, at the submission scenario's levels of concurrency, each sender to its own workflow,
 * and Updates whose handler first runs one local activity that does nothing (the engine's part of a submission).
 */
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { benchScript, startChild } from '../children.js';
import { cpuSampler, type BenchContext } from '../context.js';
import { cpuPerRequest } from '../cpu-budget.js';
import { emptyResult, type ScenarioResult } from '../results.js';
import { pool, round, summarise } from '../stats.js';
import { progress } from '../log.js';

export async function engineScenario(ctx: BenchContext): Promise<ScenarioResult> {
  const r = emptyResult('engine', 1, 'Engine baseline: empty workflows on the same Temporal');
  const log = (m: string) => ctx.log(`engine: ${m}`);
  const taskQueue = `bench-engine-${randomUUID().slice(0, 8)}`;
  const worker = await startChild({
    name: 'engine worker',
    script: benchScript('child-engine-worker'),
    env: { TEMPORAL_ADDRESS: ctx.stack.temporalAddress, BENCH_TASK_QUEUE: taskQueue },
    logFile: path.join(ctx.runDir, 'logs', 'engine-worker.log'),
  });
  ctx.processes.set(worker.pid, 'bench engine worker');
  try {
    const n = ctx.sizes.engineWorkflows;
    const run = async (count: number, concurrency: number, label: string) => {
      const latencies: number[] = [];
      const show = progress(log, label, count);
      let done = 0;
      const sampler = cpuSampler(ctx).start();
      const t0 = Date.now();
      await pool(count, concurrency, async (i) => {
        const s = performance.now();
        const handle = await ctx.client.workflow.start('emptyWorkflow', {
          taskQueue,
          workflowId: `bench-engine-${label}-${i}-${taskQueue}`,
          args: [],
        });
        await handle.result();
        latencies.push(performance.now() - s);
        show(++done);
      });
      const wallS = (Date.now() - t0) / 1000;
      const split = sampler.stop();
      return { wallS, perSecond: count / wallS, latency: summarise(latencies), split };
    };
    // Warm-up: the first workflows pay for the worker's first polls and the server's caches.
    await run(Math.min(50, n), 10, 'warm-up');
    // The engine's limit: the best of a few levels of starts in flight.
    const levels: { concurrency: number; result: Awaited<ReturnType<typeof run>> }[] = [];
    for (const concurrency of ctx.sizes.engineConcurrency) {
      log(`${n} empty workflows, ${concurrency} in flight`);
      levels.push({ concurrency, result: await run(n, concurrency, `c${concurrency}`) });
    }
    const best = levels.reduce((a, b) => (b.result.perSecond > a.result.perSecond ? b : a));
    const wide = best.result;
    const c = best.concurrency;
    const serialCount = Math.max(20, Math.round(n / 10));
    log(`${serialCount} empty workflows, one at a time`);
    const serial = await run(serialCount, 1, 'serial');

    const updates = await updateBaseline(ctx, taskQueue, log, 'updateTargetWorkflow');
    const localUpdates = await updateBaseline(ctx, taskQueue, log, 'localStepUpdateTargetWorkflow');

    r.figures.push(
      ...updates.map((u) => ({
        id: `engine.update.c${u.concurrency}.p95`,
        label:
          `Empty Update p95 latency, ${u.concurrency} concurrent sender${u.concurrency === 1 ? '' : 's'} ` +
          `(p50 ${round(u.latency.p50, 0)} ms; ${round(u.perSecond, 1)} updates/s)`,
        value: round(u.latency.p95, 1),
        unit: 'ms',
      })),
      ...localUpdates.map((u) => ({
        id: `engine.updateLocal.c${u.concurrency}.p95`,
        label:
          `Update with one local activity (which does nothing) p95 latency, ${u.concurrency} concurrent ` +
          `sender${u.concurrency === 1 ? '' : 's'} (p50 ${round(u.latency.p50, 0)} ms; ${round(u.perSecond, 1)} updates/s)`,
        value: round(u.latency.p95, 1),
        unit: 'ms',
      })),
      {
        id: 'engine.rate',
        label: `Empty workflows started and completed per second (best of ${levels.map((l) => l.concurrency).join(', ')} in flight: ${c})`,
        value: round(wide.perSecond, 1),
        unit: 'wf/s',
      },
      {
        id: 'engine.serialRate',
        label: 'Empty workflows per second, one at a time (one start + completion round trip each)',
        value: round(serial.perSecond, 1),
        unit: 'wf/s',
      },
      { id: 'engine.latencyP50', label: `Start-to-result latency p50 (${c} in flight)`, value: round(wide.latency.p50, 1), unit: 'ms' },
    );
    r.tables.push({
      title: 'Engine baseline',
      columns: ['run', 'workflows', 'in flight', 'wall s', 'wf/s', 'p50 ms', 'p95 ms', 'p99 ms'],
      rows: [
        ...levels.map((l) => [
          'concurrent',
          n,
          l.concurrency,
          round(l.result.wallS, 2),
          round(l.result.perSecond, 1),
          round(l.result.latency.p50, 1),
          round(l.result.latency.p95, 1),
          round(l.result.latency.p99, 1),
        ]),
        [
          'one at a time',
          serialCount,
          1,
          round(serial.wallS, 2),
          round(serial.perSecond, 1),
          round(serial.latency.p50, 1),
          round(serial.latency.p95, 1),
          round(serial.latency.p99, 1),
        ],
      ],
    });
    r.tables.push({
      title:
        'Engine baseline: Updates (the workflow answers with its argument, at once or after one local activity that ' +
        'does nothing; each sender has its own workflow)',
      columns: ['Update', 'senders', 'updates', 'wall s', 'updates/s', 'p50 ms', 'p95 ms', 'p99 ms'],
      rows: [...updates.map((u) => ['empty', u] as const), ...localUpdates.map((u) => ['one local activity', u] as const)].map(
        ([kind, u]) => [
          kind,
          u.concurrency,
          u.requests,
          round(u.wallS, 2),
          round(u.perSecond, 1),
          round(u.latency.p50, 1),
          round(u.latency.p95, 1),
          round(u.latency.p99, 1),
        ],
      ),
    });
    for (const l of levels) r.cpu.push({ window: `${n} empty workflows, ${l.concurrency} in flight`, split: l.result.split });
    for (const u of updates) r.cpu.push({ window: `empty Updates, ${u.concurrency} concurrent senders`, split: u.split });
    for (const u of localUpdates)
      r.cpu.push({ window: `Updates with one local activity, ${u.concurrency} concurrent senders`, split: u.split });
    r.data = {
      workflows: n,
      concurrency: c,
      rate: wide.perSecond,
      serialRate: serial.perSecond,
      latency: wide.latency,
      serialLatency: serial.latency,
      // CPU per Update by process (bench/cpu-budget.ts), for the submission scenario's budget.
      updates: updates.map(({ split, ...u }) => ({ ...u, cpuMs: cpuPerRequest(split, u.requests) })),
      localUpdates: localUpdates.map(({ split, ...u }) => ({ ...u, cpuMs: cpuPerRequest(split, u.requests) })),
      limitErrors: worker.limitErrors.count,
    };
    if (worker.limitErrors.count)
      r.findings.push(
        `The engine baseline's worker logged ${worker.limitErrors.count} limit error(s), e.g. \`${worker.limitErrors.lines[0]}\``,
      );
    return r;
  } finally {
    await worker.stop();
    ctx.processes.delete(worker.pid);
  }
}

export interface UpdateLevel {
  concurrency: number;
  requests: number;
  wallS: number;
  perSecond: number;
  latency: ReturnType<typeof summarise>;
  split: ReturnType<ReturnType<ReturnType<typeof cpuSampler>['start']>['stop']>;
}

/**
 * Updates at the submission scenario's levels (same senders, same counts): what the engine alone costs a form
 * submission, whose Update the unit workflow answers after validating and storing it. Two shapes: the empty
 * Update (`updateTargetWorkflow`, the floor) and one whose handler runs a local activity that does
 * nothing (`localStepUpdateTargetWorkflow`), the engine's part of what a submission's Update does.
 */
async function updateBaseline(
  ctx: BenchContext,
  taskQueue: string,
  log: (m: string) => void,
  workflowType: 'updateTargetWorkflow' | 'localStepUpdateTargetWorkflow',
): Promise<UpdateLevel[]> {
  const targets = Math.max(...ctx.sizes.submitters.map((l) => l.concurrency));
  const what = workflowType === 'updateTargetWorkflow' ? 'empty Updates' : 'Updates with one local activity';
  const handles = await Promise.all(
    Array.from({ length: targets }, (_, i) =>
      ctx.client.workflow.start(workflowType, { taskQueue, workflowId: `bench-engine-${workflowType}-${i}-${taskQueue}`, args: [] }),
    ),
  );
  try {
    const send = (i: number) => handles[i % targets]!.executeUpdate('echo', { args: [`cập nhật ${i}`] });
    // Warm-up: every target in the worker's cache, as the submission scenario warms its units.
    await pool(targets, 10, async (i) => {
      await send(i);
    });
    const out: UpdateLevel[] = [];
    for (const level of ctx.sizes.submitters) {
      log(`${level.requests} ${what}, ${level.concurrency} concurrent senders`);
      const latencies: number[] = [];
      const sampler = cpuSampler(ctx).start();
      const t0 = Date.now();
      // Round the workflows in turn, as the submission scenario rounds its units: with more workflows than
      // senders, no two Updates go to one workflow at once.
      await pool(level.requests, level.concurrency, async (i) => {
        const s = performance.now();
        const echoed = await send(i);
        if (echoed !== `cập nhật ${i}`) throw new Error(`the echo Update answered ${JSON.stringify(echoed)}`);
        latencies.push(performance.now() - s);
      });
      const wallS = (Date.now() - t0) / 1000;
      out.push({
        concurrency: level.concurrency,
        requests: level.requests,
        wallS,
        perSecond: level.requests / wallS,
        latency: summarise(latencies),
        split: sampler.stop(),
      });
    }
    return out;
  } finally {
    await Promise.all(handles.map((h) => h.signal('finish').catch(() => undefined)));
  }
}
