/**
 * chuky's own processes (`chuky worker`, `chuky api`) run the way a deployment runs them: as separate programs
 * under a supervisor that starts them again when they exit (systemd's Restart=always, Docker's restart policy).
 * The suite kills them with SIGKILL; a process that exits by itself (its server unreachable too long) is
 * restarted too, and counted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../config/paths.js';

export class Supervised {
  private child: ChildProcess | undefined;
  /** Kills `child` with SIGKILL and marks its exit as the suite's own (not a self exit). */
  private killChild: (() => void) | undefined;
  private stopped = false;
  private holdUntil = 0;
  /** Exits the suite did not cause (kill -9 excluded). */
  selfExits = 0;
  /** When each start happened (ms): a kill's recovery is measured from the start that followed it. */
  readonly startTimes: number[] = [];
  get starts(): number {
    return this.startTimes.length;
  }
  private readonly log: fs.WriteStream;
  private restartTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly name: string,
    private readonly args: string[],
    private readonly env: () => Record<string, string>,
    logFile: string,
    private readonly restartDelayMs = 1_000,
  ) {
    fs.mkdirSync(path.dirname(logFile), { recursive: true });
    this.log = fs.createWriteStream(logFile, { flags: 'a' });
  }

  start(): void {
    if (this.stopped || this.child) return;
    const bin = path.join(projectRoot(), 'dist', 'cli', 'chuky.js');
    const child = spawn(process.execPath, [bin, ...this.args], {
      env: { ...process.env, ...this.env() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.startTimes.push(Date.now());
    this.log.write(`--- ${new Date().toISOString()} start #${this.starts} (pid ${child.pid})\n`);
    child.stdout.pipe(this.log, { end: false });
    child.stderr.pipe(this.log, { end: false });
    let killed = false;
    this.killChild = () => {
      killed = true;
      child.kill('SIGKILL');
    };
    child.once('exit', (code, signal) => {
      this.log.write(`--- ${new Date().toISOString()} exit code=${code} signal=${signal}\n`);
      if (this.child === child) {
        this.child = undefined;
        this.killChild = undefined;
      }
      if (!killed && !this.stopped) this.selfExits++;
      if (this.stopped) return;
      const wait = Math.max(this.restartDelayMs, this.holdUntil - Date.now());
      this.restartTimer = setTimeout(() => this.start(), wait);
    });
    this.child = child;
  }

  /** kill -9, and keep it down for `downMs` before the supervisor starts it again. */
  kill9(downMs: number): void {
    this.holdUntil = Date.now() + downMs;
    this.killChild?.();
  }

  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const c = this.child;
    if (c && c.exitCode === null) {
      const exited = new Promise<void>((r) => c.once('exit', () => r()));
      c.kill('SIGTERM');
      const t = setTimeout(() => c.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    }
    await new Promise<void>((r) => this.log.end(r));
  }
}
