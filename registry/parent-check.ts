/**
 * `cycle start` of a child cycle (config `parent`): the superior's cycle must be in chuky, this committee must be
 * one of its units, and each deadline this cycle shares with it must fall `parent.marginDays` before the superior's
 * (domain/cascade.ts). Every problem is reported at once, at the cycle file's line, naming both dates.
 */
import { ConfigError, type ConfigIssue } from '../config/errors.js';
import type { LoadedCycle } from '../config/cycle.js';
import { unitPhases } from '../config/phase-lookup.js';
import { unitDeadlinesIn } from '../db/cycle-tree.js';
import { getCycle } from '../db/cycles.js';
import type { Db } from '../db/pool.js';
import { effectiveDeadline } from '../domain/calendar.js';
import { cascadeChecks } from '../domain/cascade.js';
import { cycleId as makeCycleId } from '../domain/ids.js';

export interface ResolvedParent {
  cycleId: string;
  unitCode: string;
}

/** The superior's cycle and this committee's unit code there, or a ConfigError saying what is wrong and where. */
export async function checkParent(db: Db, loaded: LoadedCycle): Promise<ResolvedParent | undefined> {
  const def = loaded.definition;
  const link = def.parent;
  if (!link) return undefined;
  const file = loaded.sourceFile;
  const at = (path: (string | number)[]): ConfigIssue['line'] => loaded.lineOf(path) ?? loaded.lineOf(['parent']);
  const parentId = makeCycleId(link.committee, def.year);
  const unitCode = link.unit ?? def.committee.code;
  const parent = await getCycle(db, parentId);
  if (!parent) {
    throw new ConfigError([
      {
        file,
        line: at(['parent', 'committee']),
        field: 'parent.committee',
        message: `the superior's cycle ${parentId} is not in chuky: start it first (this cycle's deadlines are checked against its), or remove "parent"`,
      },
    ]);
  }
  const held = await unitDeadlinesIn(db, parentId, unitCode);
  if (!held) {
    const field = link.unit ? 'parent.unit' : 'parent.committee';
    throw new ConfigError([
      {
        file,
        line: at(link.unit ? ['parent', 'unit'] : ['parent', 'committee']),
        field,
        message:
          `${parentId} has no unit "${unitCode}" in its units list` +
          (link.unit ? '' : ` (by default the unit is this committee's own code; set parent.unit to its code there)`),
      },
    ]);
  }
  const parentDef = parent.definition;
  const parentDeadlines = new Map(
    unitPhases(parentDef).map((p) => [p.id, held.get(p.id) ?? effectiveDeadline(p.deadline, parentDef.calendar)] as const),
  );
  const childDeadlines = new Map(unitPhases(def).map((p) => [p.id, effectiveDeadline(p.deadline, def.calendar)] as const));
  const checks = cascadeChecks(childDeadlines, parentDeadlines, link.marginDays);
  if (!checks.length) {
    throw new ConfigError([
      {
        file,
        line: at(['parent']),
        field: 'parent',
        message:
          `this cycle has no phase in common with ${parentId} (its phases: ${[...parentDeadlines.keys()].join(', ')}; ` +
          `this one's: ${[...childDeadlines.keys()].join(', ')}): nothing of its obligations there would be met from it`,
      },
    ]);
  }
  const issues: ConfigIssue[] = checks
    .filter((c) => !c.ok)
    .map((c) => {
      const index = def.phases.findIndex((p) => p.id === c.phase);
      const rolled = c.childDeadline !== def.phases[index]?.deadline ? ` (rolled from ${def.phases[index]?.deadline})` : '';
      const source = held.has(c.phase) ? `its obligation's deadline` : `its configured deadline`;
      return {
        file,
        line: at(['phases', index, 'deadline']),
        field: `phases[${index}].deadline`,
        message:
          `${c.childDeadline}${rolled} is after ${c.latestAllowed}, the latest this cycle may set for ${c.phase}: ${parentId} ` +
          `asks ${unitCode} for it by ${c.parentDeadline} (${source}), less parent.marginDays ${link.marginDays}`,
      };
    });
  if (issues.length) throw new ConfigError(issues);
  return { cycleId: parentId, unitCode };
}
