/**
 * A worker killed with SIGKILL mid-phase, and a new one started later: the reminder that fell due while no
 * worker ran still arrives, and exactly once. The worker is the real `chuky worker` program in its own process.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { writeFixture } from '../support/fixtures.js';
import { spawnWorker, waitFor } from '../support/processes.js';
import { startCycle } from '../../cli/commands/cycle.js';
import { createPool, type Db } from '../../db/pool.js';
import { cycleWorkflowId } from '../../domain/ids.js';
import { localTimeToInstant } from '../../domain/calendar.js';
import { calendarToReal } from '../../domain/clock.js';
import { closeCycleSignal } from '../../workflows/messages.js';
import { fetchInbox } from '../../stack/smtp-sink.js';

const QUEUE = 'it-worker-restart';

describe('worker killed mid-phase', () => {
  const services = inject('services');
  let connection: Connection;
  let client: Client;
  let db: Db;
  const workers: ReturnType<typeof spawnWorker>[] = [];
  const workerEnv = {
    TEMPORAL_ADDRESS: services.temporalAddress,
    DATABASE_URL: services.databaseUrl,
    SMTP_URL: services.smtpUrl,
    CHUKY_TASK_QUEUE: QUEUE,
  };

  beforeAll(async () => {
    connection = await Connection.connect({ address: services.temporalAddress });
    client = new Client({ connection });
    db = createPool(services.databaseUrl);
  });

  afterAll(async () => {
    for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
    await db?.end();
    await connection?.close();
  });

  it('delivers the pending reminder exactly once after a restart', async () => {
    const fx = writeFixture({
      code: 'ITKILL',
      issuedOn: '2027-03-01',
      deadline: '2027-03-06',
      units: 2,
      reminders: [3],
      overdueNotice: false,
      level2AfterDays: 20,
      level3AfterDays: 21,
      closesOn: '2027-12-31',
    });
    const first = spawnWorker(workerEnv);
    workers.push(first);
    const started = await startCycle({ db, client, taskQueue: QUEUE, configFile: fx.file, secondsPerDay: 6 });
    const mine = async () => (await fetchInbox(services.inboxUrl)).filter((m) => m.to.some((a) => a.endsWith(`@${fx.domain}`)));

    // Both notices out: the worker is mid-phase, its next step the 3-day reminder on 03/03 at 08:00.
    await waitFor(
      'both notices',
      async () => (await mine()).filter((m) => m.subject.includes('hạn 06/03/2027') && !m.subject.startsWith('Nhắc')).length === 2,
      90_000,
    );
    // Kill it between steps (both notices recorded as sent): what must survive is the pending reminder's timer.
    // A kill in the middle of an SMTP conversation is the fault suite's business, not this test's.
    await waitFor('both notices recorded', async () => {
      const { rows } = await db.query("SELECT count(*)::int AS n FROM emails WHERE cycle_id = $1 AND kind = 'notice' AND status = 'sent'", [
        started.cycleId,
      ]);
      return rows[0].n === 2;
    });
    await new Promise((r) => setTimeout(r, 1_500));
    first.kill('SIGKILL');
    await waitFor('the worker to die', async () => first.exitCode !== null || first.signalCode !== null);

    // Let the reminder fall due while no worker runs.
    const clock = started.clock;
    const reminderAt = calendarToReal(clock, localTimeToInstant('2027-03-03', 8, 'Asia/Ho_Chi_Minh'));
    await new Promise((r) => setTimeout(r, Math.max(0, reminderAt - Date.now()) + 2_000));
    expect((await mine()).filter((m) => m.subject.startsWith('Nhắc hạn'))).toHaveLength(0);

    const second = spawnWorker(workerEnv);
    workers.push(second);
    const reminders = await waitFor(
      'the reminders after restart',
      async () => {
        const found = (await mine()).filter((m) => m.subject.startsWith('Nhắc hạn: còn 3 ngày'));
        return found.length >= 2 ? found : undefined;
      },
      120_000,
    ).catch(async (err) => {
      const { rows: emails } = await db.query(
        'SELECT unit_code, email_key, status, attempts, last_error FROM emails WHERE cycle_id = $1 ORDER BY id',
        [started.cycleId],
      );
      const { rows: events } = await db.query('SELECT unit_code, kind, at FROM events WHERE cycle_id = $1 ORDER BY id', [started.cycleId]);
      const history = await client.workflow.getHandle(`chuky/unit/${started.cycleId}/${fx.unitCodes[0]}`).fetchHistory();
      const kinds = history.events?.map((e) => `${e.eventType}`).join(',');
      throw new Error(
        `${err.message}\nemails ${JSON.stringify(emails)}\nevents ${JSON.stringify(events)}\nhistory ${kinds}\nsecond ` +
          `worker:\n${second.output().slice(-3000)}`,
      );
    });
    // Give a duplicate every chance to show up before counting.
    await new Promise((r) => setTimeout(r, 3_000));
    const again = (await mine()).filter((m) => m.subject.startsWith('Nhắc hạn: còn 3 ngày'));
    expect(again).toHaveLength(2);
    expect(new Set(again.map((m) => m.messageId)).size).toBe(2);
    expect(reminders.map((m) => m.to.length)).toEqual([2, 2]);
    const { rows } = await db.query(
      "SELECT unit_code, status, attempts FROM emails WHERE cycle_id = $1 AND kind = 'reminder' ORDER BY unit_code",
      [started.cycleId],
    );
    expect(rows.map((r) => [r.unit_code, r.status, r.attempts])).toEqual(fx.unitCodes.map((u) => [u, 'sent', 1]));

    await client.workflow
      .getHandle(cycleWorkflowId(started.cycleId))
      .signal(closeCycleSignal, { reason: 'test finished', actor: 'operator:test' });
    await client.workflow.getHandle(cycleWorkflowId(started.cycleId)).result();
    second.kill('SIGTERM');
  });
});
