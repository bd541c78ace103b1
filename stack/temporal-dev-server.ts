// Runs a real Temporal server for development and integration tests:
// `temporal server start-dev`, persisted in SQLite so a restart loses nothing.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Connection, isGrpcServiceError } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time.js';
import { watchChild, type WatchedChild } from './child-process.js';
import { defaultLog, type StackLog } from './log.js';
import { dataDir } from '../config/paths.js';
import { freePort, isPortFree, waitForPort } from './ports.js';
import { ensureTemporalCli } from './temporal-cli.js';

/** Custom search attributes chuky's workflows set; registered on every start. */
/** Temporal's dynamic config key (server 1.30+) for TemporalReportedProblems: consecutive task failures that set it. */
export const REPORTED_PROBLEMS_CONFIG_KEY = 'system.numConsecutiveWorkflowTaskProblemsToTriggerSearchAttribute';

export const SEARCH_ATTRIBUTES = {
  ChukyYear: 'Int',
  ChukyCommittee: 'Keyword',
  ChukyUnit: 'Keyword',
  ChukyPhase: 'Keyword',
  ChukyStatus: 'Keyword',
  ChukyEscalation: 'Int',
  ChukyCycle: 'Keyword',
  ChukyOverduePhases: 'KeywordList',
} as const;

export type SearchAttributeTypeName = (typeof SEARCH_ATTRIBUTES)[keyof typeof SEARCH_ATTRIBUTES];

// Wire values of temporal.api.enums.v1.IndexedValueType, for the types we use.
const INDEXED_VALUE_TYPE: Record<SearchAttributeTypeName, number> = {
  Keyword: 2,
  Int: 3,
  KeywordList: 7,
};

export interface DevServerOptions {
  /** Frontend gRPC port; a free one when omitted. */
  port?: number;
  /** Web UI port; a free one when omitted. */
  uiPort?: number;
  /** SQLite file; default .data/temporal/temporal.sqlite. */
  dbFile?: string;
  /** Namespace to create and prepare; default "default". */
  namespace?: string;
  /** Bind address; default 127.0.0.1 (never exposed beyond loopback unless asked). */
  ip?: string;
  log?: StackLog;
  /** How long to wait for the server to serve requests; default 90 s. */
  startTimeoutMs?: number;
}

export interface DevServer {
  /** host:port for Connection.connect / NativeConnection.connect. */
  address: string;
  uiUrl: string;
  namespace: string;
  pid: number;
  stop(): Promise<void>;
}

function isGrpcCode(err: unknown, code: number): boolean {
  // err.code is @grpc/grpc-js's status enum (not a dependency of ours); its values are the wire codes below.
  return isGrpcServiceError(err) && Number(err.code) === code;
}
const GRPC_NOT_FOUND = 5;
const GRPC_ALREADY_EXISTS = 6;

