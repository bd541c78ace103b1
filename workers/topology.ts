/**
 * The production shape, on one machine: Temporal (the real server on PostgreSQL, or the CLI's dev server), chuky's
 * PostgreSQL, the SMTP sink, N `chuky worker` processes and M `chuky api` processes behind one address. Each
 * worker and API is its own OS process, configured only through the environment variables production uses
 * (docker-compose.yml's x-chuky-env), and restarted when it dies, as a container runtime would. `chuky stack up`
 * runs it; the tests of the production shape and the fault suite start it too.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { migrate } from '../db/migrate.js';
import { projectRoot } from '../config/paths.js';
import type { EmbeddedPostgres } from '../stack/postgres.js';
import type { SmtpSink } from '../stack/smtp-sink.js';
import type { DevServer } from '../stack/temporal-dev-server.js';
import type { ServerService, TemporalServer } from '../stack/temporal-server.js';
import { freePort, isPortFree } from '../stack/ports.js';
import { startApiProxy, type ApiProxy } from './api-proxy.js';
import { Supervisor } from './supervise.js';

export type Engine = 'dev' | 'server';

export interface TopologyOptions {
  engine: Engine;
  /** The real server as one process per service (frontend, history, matching, worker). */
  split?: boolean;
  workers: number;
  apis: number;
  /** Data folder: PostgreSQL's cluster, Temporal's config and logs, mail, each process's log. */
  root: string;
  /** Take the usual ports (7233, 5433, 1025, 3000) when free, as `chuky dev` does. */
  fixedPorts?: boolean;
  historyShards?: number;
  /** Extra environment for the worker and API processes (e.g. CHUKY_UPDATE_TIMEOUT_MS). */
  env?: Record<string, string>;
  /** The chuky program the processes run; default the compiled dist/cli/chuky.js. */
  chukyScript?: string;
  log?: (m: string) => void;
  mailLog?: (m: string) => void;
  startTimeoutMs?: number;
}

