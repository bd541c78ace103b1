/** The worker: runs the workflows and the activities on the task queue. */
import { DefaultLogger, NativeConnection, Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities/index.js';
import { createEmailActivities } from '../activities/email.js';
import { EmailRelay } from './email-relay.js';
import { activityFailureRecorder } from './activity-failures.js';
import path from 'node:path';
import { bundleInChildProcess, bundleOptions, bundleSalt, workflowsPath } from './bundle.js';
import { bundleKey, readCachedBundle, writeCachedBundle } from './bundle-cache.js';
import { dataDir } from '../config/paths.js';

export const DEFAULT_MAX_CACHED_WORKFLOWS = 250;

let cachedBundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/**
 * Bundling takes seconds: a process that starts several workers (tests) bundles once, and the bundle is kept on
 * disk under a hash of its sources (workers/bundle-cache.ts), so a restarted worker polls again at once.
 */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  cachedBundle ??= (async () => {
    const entry = workflowsPath();
    const dir = path.join(dataDir(), 'cache', 'workflow-bundle');
    const key = bundleKey(entry, bundleSalt());
    const code = readCachedBundle(dir, key);
    if (code) return { code } as WorkflowBundleWithSourceMap;
    // Bundled in a child process, whose memory (webpack's) is returned when it exits; in this one if that fails.
    const built = await bundleInChildProcess().catch(async (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}; bundling in the worker's own process\n`);
      // webpack's module-by-module report is noise in a worker's log; warnings and errors still show.
      return (await bundleWorkflowCode({ ...bundleOptions(), logger: new DefaultLogger('WARN') })).code;
    });
    writeCachedBundle(dir, key, built);
    return { code: built } as WorkflowBundleWithSourceMap;
  })();
  return cachedBundle;
}

export async function createWorker(params: {
  connection: NativeConnection;
  namespace: string;
  deps: ActivityDeps;
  /** Cap concurrency in tests and benchmarks; production defaults are the SDK's. */
  maxConcurrentActivityTaskExecutions?: number;
  /** Workflows kept in memory between tasks (CHUKY_WORKER_CACHE); the rest are replayed from history when they wake. */
  maxCachedWorkflows?: number;
}): Promise<Worker> {
  // The worker's email relay (workers/email-relay.ts) runs while the worker runs: a worker is what sends.
  const relay = emailRelayFor(params.deps);
  const worker = await Worker.create({
    connection: params.connection,
    namespace: params.namespace,
    taskQueue: params.deps.taskQueue,
    workflowBundle: await workflowBundle(),
    activities: createActivities({ ...params.deps, onEmailRequested: () => relay.kick() }),
    // Failing activities noted in PostgreSQL: where `chuky stalled` looks instead of describing every workflow.
    interceptors: { activity: [activityFailureRecorder(params.deps.db)] },
    ...(params.maxConcurrentActivityTaskExecutions
      ? { maxConcurrentActivityTaskExecutions: params.maxConcurrentActivityTaskExecutions }
      : {}),
    // A cached unit workflow costs the worker under 1 MB (bench/README.md, "Worker memory"); the SDK's default
    // cache (sized from the heap, thousands of workflows) would hold a province's year in memory although a unit
    // workflow sleeps for days between reminders. A bounded cache keeps the worker's memory flat; a woken workflow
    // replays its history. 250 rather than fewer: at 100 the worker held only 26 MB less with 2,000 open units.
    maxCachedWorkflows: params.maxCachedWorkflows ?? DEFAULT_MAX_CACHED_WORKFLOWS,
  });
  return withEmailRelay(worker, relay);
}

const relays = new WeakMap<Worker, EmailRelay>();

/** The email relay of a worker's deps: it sends what that worker's activities ask for (tell it: `relay.kick`). */
export function emailRelayFor(deps: ActivityDeps): EmailRelay {
  return new EmailRelay({
    db: deps.db,
    client: deps.client,
    taskQueue: deps.taskQueue,
    send: createEmailActivities(deps).sendUnitEmail,
    log: (m) => process.stderr.write(`${m}\n`),
  });
}

/**
 * Runs `relay` while `worker` runs. run() is what runUntil() calls too: the relay starts with the polling and has
 * stopped when run() settles, its sends in progress finished (a request left unsent waits in PostgreSQL for the
 * next worker). For workers made with Worker.create (tests that run an older bundle); createWorker does it itself.
 */
export function withEmailRelay(worker: Worker, relay: EmailRelay): Worker {
  const run = worker.run.bind(worker);
  worker.run = async () => {
    relay.start();
    try {
      return await run();
    } finally {
      await relay.stop();
    }
  };
  relays.set(worker, relay);
  return worker;
}

/** The email relay of a worker made by createWorker: tests and the rehearsal wait for it to be idle. */
export function emailRelayOf(worker: Worker): EmailRelay {
  const relay = relays.get(worker);
  if (!relay) throw new Error('not a worker made by createWorker');
  return relay;
}
