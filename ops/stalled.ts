/**
 * The stalled-workflow detector: what is stuck, where, why, and which repair fits. Deterministic: the same state
 * of Temporal and PostgreSQL gives the same list in the same order.
 *
 * - From Temporal: workflows described — with at most DESCRIBE_CONCURRENCY requests in flight — for activities
 *   retrying (SMTP or PostgreSQL down) and workflow tasks failing (non-determinism after a deploy); and the task
 *   queue's pollers, for a missing worker. Which workflows: those whose activities the workers noted failing in
 *   PostgreSQL (workers/activity-failures.ts) and those Temporal flags for failing workflow tasks (the system search
 *   attribute TemporalReportedProblems, server 1.30 and later with its dynamic config set). Where a source cannot
 *   answer (PostgreSQL down, an older server), every running chuky workflow of the queue is described instead, as
 *   `--deep` always does: 0.7 ms a workflow, 7.7 s for the bench's 11,000.
 * - From PostgreSQL, with no Temporal call: obligations overdue, inspections whose remedy is overdue, and phases
 *   whose escalation ladder has run out while units are still pending or overdue (their workflows are not
 *   moving them).
 */
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { optionalTsToMs } from '@temporalio/common/lib/time.js';
import pMap from 'p-map';
import { EventType } from './event-types.js';
import type { CycleDefinition } from '../config/cycle.js';
import { phasePolicy, unitPhases } from '../config/phase-lookup.js';
import {
  openCycles,
  openOverdueObligations,
  pendingObligationsOfSettledUnits,
  remedyOverdueInspections,
  settledUnitsWithoutPhase,
  unitNames,
} from '../db/stalled.js';
import { addDays, effectiveDeadline, localTimeToInstant } from '../domain/calendar.js';
import { calendarToReal } from '../domain/clock.js';
import { unitWorkflowId } from '../domain/ids.js';
import { BODY_LABEL_VI, KIND_LABEL_VI, type InspectionBody, type InspectionKind } from '../domain/inspections.js';
import { SEND_HOUR } from '../domain/schedule.js';
import { LEVEL_LABEL, activityVi, phaseShort, statusLong, viDate } from '../domain/words.js';
import { comparePhases, cycleCalendarNow, daysOverdue } from './overview.js';
import { DEFAULT_POLLER_GRACE_SECONDS, describeMissing, describePollers, missingPollers } from './pollers.js';
import { temporalWorkflowUrl } from './temporal-url.js';
import { errorLine, firstLine } from './error-line.js';
import { pendingEmailRequests } from '../db/email-requests.js';
import { activityFailureCandidates } from '../db/activity-failures.js';
import { STALL_KINDS, type OpsDeps, type RepairAction, type Stall, type StallKind, type StallQuery } from './types.js';

export const DEFAULT_MIN_ATTEMPTS = 3;
/** Describe calls in flight at once: enough to scan thousands of workflows in seconds, few enough for the server. */
export const DESCRIBE_CONCURRENCY = 16;
/**
 * A phase counts as blocked only this long (real time) after its ladder's last step fell due: the workflow that
 * records level 3 needs a moment (an activity, a database write), and a momentary lag is not a stall.
 */
export const PHASE_BLOCKED_GRACE_MS = 2 * 60_000;
/** Units named in a phase-blocked cause; the rest are counted. */
const NAMED_UNITS = 10;

const REPAIRS: Record<StallKind, RepairAction[]> = {
  'activity-retrying': ['retry'],
  // Deploy the code the history was recorded with (or a patched() version of it) first; then reset if needed.
  'workflow-task-failing': ['reset'],
  overdue: ['remind', 'extend', 'exempt', 'record'],
  'remedy-overdue': ['remind', 'extend', 'exempt', 'record'],
  'phase-blocked': ['exempt', 'record', 'extend'],
  'worker-missing': [],
  // The relay retries by itself with backoff; what helps is the mail server back (the cause says what it answered).
  'email-retrying': [],
};

