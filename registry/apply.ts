/**
 * Units join and leave a running cycle. An import reads a units CSV, compares it with what is registered and,
 * unless it is a dry run, registers new units and starts their year (they receive the cycle's obligations with
 * the configured deadlines; a phase whose deadline has passed escalates, and the operator may extend it),
 * updates changed details (contacts are read at send time, so the next email goes to the new address) and,
 * only when asked with a reason, removes the units no longer in the file.
 */
import { createHash } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { parseUnitsCsv, type Unit } from '../config/units.js';
import { loadUnitsFileAsync } from '../config/units-xlsx.js';
import { getCycle, type CycleRow } from '../db/cycles.js';
import { withTransaction, type Db } from '../db/pool.js';
import { getRegisteredUnit, listRegisteredUnits, markUnitRemoved, upsertUnits } from '../db/units.js';
import { startUnitWorkflow } from '../client/starts.js';
import { ActionRefused, removeUnit } from '../client/unit-actions.js';
import { describeIssues, removeUnitSchema, type Actor } from '../domain/submissions.js';
import type { ObligationView } from '../workflows/messages.js';
import { diffUnits, type UnitsDiff } from './diff.js';

export interface RegistryDeps {
  db: Db;
  client: Client;
  taskQueue: string;
  /** False on the time-skipping test server, which has no custom search attributes. */
  searchAttributes: boolean;
}

/** A refusal with the HTTP status the API answers with (the CLI prints the message). */
export class RegistryError extends Error {
  override name = 'RegistryError';
  constructor(
    message: string,
    readonly httpStatus: 400 | 404 | 409,
  ) {
    super(message);
  }
}

export interface RemovedUnit {
  code: string;
  /** 'removed': its workflow closed its open obligations as 'removed'; 'not-running': it had no running workflow. */
  workflow: 'removed' | 'not-running';
  note?: string;
  obligations?: Pick<ObligationView, 'phase' | 'status'>[];
}

export interface ImportResult extends UnitsDiff {
  cycleId: string;
  file: string;
  dryRun: boolean;
  /** What was done; null for a dry run. */
  applied: {
    inserted: string[];
    updated: string[];
    started: { code: string; workflow: 'started' | 'existing' }[];
    removed: RemovedUnit[];
  } | null;
}

async function requireCycle(db: Db, cycleId: string, forChange: boolean): Promise<CycleRow> {
  const cycle = await getCycle(db, cycleId);
  if (!cycle) throw new RegistryError(`no cycle "${cycleId}" in the database`, 404);
  // A closed cycle no longer closes unit workflows: a unit started now would run on after the year.
  if (forChange && cycle.status === 'closed') throw new RegistryError(`cycle "${cycleId}" is closed; its units can no longer change`, 409);
  return cycle;
}

/** Refuses a bad reason or actor before anything is changed, with the workflow's own (Vietnamese) messages. */
function checkRemoval(reason: string, actor: Actor): void {
  const parsed = removeUnitSchema.safeParse({ reason, actor, requestId: 'validation-only' });
  if (!parsed.success) throw new RegistryError(describeIssues(parsed.error), 400);
}

/** The same removal of the same unit is the same update, so a retried command does not act twice. */
function removalRequestId(cycleId: string, code: string): string {
  return `remove-${createHash('sha256').update(`${cycleId}\u0000${code}`).digest('hex').slice(0, 40)}`;
}

/**
 * Removes units from a running cycle (dissolved, merged): each is marked inactive with the reason (so no batch
 * starts it again), then its workflow closes its open obligations with status 'removed'. Safe to repeat: a unit
 * already removed is asked again, which finds its workflow ended.
 */
export async function removeUnits(
  deps: Pick<RegistryDeps, 'db' | 'client'>,
  params: { cycleId: string; units: string[]; reason: string; actor: Actor; requestId?: string },
): Promise<RemovedUnit[]> {
  checkRemoval(params.reason, params.actor);
  await requireCycle(deps.db, params.cycleId, true);
  const reason = params.reason.normalize('NFC').trim();
  const known: string[] = [];
  for (const code of params.units) {
    const unit = await getRegisteredUnit(deps.db, params.cycleId, code);
    if (!unit) throw new RegistryError(`no unit "${code}" in cycle "${params.cycleId}"`, 404);
    known.push(unit.code);
  }
  const out: RemovedUnit[] = [];
  for (const code of known) {
    await markUnitRemoved(deps.db, params.cycleId, code, reason);
    const requestId = params.requestId && known.length === 1 ? params.requestId : removalRequestId(params.cycleId, code);
    try {
      const view = await removeUnit(deps.client, params.cycleId, code, { reason, actor: params.actor, requestId });
      out.push({ code, workflow: 'removed', obligations: view.obligations.map((o) => ({ phase: o.phase, status: o.status })) });
    } catch (err) {
      // Not found, already finished, or refusing because it has ended: there is nothing left to close.
      if (err instanceof ActionRefused && err.httpStatus !== 400) out.push({ code, workflow: 'not-running', note: err.message });
      else throw err;
    }
  }
  return out;
}

export interface ImportParams {
  cycleId: string;
  /** The units file; with `text`, only its name (for error messages). */
  file: string;
  /** The CSV itself (the API's request body); read from `file` when absent. */
  text?: string;
  dryRun: boolean;
  /** Remove the registered units that are not in the file, with this reason. Without it they are only reported. */
  removeMissing?: { reason: string; actor: Actor };
  actor: Actor;
}

/**
 * Imports a units file into a cycle. A file with any problem is refused whole (ConfigError with file, line and
 * field) and nothing is applied.
 */
export async function importUnits(deps: RegistryDeps, params: ImportParams): Promise<ImportResult> {
  const incoming: Unit[] = params.text !== undefined ? parseUnitsCsv(params.text, params.file) : await loadUnitsFileAsync(params.file);
  if (params.removeMissing) checkRemoval(params.removeMissing.reason, params.removeMissing.actor);
  const cycle = await requireCycle(deps.db, params.cycleId, !params.dryRun);
  const diff = diffUnits(await listRegisteredUnits(deps.db, cycle.id), incoming);
  const result: ImportResult = { cycleId: cycle.id, file: params.file, dryRun: params.dryRun, ...diff, applied: null };
  if (params.dryRun) return result;

  // Details first, in one transaction: a unit's workflow reads its row when it sends, so it must be committed.
  const { inserted, updated } = await withTransaction(deps.db, (client) =>
    upsertUnits(client, cycle.id, [...diff.added, ...diff.changed.map((c) => c.after)]),
  );
  const started: { code: string; workflow: 'started' | 'existing' }[] = [];
  for (const unit of diff.added) {
    started.push({ code: unit.code, workflow: await startUnitWorkflow(deps, cycle, unit.code) });
  }
  const removed =
    params.removeMissing && diff.missing.length > 0
      ? await removeUnits(deps, {
          cycleId: cycle.id,
          units: diff.missing.map((u) => u.code),
          reason: params.removeMissing.reason,
          actor: params.removeMissing.actor,
        })
      : [];
  result.applied = { inserted, updated, started, removed };
  return result;
}
