/**
 * The operator's repairs on the real stack (Temporal dev server, PostgreSQL, SMTP sink, the built `chuky`
 * program): each repair on a running cycle on a compressed calendar (one day = 4 s), with its audit row.
 * Retry runs against a unit workflow whose worker cannot reach its SMTP server; reset against a workflow whose
 * task keeps failing (test/support/stuck-workflow.ts).
 */
import { cliEnvOf, terminateAll } from '../support/cli-env.js';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { activityVi } from '../../domain/words.js';
import { NativeConnection, Worker } from '@temporalio/worker';
import { startHarness, type Harness } from '../support/harness.js';
import { writeFixture, type Fixture } from '../support/fixtures.js';
import { chuky, waitFor } from '../support/processes.js';
import { startCycle } from '../../cli/commands/cycle.js';
import { startInspection } from '../../client/inspection-actions.js';
import { createWorker } from '../../workers/worker.js';
import { createMailer, type Mailer } from '../../mail/transport.js';
import { cycleWorkflowId, unitWorkflowId } from '../../domain/ids.js';
import { freePort } from '../../stack/ports.js';
import { fetchInbox } from '../../stack/smtp-sink.js';
import { EventType } from '../../ops/event-types.js';
import { bulkRepair, matchUnits, runRepair } from '../../ops/repairs.js';
import { listAudit } from '../../ops/audit.js';
import { unitTimeline } from '../../ops/timeline.js';
import type { OpsDeps, RepairRequest } from '../../ops/types.js';

const QUEUE = 'it-repairs';
const BROKEN_QUEUE = 'it-repairs-broken-smtp';
const STUCK_QUEUE = 'it-repairs-stuck';
// Request ids and workflow ids carry this run's tag, so re-running against the same services finds no old row.
const RUN = Date.now().toString(36);
const actor = { id: 'tester', role: 'cli' };

