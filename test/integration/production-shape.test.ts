/**
 * The production shape, proven on this machine: the real Temporal server 1.29.1 (frontend, history, matching and
 * worker services, each its own process) on PostgreSQL with SQL visibility, two `chuky worker` and two `chuky api`
 * processes behind one round-robin address, configured only through production's environment variables
 * (workers/topology.ts). On it: a plan phase on a compressed calendar — notices, reminders, the ladder, submissions
 * through both APIs, an extension and an exemption — with one worker killed mid-phase; the operators' list
 * queries (visibility, CLI, console) against what the test knows; and `chuky doctor` green, then naming what was
 * stopped.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { writeFixture, type Fixture } from '../support/fixtures.js';
import { chuky, waitFor } from '../support/processes.js';
import { ConsoleClient, check, doctor, dueAtReal, keyParts, rowUnits, workDoneBy } from '../support/production-shape.js';
import { startCycle } from '../../cli/commands/cycle.js';
import { addUser } from '../../console/users.js';
import { createPool, type Db } from '../../db/pool.js';
import { localTimeToInstant } from '../../domain/calendar.js';
import { calendarToReal, type ClockMap } from '../../domain/clock.js';
import { cycleWorkflowId, unitWorkflowId } from '../../domain/ids.js';
import { SEND_HOUR } from '../../domain/schedule.js';
import type { OverdueRow, Stall } from '../../ops/types.js';
import { ensureTemporalServer } from '../../stack/temporal-server-binaries.js';
import type { StoredMail } from '../../stack/smtp-sink.js';
import { startTopology, type Topology } from '../../workers/topology.js';

/** One calendar day in real seconds: the whole plan phase (10 days to its close) takes two minutes. */
const SECONDS_PER_DAY = 12;
const TZ = 'Asia/Ho_Chi_Minh';
const LADDER = { level2AfterDays: 2, level3AfterDays: 3 };
/**
 * How late a scheduled email may arrive after it fell due, with one worker killed. A workflow task on the dead
 * worker's sticky queue goes back to the shared queue after the SDK's sticky schedule-to-start timeout (10 s); an
 * activity it held is retried after its heartbeat timeout (10 s, workflows/unit/activities.ts) plus the first
 * retry interval (2 s). The rest is margin for two cores shared with other suites.
 */
const LATENESS_BOUND_MS = 45_000;
const PASSWORD = 'mat-khau-san-xuat-2027';
/** The kinds `chuky stalled` reports for something stuck (an overdue unit is the unit's business, not a stall). */
const STUCK_KINDS = 'activity-retrying,workflow-task-failing,phase-blocked,worker-missing';

