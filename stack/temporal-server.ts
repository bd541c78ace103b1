// Runs the real Temporal server on PostgreSQL — the production shape — on this machine: its own two databases
// (temporal, temporal_visibility) on a PostgreSQL instance chuky's data may share, the release's schemas applied
// with its sql tool, SQL visibility, and either one process with every service or one process per service
// (frontend, history, matching, worker), each of which can be stopped and started alone.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import YAML from 'yaml';
import { watchChild, type WatchedChild } from './child-process.js';
import { defaultLog, type StackLog } from './log.js';
import { freePort, isPortFree, waitForPort } from './ports.js';
import { describeResult, runCommand, succeeded } from './run-command.js';
import { connectWhenServing, prepareNamespace } from './temporal-dev-server.js';
import { ensureTemporalServer, TEMPORAL_SERVER_VERSION, type TemporalServerBinaries } from './temporal-server-binaries.js';
import { projectRoot } from '../config/paths.js';

export const SERVER_SERVICES = ['frontend', 'history', 'matching', 'worker'] as const;
export type ServerService = (typeof SERVER_SERVICES)[number];

/** The dynamic config docker-compose.yml mounts too: one file, so the tested server runs with what is deployed. */
export function dynamicConfigFile(): string {
  return join(projectRoot(), 'config', 'temporal', 'dynamicconfig.yaml');
}

export interface TemporalServerOptions {
  /** A PostgreSQL superuser URL (postgres://user:password@host:port/any); the server's databases are created there. */
  postgresUrl: string;
  /** Config, pid files and logs; kept across runs. */
  dir: string;
  /** One process per service (true) or one process for all (default). */
  split?: boolean;
  /** Frontend gRPC port; a free one when omitted. */
  port?: number;
  /** History shards; fixed once the databases exist (default 4: this machine; production sizes it, see docs/SCALE.md). */
  historyShards?: number;
  /** Database names; default temporal and temporal_visibility. */
  databases?: { main: string; visibility: string };
  namespace?: string;
  log?: StackLog;
  startTimeoutMs?: number;
}

export interface TemporalServer {
  address: string;
  namespace: string;
  version: string;
  /** The services this server runs, each a process of its own when split. */
  processes(): Array<{ name: string; pid: number | undefined; logFile: string; running: boolean }>;
  /** Stops one service's process (split mode; in single mode the name is `all`). */
  stopService(name: ServerService | 'all', signal?: NodeJS.Signals): Promise<void>;
  /** Starts one service's process again and waits until it serves. */
  startService(name: ServerService | 'all'): Promise<void>;
  restartService(name: ServerService | 'all', signal?: NodeJS.Signals): Promise<void>;
  stop(): Promise<void>;
}

interface Ports {
  frontend: { grpc: number; http: number; membership: number };
  history: { grpc: number; membership: number };
  matching: { grpc: number; membership: number };
  worker: { grpc: number; membership: number };
}

async function pickPorts(frontendPort: number | undefined): Promise<Ports> {
  const taken = new Set<number>();
  const next = async () => {
    for (;;) {
      const p = await freePort();
      if (!taken.has(p)) {
        taken.add(p);
        return p;
      }
    }
  };
  if (frontendPort !== undefined) taken.add(frontendPort);
  return {
    frontend: { grpc: frontendPort ?? (await next()), http: await next(), membership: await next() },
    history: { grpc: await next(), membership: await next() },
    matching: { grpc: await next(), membership: await next() },
    worker: { grpc: await next(), membership: await next() },
  };
}

interface Pg {
  host: string;
  port: number;
  user: string;
  password: string;
}

function parsePostgresUrl(url: string): Pg {
  const u = new URL(url);
  return {
    host: u.hostname || '127.0.0.1',
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
  };
}

/**
 * The server's config, from the release's own template (development-postgres12.yaml) with only what differs here
 * replaced: the databases, the ports, the shard count, logs (to the process's output, which goes to a file),
 * no metrics or pprof listeners (they would take fixed ports), no archival.
 */
