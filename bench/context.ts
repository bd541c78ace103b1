/** What every scenario receives: the mode and its sizes, the stack, the runner's own clients, where to write. */
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { createPool, type Db } from '../db/pool.js';
import { benchScript, startChild, type Child } from './children.js';
import type { Log } from './log.js';
import type { ScenarioResult } from './results.js';
import type { BenchStack } from './stack.js';
import { CpuSampler } from './procs.js';

export type Mode = 'quick' | 'full';

export interface Sizes {
  /** Empty workflows started and finished by the engine baseline. */
  engineWorkflows: number;
  /** Levels of starts in flight for the engine baseline; the best is the engine's rate. */
  engineConcurrency: number[];
  /** Units of each launched cycle. */
  launch: number[];
  /** Concurrent submitters, and requests each level sends in all. */
  submitters: { concurrency: number; requests: number }[];
  /** Messages per email variant. */
  emails: number;
  /** Units of the rehearsed year. */
  rehearsalUnits: number;
  /** Units of a larger rehearsed year, timed beside it (`--large-rehearsal N`; none by default: see bench/README.md). */
  largeRehearsalUnits?: number;
  /** Units of the compiled reports. */
  report: number[];
  /** Units of the scale-out's cycle (launch, then the 08:00 burst, with 1 and with 2 worker processes). */
  scaleOut: number;
  /** The Party tree (issue 17): committees, each a child cycle of one province's cycle, and their units in all. */
  tree: { committees: number; units: number };
}

export const SIZES: Record<Mode, Sizes> = {
  full: {
    engineWorkflows: 2_000,
    engineConcurrency: [10, 100],
    launch: [150, 1_000, 5_000],
    submitters: [
      { concurrency: 1, requests: 100 },
      { concurrency: 20, requests: 400 },
      { concurrency: 100, requests: 1_000 },
    ],
    emails: 1_000,
    rehearsalUnits: 150,
    report: [150, 5_000],
    scaleOut: 2_000,
    tree: { committees: 20, units: 2_000 },
  },
  quick: {
    engineWorkflows: 200,
    engineConcurrency: [10, 50],
    launch: [50, 200],
    submitters: [
      { concurrency: 1, requests: 30 },
      { concurrency: 5, requests: 60 },
    ],
    emails: 100,
    rehearsalUnits: 20,
    report: [150, 500],
    scaleOut: 100,
    tree: { committees: 4, units: 100 },
  },
};

/** The sizes the targets speak of, and the size a quick run judges each target at instead. */
export const TARGET_SIZES: Record<
  Mode,
  { launchSmall: number; launchLarge: number; submitters: number; rehearsal: number; report: number; memory: number }
> = {
  full: { launchSmall: 150, launchLarge: 5_000, submitters: 20, rehearsal: 150, report: 5_000, memory: 5_000 },
  quick: { launchSmall: 50, launchLarge: 200, submitters: 5, rehearsal: 20, report: 500, memory: 200 },
};

export interface LaunchedCycle {
  cycleId: string;
  units: number;
  unitCodes: string[];
  domain: string;
  configFile: string;
}

export interface BenchContext {
  mode: Mode;
  sizes: Sizes;
  runDir: string;
  /** Where profiles and reports are kept after the run (.data/bench/last/…). */
  keepDir: string;
  profile: boolean;
  stack: BenchStack;
  db: Db;
  client: Client;
  taskQueue: string;
  signingSecret: string;
  log: Log;
  /** Results of the scenarios run so far (the memory scenario reads the launches'). */
  results: ScenarioResult[];
  /** Cycles launched so far, by unit count (the submission and email scenarios reuse one). */
  launched: Map<number, LaunchedCycle>;
  /** Known processes for the CPU split, by pid. */
  processes: Map<number, string>;
  /** Starts the production-wired chuky worker in a child process. */
  startWorker(name: string, opts?: { profileDir?: string | undefined; publicBaseUrl?: string }): Promise<Child>;
  startApi(name: string, opts?: { profileDir?: string | undefined }): Promise<Child>;
  close(): Promise<void>;
}

export async function createContext(p: {
  mode: Mode;
  runDir: string;
  keepDir: string;
  profile: boolean;
  stack: BenchStack;
  log: Log;
  /** The run's sizes when options change them (`--large-rehearsal`); the mode's otherwise. */
  sizes?: Sizes;
}): Promise<BenchContext> {
  const connection = await Connection.connect({ address: p.stack.temporalAddress });
  const client = new Client({ connection });
  const db = createPool(p.stack.databaseUrl, 10);
  const taskQueue = 'chuky-bench';
  const signingSecret = randomBytes(32).toString('hex');
  const processes = new Map<number, string>([
    ...p.stack.temporalProcesses().map((t) => [t.pid, t.label] as [number, string]),
    [p.stack.sink.pid, 'smtp sink'],
  ]);
  const childEnv = (extra: Record<string, string> = {}) => ({
    TEMPORAL_ADDRESS: p.stack.temporalAddress,
    TEMPORAL_NAMESPACE: 'default',
    DATABASE_URL: p.stack.databaseUrl,
    SMTP_URL: p.stack.smtpUrl,
    CHUKY_TASK_QUEUE: taskQueue,
    CHUKY_SIGNING_SECRET: signingSecret,
    CHUKY_DATA_DIR: p.runDir,
    ...extra,
  });
  const track = (child: Child, label: string) => {
    processes.set(child.pid, label);
    return child;
  };
  const ctx: BenchContext = {
    ...p,
    sizes: p.sizes ?? SIZES[p.mode],
    db,
    client,
    taskQueue,
    signingSecret,
    results: [],
    launched: new Map(),
    processes,
    startWorker: async (name, opts = {}) =>
      track(
        await startChild({
          name,
          script: benchScript('child-worker'),
          env: childEnv(opts.publicBaseUrl ? { PUBLIC_BASE_URL: opts.publicBaseUrl } : {}),
          logFile: path.join(p.runDir, 'logs', `${name.replace(/\W+/g, '-')}.log`),
          profileDir: opts.profileDir,
          execArgv: ['--expose-gc'],
        }),
        'chuky worker',
      ),
    startApi: async (name, opts = {}) =>
      track(
        await startChild({
          name,
          script: benchScript('child-api'),
          // The form throttle (api/form-throttle.ts: 300 posts per address in 10 minutes) would refuse the
          // submission scenario's posts, all from 127.0.0.1, after the 300th: the bench measures the path, not it.
          env: childEnv({ CHUKY_FORM_POSTS_PER_IP: '1000000', CHUKY_FORM_POSTS_PER_LINK: '100000' }),
          logFile: path.join(p.runDir, 'logs', `${name.replace(/\W+/g, '-')}.log`),
          profileDir: opts.profileDir,
        }),
        'chuky api',
      ),
    close: async () => {
      await db.end().catch(() => undefined);
      await connection.close().catch(() => undefined);
    },
  };
  return ctx;
}

/** A CPU sampler over the stack's processes (PostgreSQL's postmaster is looked up when sampled). */
export function cpuSampler(ctx: BenchContext): CpuSampler {
  return new CpuSampler(() => {
    const roots = new Map(ctx.processes);
    const pg = ctx.stack.pgPid();
    if (pg) roots.set(pg, 'postgres');
    return roots;
  });
}
