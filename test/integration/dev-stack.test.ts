// The operator's day with `chuky dev`: the worker is a supervised process of its own (killing it leaves the API
// up, and it comes back); `chuky dev status` prints the addresses again; after a kill -9 of `chuky dev` the
// services file is kept, `dev status`, `stalled` and `doctor` name what is down instead of "not found"; the next
// start stops the orphaned Temporal and takes its addresses again (never a second server on the SQLite file); a
// start beside a live `chuky dev` is refused, naming it.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../stack/ports.js';
import { chukyBin, waitFor } from '../support/processes.js';

const run = promisify(execFile);

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chuky-dev-stack-'));
let apiPort = 0;

/** The environment of an operator on a laptop: nothing set but the data folder (the test's services are not theirs). */
function devEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, CHUKY_DATA_DIR: dataDir, API_PORT: String(apiPort) };
  for (const k of ['TEMPORAL_ADDRESS', 'TEMPORAL_UI_URL', 'DATABASE_URL', 'SMTP_URL', 'PUBLIC_BASE_URL', 'CHUKY_API_TOKEN']) delete env[k];
  return env;
}

async function cli(args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [chukyBin(), ...args], { env: devEnv(), timeout: 60_000 });
    return { stdout, stderr, code: 0 };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; code?: number };
    return { stdout: e.stdout ?? '', stderr: e.stderr ?? '', code: typeof e.code === 'number' ? e.code : 1 };
  }
}

type Dev = ChildProcess & { output: () => string };

function startDev(): Dev {
  const child = spawn(process.execPath, [chukyBin(), 'dev', '--no-cycle'], { env: devEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  return Object.assign(child, { output: () => output });
}

async function ready(dev: Dev): Promise<void> {
  await waitFor(
    `chuky dev to start:\n${dev.output()}`,
    async () => {
      if (dev.exitCode !== null) throw new Error(`chuky dev exited (${dev.exitCode}):\n${dev.output()}`);
      return dev.output().includes('Ctrl-C stops everything');
    },
    180_000,
    500,
  );
}

interface ServicesJson {
  pid: number;
  temporalAddress: string;
  temporalUiUrl: string;
  temporalPid: number;
  databaseUrl: string;
  workerPid: number;
  apiUrl: string;
}
const servicesJson = (): ServicesJson => JSON.parse(fs.readFileSync(path.join(dataDir, 'services.json'), 'utf8'));
const sqlite = path.join(dataDir, 'temporal', 'temporal.sqlite');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Every `temporal server start-dev` process serving the test's SQLite file. */
function temporalsOnFile(): number[] {
  return fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        const argv = fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0');
        return argv.includes('start-dev') && argv.includes(sqlite);
      } catch {
        return false;
      }
    })
    .map(Number);
}

const healthy = async (url: string) => (await fetch(`${url}/healthz`).catch(() => undefined))?.ok === true;

