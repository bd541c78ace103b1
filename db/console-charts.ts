/** What the console's charts of a cycle are drawn from (console/charts.ts draws them). */
import type { Db } from './pool.js';

/** When each unit first submitted each phase (any version), on the cycle's calendar. */
export async function firstSubmissionTimes(db: Db, cycleId: string): Promise<{ phase: string; unitCode: string; firstAt: Date }[]> {
  const { rows } = await db.query(
    'SELECT phase, unit_code, min(calendar_at) AS first_at FROM submissions WHERE cycle_id = $1 GROUP BY phase, unit_code',
    [cycleId],
  );
  return rows.map((r) => ({ phase: r.phase, unitCode: r.unit_code, firstAt: new Date(r.first_at) }));
}

/** How many units owe each phase (obligations not removed), by phase. */
export async function owedUnitsByPhase(db: Db, cycleId: string): Promise<{ phase: string; n: number }[]> {
  const { rows } = await db.query(
    "SELECT phase, count(*)::int AS n FROM obligations WHERE cycle_id = $1 AND status <> 'removed' GROUP BY phase",
    [cycleId],
  );
  return rows.map((r) => ({ phase: r.phase, n: r.n }));
}

/** How many of the cycle's units are not removed. */
export async function countActiveUnits(db: Db, cycleId: string): Promise<number> {
  const { rows } = await db.query('SELECT count(*)::int AS n FROM units WHERE cycle_id = $1 AND removed_at IS NULL', [cycleId]);
  return rows[0].n as number;
}

/** The cycle's units not removed, by code. */
export async function activeUnitNames(db: Db, cycleId: string): Promise<{ code: string; name: string }[]> {
  const { rows } = await db.query('SELECT code, name FROM units WHERE cycle_id = $1 AND removed_at IS NULL ORDER BY code', [cycleId]);
  return rows.map((r) => ({ code: r.code, name: r.name }));
}

/** Each unit's latest version of its study, make-up study and pledge reports (removed units included). */
export async function latestStudyAndPledgeReports(
  db: Db,
  cycleId: string,
): Promise<{ unitCode: string; phase: string; payload: Record<string, unknown> }[]> {
  const { rows } = await db.query(
    `SELECT DISTINCT ON (unit_code, phase) unit_code, phase, payload FROM submissions
     WHERE cycle_id = $1 AND phase IN ('study', 'study-makeup', 'pledge') ORDER BY unit_code, phase, version DESC`,
    [cycleId],
  );
  return rows.map((r) => ({ unitCode: r.unit_code, phase: r.phase, payload: r.payload }));
}

/** How many units reached each escalation level (its transition's kind: overdue, escalation2, escalation3), per phase. */
export async function escalatedUnitCounts(db: Db, cycleId: string): Promise<{ phase: string; kind: string; n: number }[]> {
  const { rows } = await db.query(
    `SELECT phase, kind, count(DISTINCT unit_code)::int AS n FROM events
     WHERE cycle_id = $1 AND kind IN ('overdue', 'escalation2', 'escalation3') GROUP BY phase, kind`,
    [cycleId],
  );
  return rows.map((r) => ({ phase: r.phase, kind: r.kind, n: r.n }));
}
