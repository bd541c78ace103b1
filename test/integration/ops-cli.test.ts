/**
 * The operations commands through the built `chuky` program, as an operator or a monitoring probe runs them:
 * `cycle list`, the per-phase standing in `cycle status`, `overdue`, `doctor` and `stalled`'s exit codes.
 * The cycle is written into PostgreSQL in a known state (test/support/ops-fixtures.ts); a worker polls the
 * test's own task queue so that doctor's worker check has something to find.
 */
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';
import { seedOpsCycle, SEEDED } from '../support/ops-fixtures.js';
import { chuky } from '../support/processes.js';
import { daysBetween, instantToLocalDate } from '../../domain/calendar.js';
import { PHASES } from '../../domain/phases/index.js';
import { freePort } from '../../stack/ports.js';
import type { CycleSummary, DoctorCheck, OverdueRow, PhaseSummary, Stall } from '../../ops/types.js';

const QUEUE = 'it-ops-cli';

describe('operations commands', () => {
  const services = inject('services');
  let h: Harness;
  let running: Promise<void>;
  let cycleId: string;
  const env = () => ({
    TEMPORAL_ADDRESS: services.temporalAddress,
    DATABASE_URL: services.databaseUrl,
    SMTP_URL: services.smtpUrl,
    CHUKY_TASK_QUEUE: QUEUE,
  });

  beforeAll(async () => {
    h = await startHarness({ taskQueue: QUEUE });
    running = h.worker.run();
    ({ cycleId } = await seedOpsCycle(h.db, 'ITOPSCLI'));
  });

  afterAll(async () => {
    h.worker.shutdown();
    await running.catch(() => undefined);
    await h.close();
  });

  it('--help on each command; stalled tells a monitoring probe what its exit codes mean', async () => {
    // Independent processes: run side by side (each `chuky` start costs seconds).
    const runs = await Promise.all([['cycle', 'list'], ['overdue'], ['stalled'], ['doctor']].map((cmd) => chuky([...cmd, '--help'], {})));
    for (const r of runs) {
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Usage: chuky/m);
    }
    expect(runs[2]!.stdout.replace(/\s+/g, ' ')).toContain('Exit code: 0 when nothing is stalled, 3 when something is');
    expect(runs[3]!.stdout).toContain('Exit code: 0 when every check passes, 1 when one fails.');
  });

  it('cycle list: each cycle with its units and obligations overdue', async () => {
    const [r, text] = await Promise.all([chuky(['cycle', 'list', '--json'], env()), chuky(['cycle', 'list'], env())]);
    expect(r.code, r.stderr).toBe(0);
    const cycles = JSON.parse(r.stdout) as CycleSummary[];
    expect(cycles.find((c) => c.cycleId === cycleId)).toMatchObject({
      cycleId,
      committeeCode: 'ITOPSCLI',
      year: 2024,
      status: 'running',
      units: 6,
      overdue: 3,
      frozenAt: null,
      workflowId: `chuky/cycle/${cycleId}`,
    });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`^${cycleId}\\s+ITOPSCLI\\s+2024\\s+running\\s+6\\s+3\\s`, 'm'));
  });

  it('cycle status: the standing of each phase, in counts and percentages, before the units', async () => {
    const [r, text] = await Promise.all([
      chuky(['cycle', 'status', '--cycle', cycleId, '--json'], env()),
      chuky(['cycle', 'status', '--cycle', cycleId], env()),
    ]);
    expect(r.code, r.stderr).toBe(0);
    const status = JSON.parse(r.stdout) as { phases: PhaseSummary[] } & Record<string, unknown>;
    // The keys scripts already read are all still there.
    expect(Object.keys(status)).toEqual(['cycleId', 'status', 'summary', 'phases', 'units', 'bounces']);
    expect(status.phases).toEqual([
      {
        phase: 'plan',
        title: PHASES.plan!.title,
        total: 6,
        // U006 has no row (never opened): it still owes the phase, so it counts as pending.
        counts: { onTime: 1, late: 0, overdue: 2, notSubmitted: 1, exempted: 0, pending: 2, removed: 0 },
        percent: { onTime: 16.7, late: 0, overdue: 33.3, notSubmitted: 16.7, exempted: 0, pending: 33.3, removed: 0 },
      },
      {
        phase: 'study',
        title: PHASES.study!.title,
        total: 6,
        counts: { onTime: 3, late: 1, overdue: 0, notSubmitted: 0, exempted: 1, pending: 1, removed: 0 },
        percent: { onTime: 50, late: 16.7, overdue: 0, notSubmitted: 0, exempted: 16.7, pending: 16.7, removed: 0 },
      },
    ]);
    expect(text.code, text.stderr).toBe(0);
    const planLine = text.stdout.split('\n').find((l) => l.startsWith('plan '));
    expect(planLine).toMatch(/^plan\s+6\s+1 \(16,7%\)\s+0 \(0,0%\)\s+2 \(33,3%\)\s+1 \(16,7%\)\s+0 \(0,0%\)\s+2 \(33,3%\)\s+0 \(0,0%\)$/);
    // Phases first, then the per-unit table.
    expect(text.stdout.indexOf('on time')).toBeLessThan(text.stdout.indexOf('unitCode'));
  });

  it('overdue --phase --level: the units at that level or higher, most escalated first, with days overdue', async () => {
    const days = daysBetween(SEEDED.planDeadline, instantToLocalDate(Date.now(), 'Asia/Ho_Chi_Minh'));
    const [r, allRun, studyRun, bad] = await Promise.all([
      chuky(['overdue', '--cycle', cycleId, '--phase', 'plan', '--level', '2', '--json'], env()),
      chuky(['overdue', '--cycle', cycleId, '--json'], env()),
      chuky(['overdue', '--cycle', cycleId, '--phase', 'study', '--json'], env()),
      chuky(['overdue', '--level', 'two'], env()),
    ]);
    expect(r.code, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as OverdueRow[];
    expect(rows.map((o) => [o.unitCode, o.status, o.level, o.deadline, o.daysOverdue])).toEqual([
      ['U004', 'not_submitted', 3, SEEDED.planDeadline, days],
      ['U003', 'overdue', 2, SEEDED.planDeadline, days],
    ]);
    expect(rows[0]).toMatchObject({
      cycleId,
      phase: 'plan',
      unitName: 'Đảng bộ Sở Giáo dục và Đào tạo 4',
      workflowId: `chuky/unit/${cycleId}/U004`,
    });
    const all = JSON.parse(allRun.stdout) as OverdueRow[];
    expect(all.map((o) => o.unitCode)).toEqual(['U004', 'U003', 'U002']);
    expect(studyRun.stdout.trim()).toBe('[]');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--level must be a whole number');
  });

  it('doctor: every check passes on the running services; a closed SMTP port fails the SMTP check and exits 1', async () => {
    const ok = await chuky(['doctor', '--json'], env());
    const report = JSON.parse(ok.stdout) as { ok: boolean; checks: DoctorCheck[] };
    expect(report.checks.map((c) => [c.name, c.ok])).toEqual([
      ['temporal', true],
      ['postgres', true],
      ['migrations', true],
      ['smtp', true],
      ['worker', true],
      ['search-attributes', true],
    ]);
    expect(ok.code, ok.stdout).toBe(0);
    expect(report.ok).toBe(true);
    for (const c of report.checks) expect(c.ms).toBeGreaterThanOrEqual(0);
    expect(report.checks.find((c) => c.name === 'worker')!.detail).toContain(`task queue "${QUEUE}"`);
    expect(report.checks.find((c) => c.name === 'search-attributes')!.detail).toBe('all 8 registered on namespace "default"');

    const closed = await freePort();
    const [bad, text] = await Promise.all([
      chuky(['doctor', '--json'], { ...env(), SMTP_URL: `smtp://127.0.0.1:${closed}` }),
      chuky(['doctor'], { ...env(), SMTP_URL: `smtp://127.0.0.1:${closed}` }),
    ]);
    expect(bad.code).toBe(1);
    const failed = JSON.parse(bad.stdout) as { ok: boolean; checks: DoctorCheck[] };
    expect(failed.ok).toBe(false);
    expect(failed.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(['smtp']);
    expect(failed.checks.find((c) => c.name === 'smtp')!.detail).toMatch(new RegExp(`^smtp://127\\.0\\.0\\.1:${closed}: .*ECONNREFUSED`));

    expect(text.stdout).toMatch(/^FAIL\s+smtp\s+\d+ ms\s+smtp:\/\/127\.0\.0\.1:\d+: /m);
    expect(text.stdout).toContain('1 check(s) failed.');
  });

  it('doctor: Temporal unreachable is a failed check, not a crash', async () => {
    const closed = await freePort();
    const r = await chuky(['doctor', '--json'], { ...env(), TEMPORAL_ADDRESS: `127.0.0.1:${closed}` });
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { checks: DoctorCheck[] };
    expect(report.checks.map((c) => [c.name, c.ok])).toEqual([
      ['temporal', false],
      ['postgres', true],
      ['migrations', true],
      ['smtp', true],
      ['worker', false],
      ['search-attributes', false],
    ]);
    expect(report.checks[0]!.detail).toMatch(/./);
    expect(report.checks[4]!.detail).toMatch(/^cannot check: Temporal at 127\.0\.0\.1:\d+, namespace "default" is not reachable/);
  });

  it('stalled: exit 3 when something is stalled, 0 when nothing is, 1 for a bad option', async () => {
    const [stalled, json, none, noneJson, bad] = await Promise.all([
      chuky(['stalled', '--cycle', cycleId, '--kind', 'overdue'], env()),
      chuky(['stalled', '--cycle', cycleId, '--kind', 'remedy-overdue,phase-blocked', '--json'], env()),
      // Every kind, for a cycle with nothing wrong, while a worker polls: nothing, exit 0.
      chuky(['stalled', '--cycle', 'NOTHING-2024'], env()),
      chuky(['stalled', '--cycle', 'NOTHING-2024', '--json'], env()),
      chuky(['stalled', '--kind', 'bogus'], env()),
    ]);
    expect(stalled.code, stalled.stderr).toBe(3);
    expect(stalled.stdout).toMatch(/^3 stalled:/);
    expect(stalled.stdout).toMatch(new RegExp(`^overdue\\s+${cycleId}\\s+U004\\s+plan\\s+3\\s`, 'm'));

    expect(json.code).toBe(3);
    expect((JSON.parse(json.stdout) as { stalls: Stall[] }).stalls.map((s) => [s.kind, s.phase])).toEqual([
      ['remedy-overdue', 'inspection-remedy'],
      ['phase-blocked', 'plan'],
      ['phase-blocked', 'study'],
    ]);

    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout).toBe('Nothing is stalled.\n');
    expect(JSON.parse(noneJson.stdout)).toEqual({ ok: true, stalls: [] });

    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('unknown stall kind "bogus"; the kinds are: activity-retrying, workflow-task-failing');
  });
});
