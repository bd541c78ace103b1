/**
 * The cycle's fan-out: start (or find) one unit workflow per unit, a batch at a time, and close them at the end.
 * Starting is idempotent by the derived workflow id, so a retried batch or a second `cycle start` starts nothing twice.
 */
import pMap from 'p-map';
import { Context, ApplicationFailure } from '@temporalio/activity';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Db } from '../db/pool.js';
import { listInspections } from '../db/inspections.js';
import { snapshotFrozenCycle } from '../db/frozen.js';
import { markCycleFrozen } from '../db/freeze.js';
import { countUnits, getCycle, listUnits, setCycleStatus, type CycleRow } from '../db/cycles.js';
import { effectivePhasePolicy } from '../config/cycle.js';
import { phasePolicy, unitPhases } from '../config/phase-lookup.js';
import { unitWorkflowId } from '../domain/ids.js';
import { DEFAULT_MEMBERS_MARGIN_PERCENT } from '../domain/phases/common.js';
import { calendarToReal } from '../domain/clock.js';
import { addDays, effectiveDeadline, localTimeToInstant } from '../domain/calendar.js';
import { SA_COMMITTEE, SA_CYCLE, SA_ESCALATION, SA_PHASE, SA_STATUS, SA_UNIT, SA_YEAR } from '../workflows/search-attributes.js';
import { closeUnitSignal } from '../workflows/messages.js';
import { unitWorkflow } from '../workflows/unit.js';
import type { CyclePlan, LaunchBatchInput, UnitWorkflowInput } from '../domain/workflow-io.js';

export interface CycleDeps {
  db: Db;
  client: Client;
  taskQueue: string;
  /** False on the time-skipping test server, which has no custom search attributes. */
  searchAttributes: boolean;
}

export function unitWorkflowInput(cycle: CycleRow, unitCode: string, searchAttributes: boolean, members?: number): UnitWorkflowInput {
  const def = cycle.definition;
  const study = def.phases.find((p) => p.id === 'study');
  return {
    cycleId: cycle.id,
    committeeCode: def.committee.code,
    year: def.year,
    unitCode,
    timeZone: def.timezone,
    calendar: def.calendar,
    clock: cycle.clock,
    obligations: unitPhases(def).map((p) => ({
      phase: p.id,
      title: p.title,
      opensOn: p.opensOn,
      deadline: p.deadline,
      policy: effectivePhasePolicy(def, p.id),
    })),
    searchAttributes,
    ...(members !== undefined ? { members } : {}),
    targets: {
      studyPercent: def.targets?.studyPercent ?? 98,
      pledgePercent: def.targets?.pledgePercent ?? 100,
      membersMarginPercent: def.targets?.membersMarginPercent ?? DEFAULT_MEMBERS_MARGIN_PERCENT,
    },
    closesOn: def.closesOn ?? `${def.year}-12-31`,
    ...(study ? { makeupDays: study.makeupDays ?? 14, makeupPolicy: phasePolicy(def, 'study') } : {}),
  };
}

/**
 * The real instant at which the cycle closes: the end of its configured closing day, but never before the last
 * phase's level-3 escalation has had a day to be recorded.
 */
export function cycleClosesAt(cycle: CycleRow): number {
  const def = cycle.definition;
  let last = localTimeToInstant(addDays(def.closesOn ?? `${def.year}-12-31`, 1), 0, def.timezone);
  for (const p of unitPhases(def)) {
    const policy = effectivePhasePolicy(def, p.id);
    const deadline = effectiveDeadline(p.deadline, def.calendar);
    last = Math.max(last, localTimeToInstant(addDays(deadline, policy.escalation.level3AfterDays + 1), 0, def.timezone));
  }
  return calendarToReal(cycle.clock, last);
}

/**
 * Starts one unit's workflow for the year, or finds it running: the id is derived from cycle and unit, so this
 * is safe to repeat (a retried batch, a second `cycle start`, a unit re-imported mid-year).
 */
export async function startUnitWorkflow(
  deps: Pick<CycleDeps, 'client' | 'taskQueue' | 'searchAttributes'>,
  cycle: CycleRow,
  unitCode: string,
  members?: number,
): Promise<'started' | 'existing'> {
  const args = unitWorkflowInput(cycle, unitCode, deps.searchAttributes, members);
  try {
    // By the function, not its name: the arguments are checked against the workflow's signature. The import
    // only defines the function; its code runs in the worker's sandbox.
    await deps.client.workflow.start(unitWorkflow, {
      taskQueue: deps.taskQueue,
      workflowId: unitWorkflowId(cycle.id, unitCode),
      args: [args],
      ...(deps.searchAttributes
        ? {
            typedSearchAttributes: [
              { key: SA_CYCLE, value: cycle.id },
              { key: SA_YEAR, value: cycle.year },
              { key: SA_COMMITTEE, value: cycle.committeeCode },
              { key: SA_UNIT, value: unitCode },
              { key: SA_PHASE, value: args.obligations[0]?.phase ?? '' },
              { key: SA_STATUS, value: 'pending' },
              { key: SA_ESCALATION, value: 0 },
            ],
          }
        : {}),
    });
    return 'started';
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    return 'existing';
  }
}

