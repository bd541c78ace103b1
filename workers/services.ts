/**
 * The services chuky needs — Temporal, PostgreSQL, SMTP — each taken from the environment when it names one,
 * else started locally (stack/). `chuky dev` writes what it started to .data/services.json so that the `chuky`
 * commands in another terminal find the same stack.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Env } from '../config/env.js';
import { migrate } from '../db/migrate.js';
import { dataDir } from '../stack/paths.js';
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
  stop(): Promise<void>;
}

async function preferred(port: number): Promise<number | undefined> {
  return (await isPortFree(port)) ? port : undefined;
}

export async function startServices(env: Env, opts: { root?: string; log?: (m: string) => void; fixedPorts?: boolean } = {}): Promise<Services> {
  const root = opts.root ?? dataDir();
  const log = opts.log ?? (() => undefined);
  const stops: Array<() => Promise<void>> = [];
  const fixed = async (port: number) => (opts.fixedPorts ? preferred(port) : undefined);
  try {
    // Loaded only when a service is started here (`chuky dev`): every other chuky process reads its addresses
    // from this module, and the SMTP sink's mail parser alone costs tens of MB of memory.
    const { startDevServer } = await import('../stack/temporal-dev-server.js');
    const { startEmbeddedPostgres } = await import('../stack/postgres.js');
    const { startSmtpSink } = await import('../stack/smtp-sink.js');
    let temporalAddress = env.temporalAddress;
    let temporalUiUrl: string | undefined;
    if (!temporalAddress) {
      const port = await fixed(7233);
      const uiPort = await fixed(8233);
      const server = await startDevServer({
        dbFile: path.join(root, 'temporal', 'temporal.sqlite'),
        namespace: env.temporalNamespace,
        log,
        ...(port ? { port } : {}),
        ...(uiPort ? { uiPort } : {}),
      });
      stops.push(() => server.stop());
      temporalAddress = server.address;
      temporalUiUrl = server.uiUrl;
    }
    let databaseUrl = env.databaseUrl;
    if (!databaseUrl) {
      const port = await fixed(5433);
      const pg = await startEmbeddedPostgres({ dataDir: path.join(root, 'postgres'), log, ...(port ? { port } : {}) });
      stops.push(() => pg.stop());
      databaseUrl = pg.url;
    }
    await migrate(databaseUrl, log);
    let smtpUrl = env.smtpUrl;
    let inboxUrl: string | undefined;
    if (!smtpUrl) {
      const port = await fixed(1025);
      const httpPort = await fixed(1080);
      const sink = await startSmtpSink({ storeDir: path.join(root, 'mail'), log, ...(port ? { port } : {}), ...(httpPort ? { httpPort } : {}) });
      stops.push(() => sink.stop());
      smtpUrl = sink.url;
      inboxUrl = sink.inboxUrl;
    }
    return {
      temporalAddress,
      temporalNamespace: env.temporalNamespace,
      temporalUiUrl,
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

function servicesFile(root = dataDir()): string {
  return path.join(root, 'services.json');
}

export function writeServicesFile(addresses: ServiceAddresses & { apiUrl?: string; pid: number }, root?: string): void {
  const file = servicesFile(root);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // It holds the embedded database's URL with its password: readable by this user only (like the password file).
  fs.writeFileSync(file, JSON.stringify(addresses, null, 2), { mode: 0o600 });
  fs.chmodSync(file, 0o600);
}

export function removeServicesFile(root?: string): void {
  fs.rmSync(servicesFile(root), { force: true });
}

/** The addresses a running `chuky dev` wrote, if its process is still alive. */
export function readServicesFile(root?: string): (ServiceAddresses & { apiUrl?: string; pid: number }) | undefined {
  try {
    const data = JSON.parse(fs.readFileSync(servicesFile(root), 'utf8'));
    process.kill(data.pid, 0);
    return data;
  } catch {
    return undefined;
  }
}

/** Addresses for a command: the environment first, then a running `chuky dev`; missing ones are an error. */
/** The database alone, for commands that need nothing else (records, links, reports). */
export function resolveDatabaseUrl(env: Env): string {
  const databaseUrl = env.databaseUrl || readServicesFile()?.databaseUrl;
  if (!databaseUrl) throw new Error('DATABASE_URL not set and no running `chuky dev` found (.data/services.json). Set it, or start `npm start` first.');
  return databaseUrl;
}

export function resolveAddresses(env: Env): ServiceAddresses {
  const dev = readServicesFile();
  const temporalAddress = env.temporalAddress || dev?.temporalAddress;
  const databaseUrl = env.databaseUrl || dev?.databaseUrl;
  const smtpUrl = env.smtpUrl || dev?.smtpUrl;
  const missing = [!temporalAddress && 'TEMPORAL_ADDRESS', !databaseUrl && 'DATABASE_URL', !smtpUrl && 'SMTP_URL'].filter(Boolean);
  if (missing.length) {
    throw new Error(`${missing.join(', ')} not set and no running \`chuky dev\` found (.data/services.json). Set them, or start \`npm start\` first.`);
  }
  return { temporalAddress: temporalAddress!, temporalNamespace: env.temporalNamespace, databaseUrl: databaseUrl!, smtpUrl: smtpUrl!, temporalUiUrl: env.temporalUiUrl || dev?.temporalUiUrl, inboxUrl: dev?.inboxUrl };
}
