/**
 * After a rehearsal stalls: which workflows hold a workflow task that was started and never ended. On a stalled
 * year (nothing has moved for minutes) such a task is one that was handed to a worker and neither completed,
 * failed nor timed out, and while a task is open the time-skipping test server does not skip time, so the whole
 * year waits on it.
 *
 * The stalls of 7 December 2026 (the 1,000-unit year stalled in all five runs) had one cause, found with the Java
 * build of the test server and its thread dump: the test environment's client pinged the server more often than
 * the server allows, the server cut the connection, and the client's retry of the time skip released the clock a
 * second time. A workflow's own release then failed, its lock stayed taken, every timer thread queued on it, and
 * no task was ever timed out again (stack/test-server.ts, testServerKeepalive, says it in full; bench/README.md
 * has the evidence). So the tasks found here were handed out by a server that could no longer time them out. The
 * fix is in how the client connects. This report stays for any other stall, and one came after the fix (the full
 * bench of 7 December, 14:29: nothing held, nothing in flight, not diagnosed). It says which workflows wait, and
 * saves their histories (the evidence is gone once the test server stops); it also counts the work the server has
 * scheduled and nobody has taken (tasks, and activities, whose waiting leaves no trace in a history), which that
 * stall's report could not see. It does not repair anything.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { optionalTsToMs } from '@temporalio/common/lib/time.js';
import pMap from 'p-map';
import { EventType, eventTypeName } from '../ops/event-types.js';

export interface WedgedWorkflow {
  workflowId: string;
  /** The history's last events, oldest first ("TimerStarted", "WorkflowTaskStarted", …). */
  lastEvents: string[];
  /** Who took the task (the worker's identity), and when on the server's clock. */
  startedBy: string;
  startedAt: string;
  /** Where its whole history was written (the SDK's JSON, as `temporal workflow show -o json` reads it), if asked. */
  savedTo?: string;
}

/** Whether a history ends with a workflow task started and nothing after it: a task still held by someone. */
export function endsWithStartedTask(types: readonly (number | null | undefined)[]): boolean {
  return types.at(-1) === EventType.WorkflowTaskStarted;
}

/**
 * Work the server has scheduled and nobody holds: a workflow task or an activity waiting for a worker's poll. The
 * test server holds its clock for each until it ends, so one the worker never receives stops the year as surely as
 * a task the worker took and never ended, and leaves no trace in the history (an activity's start is written only
 * when it ends).
 */
export interface PendingWork {
  /**
   * Workflow tasks scheduled and not yet handed out. Those handed out and not ended are the scan's `count` (a
   * history ending with WorkflowTaskStarted): counted there once, not here again.
   */
  tasksScheduled: number;
  /** Activities scheduled and not yet handed out / handed out and not ended. */
  activitiesScheduled: number;
  activitiesStarted: number;
  /** The first few, each after its workflow's id ("…-U001: activity sendUnitEmail scheduled, attempt 1"). */
  examples: string[];
  /** Workflows described (the rest unknown). */
  described: number;
}

export interface WedgedScan {
  /** The first few found, in the order read. */
  wedged: WedgedWorkflow[];
  /** How many were found in all. */
  count: number;
  /** Histories read (the rest unknown: closed, not found, or not read in time). */
  read: number;
  pending: PendingWork;
}

// The wire numbers of temporal.api.enums.v1.PendingActivityState (ops/event-types.ts says why chuky writes such
// numbers itself). Read with Number(): the SDK types them as enums.
const SCHEDULED = 1;
const STARTED = 2;

type Description = Awaited<ReturnType<ReturnType<Client['workflow']['getHandle']>['describe']>>;
type HistoryEvent = NonNullable<Awaited<ReturnType<ReturnType<Client['workflow']['getHandle']>['fetchHistory']>>['events']>[number];

/**
 * Adds what one workflow has pending to `into`, describing up to `limit` of them: its workflow task from how its
 * history ends (the test server leaves a description's pending workflow task empty), its activities from its
 * description.
 */