export async function connectWhenServing(address: string, deadline: number, isAlive: () => boolean): Promise<Connection> {
  let lastError: unknown;
  while (Date.now() < deadline && isAlive()) {
    try {
      const connection = await Connection.connect({ address, connectTimeout: 5_000 });
      try {
        await connection.workflowService.getSystemInfo({});
        return connection;
      } catch (err) {
        await connection.close();
        throw err;
      }
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`frontend did not answer getSystemInfo: ${String((lastError as Error | undefined)?.message ?? 'server exited')}`);
}

/**
 * start-dev creates namespaces and registers --search-attribute flags only
 * when it creates a fresh SQLite file; on a restart against an existing file
 * it silently skips them. So we make sure of both ourselves, every time (and for the real server, which does
 * neither). Returns the search attributes it had to add.
 */
export async function prepareNamespace(connection: Connection, namespace: string, deadline: number, log: StackLog): Promise<string[]> {
  const added: string[] = [];
  try {
    await connection.workflowService.describeNamespace({ namespace });
  } catch (err) {
    if (!isGrpcCode(err, GRPC_NOT_FOUND)) throw err;
    log(`registering namespace ${namespace}`);
    try {
      await connection.workflowService.registerNamespace({
        namespace,
        workflowExecutionRetentionPeriod: msToTs('30 days'),
      });
    } catch (regErr) {
      if (!isGrpcCode(regErr, GRPC_ALREADY_EXISTS)) throw regErr;
    }
  }

  for (;;) {
    let present: Record<string, unknown>;
    try {
      present = (await connection.operatorService.listSearchAttributes({ namespace })).customAttributes ?? {};
    } catch (err) {
      // A namespace registered a moment ago is unknown until the server's namespace cache refreshes (the real
      // server's every 2 s): wait for it.
      if (!isGrpcCode(err, GRPC_NOT_FOUND) || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 250));
      continue;
    }
    const missing = Object.entries(SEARCH_ATTRIBUTES).filter(([name]) => !(name in present));
    if (missing.length === 0) return added;
    if (Date.now() > deadline) throw new Error(`search attributes still missing: ${missing.map(([n]) => n).join(', ')}`);
    try {
      await connection.operatorService.addSearchAttributes({
        namespace,
        searchAttributes: Object.fromEntries(missing.map(([name, type]) => [name, INDEXED_VALUE_TYPE[type]])),
      });
      added.push(...missing.map(([n]) => n));
      log(`registered search attributes ${missing.map(([n]) => n).join(', ')} in ${namespace}`);
    } catch (err) {
      // A namespace that was just registered may not be visible to the operator
      // service yet; ALREADY_EXISTS means a concurrent add won. Retry either way.
      if (!isGrpcCode(err, GRPC_ALREADY_EXISTS) && !isGrpcCode(err, GRPC_NOT_FOUND)) throw err;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

interface LaunchPlan {
  bin: string;
  ip: string;
  clientHost: string;
  port: number;
  uiPort: number;
  dbFile: string;
  namespace: string;
  timeoutMs: number;
  log: StackLog;
}

class LaunchError extends Error {
  constructor(
    message: string,
    readonly portTaken: boolean,
  ) {
    super(message);
  }
}

async function launch(plan: LaunchPlan): Promise<WatchedChild> {
  const { bin, ip, clientHost, port, uiPort, dbFile, namespace, timeoutMs, log } = plan;
  const args = [
    'server',
    'start-dev',
    '--db-filename',
    dbFile,
    '--port',
    String(port),
    '--ui-port',
    String(uiPort),
    '--ip',
    ip,
    '--log-level',
    'warn',
    // "default" always exists; naming it again is harmless but noisy.
    ...(namespace === 'default' ? [] : ['--namespace', namespace]),
    ...Object.entries(SEARCH_ATTRIBUTES).flatMap(([name, type]) => ['--search-attribute', `${name}=${type}`]),
    // Flag a workflow whose task failed twice in a row with the system search attribute TemporalReportedProblems:
    // `chuky stalled` lists those instead of describing every running workflow (ops/stalled.ts).
    '--dynamic-config-value',
    `${REPORTED_PROBLEMS_CONFIG_KEY}=2`,
  ];
  // Its output goes to a log file beside the SQLite file, not to a pipe: a server whose chuky died writing to a
  // closed pipe would die of SIGPIPE at its next log line, or not, at random; with a file an orphan stays an orphan,
  // which the next start finds and stops (the pid file below), and the log outlives both.
  const logFile = temporalLogFile(dbFile);
  mkdirSync(dirname(logFile), { recursive: true });
  const logStart = existsSync(logFile) ? statSync(logFile).size : 0;
  const logFd = openSync(logFile, 'a');
  let child;
  try {
    child = spawn(bin, args, { stdio: ['ignore', logFd, logFd] });
  } finally {
    closeSync(logFd);
  }
  log(`starting temporal dev server on ${clientHost}:${port} (UI ${uiPort}, db ${dbFile}, log ${logFile})`);
  const watched = watchChild(child);
  const address = `${clientHost}:${port}`;
  const deadline = Date.now() + timeoutMs;
  const isAlive = () => !watched.exited();

  try {
    await waitForPort(port, { host: clientHost, timeoutMs, isAlive });
    const connection = await connectWhenServing(address, deadline, isAlive);
    try {
      await prepareNamespace(connection, namespace, deadline, log);
    } finally {
      await connection.close();
    }
    // If someone else grabbed our port first, we may have just talked to their
    // server while ours died on "address already in use".
    if (!isAlive()) throw new Error('server process exited during start-up');
    return watched;
  } catch (err) {
    await watched.stop(2_000);
    const status = await watched.exitPromise;
    const output = [watched.tail.text(), logSince(logFile, logStart)].filter(Boolean).join('\n');
    throw new LaunchError(
      `Temporal dev server did not become ready within ${timeoutMs} ms (${(err as Error).message}; process: ${status}).\n` +
        `command: ${bin} ${args.join(' ')}\n--- last output ---\n${output}`,
      /address already in use/i.test(output),
    );
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The pid file: <dbFile>.pid, written once the server serves, removed when it is stopped. A chuky process that
// dies (kill -9, a crash) leaves its Temporal running; the next start finds it through this file and handles it
// the way stack/postmaster-pid.ts handles an orphaned PostgreSQL.

export interface TemporalPidFile {
  /** The `temporal server start-dev` process. */
  pid: number;
  /** The chuky process that started it. */
  ownerPid: number;
  port: number;
  uiPort: number;
  address: string;
  uiUrl: string;
}

/** The server's own output: `<dbFile>.log`. */
export function temporalLogFile(dbFile: string): string {
  return `${resolve(dbFile)}.log`;
}

/** The last lines the server wrote to its log since `offset` (this start's), for an error message. */
function logSince(logFile: string, offset: number, maxLines = 60): string {
  try {
    const text = readFileSync(logFile).subarray(offset).toString('utf8');
    return text
      .split('\n')
      .filter((l) => l.trim() !== '')
      .slice(-maxLines)
      .join('\n');
  } catch {
    return '';
  }
}

export function temporalPidFile(dbFile: string): string {
  return `${resolve(dbFile)}.pid`;
}

function procText(pid: number, file: string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return undefined;
  }
}

function parentOf(pid: number): number | undefined {
  const stat = procText(pid, 'stat');
  if (!stat) return undefined;
  const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  return Number.isFinite(ppid) ? ppid : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when pid is a `temporal server start-dev` serving this very SQLite file. */
function isTemporalOn(pid: number, dbFile: string): boolean {
  const argv = (procText(pid, 'cmdline') ?? '').split('\0');
  return argv.includes('start-dev') && argv.includes(resolve(dbFile));
}

/** A `temporal server start-dev` serving this SQLite file, found in /proc; its parent taken as its owner. */
function findTemporalOn(dbFile: string): TemporalPidFile | undefined {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return undefined;
  }
  for (const d of pids) {
    const pid = Number(d);
    if (pid === process.pid || !isTemporalOn(pid, dbFile)) continue;
    const argv = (procText(pid, 'cmdline') ?? '').split('\0');
    const arg = (name: string) => Number(argv[argv.indexOf(name) + 1]);
    const ip = argv.includes('--ip') ? argv[argv.indexOf('--ip') + 1]! : '127.0.0.1';
    const host = ip === '0.0.0.0' || ip === '::' ? '127.0.0.1' : ip;
    const port = arg('--port');
    const uiPort = arg('--ui-port');
    // Its owner only if its parent is a live chuky (Node) process: an orphan's parent is init or a subreaper.
    const parent = parentOf(pid);
    const ownerPid = parent !== undefined && parent > 1 && (procText(parent, 'comm') ?? '').trim() === 'node' ? parent : -1;
    return { pid, ownerPid, port, uiPort, address: `${host}:${port}`, uiUrl: `http://${host}:${uiPort}` };
  }
  return undefined;
}

export async function readTemporalPidFile(dbFile: string): Promise<TemporalPidFile | undefined> {
  try {
    const data = JSON.parse(await readFile(temporalPidFile(dbFile), 'utf8')) as TemporalPidFile;
    return Number.isInteger(data.pid) && data.pid > 0 ? data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Leaves the SQLite file free for a new server, or throws if a live chuky process still runs one on it.
 * - no pid file, or it names a dead pid or some other program: nothing runs on the file (the stale file goes);
 * - it names a Temporal on this file whose owner (the chuky process that started it) is still its parent: refuse,
 *   naming both;
 * - it names a Temporal on this file whose owner is gone (an orphan of a crashed or SIGKILLed chuky run): stop it.
 * Returns what the earlier run used (its ports), so the new server can take the same addresses.
 */
export async function clearOrphanedTemporal(dbFile: string, log: StackLog): Promise<TemporalPidFile | undefined> {
  const file = temporalPidFile(dbFile);
  // No pid file (a run of a version that wrote none, or a file removed by hand): look for the process itself.
  const previous = (await readTemporalPidFile(dbFile)) ?? findTemporalOn(dbFile);
  if (!previous) {
    await rm(file, { force: true });
    return undefined;
  }
  const { pid, ownerPid } = previous;
  if (!isAlive(pid) || !isTemporalOn(pid, dbFile)) {
    log(`removing stale ${file} (pid ${pid} is ${isAlive(pid) ? 'another program' : 'not running'})`);
    await rm(file, { force: true });
    return previous;
  }
  const parent = parentOf(pid);
  if (parent !== undefined && parent === ownerPid && isAlive(ownerPid)) {
    const owner = (procText(ownerPid, 'cmdline') ?? '').split('\0').join(' ').trim();
    throw new Error(
      `Temporal (pid ${pid}, ${previous.address}, UI ${previous.uiUrl}) is already running ` +
        `on ${resolve(dbFile)}, started by live process ${ownerPid} (${owner}). ` +
        'Stop that process, or use another data folder (CHUKY_DATA_DIR).',
    );
  }
  log(`stopping orphaned Temporal pid ${pid} (${previous.address}) left on ${resolve(dbFile)} by an earlier run (pid ${ownerPid}, gone)`);
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 15_000;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (isAlive(pid)) {
    process.kill(pid, 'SIGKILL');
    const killDeadline = Date.now() + 5_000;
    while (isAlive(pid) && Date.now() < killDeadline) await new Promise((r) => setTimeout(r, 100));
  }
  await rm(file, { force: true });
  return previous;
}

export async function startDevServer(opts: DevServerOptions = {}): Promise<DevServer> {
  const log = opts.log ?? defaultLog;
  const started = Date.now();
  const bin = await ensureTemporalCli(log);
  const ip = opts.ip ?? '127.0.0.1';
  // A wildcard bind is reachable on loopback; clients need a concrete address.
  const clientHost = ip === '0.0.0.0' || ip === '::' ? '127.0.0.1' : ip;
  const namespace = opts.namespace ?? 'default';
  const dbFile = resolve(opts.dbFile ?? join(dataDir(), 'temporal', 'temporal.sqlite'));
  await mkdir(dirname(dbFile), { recursive: true });
  // Never two servers on one SQLite file: an orphan of an earlier run is stopped first (a live owner's is refused).
  await clearOrphanedTemporal(dbFile, log);

  // Ports we pick ourselves can be taken by another process before the server
  // binds them (parallel test runs); then we pick again. Ports the caller
  // chose are used as given.
  const attempts = opts.port === undefined || opts.uiPort === undefined ? 3 : 1;
  for (let attempt = 1; ; attempt++) {
    const port = opts.port ?? (await freePort());
    let uiPort = opts.uiPort ?? (await freePort());
    while (uiPort === port) uiPort = await freePort();
    for (const [what, p] of [
      ['gRPC', port],
      ['UI', uiPort],
    ] as const) {
      if (!(await isPortFree(p, clientHost))) {
        throw new Error(`Cannot start Temporal dev server: ${what} port ${clientHost}:${p} is already in use`);
      }
    }
    let watched: WatchedChild;
    try {
      watched = await launch({ bin, ip, clientHost, port, uiPort, dbFile, namespace, timeoutMs: opts.startTimeoutMs ?? 90_000, log });
    } catch (err) {
      if (err instanceof LaunchError && err.portTaken && attempt < attempts) {
        log('a port was taken while the dev server started; retrying on other ports');
        continue;
      }
      throw err;
    }
    const pid = watched.child.pid ?? -1;
    const address = `${clientHost}:${port}`;
    const uiUrl = `http://${clientHost}:${uiPort}`;
    const pidFile = temporalPidFile(dbFile);
    const record: TemporalPidFile = { pid, ownerPid: process.pid, port, uiPort, address, uiUrl };
    await writeFile(pidFile, `${JSON.stringify(record)}\n`);
    log(`temporal dev server ready at ${address} in ${((Date.now() - started) / 1000).toFixed(1)} s (pid ${pid})`);
    return {
      address,
      uiUrl,
      namespace,
      pid,
      stop: async () => {
        await watched.stop(10_000);
        await rm(pidFile, { force: true });
      },
    };
  }
}
