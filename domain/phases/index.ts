/**
 * The registry of phases: what a unit submits in each phase of the cycle, keyed by phase id.
 */
import { inspectionPhase } from './inspection.js';
import { inspectionRemedyPhase } from './inspection-remedy.js';
import { modelsPhase } from './models.js';
import { planPhase } from './plan.js';
import { pledgePhase } from './pledge.js';
import { studyMakeupPhase } from './study-makeup.js';
import { studyPhase } from './study.js';
import type { PhaseSpec } from './types.js';
import { yearEndReportPhase } from './year-end-report.js';

export type { FieldSpec, Outcome, PhaseSpec, Targets, UnitFacts } from './types.js';
export { DEFAULT_TARGETS } from './types.js';

/** Phase ids in the order of the yearly cycle. */
export const PHASE_IDS = [
  'plan',
  'study',
  'study-makeup',
  'pledge',
  'models',
  'inspection',
  'year-end-report',
  'inspection-remedy',
] as const;
export type PhaseId = (typeof PHASE_IDS)[number];

export const PHASES: Record<string, PhaseSpec> = {
  plan: planPhase,
  study: studyPhase,
  'study-makeup': studyMakeupPhase,
  pledge: pledgePhase,
  models: modelsPhase,
  inspection: inspectionPhase,
  'year-end-report': yearEndReportPhase,
  'inspection-remedy': inspectionRemedyPhase,
} satisfies Record<PhaseId, PhaseSpec>;

export function isPhaseId(id: string): id is PhaseId {
  return Object.prototype.hasOwnProperty.call(PHASES, id);
}

/** The phase with this id; throws for an unknown id. */
export function phaseSpec(id: string): PhaseSpec {
  if (!isPhaseId(id)) throw new RangeError(`Giai đoạn không tồn tại: "${id}" (có: ${PHASE_IDS.join(', ')})`);
  return PHASES[id] as PhaseSpec;
}

export { inspectionPhase, inspectionRemedyPhase, modelsPhase, planPhase, pledgePhase, studyMakeupPhase, studyPhase, yearEndReportPhase };
