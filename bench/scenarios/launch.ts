/**
 * 2. Cycle launch: a generated cycle YAML and units CSV started with the real `startCycle` (cli/commands/cycle.ts)
 * on the real calendar, its plan phase opened yesterday, so every unit workflow sends its plan notice as soon as it
 * runs. Measured until every notice is in the SMTP sink, with a fresh production-wired worker per size (so its
 * memory is that of this cycle's open workflows: scenario 7). Limit errors are looked for in the worker's log and
 * in the cycle's pending activity failures.
 */
import path from 'node:path';
import { startCycle } from '../../cli/commands/cycle.js';
import { cycleWorkflowId } from '../../domain/ids.js';
import { LIMIT_ERROR } from '../children.js';
import { cpuSampler, TARGET_SIZES, type BenchContext } from '../context.js';
import { launchDates, writeBenchCycle } from '../fixture.js';
import { activityTimes, fetchEvents } from '../history.js';
import { progress } from '../log.js';
import { memoryOf, describeCpu } from '../procs.js';
import { summariseProfileDir, type ProfileSummary } from '../profile.js';
import { emptyResult, judge, type ScenarioResult } from '../results.js';
import { round, sleep } from '../stats.js';
import { clearSink, sinkCount } from '../stack.js';

/** The issue on performance: a launch starts units at 0.9× the engine's own empty-workflow rate, at every size. */
const LAUNCH_RATIO_TARGET = 0.9;
export interface LaunchData {
  units: number;
  cycleId: string;
  completed: boolean;
  /** Seconds from the startCycle call. */
  registeredS: number;
  allStartedS: number | null;
  firstNoticeS: number | null;
  allNoticesS: number | null;
  notices: number;
  startRate: number | null;
  noticeRate: number | null;
  limitErrors: number;
  limitErrorLines: string[];
  activityFailures: string[];
  openWorkflows: number | null;
  worker: {
    idleRssMb: number | null;
    rssMb: number | null;
    peakMb: number | null;
    /** After a full collection of the main thread's heap: RSS, the main V8 heap, and memory outside V8 heaps. */
    afterGc: { rssMb: number; heapUsedMb: number; heapTotalMb: number; externalMb: number } | null;
    maxCachedWorkflows: number | null;
    heapLimitMb: number | null;
  };
  cpu: ReturnType<ReturnType<typeof cpuSampler>['stop']>;
  profiles: ProfileSummary[];
}

