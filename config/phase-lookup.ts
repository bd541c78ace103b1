/**
 * Phases a unit can owe that are not written in the cycle file: a make-up session (quán triệt bổ sung) is owed
 * only by a unit whose attendance was under target, and takes its reminders and ladder from the study phase.
 * The compile phase is the committee's, not a unit's.
 */
import { phaseTitleVi } from '../domain/words.js';
import type { CycleDefinition, PhaseId } from './cycle.js';
import { effectivePhasePolicy } from './phase-policy.js';

export const DERIVED_PHASES: Record<string, { parent: PhaseId; title: string }> = {
  'study-makeup': { parent: 'study', title: 'Quán triệt bổ sung cho đảng viên chưa được học tập' },
  'inspection-remedy': { parent: 'inspection', title: 'Báo cáo khắc phục sau kiểm tra, giám sát' },
};

/** Phases that are committee work, not unit obligations. */
export const COMMITTEE_PHASES: ReadonlySet<string> = new Set(['compile']);

export function unitPhases(def: CycleDefinition): CycleDefinition['phases'] {
  return def.phases.filter((p) => !COMMITTEE_PHASES.has(p.id));
}

export function phaseTitle(def: CycleDefinition, phaseId: string): string {
  return def.phases.find((p) => p.id === phaseId)?.title ?? DERIVED_PHASES[phaseId]?.title ?? phaseTitleVi(phaseId);
}

/** A phase's reminders and ladder; a derived phase takes its parent's, and without one the cycle's own. */
export function phasePolicy(def: CycleDefinition, phaseId: string): ReturnType<typeof effectivePhasePolicy> {
  const derived = DERIVED_PHASES[phaseId];
  const id = derived ? derived.parent : phaseId;
  if (!def.phases.some((p) => p.id === id))
    return { reminders: { daysBefore: [...def.reminders.daysBefore] }, escalation: { ...def.escalation } };
  return effectivePhasePolicy(def, id as PhaseId);
}
