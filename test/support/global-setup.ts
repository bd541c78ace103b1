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
import { migrate } from '../../db/migrate.js';

declare module 'vitest' {
  export interface ProvidedContext {
    services: { temporalAddress: string; databaseUrl: string; smtpUrl: string; inboxUrl: string; testServerPath: string; tmpDir: string };
  }
}

export default async function setup(project: TestProject) {
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chuky-test-'));
  const log = (m: string) => process.env.CHUKY_TEST_VERBOSE && console.log(`[stack] ${m}`);
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
    fs.rmSync(tmpDir, { recursive: true, force: true });
  };
}
