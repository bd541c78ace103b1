/**
 * The plan obligation end to end on the real stack: Temporal dev server, PostgreSQL, SMTP, the HTTP form and the
 * `chuky` CLI, on a compressed calendar (one day = 3 s). Units act through the link in the email they received.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';
import { writeFixture, type Fixture } from '../support/fixtures.js';
import { chuky, waitFor } from '../support/processes.js';
import { startCycle } from '../../cli/commands/cycle.js';
import { startApi } from '../../api/server.js';
import { signLink, formUrl } from '../../auth/links.js';
import { cycleWorkflowId, unitWorkflowId } from '../../domain/ids.js';
import { workflowBundle } from '../../workers/worker.js';
import { Worker } from '@temporalio/worker';
import { freePort } from '../../stack/ports.js';
import { fetchInbox, type StoredMail } from '../../stack/smtp-sink.js';

const QUEUE = 'it-plan-e2e';

describe('plan obligation on the real stack', () => {
  let h: Harness;
  let api: Awaited<ReturnType<typeof startApi>>;
  let fx: Fixture;
  let cycleId: string;
  const services = inject('services');

  const mailFor = async (unit: string): Promise<StoredMail[]> =>
    (await fetchInbox(h.inboxUrl)).filter(
      (m) => [...m.to, ...m.cc].some((a) => a === fx.unitEmail(unit, 'secretary')) || m.subject.includes(`${unit} `),
    );
  const linkIn = (m: StoredMail) => /Xác nhận và nộp tại: (\S+)/.exec(m.text)?.[1] ?? /Nộp tại: (\S+)/.exec(m.text)?.[1];

  beforeAll(async () => {
    const port = await freePort();
    h = await startHarness({ taskQueue: QUEUE, publicBaseUrl: `http://127.0.0.1:${port}` });
    api = await startApi({ db: h.db, client: h.client, signingSecret: h.env.signingSecret }, port);
    fx = writeFixture({
      code: 'ITE2E',
      issuedOn: '2027-03-01',
      deadline: '2027-03-05',
      closesOn: '2027-03-09',
      units: 3,
      reminders: [2, 1],
      level2AfterDays: 2,
      level3AfterDays: 3,
    });
  });

  afterAll(async () => {
    await api?.close();
    await h?.close();
  });

  it('runs the year: notice, form submission, reminders, overdue, escalations, status', async () => {
    const [onTime, late, never] = fx.unitCodes as [string, string, string];
    await h.run(async () => {
      const started = await startCycle({ db: h.db, client: h.client, taskQueue: QUEUE, configFile: fx.file, secondsPerDay: 3 });
      cycleId = started.cycleId;

      // The notice reaches each unit's contact and secretary, with a link to its own form.
      const notice = await waitFor('notice to the on-time unit', async () =>
        (await mailFor(onTime)).find((m) => m.subject.includes('hạn 05/03/2027')),
      );
      expect(notice.to.sort()).toEqual([fx.unitEmail(onTime, 'contact'), fx.unitEmail(onTime, 'secretary')].sort());
      const link = linkIn(notice)!;
      expect(link).toContain(`http://127.0.0.1:`);

      const page = await fetch(link);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain('Hạn nộp: <b>05/03/2027</b>');
      expect(html).toContain('Đảng bộ');

      // A bad submission is refused with a Vietnamese, per-field message and records nothing.
      const bad = await fetch(link, { method: 'POST', body: new URLSearchParams({ confirmedBy: '  ', requestId: 'form-bad-000001' }) });
      expect(bad.status).toBe(400);
      expect(await bad.text()).toContain('Người xác nhận: không được để trống');

      // A link signed by anyone else is refused.
      const forged = formUrl(
        `http://127.0.0.1:${new URL(link).port}`,
        await signLink({ cycleId, unitCode: onTime, phase: 'plan' }, 'x'.repeat(40), Date.now() + 60_000),
      );
      expect((await fetch(forged)).status).toBe(403);

      // A good one is accepted; a field naming another unit is ignored: the link decides the unit.
      const ok = await fetch(link, {
        method: 'POST',
        body: new URLSearchParams({
          confirmedBy: 'Nguyễn Văn An, Bí thư',
          unitPlanNumber: '05-KH/ĐU',
          requestId: 'form-ok-0000001',
          unitCode: never,
        }),
      });
      expect(ok.status).toBe(200);
      expect(await ok.text()).toContain('Đã nhận (lần 1, đúng hạn)');

      // Revisions change no search attribute: the first records the patch that skips unchanged upserts, the
      // second upserts nothing, and visibility still shows the unit as submitted.
      const upserts = async () =>
        (await h.client.workflow.getHandle(unitWorkflowId(cycleId, onTime)).fetchHistory()).events!.filter(
          (e) => e.upsertWorkflowSearchAttributesEventAttributes,
        ).length;
      const revise = async (n: number) => {
        const res = await fetch(link, {
          method: 'POST',
          body: new URLSearchParams({
            confirmedBy: 'Nguyễn Văn An, Bí thư',
            unitPlanNumber: `05-KH/ĐU, bản ${n}`,
            requestId: `form-rev-00000${n}`,
          }),
        });
        expect(await res.text()).toContain(`Đã nhận (lần ${n}`);
      };
      await revise(2);
      const afterFirstRevision = await upserts();
      await revise(3);
      expect(await upserts()).toBe(afterFirstRevision);
      const desc = await h.client.workflow.getHandle(unitWorkflowId(cycleId, onTime)).describe();
      expect(desc.searchAttributes.ChukyStatus).toEqual(['submitted']);

      // The late unit answers only after its overdue notice.
      const overdue = await waitFor(
        'overdue notice to the late unit',
        async () => (await mailFor(late)).find((m) => m.subject.startsWith('QUÁ HẠN')),
        90_000,
      );
      expect(overdue.to).toEqual([fx.unitEmail(late, 'secretary')]);
      expect(overdue.cc).toContain(fx.standingBodyEmail);
      const lateLink = /Nộp tại: (\S+)/.exec(overdue.text)![1]!;
      const lateOk = await fetch(lateLink, {
        method: 'POST',
        body: new URLSearchParams({ confirmedBy: 'Trần Thị Bình', requestId: 'form-late-000001' }),
      });
      expect(await lateOk.text()).toContain('nộp chậm');

      await h.client.workflow.getHandle(cycleWorkflowId(cycleId)).result();
    });

    const { rows } = await h.db.query("SELECT unit_code, email_key FROM emails WHERE cycle_id = $1 AND status = 'sent' ORDER BY id", [
      cycleId,
    ]);
    const kinds = (u: string) => rows.filter((r) => r.unit_code === u).map((r) => r.email_key.split('/')[3].split('@')[0]);
    expect(kinds(onTime)).toEqual(['notice', 'receipt', 'receipt', 'receipt']);

    // Today's code replays what it recorded on the real server, search attributes included (the recorded
    // histories in test/histories come from the time-skipping server, which runs without them).
    const bundle = await workflowBundle();
    for (const unit of fx.unitCodes) {
      const history = await h.client.workflow.getHandle(unitWorkflowId(cycleId, unit)).fetchHistory();
      await Worker.runReplayHistory({ workflowBundle: bundle }, history, unitWorkflowId(cycleId, unit));
    }
    expect(kinds(late)).toEqual(['notice', 'reminder-2d', 'reminder-1d', 'overdue', 'receipt']);
    expect(kinds(never)).toEqual(['notice', 'reminder-2d', 'reminder-1d', 'overdue', 'escalation-2', 'escalation-3']);

    // Every email recorded as sent was received exactly once by the SMTP server.
    const inbox = await fetchInbox(h.inboxUrl);
    const { rows: ids } = await h.db.query("SELECT message_id FROM emails WHERE cycle_id = $1 AND status = 'sent'", [cycleId]);
    for (const { message_id } of ids) expect(inbox.filter((m) => m.messageId === message_id)).toHaveLength(1);

    // The server's list query answers "who did not submit" from the search attributes.
    const notSubmitted = await waitFor('visibility to catch up', async () => {
      const found: string[] = [];
      for await (const wf of h.client.workflow.list({ query: `ChukyCycle = '${cycleId}' AND ChukyStatus = 'not_submitted'` }))
        found.push(wf.workflowId);
      return found.length === 1 ? found : undefined;
    });
    expect(notSubmitted[0]).toContain(never);
    // "Who is overdue in phase plan": the unit still owing it, not the one that submitted late.
    const overdueInPlan = await waitFor('overdue phases in visibility', async () => {
      const found: string[] = [];
      for await (const wf of h.client.workflow.list({ query: `ChukyCycle = '${cycleId}' AND ChukyOverduePhases = 'plan'` }))
        found.push(wf.workflowId);
      return found.length === 1 ? found : undefined;
    });
    expect(overdueInPlan[0]).toContain(never);

    // The operator's view, through the CLI as a separate process.
    const status = await chuky(['cycle', 'status', '--cycle', cycleId, '--json'], {
      TEMPORAL_ADDRESS: services.temporalAddress,
      DATABASE_URL: services.databaseUrl,
      SMTP_URL: services.smtpUrl,
    });
    expect(status.stderr).toBe('');
    const parsed = JSON.parse(status.stdout);
    expect(parsed.status).toBe('closed');
    expect(Object.fromEntries(parsed.units.map((u: { unitCode: string; status: string }) => [u.unitCode, u.status]))).toEqual({
      [onTime]: 'submitted',
      [late]: 'late',
      [never]: 'not_submitted',
    });
    expect(parsed.summary).toEqual({ submitted: 1, late: 1, not_submitted: 1 });
  });
});
