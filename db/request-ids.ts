/**
 * Request ids already used: a submission's key ends with the request id its send carried
 * (`cycle/unit/phase/<id>` for a unit's obligation, `<inspection>/<id>` for a remedy report), so an id is looked
 * up by that suffix (api/repeat-request.ts says what the form route does with the answer).
 */
import type { Db } from './pool.js';

/** What a request id was already used for: the version it stored and the payload stored with it. */
export interface EarlierSend {
  version: number;
  payload: unknown;
}

/** The submission an earlier send with this request id stored for the unit's obligation (its first version), if any. */
export async function earlierSend(
  db: Db,
  scope: { cycleId: string; unitCode: string; phase: string },
  requestId: string,
): Promise<EarlierSend | undefined> {
  const suffix = `/${requestId}`;
  const { rows } = await db.query<{ version: number; payload: unknown }>(
    `SELECT version, payload FROM submissions
      WHERE cycle_id = $1 AND unit_code = $2 AND phase = $3 AND right(submission_key, $4) = $5
      ORDER BY version LIMIT 1`,
    [scope.cycleId, scope.unitCode, scope.phase, suffix.length, suffix],
  );
  return rows[0] ? { version: rows[0].version, payload: rows[0].payload } : undefined;
}