const LEVEL_TEXT: Record<number, string> = {
  0: 'no escalation yet',
  1: 'overdue notice sent to the secretary',
  2: "the committee's leaders were told",
  3: 'recorded as not submitted (không nộp), proposed for inspection',
};

/** Thrown when part of the scan could not be done (a service down); `stalls` holds what the rest found. */
export class StallScanError extends Error {
  constructor(
    message: string,
    readonly stalls: Stall[],
    /** The same in Vietnamese: what the console shows. */
    readonly messageVi: string = message,
  ) {
    super(message);
    this.name = 'StallScanError';
  }
}

export async function findStalls(deps: OpsDeps, q: StallQuery = {}): Promise<Stall[]> {
  const kinds = new Set<StallKind>(q.kinds?.length ? q.kinds : STALL_KINDS);
  const want = (...k: StallKind[]) => k.some((x) => kinds.has(x));
  // Each source: its name in English (the CLI) and Vietnamese (the console), and the scan.
  const sources: Array<[string, string, () => Promise<Stall[]>]> = [];
  if (want('activity-retrying', 'workflow-task-failing'))
    sources.push(['Temporal (running workflows)', 'Temporal (các workflow đang chạy)', () => workflowStalls(deps, q, kinds)]);
  if (want('worker-missing')) sources.push(['Temporal (task queue pollers)', 'Temporal (worker nhận việc)', () => workerStalls(deps, q)]);
  if (want('overdue')) sources.push(['PostgreSQL (overdue obligations)', 'PostgreSQL (nghĩa vụ quá hạn)', () => overdueStalls(deps, q)]);
  if (want('remedy-overdue')) sources.push(['PostgreSQL (inspections)', 'PostgreSQL (kiểm tra, giám sát)', () => remedyStalls(deps, q)]);
  if (want('phase-blocked'))
    sources.push(['PostgreSQL (phase ladders)', 'PostgreSQL (các bước đôn đốc của giai đoạn)', () => phaseBlockedStalls(deps, q)]);
  // Last, as it came last: the scan's messages keep their order (the console and the CLI quote them).
  if (want('email-retrying')) sources.push(['PostgreSQL (email relay)', 'PostgreSQL (thư chờ gửi)', () => emailStalls(deps, q)]);

  const settled = await Promise.allSettled(sources.map(([, , run]) => run()));
  const stalls: Stall[] = [];
  const failures: string[] = [];
  const failuresVi: string[] = [];
  settled.forEach((s, i) => {
    if (s.status === 'fulfilled') stalls.push(...s.value);
    else {
      failures.push(`${sources[i]![0]}: ${errorLine(s.reason)}`);
      failuresVi.push(`${sources[i]![1]}: ${errorLine(s.reason)}`);
    }
  });
  await addUnitNames(deps, stalls);
  const result = sortStalls(stalls.filter((s) => kinds.has(s.kind)));
  if (failures.length)
    throw new StallScanError(`could not complete the scan — ${failures.join('; ')}`, result, `không quét được ${failuresVi.join('; ')}`);
  return result;
}

// ---------------------------------------------------------------------------------------------------------------
// Ordering

const KIND_ORDER = new Map<string, number>(STALL_KINDS.map((k, i) => [k, i]));
const cmp = (a: string | undefined, b: string | undefined): number => {
  const x = a ?? '';
  const y = b ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
};

