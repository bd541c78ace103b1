/**
 * An address the mail server refuses (550): the email still reaches the unit's other recipient, the refusal is
 * recorded and shown to operators, and the standing body is told which address failed, secretary copied.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';
import { writeFixture, type Fixture } from '../support/fixtures.js';
import { chuky, waitFor } from '../support/processes.js';
import { startCycle } from '../../cli/commands/cycle.js';
import { closeCycleSignal } from '../../workflows/messages.js';
import { cycleWorkflowId } from '../../domain/ids.js';
import { BOUNCE_DOMAIN, fetchInbox } from '../../stack/smtp-sink.js';

const QUEUE = 'it-bounce';

describe('a refused address', () => {
  const services = inject('services');
  let h: Harness;
  let fx: Fixture;
  let cycleId: string;
  let dead: string;
  let running: Promise<void>;

  beforeAll(async () => {
    h = await startHarness({ taskQueue: QUEUE });
    fx = writeFixture({ code: 'ITBOUNCE', issuedOn: '2027-03-01', deadline: '2027-03-20', units: 1, closesOn: '2027-06-30' });
    // The unit's contact has left: their address no longer exists.
    const unitsFile = path.join(path.dirname(fx.file), 'units.csv');
    const contact = fx.unitEmail(fx.unitCodes[0]!, 'contact');
    dead = `vanphong.u001@${BOUNCE_DOMAIN}`;
    fs.writeFileSync(unitsFile, fs.readFileSync(unitsFile, 'utf8').replace(contact, dead));
    running = h.worker.run();
    cycleId = (await startCycle({ db: h.db, client: h.client, taskQueue: QUEUE, configFile: fx.file, secondsPerDay: 30 })).cycleId;
  });

  afterAll(async () => {
    await h.client.workflow
      .getHandle(cycleWorkflowId(cycleId))
      .signal(closeCycleSignal, { reason: 'test done', actor: 'operator:test' })
      .catch(() => undefined);
    await h.client.workflow
      .getHandle(cycleWorkflowId(cycleId))
      .result()
      .catch(() => undefined);
    h.worker.shutdown();
    await running.catch(() => undefined);
    await h.close();
  });

  it('delivers to the others, records the refusal and tells the standing body', async () => {
    const unit = fx.unitCodes[0]!;
    const secretary = fx.unitEmail(unit, 'secretary');
    const notice = await waitFor(
      'the bounce notice',
      async () => {
        const inbox = await fetchInbox(h.inboxUrl);
        return inbox.find((m) => m.subject.startsWith('Thư không gửi được') && m.to.includes(fx.standingBodyEmail));
      },
      90_000,
    );
    expect(notice.cc).toContain(secretary);
    expect(notice.text).toContain(dead);
    // The notice itself reached the secretary, and only the dead address was refused.
    const delivered = (await fetchInbox(h.inboxUrl)).find((m) => m.subject.includes('hạn 20/03/2027') && m.envelopeTo.includes(secretary));
    expect(delivered).toBeDefined();
    expect(delivered!.envelopeTo).not.toContain(dead);

    const { rows } = await h.db.query('SELECT kind, status, last_error FROM emails WHERE cycle_id = $1 ORDER BY id', [cycleId]);
    expect(rows[0]).toMatchObject({ kind: 'notice', status: 'partial' });
    expect(rows[0].last_error).toContain(dead);
    expect(rows.find((r) => r.kind === 'bounce')).toMatchObject({ status: 'sent' });
    const { rows: events } = await h.db.query("SELECT kind, data FROM events WHERE cycle_id = $1 AND kind = 'email_bounced'", [cycleId]);
    expect(events).toHaveLength(1);
    expect(events[0].data.to).toEqual([dead]);

    // Operators see it in the cycle's status.
    const status = await chuky(['cycle', 'status', '--cycle', cycleId, '--json'], {
      TEMPORAL_ADDRESS: services.temporalAddress,
      DATABASE_URL: services.databaseUrl,
      SMTP_URL: services.smtpUrl,
    });
    const parsed = JSON.parse(status.stdout);
    expect(parsed.bounces).toHaveLength(1);
    expect(parsed.bounces[0]).toMatchObject({ unitCode: unit, phase: 'plan', kind: 'notice' });
    expect(parsed.bounces[0].error).toContain(dead);
  });
});
