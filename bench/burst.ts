/**
 * A launch followed by an 08:00 burst, measured on whatever Temporal the bench runs (the scale-out and the
 * national slice run it on the real server). C committees' cycles are started on one compressed calendar with the
 * same real origin, so the plan phase's 08:00 opening — the instant every unit workflow sends its notice — falls
 * at one real instant for every unit of every cycle, `burstAfterS` seconds after the launch began: the launch is
 * measured first (every unit workflow started), then every open unit wakes at that same minute and the bench
 * counts the notices at the SMTP sink. Limit errors are counted from the workers' output, the bench's own client
 * calls and the Temporal server's log files; CPU and memory per process from /proc; PostgreSQL's databases by size.
 */
import fs from 'node:fs';
import path from 'node:path';
import { startCycle } from '../cli/commands/cycle.js';
import { addDays } from '../domain/calendar.js';
import { cycleWorkflowId } from '../domain/ids.js';
import { LIMIT_ERROR, type Child } from './children.js';
import { cpuSampler, type BenchContext } from './context.js';
import { writeBenchCycle, type BenchCycle } from './fixture.js';
import { activityTimes, fetchEvents } from './history.js';
import { progress } from './log.js';
import { memoryOf, type CpuSplit } from './procs.js';
import { pool, sleep } from './stats.js';
import { clearSink, sinkCountAll } from './stack.js';

export interface BurstOptions {
  /** Prefix of the committees' codes (each cycle has its own code and mail domain). */
  prefix: string;
  committees: number;
  /**
   * A Party tree: one more cycle, the province's (code `<prefix>P`), whose units are the committees; each
   * committee's cycle is its child (config `parent`), checked for the cascade when it starts. Its notices (one
   * per committee) are counted with the units'.
   */
  tree?: boolean;
  /** Units in all, shared out among the committees. */
  units: number;
  /** chuky worker processes polling the task queue. */
  workers: number;
  /** Seconds from the launch's start to the 08:00 opening; default from the size (see defaultBurstAfterS). */
  burstAfterS?: number;
  /** Cycles started at once (each startCycle registers its units in PostgreSQL, then starts the cycle workflow). */
  startConcurrency?: number;
}

/** Enough for the launch to finish before the burst at ~20 units/s (the dev server launched 33/s with one worker). */
export function defaultBurstAfterS(units: number): number {
  return Math.round(Math.max(45, 30 + units / 20));
}

export interface ProcessMemory {
  label: string;
  pid: number;
  /** Highest resident memory sampled during the run (for PostgreSQL: proportional, summed over its processes). */
  maxRssMb: number | null;
  /** Resident memory at the end. */
  endRssMb: number | null;
}

export interface LimitErrors {
  total: number;
  workers: number;
  client: number;
  server: number;
  /** The first lines of each source. */
  lines: string[];
}

export interface BurstData {
  committees: number;
  units: number;
  workers: number;
  engine: string;
  secondsPerDay: number;
  burstAfterS: number;
  launch: {
    /** Seconds from the first startCycle call until every cycle was registered and its workflow started. */
    registeredS: number;
    /** Seconds until every cycle's last unit workflow was started (its markCycleLaunched activity scheduled). */
    allStartedS: number | null;
    startRate: number | null;
    /** Unit workflows running when the burst fell due (visibility). */
    openAtBurst: number | null;
    finishedBeforeBurst: boolean;
  };
  burst: {
    /** Notices delivered, from the 08:00 instant: first, all, and the rate between first and last. */
    firstNoticeS: number | null;
    allNoticesS: number | null;
    notices: number;
    noticeRate: number | null;
    completed: boolean;
  };
  limitErrors: LimitErrors;
  memory: ProcessMemory[];
  cpu: { launch: CpuSplit; burst: CpuSplit };
  /** pg_database_size, bytes, at the end. */
  databases: Record<string, number | null>;
}

/** Proportional set size (shared pages divided among the processes sharing them), MB; undefined when unreadable. */
function pssMb(pid: number): number | undefined {
  try {
    const kb = Number(/^Pss:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? NaN);
    return Number.isFinite(kb) ? kb / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Memory of a process and its descendants (PostgreSQL's backends), MB: the sum of their proportional set sizes,
 * so shared buffers count once (their resident sizes where /proc does not give it).
 */
function treeRssMb(root: number): number | null {
  const parent = new Map<number, number>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const text = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      parent.set(Number(name), Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone
    }
  }
  const tree = new Set([root]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, ppid] of parent)
      if (!tree.has(pid) && tree.has(ppid)) {
        tree.add(pid);
        grew = true;
      }
  }
  let sum = 0;
  let any = false;
  for (const pid of tree) {
    const mb = pssMb(pid) ?? memoryOf(pid)?.rssMb;
    if (mb !== undefined && Number.isFinite(mb)) {
      sum += mb;
      any = true;
    }
  }
  return any ? sum : null;
}