export function countPending(
  workflowId: string,
  lastEvent: HistoryEvent | undefined,
  raw: Pick<Description['raw'], 'pendingActivities'>,
  into: PendingWork,
  limit: number,
): void {
  into.described += 1;
  const note = (what: string): void => {
    if (into.examples.length < limit) into.examples.push(`${workflowId}: ${what}`);
  };
  const at = (): string => new Date(optionalTsToMs(lastEvent?.eventTime) ?? 0).toISOString();
  const lastType = Number(lastEvent?.eventType);
  if (lastType === EventType.WorkflowTaskScheduled) {
    into.tasksScheduled += 1;
    note(`workflow task scheduled at ${at()}, attempt ${lastEvent?.workflowTaskScheduledEventAttributes?.attempt ?? 1}`);
  }
  for (const a of raw.pendingActivities ?? []) {
    const state = Number(a.state);
    if (state !== SCHEDULED && state !== STARTED) continue;
    const started = state === STARTED;
    if (started) into.activitiesStarted += 1;
    else into.activitiesScheduled += 1;
    note(`activity ${a.activityType?.name ?? a.activityId} ${started ? 'started' : 'scheduled'}, attempt ${a.attempt}`);
  }
}

/** The sentence on pending work, for the stall's report. */
export function describePending(p: PendingWork, total: number): string {
  const of = p.described < total ? `${p.described} of ${total} workflows described` : `all ${total} described`;
  const parts = [
    `${p.tasksScheduled} workflow task(s) scheduled and not handed out`,
    `${p.activitiesScheduled} activit(ies) scheduled and not handed out`,
    `${p.activitiesStarted} handed out and not ended`,
  ];
  return `pending on the server: ${parts.join(', ')} (${of})${p.examples.length ? `; first: ${p.examples.join('; ')}` : ''}`;
}

/**
 * The workflows among `workflowIds` whose history ends with a started workflow task. Each history is read with a
 * deadline, and the whole look is bounded by `withinMs` (a frozen server answers nothing): what was not read by
 * then is not reported. All are counted; the first `limit` are returned (and saved).
 */
export async function findWedgedWorkflows(
  client: Client,
  workflowIds: readonly string[],
  opts: {
    withinMs?: number;
    perCallMs?: number;
    concurrency?: number;
    limit?: number;
    /** A folder to write each one's history to: the evidence is gone once the test server stops. */
    saveDir?: string;
  } = {},
): Promise<WedgedScan> {
  const giveUpAt = Date.now() + (opts.withinMs ?? 20_000);
  const perCallMs = opts.perCallMs ?? 3_000;
  const limit = opts.limit ?? 5;
  const wedged: WedgedWorkflow[] = [];
  const pending: PendingWork = {
    tasksScheduled: 0,
    activitiesScheduled: 0,
    activitiesStarted: 0,
    examples: [],
    described: 0,
  };
  let read = 0;
  let count = 0;
  const one = async (workflowId: string): Promise<void> => {
    const handle = client.workflow.getHandle(workflowId);
    const history = await client.connection.withDeadline(Math.min(giveUpAt, Date.now() + perCallMs), () => handle.fetchHistory());
    read += 1;
    const { raw } = await client.connection.withDeadline(Math.min(giveUpAt, Date.now() + perCallMs), () => handle.describe());
    countPending(workflowId, history.events?.at(-1), raw, pending, limit);
    const types = (history.events ?? []).map((e) => e.eventType);
    if (!endsWithStartedTask(types)) return;
    count += 1;
    if (wedged.length >= limit) return;
    const last = history.events!.at(-1)!;
    const found: WedgedWorkflow = {
      workflowId,
      lastEvents: types.slice(-5).map(eventTypeName),
      startedBy: last.workflowTaskStartedEventAttributes?.identity ?? '',
      startedAt: new Date(optionalTsToMs(last.eventTime) ?? 0).toISOString(),
    };
    if (opts.saveDir) {
      fs.mkdirSync(opts.saveDir, { recursive: true });
      found.savedTo = path.join(opts.saveDir, `${workflowId.replace(/[^\w.-]+/g, '_')}.json`);
      fs.writeFileSync(found.savedTo, historyToJSON(history));
    }
    wedged.push(found);
  };
  await pMap(
    workflowIds,
    async (id) => {
      if (Date.now() >= giveUpAt) return;
      try {
        await one(id);
      } catch {
        // Closed, unknown to a restarted server, or no answer in time: nothing to say about it.
      }
    },
    { concurrency: opts.concurrency ?? 10 },
  );
  return { wedged, count, read, pending };
}

