/**
 * What `chuky cycle status` shows, as data: the command line prints it from the database when it holds the
 * deployment's credentials, and from the operator API (GET /cycles/:cycle/status) when it holds a committee's
 * token — one shape, one printer. Only PostgreSQL: a cycle's status never loads Temporal's SDK.
 */
import { getCycle } from '../db/cycles.js';
import type { Db } from '../db/pool.js';
import { bouncedEmails, cycleStatus } from '../db/records.js';
import { childProgress, type ChildProgress } from './child-progress.js';
import { phaseSummaries } from './overview.js';
import type { PhaseSummary } from './types.js';

export function summarise(rows: { status: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of rows) counts[r.status] = (counts[r.status] ?? 0) + 1;
  return counts;
}

export interface CycleStatusView {
  cycleId: string;
  status: string;
  parent?: { cycleId: string; unitCode: string };
  summary: Record<string, number>;
  phases: PhaseSummary[];
  children?: ChildProgress[];
  units: Awaited<ReturnType<typeof cycleStatus>>;
  bounces: Awaited<ReturnType<typeof bouncedEmails>>;
}

/** Undefined when there is no such cycle. Only PostgreSQL: it answers while Temporal is down. */
export async function cycleStatusView(db: Db, cycleId: string): Promise<CycleStatusView | undefined> {
  const stored = await getCycle(db, cycleId);
  if (!stored) return undefined;
  const [units, bounces, phases, children] = await Promise.all([
    cycleStatus(db, cycleId),
    bouncedEmails(db, cycleId),
    phaseSummaries(db, cycleId),
    childProgress(db, cycleId),
  ]);
  return {
    cycleId,
    status: stored.status,
    ...(stored.parent ? { parent: stored.parent } : {}),
    summary: summarise(units),
    phases,
    ...(children.length ? { children } : {}),
    units,
    bounces,
  };
}