describe('repairs on the real stack', () => {
  const services = inject('services');
  const cliEnv = cliEnvOf(services, QUEUE);
  let h: Harness;
  let deps: OpsDeps;
  let fx: Fixture;
  let cycleId: string;
  let running: Promise<void>;
  let native: NativeConnection;
  const cleanup: string[] = [];

  const repair = (r: Omit<RepairRequest, 'actor' | 'cycleId'> & { actor?: RepairRequest['actor'] }) =>
    runRepair(deps, { actor, cycleId, ...r });
  const obligation = async (unit: string) =>
    (
      await h.db.query(
        "SELECT status, escalation_level, to_char(deadline, 'YYYY-MM-DD') AS deadline FROM obligations " +
          "WHERE cycle_id = $1 AND unit_code = $2 AND phase = 'plan'",
        [cycleId, unit],
      )
    ).rows[0] as { status: string; escalation_level: number; deadline: string } | undefined;
  const sentKeys = async (unit: string) =>
    (
      await h.db.query("SELECT email_key FROM emails WHERE cycle_id = $1 AND unit_code = $2 AND status = 'sent' ORDER BY id", [
        cycleId,
        unit,
      ])
    ).rows.map((r) => r.email_key as string);

  beforeAll(async () => {
    h = await startHarness({ taskQueue: QUEUE });
    deps = { db: h.db, client: h.client, namespace: 'default', taskQueue: QUEUE, mail: h.deps };
    native = await NativeConnection.connect({ address: services.temporalAddress });
    fx = writeFixture({
      code: `ITREP${RUN.slice(-4).toUpperCase()}`,
      issuedOn: '2027-03-01',
      deadline: '2027-03-08',
      closesOn: '2027-04-30',
      units: 7,
      reminders: [2, 1],
      level2AfterDays: 2,
      level3AfterDays: 3,
    });
    // The worker runs for the whole file: the cycle's calendar goes on between the tests.
    running = h.worker.run();
    const started = await startCycle({ db: h.db, client: h.client, taskQueue: QUEUE, configFile: fx.file, secondsPerDay: 4 });
    cycleId = started.cycleId;
    cleanup.push(cycleWorkflowId(cycleId), ...fx.unitCodes.map((u) => unitWorkflowId(cycleId, u)));
    // Every unit's plan obligation open (its 'opened' transition recorded) before any repair.
    await waitFor('the plan phase to open for every unit', async () => {
      const { rows } = await h.db.query('SELECT count(*)::int AS n FROM obligations WHERE cycle_id = $1', [cycleId]);
      return rows[0].n === fx.unitCodes.length;
    });
  });

  afterAll(async () => {
    // Leave nothing running on the shared dev server.
    await terminateAll(h?.client, cleanup, 'repairs test done');
    h?.worker.shutdown();
    await running?.catch(() => undefined);
    await native?.close();
    await h?.close();
  });

  it('extend (through `chuky unit extend`), exempt and record act, are audited, and a repeated request acts once', async () => {
    // First in the file: U001's extension must come before its first reminder (06/03 08:00 on the calendar, ~23 s in).
    // extend through the long-standing command: it now goes through the repairs and the audit log.
    const ext = await chuky(
      [
        'unit',
        'extend',
        '--cycle',
        cycleId,
        '--unit',
        'U001',
        '--phase',
        'plan',
        '--until',
        '2027-03-12',
        '--reason',
        'Đơn vị đang kiện toàn cấp ủy',
        '--actor',
        'tester',
        '--request-id',
        `ext-${RUN}-U001`,
        '--json',
      ],
      cliEnv,
    );
    expect(ext.stderr).toBe('');
    expect(ext.code).toBe(0);
    const view = JSON.parse(ext.stdout);
    expect(view).toMatchObject({ phase: 'plan', deadline: '2027-03-12', status: 'pending', escalationLevel: 0 });
    expect(view.auditId).toBeGreaterThan(0);

    // The same request again (a retried script): the first result, nothing done twice.
    const again = await repair({
      action: 'extend',
      unitCode: 'U001',
      phase: 'plan',
      until: '2027-03-12',
      reason: 'Đơn vị đang kiện toàn cấp ủy',
      requestId: `ext-${RUN}-U001`,
    });
    expect(again).toMatchObject({ ok: true, repeated: true, auditId: view.auditId });
    const { rows: extended } = await h.db.query(
      "SELECT count(*)::int AS n FROM events WHERE cycle_id = $1 AND unit_code = 'U001' AND kind = 'extended'",
      [cycleId],
    );
    expect(extended[0].n).toBe(1);
    // The same id for another repair is refused (and recorded, without the id), never answered with the first.
    const reused = await repair({
      action: 'exempt',
      unitCode: 'U005',
      phase: 'plan',
      reason: 'Dùng nhầm mã yêu cầu',
      requestId: `ext-${RUN}-U001`,
    });
    expect(reused).toMatchObject({ ok: false, outcome: 'refused' });
    expect(reused.message).toContain(`was already used for extend on U001 (audit #${view.auditId})`);
    expect(reused.auditId).toBeGreaterThan(view.auditId);

    const ex = await repair({ action: 'exempt', unitCode: 'U002', phase: 'plan', reason: 'Đơn vị sáp nhập, chờ quyết định' });
    expect(ex).toMatchObject({ ok: true, outcome: 'ok', target: { cycleId, unitCode: 'U002', phase: 'plan' } });
    expect((ex.data!.obligation as { status: string }).status).toBe('exempted');
    await waitFor('the exemption in the projection', async () => (await obligation('U002'))?.status === 'exempted');
    // Exempted is closed: a second exemption is refused, and the refusal is audited too.
    const exAgain = await repair({ action: 'exempt', unitCode: 'U002', phase: 'plan', reason: 'Bấm nhầm hai lần' });
    expect(exAgain).toMatchObject({ ok: false, outcome: 'refused' });
    expect(exAgain.message).toContain('Nghĩa vụ đã đóng (được miễn)');
    expect(exAgain.auditId).toBeGreaterThan(0);

    const rec = await repair({
      action: 'record',
      unitCode: 'U003',
      phase: 'plan',
      payload: { confirmedBy: 'Nguyễn Văn Ba, Bí thư' },
      note: 'Nhận bản giấy ngày 02/03',
      reason: 'Đơn vị gửi bản giấy, không dùng được liên kết',
      requestId: `rec-${RUN}-U003`,
    });
    expect(rec).toMatchObject({
      ok: true,
      data: { noteInPayload: true, receipt: { phase: 'plan', version: 1, status: 'submitted', late: false } },
    });
    const { rows: subs } = await h.db.query(
      "SELECT actor, via, payload, version FROM submissions WHERE cycle_id = $1 AND unit_code = 'U003'",
      [cycleId],
    );
    expect(subs).toEqual([
      {
        actor: 'operator:tester',
        via: 'cli',
        version: 1,
        payload: { confirmedBy: 'Nguyễn Văn Ba, Bí thư', note: 'Nhận bản giấy ngày 02/03' },
      },
    ]);

    // A note where the phase's form has no room is kept in the audit row only, and the payload is left as given.
    const bad = await repair({
      action: 'record',
      unitCode: 'U005',
      phase: 'plan',
      payload: { confirmedBy: '' },
      note: 'x',
      reason: 'Thử bản nộp sai',
    });
    expect(bad).toMatchObject({ ok: false, outcome: 'refused' });
    expect(bad.message).toContain('Người xác nhận');

    const rows = await listAudit(h.db, { cycleId });
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(view.auditId)).toMatchObject({
      actor: 'tester',
      role: 'cli',
      action: 'extend',
      unitCode: 'U001',
      phase: 'plan',
      reason: 'Đơn vị đang kiện toàn cấp ủy',
      outcome: 'ok',
      requestId: `ext-${RUN}-U001`,
    });
    expect(byId.get(ex.auditId)).toMatchObject({ action: 'exempt', outcome: 'ok', reason: 'Đơn vị sáp nhập, chờ quyết định' });
    expect(byId.get(exAgain.auditId)).toMatchObject({ action: 'exempt', outcome: 'refused', message: exAgain.message });
    expect(byId.get(rec.auditId)).toMatchObject({
      action: 'record',
      outcome: 'ok',
      details: { request: { note: 'Nhận bản giấy ngày 02/03', payload: { confirmedBy: 'Nguyễn Văn Ba, Bí thư' } } },
    });
    expect(byId.get(bad.auditId)).toMatchObject({ action: 'record', outcome: 'refused' });
  });

  it('`chuky unit ack` still records the acknowledgement, now with an audit row', async () => {
    const r = await chuky(
      [
        'unit',
        'ack',
        '--cycle',
        cycleId,
        '--unit',
        'U007',
        '--by',
        'Lê Văn Bảy, Bí thư',
        '--note',
        'Gọi điện xác nhận',
        '--actor',
        'tester',
      ],
      cliEnv,
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^Recorded: U007 plan version 1, (submitted|late \(late\))\n$/);
    const [entry] = await listAudit(h.db, { cycleId, unitCode: 'U007' });
    expect(entry).toMatchObject({
      actor: 'tester',
      action: 'record',
      outcome: 'ok',
      reason: 'Ghi nhận thay đơn vị: Lê Văn Bảy, Bí thư xác nhận đã tiếp nhận kế hoạch',
    });
  });

  it('remind sends exactly one email even when the command runs twice with the same request id, and `unit show` says why', async () => {
    // Before the deadline passes (09/03 00:00, ~34 s in), so it is a reminder, not the overdue notice.
    const args = [
      'remind',
      '--cycle',
      cycleId,
      '--unit',
      'U004',
      '--phase',
      'plan',
      '--reason',
      'Đơn vị báo chưa nhận được thư',
      '--actor',
      'tester',
      '--request-id',
      `remind-${RUN}-U004`,
      '--json',
    ];
    const first = await chuky(args, cliEnv);
    expect(first.stderr).toBe('');
    const r1 = JSON.parse(first.stdout);
    expect(r1).toMatchObject({
      ok: true,
      action: 'remind',
      data: { sendStatus: 'sent', emailKey: `${cycleId}/U004/plan/reminder-manual@remind-${RUN}-U004` },
    });
    const second = await chuky(args, cliEnv);
    const r2 = JSON.parse(second.stdout);
    expect(r2).toMatchObject({ ok: true, repeated: true, auditId: r1.auditId });

    const delivered = (await fetchInbox(services.inboxUrl)).filter((m) => m.messageId === r1.data.messageId);
    expect(delivered).toHaveLength(1);
    // A reminder with the days left, as the workflow would word it; on a machine slow enough to reach the
    // deadline first, the overdue notice (the reminder that is due then).
    if (r1.data.emailKind === 'reminder') {
      expect(delivered[0]!.subject).toMatch(/^Nhắc hạn: còn \d+ ngày — Tiếp nhận kế hoạch .*hạn 08\/03\/2027\)$/);
      expect(delivered[0]!.to).toEqual([fx.unitEmail('U004', 'contact'), fx.unitEmail('U004', 'secretary')]);
    } else {
      expect(r1.data.emailKind).toBe('overdue');
      expect(delivered[0]!.subject).toMatch(/^QUÁ HẠN: /);
    }
    const { rows } = await h.db.query('SELECT count(*)::int AS n FROM emails WHERE email_key = $1', [r1.data.emailKey]);
    expect(rows[0].n).toBe(1);

    // Why did U004 get this email? Its own row says: a manual reminder, by whom, for what reason; the timeline
    // reads it from there.
    const { rows: why } = await h.db.query('SELECT reason FROM emails WHERE email_key = $1', [r1.data.emailKey]);
    expect(why[0].reason).toBe('nhắc hạn thủ công (chuky remind) — tester: Đơn vị báo chưa nhận được thư');
    const timeline = await unitTimeline(h.db, cycleId, 'U004');
    const mail = timeline.find((t) => t.kind === 'email' && t.details.emailKey === r1.data.emailKey);
    expect(mail?.details.reason).toBe(why[0].reason);
    expect(mail?.summary).toContain('nhắc hạn thủ công (chuky remind) — tester: Đơn vị báo chưa nhận được thư');
    expect(mail?.summary).toContain('đã gửi');
    expect(
      timeline.some(
        (t) => t.kind === 'transition' && t.details.event === 'manual_reminder' && t.reason === 'Đơn vị báo chưa nhận được thư',
      ),
    ).toBe(true);
    expect(timeline.some((t) => t.kind === 'repair' && t.details.auditId === r1.auditId)).toBe(true);
    const notice = timeline.find((t) => t.kind === 'email' && t.details.emailKind === 'notice');
    expect(notice?.summary).toContain('giai đoạn mở, báo hạn 08/03/2027');
    // In time order.
    expect(timeline.map((t) => t.at)).toEqual([...timeline.map((t) => t.at)].sort());

    const [show, text] = await Promise.all([
      chuky(['unit', 'show', '--cycle', cycleId, '--unit', 'U004', '--json'], cliEnv),
      chuky(['unit', 'show', '--cycle', cycleId, '--unit', 'U004'], cliEnv),
    ]);
    expect(show.stderr).toBe('');
    const shown = JSON.parse(show.stdout);
    expect(Object.keys(shown)).toEqual(['live', 'events', 'emails', 'timeline']);
    expect(shown.timeline.some((t: { summary: string }) => t.summary.includes('nhắc hạn thủ công'))).toBe(true);
    expect(text.stdout).toMatch(/^plan +\w+ +level \d +due 2027-03-08$/m);
    expect(text.stdout).toMatch(
      / email +plan +Thư \S+ .*tới .* — vì nhắc hạn thủ công \(chuky remind\) — tester: Đơn vị báo chưa nhận được thư; đã gửi$/m,
    );
  });

  it(
    'remind is refused, in words, where the unit owes nothing: an exempted obligation (by the ' +
      'workflow), a remedy report, a unit not in the cycle',
    async () => {
      // U002's plan was exempted in the first test: the workflow's ladder has nothing to remind of.
      await waitFor('U002 exempted', async () => (await obligation('U002'))?.status === 'exempted');
      const exempted = await repair({
        action: 'remind',
        unitCode: 'U002',
        phase: 'plan',
        reason: 'Thử nhắc đơn vị đã được miễn',
        requestId: `remind-${RUN}-U002`,
      });
      expect(exempted).toMatchObject({ ok: false, outcome: 'refused' });
      expect(exempted.message).toMatch(/^Không nhắc: “.+” đã ở trạng thái “.+”$/);
      const remedy = await repair({ action: 'remind', unitCode: 'U003', phase: 'inspection-remedy', reason: 'Thử nhắc báo cáo khắc phục' });
      expect(remedy).toMatchObject({ ok: false, outcome: 'refused' });
      expect(remedy.message).toContain('báo cáo khắc phục của U003');
      const stranger = await repair({ action: 'remind', unitCode: 'U999', phase: 'plan', reason: 'Thử nhắc đơn vị lạ' });
      expect(stranger).toMatchObject({ ok: false, outcome: 'refused', message: `Chu kỳ ${cycleId} không có đơn vị U999` });
      // Nothing was sent for any of them.
      const { rows } = await h.db.query(
        "SELECT count(*)::int AS n FROM emails WHERE cycle_id = $1 AND email_key LIKE '%reminder-manual%' AND unit_code <> 'U004'",
        [cycleId],
      );
      expect(rows[0].n).toBe(0);
    },
  );

  it("the timeline reads each email's reason from its row, and rebuilds it from the key for rows written before the column", async () => {
    // The extension's email (first test) was written with its reason by the email activity.
    await waitFor(
      "U001's extension email",
      async () =>
        (await h.db.query("SELECT 1 FROM emails WHERE cycle_id = $1 AND unit_code = 'U001' AND kind = 'extension'", [cycleId])).rows
          .length > 0,
    );
    const { rows: ext } = await h.db.query(
      "SELECT email_key, reason FROM emails WHERE cycle_id = $1 AND unit_code = 'U001' AND kind = 'extension'",
      [cycleId],
    );
    expect(ext[0].reason).toMatch(/^gia hạn đến 12\/03\/2027\b.*Đơn vị đang kiện toàn cấp ủy$/);
    // Rows as an older chuky wrote them, without a reason: one the ladder sent, one an operator's extension explains.
    const legacy = [`${cycleId}/U006/plan/reminder-5d@2027-03-08#${Date.now()}`, `${cycleId}/U006/plan/extension@2027-03-20`];
    for (const [i, key] of legacy.entries()) {
      await h.db.query(
        `INSERT INTO emails (email_key, message_id, cycle_id, unit_code, phase, kind, to_addrs, subject, status, calendar_at)
         VALUES ($1, $2, $3, 'U006', 'plan', $4, ARRAY['u6@example.vn'], 'Thư cũ', 'sent', now())`,
        [key, `<legacy-${RUN}-${i}@localhost>`, cycleId, i === 0 ? 'reminder' : 'extension'],
      );
    }
    const timeline = await unitTimeline(h.db, cycleId, 'U001');
    const extEntry = timeline.find((t) => t.kind === 'email' && t.details.emailKey === ext[0].email_key);
    expect(extEntry?.details.reason).toBe(ext[0].reason);
    expect(extEntry?.summary).toContain(`— vì ${ext[0].reason as string}; `);
    const old = (await unitTimeline(h.db, cycleId, 'U006')).filter(
      (t) => t.kind === 'email' && legacy.includes(t.details.emailKey as string),
    );
    expect(old.map((t) => t.details.reason)).toEqual(['nhắc hạn tự động 5 ngày trước hạn 08/03/2027', 'gia hạn đến 20/03/2027']);
  });

  it('refuses a repair without a reason, and the audit log refuses UPDATE, DELETE and TRUNCATE', async () => {
    const noReason = await repair({ action: 'extend', unitCode: 'U005', phase: 'plan', until: '2027-03-20', reason: '   ' });
    expect(noReason).toMatchObject({ ok: false, outcome: 'refused', auditId: 0 });
    expect(noReason.message).toContain('Cần ghi lý do');
    expect((await obligation('U005'))?.deadline).toBe('2027-03-08');

    const cli = await chuky(['extend', '--cycle', cycleId, '--unit', 'U005', '--phase', 'plan', '--until', '2027-03-20'], cliEnv);
    expect(cli.code).toBe(2);
    expect(cli.stderr).toContain('--reason is required');

    const [latest] = await listAudit(h.db, { cycleId, limit: 1 });
    await expect(h.db.query("UPDATE audit_log SET reason = 'đổi' WHERE id = $1", [latest!.id])).rejects.toThrow(/append-only: UPDATE/);
    await expect(h.db.query('DELETE FROM audit_log WHERE id = $1', [latest!.id])).rejects.toThrow(/append-only: DELETE/);
    await expect(h.db.query('TRUNCATE audit_log')).rejects.toThrow(/append-only: TRUNCATE/);
    await expect(
      h.db.query("INSERT INTO audit_log (actor, role, action, reason, outcome) VALUES ('x', 'cli', 'extend', ' ', 'ok')"),
    ).rejects.toThrow(/check constraint/);
    expect((await listAudit(h.db, { cycleId, limit: 1 }))[0]).toEqual(latest);
  });

  it("cancels an inspection, and refuses to cancel the cycle's workflow without --force", async () => {
    const { inspectionId } = await startInspection(deps, cycleId, {
      unitCode: 'U006',
      kind: 'kiem-tra',
      body: 'ubkt',
      reason: 'Kiểm tra việc chậm nộp kế hoạch',
      actor: { id: 'operator:tester', via: 'cli' },
    });
    cleanup.push(inspectionId);
    const cancelled = await repair({ action: 'cancel', workflowId: inspectionId, reason: 'Mở nhầm đợt kiểm tra' });
    expect(cancelled).toMatchObject({
      ok: true,
      target: { workflowId: inspectionId, cycleId, unitCode: 'U006' },
      data: { status: 'CANCELLED' },
    });
    expect((await h.client.workflow.getHandle(inspectionId).describe()).status.name).toBe('CANCELLED');

    const cycle = await repair({ action: 'cancel', workflowId: cycleWorkflowId(cycleId), reason: 'Thử hủy chu kỳ' });
    expect(cycle).toMatchObject({ ok: false, outcome: 'refused' });
    expect(cycle.message).toContain('--force');
    expect((await h.client.workflow.getHandle(cycleWorkflowId(cycleId)).describe()).status.name).toBe('RUNNING');
    const entries = await listAudit(h.db, { cycleId, action: 'cancel' });
    expect(entries.map((e) => [e.workflowId, e.outcome])).toEqual([
      [cycleWorkflowId(cycleId), 'refused'],
      [inspectionId, 'ok'],
    ]);
  });

  it('retries a failing activity now: the notice a worker could not send goes out at once when the SMTP server is back', async () => {
    // This worker's SMTP server is a closed port, until the test points it at the sink.
    const closed = createMailer(`smtp://127.0.0.1:${await freePort()}`);
    const good = createMailer(services.smtpUrl);
    let current: Mailer = closed;
    const mailer: Mailer = { send: (m) => current.send(m), close: () => (closed.close(), good.close()) };
    const worker = await createWorker({ connection: native, namespace: 'default', deps: { ...h.deps, taskQueue: BROKEN_QUEUE, mailer } });
    const rfx = writeFixture({
      code: `ITRTY${RUN.slice(-4).toUpperCase()}`,
      issuedOn: '2027-03-01',
      deadline: '2027-03-20',
      closesOn: '2027-04-30',
      units: 1,
    });
    try {
      await worker.runUntil(async () => {
        const started = await startCycle({ db: h.db, client: h.client, taskQueue: BROKEN_QUEUE, configFile: rfx.file, secondsPerDay: 3 });
        const workflowId = unitWorkflowId(started.cycleId, 'U001');
        cleanup.push(cycleWorkflowId(started.cycleId), workflowId);
        const rdeps = { ...deps, taskQueue: BROKEN_QUEUE };

        // Nothing to retry yet is refused, plainly.
        const early = await runRepair(rdeps, { action: 'retry', cycleId: started.cycleId, unitCode: 'U001', reason: 'Thử', actor });
        expect(early.outcome).toBe('refused');

        const stuck = await waitFor(
          'the notice activity to be retrying with a long wait ahead',
          async () => {
            const d = await h.client.workflow
              .getHandle(workflowId)
              .describe()
              .catch(() => undefined);
            const a = d?.raw.pendingActivities?.find((p) => (p.attempt ?? 0) >= 3 && p.nextAttemptScheduleTime);
            const next = a ? Number(a.nextAttemptScheduleTime!.seconds) * 1000 : 0;
            return a && next - Date.now() > 4_000 ? { a, next } : undefined;
          },
          60_000,
          300,
        );
        expect(stuck.a.activityType?.name).toBe('sendUnitEmail');
        expect(stuck.a.lastFailure?.message).toMatch(/ECONNREFUSED/);

        current = good;
        const result = await runRepair(rdeps, {
          action: 'retry',
          cycleId: started.cycleId,
          unitCode: 'U001',
          reason: 'Máy chủ thư đã chạy lại',
          actor,
          requestId: `retry-${RUN}`,
        });
        if (process.env.CHUKY_TEST_VERBOSE) console.log('retry:', result.message);
        const [entry] = await listAudit(h.db, { cycleId: started.cycleId, action: 'retry', limit: 1 });
        expect(entry).toMatchObject({
          id: result.auditId,
          actor: 'tester',
          reason: 'Máy chủ thư đã chạy lại',
          outcome: result.outcome,
          message: result.message,
        });
        if (!result.ok) {
          // A server without ResetActivity: the refusal must say so, in the result and the audit row.
          expect(result.message).toMatch(/refused ResetActivity/);
          return;
        }
        expect(result.message).toMatch(
          new RegExp(`^Đã chạy lại ngay: ${activityVi('sendUnitEmail').toLowerCase()} \\(lần thử \\d+, lỗi gần nhất: .*ECONNREFUSED`),
        );
        // Delivered well before the attempt Temporal had scheduled.
        const sent = await waitFor(
          'the notice to be sent after the retry',
          async () => {
            const { rows } = await h.db.query(
              "SELECT sent_at, message_id FROM emails WHERE cycle_id = $1 AND kind = 'notice' AND status = 'sent'",
              [started.cycleId],
            );
            return rows[0] as { sent_at: Date; message_id: string } | undefined;
          },
          Math.max(1_000, stuck.next - Date.now() - 1_000),
          100,
        );
        expect(sent.sent_at.getTime()).toBeLessThan(stuck.next);
        expect((await fetchInbox(services.inboxUrl)).filter((m) => m.messageId === sent.message_id)).toHaveLength(1);
      });
    } finally {
      mailer.close();
    }
  });

  it('resets a workflow whose task keeps failing to its last completed task, once', async () => {
    const worker = await Worker.create({
      connection: native,
      namespace: 'default',
      taskQueue: STUCK_QUEUE,
      workflowsPath: fileURLToPath(new URL('../support/stuck-workflow.ts', import.meta.url)),
    });
    const workflowId = `it-repairs-stuck-${RUN}`;
    cleanup.push(workflowId);
    const history = async () => (await h.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
    await worker.runUntil(async () => {
      const handle = await h.client.workflow.start('stuckWorkflow', { taskQueue: STUCK_QUEUE, workflowId, args: [] });
      await waitFor('the first workflow task to complete', async () =>
        (await history()).some((e) => Number(e.eventType) === EventType.WorkflowTaskCompleted),
      );
      await handle.signal('go');
      await waitFor('the workflow task to fail', async () =>
        (await history()).some((e) => Number(e.eventType) === EventType.WorkflowTaskFailed),
      );
      const events = await history();
      const completed = events.filter((e) => Number(e.eventType) === EventType.WorkflowTaskCompleted).map((e) => Number(e.eventId));

      const request = { action: 'reset' as const, workflowId, reason: 'Đã triển khai bản sửa lỗi', actor, requestId: `reset-${RUN}` };
      const result = await runRepair(deps, request);
      expect(result).toMatchObject({ ok: true, data: { resetToEventId: completed.at(-1), previousRunId: handle.firstExecutionRunId } });
      expect(result.message).toContain('deliberate bug');
      const runId = result.data!.runId as string;
      expect(runId).not.toBe(handle.firstExecutionRunId);
      // The new run replays the good part, gets the signal again and completes; the old run was terminated.
      expect(await h.client.workflow.getHandle(workflowId, runId).result()).toBe('recovered');
      expect((await h.client.workflow.getHandle(workflowId, handle.firstExecutionRunId).describe()).status.name).toBe('TERMINATED');

      // Repeated: the first result, no second reset.
      const again = await runRepair(deps, request);
      expect(again).toMatchObject({ ok: true, repeated: true, auditId: result.auditId, data: { runId } });
      // And on a workflow that is not failing (here: finished), a reset is refused.
      const none = await runRepair(deps, { ...request, requestId: `reset-${RUN}-2` });
      expect(none).toMatchObject({ ok: false, outcome: 'refused' });
      expect((await listAudit(h.db, { workflowId })).map((e) => e.outcome)).toEqual(['refused', 'ok']);
    });
  });

  it('extends over a filter: a dry run lists the units, then one audit row per unit, and the ladder moves', async () => {
    // By now the first deadline (08/03) is long past: U004 to U006 never submitted.
    await waitFor('U005 to be at level 3', async () => (await obligation('U005'))?.escalation_level === 3, 60_000);
    await waitFor(
      'U001 to be overdue on its extended deadline',
      async () => ((await obligation('U001'))?.escalation_level ?? 0) >= 1,
      60_000,
    );
    // U001's extension moved its ladder: its reminders are for 12/03, none for 08/03.
    const u1 = await sentKeys('U001');
    expect(u1).toContain(`${cycleId}/U001/plan/reminder-2d@2027-03-12`);
    expect(u1.filter((k) => k.includes('reminder-') && k.endsWith('@2027-03-08'))).toEqual([]);

    const filter = ['--cycle', cycleId, '--all', '--phase', 'plan', '--status', 'overdue,not_submitted', '--min-level', '1'];
    const dry = await chuky(['extend', ...filter, '--dry-run', '--json'], cliEnv);
    expect(dry.stderr).toBe('');
    const listed = JSON.parse(dry.stdout);
    const expected = await matchUnits(h.db, { cycleId, phase: 'plan', status: ['overdue', 'not_submitted'], minLevel: 1 });
    expect(listed).toMatchObject({ dryRun: true, action: 'extend', count: expected.length });
    expect(listed.units.map((u: { unitCode: string }) => u.unitCode)).toEqual(expected);
    expect(expected).toEqual(expect.arrayContaining(['U001', 'U004', 'U005', 'U006']));
    expect(expected).not.toContain('U002');
    expect(expected).not.toContain('U003');
    // A dry run does nothing and records nothing.
    expect(await listAudit(h.db, { cycleId, action: 'extend' })).toHaveLength(1);

    const run = await chuky(
      [
        'extend',
        ...filter,
        '--until',
        '2027-04-20',
        '--reason',
        'Gia hạn chung do đợt bão',
        '--actor',
        'tester',
        '--request-id',
        `bulk-${RUN}`,
        '--json',
      ],
      cliEnv,
    );
    const out = JSON.parse(run.stdout);
    expect(out).toMatchObject({ count: expected.length, ok: expected.length, refused: 0, failed: 0 });
    expect(run.code).toBe(0);
    for (const code of expected) {
      expect(await obligation(code)).toMatchObject({ deadline: '2027-04-20', status: 'pending', escalation_level: 0 });
    }
    const audited = (await listAudit(h.db, { cycleId, action: 'extend' })).filter((e) => e.requestId?.startsWith(`bulk-${RUN}/`));
    expect(audited.map((e) => e.unitCode).sort()).toEqual(expected);
    for (const e of audited)
      expect(e).toMatchObject({
        actor: 'tester',
        reason: 'Gia hạn chung do đợt bão',
        outcome: 'ok',
        details: { bulk: { filter: { cycleId } } },
      });

    // Over a filter, a unit's refusal does not stop the others: extend again to the same date, and each is refused.
    const results = await bulkRepair(
      deps,
      { cycleId, unitCodes: ['U002', 'U004'] },
      { action: 'extend', phase: 'plan', until: '2027-04-20', reason: 'Lặp lại', actor },
    );
    expect(results.map((r) => [r.target.unitCode, r.outcome])).toEqual([
      ['U002', 'refused'],
      ['U004', 'refused'],
    ]);
  });

  it('has help for the repair commands (extend as their sample)', async () => {
    // One of the seven: they share one definition, and each spawn of the program costs a few seconds here.
    const r = await chuky(['extend', '--help'], {});
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: chuky extend/m);
    expect(r.stdout).toContain('--reason <text>');
    expect(r.stdout).toContain('--dry-run');
  });

  it('leaves every repair of the cycle in the audit log with actor, reason and outcome', async () => {
    const entries = await listAudit(h.db, { cycleId, limit: 1000 });
    expect(entries.length).toBeGreaterThanOrEqual(10);
    for (const e of entries) {
      expect(e.actor).toBe('tester');
      expect(e.reason.trim()).not.toBe('');
      expect(['ok', 'refused', 'failed']).toContain(e.outcome);
      expect(e.message).toBeTruthy();
    }
    // Newest first, and paging by id goes on where the page ended.
    const page1 = await listAudit(h.db, { cycleId, limit: 3 });
    const page2 = await listAudit(h.db, { cycleId, limit: 3, beforeId: page1.at(-1)!.id });
    expect([...page1, ...page2].map((e) => e.id)).toEqual(entries.slice(0, 6).map((e) => e.id));
  });
});
