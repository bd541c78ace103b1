/**
 * Starts the real services once for the whole test run — a Temporal dev server, an embedded PostgreSQL and the
 * SMTP sink, each in a fresh temporary folder — and provisions the time-skipping test server binary, so the
 * test files only connect. Addresses reach the tests through `inject`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startDevServer } from '../../stack/temporal-dev-server.js';
import { startEmbeddedPostgres } from '../../stack/postgres.js';
import { startSmtpSink } from '../../stack/smtp-sink.js';
import { ensureTestServer } from '../../stack/test-server.js';
import { ensureTemporalServer } from '../../stack/temporal-server-binaries.js';
import { migrate } from '../../db/migrate.js';

declare module 'vitest' {
  export interface ProvidedContext {
    services: { temporalAddress: string; databaseUrl: string; smtpUrl: string; inboxUrl: string; testServerPath: string; tmpDir: string };
  }
}

export default async function setup(project: TestProject) {
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chuky-test-'));
  const log = (m: string) => process.env.CHUKY_TEST_VERBOSE && console.log(`[stack] ${m}`);
  // The real Temporal server (test/integration/production-shape.test.ts) is built once per machine, minutes with
  // go install: started now and not awaited, so that on a fresh machine the build overlaps the other files. The
  // test file's own call waits for it through the build's directory lock; a failed build is that file's failure.
  // A run limited to files that cannot need it (`npm run test:fast`, one unit-test file) does not start it: on a
  // fresh machine it would otherwise wait for the build at teardown.
  const filters = process.argv.slice(2).filter((a) => !a.startsWith('-') && a !== 'run' && !a.endsWith('vitest.mjs'));
  const needsServer = filters.length === 0 || filters.some((f) => /integration|production-shape|chaos|bench/.test(f));
  const serverBuild = (needsServer ? ensureTemporalServer(log) : Promise.resolve()).then(
    () => undefined,
    (err: unknown) => console.warn(`[stack] building the Temporal server in the background failed: ${(err as Error).message}`),
  );
  const [temporal, pg, sink, testServerPath] = await Promise.all([
    startDevServer({ dbFile: path.join(tmpDir, 'temporal.sqlite'), log }),
    startEmbeddedPostgres({ dataDir: path.join(tmpDir, 'postgres'), log }),
    startSmtpSink({ log }),
    ensureTestServer(log),
  ]);
  await migrate(pg.url);
  project.provide('services', {
    temporalAddress: temporal.address,
    databaseUrl: pg.url,
    smtpUrl: sink.url,
    inboxUrl: sink.inboxUrl,
    testServerPath,
    tmpDir,
  });
  return async () => {
    await Promise.allSettled([temporal.stop(), pg.stop(), sink.stop()]);
    // Never leave a go build running (nor its lock held) behind the test run.
    await serverBuild;
    fs.rmSync(tmpDir, { recursive: true, force: true });
  };
}
