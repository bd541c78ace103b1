/**
 * The workers' email relay (workers/email-relay.ts) on the real stack: a submission's receipt is stored as a
 * request with the submission and sent by the relay, once; a receipt refused by the mail server is told to the
 * unit's workflow, which records the bounce and warns the standing body; two relays taking the same requests
 * deliver each once; a temporary refusal leaves the request with its error and it is sent when the server is back.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';
import { writeFixture, type Fixture } from '../support/fixtures.js';
import { waitFor } from '../support/processes.js';
import { openCycle } from '../support/open-cycle.js';
import { submit } from '../../client/unit-actions.js';
import { emailKey, unitWorkflowId } from '../../domain/ids.js';
import { BOUNCE_DOMAIN, fetchInbox, setInboxMode } from '../../stack/smtp-sink.js';
import { samplePayload } from '../../rehearsal/payloads.js';
import { EmailRelay } from '../../workers/email-relay.js';
import { createEmailActivities } from '../../activities/email.js';
import { pendingEmailRequests, requestEmailIn } from '../../db/email-requests.js';
import { withTransaction } from '../../db/pool.js';
import { findStalls } from '../../ops/stalled.js';

const QUEUE = 'it-email-relay';

describe('the email relay', () => {
  let h: Harness;
  let fx: Fixture;
  let cycleId: string;
  let dead: string;
  let stop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    h = await startHarness({ taskQueue: QUEUE });
    fx = writeFixture({ code: 'ITRELAY', issuedOn: '2027-03-01', deadline: '2027-03-20', units: 2, closesOn: '2027-06-30' });
    // U001's only addresses are gone: its receipt bounces.
    const unitsFile = path.join(path.dirname(fx.file), 'units.csv');
    dead = `bithu.u001@${BOUNCE_DOMAIN}`;
    fs.writeFileSync(
      unitsFile,
      fs
        .readFileSync(unitsFile, 'utf8')
        .replace(fx.unitEmail('U001', 'secretary'), dead)
        .replace(fx.unitEmail('U001', 'contact'), `vanphong.u001@${BOUNCE_DOMAIN}`),
    );
    const open = await openCycle(h, { taskQueue: QUEUE, fixture: fx, opened: 2 });
    cycleId = open.cycleId;
    stop = () => open.stop();
  });

  afterAll(async () => {
    await setInboxMode(h.inboxUrl, 'accept').catch(() => undefined);
    await stop?.();
    await h.close();
  });

  /** Stores receipt requests for U002 under `keys`, as the submission's statement would, for `queue`'s relays. */
  const ask = (queue: string, keys: string[], version: number) =>
    withTransaction(h.db, async (client) => {
      for (const key of keys)
        await requestEmailIn(client, {
          taskQueue: queue,
          workflowId: unitWorkflowId(cycleId, 'U002'),
          input: {
            key,
            cycleId,
            unitCode: 'U002',
            phase: 'plan',
            kind: 'receipt',
            deadline: '2027-03-20',
            calendarAt: Date.now(),
            version,
          },
        });
    });

  const receiptKey = (unit: string, version: number) =>
    emailKey({ cycle: cycleId, unit, phase: 'plan', kind: 'receipt', deadline: '2027-03-20', seq: version });

  it('sends a receipt stored with its submission, once, and leaves no request behind', async () => {
    const r = await submit(h.client, cycleId, 'U002', {
      phase: 'plan',
      payload: samplePayload('plan', { code: 'U002', name: 'U002', members: 20 }, { date: '2027-03-02' }),
      actor: { id: 'unit:U002', via: 'api' },
      requestId: 'relay-U002-1',
    });
    expect(r.version).toBe(1);
    // The workflow scheduled no activity for it: the receipt is the relay's.
    const history = await h.client.workflow.getHandle(unitWorkflowId(cycleId, 'U002')).fetchHistory();
    const kinds = (history.events ?? [])
      .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'sendUnitEmail')
      .map((e) => JSON.parse(Buffer.from(e.activityTaskScheduledEventAttributes!.input!.payloads![0]!.data!).toString()).kind);
    expect(kinds).toContain('notice');
    expect(kinds).not.toContain('receipt');

    const row = await waitFor('the receipt sent', async () => {
      const { rows } = await h.db.query('SELECT status, message_id FROM emails WHERE email_key = $1', [receiptKey('U002', 1)]);
      return rows[0]?.status === 'sent' ? rows[0] : undefined;
    });
    expect(await pendingEmailRequests(h.db, cycleId)).toEqual([]);
    const inbox = await fetchInbox(h.inboxUrl);
    expect(inbox.filter((m) => m.messageId === row.message_id)).toHaveLength(1);
  });

  it('tells the unit’s workflow of a bounced receipt, which records it and warns the standing body', async () => {
    await submit(h.client, cycleId, 'U001', {
      phase: 'plan',
      payload: samplePayload('plan', { code: 'U001', name: 'U001', members: 20 }, { date: '2027-03-02' }),
      actor: { id: 'unit:U001', via: 'api' },
      requestId: 'relay-U001-1',
    });
    const events = await waitFor('the receipt’s bounce recorded', async () => {
      const { rows } = await h.db.query(
        "SELECT data FROM events WHERE cycle_id = $1 AND unit_code = 'U001' AND kind = 'email_bounced' AND data->>'kind' = 'receipt'",
        [cycleId],
      );
      return rows.length ? rows : undefined;
    });
    expect(events).toHaveLength(1);
    expect(events[0].data.to).toContain(dead);
    const notice = await waitFor('the standing body’s bounce notice for the receipt', async () => {
      const { rows } = await h.db.query("SELECT status, to_addrs FROM emails WHERE cycle_id = $1 AND email_key LIKE '%/bounce-receipt@%'", [
        cycleId,
      ]);
      // Partial: the secretary it copies is the dead address itself.
      return rows[0]?.status === 'sent' || rows[0]?.status === 'partial' ? rows[0] : undefined;
    });
    expect(notice.to_addrs).toEqual([fx.standingBodyEmail]);
    expect(await pendingEmailRequests(h.db, cycleId)).toEqual([]);
  });

  it('delivers each request once when two relays take them, and retries one the server refused for now', async () => {
    const queue = `${QUEUE}-pair`;
    const send = createEmailActivities({ ...h.deps }).sendUnitEmail;
    const relays = [0, 1].map(() => new EmailRelay({ db: h.db, client: h.client, taskQueue: queue, send }));
    const keys = Array.from({ length: 12 }, (_, i) => `${cycleId}/U002/plan/relay-pair@2027-03-20#${i}`);
    await ask(queue, keys, 1);
    for (const r of relays) r.start();
    try {
      await waitFor('every request sent', async () => (await pendingEmailRequests(h.db, cycleId)).length === 0);
      const { rows } = await h.db.query('SELECT message_id, status FROM emails WHERE email_key = ANY($1)', [keys]);
      expect(rows).toHaveLength(keys.length);
      expect(rows.every((r) => r.status === 'sent')).toBe(true);
      const inbox = await fetchInbox(h.inboxUrl);
      for (const r of rows) expect(inbox.filter((m) => m.messageId === r.message_id)).toHaveLength(1);

      // The server refuses for now: the request stays, with its error, and goes once the server is back.
      await setInboxMode(h.inboxUrl, 'tempfail');
      const key = `${cycleId}/U002/plan/relay-retry@2027-03-20`;
      await ask(queue, [key], 2);
      relays[0]!.kick();
      const refused = await waitFor('the refusal recorded on the request', async () => {
        const [p] = await pendingEmailRequests(h.db, cycleId);
        return p?.lastError ? p : undefined;
      });
      expect(refused.key).toBe(key);
      expect(refused.lastError).toMatch(/4\d\d/);
      // The operator on call sees it: `chuky stalled` lists the request with what the server answered.
      const stalls = await findStalls(
        { client: h.client, db: h.db, namespace: 'default', taskQueue: queue },
        { cycleId, kinds: ['email-retrying'], minAttempts: 1 },
      );
      expect(stalls).toHaveLength(1);
      expect(stalls[0]).toMatchObject({ kind: 'email-retrying', unitCode: 'U002', phase: 'plan' });
      expect(stalls[0]!.attempt).toBeGreaterThanOrEqual(1);
      expect(stalls[0]!.cause).toContain(refused.lastError!.split('\n')[0]!.slice(0, 20));
      expect(stalls[0]!.causeVi).toMatch(/thư xác nhận đã nhận gửi lỗi \d+ lần/);
      await setInboxMode(h.inboxUrl, 'accept');
      await waitFor('the request sent after the refusal', async () => (await pendingEmailRequests(h.db, cycleId)).length === 0, 30_000);
      const { rows: sent } = await h.db.query('SELECT status, message_id FROM emails WHERE email_key = $1', [key]);
      expect(sent[0].status).toBe('sent');
      expect((await fetchInbox(h.inboxUrl)).filter((m) => m.messageId === sent[0].message_id)).toHaveLength(1);
    } finally {
      await Promise.all(relays.map((r) => r.stop()));
    }
  });
});
