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
 * saves their histories (the evidence is gone once the test server stops); it does not repair anything.
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

export interface WedgedScan {
  /** The first few found, in the order read. */
  wedged: WedgedWorkflow[];
  /** How many were found in all. */
  count: number;
  /** Histories read (the rest unknown: closed, not found, or not read in time). */
  read: number;
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
  let read = 0;
  let count = 0;
  const one = async (workflowId: string): Promise<void> => {
    const history = await client.connection.withDeadline(Math.min(giveUpAt, Date.now() + perCallMs), () =>
      client.workflow.getHandle(workflowId).fetchHistory(),
    );
    read += 1;
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
  return { wedged, count, read };
}

/** The sentence a stalled rehearsal adds about them (English: the operator's and the bench's). */
export function describeWedged(found: WedgedScan, total: number): string {
  const of = found.read < total ? `${found.read} of ${total} histories read before the look gave up` : `all ${total} histories read`;
  if (!found.count) return `no workflow found holding a started task (${of})`;
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
    `${list}. The time-skipping test server does not move its clock while a task is open`
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