/** Kind (in STALL_KINDS order), then cycle, unit, phase; then workflow and activity so ties are stable too. */
export function sortStalls(stalls: Stall[]): Stall[] {
  return [...stalls].sort(
    (a, b) =>
      KIND_ORDER.get(a.kind)! - KIND_ORDER.get(b.kind)! ||
      cmp(a.cycleId, b.cycleId) ||
      cmp(a.unitCode, b.unitCode) ||
      (a.phase && b.phase ? comparePhases(a.phase, b.phase) : cmp(a.phase, b.phase)) ||
      cmp(a.workflowId, b.workflowId) ||
      cmp(a.activityType, b.activityType) ||
      cmp(a.since, b.since),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Temporal: running workflows

/** Cycle and unit named by a chuky workflow id (see domain/ids.ts and the inspection ids). */
export function parseWorkflowId(workflowId: string): { cycleId?: string; unitCode?: string } {
  let m = /^chuky\/unit\/([^/]+)\/([^/]+)$/.exec(workflowId);
  if (m) return { cycleId: m[1]!, unitCode: m[2]! };
  m = /^chuky\/inspection\/([^/]+)\/([^/]+)\/.+$/.exec(workflowId);
  if (m) return { cycleId: m[1]!, unitCode: m[2]! };
  m = /^chuky\/cycle\/([^/]+)$/.exec(workflowId);
  if (m) return { cycleId: m[1]! };
  return {};
}

const quote = (s: string): string => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/**
 * The visibility query for chuky's running workflows on the task queue, restricted to one cycle by id prefix:
 * unit and inspection workflow ids start with the cycle, the cycle's own id is exact. (Search attributes would
 * miss the cycle workflow, which sets none.)
 */
export function runningWorkflowsQuery(taskQueue: string, cycleId?: string): string {
  const base = `ExecutionStatus = "Running" AND TaskQueue = ${quote(taskQueue)}`;
  if (!cycleId) return `${base} AND WorkflowId STARTS_WITH "chuky/"`;
  return (
    `${base} AND (WorkflowId STARTS_WITH ${quote(`chuky/unit/${cycleId}/`)} OR WorkflowId ` +
    `STARTS_WITH ${quote(`chuky/inspection/${cycleId}/`)} OR WorkflowId ` +
    `= ${quote(`chuky/cycle/${cycleId}`)})`
  );
}

async function listRunning(client: Client, taskQueue: string, cycleId?: string): Promise<{ workflowId: string; runId: string }[]> {
  const out: { workflowId: string; runId: string }[] = [];
  const collect = async (query: string, keep: (id: string) => boolean) => {
    for await (const w of client.workflow.list({ query, pageSize: 1000 }))
      if (keep(w.workflowId)) out.push({ workflowId: w.workflowId, runId: w.runId });
  };
  try {
    await collect(runningWorkflowsQuery(taskQueue, cycleId), () => true);
  } catch (err) {
    // A visibility store without STARTS_WITH (older servers, some SQL stores) refuses the query: list the task
    // queue's running workflows and keep chuky's here instead.
    if (!/STARTS_WITH|invalid|not supported|unsupported/i.test(errorLine(err))) throw err;
    out.length = 0;
    const prefixes = cycleId ? [`chuky/unit/${cycleId}/`, `chuky/inspection/${cycleId}/`] : ['chuky/'];
    await collect(
      `ExecutionStatus = "Running" AND TaskQueue = ${quote(taskQueue)}`,
      (id) => prefixes.some((p) => id.startsWith(p)) || id === `chuky/cycle/${cycleId}`,
    );
  }
  return out;
}

interface HistoryFacts {
  /** activityId → when it was scheduled (ms) and its first argument (to name the phase). */
  scheduled: Map<string, { at?: number; input?: unknown }>;
  lastTaskFailure?: { at?: number; message: string };
}

/**
 * Reads the end of a workflow's history, newest first, a page at a time, until it has found what it was asked
 * for (the scheduling of the given activities, the last workflow-task failure) or read `maxEvents`. Activity
 * retries write no history, so the time an activity was scheduled is the earliest known moment of its trouble.
 */
async function readHistoryTail(
  deps: OpsDeps,
  workflowId: string,
  runId: string,
  want: { activityIds: Set<string>; taskFailure: boolean },
  maxEvents = 300,
): Promise<HistoryFacts> {
  const facts: HistoryFacts = { scheduled: new Map() };
  let nextPageToken: Uint8Array | undefined;
  let read = 0;
  const done = () =>
    [...want.activityIds].every((id) => facts.scheduled.has(id)) && (!want.taskFailure || facts.lastTaskFailure !== undefined);
  while (!done() && read < maxEvents) {
    const res = await deps.client.workflowService.getWorkflowExecutionHistoryReverse({
      namespace: deps.namespace,
      execution: { workflowId, runId },
      maximumPageSize: 50,
      ...(nextPageToken ? { nextPageToken } : {}),
    });
    const events = res.history?.events ?? [];
    for (const e of events) {
      const at = optionalTsToMs(e.eventTime);
      // The proto's EventType enum as its wire number, which ops/event-types.ts holds.
      const eventType: number | null | undefined = e.eventType;
      if (eventType === EventType.ActivityTaskScheduled) {
        const a = e.activityTaskScheduledEventAttributes;
        const id = a?.activityId ?? '';
        if (want.activityIds.has(id) && !facts.scheduled.has(id)) {
          let input: unknown;
          try {
            const first = a?.input?.payloads?.[0];
            input = first ? defaultPayloadConverter.fromPayload(first) : undefined;
          } catch {
            input = undefined; // an encrypted or foreign payload: the phase stays unknown
          }
          facts.scheduled.set(id, { ...(at !== undefined ? { at } : {}), input });
        }
      } else if (
        want.taskFailure &&
        !facts.lastTaskFailure &&
        (eventType === EventType.WorkflowTaskFailed || eventType === EventType.WorkflowTaskTimedOut)
      ) {
        const failure = e.workflowTaskFailedEventAttributes?.failure;
        const message =
          eventType === EventType.WorkflowTaskTimedOut
            ? 'workflow task timed out (a worker took it and did not complete it)'
            : firstLine(failure?.message || failure?.cause?.message || 'workflow task failed (no message)');
        facts.lastTaskFailure = { ...(at !== undefined ? { at } : {}), message };
      }
    }
    read += events.length;
    nextPageToken = res.nextPageToken && res.nextPageToken.length ? res.nextPageToken : undefined;
    if (!nextPageToken || events.length === 0) break;
  }
  return facts;
}

/** The visibility query for running workflows Temporal flags for failing workflow tasks (server 1.30+). */
export function reportedProblemsQuery(taskQueue: string, cycleId?: string): string {
  return `${runningWorkflowsQuery(taskQueue, cycleId)} AND TemporalReportedProblems IS NOT NULL`;
}

/**
 * The workflows worth describing: those with an activity the workers noted failing, and those Temporal flags for
 * failing workflow tasks; every running one when either source cannot answer, or when asked (`deep`).
 */
export async function workflowsToDescribe(
  deps: OpsDeps,
  q: StallQuery,
  kinds: Set<StallKind>,
): Promise<{ workflowId: string; runId: string; scan: 'flagged' | 'all' }[]> {
  const all = async () => (await listRunning(deps.client, deps.taskQueue, q.cycleId)).map((w) => ({ ...w, scan: 'all' as const }));
  if (q.deep) return all();
  const found = new Map<string, string>();
  if (kinds.has('activity-retrying')) {
    try {
      for (const w of await activityFailureCandidates(deps.db, deps.taskQueue, q.cycleId)) found.set(w.workflowId, w.runId);
    } catch {
      // PostgreSQL down (perhaps the very failure being retried, which the workers could not note): ask Temporal.
      return all();
    }
  }
  if (kinds.has('workflow-task-failing')) {
    try {
      for await (const w of deps.client.workflow.list({ query: reportedProblemsQuery(deps.taskQueue, q.cycleId), pageSize: 1000 }))
        found.set(w.workflowId, w.runId);
    } catch {
      // A server without the attribute (1.29 and older) or without STARTS_WITH refuses the query, and the SDK
      // says only "Failed to list workflows": describe every running workflow instead. If Temporal is down, that
      // fails too, with the scan's error.
      return all();
    }
  }
  return [...found].sort(([a], [b]) => cmp(a, b)).map(([workflowId, runId]) => ({ workflowId, runId, scan: 'flagged' as const }));
}

async function workflowStalls(deps: OpsDeps, q: StallQuery, kinds: Set<StallKind>): Promise<Stall[]> {
  const minAttempts = q.minAttempts ?? DEFAULT_MIN_ATTEMPTS;
  const candidates = await workflowsToDescribe(deps, q, kinds);
  const perWorkflow = await pMap(
    candidates,
    async ({ workflowId, runId }): Promise<Stall[]> => {
      let raw;
      try {
        const described = await deps.client.workflow.getHandle(workflowId, runId).describe();
        // A noted failure whose workflow has since ended (or continued as new: the new run notes its own).
        if (described.status.name !== 'RUNNING') return [];
        raw = described.raw;
      } catch (err) {
        // Finished (or deleted) between the list and the describe: nothing to report.
        if (/not ?found/i.test(errorLine(err))) return [];
        throw err;
      }
      const retrying = kinds.has('activity-retrying') ? (raw.pendingActivities ?? []).filter((a) => (a.attempt ?? 0) >= minAttempts) : [];
      const taskAttempt = raw.pendingWorkflowTask?.attempt ?? 0;
      const taskFailing = kinds.has('workflow-task-failing') && taskAttempt > 1;
      if (!retrying.length && !taskFailing) return [];

      const facts = await readHistoryTail(deps, workflowId, runId, {
        activityIds: new Set(retrying.map((a) => a.activityId ?? '')),
        taskFailure: taskFailing,
      });
      const ids = parseWorkflowId(workflowId);
      const url = temporalWorkflowUrl(deps.temporalUiUrl, deps.namespace, workflowId, runId);
      const common = { ...ids, workflowId, runId, ...(url ? { temporalUrl: url } : {}) };
      const out: Stall[] = [];
      for (const a of retrying) {
        const type = a.activityType?.name ?? 'activity';
        const scheduled = facts.scheduled.get(a.activityId ?? '');
        const input = scheduled?.input as { phase?: unknown; kind?: unknown } | undefined;
        const phase = typeof input?.phase === 'string' ? input.phase : undefined;
        const failure = firstLine(a.lastFailure?.message || a.lastFailure?.cause?.message || 'no failure message recorded');
        out.push({
          kind: 'activity-retrying',
          ...common,
          ...(phase ? { phase } : {}),
          attempt: a.attempt ?? 0,
          activityType: type,
          ...(scheduled?.at !== undefined ? { since: new Date(scheduled.at).toISOString() } : {}),
          cause: `${type} attempt ${a.attempt}: ${failure}`,
          causeVi: `${activityVi(type)}${phase ? ` (${phaseShort(phase)})` : ''}, lần thử ${a.attempt}: ${failure}`,
          repairs: REPAIRS['activity-retrying'],
        });
      }
      if (taskFailing) {
        const f = facts.lastTaskFailure;
        out.push({
          kind: 'workflow-task-failing',
          ...common,
          attempt: taskAttempt,
          ...(f?.at !== undefined ? { since: new Date(f.at).toISOString() } : {}),
          cause: `workflow task attempt ${taskAttempt}: ${f?.message ?? 'failing (the failure is not in the recent history)'}`,
          causeVi: `Workflow lỗi, lần thử ${taskAttempt}: ${f?.message ?? 'lỗi không có trong lịch sử gần đây'}`,
          repairs: REPAIRS['workflow-task-failing'],
        });
      }
      return out;
    },
    { concurrency: DESCRIBE_CONCURRENCY },
  );
  return perWorkflow.flat();
}

// ---------------------------------------------------------------------------------------------------------------
// Temporal: the task queue's pollers

async function workerStalls(deps: OpsDeps, q: StallQuery): Promise<Stall[]> {
  const grace = q.pollerGraceSeconds ?? DEFAULT_POLLER_GRACE_SECONDS;
  const now = Date.now();
  const missing = missingPollers(await describePollers(deps.client, deps.namespace, deps.taskQueue), grace, now);
  if (!missing.length) return [];
  const seen = missing.map((m) => m.lastSeen).filter((t): t is number => t !== undefined);
  // Since: the last poll seen (the worker stopped after it); unknown when the server remembers none.
  const since = seen.length ? Math.max(...seen) : undefined;
  const lastSeen =
    since !== undefined
      ? `; lần cuối thấy worker ` +
        `lúc ${new Date(since).toISOString().slice(11, 19)} ${viDate(new Date(since).toISOString().slice(0, 10))} (UTC)`
      : '';
  return [
    {
      kind: 'worker-missing',
      cause: describeMissing(deps.taskQueue, missing, now),
      causeVi: `Không có worker nào nhận việc ở hàng đợi ${deps.taskQueue}${lastSeen}`,
      ...(since !== undefined ? { since: new Date(since).toISOString() } : {}),
      repairs: REPAIRS['worker-missing'],
    },
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// PostgreSQL

const toIso = (ms: number): string => new Date(ms).toISOString();

/** One unit overdue (level 1–2) or not submitted (level 3), in a cycle that is not closed. */
async function overdueStalls(deps: OpsDeps, q: StallQuery): Promise<Stall[]> {
  const rows = await openOverdueObligations(deps.db, q.cycleId);
  const now = Date.now();
  return rows.map((r) => {
    const clock = r.clock;
    const days = daysOverdue(r.deadline, cycleCalendarNow(clock, null, now), r.timezone || 'Asia/Ho_Chi_Minh');
    const workflowId = unitWorkflowId(r.cycleId, r.unitCode);
    const url = temporalWorkflowUrl(deps.temporalUiUrl, deps.namespace, workflowId);
    const what = r.status === 'not_submitted' ? 'not submitted' : 'overdue';
    return {
      kind: 'overdue' as const,
      cycleId: r.cycleId,
      unitCode: r.unitCode,
      unitName: r.unitName,
      phase: r.phase,
      workflowId,
      level: r.escalationLevel,
      // The deadline passed at 00:00 local after its date, on the cycle's calendar; as a real instant.
      since: toIso(calendarToReal(clock, new Date(r.dueAt).getTime())),
      cause:
        `${r.phase} ${what}: ${days} day${days === 1 ? '' : 's'} past the deadline ${r.deadline}, ` +
        `level ${r.escalationLevel} (${LEVEL_TEXT[r.escalationLevel] ?? 'escalated'})`,
      causeVi:
        `${phaseShort(r.phase)}: ${r.status === 'not_submitted' ? 'không nộp, ' : ''}quá hạn ${days} ` +
        `ngày so với hạn ${viDate(r.deadline)}; ${(LEVEL_LABEL[r.escalationLevel] ?? `mức ${r.escalationLevel}`).replace(/^M/, 'm')}`,
      ...(url ? { temporalUrl: url } : {}),
      repairs: REPAIRS.overdue,
    };
  });
}

/** Emails the workers' relay has failed to send `minAttempts` times or more (workers/email-relay.ts). */
async function emailStalls(deps: OpsDeps, q: StallQuery): Promise<Stall[]> {
  const rows = await pendingEmailRequests(deps.db, q.cycleId, q.minAttempts ?? DEFAULT_MIN_ATTEMPTS);
  return rows.map((r) => {
    const url = temporalWorkflowUrl(deps.temporalUiUrl, deps.namespace, r.workflowId);
    const error = firstLine(r.lastError ?? 'no error recorded yet');
    const next = r.nextAttemptAt.toISOString().slice(11, 19);
    return {
      kind: 'email-retrying' as const,
      cycleId: r.cycleId,
      unitCode: r.unitCode,
      phase: r.phase,
      workflowId: r.workflowId,
      attempt: r.attempts,
      since: r.createdAt.toISOString(),
      cause: `${r.kind} email (email relay) attempt ${r.attempts}: ${error}; next attempt at ${next} UTC`,
      causeVi: `${phaseShort(r.phase)}: thư ${r.kind === 'receipt' ? 'xác nhận đã nhận' : r.kind} gửi lỗi ${r.attempts} lần (${error}); thử lại lúc ${next} (UTC)`,
      ...(url ? { temporalUrl: url } : {}),
      repairs: REPAIRS['email-retrying'],
    };
  });
}

/** Inspections whose remedy deadline passed without the unit's remedy report (their workflow's ladder runs). */
async function remedyStalls(deps: OpsDeps, q: StallQuery): Promise<Stall[]> {
  const rows = await remedyOverdueInspections(deps.db, q.cycleId);
  const now = Date.now();
  return rows.map((r) => {
    const clock = r.clock;
    const tz = r.timezone || 'Asia/Ho_Chi_Minh';
    const url = temporalWorkflowUrl(deps.temporalUiUrl, deps.namespace, r.id);
    const deadline = r.remedyDeadline;
    const days = deadline ? daysOverdue(deadline, cycleCalendarNow(clock, null, now), tz) : undefined;
    return {
      kind: 'remedy-overdue' as const,
      cycleId: r.cycleId,
      unitCode: r.unitCode,
      ...(r.unitName ? { unitName: r.unitName } : {}),
      phase: 'inspection-remedy',
      workflowId: r.id,
      level: r.escalationLevel,
      ...(deadline ? { since: toIso(calendarToReal(clock, localTimeToInstant(addDays(deadline, 1), 0, tz))) } : {}),
      causeVi:
        `Báo cáo khắc phục sau ${KIND_LABEL_VI[r.kind as InspectionKind] ?? r.kind} ` +
        `của ${BODY_LABEL_VI[r.body as InspectionBody] ?? r.body} quá ` +
        `hạn${days !== undefined ? ` ${days} ngày so với hạn khắc phục ${viDate(deadline)}` : ''}; ${(LEVEL_LABEL[r.escalationLevel] ?? `mức ${r.escalationLevel}`).replace(/^M/, 'm')}`,
      cause:
        `remedy report after ${r.kind} by ${r.body} ` +
        `overdue${days !== undefined ? ` ${days} day${days === 1 ? '' : 's'} past the remedy deadline ${deadline}` : ''}, ` +
        `level ${r.escalationLevel} (${LEVEL_TEXT[r.escalationLevel] ?? 'escalated'})`,
      ...(url ? { temporalUrl: url } : {}),
      repairs: REPAIRS['remedy-overdue'],
    };
  });
}

/**
 * The instant (on the cycle's calendar) of an obligation's last ladder step — level 3, "not submitted", at
 * 08:00 local time `level3AfterDays` after the deadline — as domain/schedule.ts plans it.
 */
export function ladderEndsAt(def: CycleDefinition, phase: string, deadline: string): number {
  const policy = phasePolicy(def, phase);
  return localTimeToInstant(addDays(deadline, policy.escalation.level3AfterDays), SEND_HOUR, def.timezone);
}

/**
 * A phase is blocked when units still owe it as 'pending' or 'overdue' after its ladder has run out: by then
 * each should be submitted, late, exempted or recorded as not submitted, so their workflows are not moving
 * (a worker missing, an activity failing, a workflow task failing) — or a unit never had the phase opened.
 * Each obligation is judged against its own deadline (an extension moves its ladder).
 */
async function phaseBlockedStalls(deps: OpsDeps, q: StallQuery): Promise<Stall[]> {
  const cycles = await openCycles(deps.db, q.cycleId);
  const now = Date.now();
  const out: Stall[] = [];
  for (const c of cycles) {
    const def = c.definition;
    const clock = c.clock;
    const ended = (calendarMs: number) => calendarToReal(clock, calendarMs) + PHASE_BLOCKED_GRACE_MS < now;
    // phase → units stuck, with their state and the earliest ladder end among them.
    const stuck = new Map<string, { units: { code: string; state: string }[]; endsAt: number }>();
    const add = (phase: string, code: string, state: string, endsAt: number) => {
      const s = stuck.get(phase) ?? { units: [], endsAt };
      s.units.push({ code, state });
      s.endsAt = Math.min(s.endsAt, endsAt);
      stuck.set(phase, s);
    };
    const open = await pendingObligationsOfSettledUnits(deps.db, c.id, PHASE_BLOCKED_GRACE_MS / 1000);
    for (const r of open) {
      const endsAt = ladderEndsAt(def, r.phase, r.deadline);
      if (ended(endsAt)) add(r.phase, r.unitCode, r.status, endsAt);
    }
    // Units with no row at all for a configured phase whose ladder (from the configured deadline) has run out.
    for (const p of unitPhases(def)) {
      const endsAt = ladderEndsAt(def, p.id, effectiveDeadline(p.deadline, def.calendar));
      if (!ended(endsAt)) continue;
      const never = await settledUnitsWithoutPhase(deps.db, c.id, p.id, PHASE_BLOCKED_GRACE_MS / 1000);
      for (const code of never) add(p.id, code, 'never opened', endsAt);
    }
    for (const [phase, s] of stuck) {
      s.units.sort((a, b) => cmp(a.code, b.code));
      const named = s.units
        .slice(0, NAMED_UNITS)
        .map((u) => `${u.code} (${u.state})`)
        .join(', ');
      const more = s.units.length > NAMED_UNITS ? ` and ${s.units.length - NAMED_UNITS} more` : '';
      const n = s.units.length;
      out.push({
        kind: 'phase-blocked',
        cycleId: c.id,
        phase,
        since: toIso(calendarToReal(clock, s.endsAt)),
        causeVi: `${n} đơn vị vẫn chưa nộp hoặc quá hạn dù các bước đôn đốc giai đoạn ${phaseShort(phase)} đã hết (mức 3 đến hạn ${viDate(toIso(s.endsAt).slice(0, 10))} theo lịch của chu kỳ): ${s.units
          .slice(0, NAMED_UNITS)
          .map((u) => `${u.code} (${u.state === 'never opened' ? 'chưa mở' : statusLong(u.state).toLowerCase()})`)
          .join(', ')}${s.units.length > NAMED_UNITS ? ` và ${s.units.length - NAMED_UNITS} đơn vị khác` : ''}`,
        cause:
          `${n} unit${n === 1 ? '' : 's'} still pending or overdue after the ${phase} ladder ran out ` +
          `(level 3 due ${toIso(s.endsAt).slice(0, 10)} on the cycle's calendar): ${named}${more}`,
        repairs: REPAIRS['phase-blocked'],
      });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------

/** Unit names for stalls found in Temporal (the database knows them); best effort, a missing name is no error. */
async function addUnitNames(deps: OpsDeps, stalls: Stall[]): Promise<void> {
  const missing = stalls.filter((s) => s.cycleId && s.unitCode && !s.unitName);
  if (!missing.length) return;
  try {
    const names = await unitNames(
      deps.db,
      missing.map((s) => ({ cycleId: s.cycleId!, unitCode: s.unitCode! })),
    );
    for (const s of missing) {
      const name = names.get(`${s.cycleId}/${s.unitCode}`);
      if (name) s.unitName = name;
    }
  } catch {
    // The database may be the very thing that is down; the stall is reported without the name.
  }
}

export { errorLine };
