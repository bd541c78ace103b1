/**
 * What the report compiler (report/compile.ts) asks of the cycles table and changes in the document register,
 * besides the frozen snapshots (db/frozen.ts) and the register's numbering (db/register.ts).
 */
import type { Db } from './pool.js';

export interface ReportCycleRow {
  id: string;
  year: number;
  committeeCode: string;
}

/** The cycles with these ids that exist, in no particular order (the caller names the missing ones). */
export async function cyclesByIds(db: Db, ids: string[]): Promise<ReportCycleRow[]> {
  const { rows } = await db.query('SELECT id, year, committee_code FROM cycles WHERE id = ANY($1)', [ids]);
  return rows.map((r) => ({ id: r.id, year: r.year, committeeCode: r.committee_code }));
}

/** The cycles of these years (of one committee when given), by committee, then year. */
export async function cyclesOfYears(db: Db, years: number[], committeeCode?: string): Promise<ReportCycleRow[]> {
  const { rows } = await db.query(
    'SELECT id, year, committee_code FROM cycles WHERE year = ANY($1) AND ($2::text IS NULL OR ' +
      'committee_code = $2) ORDER BY committee_code, year',
    [years, committeeCode ?? null],
  );
  return rows.map((r) => ({ id: r.id, year: r.year, committeeCode: r.committee_code }));
}

/** Gives a registered report a new issue date (its number stays). */
export async function setReportIssuedOn(db: Db, committeeCode: string, reportKey: string, issuedOn: string): Promise<void> {
  await db.query('UPDATE document_register SET issued_on = $1 WHERE committee_code = $2 AND report_key = $3', [
    issuedOn,
    committeeCode,
    reportKey,
  ]);
}
