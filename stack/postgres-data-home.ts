// Where a PostgreSQL cluster's files live when the account that runs the server cannot reach the folder asked
// for (as root, the "postgres" account and a checkout in /root/… or a mkdtemp folder). We never open the user's
// folders to others. The cluster goes into a folder of chuky's own under a system temporary folder (/var/tmp
// first, which survives a reboot), and the folder asked for becomes a symbolic link to it, so `ls .data/`
// shows where the data is, and deleting `.data/` starts afresh as it always did.
//
// Layout: <temp>/chuky-postgres-data/<id>/origin (the path asked for) and <id>/data (the cluster, owned by the
// account, 0700). A cluster whose origin no longer links to it (its `.data/` or test folder was deleted) and
// that no server is running on is removed when the next one is placed.
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { accountCanEnter, firstBarrier, type PostgresAccount } from './postgres-account.js';
import type { StackLog } from './log.js';
import { rootOwnedFolder, systemTempFolders } from './root-owned-folder.js';

const HOME_NAME = 'chuky-postgres-data';

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

function isEmptyDir(path: string): boolean {
  try {
    return readdirSync(path).length === 0;
  } catch {
    return false;
  }
}

function serverRunningOn(dataDir: string): boolean {
  try {
    const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    if (!Number.isInteger(pid) || pid <= 0) return false;
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes the clusters of origins that were deleted or now point elsewhere, unless a server runs on them. */
function removeOrphans(home: string, log: StackLog): void {
  for (const id of readdirSync(home)) {
    const entry = join(home, id);
    const data = join(entry, 'data');
    let origin: string;
    try {
      origin = readFileSync(join(entry, 'origin'), 'utf8').trim();
    } catch {
      continue; // being created by another process, or not ours
    }
    let linked: boolean;
    try {
      linked = resolve(dirname(origin), readlinkSync(origin)) === data;
    } catch {
      linked = false;
    }
    if (linked || serverRunningOn(data)) continue;
    rmSync(entry, { recursive: true, force: true });
    log(`removed the PostgreSQL cluster ${data}: ${origin} no longer links to it`);
  }
}

function relocate(dir: string, account: PostgresAccount, log: StackLog): string {
  for (const parent of systemTempFolders()) {
    // 0711: the account may pass through to its cluster, but not list the others.
    const home = rootOwnedFolder(parent, HOME_NAME, 0o711);
    if (!home) continue;
    removeOrphans(home, log);
    const entry = mkdtempSync(join(home, 'cluster-'));
    try {
      chmodSync(entry, 0o711); // mkdtemp made it 0700; the account must pass through it to its data
      mkdirSync(join(entry, 'data'), { mode: 0o700 });
      chownSync(join(entry, 'data'), account.uid, account.gid);
      writeFileSync(join(entry, 'origin'), `${dir}\n`);
      if (!accountCanEnter(join(entry, 'data'), account)) throw new Error(`the "${account.name}" account cannot enter ${entry}`);
      symlinkSync(join(entry, 'data'), dir, 'dir');
    } catch (err) {
      rmSync(entry, { recursive: true, force: true });
      log(`could not place PostgreSQL's data under ${home}: ${(err as Error).message}`);
      continue;
    }
    const barrier = firstBarrier(dir, account) ?? dirname(dir);
    log(`the "${account.name}" account cannot enter ${barrier}; PostgreSQL keeps its data in ${join(entry, 'data')}, linked from ${dir}`);
    return join(entry, 'data');
  }
  throw new Error(
    `PostgreSQL must run as the "${account.name}" account, which cannot enter ${firstBarrier(dirname(dir), account) ?? dirname(dir)}, ` +
      (`and no system temporary folder (${systemTempFolders().join(', ')}) could hold its data ` +
        `instead; set CHUKY_DATA_DIR to a folder others may enter, or DATABASE_URL to a running ` +
        `PostgreSQL`),
  );
}

/**
 * The real folder the cluster lives in, for the folder asked for. Unchanged when the account reaches it (and
 * always when not root); a folder of chuky's own under a system temporary folder otherwise.
 */
export function placeDataDir(dir: string, account: PostgresAccount | undefined, log: StackLog): string {
  mkdirSync(dirname(dir), { recursive: true });
  if (isSymlink(dir)) {
    const target = resolve(dirname(dir), readlinkSync(dir));
    if (existsSync(join(target, 'PG_VERSION')) || (existsSync(target) && isEmptyDir(target))) return target;
    // The link outlived its cluster (a cleaned temporary folder): start afresh.
    log(`${dir} links to ${target}, which holds no cluster any more; initialising a new one`);
    rmSync(dir, { force: true });
  }
  if (!account) return dir;
  if (existsSync(dir)) {
    if (accountCanEnter(dir, account)) return dir;
    if (!isEmptyDir(dir)) {
      throw new Error(
        `PostgreSQL's data in ${dir} cannot be reached by the "${account.name}" account that runs it ` +
          `(${firstBarrier(dir, account) ?? dir} is closed to it); ` +
          'move the folder somewhere others may enter and set CHUKY_DATA_DIR, or delete it to start afresh',
      );
    }
    rmSync(dir, { recursive: true, force: true });
  } else if (accountCanEnter(dirname(dir), account)) {
    return dir;
  }
  return relocate(dir, account, log);
}
