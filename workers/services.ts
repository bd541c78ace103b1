/**
 * The services chuky needs — Temporal, PostgreSQL, SMTP — each taken from the environment when it names one,
 * else started locally (stack/). `chuky dev` writes what it started to .data/services.json so that the `chuky`
 * commands in another terminal find the same stack.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Env } from '../config/env.js';
import { dataDir } from '../config/paths.js';
import { isPortFree } from '../stack/ports.js';

export interface ServiceAddresses {
  temporalAddress: string;
  temporalNamespace: string;
  temporalUiUrl?: string | undefined;
  databaseUrl: string;
  smtpUrl: string;
  inboxUrl?: string | undefined;
}

export interface Services extends ServiceAddresses {
  /** The Temporal dev server's pid, when started here. */
  temporalPid?: number | undefined;
  stop(): Promise<void>;
}

async function preferred(port: number): Promise<number | undefined> {
  return (await isPortFree(port)) ? port : undefined;
}

export async function startServices(
  env: Env,
  opts: {
    root?: string;
    log?: (m: string) => void;
    fixedPorts?: boolean;
    /** The sink's line per email (default: none). */ mailLog?: (m: string) => void;
  } = {},
): Promise<Services> {
  const root = opts.root ?? dataDir();
  const log = opts.log ?? (() => undefined);
  const stops: Array<() => Promise<void>> = [];
  const fixed = async (port: number) => (opts.fixedPorts ? preferred(port) : undefined);
  try {
    // Each loaded only when that service is started here (`chuky dev`): every other chuky process reads its
    // addresses from this module, the SMTP sink's mail parser alone costs tens of MB of memory, and a production
    // install (npm ci --omit=dev) has no embedded PostgreSQL or SMTP sink at all.
    let temporalAddress = env.temporalAddress;
    let temporalUiUrl: string | undefined;
    let temporalPid: number | undefined;
    if (!temporalAddress) {
      const { startDevServer, clearOrphanedTemporal } = await import('../stack/temporal-dev-server.js');
      const dbFile = path.join(root, 'temporal', 'temporal.sqlite');
      // An orphaned Temporal of a crashed run holds the ports: stop it first, then take its ports again, so the
      // addresses (and the Web UI's) stay what they were.
      const previous = await clearOrphanedTemporal(dbFile, log);
      const port = (previous && opts.fixedPorts && (await preferred(previous.port))) || (await fixed(7233));
      const uiPort = (previous && opts.fixedPorts && (await preferred(previous.uiPort))) || (await fixed(8233));
      const server = await startDevServer({
        dbFile,
        namespace: env.temporalNamespace,
        log,
        ...(port ? { port } : {}),
        ...(uiPort ? { uiPort } : {}),
      });
      stops.push(() => server.stop());
      temporalAddress = server.address;
      temporalUiUrl = server.uiUrl;
      temporalPid = server.pid;
    }
    let databaseUrl = env.databaseUrl;
    if (!databaseUrl) {
      const { startEmbeddedPostgres } = await import('../stack/postgres.js');
      const port = await fixed(5433);
      const pg = await startEmbeddedPostgres({ dataDir: path.join(root, 'postgres'), log, ...(port ? { port } : {}) });
      stops.push(() => pg.stop());
      databaseUrl = pg.url;
    }
    // Loaded here, not at the top: every command reads its addresses from this module, few migrate.
    const { migrate } = await import('../db/migrate.js');
    await migrate(databaseUrl, log);
    let smtpUrl = env.smtpUrl;
    let inboxUrl: string | undefined;
    if (!smtpUrl) {
      const { startSmtpSink } = await import('../stack/smtp-sink.js');
      const port = await fixed(1025);
      const httpPort = await fixed(1080);
      const sink = await startSmtpSink({
        storeDir: path.join(root, 'mail'),
        log: opts.mailLog ?? (() => undefined),
        ...(port ? { port } : {}),
        ...(httpPort ? { httpPort } : {}),
      });
      stops.push(() => sink.stop());
      smtpUrl = sink.url;
      inboxUrl = sink.inboxUrl;
    }
    return {
      temporalAddress,
      temporalNamespace: env.temporalNamespace,
      temporalUiUrl,
      temporalPid,
      databaseUrl,
      smtpUrl,
      inboxUrl,
      stop: async () => {
        for (const stop of stops.reverse()) await stop().catch(() => undefined);
      },
    };
  } catch (err) {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    throw err;
  }
}

