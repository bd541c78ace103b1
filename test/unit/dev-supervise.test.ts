// `chuky dev`'s supervision of its worker, on a real child process: restarted when it dies, with a growing
// delay; stopped for good by stop(). And the one-line account of what is down in a dev stack.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeDown, hostPort } from '../../workers/services.js';
import { Supervisor, restartDelay } from '../../workers/supervise.js';

describe('worker supervision', () => {
  it('backs off 1 s, 2 s, 4 s … up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => restartDelay(n))).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
    expect(restartDelay(3, 100, 250)).toBe(250);
  });

  it('restarts a child that dies, with growing delays, and stops it for good', { timeout: 30_000 }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chuky-supervise-'));
    const lines: string[] = [];
    const pids: number[] = [];
    // The child exits at once, three times; from then on it stays up.
    const counter = path.join(dir, 'count');
    const script =
      `const fs=require('fs');const ` +
      `n=Number(fs.existsSync(${JSON.stringify(counter)})?fs.readFileSync(${JSON.stringify(counter)},'utf8'):0)+1;fs.writeFileSync(${JSON.stringify(counter)},String(n));console.log('run',n);if(n<=3)process.exit(3);setInterval(()=>{},1000);`;
    const s = new Supervisor({
      command: process.execPath,
      args: ['-e', script],
      env: process.env,
      logFile: path.join(dir, 'worker.log'),
      say: (l) => lines.push(l),
      onStart: (pid) => pids.push(pid),
      baseDelayMs: 50,
      maxDelayMs: 1_000,
    });
    const started = Date.now();
    s.start();
    while (s.starts < 4 && Date.now() - started < 20_000) await new Promise((r) => setTimeout(r, 20));
    expect(s.starts).toBe(4);
    // 50 + 100 + 200 ms of backoff at least between the four starts.
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
    expect(lines.map((l) => /restarting in/.test(l) && /code 3/.test(l))).toEqual([true, true, true]);
    expect(new Set(pids).size).toBe(4);
    while (!fs.readFileSync(path.join(dir, 'worker.log'), 'utf8').includes('run 4') && Date.now() - started < 20_000)
      await new Promise((r) => setTimeout(r, 20));
    const last = s.pid!;
    await s.stop();
    expect(() => process.kill(last, 0)).toThrow();
    await new Promise((r) => setTimeout(r, 200));
    expect(s.starts).toBe(4);
    expect(fs.readFileSync(path.join(dir, 'worker.log'), 'utf8')).toContain('run 4');
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('a lasting fault', () => {
  it('pause() keeps a killed child down until resume() starts it again', { timeout: 30_000 }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chuky-supervise-'));
    const s = new Supervisor({
      command: process.execPath,
      args: ['-e', 'setInterval(()=>{},1000)'],
      env: process.env,
      logFile: path.join(dir, 'api.log'),
      name: 'api 1',
      say: () => undefined,
      baseDelayMs: 50,
    });
    s.start();
    const first = s.pid!;
    expect(await s.pause()).toBe(first);
    expect(() => process.kill(first, 0)).toThrow();
    // Well past the 50 ms backoff: nothing was started again.
    await new Promise((r) => setTimeout(r, 400));
    expect(s.starts).toBe(1);
    expect(s.pid).toBeUndefined();
    s.resume();
    expect(s.starts).toBe(2);
    expect(s.pid).not.toBe(first);
    await s.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('what is down in a dev stack', () => {
  it('names the parts down and up, and what to do when chuky dev itself is gone', () => {
    const parts = [
      { part: 'chuky dev' as const, where: 'pid 12', alive: false },
      { part: 'Temporal' as const, where: '127.0.0.1:7233', alive: true },
      { part: 'PostgreSQL' as const, where: 'postgres://127.0.0.1:5433/chuky', alive: true },
      { part: 'SMTP' as const, where: 'smtp://127.0.0.1:1025', alive: false },
      { part: 'worker' as const, where: 'pid 13', alive: false },
      { part: 'API' as const, where: 'http://127.0.0.1:3000', alive: false },
    ];
    expect(describeDown(parts, { pid: 12 })).toBe(
      '`chuky dev` (pid 12) is no longer running; down: SMTP (smtp://127.0.0.1:1025), worker (pid ' +
        '13), API (http://127.0.0.1:3000); still up: Temporal, PostgreSQL. Start it again with `npm ' +
        'start` (it takes over what was left running).',
    );
    expect(
      describeDown(
        parts.map((p) => ({ ...p, alive: true })),
        { pid: 12 },
      ),
    ).toBeUndefined();
    expect(
      describeDown(
        parts.map((p) => ({ ...p, alive: p.part !== 'worker' })),
        { pid: 12 },
      ),
    ).toBe('`chuky dev` is running; down: worker (pid 13); still up: Temporal, PostgreSQL, SMTP, API');
  });

  it('reads host and port from every kind of address', () => {
    expect(hostPort('127.0.0.1:7233')).toEqual({ host: '127.0.0.1', port: 7233 });
    expect(hostPort('postgres://u:p@127.0.0.1:5433/chuky')).toEqual({ host: '127.0.0.1', port: 5433 });
    expect(hostPort('smtp://127.0.0.1:1025')).toEqual({ host: '127.0.0.1', port: 1025 });
    expect(hostPort('[::1]:7233')).toEqual({ host: '::1', port: 7233 });
  });
});
