/**
 * acceptSubmission's one statement against the real PostgreSQL (db/records.ts): versions numbered per obligation,
 * the transition ('submitted', then 'revised') with its version, the receipt's request under emailKey's name, and
 * a retry with the same key that stores, records and asks nothing twice.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPool } from '../../db/pool.js';
import { acceptSubmission } from '../../db/records.js';
import { emailKey } from '../../domain/ids.js';
import type { AcceptSubmissionInput } from '../../domain/workflow-io.js';

const RUN = Date.now() % 1_000_000_000;
const CYCLE = `ITACCEPT${RUN}-2027`;
const T = Date.UTC(2027, 2, 8, 3, 0, 0);

describe('acceptSubmission', () => {
  const db = createPool(inject('services').databaseUrl, 4);

  beforeAll(async () => {
    await db.query(`INSERT INTO cycles (id, committee_code, year, definition, clock) VALUES ($1, 'ITACCEPT', 2027, '{}', '{}')`, [CYCLE]);
    await db.query(
      `INSERT INTO units (cycle_id, code, name, kind, members, secretary_name, secretary_email)
       VALUES ($1, 'U1', 'Chi bộ Một', 'chi-bo', 10, 'Bí thư', 'bt@example.vn')`,
      [CYCLE],
    );
  });
  afterAll(() => db.end());

  const input = (requestId: string, over: Partial<AcceptSubmissionInput> = {}): AcceptSubmissionInput => ({
    key: `${CYCLE}/U1/plan/${requestId}`,
    cycleId: CYCLE,
    unitCode: 'U1',
    phase: 'plan',
    payload: { planNumber: '01-KH/CB', title: 'Kế hoạch học tập' },
    actor: 'unit:U1',
    via: 'web',
    late: false,
    calendarAt: T,
    seq: 3,
    status: 'submitted',
    escalationLevel: 0,
    deadline: '2027-03-20',
    dueAt: T + 12 * 86_400_000,
    data: { late: false, via: 'web' },
    receipt: {
      workflowId: `unit-${CYCLE}-U1`,
      email: { cycleId: CYCLE, unitCode: 'U1', phase: 'plan', kind: 'receipt', deadline: '2027-03-20', calendarAt: T, late: false },
    },
    ...over,
  });

  it('numbers versions, records submitted then revised, and asks for each version’s receipt under its key', async () => {
    expect(await acceptSubmission(db, input('r1'), { taskQueue: 'q' })).toEqual({ version: 1 });
    expect(await acceptSubmission(db, input('r2', { calendarAt: T + 60_000, seq: 4 }), { taskQueue: 'q' })).toEqual({ version: 2 });

    const { rows: subs } = await db.query('SELECT submission_key, version, payload FROM submissions WHERE cycle_id = $1 ORDER BY version', [
      CYCLE,
    ]);
    expect(subs.map((r) => [r.submission_key, r.version])).toEqual([
      [`${CYCLE}/U1/plan/r1`, 1],
      [`${CYCLE}/U1/plan/r2`, 2],
    ]);
    expect(subs[0].payload.title).toBe('Kế hoạch học tập');

    const { rows: events } = await db.query('SELECT event_key, kind, actor, data FROM events WHERE cycle_id = $1 ORDER BY id', [CYCLE]);
    expect(events.map((e) => [e.kind, e.data.version, e.data.via, e.actor])).toEqual([
      ['submitted', 1, 'web', 'unit:U1'],
      ['revised', 2, 'web', 'unit:U1'],
    ]);
    const { rows: ob } = await db.query('SELECT status, last_event, seq FROM obligations WHERE cycle_id = $1', [CYCLE]);
    expect(ob).toEqual([{ status: 'submitted', last_event: 'revised', seq: 4 }]);

    const { rows: requests } = await db.query(
      'SELECT email_key, task_queue, workflow_id, input FROM email_requests WHERE cycle_id = $1 ORDER BY email_key',
      [CYCLE],
    );
    const keyOf = (version: number) =>
      emailKey({ cycle: CYCLE, unit: 'U1', phase: 'plan', kind: 'receipt', deadline: '2027-03-20', seq: version });
    expect(requests.map((r) => r.email_key)).toEqual([keyOf(1), keyOf(2)]);
    expect(requests[1]).toMatchObject({ task_queue: 'q', workflow_id: `unit-${CYCLE}-U1` });
    expect(requests[1].input).toMatchObject({ key: keyOf(2), version: 2, kind: 'receipt', unitCode: 'U1', calendarAt: T });
  });

  it('a retry with the same key returns the first version and adds nothing', async () => {
    const count = async () =>
      (
        await db.query(
          `SELECT (SELECT count(*) FROM submissions WHERE cycle_id = $1) + (SELECT count(*) FROM events WHERE cycle_id = $1)
                + (SELECT count(*) FROM email_requests WHERE cycle_id = $1) AS n`,
          [CYCLE],
        )
      ).rows[0].n;
    const before = await count();
    expect(await acceptSubmission(db, input('r1'), { taskQueue: 'q' })).toEqual({ version: 1 });
    expect(await count()).toBe(before);
  });

  it('without a receipt (a history from before the relay) it asks for none', async () => {
    const { receipt: _none, ...old } = input('r3', { calendarAt: T + 120_000, seq: 5 });
    expect(await acceptSubmission(db, old, { taskQueue: 'q' })).toEqual({ version: 3 });
    const { rows } = await db.query("SELECT count(*)::int AS n FROM email_requests WHERE cycle_id = $1 AND email_key LIKE '%#3'", [CYCLE]);
    expect(rows[0].n).toBe(0);
  });

  it('two versions numbered at once: one stands, the other fails and its retry numbers the next', async () => {
    const results = await Promise.allSettled([
      acceptSubmission(db, input('c1', { calendarAt: T + 180_000 })),
      acceptSubmission(db, input('c2', { calendarAt: T + 180_000 })),
      acceptSubmission(db, input('c3', { calendarAt: T + 180_000 })),
    ]);
    const failed = results.filter((r) => r.status === 'rejected');
    const stood = results
      .filter((r): r is PromiseFulfilledResult<{ version: number }> => r.status === 'fulfilled')
      .map((r) => r.value.version);
    // Never the same version twice; whatever failed is stored by its retry as the next one.
    expect(new Set(stood).size).toBe(stood.length);
    for (const [i, r] of results.entries())
      if (r.status === 'rejected') stood.push((await acceptSubmission(db, input(`c${i + 1}`))).version);
    expect(stood.sort()).toEqual([4, 5, 6]);
    expect(failed.every((f) => /duplicate key|unique/i.test(String(f.reason)))).toBe(true);
  });
});
