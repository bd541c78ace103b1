// Who runs PostgreSQL. The server refuses to run as root, so as root we run it as the unprivileged "postgres"
// account (created when the machine has none, as a fresh container may not), and every path it needs must be
// reachable by that account. We test reachability by asking the account itself, through the same spawn
// mechanism the server is started with (setgid, setuid, no supplementary groups), rather than by reading mode
// bits: ACLs, groups and mount options all count, and only the kernel knows the answer.
import { execFileSync, spawnSync } from 'node:child_process';
import type { StackLog } from './log.js';

export interface PostgresAccount {
  name: string;
  uid: number;
  gid: number;
}

const ACCOUNT = 'postgres';

export function runningAsRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function lookUp(name: string): PostgresAccount | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    return Number.isInteger(uid) && Number.isInteger(gid) ? { name, uid, gid } : undefined;
  } catch {
    return undefined;
  }
}

/** As root: the account PostgreSQL runs as, created when missing. Otherwise undefined (it runs as us). */
export function postgresAccount(log: StackLog): PostgresAccount | undefined {
  if (!runningAsRoot()) return undefined;
  const found = lookUp(ACCOUNT);
  if (found) return found;
  log(`creating the system account "${ACCOUNT}" to run PostgreSQL (it refuses to run as root)`);
  try {
    if (spawnSync('getent', ['group', ACCOUNT], { stdio: 'ignore' }).status !== 0) {
      execFileSync('groupadd', ['--system', ACCOUNT], { stdio: ['ignore', 'ignore', 'pipe'] });
    }
    execFileSync('useradd', ['--system', '--no-create-home', '--gid', ACCOUNT, '--shell', '/usr/sbin/nologin', ACCOUNT], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(`PostgreSQL cannot run as root, and creating the "${ACCOUNT}" account failed: ${stderr || (err as Error).message}`, {
      cause: err,
    });
  }
  const created = lookUp(ACCOUNT);
  if (!created) throw new Error(`PostgreSQL cannot run as root, and the "${ACCOUNT}" account could not be found after creating it`);
  return created;
}

/** True when the account can enter `dir` (search permission on it and on every ancestor). */
export function accountCanEnter(dir: string, account: PostgresAccount | undefined): boolean {
  if (!account) return true;
  const result = spawnSync('/bin/sh', ['-c', 'cd -- "$1"', 'chuky-reach', dir], {
    uid: account.uid,
    gid: account.gid,
    cwd: '/',
    stdio: 'ignore',
    timeout: 10_000,
  });
  return result.status === 0;
}

/** True when the account can run `binary --version` (it reaches the file, its libraries and can execute it). */
export function accountCanRun(binary: string, account: PostgresAccount | undefined): boolean {
  const result = spawnSync(binary, ['--version'], {
    ...(account ? { uid: account.uid, gid: account.gid } : {}),
    cwd: '/',
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
    timeout: 10_000,
  });
  return result.status === 0 && /postgres/i.test(result.stdout ?? '');
}

/**
 * The first ancestor of `dir` (itself included) the account cannot enter, to name in an error message;
 * undefined when it can enter them all.
 */
export function firstBarrier(dir: string, account: PostgresAccount | undefined): string | undefined {
  if (!account) return undefined;
  const parts = dir.split('/').filter(Boolean);
  for (let i = 1; i <= parts.length; i++) {
    const prefix = `/${parts.slice(0, i).join('/')}`;
    if (!accountCanEnter(prefix, account)) return prefix;
  }
  return undefined;
}