async function launchOne(ctx: BenchContext, n: number): Promise<LaunchData> {
  const log = (m: string) => ctx.log(`launch ${n}: ${m}`);
  const dates = launchDates();
  const fx = writeBenchCycle({
    dir: path.join(ctx.runDir, 'cycles'),
    code: `BL${n}`,
    year: dates.year,
    units: n,
    issuedOn: dates.issuedOn,
    phases: dates.phases,
  });
  const profileDir = ctx.profile ? path.join(ctx.keepDir, 'profiles', `launch-${n}-worker`) : undefined;
  log('starting a fresh chuky worker (bundling the workflows)');
  const worker = await ctx.startWorker(`worker-launch-${n}`, { profileDir });
  let data: LaunchData | undefined;
  let window: { from: number | undefined; to: number | undefined } | undefined;
  try {
    await sleep(2_000);
    const idle = memoryOf(worker.pid);
    const sampler = cpuSampler(ctx).start();
    const t0 = Date.now();
    const started = await startCycle({ db: ctx.db, client: ctx.client, taskQueue: ctx.taskQueue, configFile: fx.file });
    const registeredS = (Date.now() - t0) / 1000;
    log(`cycle ${started.cycleId} registered and started in ${registeredS.toFixed(1)} s; waiting for ${n} plan notices`);
    const timeoutMs = 120_000 + n * 300;
    const show = progress(log, 'notices delivered', n);
    const failures = new Set<string>();
    let notices = { count: 0, firstAt: 0, lastAt: 0 };
    let lastDescribe = 0;
    let rssMax = 0;
    for (;;) {
      notices = await sinkCount(ctx.stack.sink, fx.domain, 'notice');
      const mem = memoryOf(worker.pid);
      if (mem) rssMax = Math.max(rssMax, mem.rssMb);
      show(notices.count, mem ? `worker RSS ${mem.rssMb.toFixed(0)} MB` : undefined);
      if (Date.now() - lastDescribe > 2_000) {
        lastDescribe = Date.now();
        const d = await ctx.client.workflow
          .getHandle(started.workflowId)
          .describe()
          .catch(() => undefined);
        for (const a of d?.raw.pendingActivities ?? []) {
          const message = a.lastFailure?.message;
          if (message) failures.add(`${a.activityType?.name ?? 'activity'} attempt ${a.attempt}: ${message}`.slice(0, 300));
        }
      }
      if (notices.count >= n) break;
      if (worker.exited()) throw new Error(`the worker exited during the launch; log: ${worker.logFile}`);
      if (Date.now() - t0 > timeoutMs) {
        log(`timed out after ${timeoutMs / 1000} s with ${notices.count}/${n} notices`);
        break;
      }
      await sleep(250);
    }
    const tEnd = Date.now();
    const cpu = sampler.stop();
    const end = memoryOf(worker.pid);
    const memory = await worker.request({ type: 'memory' }, 60_000).catch(() => undefined);
    const after = memory?.after as Record<string, number> | undefined;
    const events = await fetchEvents(ctx.client, cycleWorkflowId(started.cycleId));
    const batches = activityTimes(events, 'launchUnitBatch');
    const marked = activityTimes(events, 'markCycleLaunched');
    const allStartedAt = marked.scheduledAt[0] ?? batches.completedAt.at(-1);
    let openWorkflows: number | null = null;
    try {
      openWorkflows = (
        await ctx.client.workflow.count(
          `WorkflowType = 'unitWorkflow' AND ExecutionStatus = 'Running' AND ChukyCycle = '${started.cycleId}'`,
        )
      ).count;
    } catch {
      openWorkflows = null;
    }
    const limitLines = [...worker.limitErrors.lines, ...[...failures].filter((f) => LIMIT_ERROR.test(f))];
    const s = (at: number | undefined) => (at ? (at - t0) / 1000 : null);
    data = {
      units: n,
      cycleId: started.cycleId,
      completed: notices.count >= n,
      registeredS,
      allStartedS: s(allStartedAt),
      firstNoticeS: s(notices.firstAt || undefined),
      allNoticesS: notices.count >= n ? s(notices.lastAt) : null,
      notices: notices.count,
      startRate: allStartedAt ? n / ((allStartedAt - t0) / 1000) : null,
      noticeRate:
        notices.count > 1 && notices.lastAt > notices.firstAt ? notices.count / ((notices.lastAt - notices.firstAt) / 1000) : null,
      limitErrors: worker.limitErrors.count + [...failures].filter((f) => LIMIT_ERROR.test(f)).length,
      limitErrorLines: limitLines.slice(0, 10),
      activityFailures: [...failures].slice(0, 10),
      openWorkflows,
      worker: {
        idleRssMb: idle?.rssMb ?? null,
        rssMb: end?.rssMb ?? null,
        peakMb: end?.peakMb ?? (rssMax || null),
        afterGc:
          after && memory?.collected
            ? { rssMb: after.rss!, heapUsedMb: after.heapUsed!, heapTotalMb: after.heapTotal!, externalMb: after.external! }
            : null,
        maxCachedWorkflows: (worker.info.maxCachedWorkflows as number | undefined) ?? null,
        heapLimitMb: (worker.info.heapLimitMb as number | undefined) ?? null,
      },
      cpu,
      profiles: [],
    };
    window = { from: worker.monotonicUs(t0), to: worker.monotonicUs(tEnd) };
    ctx.launched.set(n, { cycleId: started.cycleId, units: n, unitCodes: fx.unitCodes, domain: fx.domain, configFile: fx.file });
    log(
      `all started at ${data.allStartedS?.toFixed(1) ?? '—'} s (${data.startRate?.toFixed(1) ?? '—'} ` +
        `units/s), all notices at ${data.allNoticesS?.toFixed(1) ?? '—'} s; ` +
        `worker RSS ${data.worker.rssMb?.toFixed(0)} MB (peak ${data.worker.peakMb?.toFixed(0)} MB); ${describeCpu(cpu)}`,
    );
  } finally {
    await worker.stop(60_000);
    ctx.processes.delete(worker.pid);
    await clearSink(ctx.stack.sink).catch(() => undefined);
  }
  if (profileDir && window?.from !== undefined && window.to !== undefined) {
    data.profiles = summariseProfileDir(profileDir, `chuky worker, launch of ${n} units (start → last notice only)`, {
      fromUs: window.from,
      toUs: window.to,
    });
  }
  return data;
}

