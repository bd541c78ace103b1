/**
 * The bench's own stack, in its own data folder (.data/bench/run-…) and on ports nobody else uses: a Temporal dev
 * server (SQLite), an embedded PostgreSQL on a free port (never 5433, which `npm start` prefers), chuky's
 * migrations, and the SMTP sink in a child process. Nothing of `npm start` or of the tests is touched.
 */
import path from 'node:path';
import { migrate } from '../db/migrate.js';
import { startDevServer } from '../stack/temporal-dev-server.js';
import { startEmbeddedPostgres } from '../stack/postgres.js';
import { freePort } from '../stack/ports.js';
import { benchScript, startChild, type Child } from './children.js';
import type { Log } from './log.js';
import { postmasterPid } from './procs.js';

export interface BenchStack {
  temporalAddress: string;
  temporalUiUrl: string;
  devServerPid: number;
  databaseUrl: string;
  pgDataDir: string;
  pgPid(): number | undefined;
  smtpUrl: string;
  sink: Child;
  stop(): Promise<void>;
}

export async function startBenchStack(runDir: string, log: Log): Promise<BenchStack> {
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
    const [temporal, pg, sink] = await Promise.all([
      startDevServer({ dbFile: path.join(runDir, 'temporal', 'temporal.sqlite'), log: (m) => log(`stack: ${m}`) }).then(
        (t) => (stops.push(() => t.stop()), t),
      ),
      startEmbeddedPostgres({ dataDir: pgDataDir, port: pgPort, log: (m) => log(`stack: ${m}`) }).then(
        (p) => (stops.push(() => p.stop()), p),
      ),
      startChild({ name: 'smtp sink', script: benchScript('child-sink'), env: {}, logFile: path.join(runDir, 'logs', 'sink.log') }).then(
        (s) => (stops.push(() => s.stop()), s),
      ),
    ]);
    await migrate(pg.url);
    log(
      `stack ready in ${((Date.now() - started) / 1000).toFixed(1)} s: Temporal ${temporal.address} ` +
        `(UI ${temporal.uiUrl}), PostgreSQL 127.0.0.1:${pg.port}, SMTP ${String(sink.info.url)}`,
    );
    return {
      temporalAddress: temporal.address,
      temporalUiUrl: temporal.uiUrl,
      devServerPid: temporal.pid,
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