describe('chuky dev: a supervised worker, status, and a crash', { timeout: 600_000 }, () => {
  let first: Dev | undefined;
  let second: Dev | undefined;
  let third: Dev | undefined;
  let crashed: ServicesJson;

  beforeAll(async () => {
    apiPort = await freePort();
    first = startDev();
    await ready(first);
  });

  afterAll(async () => {
    for (const d of [first, second, third]) if (d && d.exitCode === null) d.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 3_000));
    for (const pid of temporalsOnFile()) process.kill(pid, 'SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints the addresses again with `chuky dev status`, each one answering; the mail log is off the terminal', async () => {
    const s = servicesJson();
    const status = await cli(['dev', 'status']);
    expect(status.code, status.stderr).toBe(0);
    for (const part of ['Temporal', 'Temporal Web UI', 'PostgreSQL', 'SMTP', 'Mail inbox', 'worker', 'API']) {
      expect(status.stdout).toMatch(new RegExp(`^up +${part.replace(/ /g, ' ')} `, 'm'));
    }
    expect(status.stdout).toContain(s.temporalUiUrl);
    expect(status.stdout).toContain(s.apiUrl);
    expect(status.stdout).not.toContain('password');
    expect(first!.output()).toContain(path.join(dataDir, 'mail.log'));
  });

  it('runs the worker as its own process: killed, it is restarted, and the API answers meanwhile', async () => {
    const before = servicesJson();
    expect(before.workerPid).not.toBe(before.pid);
    expect(alive(before.workerPid)).toBe(true);
    process.kill(before.workerPid, 'SIGKILL');
    await waitFor('the worker to die', async () => !alive(before.workerPid), 10_000, 100);
    expect(await healthy(before.apiUrl)).toBe(true);
    const restarted = await waitFor(
      'a new worker',
      async () => {
        const s = servicesJson();
        return s.workerPid !== before.workerPid && alive(s.workerPid) ? s : undefined;
      },
      30_000,
      200,
    );
    expect(first!.output()).toMatch(new RegExp(`worker \\(pid ${before.workerPid}\\) exited \\(signal SIGKILL\\); restarting in \\d+ s`));
    // The new worker polls the task queue again (doctor's worker check).
    await waitFor(
      'the new worker to poll',
      async () => {
        const doctor = await cli(['doctor', '--json']);
        const checks = JSON.parse(doctor.stdout).checks as Array<{ name: string; ok: boolean }>;
        return checks.find((c) => c.name === 'worker')?.ok;
      },
      60_000,
      2_000,
    );
    expect(alive(restarted.workerPid)).toBe(true);
    expect(first!.exitCode).toBeNull();
  });

  it('after kill -9 keeps the services file; status, stalled and doctor name what is down', async () => {
    crashed = servicesJson();
    first!.kill('SIGKILL');
    await waitFor('chuky dev to die', async () => first!.exitCode !== null || first!.signalCode !== null, 10_000, 100);
    // The worker follows its supervisor (its IPC channel closed); Temporal and PostgreSQL are left as orphans.
    await waitFor('the worker to exit with chuky dev', async () => !alive(crashed.workerPid), 30_000, 200);
    expect(alive(crashed.temporalPid)).toBe(true);
    expect(fs.existsSync(path.join(dataDir, 'services.json'))).toBe(true);

    const status = await cli(['dev', 'status', '--json']);
    expect(status.code).toBe(1);
    const parts = Object.fromEntries(
      (JSON.parse(status.stdout).parts as Array<{ part: string; alive: boolean }>).map((p) => [p.part, p.alive]),
    );
    expect(parts).toMatchObject({
      'chuky dev': false,
      Temporal: true,
      PostgreSQL: true,
      SMTP: false,
      'Mail inbox': false,
      worker: false,
      API: false,
    });

    const stalled = await cli(['stalled', '--json']);
    expect(stalled.stderr).not.toMatch(/not found|no running/);
    const scan = JSON.parse(stalled.stdout) as { stalls: Array<{ kind: string }> };
    expect(Array.isArray(scan.stalls)).toBe(true);

    const doctor = await cli(['doctor', '--json']);
    expect(doctor.code).toBe(1);
    const checks = JSON.parse(doctor.stdout).checks as Array<{ name: string; ok: boolean; detail: string }>;
    const dev = checks.find((c) => c.name === 'dev-stack')!;
    expect(dev.ok).toBe(false);
    expect(dev.detail).toContain(`\`chuky dev\` (pid ${crashed.pid}) is no longer running`);
    expect(dev.detail).toMatch(/down: .*SMTP.*worker.*API/);
    expect(dev.detail).toMatch(/still up: Temporal.*PostgreSQL/);
    expect(checks.find((c) => c.name === 'temporal')!.ok).toBe(true);
    expect(checks.find((c) => c.name === 'postgres')!.ok).toBe(true);
  });

  it('on the next start stops the orphaned Temporal and takes its addresses again: one server on the SQLite file', async () => {
    second = startDev();
    await ready(second);
    const s = servicesJson();
    expect(alive(crashed.temporalPid)).toBe(false);
    expect(second.output()).toContain(`stopping orphaned Temporal pid ${crashed.temporalPid}`);
    expect(s.temporalAddress).toBe(crashed.temporalAddress);
    expect(s.temporalUiUrl).toBe(crashed.temporalUiUrl);
    expect(temporalsOnFile()).toEqual([s.temporalPid]);
    expect((await cli(['dev', 'status'])).code).toBe(0);
  });

  it('finds an orphaned Temporal with no pid file too (a run of an older version), by its command line', async () => {
    const before = servicesJson();
    second!.kill('SIGKILL');
    await waitFor('chuky dev to die', async () => second!.exitCode !== null || second!.signalCode !== null, 10_000, 100);
    fs.rmSync(`${sqlite}.pid`);
    third = startDev();
    await ready(third);
    const s = servicesJson();
    expect(third.output()).toContain(`stopping orphaned Temporal pid ${before.temporalPid}`);
    expect(alive(before.temporalPid)).toBe(false);
    expect(s.temporalAddress).toBe(before.temporalAddress);
    expect(temporalsOnFile()).toEqual([s.temporalPid]);
  });

  it('refuses a second `chuky dev` on the same data folder, naming the live one', async () => {
    const s = servicesJson();
    const extra = startDev();
    const code = await new Promise<number | null>((r) => extra.once('exit', (c) => r(c)));
    expect(code).not.toBe(0);
    expect(extra.output()).toContain(`Temporal (pid ${s.temporalPid}, ${s.temporalAddress}`);
    expect(extra.output()).toContain(`started by live process ${third!.pid}`);
    expect(temporalsOnFile()).toEqual([s.temporalPid]);
    expect(await healthy(s.apiUrl)).toBe(true);
  });

  it('stops everything on SIGTERM: no Temporal, no worker, no services file', async () => {
    const s = servicesJson();
    third!.kill('SIGTERM');
    await waitFor('chuky dev to stop', async () => third!.exitCode !== null, 60_000, 200);
    expect(third!.output()).toContain('chuky: stopped.');
    expect(alive(s.workerPid)).toBe(false);
    expect(temporalsOnFile()).toEqual([]);
    expect(fs.existsSync(path.join(dataDir, 'services.json'))).toBe(false);
    expect(fs.existsSync(`${sqlite}.pid`)).toBe(false);
  });
});

