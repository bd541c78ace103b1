/**
 * The bench's child processes (the chuky worker, the API, the SMTP sink, the engine baseline's worker): each a
 * `node` process forked with an IPC channel, its output kept in a log file and scanned for the errors Temporal
 * gives when a limit is hit, its readiness and its answers sent as IPC messages.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** What Temporal (server or SDK) says when a rate or resource limit refuses work ("Persistence Max QPS Reached": the server's own database limit). */
export const LIMIT_ERROR =
  /resource[ _]?exhausted|RESOURCE_EXHAUSTED|namespace rate limit|rate limit exceeded|too many (outstanding|requests|pending)|BusyWorkflow|ResourceExhausted|Max QPS Reached/i;

export interface ChildMessage {
  type: string;
  id?: number;
  [key: string]: unknown;
}

export interface Child {
  name: string;
  pid: number;
  /** What the child said when it became ready. */
  info: ChildMessage;
  logFile: string;
  /** Lines of its output that match LIMIT_ERROR (the first 20), and how many there were. */
  limitErrors: { count: number; lines: string[] };
  /** Sends a message and waits for the answer carrying the same id. */
  request<T extends ChildMessage>(message: ChildMessage, timeoutMs?: number): Promise<T>;
  /** Asks the child to stop, waits for it to exit (it writes its CPU profile then); kills it after timeoutMs. */
  stop(timeoutMs?: number): Promise<void>;
  exited(): boolean;
  /** A Date.now() instant on the child's monotonic clock (µs), the clock of its CPU profiles' timestamps. */
  monotonicUs(dateMs: number): number | undefined;
}

/** dist-bench/bench/<script>.js, next to this module once compiled. */
export function benchScript(name: string): string {
  return fileURLToPath(new URL(`./${name}.js`, import.meta.url));
}

export async function startChild(opts: {
  name: string;
  script: string;
  env: Record<string, string>;
  logFile: string;
  /** Directory for --cpu-prof output; no profiling when undefined. */
  profileDir?: string | undefined;
  execArgv?: string[];
  readyTimeoutMs?: number;
}): Promise<Child> {
  fs.mkdirSync(path.dirname(opts.logFile), { recursive: true });
  const out = fs.createWriteStream(opts.logFile, { flags: 'a' });
  // Run as `chuky worker` and `chuky api` run in production, without --enable-source-maps: with it Node looks for
  // a source map in every script it compiles, and the SDK compiles one for each workflow activation it runs.
  const execArgv = [...(opts.execArgv ?? [])];
  if (opts.profileDir) {
    fs.mkdirSync(opts.profileDir, { recursive: true });
    execArgv.push('--cpu-prof', `--cpu-prof-dir=${opts.profileDir}`);
  }
  const child: ChildProcess = fork(opts.script, [], {
    env: { ...process.env, ...opts.env },
    execArgv,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const limitErrors = { count: 0, lines: [] as string[] };
  const tail: string[] = [];
  let partial = '';
  const onData = (chunk: Buffer) => {
    out.write(chunk);
    const text = partial + chunk.toString('utf8');
    const lines = text.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      tail.push(line);
      if (tail.length > 40) tail.shift();
      if (LIMIT_ERROR.test(line)) {
        limitErrors.count += 1;
        if (limitErrors.lines.length < 20) limitErrors.lines.push(line.slice(0, 400));
      }
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);

  let exitedFlag = false;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exitedFlag = true;
      out.end();
      resolve();
    });
  });

  let nextId = 1;
  const waiting = new Map<number, (m: ChildMessage) => void>();
  child.on('message', (m: ChildMessage) => {
    if (typeof m?.id === 'number' && waiting.has(m.id)) {
      waiting.get(m.id)!(m);
      waiting.delete(m.id);
    }
  });

  const info = await new Promise<ChildMessage>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new Error(
            `${opts.name} was not ready within ${(opts.readyTimeoutMs ?? 180_000) / 1000} s; log: ${opts.logFile}\n${tail.join('\n')}`,
          ),
        ),
      opts.readyTimeoutMs ?? 180_000,
    );
    child.on('message', (m: ChildMessage) => {
      if (m?.type === 'ready') {
        clearTimeout(timer);
        resolve(m);
      }
      if (m?.type === 'failed') {
        clearTimeout(timer);
        reject(new Error(`${opts.name} failed to start: ${String(m.error)}; log: ${opts.logFile}`));
      }
    });
    void exit.then(() => {
      clearTimeout(timer);
      reject(new Error(`${opts.name} exited before it was ready (code ${child.exitCode}); log: ${opts.logFile}\n${tail.join('\n')}`));
    });
  });

  return {
    name: opts.name,
    pid: child.pid ?? -1,
    info,
    logFile: opts.logFile,
    limitErrors,
    exited: () => exitedFlag,
    monotonicUs: (dateMs) => {
      const clock = info.clock as { hrUs: number; dateMs: number } | undefined;
      return clock ? clock.hrUs + (dateMs - clock.dateMs) * 1000 : undefined;
    },
    request: <T extends ChildMessage>(message: ChildMessage, timeoutMs = 30_000) =>
      new Promise<T>((resolve, reject) => {
        if (exitedFlag) return reject(new Error(`${opts.name} has exited`));
        const id = nextId++;
        const timer = setTimeout(() => {
          waiting.delete(id);
          reject(new Error(`${opts.name} did not answer ${message.type} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiting.set(id, (m) => {
          clearTimeout(timer);
          resolve(m as T);
        });
        child.send({ ...message, id });
      }),
    stop: async (timeoutMs = 30_000) => {
      if (exitedFlag) return;
      try {
        child.send({ type: 'stop' });
      } catch {
        child.kill('SIGTERM');
      }
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await exit;
      clearTimeout(timer);
    },
  };
}

/** In a child: say ready, answer requests, stop on request or when the parent goes away. */
export function childProtocol(handlers: {
  ready: ChildMessage;
  stop: () => Promise<void>;
  on?: (m: ChildMessage) => Promise<ChildMessage | undefined>;
}): void {
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    handlers
      .stop()
      .catch((err) => console.error(err))
      // process.exit runs the exit hooks, among them --cpu-prof's, which writes the profile.
      .finally(() => process.exit(0));
  };
  process.on('message', (m: ChildMessage) => {
    if (m?.type === 'stop') return stop();
    if (!handlers.on) return;
    handlers.on(m).then(
      (answer) => answer && process.send?.({ ...answer, id: m.id }),
      (err: unknown) => process.send?.({ type: 'error', id: m.id, error: err instanceof Error ? err.message : String(err) }),
    );
  });
  process.on('disconnect', stop);
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // The instant of readiness on both clocks, so the parent can place its measured windows in the child's profiles.
  process.send?.({ ...handlers.ready, clock: { hrUs: Number(process.hrtime.bigint() / 1000n), dateMs: Date.now() } });
}

/** In a child: report a start-up failure to the parent and exit. */
export function childFailed(err: unknown): never {
  console.error(err);
  const message = { type: 'failed', error: err instanceof Error ? err.message : String(err) };
  if (process.send) process.send(message, () => process.exit(1));
  else process.exit(1);
  // Wait for the message to leave; process.exit above ends the process.
  return undefined as never;
}