export async function launchScenario(ctx: BenchContext): Promise<ScenarioResult> {
  const r = emptyResult('launch', 2, 'Cycle launch: every unit workflow running and its plan email delivered');
  const engine = ctx.results.find((x) => x.id === 'engine')?.data as { rate?: number; serialRate?: number } | undefined;
  const baseline = engine?.rate ?? null;
  const t = TARGET_SIZES[ctx.mode];
  const quick = ctx.mode === 'quick';
  const runs: LaunchData[] = [];
  for (const n of ctx.sizes.launch) {
    const d = await launchOne(ctx, n);
    runs.push(d);
    const ratio = d.startRate !== null && baseline ? d.startRate / baseline : null;
    r.figures.push({
      id: `launch.${n}.startRate`,
      label: `${n.toLocaleString('en')} units: unit workflows started per second`,
      value: d.startRate === null ? null : round(d.startRate, 1),
      unit: 'units/s',
      ratio: { to: 'engine baseline', value: ratio === null ? null : round(ratio, 2) },
      target: judge(ratio, { text: `≥ ${LAUNCH_RATIO_TARGET}× the engine baseline`, op: '>=', threshold: LAUNCH_RATIO_TARGET }),
    });
    r.figures.push({
      id: `launch.${n}.allNotices`,
      label: `${n.toLocaleString('en')} units: all plan emails delivered after`,
      value: d.allNoticesS === null ? null : round(d.allNoticesS, 1),
      unit: 's',
      ...(n === t.launchSmall
        ? {
            target: judge(d.allNoticesS, {
              text: quick ? '≤ 15 s (the target is for 150 units; judged at 50 in a quick run)' : '≤ 15 s for 150 units',
              op: '<=',
              threshold: 15,
            }),
          }
        : {}),
      ...(d.completed ? {} : { note: `timed out: ${d.notices}/${n} delivered` }),
    });
    r.figures.push({
      id: `launch.${n}.limitErrors`,
      label: `${n.toLocaleString('en')} units: limit errors (resource exhausted, rate limits)`,
      value: d.limitErrors,
      unit: 'errors',
      ...(n === t.launchLarge
        ? {
            target: judge(
              d.completed ? d.limitErrors : null,
              {
                text: quick ? 'none (the target is for 5,000 units; judged at 200 in a quick run)' : 'none at 5,000 units',
                op: '==',
                threshold: 0,
              },
              d.completed ? undefined : 'the launch did not complete',
            ),
          }
        : {}),
    });
    r.cpu.push({ window: `launch of ${n} units (start → last notice)`, split: d.cpu });
  }
  r.tables.push({
    title: 'Launch timeline (seconds from the startCycle call)',
    columns: [
      'units',
      'registered + cycle started',
      'all unit workflows started',
      'first notice',
      'all notices',
      'units/s started',
      'notices/s',
      'limit errors',
      'open unit workflows',
    ],
    rows: runs.map((d) => [
      d.units,
      round(d.registeredS, 2),
      d.allStartedS === null ? null : round(d.allStartedS, 1),
      d.firstNoticeS === null ? null : round(d.firstNoticeS, 1),
      d.allNoticesS === null ? null : round(d.allNoticesS, 1),
      d.startRate === null ? null : round(d.startRate, 1),
      d.noticeRate === null ? null : round(d.noticeRate, 1),
      d.limitErrors,
      d.openWorkflows,
    ]),
  });
  r.data = { baseline, serialBaseline: engine?.serialRate ?? null, runs: runs.map(({ profiles: _p, ...d }) => d) };

  // Evidence and findings.
  for (const d of runs) r.profiles.push(...d.profiles);
  const threads = runs.at(-1)?.profiles.find((p) => /other thread/.test(p.label));
  const zod = threads?.areas.find((a) => a.area.startsWith('zod '));
  if (threads && zod && zod.pct >= 5) {
    const domain = threads.areas.filter((a) => a.area.startsWith('chuky ')).reduce((n, a) => n + a.pct, 0);
    r.findings.push(
      `In the worker's workflow threads, zod took ${zod.pct.toFixed(0)}% of the sampled CPU of ` +
        `the ${runs.at(-1)!.units}-unit launch (chuky's own workflow and domain ` +
        `code ${domain.toFixed(0)}%, garbage ` +
        `collection ${(threads.areas.find((a) => a.area === '(garbage collector)')?.pct ?? 0).toFixed(0)}%). ` +
        ('With reuseV8Context (the SDK default) each workflow has its own module cache, so every unit ' +
          'workflow evaluates every module of the bundle when it starts, or is replayed after an ' +
          'eviction, and keeps its own copy: workflows/unit.ts imports domain/submissions.ts and ' +
          'domain/phases/*, whose zod schemas are all built at module load. Building them lazily (on the ' +
          'first validation of an Update) would spare most unit workflows both the CPU and the memory ' +
          '(scenario 7).'),
    );
  }
  const serial = engine?.serialRate;
  for (const d of runs) {
    if (d.startRate !== null && baseline && d.startRate / baseline < LAUNCH_RATIO_TARGET) {
      const bound = !serial
        ? ''
        : d.startRate < serial
          ? ` It is even below the engine's one-at-a-time rate (${serial.toFixed(1)} ` +
            `wf/s, ${(d.startRate / serial).toFixed(1)}×): each start also waits behind the work the units ` +
            `already started cause (their workflow tasks, recordTransition and sendUnitEmail activities) on ` +
            `the same worker and server`
          : ` It is ${(d.startRate / serial).toFixed(1)}× the engine's one-at-a-time rate (${serial.toFixed(1)} wf/s)`;
      r.findings.push(
        `Launch of ${d.units} units started ${d.startRate.toFixed(1)} unit ` +
          `workflows/s, ${((100 * d.startRate) / baseline).toFixed(0)}% of the engine baseline ` +
          `(${baseline.toFixed(1)} wf/s, empty workflows with many starts in flight).${bound}: ` +
          ('`launchUnitBatch` (activities/cycle.ts) keeps 32 starts in flight (a sliding window), the cycle ' +
            'workflow runs its batches of 200 one after another, and every unit started runs its first workflow ' +
            'task, its transitions and its notice on the same worker and server while the next ones start: the ' +
            "engine baseline's empty workflows do nothing once started. ") +
          `CPU during the launch: ${describeCpu(d.cpu)}.`,
      );
    }
    if (d.allNoticesS !== null && d.units === t.launchSmall && d.allNoticesS > 15) {
      r.findings.push(
        `${d.units} units took ${d.allNoticesS.toFixed(1)} s to receive every plan email (target 15 s); CPU: ${describeCpu(d.cpu)}.`,
      );
    }
    if (d.limitErrors > 0)
      r.findings.push(
        `Launch of ${d.units} units hit ${d.limitErrors} limit error(s): ${d.limitErrorLines
          .slice(0, 3)
          .map((l) => `\`${l}\``)
          .join('; ')}`,
      );
    if (d.activityFailures.length)
      r.findings.push(
        `Launch of ${d.units} units saw activity failures (retried): ${d.activityFailures
          .slice(0, 3)
          .map((l) => `\`${l}\``)
          .join('; ')}`,
      );
    if (!d.completed)
      r.findings.push(`Launch of ${d.units} units did not complete within its time limit: ${d.notices}/${d.units} plan emails delivered.`);
  }
  return r;
}