export function servicesFile(root = dataDir()): string {
  return path.join(root, 'services.json');
}

/** What `chuky dev` writes to .data/services.json (and keeps there when it dies, for the commands that need it then). */
export interface ServicesFile extends ServiceAddresses {
  /** The `chuky dev` process. */
  pid: number;
  apiUrl?: string | undefined;
  /** The worker process `chuky dev` supervises (its latest pid). */
  workerPid?: number | undefined;
  /** The Temporal dev server's process, when `chuky dev` started it. */
  temporalPid?: number | undefined;
  startedAt?: string | undefined;
  /** `chuky stack up`: which Temporal, every worker's pid, and the APIs behind apiUrl (the proxy). */
  engine?: 'dev' | 'server' | undefined;
  workerPids?: number[] | undefined;
  apiUrls?: string[] | undefined;
}

export function writeServicesFile(addresses: ServicesFile, root?: string): void {
  const file = servicesFile(root);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // It holds the embedded database's URL with its password: readable by this user only (like the password file).
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(addresses, null, 2), { mode: 0o600 });
  fs.chmodSync(tmp, 0o600);
  fs.renameSync(tmp, file);
}

export function removeServicesFile(root?: string): void {
  fs.rmSync(servicesFile(root), { force: true });
}

/**
 * The addresses `chuky dev` wrote, whether or not it is still running: after a crash its Temporal and PostgreSQL
 * may well still be up (orphans), and `chuky stalled` and `chuky doctor` are needed most then. Which part is
 * actually up is for `servicesLiveness` to say.
 */
export function readServicesFile(root?: string): ServicesFile | undefined {
  try {
    const data = JSON.parse(fs.readFileSync(servicesFile(root), 'utf8')) as ServicesFile;
    return typeof data === 'object' && data !== null && typeof data.pid === 'number' ? data : undefined;
  } catch {
    return undefined;
  }
}

