/**
 * Wires the parts of a running chuky: Temporal connections, the database pool, the mailer, the worker and the
 * API. `chuky dev`, `chuky worker`, `chuky api` and the integration tests all start through here.
 */
import v8 from 'node:v8';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { Env } from '../config/env.js';
import { createPool, type Db } from '../db/pool.js';
import { createMailer, type Mailer } from '../mail/transport.js';
import type { ActivityDeps } from '../activities/index.js';
import { createWorker } from './worker.js';
import type { ServiceAddresses } from './services.js';

export interface Runtime {
  client: Client;
  /** Where the console links workflows to (the dev server's Web UI when `chuky dev` started it). */
  temporalUiUrl?: string | undefined;
  namespace: string;
  db: Db;
  mailer: Mailer;
  activityDeps: ActivityDeps;
  /** CHUKY_WORKER_CACHE: workflows the worker keeps in memory. */
  workerCache?: number | undefined;
  close(): Promise<void>;
}

export async function connectRuntime(env: Env, addresses: ServiceAddresses, opts: { searchAttributes?: boolean } = {}): Promise<Runtime> {
  const connection = await Connection.connect({ address: addresses.temporalAddress });
  const client = new Client({ connection, namespace: addresses.temporalNamespace });
  const db = createPool(addresses.databaseUrl);
  const mailer = createMailer(addresses.smtpUrl);
  const activityDeps: ActivityDeps = {
    db,
    mailer,
    client,
    taskQueue: env.taskQueue,
    mailFrom: env.mailFrom,
    publicBaseUrl: env.publicBaseUrl,
    signingSecret: env.signingSecret,
    templatesDir: env.templatesDir,
    searchAttributes: opts.searchAttributes ?? true,
  };
  return {
    client,
    temporalUiUrl: addresses.temporalUiUrl,
    namespace: addresses.temporalNamespace,
    db,
    mailer,
    activityDeps,
    workerCache: env.workerCache,
    close: async () => {
      mailer.close();
      await db.end();
      await connection.close();
    },
  };
}

/**
 * V8 flags a worker process runs with: CHUKY_WORKER_V8_FLAGS (flags separated by spaces; `none` for none). By
 * default the young generation's semi-spaces are capped at 2 MB (V8's default grows them to 16 MB, per thread)
 * and the heap may grow 30% past what survived the last full collection before the next one (V8 lets it grow up
 * to fourfold): a worker with 5,000 open unit workflows then held 437 MB instead of 594 MB, for about 3% more
 * CPU (`--optimize-for-size`: 387 MB, but 40% more CPU and a slower launch; bench/README.md, "Worker memory").
 * Set before the workflow thread starts, so its heap is configured with them too.
 */
export const DEFAULT_WORKER_V8_FLAGS = '--max-semi-space-size=2 --heap-growing-percent=30';

export function workerV8Flags(value: string | undefined = process.env.CHUKY_WORKER_V8_FLAGS): string[] {
  const text = value?.trim() || DEFAULT_WORKER_V8_FLAGS;
  if (text === 'none') return [];
  const flags = text.split(/\s+/);
  const bad = flags.filter((f) => !/^--[a-z0-9][a-z0-9_-]*(=\S+)?$/i.test(f));
  if (bad.length)
    throw new Error(
      `CHUKY_WORKER_V8_FLAGS: ${bad.join(' ')} is not a V8 flag (flags look like --optimize-for-size ` +
        `or --max-semi-space-size=4; \`none\` for none)`,
    );
  return flags;
}

export async function runWorker(
  runtime: Runtime,
  addresses: ServiceAddresses,
): Promise<{ worker: Worker; done: Promise<void>; connection: NativeConnection }> {
  for (const flag of workerV8Flags()) v8.setFlagsFromString(flag);
  const connection = await NativeConnection.connect({ address: addresses.temporalAddress });
  const worker = await createWorker({
    connection,
    namespace: addresses.temporalNamespace,
    deps: runtime.activityDeps,
    ...(runtime.workerCache ? { maxCachedWorkflows: runtime.workerCache } : {}),
  });
  const done = worker.run().finally(() => connection.close());
  return { worker, done, connection };
}

export async function runApi(runtime: Runtime, env: Env, port = env.apiPort, host = '127.0.0.1') {
  const { mailer, mailFrom, publicBaseUrl, signingSecret, templatesDir } = runtime.activityDeps;
  // Loaded here, not with this module: a worker process (`chuky worker`) never serves the API, and the API, the
  // console and what they import cost it tens of MB of memory (bench/README.md, "Worker memory").
  const { startApi } = await import('../api/server.js');
  return startApi(
    {
      db: runtime.db,
      client: runtime.client,
      signingSecret: env.signingSecret,
      apiToken: env.apiToken,
      taskQueue: env.taskQueue,
      namespace: runtime.namespace,
      temporalUiUrl: runtime.temporalUiUrl,
      publicBaseUrl: env.publicBaseUrl,
      formThrottle: env.formThrottle,
      console: { trustProxy: env.trustProxy },
      // In production the operator API answers only with CHUKY_API_TOKEN: without one it is closed, not open.
      requireApiToken: process.env.NODE_ENV === 'production',
      // The console's "remind" repair sends as the worker does.
      mail: { mailer, mailFrom, publicBaseUrl, signingSecret, templatesDir },
    },
    port,
    host,
  );
}
