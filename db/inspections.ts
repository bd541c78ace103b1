/** Inspections (kiểm tra, giám sát) as their workflows last recorded them: what operators list and the report counts. */
import type { RecordInspectionInput } from '../domain/workflow-io.js';
import type { Db } from './pool.js';

export async function upsertInspection(db: Db, i: RecordInspectionInput): Promise<void> {
  await db.query(
    `INSERT INTO inspections (id, cycle_id, unit_code, kind, body, origin, reason, status, scheduled_on, findings, conclusion, remedies, remedy_deadline, escalation_level)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
     ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, scheduled_on = EXCLUDED.scheduled_on, findings = EXCLUDED.findings,
       conclusion = EXCLUDED.conclusion, remedies = EXCLUDED.remedies, remedy_deadline = EXCLUDED.remedy_deadline,
       escalation_level = EXCLUDED.escalation_level, updated_at = now()`,
    [
      i.inspectionId,
      i.cycleId,
      i.unitCode,
      i.kind,
      i.body,
      i.origin,
      i.reason,
      i.status,
      i.scheduledOn ?? null,
      i.findings ?? null,
      i.conclusion ?? null,
      JSON.stringify(i.remedies ?? []),
      i.remedyDeadline ?? null,
      i.escalationLevel,
    ],
  );
}

export interface InspectionRow {
  id: string;
  unitCode: string;
  kind: string;
  body: string;
  origin: string;
  reason: string | null;
  status: string;
  scheduledOn: string | null;
  remedyDeadline: string | null;
  escalationLevel: number;
  updatedAt: string;
}

export async function listInspections(db: Db, cycleId: string, unitCode?: string): Promise<InspectionRow[]> {
  const { rows } = await db.query(
    `SELECT id, unit_code, kind, body, origin, reason, status, to_char(scheduled_on, 'YYYY-MM-DD') AS scheduled_on,
       to_char(remedy_deadline, 'YYYY-MM-DD') AS remedy_deadline, escalation_level, updated_at
     FROM inspections WHERE cycle_id = $1 AND ($2::text IS NULL OR unit_code = $2) ORDER BY unit_code, id`,
    [cycleId, unitCode ?? null],
  );
  return rows.map((r) => ({
    id: r.id,
    unitCode: r.unit_code,
    kind: r.kind,
    body: r.body,
    origin: r.origin,
    reason: r.reason,
    status: r.status,
    scheduledOn: r.scheduled_on,
    remedyDeadline: r.remedy_deadline,
    escalationLevel: r.escalation_level,
    updatedAt: new Date(r.updated_at).toISOString(),
  }));
}

/** The inspection awaiting this unit's remedy report, if any (its link's phase is 'inspection-remedy'). */
export async function openRemedyInspection(db: Db, cycleId: string, unitCode: string): Promise<InspectionRow | undefined> {
  return (await listInspections(db, cycleId, unitCode)).find((i) => i.status === 'concluded' || i.status === 'remedy_overdue');
}

/**
 * Units proposed for inspection (escalation level 3, or under target) that no inspection has taken up yet:
 * the list the committee chooses from.
 */
export async function inspectionProposals(
  db: Db,
  cycleId: string,
): Promise<{ unitCode: string; unitName: string; phase: string; reason: string; at: string }[]> {
  const { rows } = await db.query(
    `SELECT e.unit_code, u.name, e.phase, e.reason, e.calendar_at
     FROM events e JOIN units u ON u.cycle_id = e.cycle_id AND u.code = e.unit_code
     WHERE e.cycle_id = $1 AND e.kind = 'inspection_proposed'
       AND NOT EXISTS (SELECT 1 FROM inspections i WHERE i.cycle_id = e.cycle_id AND i.unit_code = e.unit_code)
     ORDER BY e.unit_code, e.id`,
    [cycleId],
  );
  return rows.map((r) => ({
    unitCode: r.unit_code,
    unitName: r.name,
    phase: r.phase,
    reason: r.reason ?? '',
    at: new Date(r.calendar_at).toISOString(),
  }));
}
