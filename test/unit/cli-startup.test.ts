/**
 * `chuky --help` answers in a tenth of a second, and every command starts without loading what it does not use
 * (issue 16): building the command tree must load only commander and the commands' declarations. This test walks
 * the static imports from cli/chuky.ts (as test/unit/layers.test.ts reads imports) and fails, naming the chain,
 * when one reaches a heavy package; then it runs the built `chuky --help` and lists the packages Node resolved.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../config/paths.js';
import { RECORD_KINDS } from '../../domain/records.js';
import { DEFAULT_POLLER_GRACE_SECONDS } from '../../ops/pollers.js';
import { DEFAULT_MIN_ATTEMPTS } from '../../ops/stalled.js';
import { POLLER_GRACE_SECONDS, RECORD_KIND_NAMES, STALL_MIN_ATTEMPTS } from '../../cli/help-defaults.js';

const ROOT = projectRoot();

/** Packages that cost 0.1–0.8 s each to load, or belong to what a command does rather than to its declaration. */
const HEAVY = [
  '@temporalio/client',
  '@temporalio/worker',
  '@temporalio/workflow',
  '@temporalio/common',
  '@temporalio/activity',
  'pg',
  'node-pg-migrate',
  'echarts',
  'exceljs',
  'docx',
  'nodemailer',
  'hono',
  '@hono/node-server',
  'zod',
  'yaml',
];

/** The package a bare specifier names: `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
const packageOf = (spec: string): string =>
  spec
    .split('/')
    .slice(0, spec.startsWith('@') ? 2 : 1)
    .join('/');

/**
 * The imports Node runs when `file` is loaded: `import … from`, `export … from` and `import '…'`; not `import type`,
 * `export type`, an import whose every name is `type …` (TypeScript drops it), nor `import(…)`, which runs later.
 */
function staticImports(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '');
  const found: string[] = [];
  const pattern = /^\s*(import|export)\s+(type\s+)?([^'";]*?\bfrom\s*)?['"]([^'"]+)['"]/gm;
  for (const m of text.matchAll(pattern)) {
    if (m[2]) continue;
    if (m[1] === 'export' && !m[3]) continue;
    const names = /^\s*\{([^}]*)\}\s*from/.exec(m[3] ?? '');
    if (names && names[1]!.split(',').every((n) => !n.trim() || /^type\s/.test(n.trim()))) continue;
    found.push(m[4]!);
  }
  return found;
}

/** Every package reachable from `entry` through static imports of the project's sources, with the chain to it. */
function reachablePackages(entry: string): { files: string[]; packages: Map<string, string[]> } {
  const seen = new Map<string, string[]>([[entry, [entry]]]);
  const packages = new Map<string, string[]>();
  const queue = [entry];
  while (queue.length) {
    const file = queue.shift()!;
    const chain = seen.get(file)!;
    for (const spec of staticImports(file)) {
      if (spec.startsWith('node:')) continue;
      if (!spec.startsWith('.')) {
        if (!packages.has(packageOf(spec))) packages.set(packageOf(spec), [...chain, spec]);
        continue;
      }
      const target = relative(ROOT, normalize(join(ROOT, dirname(file), spec.replace(/\.js$/, '.ts'))));
      if (!existsSync(join(ROOT, target))) throw new Error(`${file} imports ${spec}: ${target} does not exist`);
      if (!seen.has(target)) {
        seen.set(target, [...chain, target]);
        queue.push(target);
      }
    }
  }
  return { files: [...seen.keys()], packages };
}

describe('what `chuky` loads before it runs a command', () => {
  it('the walk follows imports into the project and finds packages (a walk that finds nothing proves nothing)', () => {
    const { files, packages } = reachablePackages('cli/commands/cycle-run.ts');
    expect(files).toContain('db/pool.ts');
    expect(packages.get('pg')).toBeDefined();
    // Type-only and dynamic imports are not followed: they run nothing at start-up.
    expect(staticImports('cli/commands/cycle.ts')).not.toContain('./cycle-start.js');
    expect(staticImports('cli/with-temporal.ts')).toContain('@temporalio/client');
  });

  it('cli/chuky.ts reaches every command declaration and no heavy package', () => {
    const { files, packages } = reachablePackages('cli/chuky.ts');
    expect(files).toEqual(
      expect.arrayContaining(['cli/commands/cycle.ts', 'cli/commands/ops.ts', 'cli/commands/unit.ts', 'cli/commands/repair.ts']),
    );
    expect(packages.get('commander')).toBeDefined();
    const heavy = HEAVY.filter((p) => packages.has(p)).map((p) => packages.get(p)!.join(' → '));
    expect(heavy).toEqual([]);
  });

  it('the built `chuky --help` resolves no heavy package (what Node actually loads)', () => {
    const bin = join(ROOT, 'dist', 'cli', 'chuky.js');
    expect(existsSync(bin), `${bin} is missing: run \`npm run build\` first (\`npm test\` does)`).toBe(true);
    // A resolve hook that names each bare specifier resolved outside node_modules (the project's own imports).
    const hook = `export async function resolve(s, c, next) {
      if (!/^(\\.|\\/|node:|file:|data:)/.test(s)) process.stderr.write('RESOLVED ' + s + '\\n');
      return next(s, c);
    }`;
    const register = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hook)}`)});`;
    const r = spawnSync(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(register)}`, bin, '--help'], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Usage: chuky');
    const resolved = new Set([...r.stderr.matchAll(/^RESOLVED (\S+)$/gm)].map((m) => packageOf(m[1]!)));
    expect(resolved).toContain('commander');
    expect(HEAVY.filter((p) => resolved.has(p))).toEqual([]);
  });

  it("the help's copies of values held by heavy modules equal their originals (cli/help-defaults.ts)", () => {
    expect(STALL_MIN_ATTEMPTS).toBe(DEFAULT_MIN_ATTEMPTS);
    expect(POLLER_GRACE_SECONDS).toBe(DEFAULT_POLLER_GRACE_SECONDS);
    expect([...RECORD_KIND_NAMES]).toEqual([...RECORD_KINDS]);
  });
});
