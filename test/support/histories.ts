/**
 * Recording workflow histories for test/histories (replayed by test/workflow/replay.test.ts on every CI run).
 *
 *   CHUKY_RECORD_HISTORIES=v3 npx vitest run test/workflow/full-year.test.ts
 *
 * writes that test's histories as `<name>-v3.json`. The variable's value is the version the files are named
 * after; a file that already exists is never overwritten: a committed history stands for workflows started by
 * the code that recorded it, and those must keep replaying after every later change (docs/DEPLOYS.md).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { projectRoot } from '../../config/paths.js';

export const HISTORIES_DIR = path.join(projectRoot(), 'test', 'histories');

/** The version to record histories as, or undefined when this run records nothing. */
export function recordingVersion(): string | undefined {
  const value = process.env.CHUKY_RECORD_HISTORIES;
  if (!value) return undefined;
  if (!/^v\d+$/.test(value)) {
    throw new Error(`CHUKY_RECORD_HISTORIES names the version the histories are recorded as (v2, v3, …), not "${value}"`);
  }
  return value;
}

/**
 * Saves the history of each `workflowId` as `<name>-<version>.json` when this run records (see above); does
 * nothing otherwise. Returns the files written.
 */
export async function recordHistories(client: Client, histories: Record<string, string>): Promise<string[]> {
  const version = recordingVersion();
  if (!version) return [];
  const written: string[] = [];
  for (const [name, workflowId] of Object.entries(histories)) {
    const file = path.join(HISTORIES_DIR, `${name}-${version}.json`);
    if (fs.existsSync(file)) {
      throw new Error(`${path.relative(projectRoot(), file)} exists: recorded histories are kept as they are; record as a new version`);
    }
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    fs.writeFileSync(file, historyToJSON(history));
    written.push(file);
  }
  return written;
}

/** A recorded history as committed (historyToJSON's JSON), read without the SDK's protobuf types. */
export interface RawHistoryEvent {
  eventId: string;
  eventType: string;
  workflowExecutionStartedEventAttributes?: { workflowType: { name: string } };
  activityTaskScheduledEventAttributes?: { activityType: { name: string }; input?: { payloads?: { data?: string }[] } };
  markerRecordedEventAttributes?: { markerName: string; details?: Record<string, { payloads?: { data?: string }[] }> };
  workflowExecutionSignaledEventAttributes?: { signalName: string };
  workflowExecutionUpdateAcceptedEventAttributes?: {
    protocolInstanceId: string;
    acceptedRequest: { input: { name: string; args?: { payloads?: { data?: string }[] } } };
  };
  workflowExecutionUpdateCompletedEventAttributes?: { meta: { updateId: string } };
}

export function readHistoryFile(file: string): { events: RawHistoryEvent[] } {
  return JSON.parse(fs.readFileSync(path.join(HISTORIES_DIR, file), 'utf8'));
}

/** A JSON payload's value (the SDK's default converter: base64 of the JSON). */
export function decodePayload(payload: { data?: string } | undefined): Record<string, unknown> {
  return JSON.parse(Buffer.from(payload?.data ?? '', 'base64').toString('utf8'));
}

export interface HistorySummary {
  workflowType: string;
  /** The last event is WorkflowExecutionCompleted: the run ended, and ended well. */
  completed: boolean;
  /** Every activity scheduled, in order, with its (first) argument. */
  activities: { name: string; input: Record<string, unknown> }[];
  /**
   * Every local activity the history recorded (a `core_local_activity` marker: local activities are not
   * scheduled as activity tasks, and their markers hold no input), in order, with the Update it ran for, if
   * any: the oldest Update accepted and not yet completed when the marker was recorded (the unit workflow runs
   * one local activity at a time, in the order its Updates were accepted). A submission stored by
   * acceptSubmission is known by its `submit` Update's phase.
   */
  localActivities: {
    name: string;
    result: Record<string, unknown> | undefined;
    update?: { name: string; input: Record<string, unknown> };
  }[];
  signals: string[];
  /** The ids of the patches whose markers the history records. */
  patches: string[];
}

function localActivitiesOf(events: RawHistoryEvent[]): HistorySummary['localActivities'] {
  const open: { id: string; name: string; input: Record<string, unknown> }[] = [];
  const out: HistorySummary['localActivities'] = [];
  for (const e of events) {
    const accepted = e.workflowExecutionUpdateAcceptedEventAttributes;
    if (accepted) {
      const input = accepted.acceptedRequest.input;
      open.push({ id: accepted.protocolInstanceId, name: input.name, input: decodePayload(input.args?.payloads?.[0]) });
    }
    const completed = e.workflowExecutionUpdateCompletedEventAttributes;
    if (completed) {
      const at = open.findIndex((u) => u.id === completed.meta.updateId);
      if (at >= 0) open.splice(at, 1);
    }
    const marker = e.markerRecordedEventAttributes;
    if (marker?.markerName === 'core_local_activity') {
      const data = decodePayload(marker.details?.['data']?.payloads?.[0]);
      const result = marker.details?.['result']?.payloads?.[0];
      const update = open[0];
      out.push({
        name: String(data.activity_type),
        result: result ? decodePayload(result) : undefined,
        ...(update ? { update: { name: update.name, input: update.input } } : {}),
      });
    }
  }
  return out;
}

export function summarizeHistory(events: RawHistoryEvent[]): HistorySummary {
  return {
    workflowType: events[0]?.workflowExecutionStartedEventAttributes?.workflowType.name ?? '',
    completed: events.at(-1)?.eventType === 'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED',
    activities: events
      .filter((e) => e.activityTaskScheduledEventAttributes)
      .map((e) => ({
        name: e.activityTaskScheduledEventAttributes!.activityType.name,
        input: decodePayload(e.activityTaskScheduledEventAttributes!.input?.payloads?.[0]),
      })),
    localActivities: localActivitiesOf(events),
    signals: events
      .filter((e) => e.workflowExecutionSignaledEventAttributes)
      .map((e) => e.workflowExecutionSignaledEventAttributes!.signalName),
    patches: events
      .filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch')
      .map((e) => String(decodePayload(e.markerRecordedEventAttributes!.details?.['patch-data']?.payloads?.[0]).id)),
  };
}
