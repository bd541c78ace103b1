/**
 * Deadlines cascade down the Party tree: a committee that is a unit of its superior's cycle meets each obligation
 * there from its own cycle, so its own units' deadline for a phase must fall far enough before the superior's
 * deadline for the same phase for the committee to compile what they sent (`parent.marginDays`, default 5).
 * Pure: the caller reads the superior's deadlines (an extension granted to this committee moves its own).
 */
import { addDays, type IsoDate } from './calendar.js';

export interface CascadeCheck {
  phase: string;
  /** This cycle's deadline for the phase, rolled past weekends and holidays as its calendar says. */
  childDeadline: IsoDate;
  /** The superior's deadline for this committee and phase. */
  parentDeadline: IsoDate;
  /** The latest deadline this cycle may set: the superior's less the margin. */
  latestAllowed: IsoDate;
  ok: boolean;
}

/**
 * Each phase both cycles have, checked; phases only the child has are its own business, and phases only the parent
 * has are met some other way (a form, as any unit).
 */
export function cascadeChecks(
  childDeadlines: ReadonlyMap<string, IsoDate>,
  parentDeadlines: ReadonlyMap<string, IsoDate>,
  marginDays: number,
): CascadeCheck[] {
  const out: CascadeCheck[] = [];
  for (const [phase, childDeadline] of childDeadlines) {
    const parentDeadline = parentDeadlines.get(phase);
    if (parentDeadline === undefined) continue;
    const latestAllowed = addDays(parentDeadline, -marginDays);
    out.push({ phase, childDeadline, parentDeadline, latestAllowed, ok: childDeadline <= latestAllowed });
  }
  return out;
}
