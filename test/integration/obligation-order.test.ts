/**
 * The obligation row keeps the transition the unit workflow recorded last, whatever order their activities land
 * in: by calendar time, and by the workflow's own sequence when two share one calendar time (a phase opening and
 * a submission handled in one workflow task, the fault suite's full run).
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPool } from '../../db/pool.js';
import { acceptSubmission, recordTransition } from '../../db/records.js';
import type { RecordTransitionInput } from '../../domain/workflow-io.js';

const CYCLE = 'ITORDER-2027';
const T = Date.UTC(2027, 2, 8, 1, 0, 0);

describe('obligation row order', () => {
  const db = createPool(inject('services').databaseUrl, 2);

  beforeAll(async () => {
    await db.query(
      `INSERT INTO cycles (id, committee_code, year, definition, clock) VALUES ($1, 'ITORDER', 2027, '{}', '{}') ON CONFLICT DO NOTHING`,
      [CYCLE],
    );
    for (const code of ['A', 'B', 'C'])
      await db.query(
        `INSERT INTO units (cycle_id, code, name, kind, members, secretary_name, secretary_email) ` +
          `VALUES ($1, $2, $3, 'chi-bo', 10, 'Bí thư', 'bt@example.vn') ON CONFLICT DO NOTHING`,
        [CYCLE, code, `Chi bộ ${code}`],
      );
  });
  afterAll(() => db.end());

  const opened = (unitCode: string, over: Partial<RecordTransitionInput> = {}): RecordTransitionInput => ({
    key: `${CYCLE}/${unitCode}/opened`,
    cycleId: CYCLE,
    unitCode,
    phase: 'study',
    kind: 'opened',
    status: 'pending',
    escalationLevel: 0,
    deadline: '2027-03-20',
    dueAt: T + 12 * 86_400_000,
    calendarAt: T,
    actor: 'system',
    ...over,
  });
  const accept = (unitCode: string, seq: number, calendarAt = T) =>
    acceptSubmission(db, {
      key: `${CYCLE}/${unitCode}/study/req-1`,
      cycleId: CYCLE,
      unitCode,
      phase: 'study',
      payload: { x: 1 },
      actor: 'unit:x',
      via: 'web',
      late: false,
      calendarAt,
      seq,
      status: 'submitted',
      escalationLevel: 0,
      deadline: '2027-03-20',
      dueAt: T + 12 * 86_400_000,
      data: {},
    });
  const statusOf = async (unitCode: string) =>
    (
      await db.query("SELECT status, last_event FROM obligations WHERE cycle_id = $1 AND unit_code = $2 AND phase = 'study'", [
        CYCLE,
        unitCode,
      ])
    ).rows[0];

  it('an opening recorded first (seq 1) that lands after the submission (seq 2) at the same calendar time does not undo it', async () => {
    await accept('A', 2);
    expect(await recordTransition(db, opened('A', { seq: 1 }))).toEqual({ recorded: true });
    expect(await statusOf('A')).toEqual({ status: 'submitted', last_event: 'submitted' });
  });

  it('in the workflow order, the later transition wins at the same calendar time', async () => {
    await recordTransition(db, opened('B', { seq: 1 }));
    await accept('B', 2);
    expect(await statusOf('B')).toEqual({ status: 'submitted', last_event: 'submitted' });
  });

  it('an older calendar time never overwrites a newer one, and transitions without a sequence keep the time rule', async () => {
    await accept('C', 5, T + 3_600_000);
    await recordTransition(db, opened('C'));
    expect(await statusOf('C')).toEqual({ status: 'submitted', last_event: 'submitted' });
    await recordTransition(db, opened('C', { key: `${CYCLE}/C/reminder`, kind: 'reminder', calendarAt: T + 7_200_000 }));
    expect((await statusOf('C')).last_event).toBe('reminder');
  });
});
