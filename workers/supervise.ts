/**
 * `chuky dev`'s worker: its own OS process (`chuky worker`, configured through the environment variables
 * production uses), started again when it dies — with a backoff, as systemd's Restart=always or Docker's restart
 * policy would (chaos/supervisor.ts does the same for the fault suite). Killing the worker then kills the worker
 * alone: the API, the console and the mail inbox stay up.
 *
 * The child runs in a process group of its own (a Ctrl-C in the terminal reaches `chuky dev`, which stops it in
 * order), with an IPC channel: `chuky worker` exits when the channel closes, so a `chuky dev` that is
 * itself killed with SIGKILL leaves no worker behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** Delay before the n-th consecutive restart (n from 1): 1 s, 2 s, 4 s … capped at maxMs. */
export function restartDelay(consecutive: number, baseMs = 1_000, maxMs = 30_000): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, consecutive - 1));
}

export interface SupervisorOptions {
  /** Program and arguments (default: this Node, with its flags). */
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** The child's stdout and stderr are appended here. */
  logFile: string;
  /** Told about starts, exits and restarts (one line each). */
  say: (line: string) => void;
  /** What the child is, in messages (default "worker"). */
  name?: string;
  /** Called with each new pid (to keep .data/services.json current). */
  onStart?: (pid: number) => void;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** A child that ran this long before it died resets the backoff. */
  stableMs?: number;
}

export class Supervisor {
  private child: ChildProcess | undefined;
  private stopped = false;
  private paused = false;
  private timer: NodeJS.Timeout | undefined;
  private consecutive = 0;
  private readonly log: fs.WriteStream;
  /** Number of starts so far. */
  starts = 0;

  constructor(private readonly o: SupervisorOptions) {
    fs.mkdirSync(path.dirname(o.logFile), { recursive: true });
    this.log = fs.createWriteStream(o.logFile, { flags: 'a' });
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    if (this.stopped || this.child) return;
    const child = spawn(this.o.command, this.o.args, { env: this.o.env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'], detached: true });
    this.starts++;
    const startedAt = Date.now();
    this.log.write(`--- ${new Date().toISOString()} start #${this.starts} (pid ${child.pid})\n`);
    child.stdout!.pipe(this.log, { end: false });
    child.stderr!.pipe(this.log, { end: false });
    child.on('error', (err) => this.log.write(`--- spawn error: ${err.message}\n`));
    child.once('exit', (code, signal) => {
      this.log.write(`--- ${new Date().toISOString()} exit code=${code} signal=${signal}\n`);
      if (this.child === child) this.child = undefined;
      if (this.stopped || this.paused) return;
      this.consecutive = Date.now() - startedAt >= (this.o.stableMs ?? 60_000) ? 1 : this.consecutive + 1;
      const wait = restartDelay(this.consecutive, this.o.baseDelayMs, this.o.maxDelayMs);
      this.o.say(
        `${this.o.name ?? 'worker'} (pid ${child.pid}) exited (${signal ? `signal ${signal}` : `code ${code}`}); ` +
          `restarting in ${(wait / 1000).toFixed(0)} s (log: ${this.o.logFile})`,
      );
      this.timer = setTimeout(() => this.start(), wait);
    });
    this.child = child;
    if (child.pid) this.o.onStart?.(child.pid);
  }

  /** Kills the running child with a signal (a fault, for tests and the fault suite); the supervisor restarts it. */
  kill(signal: NodeJS.Signals = 'SIGKILL'): number | undefined {
    const pid = this.child?.pid;
    this.child?.kill(signal);
    return pid;
  }

  /**
   * Kills the child and keeps it down until `resume()`: a fault that lasts (a worker lost for good, as in the
   * production-shape tests and the fault suite), where `kill()` is one the supervisor repairs at once.
   */
  async pause(signal: NodeJS.Signals = 'SIGKILL'): Promise<number | undefined> {
    this.paused = true;
    if (this.timer) clearTimeout(this.timer);
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return undefined;
    const exited = new Promise<void>((r) => c.once('exit', () => r()));
    c.kill(signal);
    await exited;
    return c.pid;
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.consecutive = 0;
    this.start();
  }

  async stop(graceMs = 15_000): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const c = this.child;
    if (c && c.exitCode === null && c.signalCode === null) {
      const exited = new Promise<void>((r) => c.once('exit', () => r()));
      c.kill('SIGTERM');
      const t = setTimeout(() => c.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(t);
    }
    await new Promise<void>((r) => this.log.end(r));
  }
}
