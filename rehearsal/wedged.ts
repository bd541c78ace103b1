/**
 * After a rehearsal stalls: which workflows hold a workflow task that was started and never ended. On a stalled
 * year (nothing has moved for minutes, the worker idle) such a task is one the time-skipping test server neither
 * timed out nor handed out again, and while it is open the server does not skip time, so the whole year waits.
 *
 * The 1,000-unit year stalled three times on 7 December 2026. Each time the test server's log showed a reply
 * it could not send (an error too large for the client's 16 KB of headers), then the worker was told "Expired
 * workflow task: expectedHistorySize=…". That is the shape of the test server's known fault: a completion that
 * cancels a timer which fired while the task ran is refused, and the task is left started for good (sdk-java
 * issues 2606 and 3088). The real Temporal server fails such a task and schedules it again. This module only
 * finds the workflows and what their histories end with; it does not repair them.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';

export interface WedgedWorkflow {
  workflowId: string;
  /** The history's last events, oldest first ("TimerStarted", "WorkflowTaskStarted", …). */
  lastEvents: string[];
  /** Where its whole history was written (the SDK's JSON, as `temporal workflow show -o json` reads it), if asked. */
  savedTo?: string;
}

/**
 * Wire values of temporal.api.enums.v1.EventType that a unit workflow's history holds, by name (@temporalio/proto
 * is not a direct dependency: ops/repairs.ts). Others are shown by number.
 */
const EVENT_NAMES: Readonly<Record<number, string>> = {
  1: 'WorkflowExecutionStarted',
  2: 'WorkflowExecutionCompleted',
  5: 'WorkflowTaskScheduled',
  6: 'WorkflowTaskStarted',
  7: 'WorkflowTaskCompleted',
  8: 'WorkflowTaskTimedOut',
  9: 'WorkflowTaskFailed',
  10: 'ActivityTaskScheduled',
  11: 'ActivityTaskStarted',
  12: 'ActivityTaskCompleted',
  13: 'ActivityTaskFailed',
  14: 'ActivityTaskTimedOut',
  17: 'TimerStarted',
  18: 'TimerFired',
  19: 'TimerCanceled',
  25: 'MarkerRecorded',
  26: 'WorkflowExecutionSignaled',
  27: 'WorkflowExecutionTerminated',
  40: 'UpsertWorkflowSearchAttributes',
  41: 'WorkflowExecutionUpdateAccepted',
  43: 'WorkflowExecutionUpdateCompleted',
};
const WORKFLOW_TASK_STARTED = 6;

export function eventTypeName(type: number | null | undefined): string {
  return EVENT_NAMES[type ?? 0] ?? `EventType${String(type ?? 0)}`;
}

/** Whether a history ends with a workflow task started and nothing after it: a task still held by someone. */
export function endsWithStartedTask(types: readonly (number | null | undefined)[]): boolean {
  return types.at(-1) === WORKFLOW_TASK_STARTED;
}

/**
 * The workflows among `workflowIds` whose history ends with a started workflow task. Each history is read with a
 * deadline, and the whole look is bounded by `withinMs` (a frozen server answers nothing): what was not read by
 * then is not reported. At most `limit` are returned.
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
): Promise<{ wedged: WedgedWorkflow[]; read: number }> {
  const giveUpAt = Date.now() + (opts.withinMs ?? 20_000);
  const perCallMs = opts.perCallMs ?? 3_000;
  const limit = opts.limit ?? 5;
  const wedged: WedgedWorkflow[] = [];
  let next = 0;
  let read = 0;
  const one = async (workflowId: string): Promise<void> => {
    const history = await client.connection.withDeadline(Math.min(giveUpAt, Date.now() + perCallMs), () =>
      client.workflow.getHandle(workflowId).fetchHistory(),
    );
    read += 1;
    const types = (history.events ?? []).map((e) => e.eventType);
    if (!endsWithStartedTask(types)) return;
    const found: WedgedWorkflow = { workflowId, lastEvents: types.slice(-5).map(eventTypeName) };
    if (opts.saveDir) {
      fs.mkdirSync(opts.saveDir, { recursive: true });
      found.savedTo = path.join(opts.saveDir, `${workflowId.replace(/[^\w.-]+/g, '_')}.json`);
      fs.writeFileSync(found.savedTo, historyToJSON(history));
    }
    wedged.push(found);
  };
  await Promise.all(
    Array.from({ length: Math.min(opts.concurrency ?? 10, workflowIds.length) }, async () => {
      while (next < workflowIds.length && wedged.length < limit && Date.now() < giveUpAt) {
        const id = workflowIds[next++]!;
        try {
          await one(id);
        } catch {
          // Closed, unknown to a restarted server, or no answer in time: nothing to say about it.
        }
      }
    }),
  );
  return { wedged: wedged.slice(0, limit), read };
}

/** The sentence a stalled rehearsal adds about them (English: the operator's and the bench's). */
export function describeWedged(found: { wedged: WedgedWorkflow[]; read: number }, total: number): string {
  if (!found.wedged.length) {
    return found.read < total
      ? `no workflow found holding a started task (${found.read} of ${total} histories read before the look gave up)`
      : `no workflow holds a started task (all ${total} histories read)`;
  }
  const list = found.wedged
    .map((w) => `${w.workflowId} (history ends ${w.lastEvents.join(', ')}${w.savedTo ? `; saved to ${w.savedTo}` : ''})`)
    .join('; ');
  return (
    `${found.wedged.length === 1 ? 'a workflow holds' : `${found.wedged.length} workflows hold`} a workflow task ` +
    `started and never ended, which the test server neither timed out nor handed out again: ${list}. ` +
    `That is the time-skipping test server's known fault when a task's completion cancels a timer that fired ` +
    `while the task ran (sdk-java issues 2606 and 3088); the real Temporal server fails and reschedules such a task`
  );
}
