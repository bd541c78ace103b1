// A cross-process lock made of a directory: mkdir is atomic on every local
// filesystem, so two processes provisioning the same tool at once take turns
// instead of writing over each other's half-copied binary.
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';

interface LockOwner {
  pid: number;
  host: string;
  since: number;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM means the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A lock is stale when its owner died (same host, pid gone) or when it has been
 * held longer than staleMs, which only happens if a process was killed mid-way
 * on another host sharing the folder.
 */
async function isStale(lockDir: string, staleMs: number): Promise<boolean> {
  try {
    const owner = JSON.parse(await readFile(join(lockDir, 'owner.json'), 'utf8')) as LockOwner;
    if (owner.host === hostname() && !processAlive(owner.pid)) return true;
    return Date.now() - owner.since > staleMs;
  } catch {
    // No owner file yet: either just created (give it a moment) or the creator died
    // between mkdir and write. Judge by the directory's age.
    try {
      const s = await stat(lockDir);
      return Date.now() - s.mtimeMs > 10_000;
    } catch {
      return false;
    }
  }
}

export async function withDirLock<T>(
  lockDir: string,
  fn: () => Promise<T>,
  opts: { timeoutMs?: number; staleMs?: number; onWait?: () => void } = {},
): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 30 * 60_000;
  const staleMs = opts.staleMs ?? 60 * 60_000;
  const deadline = Date.now() + timeoutMs;
  await mkdir(dirname(lockDir), { recursive: true });
  let warned = false;
  for (;;) {
    try {
      await mkdir(lockDir);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (await isStale(lockDir, staleMs)) {
        await rm(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for lock ${lockDir}`, { cause: err });
      if (!warned) {
        warned = true;
        opts.onWait?.();
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  const owner: LockOwner = { pid: process.pid, host: hostname(), since: Date.now() };
  await writeFile(join(lockDir, 'owner.json'), JSON.stringify(owner));
  try {
    return await fn();
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}
