/**
 * Per phase and year: which units submitted on time, late, never, or were exempted — the report's appendix and
 * its "hạn chế" paragraph name them. Read from each obligation's final status in the frozen snapshot. Pure.
 */
import { PHASE_IDS, PHASES } from '../domain/phases/index.js';
import { countedUnits, type YearInput } from './figures.js';

export interface UnitRef {
  code: string;
  name: string;
}

export interface PhaseStanding {
  year: number;
  phase: string;
  title: string;
  /** Units that owed this phase. */
  total: number;
  onTime: UnitRef[];
  late: UnitRef[];
  missing: UnitRef[];
  exempted: UnitRef[];
}

/** Phases in the order of the year; unknown phases (from a newer version) after them. */
function phaseOrder(a: string, b: string): number {
  const ia = (PHASE_IDS as readonly string[]).indexOf(a);
  const ib = (PHASE_IDS as readonly string[]).indexOf(b);
  return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || (a < b ? -1 : a > b ? 1 : 0);
}

export function phaseStandings(years: YearInput[]): PhaseStanding[] {
  const out: PhaseStanding[] = [];
  for (const { year, data } of years) {
    const byPhase = new Map<string, PhaseStanding>();
    for (const unit of countedUnits(data)) {
      const ref = { code: unit.code, name: unit.name };
      for (const [phase, o] of Object.entries(unit.phases)) {
        if (o.status === 'removed') continue;
        let s = byPhase.get(phase);
        if (!s) {
          s = { year, phase, title: PHASES[phase]?.title ?? phase, total: 0, onTime: [], late: [], missing: [], exempted: [] };
          byPhase.set(phase, s);
        }
        s.total++;
        if (o.status === 'exempted') s.exempted.push(ref);
        else if (!o.submission) s.missing.push(ref);
        else if (o.submission.late || o.status === 'late') s.late.push(ref);
        else s.onTime.push(ref);
      }
    }
    out.push(...[...byPhase.values()].sort((a, b) => phaseOrder(a.phase, b.phase)));
  }
  return out;
}