export interface Topology {
  engine: Engine;
  temporalAddress: string;
  namespace: string;
  databaseUrl: string;
  smtpUrl: string;
  inboxUrl: string;
  /** The proxy's address: PUBLIC_BASE_URL of every process. */
  publicUrl: string;
  apiUrls: string[];
  apiToken: string;
  signingSecret: string;
  /** The environment every worker and API process gets (what production sets). */
  processEnv: Record<string, string>;
  workers: Supervisor[];
  apis: Supervisor[];
  proxy: ApiProxy;
  server?: TemporalServer | undefined;
  devServer?: DevServer | undefined;
  postgres: EmbeddedPostgres;
  sink: SmtpSink;
  /** Waits until `count` distinct workers poll both task types (workflow and activity). */
  waitForWorkers(count: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export function defaultChukyScript(): string {
  return path.join(projectRoot(), 'dist', 'cli', 'chuky.js');
}

async function preferred(port: number, fixed: boolean | undefined): Promise<number | undefined> {
  return fixed && (await isPortFree(port)) ? port : undefined;
}

/** A random secret kept in the data folder (mode 0600), so links signed before a restart still verify after it. */
function keptSecret(file: string): string {
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  const secret = randomBytes(32).toString('base64url');
  fs.writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

async function pollerIdentities(connection: Connection, namespace: string, taskQueue: string): Promise<Set<string>> {
  const seen: Array<Set<string>> = [];
  for (const taskQueueType of [1, 2]) {
    const res = await connection.workflowService.describeTaskQueue({ namespace, taskQueue: { name: taskQueue, kind: 1 }, taskQueueType });
    seen.push(new Set((res.pollers ?? []).map((p) => p.identity ?? '').filter(Boolean)));
  }
  // A worker counts once it polls for both workflow and activity tasks.
  return new Set([...seen[0]!].filter((id) => seen[1]!.has(id)));
}

export async function startTopology(o: TopologyOptions): Promise<Topology> {
  const log = o.log ?? (() => undefined);
  const root = path.resolve(o.root);
  fs.mkdirSync(root, { recursive: true, mode: 0o700 });
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => undefined);
  };
  try {
    // Loaded here: these start local services, and their packages are development tools (not in a production install).
    const { startEmbeddedPostgres } = await import('../stack/postgres.js');
    const { startSmtpSink } = await import('../stack/smtp-sink.js');
    const pgPort = await preferred(5433, o.fixedPorts);
    const postgres = await startEmbeddedPostgres({ dataDir: path.join(root, 'postgres'), log, ...(pgPort ? { port: pgPort } : {}) });
    stops.push(() => postgres.stop());

    const temporalPort = await preferred(7233, o.fixedPorts);
    let server: TemporalServer | undefined;
    let devServer: DevServer | undefined;
    let temporalAddress: string;
    const namespace = 'default';
    if (o.engine === 'server') {
      const { startTemporalServer } = await import('../stack/temporal-server.js');
      // Temporal's own databases on the same PostgreSQL instance, never in chuky's database.
      server = await startTemporalServer({
        postgresUrl: postgres.url,
        dir: path.join(root, 'temporal-server'),
        split: o.split ?? false,
        namespace,
        log,
        ...(temporalPort ? { port: temporalPort } : {}),
        ...(o.historyShards ? { historyShards: o.historyShards } : {}),
        ...(o.startTimeoutMs ? { startTimeoutMs: o.startTimeoutMs } : {}),
      });
      stops.push(() => server!.stop());
      temporalAddress = server.address;
    } else {
      const { startDevServer } = await import('../stack/temporal-dev-server.js');
      devServer = await startDevServer({
        dbFile: path.join(root, 'temporal', 'temporal.sqlite'),
        namespace,
        log,
        ...(temporalPort ? { port: temporalPort } : {}),
      });
      stops.push(() => devServer!.stop());
      temporalAddress = devServer.address;
    }

    await migrate(postgres.url, log);
    const smtpPort = await preferred(1025, o.fixedPorts);
    const inboxPort = await preferred(1080, o.fixedPorts);
    const sink = await startSmtpSink({
      storeDir: path.join(root, 'mail'),
      log: o.mailLog ?? (() => undefined),
      ...(smtpPort ? { port: smtpPort } : {}),
      ...(inboxPort ? { httpPort: inboxPort } : {}),
    });
    stops.push(() => sink.stop());

    const publicPort = (await preferred(3000, o.fixedPorts)) ?? (await freePort());
    const apiPorts: number[] = [];
    while (apiPorts.length < o.apis) {
      const p = await freePort();
      if (p !== publicPort && !apiPorts.includes(p)) apiPorts.push(p);
    }
    const apiUrls = apiPorts.map((p) => `http://127.0.0.1:${p}`);
    const publicUrl = `http://127.0.0.1:${publicPort}`;
    const signingSecret = keptSecret(path.join(root, 'signing-secret.txt'));
    const apiToken = keptSecret(path.join(root, 'api-token.txt'));
    const processEnv: Record<string, string> = {
      TEMPORAL_ADDRESS: temporalAddress,
      TEMPORAL_NAMESPACE: namespace,
      CHUKY_TASK_QUEUE: process.env.CHUKY_TASK_QUEUE || 'chuky',
      DATABASE_URL: postgres.url,
      SMTP_URL: sink.url,
      PUBLIC_BASE_URL: publicUrl,
      CHUKY_SIGNING_SECRET: signingSecret,
      CHUKY_API_TOKEN: apiToken,
      // The APIs sit behind the proxy: the client's address is the proxy's X-Forwarded-For.
      CHUKY_TRUST_PROXY: 'true',
      // A process of this stack never falls back to another stack's .data/services.json.
      CHUKY_DATA_DIR: root,
      ...(devServer ? { TEMPORAL_UI_URL: devServer.uiUrl } : {}),
      ...(o.env ?? {}),
    };
    // Only what production sets, plus what a process needs to run at all (PATH, HOME, locale).
    const base = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'NODE_OPTIONS', 'TMPDIR'].includes(k)),
    );
    const script = o.chukyScript ?? defaultChukyScript();
    const say = (m: string) => log(m);
    const workers = Array.from({ length: o.workers }, (_, i) => {
      const s = new Supervisor({
        name: `worker ${i + 1}`,
        command: process.execPath,
        args: [script, 'worker'],
        env: { ...base, ...processEnv },
        logFile: path.join(root, 'logs', `worker-${i + 1}.log`),
        say,
      });
      s.start();
      return s;
    });
    stops.push(async () => {
      await Promise.all(workers.map((w) => w.stop()));
    });
    const apis = apiPorts.map((port, i) => {
      const s = new Supervisor({
        name: `api ${i + 1}`,
        command: process.execPath,
        args: [script, 'api', '--port', String(port)],
        env: { ...base, ...processEnv, API_PORT: String(port) },
        logFile: path.join(root, 'logs', `api-${i + 1}.log`),
        say,
      });
      s.start();
      return s;
    });
    stops.push(async () => {
      await Promise.all(apis.map((a) => a.stop()));
    });
    // Only the APIs whose process runs get requests; a killed one's share goes to the others until it is back.
    const proxy = await startApiProxy(() => apiUrls.filter((_, i) => apis[i]!.pid !== undefined), publicPort);
    stops.push(() => proxy.close());

    const waitForWorkers = async (count: number, timeoutMs = 120_000) => {
      const connection = await Connection.connect({ address: temporalAddress });
      try {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const ids = await pollerIdentities(connection, namespace, processEnv.CHUKY_TASK_QUEUE!);
          const live = new Set(workers.map((w) => w.pid).filter(Boolean));
          // Identities are "pid@host": count the ones of workers running now, not of killed ones still remembered.
          const polling = [...ids].filter((id) => live.has(Number(id.split('@')[0])));
          if (polling.length >= count) return;
          if (Date.now() > deadline)
            throw new Error(`only ${polling.length} of ${count} workers poll ${processEnv.CHUKY_TASK_QUEUE} after ${timeoutMs} ms`);
          await new Promise((r) => setTimeout(r, 500));
        }
      } finally {
        await connection.close();
      }
    };
    const apisUp = async (timeoutMs = 120_000) => {
      const deadline = Date.now() + timeoutMs;
      for (const url of apiUrls) {
        for (;;) {
          const ok = await fetch(`${url}/healthz`).then(
            (r) => r.ok,
            () => false,
          );
          if (ok) break;
          if (Date.now() > deadline)
            throw new Error(`${url}/healthz did not answer within ${timeoutMs} ms (log: ${path.join(root, 'logs')})`);
          await new Promise((r) => setTimeout(r, 250));
        }
      }
    };
    await Promise.all([waitForWorkers(o.workers), apisUp()]);

    return {
      engine: o.engine,
      temporalAddress,
      namespace,
      databaseUrl: postgres.url,
      smtpUrl: sink.url,
      inboxUrl: sink.inboxUrl,
      publicUrl,
      apiUrls,
      apiToken,
      signingSecret,
      processEnv,
      workers,
      apis,
      proxy,
      server,
      devServer,
      postgres,
      sink,
      waitForWorkers,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** The services a split server runs, for messages and the fault suite. */
export type { ServerService };
