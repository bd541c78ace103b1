/**
 * The workflow bundle kept on disk between worker starts. Bundling takes 6–10 s of CPU (webpack over the
 * workflows and the domain code); a worker restarted after a crash or a deploy should poll again at once, and
 * the test run starts a worker in every test file. The cache key is a hash of every local source file the
 * workflows import (followed from workflows/index, type-only imports left out), of the SDK's version and of the
 * bundler options' identity, so a changed workflow or domain file can never be served a stale bundle.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const IMPORT = /^\s*(?:import|export)\s+(?!type\b)(?:[^'";]*?\sfrom\s+)?['"](\.{1,2}\/[^'"]+)['"]/gm;

/** `spec` resolved the way the bundler does: `.js` may name a `.ts` source. */
function resolveLocal(fromFile: string, spec: string): string | undefined {
  const base = path.resolve(path.dirname(fromFile), spec);
  const candidates = base.endsWith('.js') ? [`${base.slice(0, -3)}.ts`, base] : [base, `${base}.ts`, `${base}.js`];
  return candidates.find((c) => fs.existsSync(c) && fs.statSync(c).isFile());
}

/** Every local file reachable from `entry` through value imports, sorted. */
export function sourceClosure(entry: string): string[] {
  const seen = new Set<string>();
  const queue = [entry];
  while (queue.length) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(IMPORT)) {
      const next = resolveLocal(file, m[1]!);
      if (next && !seen.has(next)) queue.push(next);
    }
  }
  return [...seen].sort();
}

function sdkVersion(): string {
  const require = createRequire(import.meta.url);
  try {
    return (require('@temporalio/workflow/package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** The cache key of the bundle built from `entry`: contents of its source closure, SDK version, `salt`. */
export function bundleKey(entry: string, salt: string): string {
  const hash = createHash('sha256').update(`${sdkVersion()}\0${salt}\0`);
  for (const file of sourceClosure(entry))
    hash
      .update(`${path.basename(file)}\0`)
      .update(fs.readFileSync(file))
      .update('\0');
  return hash.digest('hex').slice(0, 32);
}

/** The cached bundle's code, or undefined when there is none (or it cannot be read). */
export function readCachedBundle(dir: string, key: string): string | undefined {
  try {
    return fs.readFileSync(path.join(dir, `${key}.js`), 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Writes the bundle under its key, atomically (a temporary file renamed), so two workers starting together never
 * read half a file. Failure to write (a read-only image) only costs the next start its bundling time.
 */
export function writeCachedBundle(dir: string, key: string, code: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
    const tmp = path.join(dir, `${key}.${process.pid}.${Date.now()}.tmp`);
    fs.writeFileSync(tmp, code);
    fs.renameSync(tmp, path.join(dir, `${key}.js`));
    // Keep the few newest: old keys are bundles of code that has since changed.
    const bundles = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.js'))
      .map((f) => ({ f, t: fs.statSync(path.join(dir, f)).mtimeMs }))
      .sort((a, b) => b.t - a.t);
    for (const old of bundles.slice(6)) fs.rmSync(path.join(dir, old.f), { force: true });
  } catch {
    // Not cached; nothing else depends on it.
  }
}
