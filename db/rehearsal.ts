/** What a rehearsal reads back after its year (rehearsal/run.ts): the emails and escalations, in calendar order. */
import type { Db } from './pool.js';

export interface CycleEmailRow {
  unitCode: string;
  phase: string;
  kind: string;
  to: string[];
  /** The cycle's calendar instant the email was queued at. */
  calendarAt: Date;
  status: string;
}

/** Every email of a cycle, sent or not, in calendar order. */
export async function cycleEmails(db: Db, cycleId: string): Promise<CycleEmailRow[]> {
  const { rows } = await db.query(
    `SELECT unit_code, phase, kind, to_addrs, calendar_at, status FROM emails WHERE cycle_id = $1 ORDER BY calendar_at, id`,
    [cycleId],
  );
  return rows.map((r) => ({
    unitCode: r.unit_code,
    phase: r.phase,
    kind: r.kind,
    to: r.to_addrs,
    calendarAt: r.calendar_at,
    status: r.status,
  }));
}

export interface EscalationEventRow {
  unitCode: string;
  phase: string;
  kind: string;
  escalationLevel: number;
  calendarAt: Date;
}

/** The escalation steps recorded in a cycle (overdue, escalation2, escalation3), in calendar order. */
export async function escalationEvents(db: Db, cycleId: string): Promise<EscalationEventRow[]> {
  const { rows } = await db.query(
    `SELECT unit_code, phase, kind, escalation_level, calendar_at FROM events
     WHERE cycle_id = $1 AND kind IN ('overdue', 'escalation2', 'escalation3') ORDER BY calendar_at, id`,
    [cycleId],
  );
  return rows.map((r) => ({
    unitCode: r.unit_code,
    phase: r.phase,
    kind: r.kind,
    escalationLevel: r.escalation_level,
    calendarAt: r.calendar_at,
  }));
}
