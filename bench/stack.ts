/**
 * The bench's own stack, in its own data folder (.data/bench/run-…) and on ports nobody else uses: Temporal (the
 * CLI's dev server on SQLite, or the real server on the same embedded PostgreSQL with SQL visibility — the
 * production shape), an embedded PostgreSQL on a free port (never 5433, which `npm start` prefers), chuky's
 * migrations, and the SMTP sink in a child process. Nothing of `npm start` or of the tests is touched.
 */
import path from 'node:path';
import { migrate } from '../db/migrate.js';
import { startDevServer, temporalLogFile } from '../stack/temporal-dev-server.js';
import { startTemporalServer } from '../stack/temporal-server.js';
import { startEmbeddedPostgres } from '../stack/postgres.js';
import { freePort } from '../stack/ports.js';
import { benchScript, startChild, type Child } from './children.js';
import type { Log } from './log.js';
import { postmasterPid } from './procs.js';

/** Which Temporal the bench measures: the CLI's dev server (SQLite) or the real server on PostgreSQL. */
export type BenchEngine = 'dev' | 'server';

export const ENGINE_NAMES: Record<BenchEngine, string> = {
  dev: 'Temporal dev server (SQLite)',
  server: 'Temporal server on PostgreSQL (SQL visibility)',
};

export interface BenchStack {
  engine: BenchEngine;
  temporalAddress: string;
  /** The dev server's web UI; none for the real server (the bench does not run the UI). */
  temporalUiUrl: string | undefined;
  /** Temporal's processes (the dev server, or each service of the real server), for the CPU and memory split. */
  temporalProcesses(): { pid: number; label: string; logFile: string | undefined }[];
  databaseUrl: string;
  pgDataDir: string;
  pgPid(): number | undefined;
  smtpUrl: string;
  sink: Child;
  stop(): Promise<void>;
}

export async function startBenchStack(
  runDir: string,
  log: Log,
  engine: BenchEngine = 'dev',
  /** The real server's history shards (stack/temporal-server.ts's default when undefined). */
  historyShards?: number,
): Promise<BenchStack> {
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch((err) => log(`stopping: ${err instanceof Error ? err.message : String(err)}`));
  };
  try {
    const started = Date.now();
    const pgDataDir = path.join(runDir, 'postgres');
    // 5433 is where `npm start` puts its PostgreSQL when it is free: the bench takes any other port.
    let pgPort = await freePort();
    while (pgPort === 5433) pgPort = await freePort();
    const startPg = () =>
      startEmbeddedPostgres({ dataDir: pgDataDir, port: pgPort, log: (m) => log(`stack: ${m}`) }).then(
        (p) => (stops.push(() => p.stop()), p),
      );
    const startSink = () =>
      startChild({ name: 'smtp sink', script: benchScript('child-sink'), env: {}, logFile: path.join(runDir, 'logs', 'sink.log') }).then(
        (s) => (stops.push(() => s.stop()), s),
      );
    let temporal: Pick<BenchStack, 'temporalAddress' | 'temporalUiUrl' | 'temporalProcesses'>;
    let pg: Awaited<ReturnType<typeof startPg>>;
    let sink: Child;
    if (engine === 'dev') {
      const dbFile = path.join(runDir, 'temporal', 'temporal.sqlite');
      const [dev, p, s] = await Promise.all([
        startDevServer({ dbFile, log: (m) => log(`stack: ${m}`) }).then((t) => (stops.push(() => t.stop()), t)),
        startPg(),
        startSink(),
      ]);
      temporal = {
        temporalAddress: dev.address,
        temporalUiUrl: dev.uiUrl,
        temporalProcesses: () => [{ pid: dev.pid, label: 'temporal dev server', logFile: temporalLogFile(dbFile) }],
      };
      [pg, sink] = [p, s];
    } else {
      // The real server's databases (temporal, temporal_visibility) live on the same PostgreSQL as chuky's, as in
      // docker-compose.yml: it needs PostgreSQL up first.
      [pg, sink] = await Promise.all([startPg(), startSink()]);
      const server = await startTemporalServer({
        postgresUrl: pg.url,
        dir: path.join(runDir, 'temporal-server'),
        ...(historyShards ? { historyShards } : {}),
        log: (m) => log(`stack: ${m}`),
      });
      stops.push(() => server.stop());
      temporal = {
        temporalAddress: server.address,
        temporalUiUrl: undefined,
        temporalProcesses: () =>
          server
            .processes()
            .filter((p) => p.pid !== undefined)
            .map((p) => ({ pid: p.pid!, label: `temporal server${p.name === 'all' ? '' : ` (${p.name})`}`, logFile: p.logFile })),
      };
    }
    await migrate(pg.url);
    log(
      `stack ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ${ENGINE_NAMES[engine]} ${temporal.temporalAddress}` +
        `${temporal.temporalUiUrl ? ` (UI ${temporal.temporalUiUrl})` : ''}, PostgreSQL 127.0.0.1:${pg.port}, SMTP ${String(sink.info.url)}`,
    );
    return {
      engine,
      ...temporal,
      databaseUrl: pg.url,
      pgDataDir,
      pgPid: () => postmasterPid(pgDataDir),
      smtpUrl: String(sink.info.url),
      sink,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Messages delivered to the sink for a recipient domain (and X-Chuky-Kind, or every kind), with first and last arrival (ms). */
export async function sinkCount(
  sink: Child,
  domain: string,
  kind = '*',
): Promise<{ count: number; firstAt: number; lastAt: number; total: number }> {
  const m = await sink.request({ type: 'count', domain, kind });
  return { count: Number(m.count), firstAt: Number(m.firstAt), lastAt: Number(m.lastAt), total: Number(m.total) };
}

export async function clearSink(sink: Child): Promise<void> {
  await sink.request({ type: 'clear' });
}

/** The same count summed over several recipient domains (one per committee of a national slice). */
export async function sinkCountAll(
  sink: Child,
  domains: string[],
  kind = '*',
): Promise<{ count: number; firstAt: number; lastAt: number; total: number }> {
  const m = await sink.request({ type: 'count', domains, kind });
  return { count: Number(m.count), firstAt: Number(m.firstAt), lastAt: Number(m.lastAt), total: Number(m.total) };
}