describe('the production shape: real Temporal server, 2 workers, 2 APIs', () => {
  let root: string;
  let topo: Topology;
  let db: Db;
  let connection: Connection;
  let client: Client;
  let fx: Fixture;
  let cycleId = '';
  let clock: ClockMap;
  /** Real time at which worker 1 was killed for good. */
  let killedAt = 0;
  let workersStoppedAt = 0;
  const env = () => topo.processEnv;
  const at = (date: string) => calendarToReal(clock, localTimeToInstant(date, SEND_HOUR, TZ));
  const mine = (): StoredMail[] => topo.sink.messages().filter((m) => m.envelopeTo.some((a) => a.endsWith(`@${fx.domain}`)));
  const sentRows = async () =>
    (
      await db.query<{ unit_code: string; email_key: string; message_id: string; kind: string }>(
        "SELECT unit_code, email_key, message_id, kind FROM emails WHERE cycle_id = $1 AND status = 'sent' ORDER BY id",
        [cycleId],
      )
    ).rows;
  const kindsOf = async (unit: string) => (await sentRows()).filter((r) => r.unit_code === unit).map((r) => keyParts(r.email_key).kind);
  const statusOf = async (unit: string) =>
    (
      await db.query<{ status: string; escalation_level: number; deadline: string }>(
        "SELECT status, escalation_level, to_char(deadline, 'YYYY-MM-DD') AS deadline FROM obligations WHERE cycle_id = $1 AND unit_code = $2 AND phase = 'plan'",
        [cycleId, unit],
      )
    ).rows[0];
  const api = (base: string, unit: string, action: string, body: Record<string, unknown>) =>
    fetch(`${base}/api/v1/cycles/${cycleId}/units/${unit}/${action}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${topo.apiToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const submitPlan = (base: string, unit: string, requestId: string) =>
    api(base, unit, 'submit', {
      phase: 'plan',
      payload: { confirmedBy: `Bí thư ${unit}`, unitPlanNumber: `01-KH/${unit}` },
      actor: { id: `operator:${unit}`, via: 'api' },
      requestId,
    });

  beforeAll(async () => {
    // Built once per machine (minutes); global-setup started it in the background, the directory lock waits for it.
    await ensureTemporalServer();
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'chuky-production-shape-'));
    const log = (m: string) => process.env.CHUKY_TEST_VERBOSE && console.log(`[topology] ${m}`);
    topo = await startTopology({ engine: 'server', split: true, workers: 2, apis: 2, root, log, startTimeoutMs: 240_000 });
    db = createPool(topo.databaseUrl);
    connection = await Connection.connect({ address: topo.temporalAddress });
    client = new Client({ connection, namespace: topo.namespace });
    fx = writeFixture({
      code: 'ITPROD',
      issuedOn: '2027-03-01',
      deadline: '2027-03-05',
      closesOn: '2027-03-11',
      units: 6,
      reminders: [2, 1],
      ...LADDER,
    });
  }, 20 * 60_000);

  afterAll(async () => {
    await connection?.close().catch(() => undefined);
    await db?.end().catch(() => undefined);
    await topo?.stop();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  }, 120_000);

  it('doctor is green against the real server, both workers and SQL visibility', async () => {
    const report = await doctor(env());
    expect(
      report.checks.map((c) => [c.name, c.ok]),
      JSON.stringify(report.checks),
    ).toEqual([
      ['temporal', true],
      ['postgres', true],
      ['migrations', true],
      ['smtp', true],
      ['worker', true],
      ['search-attributes', true],
    ]);
    expect(report.code).toBe(0);
    expect(check(report, 'temporal').detail).toContain(`${topo.temporalAddress}, namespace "default" reachable (server 1.29.1)`);
    expect(check(report, 'search-attributes').detail).toBe('all 8 registered on namespace "default"');
    // The identity of a worker polling is one of the two processes this stack runs.
    const pids = topo.workers.map((w) => String(w.pid));
    expect(pids.some((pid) => check(report, 'worker').detail.includes(`${pid}@`))).toBe(true);
  });

  it('doctor names the frontend when it is stopped, and is green again once it is back', async () => {
    await topo.server!.stopService('frontend');
    try {
      const report = await doctor(env());
      expect(report.code).toBe(1);
      expect(report.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(['temporal', 'worker', 'search-attributes']);
      expect(check(report, 'temporal').detail).toMatch(
        new RegExp(`^${topo.temporalAddress.replace(/\./g, '\\.')}, namespace "default": not reachable`),
      );
      expect(check(report, 'worker').detail).toContain(`cannot check: Temporal at ${topo.temporalAddress}`);
      // Each check is bounded (ops/doctor.ts CHECK_TIMEOUT_MS, 8 s): a dead frontend does not hang the report.
      expect(check(report, 'temporal').ms).toBeLessThan(10_000);
    } finally {
      await topo.server!.startService('frontend');
    }
    // Both workers poll again through the new frontend process (restarted by their supervisor if they gave up).
    await topo.waitForWorkers(2, 90_000);
    const again = await doctor(env());
    expect(
      again.checks.filter((c) => !c.ok),
      JSON.stringify(again.checks),
    ).toEqual([]);
  });

  it('runs the plan phase: notices once, submissions through both APIs with receipts, an extension and an exemption take effect', async () => {
    const [u1, u2, u3, u4] = fx.unitCodes as [string, string, string, string];
    const started = await startCycle({
      db,
      client,
      taskQueue: env().CHUKY_TASK_QUEUE!,
      configFile: fx.file,
      secondsPerDay: SECONDS_PER_DAY,
    });
    cycleId = started.cycleId;
    clock = started.clock;

    // One notice per unit, recorded as sent by the outbox and received once (by its Message-ID), to its contact and
    // secretary.
    const notices = await waitFor(
      'a notice to each of the 6 units',
      async () => {
        const rows = (await sentRows()).filter((r) => keyParts(r.email_key).kind === 'notice');
        return rows.length === 6 && rows.every((r) => mine().some((m) => m.messageId === r.message_id)) ? rows : undefined;
      },
      90_000,
    );
    expect(notices.map((r) => r.unit_code).sort()).toEqual(fx.unitCodes);
    for (const r of notices) {
      const got = mine().filter((m) => m.messageId === r.message_id);
      expect(got).toHaveLength(1);
      expect(got[0]!.to.sort()).toEqual([fx.unitEmail(r.unit_code, 'contact'), fx.unitEmail(r.unit_code, 'secretary')].sort());
    }

    // Submissions straight to each API process, an exemption through the round-robin address, an extension by the
    // CLI: all side by side, as operators and units would, before the first reminder falls due.
    const served = topo.proxy.served();
    const [r1, r2, exempted, extended] = await Promise.all([
      submitPlan(topo.apiUrls[0]!, u1, 'prod-shape-submit-u1'),
      submitPlan(topo.apiUrls[1]!, u2, 'prod-shape-submit-u2'),
      api(topo.publicUrl, u4, 'exempt', {
        phase: 'plan',
        reason: 'Đơn vị đang sáp nhập, Ban Thường vụ cho miễn',
        actor: { id: 'operator:btg', via: 'api' },
        requestId: 'prod-shape-exempt-u4',
      }),
      chuky(
        [
          'unit',
          'extend',
          '--cycle',
          cycleId,
          '--unit',
          u3,
          '--phase',
          'plan',
          '--until',
          '2027-03-07',
          '--reason',
          'Đơn vị xin lùi hạn vì đại hội',
          '--json',
        ],
        env(),
      ),
    ]);
    expect(Date.now(), 'the actions were meant to land before the first reminder').toBeLessThan(at('2027-03-03'));
    expect(r1.status).toBe(200);
    expect(r2.status).toBe(200);
    expect(await r1.json()).toMatchObject({ phase: 'plan', version: 1, status: 'submitted' });
    expect(await r2.json()).toMatchObject({ phase: 'plan', version: 1, status: 'submitted' });
    expect(exempted.status, await exempted.clone().text()).toBe(200);
    expect(await exempted.json()).toMatchObject({ phase: 'plan', status: 'exempted' });
    expect(extended.code, extended.stderr).toBe(0);
    expect(extended.stdout).toContain('2027-03-07');
    // The exemption went through the proxy to one of the APIs.
    const after = topo.proxy.served();
    expect(Object.values(after).reduce((a, b) => a + b, 0)).toBe(Object.values(served).reduce((a, b) => a + b, 0) + 1);

    // A receipt email for each submission, once.
    for (const unit of [u1, u2]) {
      const receipt = await waitFor(
        `the receipt to ${unit}`,
        async () => (await sentRows()).find((r) => r.unit_code === unit && keyParts(r.email_key).kind === 'receipt'),
        60_000,
      );
      expect(mine().filter((m) => m.messageId === receipt.message_id)).toHaveLength(1);
    }
    expect(await statusOf(u1)).toMatchObject({ status: 'submitted', escalation_level: 0 });
    expect(await statusOf(u2)).toMatchObject({ status: 'submitted', escalation_level: 0 });
    expect(await statusOf(u3)).toMatchObject({ status: 'pending', deadline: '2027-03-07' });
    expect(await statusOf(u4)).toMatchObject({ status: 'exempted' });
  });

  it('a worker killed mid-phase: the other carries every unit through the ladder, each email once, in time, nothing stuck', async () => {
    const [u1, u2, u3, u4, u5, u6] = fx.unitCodes as [string, string, string, string, string, string];
    // The worker that did the most units' last workflow task holds them in its cache, sticky to it: that one is
    // killed with SIGKILL and kept down (its supervisor stopped with it), so its units must move to the other.
    const identityOf = (w: (typeof topo.workers)[number]) => `${w.pid}@`;
    const lastBy = await Promise.all(
      fx.unitCodes.map(
        async (u) => (await workDoneBy(client, unitWorkflowId(cycleId, u))).filter((x) => x.what === 'workflow task').pop()?.identity ?? '',
      ),
    );
    const held = topo.workers.map((w) => lastBy.filter((id) => id.startsWith(identityOf(w))).length);
    const victim = held[1]! > held[0]! ? topo.workers[1]! : topo.workers[0]!;
    const survivor = topo.workers.find((w) => w !== victim)!;
    const [victimId, survivorId] = [identityOf(victim), identityOf(survivor)];
    expect(Math.max(...held), `units sticky to each worker: ${held.join(', ')}`).toBeGreaterThan(0);
    const pid = victim.kill('SIGKILL');
    await victim.stop();
    killedAt = Date.now();
    expect(pid).toBeGreaterThan(0);
    expect(victim.pid).toBeUndefined();
    expect(victim.starts).toBe(1);
    expect(Date.now(), 'the kill was meant to come before the reminders').toBeLessThan(at('2027-03-03'));

    // After the original deadline: the extended unit submits (on time: its deadline is now 07/03) and the late
    // unit answers its overdue notice, both through the round-robin address.
    await waitFor('the overdue notice to the late unit', async () => (await kindsOf(u6)).includes('overdue'), 120_000);
    const servedBefore = topo.proxy.served();
    const [late, extended] = await Promise.all([
      submitPlan(topo.publicUrl, u6, 'prod-shape-submit-u6'),
      submitPlan(topo.publicUrl, u3, 'prod-shape-submit-u3'),
    ]);
    expect(late.status).toBe(200);
    expect(extended.status).toBe(200);
    expect(await late.json()).toMatchObject({ phase: 'plan', version: 1, status: 'late' });
    expect(await extended.json()).toMatchObject({ phase: 'plan', version: 1, status: 'submitted' });
    // Round robin: the two requests went one to each API process.
    const servedAfter = topo.proxy.served();
    expect(topo.apiUrls.map((u) => (servedAfter[u] ?? 0) - (servedBefore[u] ?? 0))).toEqual([1, 1]);

    // Nothing stuck while the units run on one worker.
    const midway = await chuky(['stalled', '--cycle', cycleId, '--kind', STUCK_KINDS, '--json'], env());
    expect(midway.code, midway.stdout + midway.stderr).toBe(0);
    expect(JSON.parse(midway.stdout)).toEqual({ ok: true, stalls: [] });

    // The cycle runs to its close (11/03) on worker 2.
    await client.workflow.getHandle(cycleWorkflowId(cycleId)).result();
    expect(await statusOf(u5)).toMatchObject({ status: 'not_submitted', escalation_level: 3 });

    // Every email the outbox recorded as sent arrived exactly once (by Message-ID), and nothing else arrived.
    await new Promise((r) => setTimeout(r, 2_000));
    const rows = await sentRows();
    const inbox = mine();
    for (const r of rows)
      expect(
        inbox.filter((m) => m.messageId === r.message_id),
        r.email_key,
      ).toHaveLength(1);
    expect(inbox.map((m) => m.messageId).sort()).toEqual(rows.map((r) => r.message_id).sort());
    const { rows: unsent } = await db.query("SELECT email_key, status FROM emails WHERE cycle_id = $1 AND status <> 'sent'", [cycleId]);
    expect(unsent).toEqual([]);

    // What each unit got: the ladder ran out for the one that never answered.
    expect(await kindsOf(u1)).toEqual(['notice', 'receipt']);
    expect(await kindsOf(u2)).toEqual(['notice', 'receipt']);
    expect(await kindsOf(u5)).toEqual(['notice', 'reminder-2d', 'reminder-1d', 'overdue', 'escalation-2', 'escalation-3']);
    expect(await kindsOf(u6)).toEqual(['notice', 'reminder-2d', 'reminder-1d', 'overdue', 'receipt']);
    // The extension moved the ladder: no overdue notice nor escalation for the old deadline, a receipt on time.
    const k3 = await kindsOf(u3);
    expect(k3).toContain('receipt');
    expect(k3.filter((k) => k === 'overdue' || k.startsWith('escalation'))).toEqual([]);
    // The exemption stopped it: nothing after the notice but what the exemption itself says.
    expect((await kindsOf(u4)).filter((k) => k.startsWith('reminder') || k === 'overdue' || k.startsWith('escalation'))).toEqual([]);
    expect(await statusOf(u3)).toMatchObject({ status: 'submitted', deadline: '2027-03-07' });
    expect(await statusOf(u6)).toMatchObject({ status: 'late' });
    // Escalation 2 reached the committee's leaders.
    const esc2 = rows.find((r) => r.unit_code === u5 && keyParts(r.email_key).kind === 'escalation-2')!;
    expect(inbox.find((m) => m.messageId === esc2.message_id)!.envelopeTo).toEqual(expect.arrayContaining(fx.leaderEmails));

    // Every scheduled email arrived on time after the kill: never before its moment, at most the bound after it.
    let scheduled = 0;
    let worst = 0;
    for (const r of rows) {
      const due = dueAtReal(clock, r.email_key, LADDER, TZ);
      if (due === undefined) continue;
      scheduled++;
      const received = Date.parse(inbox.find((m) => m.messageId === r.message_id)!.receivedAt);
      expect(received, `${r.email_key} early`).toBeGreaterThanOrEqual(due - 1_000);
      expect(received - due, `${r.email_key} late by ${received - due} ms`).toBeLessThanOrEqual(LATENESS_BOUND_MS);
      worst = Math.max(worst, received - due);
      // All of them fell due after worker 1 was gone: worker 2 sent them.
      expect(due).toBeGreaterThan(killedAt);
    }
    // U005: 2 reminders, overdue, 2 escalations; U006: 2 reminders, overdue; U003: at least its reminders.
    expect(scheduled).toBeGreaterThanOrEqual(8);
    if (process.env.CHUKY_TEST_VERBOSE)
      console.log(`[production-shape] ${scheduled} scheduled emails, the latest ${worst} ms after its moment`);
    expect(survivor.starts).toBe(1);
    // The history says who did the work: the killed worker had done some of it, and after the kill the survivor did
    // all of it, for every unit (each unit has at least its receipt, reminder or close to do after the kill).
    let byVictim = 0;
    for (const u of fx.unitCodes) {
      const work = await workDoneBy(client, unitWorkflowId(cycleId, u));
      byVictim += work.filter((x) => x.at < killedAt && x.identity.startsWith(victimId)).length;
      const afterKill = work.filter((x) => x.at >= killedAt);
      expect(afterKill.length, u).toBeGreaterThan(0);
      expect(
        afterKill.filter((x) => !x.identity.startsWith(survivorId)),
        u,
      ).toEqual([]);
    }
    expect(byVictim).toBeGreaterThan(0);

    // Nothing stuck at all once the cycle closed (a closed cycle's units are nobody's repair).
    const end = await chuky(['stalled', '--cycle', cycleId, '--json'], env());
    expect(end.code, end.stdout + end.stderr).toBe(0);
    expect((JSON.parse(end.stdout) as { stalls: Stall[] }).stalls).toEqual([]);
  }, 300_000);

  it('the list queries answer what is true: SQL visibility, overdue, cycle status, the console filters', async () => {
    const [u1, u2, u3, u4, u5, u6] = fx.unitCodes as [string, string, string, string, string, string];
    // The workers go now, so that the doctor's grace for pollers (next test) runs while these are checked: none
    // of these queries needs a worker.
    workersStoppedAt = Date.now();
    await Promise.all(topo.workers.map((w) => w.stop()));

    // SQL visibility (PostgreSQL's temporal_visibility), through the server's list API: who is in which state.
    const list = async (query: string) => {
      const ids: string[] = [];
      for await (const wf of client.workflow.list({ query: `ChukyCycle = '${cycleId}' AND ${query}` }))
        ids.push(wf.workflowId.split('/').pop()!);
      return ids.sort();
    };
    const truth: Record<string, string[]> = {
      submitted: [u1, u2, u3],
      late: [u6],
      exempted: [u4],
      not_submitted: [u5],
    };
    for (const [status, units] of Object.entries(truth)) {
      await waitFor(
        `visibility: ChukyStatus = '${status}'`,
        async () => JSON.stringify(await list(`ChukyStatus = '${status}'`)) === JSON.stringify(units),
        30_000,
      ).catch(async (err) => {
        throw new Error(`${(err as Error).message}: got ${JSON.stringify(await list(`ChukyStatus = '${status}'`))}`);
      });
    }
    expect(await list(`ChukyOverduePhases = 'plan'`)).toEqual([u5]);
    expect(await list(`ChukyEscalation >= 2`)).toEqual([u5]);
    expect(await list(`ChukyUnit = '${u3}' AND ChukyPhase = 'plan'`)).toEqual([u3]);
    const count = await client.workflow.count(`ChukyCycle = '${cycleId}'`);
    expect(count.count).toBe(6);

    const [overdue, overdueL3, status] = await Promise.all([
      chuky(['overdue', '--cycle', cycleId, '--json'], env()),
      chuky(['overdue', '--cycle', cycleId, '--phase', 'plan', '--level', '3', '--json'], env()),
      chuky(['cycle', 'status', '--cycle', cycleId, '--json'], env()),
    ]);
    expect(overdue.code, overdue.stderr).toBe(0);
    const rows = JSON.parse(overdue.stdout) as OverdueRow[];
    expect(rows.map((r) => [r.unitCode, r.phase, r.status, r.level, r.deadline])).toEqual([[u5, 'plan', 'not_submitted', 3, '2027-03-05']]);
    expect(rows[0]!.daysOverdue).toBeGreaterThanOrEqual(3);
    expect((JSON.parse(overdueL3.stdout) as OverdueRow[]).map((r) => r.unitCode)).toEqual([u5]);

    expect(status.code, status.stderr).toBe(0);
    const parsed = JSON.parse(status.stdout) as {
      status: string;
      summary: Record<string, number>;
      phases: { phase: string; total: number; counts: Record<string, number> }[];
      units: { unitCode: string; status: string; escalationLevel: number; deadline: string; emailsSent: number }[];
    };
    expect(parsed.status).toBe('closed');
    expect(Object.fromEntries(parsed.units.map((u) => [u.unitCode, [u.status, u.escalationLevel, u.deadline]]))).toEqual({
      [u1]: ['submitted', 0, '2027-03-05'],
      [u2]: ['submitted', 0, '2027-03-05'],
      [u3]: ['submitted', 0, '2027-03-07'],
      [u4]: ['exempted', 0, '2027-03-05'],
      [u5]: ['not_submitted', 3, '2027-03-05'],
      [u6]: ['late', 1, '2027-03-05'],
    });
    expect(parsed.summary).toEqual({ submitted: 3, late: 1, exempted: 1, not_submitted: 1 });
    expect(parsed.phases).toEqual([
      expect.objectContaining({
        phase: 'plan',
        total: 6,
        counts: { onTime: 3, late: 1, overdue: 0, notSubmitted: 1, exempted: 1, pending: 0, removed: 0 },
      }),
    ]);
    // The emails each unit was sent, as the outbox and the sink both say.
    const sent = await sentRows();
    for (const u of parsed.units) expect(u.emailsSent, u.unitCode).toBe(sent.filter((r) => r.unit_code === u.unitCode).length);

    // The console, signed in through the round-robin address (its session is in PostgreSQL: either API serves it).
    await addUser(db, { username: 'vanthu.prod', name: 'Văn thư Ban Tuyên giáo', role: 'clerk', password: PASSWORD });
    const consoleClient = new ConsoleClient(topo.publicUrl);
    await consoleClient.signIn('vanthu.prod', PASSWORD);
    const table = (query: string) => consoleClient.page(`/console/chu-ky/${cycleId}${query}`).then((h) => rowUnits(h, 'unit-table'));
    expect(await table('')).toEqual(fx.unitCodes);
    expect(await table('?phase=plan&status=submitted')).toEqual(truth.submitted);
    expect(await table('?phase=plan&status=late')).toEqual(truth.late);
    expect(await table('?phase=plan&status=exempted')).toEqual(truth.exempted);
    expect(await table('?phase=plan&status=not_submitted')).toEqual(truth.not_submitted);
    expect(await table('?phase=plan&level=1')).toEqual([u5, u6]);
    expect(await table('?phase=plan&level=3')).toEqual([u5]);
    expect(await table(`?q=${encodeURIComponent(u3)}`)).toEqual([u3]);
    const overduePage = await consoleClient.page(`/console/qua-han?chu-ky=${cycleId}&phase=plan&level=2`);
    expect(rowUnits(overduePage, 'overdue')).toEqual([u5]);
    // Both API processes served the proxy's requests over the file.
    const served = topo.proxy.served();
    for (const url of topo.apiUrls) expect(served[url] ?? 0, url).toBeGreaterThan(2);
  });

  it('doctor names the worker check when every worker is stopped', async () => {
    expect(workersStoppedAt).toBeGreaterThan(0);
    expect(topo.workers.every((w) => w.pid === undefined)).toBe(true);
    // A worker's last poll counts for the doctor's grace (by default 90 s, ops/pollers.ts: an idle long poll lasts
    // up to a minute): within it the stopped workers still count as there.
    const elapsed = Date.now() - workersStoppedAt;
    expect(elapsed, 'the previous test took too long to see the default grace').toBeLessThan(75_000);
    expect(check(await doctor(env()), 'worker').ok).toBe(true);
    // With `--poller-grace 10` the check must fail some 10 s after the last poll, and it fails alone.
    const report = await waitFor(
      'the worker check to fail',
      async () => {
        const r = await doctor(env(), ['--poller-grace', '10']);
        return check(r, 'worker').ok ? undefined : r;
      },
      60_000,
      2_000,
    );
    expect(Date.now() - workersStoppedAt).toBeLessThan(elapsed + 60_000);
    expect(report.code).toBe(1);
    expect(report.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(['worker']);
    expect(check(report, 'worker').detail).toMatch(new RegExp(`^no worker is polling task queue "${env().CHUKY_TASK_QUEUE}" for `));
  }, 240_000);
});
