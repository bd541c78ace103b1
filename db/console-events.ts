/** A cycle's events as the console's live view streams them: by id, after the last one a page has seen. */
import type { Db } from './pool.js';

/** The newest event id of a cycle (0 for none): where a page's live stream starts. */
export async function lastEventId(db: Db, cycleId: string): Promise<number> {
  const { rows } = await db.query('SELECT COALESCE(max(id), 0)::bigint AS id FROM events WHERE cycle_id = $1', [cycleId]);
  return Number(rows[0].id);
}

export interface LiveEvent {
  id: number;
  unitCode: string;
  unitName: string;
  phase: string;
  kind: string;
  status: string;
  level: number;
  deadline: string;
  actor: string;
  at: string;
}

/** Up to `limit` events of the cycle after `afterId`, oldest first, with their unit's name (its code if unknown). */
export async function eventsAfter(db: Db, cycleId: string, afterId: number, limit = 200): Promise<LiveEvent[]> {
  const { rows } = await db.query(
    `SELECT e.id, e.unit_code, u.name AS unit_name, e.phase, e.kind, e.status, e.escalation_level, to_char(e.deadline, 'YYYY-MM-DD') AS deadline, e.actor, e.at
     FROM events e LEFT JOIN units u ON u.cycle_id = e.cycle_id AND u.code = e.unit_code
     WHERE e.cycle_id = $1 AND e.id > $2 ORDER BY e.id LIMIT $3`,
    [cycleId, afterId, limit],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    unitCode: r.unit_code,
    unitName: r.unit_name ?? r.unit_code,
    phase: r.phase,
    kind: r.kind,
    status: r.status,
    level: r.escalation_level,
    deadline: r.deadline,
    actor: r.actor,
    at: new Date(r.at).toISOString(),
  }));
}
