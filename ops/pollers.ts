/**
 * Is a worker polling the task queue? Shared by `findStalls` ('worker-missing') and `runDoctor` ('worker').
 *
 * Temporal keeps, per task queue and task type, the pollers it has seen in the last few minutes with the time of
 * each one's last poll request. An idle worker's long poll lasts up to a minute before it polls again, so a
 * healthy worker's last poll can be ~60 s old: a worker counts as missing only when no poll was seen within a
 * grace period longer than that (90 s by default).
 */
import type { Client } from '@temporalio/client';
import { optionalTsToMs } from '@temporalio/common/lib/time.js';

// Wire values of temporal.api.enums.v1 (@temporalio/proto is not a direct dependency, so its enums are not imported).
const TASK_QUEUE_KIND_NORMAL = 1;
const TASK_QUEUE_TYPE = { workflow: 1, activity: 2 } as const;

export const DEFAULT_POLLER_GRACE_SECONDS = 90;

export interface PollerView {
  type: 'workflow' | 'activity';
  /** When the most recent poll request arrived (ms since epoch), undefined when none is remembered. */
  lastSeen?: number;
  /** Who polled last (the SDK's identity, "pid@host"). */
  identity?: string;
  pollers: number;
}

export async function describePollers(client: Client, namespace: string, taskQueue: string): Promise<PollerView[]> {
  const views: PollerView[] = [];
  for (const type of ['workflow', 'activity'] as const) {
    const res = await client.workflowService.describeTaskQueue({
      namespace,
      taskQueue: { name: taskQueue, kind: TASK_QUEUE_KIND_NORMAL },
      taskQueueType: TASK_QUEUE_TYPE[type],
    });
    let lastSeen: number | undefined;
    let identity: string | undefined;
    for (const p of res.pollers ?? []) {
      const at = optionalTsToMs(p.lastAccessTime);
      if (at !== undefined && (lastSeen === undefined || at > lastSeen)) {
        lastSeen = at;
        identity = p.identity ?? undefined;
      }
    }
    views.push({
      type,
      pollers: res.pollers?.length ?? 0,
      ...(lastSeen !== undefined ? { lastSeen } : {}),
      ...(identity ? { identity } : {}),
    });
  }
  return views;
}

/** "42 s", "3 min", "2 h": how long ago, for one-line messages. */
export function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${Math.round(s / 3600)} h`;
}

/** The task types no worker has polled within the grace period. */
export function missingPollers(views: PollerView[], graceSeconds: number, now = Date.now()): PollerView[] {
  return views.filter((v) => v.lastSeen === undefined || now - v.lastSeen > graceSeconds * 1000);
}

/** One line naming the queue, the task types and when a worker was last seen. */
export function describeMissing(taskQueue: string, missing: PollerView[], now = Date.now()): string {
  const types = missing.map((m) => m.type).join(' and ');
  const seen = missing.filter((m) => m.lastSeen !== undefined);
  const when = seen.length
    ? missing
        .map((m) =>
          m.lastSeen === undefined
            ? `${m.type}: no poll remembered`
            : `${m.type}: last poll ${ago(now - m.lastSeen)} ago ` +
              `at ${new Date(m.lastSeen).toISOString()}${m.identity ? ` by ${m.identity}` : ''}`,
        )
        .join('; ')
    : 'the server remembers no poll: none for at least a few minutes, or never';
  return (
    `no worker is polling task queue "${taskQueue}" for ${types} tasks (${when}); start one with ` +
    `\`chuky worker\` and CHUKY_TASK_QUEUE=${taskQueue}`
  );
}
