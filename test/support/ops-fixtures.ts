/**
 * A cycle written straight into PostgreSQL, with no workflow behind it, in a known state: the overview queries
 * and the database-side stall kinds (overdue, remedy-overdue, phase-blocked) are then checked against exact
 * numbers. The year is 2024 on the real clock, so every deadline and ladder is long past.
 *
 * plan (deadline 2024-03-06, ladder 14 days):  U001 submitted · U002 overdue L1 · U003 overdue L2 ·
 *   U004 not submitted L3 · U005 pending (its workflow never escalated) · U006 no row (never opened)
 * study (deadline 2024-05-10): U001 exempted · U002–U005 submitted, U005 late · U006 no row
 * inspection of U004 (kiểm tra by UBKT): remedy overdue since 2024-10-15, level 2
 */
import type { Db } from '../../db/pool.js';
import { loadCycleFile } from '../../config/cycle.js';
import { registerCycle, setCycleStatus } from '../../db/cycles.js';
import { addDays, localTimeToInstant } from '../../domain/calendar.js';
import { REAL_CLOCK } from '../../domain/clock.js';
import { writeFixture } from './fixtures.js';

export const SEEDED = {
  planDeadline: '2024-03-06',
  studyDeadline: '2024-05-10',
  remedyDeadline: '2024-10-15',
} as const;

export async function seedOpsCycle(
  db: Db,
  code: string,
  opts: { closed?: boolean } = {},
): Promise<{ cycleId: string; unitCodes: string[]; inspectionId: string }> {
  const fx = writeFixture({
    code,
    year: 2024,
    issuedOn: '2024-02-01',
    deadline: SEEDED.planDeadline,
    units: 6,
    closesOn: '2024-12-31',
    phases: [
      { id: 'plan', opensOn: '2024-02-01', deadline: SEEDED.planDeadline },
      { id: 'study', opensOn: '2024-04-01', deadline: SEEDED.studyDeadline },
    ],
  });
  const loaded = loadCycleFile(fx.file);
  const cycleId = `${code}-2024`;
  await registerCycle(db, { id: cycleId, definition: loaded.definition, units: loaded.units, clock: REAL_CLOCK, sourceFile: fx.file });
  await setCycleStatus(db, cycleId, opts.closed ? 'closed' : 'running', { launchedUnits: 6, ...(opts.closed ? { reason: 'test' } : {}) });
  // Units registered long ago: a unit added a moment ago is given time before its phases count as blocked.
  await db.query("UPDATE units SET added_at = '2024-01-15' WHERE cycle_id = $1", [cycleId]);
  const tz = loaded.definition.timezone;
  const put = async (unit: string, phase: string, deadline: string, status: string, level: number) => {
    await db.query(
      `INSERT INTO obligations (cycle_id, unit_code, phase, deadline, due_at, status, escalation_level, last_event, calendar_at)
       VALUES ($1, $2, $3, $4, to_timestamp($5 / 1000.0), $6, $7, 'seeded', now())`,
      [cycleId, unit, phase, deadline, localTimeToInstant(addDays(deadline, 1), 0, tz), status, level],
    );
  };
  const plan: Array<[string, string, number]> = [
    ['U001', 'submitted', 0],
    ['U002', 'overdue', 1],
    ['U003', 'overdue', 2],
    ['U004', 'not_submitted', 3],
    ['U005', 'pending', 0],
  ];
  for (const [u, s, l] of plan) await put(u, 'plan', SEEDED.planDeadline, s, l);
  const study: Array<[string, string, number]> = [
    ['U001', 'exempted', 0],
    ['U002', 'submitted', 0],
    ['U003', 'submitted', 0],
    ['U004', 'submitted', 0],
    ['U005', 'late', 1],
  ];
  for (const [u, s, l] of study) await put(u, 'study', SEEDED.studyDeadline, s, l);
  const inspectionId = `chuky/inspection/${cycleId}/U004/kiem-tra-ubkt`;
  await db.query(
    `INSERT INTO inspections (id, cycle_id, unit_code, kind, body, origin, reason, status, remedy_deadline, escalation_level)
     VALUES ($1, $2, 'U004', 'kiem-tra', 'ubkt', 'escalation', 'Không nộp kế hoạch', 'remedy_overdue', $3, 2)`,
    [inspectionId, cycleId, SEEDED.remedyDeadline],
  );
  return { cycleId, unitCodes: fx.unitCodes, inspectionId };
}
