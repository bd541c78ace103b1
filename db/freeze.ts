/**
 * The year's hand-over to the report compiler: the cycle's frozen_at, set once. A retried freeze keeps the first
 * instant, so the frozen snapshot (db/frozen.ts) and every report compiled from it name the same moment.
 */
import type { Db } from './pool.js';

/** Marks the cycle frozen (the first call's instant stays) and returns when it was frozen; undefined for an unknown cycle. */
export async function markCycleFrozen(db: Db, cycleId: string): Promise<string | undefined> {
  const { rows } = await db.query('UPDATE cycles SET frozen_at = COALESCE(frozen_at, now()) WHERE id = $1 RETURNING frozen_at', [cycleId]);
  return rows[0] ? new Date(rows[0].frozen_at).toISOString() : undefined;
}