describe('commands after a crash whose services are gone too', { timeout: 120_000 }, () => {
  it('`chuky stalled` and `chuky dev status` name the parts that are down instead of "not found"', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chuky-dev-gone-'));
    try {
      const [t, p, s, a] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
      // A process that has exited: its pid is free (the services file of a `chuky dev` killed with everything it ran).
      const gone = spawn(process.execPath, ['-e', '0']);
      await new Promise((r) => gone.once('exit', r));
      fs.writeFileSync(
        path.join(dir, 'services.json'),
        JSON.stringify({
          pid: gone.pid,
          temporalAddress: `127.0.0.1:${t}`,
          temporalNamespace: 'default',
          databaseUrl: `postgres://postgres:pw@127.0.0.1:${p}/chuky`,
          smtpUrl: `smtp://127.0.0.1:${s}`,
          apiUrl: `http://127.0.0.1:${a}`,
          workerPid: gone.pid,
        }),
        { mode: 0o600 },
      );
      const env = { ...devEnv(), CHUKY_DATA_DIR: dir };
      const call = async (args: string[]) =>
        run(process.execPath, [chukyBin(), ...args], { env, timeout: 60_000 }).then(
          (r) => ({ ...r, code: 0 }),
          (e: { stdout?: string; stderr?: string; code?: number }) => ({
            stdout: e.stdout ?? '',
            stderr: e.stderr ?? '',
            code: e.code ?? 1,
          }),
        );
      const stalled = await call(['stalled']);
      expect(stalled.code).toBe(1);
      expect(stalled.stderr).toContain(`Temporal (127.0.0.1:${t}) and PostgreSQL (postgres://127.0.0.1:${p}/chuky) are down`);
      expect(stalled.stderr).toContain(`\`chuky dev\` (pid ${gone.pid}) is no longer running`);
      expect(stalled.stderr).toMatch(/down: .*SMTP .*worker .*API /);
      expect(stalled.stderr).not.toContain('pw@');

      const status = await call(['dev', 'status']);
      expect(status.code).toBe(1);
      for (const part of ['chuky dev', 'Temporal', 'PostgreSQL', 'SMTP', 'worker', 'API'])
        expect(status.stdout).toMatch(new RegExp(`^DOWN +${part} `, 'm'));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
