/**
 * A phase's reminders and escalation: the cycle's, with the phase's own overrides. Its own module, away from the
 * cycle file's schemas and YAML parser, so that what only reads a stored definition (the stall detector, the
 * overview, `chuky stalled`) does not load them: a tenth of a second of a command's start.
 */
import type { CycleDefinition, EscalationConfig, PhaseId } from './cycle.js';
import { ConfigError } from './errors.js';

export function effectivePhasePolicy(
  def: CycleDefinition,
  phaseId: PhaseId,
): { reminders: { daysBefore: number[] }; escalation: EscalationConfig } {
  const phase = def.phases.find((p) => p.id === phaseId);
  if (!phase) throw new ConfigError([{ field: 'phases', message: `the cycle has no phase "${phaseId}"` }]);
  const override = phase.escalation ?? {};
  const escalation: EscalationConfig = { ...def.escalation };
  if (override.overdueNotice !== undefined) escalation.overdueNotice = override.overdueNotice;
  if (override.level2AfterDays !== undefined) escalation.level2AfterDays = override.level2AfterDays;
  if (override.level3AfterDays !== undefined) escalation.level3AfterDays = override.level3AfterDays;
  return { reminders: { daysBefore: [...(phase.reminders ?? def.reminders).daysBefore] }, escalation };
}