/** Lines of the server's log files written since `offsets` was taken that match LIMIT_ERROR. */
function serverLimitLines(files: Map<string, number>): { count: number; lines: string[] } {
  let count = 0;
  const lines: string[] = [];
  for (const [file, offset] of files) {
    let text: string;
    try {
      text = fs.readFileSync(file).subarray(offset).toString('utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n')) {
      if (!LIMIT_ERROR.test(line)) continue;
      count += 1;
      if (lines.length < 5) lines.push(`${path.basename(file)}: ${line.slice(0, 300)}`);
    }
  }
  return { count, lines };
}

function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

export async function databaseSizes(ctx: BenchContext): Promise<Record<string, number | null>> {
  const { rows } = await ctx.db.query<{ datname: string; bytes: string }>(
    `SELECT datname, pg_database_size(datname)::bigint AS bytes FROM pg_database
      WHERE datname IN ('temporal', 'temporal_visibility', current_database()) ORDER BY datname`,
  );
  return Object.fromEntries(rows.map((r) => [r.datname, Number(r.bytes)]));
}

/** The committees' sizes: `units` shared out as evenly as possible (the first ones get the remainder). */
export function shareUnits(units: number, committees: number): number[] {
  const base = Math.floor(units / committees);
  return Array.from({ length: committees }, (_, i) => base + (i < units % committees ? 1 : 0));
}