/** The sentence a stalled rehearsal adds about them (English: the operator's and the bench's). */
export function describeWedged(found: WedgedScan, total: number): string {
  const of = found.read < total ? `${found.read} of ${total} histories read before the look gave up` : `all ${total} histories read`;
  const pending = describePending(found.pending, total);
  if (!found.count) return `no workflow found holding a started task (${of}); ${pending}`;
  const list = found.wedged
    .map(
      (w) =>
        `${w.workflowId} (taken by ${w.startedBy || 'an unnamed worker'} at ${w.startedAt} on the server's clock; history ends ` +
        `${w.lastEvents.join(', ')}${w.savedTo ? `; saved to ${w.savedTo}` : ''})`,
    )
    .join('; ');
  return (
    `${found.count === 1 ? 'a workflow holds' : `${found.count} workflows hold`} a workflow task that was handed to a ` +
    `worker and never completed, failed or timed out (${of})${found.count > found.wedged.length ? `; the first ${found.wedged.length}` : ''}: ` +
    `${list}. The time-skipping test server does not move its clock while a task is open; ${pending}`
  );
}

/** What the rehearsal's worker said of itself when the year stalled: whether it holds the tasks it was handed. */
export function describeWorkerStatus(st: {
  runState: string;
  workflowPollerState: string;
  hasOutstandingWorkflowPoll: boolean;
  numInFlightWorkflowActivations: number;
  numInFlightActivities: number;
  numInFlightLocalActivities: number;
  numCachedWorkflows: number;
}): string {
  return (
    `the worker (${st.runState}, workflow poller ${st.workflowPollerState}` +
    `${st.hasOutstandingWorkflowPoll ? ', a poll outstanding' : ', no poll outstanding'}) had ` +
    `${st.numInFlightWorkflowActivations} workflow activation(s), ${st.numInFlightActivities} activit(ies) ` +
    `(${st.numInFlightLocalActivities} local) in flight and ${st.numCachedWorkflows} workflows cached`
  );
}

/** How far the test server's clock moved while the wall clock moved `overMs`. */
export interface ClockProbe {
  movedMs: number;
  overMs: number;
}

/**
 * Reads the test server's clock twice, `overMs` apart. Its clock moves in one of three ways (the Java test
 * server's SelfAdvancingTimerImpl): at the wall clock's pace while anything holds it (a workflow task or activity
 * waiting for its end, a timer callback still running, a client's hold); ahead to the next timer when nothing
 * does; and not at all when nothing holds it yet the timer that is due never runs. Which one a stalled year shows
 * says where to look. Undefined when the server does not answer.
 */
export async function probeClock(now: () => Promise<number>, overMs = 2_000): Promise<ClockProbe | undefined> {
  try {
    const t0 = await now();
    const w0 = Date.now();
    await new Promise((r) => setTimeout(r, overMs));
    const t1 = await now();
    return { movedMs: t1 - t0, overMs: Date.now() - w0 };
  } catch {
    return undefined;
  }
}

/** What a probe says of the clock: held by someone, stuck with nothing holding it, or skipping ahead. */
export function clockState(p: ClockProbe | undefined): 'held' | 'stuck' | 'skipping' | 'unread' {
  if (!p) return 'unread';
  if (p.movedMs < p.overMs / 4) return 'stuck';
  return p.movedMs <= 3 * p.overMs + 1_000 ? 'held' : 'skipping';
}

/** The sentence on the clock for the stall's report. */
export function describeClock(p: ClockProbe | undefined): string {
  const state = clockState(p);
  if (!p || state === 'unread') return "the test server's clock could not be read";
  const moved = `the test server's clock moved ${(p.movedMs / 1000).toFixed(1)} s in ${(p.overMs / 1000).toFixed(1)} s`;
  if (state === 'stuck') return `${moved}: nothing holds it, yet the timer that is due does not run (the server's timer pump is stuck)`;
  if (state === 'held')
    return `${moved}: something holds it (a task or activity not ended, a timer callback still running, or a client's hold)`;
  return `${moved}: it skips ahead freely, so the server is not what the year waits for`;
}

/**
 * After a year held still is given up: lets go of the test server's clock, one hold per call, until the server
 * refuses (it has none left). Refusing, the Java test server writes to its standard error, which the rehearsal
 * passes through, every hold it still counts and who took it ("Self Advancing Timer Lock Events"): the evidence of
 * what held the year. It lets the clock run again, so it comes only after everything else was looked at.
 */
export async function releaseClockHolds(unlock: () => Promise<unknown>, max = 10_000): Promise<{ released: number; refused: boolean }> {
  for (let released = 0; released < max; released++) {
    try {
      await unlock();
    } catch {
      return { released, refused: true };
    }
  }
  return { released: max, refused: false };
}
