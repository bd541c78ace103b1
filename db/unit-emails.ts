/** A unit's emails as the outbox holds them, for `chuky unit show` (cli/commands/unit.ts). */
import type { Db } from './pool.js';

/**
 * One row of the emails table, with its column names: `chuky unit show --json` prints these rows as they are,
 * and scripts read those names.
 */
export interface UnitEmailRow {
  kind: string;
  status: string;
  to_addrs: string[];
  cc_addrs: string[];
  subject: string;
  message_id: string;
  attempts: number;
  last_error: string | null;
  sent_at: Date | null;
  calendar_at: Date;
}

/** Every email of one unit, in the order they were queued. */
export async function unitEmails(db: Db, cycleId: string, unitCode: string): Promise<UnitEmailRow[]> {
  const { rows } = await db.query(
    'SELECT kind, status, to_addrs, cc_addrs, subject, message_id, attempts, last_error, sent_at, ' +
      'calendar_at FROM emails WHERE cycle_id = $1 AND unit_code = $2 ORDER BY id',
    [cycleId, unitCode],
  );
  return rows as UnitEmailRow[];
}