export async function launchAndBurst(ctx: BenchContext, o: BurstOptions): Promise<BurstData> {
  const log = (m: string) => ctx.log(`${o.prefix}: ${m}`);
  if (o.committees < 1 || o.units < o.committees)
    throw new Error(`need at least one unit per committee (${o.units} units, ${o.committees} committees)`);
  const burstAfterS = o.burstAfterS ?? defaultBurstAfterS(o.units);
  // The plan phase opens at 08:00 of the calendar's first day: a third of a compressed day after its real origin.
  const secondsPerDay = Math.ceil(burstAfterS * 3);
  const year = new Date().getUTCFullYear();
  const opensOn = `${year}-03-02`;
  // The tree's root: started first, its units the committees (a child needs its superior's cycle in chuky).
  const province = o.tree
    ? writeBenchCycle({
        dir: path.join(ctx.runDir, 'cycles'),
        code: `${o.prefix}P`,
        year,
        units: o.committees,
        issuedOn: opensOn,
        phases: [{ id: 'plan', opensOn, deadline: addDays(opensOn, 70) }],
        closesOn: `${year}-12-31`,
      })
    : undefined;
  const cycles: BenchCycle[] = shareUnits(o.units, o.committees).map((n, i) =>
    writeBenchCycle({
      dir: path.join(ctx.runDir, 'cycles'),
      code: `${o.prefix}${String(i + 1).padStart(String(o.committees).length, '0')}`,
      year,
      units: n,
      issuedOn: opensOn,
      // Sixty calendar days: the first reminder falls dozens of compressed days after the burst, well after the run.
      phases: [{ id: 'plan', opensOn, deadline: addDays(opensOn, 60) }],
      closesOn: `${year}-12-31`,
      ...(province ? { parent: { committee: province.code, unit: province.unitCodes[i]! } } : {}),
    }),
  );
  const domains = [...(province ? [province.domain] : []), ...cycles.map((c) => c.domain)];
  /** Unit workflows and notices expected: the committees' units, and the province's (one per committee). */
  const expected = o.units + (province ? o.committees : 0);
  log(
    `${o.units.toLocaleString('en')} units in ${o.committees} committee cycle(s), ${o.workers} worker process(es); ` +
      `one calendar day = ${secondsPerDay} s, so every unit's 08:00 notice falls due ${burstAfterS} s after the launch starts`,
  );

  const workers: Child[] = [];
  const serverLogs = new Map(
    ctx.stack
      .temporalProcesses()
      .filter((p) => p.logFile)
      .map((p) => [p.logFile!, fileSize(p.logFile!)] as [string, number]),
  );
  const client = { count: 0, lines: [] as string[] };
  const clientError = (err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    if (!LIMIT_ERROR.test(message)) return false;
    client.count += 1;
    if (client.lines.length < 5) client.lines.push(`client: ${message.slice(0, 300)}`);
    return true;
  };
  const peaks = new Map<string, { pid: number; max: number; end: number | null; tree: boolean }>();
  const sampleMemory = () => {
    const known: { label: string; pid: number; tree: boolean }[] = [
      ...ctx.stack.temporalProcesses().map((p) => ({ label: p.label, pid: p.pid, tree: false })),
      ...workers.map((w, i) => ({ label: `chuky worker ${i + 1}`, pid: w.pid, tree: false })),
    ];
    const pg = ctx.stack.pgPid();
    if (pg) known.push({ label: 'postgres (all its processes)', pid: pg, tree: true });
    for (const k of known) {
      const rss = k.tree ? treeRssMb(k.pid) : (memoryOf(k.pid)?.rssMb ?? null);
      const p = peaks.get(k.label) ?? { pid: k.pid, max: 0, end: null, tree: k.tree };
      if (rss !== null) p.max = Math.max(p.max, rss);
      p.end = rss;
      peaks.set(k.label, p);
    }
  };
  let memoryTimer: NodeJS.Timeout | undefined;
  try {
    for (let i = 0; i < o.workers; i++) {
      log(`starting chuky worker ${i + 1}/${o.workers}`);
      workers.push(await ctx.startWorker(`worker-${o.prefix.toLowerCase()}-${i + 1}`));
    }
    await sleep(2_000);
    sampleMemory();
    memoryTimer = setInterval(sampleMemory, 1_000);
    memoryTimer.unref();

    const launchSampler = cpuSampler(ctx).start();
    const t0 = Date.now();
    // Every cycle gets the same real origin, so their 08:00 is one instant.
    const now = t0;
    const burstAt = now + 2_000 + (secondsPerDay * 1000) / 3;
    const cycleIds: string[] = [];
    if (province)
      cycleIds.push(
        (await startCycle({ db: ctx.db, client: ctx.client, taskQueue: ctx.taskQueue, configFile: province.file, secondsPerDay, now }))
          .cycleId,
      );
    const offset = cycleIds.length;
    await pool(cycles.length, o.startConcurrency ?? 4, async (i) => {
      for (let attempt = 1; ; attempt++) {
        try {
          const started = await startCycle({
            db: ctx.db,
            client: ctx.client,
            taskQueue: ctx.taskQueue,
            configFile: cycles[i]!.file,
            secondsPerDay,
            now,
          });
          cycleIds[offset + i] = started.cycleId;
          return;
        } catch (err) {
          if (!clientError(err) || attempt >= 10) throw err;
          await sleep(1_000 * attempt);
        }
      }
    });
    const registeredS = (Date.now() - t0) / 1000;
    log(`${cycles.length} cycle(s) registered and started in ${registeredS.toFixed(1)} s; waiting for every unit workflow`);

    // Unit workflows running, by the visibility store (the same query an operator would run).
    const inList = cycleIds.map((id) => `'${id}'`).join(', ');
    const openUnits = async () => {
      try {
        return (
          await ctx.client.workflow.count(`WorkflowType = 'unitWorkflow' AND ExecutionStatus = 'Running' AND ChukyCycle IN (${inList})`)
        ).count;
      } catch (err) {
        clientError(err);
        return null;
      }
    };
    const showStarted = progress(log, 'unit workflows running', expected);
    let open: number | null = 0;
    while (Date.now() < burstAt - 1_000) {
      open = await openUnits();
      showStarted(open ?? 0);
      if (open !== null && open >= expected) break;
      for (const w of workers) if (w.exited()) throw new Error(`${w.name} exited during the launch; log: ${w.logFile}`);
      await sleep(1_000);
    }
    // The precise end of the launch: when each cycle workflow scheduled its markCycleLaunched (after its last
    // batch; it follows the last start by a moment, so it is waited for until the burst).
    const ends = new Map<string, number>();
    for (;;) {
      for (const id of cycleIds) {
        if (ends.has(id)) continue;
        const events = await fetchEvents(ctx.client, cycleWorkflowId(id)).catch((err: unknown) => (clientError(err), []));
        const marked = activityTimes(events, 'markCycleLaunched').scheduledAt[0];
        if (marked) ends.set(id, marked);
      }
      if (ends.size === cycleIds.length || Date.now() >= burstAt - 1_000) break;
      await sleep(1_000);
    }
    const allMarked = ends.size === cycleIds.length;
    const allStartedAt = allMarked ? Math.max(...ends.values()) : undefined;
    const launchCpu = launchSampler.stop();
    const finishedBeforeBurst = allStartedAt !== undefined && allStartedAt < burstAt;
    if (!finishedBeforeBurst)
      log(
        `the launch had not finished ${burstAfterS} s in (${open ?? '?'}/${expected} unit workflows running): the burst ` +
          'overlaps it; pass a larger --burst-after',
      );
    else log(`every unit workflow started ${((allStartedAt - t0) / 1000).toFixed(1)} s after the launch began; waiting for 08:00`);

    while (Date.now() < burstAt) await sleep(Math.min(1_000, burstAt - Date.now()));
    log(`08:00: ${expected.toLocaleString('en')} notices fall due now`);
    const burstSampler = cpuSampler(ctx).start();
    const timeoutMs = 300_000 + expected * 200;
    const showNotices = progress(log, 'notices delivered', expected);
    let notices = { count: 0, firstAt: 0, lastAt: 0, total: 0 };
    for (;;) {
      notices = await sinkCountAll(ctx.stack.sink, domains, 'notice');
      showNotices(notices.count);
      if (notices.count >= expected) break;
      for (const w of workers) if (w.exited()) throw new Error(`${w.name} exited during the burst; log: ${w.logFile}`);
      if (Date.now() - burstAt > timeoutMs) {
        log(`timed out after ${timeoutMs / 1000} s with ${notices.count}/${expected} notices`);
        break;
      }
      await sleep(500);
    }
    const burstCpu = burstSampler.stop();
    clearInterval(memoryTimer);
    sampleMemory();
    const server = serverLimitLines(serverLogs);
    const workerCount = workers.reduce((n, w) => n + w.limitErrors.count, 0);
    const s = (at: number) => (at ? (at - burstAt) / 1000 : null);
    const completed = notices.count >= expected;
    const data: BurstData = {
      committees: o.committees,
      units: o.units,
      workers: o.workers,
      engine: ctx.stack.engine,
      secondsPerDay,
      burstAfterS,
      launch: {
        registeredS,
        allStartedS: allStartedAt ? (allStartedAt - t0) / 1000 : null,
        startRate: allStartedAt ? expected / ((allStartedAt - t0) / 1000) : null,
        openAtBurst: open,
        finishedBeforeBurst,
      },
      burst: {
        firstNoticeS: s(notices.firstAt),
        allNoticesS: completed ? s(notices.lastAt) : null,
        notices: notices.count,
        noticeRate:
          notices.count > 1 && notices.lastAt > notices.firstAt ? notices.count / ((notices.lastAt - notices.firstAt) / 1000) : null,
        completed,
      },
      limitErrors: {
        total: workerCount + client.count + server.count,
        workers: workerCount,
        client: client.count,
        server: server.count,
        lines: [
          ...workers.flatMap((w) => w.limitErrors.lines.slice(0, 3).map((l) => `${w.name}: ${l}`)),
          ...client.lines,
          ...server.lines,
        ].slice(0, 12),
      },
      memory: [...peaks.entries()].map(([label, p]) => ({
        label,
        pid: p.pid,
        maxRssMb: p.max || null,
        endRssMb: p.end,
      })),
      cpu: { launch: launchCpu, burst: burstCpu },
      databases: await databaseSizes(ctx).catch(() => ({})),
    };
    log(
      `launch ${data.launch.allStartedS?.toFixed(1) ?? '—'} s (${data.launch.startRate?.toFixed(1) ?? '—'} units/s); ` +
        `burst: all ${notices.count} notices ${data.burst.allNoticesS?.toFixed(1) ?? '—'} s after 08:00; ` +
        `${data.limitErrors.total} limit error(s)`,
    );
    return data;
  } finally {
    if (memoryTimer) clearInterval(memoryTimer);
    for (const w of workers) {
      await w.stop(60_000).catch(() => undefined);
      ctx.processes.delete(w.pid);
    }
    await clearSink(ctx.stack.sink).catch(() => undefined);
  }
}
