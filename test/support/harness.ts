/**
 * A chuky under test: real PostgreSQL and SMTP from the global setup, a worker in this process on its own task
 * queue, against either the shared dev server or a fresh time-skipping test server.
 */
import { inject } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { timeSkippingEnvAt } from '../../stack/test-server.js';
import { createPool, type Db } from '../../db/pool.js';
import { createMailer, type Mailer } from '../../mail/transport.js';
import type { ActivityDeps } from '../../activities/index.js';
import { createWorker } from '../../workers/worker.js';
import { loadEnv, type Env } from '../../config/env.js';

// Tests read assertions, not the SDK's INFO lines (worker state changes); warnings and errors still show.
try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // Already installed in this process by another test file's import.
}

export interface Harness {
  client: Client;
  db: Db;
  mailer: Mailer;
  env: Env;
  deps: ActivityDeps;
  worker: Worker;
  /** The worker's connection: a test that restarts the worker creates the next one on it. */
  nativeConnection: NativeConnection;
  testEnv?: TestWorkflowEnvironment;
  inboxUrl: string;
  /** Runs `fn` while the worker polls; the worker stops when `fn` settles. */
  run<T>(fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export async function startHarness(opts: { taskQueue: string; timeSkipping?: boolean; publicBaseUrl?: string }): Promise<Harness> {
  const services = inject('services');
  const env: Env = { ...loadEnv({}), taskQueue: opts.taskQueue, ...(opts.publicBaseUrl ? { publicBaseUrl: opts.publicBaseUrl } : {}) };
  let client: Client;
  let nativeConnection: NativeConnection;
  let testEnv: TestWorkflowEnvironment | undefined;
  let closeConnections: () => Promise<void>;
  if (opts.timeSkipping) {
    testEnv = await timeSkippingEnvAt(services.testServerPath);
    client = testEnv.client;
    nativeConnection = testEnv.nativeConnection;
    closeConnections = () => testEnv!.teardown();
  } else {
    const connection = await Connection.connect({ address: services.temporalAddress });
    client = new Client({ connection });
    nativeConnection = await NativeConnection.connect({ address: services.temporalAddress });
    closeConnections = async () => {
      await nativeConnection.close();
      await connection.close();
    };
  }
  const db = createPool(services.databaseUrl);
  const mailer = createMailer(services.smtpUrl);
  const deps: ActivityDeps = {
    db,
    mailer,
    client,
    taskQueue: opts.taskQueue,
    mailFrom: env.mailFrom,
    publicBaseUrl: env.publicBaseUrl,
    signingSecret: env.signingSecret,
    searchAttributes: !opts.timeSkipping,
  };
  const worker = await createWorker({ connection: nativeConnection, namespace: 'default', deps });
  return {
    client,
    db,
    mailer,
    env,
    deps,
    worker,
    nativeConnection,
    ...(testEnv ? { testEnv } : {}),
    inboxUrl: services.inboxUrl,
    run: (fn) => worker.runUntil(fn),
    close: async () => {
      mailer.close();
      await db.end();
      await closeConnections();
    },
  };
}
