/**
 * Wires the parts of a running chuky: Temporal connections, the database pool, the mailer, the worker and the
 * API. `chuky dev`, `chuky worker`, `chuky api` and the integration tests all start through here.
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { Env } from '../config/env.js';
import { createPool, type Db } from '../db/pool.js';
import { createMailer, type Mailer } from '../mail/transport.js';
import { startApi } from '../api/server.js';
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

export async function runWorker(runtime: Runtime, addresses: ServiceAddresses): Promise<{ worker: Worker; done: Promise<void>; connection: NativeConnection }> {
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
      // The console's "remind" repair sends as the worker does.
      mail: { mailer, mailFrom, publicBaseUrl, signingSecret, templatesDir },
    },
    port,
    host,
  );
}