export function renderServerConfig(
  template: string,
  o: { pg: Pg; ports: Ports; shards: number; databases: { main: string; visibility: string }; dynamicConfig: string },
): string {
  const doc = YAML.parse(template) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  doc.log = { stdout: true, level: 'warn' };
  const store = (databaseName: string, maxConns: number) => ({
    sql: {
      pluginName: 'postgres12',
      databaseName,
      connectAddr: `${o.pg.host}:${o.pg.port}`,
      connectProtocol: 'tcp',
      user: o.pg.user,
      password: o.pg.password,
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  });
  doc.persistence.numHistoryShards = o.shards;
  doc.persistence.datastores = {
    'postgres-default': store(o.databases.main, 20),
    'postgres-visibility': store(o.databases.visibility, 10),
  };
  delete doc.global.pprof;
  delete doc.global.metrics;
  doc.global.membership = { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' };
  for (const service of SERVER_SERVICES) {
    const p = o.ports[service];
    doc.services[service] = {
      rpc: {
        grpcPort: p.grpc,
        membershipPort: p.membership,
        bindOnLocalHost: true,
        ...(service === 'frontend' ? { httpPort: o.ports.frontend.http } : {}),
      },
    };
  }
  doc.clusterMetadata.clusterInformation.active.rpcAddress = `127.0.0.1:${o.ports.frontend.grpc}`;
  doc.archival = { history: { state: 'disabled' }, visibility: { state: 'disabled' } };
  doc.namespaceDefaults = { archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } } };
  doc.dynamicConfigClient = { filepath: o.dynamicConfig, pollInterval: '10s' };
  return YAML.stringify(doc);
}

async function sqlTool(bin: TemporalServerBinaries, pg: Pg, database: string, args: string[]) {
  return runCommand(
    bin.sqlTool,
    ['--plugin', 'postgres12', '--endpoint', pg.host, '--port', String(pg.port), '--user', pg.user, '--database', database, ...args],
    // The password through the environment, not argv (ps shows argv to every user of the machine).
    { env: { ...process.env, SQL_PASSWORD: pg.password }, timeoutMs: 5 * 60_000 },
  );
}

