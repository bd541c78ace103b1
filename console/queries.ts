/**
 * The console's own reads, shaped for its pages (the SQL is in db/: records.ts, console-obligations.ts,
 * console-events.ts): the unit table of a cycle, one unit's obligations, and the events the live view streams.
 */
import { unitObligationRows, type UnitObligation } from '../db/console-obligations.js';
import type { Db } from '../db/pool.js';
import { cycleStatus, type ObligationRow } from '../db/records.js';
import { comparePhases } from '../ops/overview.js';

export interface UnitTableRow {
  code: string;
  name: string;
  /** By phase. */
  obligations: Map<string, ObligationRow>;
}

/** Every unit of a cycle with its obligations by phase, in code order; and the phases seen, in the year's order. */
export async function unitTable(db: Db, cycleId: string): Promise<{ units: UnitTableRow[]; phases: string[] }> {
  const rows = await cycleStatus(db, cycleId);
  const units = new Map<string, UnitTableRow>();
  const phases = new Set<string>();
  for (const r of rows) {
    let u = units.get(r.unitCode);
    if (!u) units.set(r.unitCode, (u = { code: r.unitCode, name: r.unitName, obligations: new Map() }));
    if (r.phase) {
      u.obligations.set(r.phase, r);
      phases.add(r.phase);
    }
  }
  return { units: [...units.values()], phases: [...phases].sort(comparePhases) };
}

export type { UnitObligation };
export { eventsAfter, lastEventId, type LiveEvent } from '../db/console-events.js';

/** A unit's obligations in the year's order of phases. */
export async function unitObligations(db: Db, cycleId: string, unitCode: string): Promise<UnitObligation[]> {
  return (await unitObligationRows(db, cycleId, unitCode)).sort((a, b) => comparePhases(a.phase, b.phase));
}

/** Event kinds in words, for the live banner: from the catalogue. */
export { EVENT_KIND_VI } from '../domain/words.js';
