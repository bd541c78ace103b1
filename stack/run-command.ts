// Runs an external command to completion and reports what happened, without
// throwing: provisioning tries several routes and wants every failure's output.
import { spawn } from 'node:child_process';

export interface CommandResult {
  command: string;
  /** Exit code; null when killed by a signal or when the program could not start. */
  code: number | null;
  stdout: string;
  stderr: string;
  /** Set when the program could not be started at all (e.g. ENOENT). */
  spawnError?: string;
  timedOut: boolean;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

const MAX_CAPTURE = 64 * 1024;

function keepTail(buffer: string, chunk: string): string {
  const next = buffer + chunk;
  return next.length > MAX_CAPTURE ? next.slice(next.length - MAX_CAPTURE) : next;
}

export function runCommand(cmd: string, args: string[], opts: RunOptions = {}): Promise<CommandResult> {
  const command = [cmd, ...args].join(' ');
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let settled = false;
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const timer = opts.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          child.kill('SIGKILL');
        }, opts.timeoutMs)
      : undefined;
    const finish = (result: Omit<CommandResult, 'command' | 'stdout' | 'stderr' | 'timedOut'>) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      resolve({ command, stdout, stderr, timedOut, ...result });
    };
    child.stdout.on('data', (c: Buffer) => (stdout = keepTail(stdout, c.toString())));
    child.stderr.on('data', (c: Buffer) => (stderr = keepTail(stderr, c.toString())));
    child.once('error', (err) => finish({ code: null, spawnError: err.message }));
    child.once('close', (code) => finish({ code }));
  });
}

export function succeeded(r: CommandResult): boolean {
  return r.code === 0 && !r.spawnError && !r.timedOut;
}

/** One-paragraph summary of a command outcome, for "every route tried" errors. */
export function describeResult(r: CommandResult): string {
  const status = r.spawnError ? `could not start: ${r.spawnError}` : r.timedOut ? 'timed out' : `exit code ${String(r.code)}`;
  const output = `${r.stdout}\n${r.stderr}`.trim();
  const tail = output.length > 2000 ? `…${output.slice(-2000)}` : output;
  return `$ ${r.command}\n  → ${status}${tail ? `\n${tail.replace(/^/gm, '    ')}` : ''}`;
}