async function requireCycle(db: Db, cycleId: string): Promise<CycleRow> {
  const cycle = await getCycle(db, cycleId);
  if (!cycle) throw ApplicationFailure.nonRetryable(`cycle ${cycleId} is not registered in the database`, 'UnknownCycle');
  return cycle;
}

/**
 * Client calls in flight at once per batch, as a sliding window (p-map): a new start goes out as soon as one
 * returns. Groups of 16 that each waited for their slowest start reached 0.72× the engine's empty-workflow rate
 * at 5,000 units (bench/RESULTS.md, scenario 2); the window keeps the frontend busy without a throttle.
 */
const LAUNCH_CONCURRENCY = 32;

/** Runs `fn` over `items`, `size` in flight at a time, heartbeating with each item done (the SDK throttles beats). */
async function inWindow<T>(items: T[], size: number, fn: (item: T) => Promise<void>, beat: (last: T) => void): Promise<void> {
  await pMap(
    items,
    async (item) => {
      await fn(item);
      beat(item);
    },
    { concurrency: size },
  );
}

export function createCycleActivities(deps: CycleDeps) {
  return {
    async planCycle({ cycleId }: { cycleId: string }): Promise<CyclePlan> {
      const cycle = await requireCycle(deps.db, cycleId);
      return { unitCount: await countUnits(deps.db, cycleId), closesAt: cycleClosesAt(cycle) };
    },

    async launchUnitBatch(input: LaunchBatchInput): Promise<{ started: number; existing: number }> {
      const cycle = await requireCycle(deps.db, input.cycleId);
      const units = await listUnits(deps.db, input.cycleId, input.offset, input.limit);
      let started = 0;
      let existing = 0;
      // Starts go out LAUNCH_CONCURRENCY at a time: one at a time, a launch ran below the engine's own rate
      // (bench/RESULTS.md); each start is idempotent by workflow id, so a retried batch starts nothing twice.
      await inWindow(
        units.filter((u) => u.active),
        LAUNCH_CONCURRENCY,
        async (unit) => {
          if ((await startUnitWorkflow(deps, cycle, unit.code, unit.members)) === 'started') started += 1;
          else existing += 1;
        },
        (unit) => Context.current().heartbeat({ unit: unit.code }),
      );
      return { started, existing };
    },

    async markCycleLaunched({ cycleId, launched }: { cycleId: string; launched: number }): Promise<void> {
      await setCycleStatus(deps.db, cycleId, 'running', { launchedUnits: launched });
    },

    async closeUnitBatch(input: LaunchBatchInput & { reason: string }): Promise<void> {
      const units = await listUnits(deps.db, input.cycleId, input.offset, input.limit);
      await inWindow(
        units,
        LAUNCH_CONCURRENCY,
        async (unit) => {
          try {
            await deps.client.workflow
              .getHandle(unitWorkflowId(input.cycleId, unit.code))
              .signal(closeUnitSignal, { reason: input.reason });
          } catch (err) {
            // A unit whose obligations are all closed has already finished; there is nothing to close.
            if (!(err instanceof WorkflowNotFoundError)) throw err;
          }
        },
        (unit) => Context.current().heartbeat({ unit: unit.code }),
      );
    },

    async markCycleClosed({ cycleId, reason }: { cycleId: string; actor: string; reason: string }): Promise<void> {
      await setCycleStatus(deps.db, cycleId, 'closed', { reason });
    },

    async closeOpenInspections({ cycleId, reason }: { cycleId: string; reason: string }): Promise<number> {
      let closed = 0;
      for (const i of await listInspections(deps.db, cycleId)) {
        if (i.status === 'closed' || i.status === 'remedied') continue;
        try {
          await deps.client.workflow.getHandle(i.id).signal(closeUnitSignal, { reason });
          closed += 1;
        } catch (err) {
          if (!(err instanceof WorkflowNotFoundError)) throw err;
        }
      }
      return closed;
    },

    /** The compile phase's hand-over: from now on the report compiler reads this cycle's data as final. */
    async freezeCycle({ cycleId }: { cycleId: string }): Promise<{ frozenAt: string }> {
      const frozenAt = await markCycleFrozen(deps.db, cycleId);
      if (!frozenAt) throw ApplicationFailure.nonRetryable(`cycle ${cycleId} is not registered in the database`, 'UnknownCycle');
      // The snapshot is written once; a retried activity finds it and keeps it.
      await snapshotFrozenCycle(deps.db, cycleId);
      return { frozenAt };
    },
  };
}
