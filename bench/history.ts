/** Reading workflow histories: events, their size, the activities they ran, and when. */
import type { Client } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time.js';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';

type HistoryEvent = NonNullable<Awaited<ReturnType<ReturnType<Client['workflow']['getHandle']>['fetchHistory']>>['events']>[number];

export interface HistoryFacts {
  events: number;
  /** Size of the history in proto3 JSON (as `temporal workflow show -o json` writes it): above what the server stores as protobuf. */
  jsonBytes: number;
  /** Activities scheduled, by type (local activities included, from their markers). */
  activities: Record<string, number>;
  /** Updates accepted. */
  updates: number;
  timers: number;
}

export async function fetchEvents(client: Client, workflowId: string): Promise<HistoryEvent[]> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return history.events ?? [];
}

/** A local activity's type, from the marker that records it (its JSON `data` detail), else undefined. */
function localActivityType(e: HistoryEvent): string | undefined {
  const marker = e.markerRecordedEventAttributes;
  if (marker?.markerName !== 'core_local_activity') return undefined;
  const data = marker.details?.data?.payloads?.[0]?.data;
  try {
    const type = data ? (JSON.parse(Buffer.from(data).toString('utf8')) as { activity_type?: unknown }).activity_type : undefined;
    return typeof type === 'string' ? type : undefined;
  } catch {
    return undefined;
  }
}

export function historyFacts(events: HistoryEvent[]): HistoryFacts {
  const activities: Record<string, number> = {};
  let updates = 0;
  let timers = 0;
  for (const e of events) {
    const name = e.activityTaskScheduledEventAttributes?.activityType?.name ?? localActivityType(e);
    if (name) activities[name] = (activities[name] ?? 0) + 1;
    if (e.workflowExecutionUpdateAcceptedEventAttributes) updates += 1;
    if (e.timerStartedEventAttributes) timers += 1;
  }
  const jsonBytes = Buffer.byteLength(historyToJSON({ events }));
  return { events: events.length, jsonBytes, activities, updates, timers };
}

/** Instants (ms) at which activities of a type were scheduled and completed, in history order. */
export function activityTimes(events: HistoryEvent[], type: string): { scheduledAt: number[]; completedAt: number[] } {
  const ids = new Set<string>();
  const scheduledAt: number[] = [];
  const completedAt: number[] = [];
  for (const e of events) {
    if (e.activityTaskScheduledEventAttributes?.activityType?.name === type) {
      ids.add(String(e.eventId));
      scheduledAt.push(tsToMs(e.eventTime));
    }
    const done = e.activityTaskCompletedEventAttributes;
    if (done && ids.has(String(done.scheduledEventId))) completedAt.push(tsToMs(e.eventTime));
  }
  return { scheduledAt, completedAt };
}
