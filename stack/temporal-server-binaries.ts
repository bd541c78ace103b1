// Finds or provisions the real Temporal server — what production runs, on PostgreSQL — and its `sql` schema tool,
// with the config template and PostgreSQL schemas of the same release. No Docker: the Go module proxy serves
// go.temporal.io/server, and `go install` builds both programs (5–9 minutes on 2 cores, once per machine).
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { withDirLock } from './dir-lock.js';
import { findOnPath, isExecutableFile } from './find-executable.js';
import { installExecutable } from './install-file.js';
import { defaultLog, type StackLog } from './log.js';
import { toolsDir } from '../config/paths.js';
import { describeResult, runCommand, succeeded } from './run-command.js';

/**
 * The server release chuky is tested on. docker-compose.yml pins the same version (test/unit/compose-drift.test.ts
 * fails when they differ), so what CI proves is what a province deploys.
 */
export const TEMPORAL_SERVER_VERSION = '1.29.1';
export const TEMPORAL_SERVER_MODULE = 'go.temporal.io/server';

export interface TemporalServerBinaries {
  /** The server (`go.temporal.io/server/cmd/server`; `temporal-server` in the official image). */
  server: string;
  /** The schema tool (`cmd/tools/sql`; `temporal-sql-tool` in the official image). */
  sqlTool: string;
  /** The release's PostgreSQL schemas: `<schemaDir>/{temporal,visibility}/versioned`. */
  schemaDir: string;
  /** The release's config template, `development-postgres12.yaml`. */
  configTemplate: string;
}

/** .tools/temporal-server-<version>/: bin/, schema/postgresql/v12/, config/. */
export function cachedServerHome(): string {
  return join(toolsDir(), `temporal-server-${TEMPORAL_SERVER_VERSION}`);
}

function inHome(home: string): TemporalServerBinaries {
  return {
    server: join(home, 'bin', 'temporal-server'),
    sqlTool: join(home, 'bin', 'temporal-sql-tool'),
    schemaDir: join(home, 'schema', 'postgresql', 'v12'),
    configTemplate: join(home, 'config', 'development-postgres12.yaml'),
  };
}

/** `<bin> --version` prints "temporal version 1.29.1"; anything else is not the release we pin. */
async function serverVersion(bin: string): Promise<{ ok: boolean; report: string }> {
  const result = await runCommand(bin, ['--version'], { timeoutMs: 60_000 });
  const line = result.stdout.trim().split('\n')[0] ?? '';
  return { ok: succeeded(result) && line.includes(TEMPORAL_SERVER_VERSION), report: line || describeResult(result) };
}

async function complete(b: TemporalServerBinaries): Promise<boolean> {
  return (
    isExecutableFile(b.server) &&
    isExecutableFile(b.sqlTool) &&
    existsSync(join(b.schemaDir, 'temporal', 'versioned')) &&
    existsSync(join(b.schemaDir, 'visibility', 'versioned')) &&
    existsSync(b.configTemplate) &&
    (await serverVersion(b.server)).ok
  );
}

/** The module's source folder in Go's module cache (downloading it when missing): schemas and config live there. */
async function moduleDir(): Promise<string> {
  const result = await runCommand('go', ['mod', 'download', '-json', `${TEMPORAL_SERVER_MODULE}@v${TEMPORAL_SERVER_VERSION}`], {
    timeoutMs: 20 * 60_000,
    env: { ...process.env, GOFLAGS: '-mod=mod' },
  });
  if (!succeeded(result))
    throw new Error(`go mod download ${TEMPORAL_SERVER_MODULE}@v${TEMPORAL_SERVER_VERSION} failed:\n${describeResult(result)}`);
  const dir = (JSON.parse(result.stdout) as { Dir?: string }).Dir;
  if (!dir || !existsSync(dir)) throw new Error(`go mod download named no folder for ${TEMPORAL_SERVER_MODULE}: ${result.stdout}`);
  return dir;
}