export function processAlive(pid: number | undefined): boolean {
  if (!pid || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** host and port of `host:port`, `scheme://host:port/…` or a database URL. */
export function hostPort(address: string): { host: string; port: number } | undefined {
  try {
    const u = new URL(address.includes('://') ? address : `tcp://${address}`);
    const port = Number(u.port);
    if (!port) return undefined;
    return { host: u.hostname.replace(/^\[|\]$/g, ''), port };
  } catch {
    return undefined;
  }
}

/** Does something accept TCP connections at this address (within timeoutMs)? */
export function tcpAnswers(address: string, timeoutMs = 1_500): Promise<boolean> {
  const hp = hostPort(address);
  if (!hp) return Promise.resolve(false);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hp.host, port: hp.port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export type ServicePart = 'chuky dev' | 'Temporal' | 'Temporal Web UI' | 'PostgreSQL' | 'SMTP' | 'Mail inbox' | 'worker' | 'API';

export interface PartStatus {
  part: ServicePart;
  /** The address (without any password) or the process id. */
  where: string;
  alive: boolean;
}

function redacted(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname && u.pathname !== '/' ? u.pathname : ''}`;
  } catch {
    return url;
  }
}

/** Each part of the stack a services file names, and whether it answers now (a TCP connection, or the pid alive). */
export async function servicesLiveness(file: ServicesFile): Promise<PartStatus[]> {
  const parts: Array<{ part: ServicePart; where: string; check: () => Promise<boolean> | boolean }> = [
    {
      part: 'chuky dev',
      where: `pid ${file.pid}${file.engine ? ` (chuky stack up --engine ${file.engine})` : ''}`,
      check: () => processAlive(file.pid),
    },
    { part: 'Temporal', where: file.temporalAddress, check: () => tcpAnswers(file.temporalAddress) },
  ];
  if (file.temporalUiUrl) parts.push({ part: 'Temporal Web UI', where: file.temporalUiUrl, check: () => tcpAnswers(file.temporalUiUrl!) });
  parts.push({ part: 'PostgreSQL', where: redacted(file.databaseUrl), check: () => tcpAnswers(file.databaseUrl) });
  parts.push({ part: 'SMTP', where: file.smtpUrl, check: () => tcpAnswers(file.smtpUrl) });
  if (file.inboxUrl) parts.push({ part: 'Mail inbox', where: file.inboxUrl, check: () => tcpAnswers(file.inboxUrl!) });
  if (file.workerPids)
    for (const pid of file.workerPids) parts.push({ part: 'worker', where: `pid ${pid}`, check: () => processAlive(pid) });
  else if (file.workerPid !== undefined)
    parts.push({ part: 'worker', where: `pid ${file.workerPid}`, check: () => processAlive(file.workerPid) });
  if (file.apiUrl) parts.push({ part: 'API', where: file.apiUrl, check: () => tcpAnswers(file.apiUrl!) });
  for (const url of file.apiUrls ?? []) parts.push({ part: 'API', where: url, check: () => tcpAnswers(url) });
  return Promise.all(parts.map(async (p) => ({ part: p.part, where: p.where, alive: await p.check() })));
}

/** One line naming what is down in a `chuky dev` stack, or undefined when everything answers. */
export function describeDown(parts: readonly PartStatus[], file: Pick<ServicesFile, 'pid'>): string | undefined {
  const down = parts.filter((p) => !p.alive);
  if (!down.length) return undefined;
  const dev = parts.find((p) => p.part === 'chuky dev');
  const lead = dev && !dev.alive ? `\`chuky dev\` (pid ${file.pid}) is no longer running` : '`chuky dev` is running';
  const up = parts.filter((p) => p.alive && p.part !== 'chuky dev');
  return (
    `${lead}; down: ${
      down
        .filter((p) => p.part !== 'chuky dev')
        .map((p) => `${p.part} (${p.where})`)
        .join(', ') || 'nothing else'
    }` +
    `${up.length ? `; still up: ${up.map((p) => p.part).join(', ')}` : ''}` +
    `${dev && !dev.alive ? '. Start it again with `npm start` (it takes over what was left running).' : ''}`
  );
}

const NO_DEV = 'no `chuky dev` has run here (no .data/services.json). Set them, or start `npm start` first.';

/** Addresses for a command: the environment first, then a running `chuky dev`; missing ones are an error. */
/** The database alone, for commands that need nothing else (records, links, reports). */
export function resolveDatabaseUrl(env: Env): string {
  const databaseUrl = env.databaseUrl || readServicesFile()?.databaseUrl;
  if (!databaseUrl) throw new Error(`DATABASE_URL not set and ${NO_DEV}`);
  return databaseUrl;
}

export function resolveAddresses(env: Env): ServiceAddresses {
  const dev = readServicesFile();
  const temporalAddress = env.temporalAddress || dev?.temporalAddress;
  const databaseUrl = env.databaseUrl || dev?.databaseUrl;
  const smtpUrl = env.smtpUrl || dev?.smtpUrl;
  const missing = [!temporalAddress && 'TEMPORAL_ADDRESS', !databaseUrl && 'DATABASE_URL', !smtpUrl && 'SMTP_URL'].filter(Boolean);
  if (missing.length) {
    throw new Error(`${missing.join(', ')} not set and ${NO_DEV}`);
  }
  return {
    temporalAddress: temporalAddress!,
    temporalNamespace: env.temporalNamespace,
    databaseUrl: databaseUrl!,
    smtpUrl: smtpUrl!,
    temporalUiUrl: env.temporalUiUrl || dev?.temporalUiUrl,
    inboxUrl: dev?.inboxUrl,
  };
}

/** Which of a command's addresses came from `chuky dev`'s services file (not the environment). */
export function addressesFromDev(env: Env): ServicesFile | undefined {
  if (env.temporalAddress && env.databaseUrl && env.smtpUrl) return undefined;
  return readServicesFile();
}
