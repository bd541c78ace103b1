// Deals with a postmaster.pid left in a data directory by an earlier run.
//
// PostgreSQL removes a stale lock file itself only when kill(pid, 0) says the
// pid is gone. In containers pids are small and get reused quickly, and as
// root we run postgres under the unprivileged "postgres" user, for whom
// kill(pid, 0) on a root process fails with EPERM, which PostgreSQL reads as
// "another postmaster is running". So we decide ourselves, from /proc.
import { existsSync, readFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { StackLog } from './log.js';

function readProc(pid: number, file: string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return undefined;
  }
}

function commandLine(pid: number): string {
  return (readProc(pid, 'cmdline') ?? '').split('\0').join(' ').trim();
}

function processName(pid: number): string {
  return (readProc(pid, 'comm') ?? '').trim();
}

function parentPid(pid: number): number | undefined {
  const stat = readProc(pid, 'stat');
  if (!stat) return undefined;
  // Field 4 is the ppid; field 2 (comm) may contain spaces, so split after its ')'.
  const afterComm = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ppid = Number(afterComm[1]);
  return Number.isFinite(ppid) ? ppid : undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface LockInfo {
  pid: number;
  port?: number;
}

async function readLock(dataDir: string): Promise<LockInfo | undefined> {
  const file = join(dataDir, 'postmaster.pid');
  if (!existsSync(file)) return undefined;
  const lines = (await readFile(file, 'utf8')).split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0) return { pid: -1 };
  return { pid, port: Number.isInteger(port) ? port : undefined };
}

async function waitGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return !alive(pid);
}

/**
 * Leaves the data directory startable, or throws if a live PostgreSQL that
 * some running program still owns is using it.
 * - lock names a dead pid, or a pid now used by some other program: the lock is stale, remove it;
 * - lock names a postgres whose parent is gone or is not a Node process (an orphan of a crashed
 *   or SIGKILLed chuky run): shut it down (fast shutdown) and carry on;
 * - lock names a postgres still owned by a live Node process: refuse, naming pid and port.
 */
export async function clearStalePostmaster(dataDir: string, log: StackLog): Promise<void> {
  const lock = await readLock(dataDir);
  if (!lock) return;
  const lockFile = join(dataDir, 'postmaster.pid');
  const { pid } = lock;
  const running = pid > 0 && alive(pid);
  const cmd = running ? commandLine(pid) : '';
  // Ours only if it is a postgres process serving this very directory (-D <dataDir>).
  const isOurPostmaster = running && processName(pid) === 'postgres' && cmd.includes(dataDir);
  if (!isOurPostmaster) {
    log(`removing stale ${lockFile} (pid ${pid} is ${cmd ? `"${cmd}"` : 'not running'})`);
    await rm(lockFile, { force: true });
    return;
  }
  const ppid = parentPid(pid);
  if (ppid !== undefined && ppid > 1 && processName(ppid) === 'node') {
    throw new Error(
      `PostgreSQL (pid ${pid}, port ${lock.port ?? '?'}) is already running on ${dataDir}, started ` +
        `by live process ${ppid} (${commandLine(ppid)}). ` +
        'Stop that process, or pass another dataDir.',
    );
  }
  log(`stopping orphaned PostgreSQL pid ${pid} left on ${dataDir} by an earlier run`);
  process.kill(pid, 'SIGINT');
  if (!(await waitGone(pid, 30_000))) {
    process.kill(pid, 'SIGKILL');
    await waitGone(pid, 5_000);
  }
  await rm(lockFile, { force: true });
}