/** Builds both programs and copies the schemas and the config template into a fresh home, moved into place whole. */
async function provision(log: StackLog): Promise<TemporalServerBinaries> {
  const home = cachedServerHome();
  await mkdir(toolsDir(), { recursive: true });
  // Everything is assembled in a private folder beside the target and renamed at the end, so a build killed
  // half-way never leaves a cache that looks complete.
  const work = await mkdtemp(join(toolsDir(), 'temporal-server-build-'));
  try {
    const gobin = join(work, 'gobin');
    const started = Date.now();
    log(`building Temporal server ${TEMPORAL_SERVER_VERSION} with go install (5–9 minutes on 2 cores, once per machine)`);
    const result = await runCommand(
      'go',
      [
        'install',
        `${TEMPORAL_SERVER_MODULE}/cmd/server@v${TEMPORAL_SERVER_VERSION}`,
        `${TEMPORAL_SERVER_MODULE}/cmd/tools/sql@v${TEMPORAL_SERVER_VERSION}`,
      ],
      // CGO off: a static binary that does not depend on this machine's C library.
      { env: { ...process.env, GOBIN: gobin, CGO_ENABLED: '0' }, timeoutMs: 45 * 60_000 },
    );
    if (!succeeded(result)) {
      throw new Error(
        `Could not build the Temporal server (go install ${TEMPORAL_SERVER_MODULE}/cmd/server@v${TEMPORAL_SERVER_VERSION}). ` +
          `Set TEMPORAL_SERVER_PATH to an existing temporal-server ${TEMPORAL_SERVER_VERSION}, or fix:\n${describeResult(result)}`,
      );
    }
    const staged = inHome(join(work, 'home'));
    await installExecutable(join(gobin, 'server'), staged.server);
    await installExecutable(join(gobin, 'sql'), staged.sqlTool);
    const src = await moduleDir();
    await cp(join(src, 'schema', 'postgresql', 'v12'), staged.schemaDir, { recursive: true });
    await mkdir(join(work, 'home', 'config'), { recursive: true });
    await cp(join(src, 'config', 'development-postgres12.yaml'), staged.configTemplate);
    // Copied out of Go's read-only module cache: make the copies ours, so `rm -rf .tools` works.
    await runCommand('chmod', ['-R', 'u+w', join(work, 'home')]);
    await writeFile(join(work, 'home', 'VERSION'), `${TEMPORAL_SERVER_MODULE}@v${TEMPORAL_SERVER_VERSION}\n`);
    await rm(home, { recursive: true, force: true });
    await rename(join(work, 'home'), home);
    log(`Temporal server ${TEMPORAL_SERVER_VERSION} built in ${((Date.now() - started) / 1000).toFixed(0)} s: ${home}`);
    return inHome(home);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Schemas and template for binaries that came from outside (environment, PATH): from the module, cached. */
async function withSchemas(server: string, sqlTool: string, log: StackLog): Promise<TemporalServerBinaries> {
  const fromEnv = process.env.TEMPORAL_SERVER_SCHEMA_DIR;
  if (fromEnv) {
    const home = resolve(fromEnv);
    const b = inHome(home);
    return { server, sqlTool, schemaDir: existsSync(join(home, 'temporal')) ? home : b.schemaDir, configTemplate: b.configTemplate };
  }
  const cached = inHome(cachedServerHome());
  if (!existsSync(cached.schemaDir) || !existsSync(cached.configTemplate)) {
    await withDirLock(join(toolsDir(), 'temporal-server-schema.lock'), async () => {
      if (existsSync(cached.schemaDir) && existsSync(cached.configTemplate)) return;
      log(`fetching the schemas of ${TEMPORAL_SERVER_MODULE}@v${TEMPORAL_SERVER_VERSION}`);
      const src = await moduleDir();
      await cp(join(src, 'schema', 'postgresql', 'v12'), cached.schemaDir, { recursive: true });
      await mkdir(join(cachedServerHome(), 'config'), { recursive: true });
      await cp(join(src, 'config', 'development-postgres12.yaml'), cached.configTemplate);
      await runCommand('chmod', ['-R', 'u+w', cachedServerHome()]);
    });
  }
  return { ...cached, server, sqlTool };
}

async function resolveServer(log: StackLog): Promise<TemporalServerBinaries> {
  const fromEnv = process.env.TEMPORAL_SERVER_PATH;
  if (fromEnv) {
    const server = isAbsolute(fromEnv) ? fromEnv : resolve(fromEnv);
    const probe = await serverVersion(server);
    // An explicit setting that does not work is a configuration error: say so rather than build something else.
    if (!probe.ok) throw new Error(`TEMPORAL_SERVER_PATH=${fromEnv} is not temporal-server ${TEMPORAL_SERVER_VERSION}: ${probe.report}`);
    const sqlTool = process.env.TEMPORAL_SQL_TOOL_PATH || findOnPath('temporal-sql-tool');
    if (!sqlTool) throw new Error('TEMPORAL_SERVER_PATH is set but the schema tool is not: set TEMPORAL_SQL_TOOL_PATH too');
    return withSchemas(server, sqlTool, log);
  }

  const onPath = findOnPath('temporal-server');
  const sqlOnPath = findOnPath('temporal-sql-tool');
  if (onPath && sqlOnPath) {
    if ((await serverVersion(onPath)).ok) return withSchemas(onPath, sqlOnPath, log);
    log(`ignoring ${onPath} on PATH: it is not Temporal server ${TEMPORAL_SERVER_VERSION}`);
  }

  const cached = inHome(cachedServerHome());
  if (await complete(cached)) return cached;
  return withDirLock(
    join(toolsDir(), 'temporal-server.lock'),
    async () => ((await complete(cached)) ? cached : provision(log)),
    // A build takes minutes: a second process waits for the first rather than building the same thing again.
    { onWait: () => log('another process is building the Temporal server; waiting'), timeoutMs: 60 * 60_000 },
  );
}

let pending: Promise<TemporalServerBinaries> | undefined;

/**
 * The Temporal server and schema tool, pinned to TEMPORAL_SERVER_VERSION. Order: $TEMPORAL_SERVER_PATH (with
 * $TEMPORAL_SQL_TOOL_PATH), `temporal-server` and `temporal-sql-tool` on PATH, the cache in
 * .tools/temporal-server-<version>/, then `go install` into that cache. Memoised per process.
 */
export function ensureTemporalServer(log: StackLog = defaultLog): Promise<TemporalServerBinaries> {
  if (!pending) {
    pending = resolveServer(log);
    pending.catch(() => {
      pending = undefined;
    });
  }
  return pending;
}