/** Creates the database when missing and brings its schema to the release's version; safe to run every start. */
async function prepareDatabase(bin: TemporalServerBinaries, pg: Pg, database: string, schema: 'temporal' | 'visibility', log: StackLog) {
  const create = await sqlTool(bin, pg, database, ['create-database']);
  if (!succeeded(create) && !/already exists/i.test(create.stdout + create.stderr)) {
    throw new Error(`temporal-sql-tool create-database ${database} failed:\n${describeResult(create)}`);
  }
  // setup-schema -v 0.0 creates the version tables; on a database that has them it reports so and changes nothing.
  const setup = await sqlTool(bin, pg, database, ['setup-schema', '-v', '0.0']);
  if (!succeeded(setup) && !/already exists/i.test(setup.stdout + setup.stderr)) {
    throw new Error(`temporal-sql-tool setup-schema ${database} failed:\n${describeResult(setup)}`);
  }
  const update = await sqlTool(bin, pg, database, ['update-schema', '-d', join(bin.schemaDir, schema, 'versioned')]);
  if (!succeeded(update)) throw new Error(`temporal-sql-tool update-schema ${database} failed:\n${describeResult(update)}`);
  log(`database ${database}: schema ${schema} at the version of Temporal ${TEMPORAL_SERVER_VERSION}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Processes. Each service's pid goes to <dir>/<name>.pid; a process of an earlier run that is still there (its
// chuky died) is stopped before a new one starts on the same databases and ports.

function procArgv(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return [];
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Server processes started from this folder's config, by an earlier run (found in /proc). */
function serverProcessesOn(root: string): number[] {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return [];
  }
  return pids
    .map(Number)
    .filter((pid) => pid !== process.pid)
    .filter((pid) => {
      const argv = procArgv(pid);
      return argv.includes('start') && argv.includes('--root') && argv[argv.indexOf('--root') + 1] === root;
    });
}

async function killAndWait(pid: number, log: StackLog): Promise<void> {
  log(`stopping Temporal server process ${pid} left by an earlier run`);
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + 15_000;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (alive(pid)) process.kill(pid, 'SIGKILL');
  while (alive(pid)) await new Promise((r) => setTimeout(r, 50));
}

function logTail(file: string, offset: number, maxLines = 40): string {
  try {
    return readFileSync(file)
      .subarray(offset)
      .toString('utf8')
      .split('\n')
      .filter((l) => l.trim())
      .slice(-maxLines)
      .join('\n');
  } catch {
    return '';
  }
}

export async function startTemporalServer(opts: TemporalServerOptions): Promise<TemporalServer> {
  const log = opts.log ?? defaultLog;
  const started = Date.now();
  const bin = await ensureTemporalServer(log);
  const root = resolve(opts.dir);
  mkdirSync(join(root, 'config'), { recursive: true });
  const namespace = opts.namespace ?? 'default';
  const databases = opts.databases ?? { main: 'temporal', visibility: 'temporal_visibility' };
  const pg = parsePostgresUrl(opts.postgresUrl);
  const timeoutMs = opts.startTimeoutMs ?? 120_000;

  for (const pid of serverProcessesOn(root)) await killAndWait(pid, log);

  // The shard count is fixed when the history database is first used: keep the one recorded there.
  const stateFile = join(root, 'state.json');
  const previous = existsSync(stateFile) ? (JSON.parse(await readFile(stateFile, 'utf8')) as { shards?: number; ports?: Ports }) : {};
  const shards = previous.shards ?? opts.historyShards ?? 4;
  if (opts.historyShards !== undefined && previous.shards !== undefined && opts.historyShards !== previous.shards) {
    log(`keeping ${previous.shards} history shards (this server's databases were created with them; asked for ${opts.historyShards})`);
  }
  // Ports of an earlier run are taken again when free, so addresses stay what they were.
  const previousPorts = previous.ports ? Object.values(previous.ports).flatMap((p: Record<string, number>) => Object.values(p)) : [];
  const reuse = previousPorts.length > 0 && (await Promise.all(previousPorts.map((n) => isPortFree(n)))).every(Boolean);
  const ports =
    reuse && previous.ports && (opts.port === undefined || opts.port === previous.ports.frontend.grpc)
      ? previous.ports
      : await pickPorts(opts.port);
  if (opts.port !== undefined && !(await isPortFree(opts.port)))
    throw new Error(`Cannot start the Temporal server: port ${opts.port} is in use`);

  await prepareDatabase(bin, pg, databases.main, 'temporal', log);
  await prepareDatabase(bin, pg, databases.visibility, 'visibility', log);

  const template = await readFile(bin.configTemplate, 'utf8');
  await writeFile(
    join(root, 'config', 'chuky.yaml'),
    renderServerConfig(template, { pg, ports, shards, databases, dynamicConfig: dynamicConfigFile() }),
    // It holds the database password.
    { mode: 0o600 },
  );
  await writeFile(stateFile, JSON.stringify({ shards, ports }, null, 2));

  const names: Array<ServerService | 'all'> = opts.split ? ['history', 'matching', 'frontend', 'worker'] : ['all'];
  const children = new Map<string, WatchedChild>();
  const address = `127.0.0.1:${ports.frontend.grpc}`;
  const logFile = (name: string) => join(root, `${name}.log`);

  const launch = async (name: ServerService | 'all') => {
    const file = logFile(name);
    const offset = existsSync(file) ? statSync(file).size : 0;
    const fd = openSync(file, 'a');
    const services = name === 'all' ? SERVER_SERVICES.flatMap((s) => ['--service', s]) : ['--service', name];
    const args = ['--root', root, '--config', 'config', '--env', 'chuky', '--allow-no-auth', 'start', ...services];
    let child;
    try {
      // Output to a file, never a pipe: a server whose chuky died would otherwise die of SIGPIPE at its next line.
      child = spawn(bin.server, args, { stdio: ['ignore', fd, fd], cwd: root });
    } finally {
      closeSync(fd);
    }
    const watched = watchChild(child);
    children.set(name, watched);
    await writeFile(join(root, `${name}.pid`), String(child.pid ?? ''));
    // The worker service serves no gRPC of its own: it is up once it has joined the ring (its membership port).
    const port =
      name === 'all' || name === 'frontend' ? ports.frontend.grpc : name === 'worker' ? ports.worker.membership : ports[name].grpc;
    try {
      await waitForPort(port, { timeoutMs, isAlive: () => !watched.exited() });
    } catch (err) {
      await watched.stop(2_000);
      throw new Error(
        `Temporal server (${name}) did not start: ${(err as Error).message}\ncommand: ${bin.server} ${args.join(' ')}\n--- ${file} ---\n${logTail(file, offset)}`,
        { cause: err },
      );
    }
  };

  const waitServing = async () => {
    const deadline = Date.now() + timeoutMs;
    const frontend = children.get(opts.split ? 'frontend' : 'all');
    const connection = await connectWhenServing(address, deadline, () => !frontend?.exited());
    try {
      const added = await prepareNamespace(connection, namespace, deadline, log);
      // A namespace must be known to every service before work reaches it: a history service answers for it only
      // after its namespace cache refreshes (every 2 s). One listing through the whole path proves it is served.
      for (;;) {
        try {
          await connection.workflowService.listWorkflowExecutions({ namespace, pageSize: 1 });
          break;
        } catch (err) {
          if (Date.now() > deadline) throw err;
          await new Promise((r) => setTimeout(r, 500));
        }
      }
      return added;
    } finally {
      await connection.close();
    }
  };

  const stopOne = async (name: ServerService | 'all', signal: NodeJS.Signals = 'SIGTERM') => {
    const child = children.get(name);
    if (!child || child.exited()) return;
    if (signal === 'SIGKILL') child.child.kill('SIGKILL');
    await child.stop(15_000);
    await rm(join(root, `${name}.pid`), { force: true });
  };

  // History and matching first, frontend next (it serves once they have joined), the worker service last: it
  // starts the server's own system workflows through the frontend and gives up when none answers.
  const startAll = async () => {
    for (const name of names) await launch(name);
  };

  try {
    await startAll();
    const added = await waitServing();
    if (added.length) {
      // Each service caches search attributes for 60 s; ones registered just now would be refused by a cache
      // loaded before. On the first start only, restart the services so every cache begins with all of chuky's.
      log('restarting the Temporal services once so that every cache holds the new search attributes');
      for (const name of names) await stopOne(name);
      await startAll();
      await waitServing();
    }
  } catch (err) {
    for (const child of children.values()) await child.stop(2_000);
    throw err;
  }
  log(
    `Temporal server ${TEMPORAL_SERVER_VERSION} ready at ${address} in ${((Date.now() - started) / 1000).toFixed(1)} s (${names.join(', ')}; logs in ${root})`,
  );

  return {
    address,
    namespace,
    version: TEMPORAL_SERVER_VERSION,
    processes: () =>
      names.map((name) => {
        const c = children.get(name);
        return { name, pid: c?.child.pid, logFile: logFile(name), running: !!c && !c.exited() };
      }),
    stopService: stopOne,
    startService: async (name) => {
      await launch(name);
      if (name === 'frontend' || name === 'all') await waitServing();
    },
    restartService: async (name, signal) => {
      await stopOne(name, signal);
      await launch(name);
      if (name === 'frontend' || name === 'all') await waitServing();
    },
    stop: async () => {
      // Frontend first, so clients see the server go away at once rather than half-working.
      for (const name of [...names].reverse()) await stopOne(name);
    },
  };
}
