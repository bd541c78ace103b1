/**
 * chuky cloned into a folder only its owner may enter (mode 0700: /root/…, a mkdtemp folder). As root, PostgreSQL
 * runs as the unprivileged "postgres" account, which cannot reach anything inside such a checkout: neither the
 * binaries in node_modules nor `.data/`. The README's commands must still work, and must not open any folder
 * outside the project to others. CI runs as root, so this runs the case the issue met.
 */
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../config/paths.js';
import { startEmbeddedPostgres } from '../../stack/postgres.js';
import { runningAsRoot } from '../../stack/postgres-account.js';

const asRoot = runningAsRoot();
const made: string[] = [];

function privateFolder(prefix: string): string {
  // Under the project's own .data/, so hard links to node_modules work (one filesystem); mkdtemp makes it 0700.
  const base = path.join(projectRoot(), '.data');
  fs.mkdirSync(base, { recursive: true });
  const dir = fs.mkdtempSync(path.join(base, prefix));
  made.push(dir);
  expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
  return dir;
}

function ancestorModes(dir: string): Record<string, number> {
  const modes: Record<string, number> = {};
  for (let d = dir; ; d = path.dirname(d)) {
    modes[d] = fs.statSync(d).mode & 0o7777;
    if (path.dirname(d) === d) return modes;
  }
}

function run(cwd: string, script: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ['--input-type=module', '-e', script], { cwd, timeout: 120_000 }, (_err, stdout, stderr) =>
      resolve({ code: child.exitCode, stdout: String(stdout), stderr: String(stderr) }),
    );
  });
}

/** Removes a cluster placed outside the checkout (the next start would remove it too, as an orphan). */
function removePlacedCluster(link: string): void {
  if (fs.existsSync(link) && fs.lstatSync(link).isSymbolicLink())
    fs.rmSync(path.dirname(fs.realpathSync(link)), { recursive: true, force: true });
}

afterAll(() => {
  for (const dir of made) {
    removePlacedCluster(path.join(dir, 'chuky', '.data', 'postgres'));
    removePlacedCluster(path.join(dir, 'data', 'postgres'));
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

describe('a checkout in a folder only its owner may enter', () => {
  it('starts PostgreSQL from the clone, keeps its data across starts, and changes no folder outside the project', async () => {
    const root = projectRoot();
    const parent = privateFolder('private-checkout-');
    const clone = path.join(parent, 'chuky');
    execFileSync('git', ['clone', '--quiet', root, clone]);
    // The clone runs its own compiled code (npm test built dist/ before the tests) and its own node_modules.
    execFileSync('cp', ['-al', path.join(root, 'node_modules'), path.join(clone, 'node_modules')]);
    execFileSync('cp', ['-a', path.join(root, 'dist'), path.join(clone, 'dist')]);
    const before = ancestorModes(parent);

    // What `npm start` does first: PostgreSQL on the default data folder, .data/postgres of the checkout.
    const script = `import { startEmbeddedPostgres } from './dist/stack/postgres.js';
import pg from 'pg';
const db = await startEmbeddedPostgres({});
const c = new pg.Client(db.url);
await c.connect();
await c.query('create table if not exists starts (at timestamptz default now())');
await c.query('insert into starts default values');
const count = Number((await c.query('select count(*) from starts')).rows[0].count);
const dataDirectory = (await c.query('select current_setting($1) as d', ['data_directory'])).rows[0].d;
await c.end();
await db.stop();
process.stdout.write(JSON.stringify({ count, dataDirectory }));`;

    const first = await run(clone, script);
    expect(first.stderr).not.toMatch(/EACCES|Unhandled|Error:/);
    expect(first.code, first.stderr).toBe(0);
    const second = await run(clone, script);
    expect(second.code, second.stderr).toBe(0);
    const [a, b] = [JSON.parse(first.stdout), JSON.parse(second.stdout)] as { count: number; dataDirectory: string }[];
    expect([a!.count, b!.count]).toEqual([1, 2]);

    // No folder outside the project changed its permissions, the private folder included.
    expect(ancestorModes(parent)).toEqual(before);
    expect(fs.statSync(parent).mode & 0o777).toBe(0o700);

    const link = path.join(clone, '.data', 'postgres');
    if (asRoot) {
      // The account could not enter the checkout: the cluster lives in a folder of chuky's own, linked from .data/.
      expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
      expect(a!.dataDirectory).toBe(fs.realpathSync(link));
      expect(a!.dataDirectory.startsWith(parent)).toBe(false);
      expect(first.stderr).toMatch(/running PostgreSQL's binaries from /);
      const owner = fs.statSync(a!.dataDirectory).uid;
      expect(owner).toBe(Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()));
    } else {
      // As its own user the server reaches the checkout: the data stays where it was asked for.
      expect(fs.lstatSync(link).isDirectory()).toBe(true);
      expect(a!.dataDirectory).toBe(link);
    }
  });

  it('refuses, in one line naming the folder, a cluster the server could not reach, rather than opening it up', async () => {
    const parent = privateFolder('private-cluster-');
    const dataDir = path.join(parent, 'data', 'postgres');
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(path.join(dataDir, 'PG_VERSION'), '18\n');
    const before = ancestorModes(parent);
    const started = startEmbeddedPostgres({ dataDir, log: () => undefined });
    if (asRoot) {
      await expect(started).rejects.toThrow(
        new RegExp(
          `^PostgreSQL's data in ${dataDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} cannot be reached by the "postgres" account[^\\n]*$`,
        ),
      );
    } else {
      // Not root: the server runs as us and reaches it, and fails on the fake cluster, naming the folder.
      await expect(started).rejects.toThrow(dataDir);
    }
    expect(ancestorModes(parent)).toEqual(before);
  });
});
