/** The `chuky` program as an operator meets it: help everywhere, and configuration errors that say where. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { chuky } from '../support/processes.js';
import { projectRoot } from '../../config/paths.js';

const SUBCOMMANDS = [
  [],
  ['dev'],
  ['cycle'],
  ['cycle', 'start'],
  ['cycle', 'status'],
  ['cycle', 'close'],
  ['unit'],
  ['unit', 'ack'],
  ['unit', 'extend'],
  ['unit', 'exempt'],
  ['unit', 'show'],
  ['worker'],
  ['api'],
  ['migrate'],
  ['config'],
  ['config', 'check'],
  ['cycle', 'list'],
  ['overdue'],
  ['stalled'],
  ['doctor'],
  ['remind'],
  ['report', 'compile'],
  ['console', 'user'],
];

describe('chuky CLI', () => {
  it.each(SUBCOMMANDS.map((c) => [c.join(' ') || '(root)', c]))('%s --help', async (_name, cmd) => {
    const r = await chuky([...cmd, '--help'], {});
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: chuky/m);
  });

  it('checks the demo configuration', async () => {
    const r = await chuky(['config', 'check', '--config', path.join(projectRoot(), 'config', 'demo', 'cycle.yaml'), '--json'], {});
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, year: 2027, units: 12 });
  });

  it('refuses a bad cycle file with file, line and field, and exit code 2', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chuky-cli-'));
    const demo = fs.readFileSync(path.join(projectRoot(), 'config', 'demo', 'cycle.yaml'), 'utf8');
    const bad = demo.replace('deadline: 2027-02-15', 'deadline: 2027-02-30');
    fs.writeFileSync(path.join(dir, 'cycle.yaml'), bad);
    fs.copyFileSync(path.join(projectRoot(), 'config', 'demo', 'units.csv'), path.join(dir, 'units.csv'));
    const line = bad.split('\n').findIndex((l) => l.includes('2027-02-30')) + 1;
    const r = await chuky(['config', 'check', '--config', path.join(dir, 'cycle.yaml')], {});
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`cycle.yaml:${line}: phases[0].deadline:`);
  });

  it('says which setting is missing when no stack is running', async () => {
    // An empty data folder: no running `chuky dev` to fall back on.
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'chuky-nodev-'));
    const r = await chuky(['cycle', 'status', '--cycle', 'X-2027', '--json'], {
      TEMPORAL_ADDRESS: '',
      DATABASE_URL: '',
      SMTP_URL: '',
      CHUKY_DATA_DIR: empty,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('TEMPORAL_ADDRESS, DATABASE_URL, SMTP_URL not set');
  });

  it("answers one target's repair dry run without any service: it does nothing and needs nothing", async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'chuky-nodev-'));
    const env = { TEMPORAL_ADDRESS: '', DATABASE_URL: '', SMTP_URL: '', CHUKY_DATA_DIR: empty };
    const args = ['extend', '--cycle', 'X-2027', '--unit', 'U001', '--phase', 'plan', '--until', '2027-05-01', '--dry-run'];
    const text = await chuky(args, env);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toBe('Would extend: X-2027/U001 plan (dry run: nothing done)\n');
    const json = await chuky([...args, '--json'], env);
    expect(JSON.parse(json.stdout)).toMatchObject({
      dryRun: true,
      action: 'extend',
      target: { cycleId: 'X-2027', unitCode: 'U001', phase: 'plan' },
    });
  });
});
