/**
 * A superior's view of the committees under it that run their own (child) cycles (issue 17): for each, the share
 * of its own units done in each phase, beside its own obligation toward the superior for that phase. Read from
 * PostgreSQL only, as the rest of the overview.
 */
import { childCycles, unitObligations, type UnitObligationRow } from '../db/cycle-tree.js';
import { getUnit } from '../db/cycles.js';
import type { Db } from '../db/pool.js';
import { phaseSummaries } from './overview.js';

export interface ChildPhaseProgress {
  phase: string;
  title: string;
  /** The child's units done with the phase: submitted on time or late, exempted, or removed. */
  done: number;
  total: number;
  /** `done` in percent of `total`, one decimal. */
  percentDone: number;
  /** The child committee's own obligation toward the superior for this phase, when the superior has the phase. */
  towardParent?: UnitObligationRow;
}

export interface ChildProgress {
  cycleId: string;
  unitCode: string;
  unitName?: string;
  status: string;
  phases: ChildPhaseProgress[];
}

export async function childProgress(db: Db, cycleId: string): Promise<ChildProgress[]> {
  const children = await childCycles(db, cycleId);
  return Promise.all(
    children.map(async (child): Promise<ChildProgress> => {
      const [summaries, toward, unit] = await Promise.all([
        phaseSummaries(db, child.id),
        unitObligations(db, cycleId, child.unitCode),
        getUnit(db, cycleId, child.unitCode),
      ]);
      const byPhase = new Map(toward.map((o) => [o.phase, o]));
      return {
        cycleId: child.id,
        unitCode: child.unitCode,
        ...(unit ? { unitName: unit.name } : {}),
        status: child.status,
        phases: summaries.map((s) => {
          const done = s.counts.onTime + s.counts.late + s.counts.exempted + s.counts.removed;
          const towardParent = byPhase.get(s.phase);
          return {
            phase: s.phase,
            title: s.title,
            done,
            total: s.total,
            percentDone: s.total ? Math.round((done / s.total) * 1000) / 10 : 0,
            ...(towardParent ? { towardParent } : {}),
          };
        }),
      };
    }),
  );
}
