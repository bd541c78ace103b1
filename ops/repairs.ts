/**
 * Operator repairs: what Ban Tuyên giáo (or whoever runs chuky) does when a unit or a workflow needs a hand —
 * extend, exempt, record on the unit's behalf, remind now, retry a failing activity now, reset a workflow whose
 * task keeps failing, cancel a workflow.
 *
 * Every repair names an actor and a reason, and leaves exactly one row in the audit log (ops/audit.ts) with
 * its outcome: 'ok', 'refused' (nothing was done, and the message says why) or 'failed' (tried; it did not
 * work). A requestId makes a repeated request (a double click, a retried script) return the first result
 * without acting again: the first request holds an advisory lock on its id while it acts, and its audit row is
 * what a repeat finds.
 *
 * The unit repairs go through the same Temporal Updates as the API (client/unit-actions.ts), so they are validated by
 * the same schemas and the workflow records them like any other transition.
 *
 * An Update Temporal did not confirm in time (busy, or no worker polling) is the one outcome that is thrown after
 * its row is written ('failed', with the busy line), as an EngineBusyError: the console answers it 503, the CLI with
 * one line and a non-zero exit. That row keeps the request id in its details, not in its request_id column, so the
 * same request sent again acts again (the Update's id is the same: applied once) instead of returning the failure.
 */
import { createHash, randomUUID } from 'node:crypto';
import type pg from 'pg';
import { WorkflowNotFoundError, isGrpcServiceError, type Client } from '@temporalio/client';
import { isEngineBusy } from '../api/busy.js';
import { unitsWithObligations } from '../db/repair-preview.js';
import {
  ActionRefused,
  EngineBusyError,
  engineBusyLine,
  exempt,
  extendDeadline,
  remind as remindUnit,
  submit,
  updateTimeoutMs,
} from '../client/unit-actions.js';
import { remindRemedy, reportRemedy } from '../client/inspection-actions.js';
import { getCycle, getUnit } from '../db/cycles.js';
import { hasObligation, lockRequest, matchingUnitCodes, unitMembership, unlockRequest } from '../db/repairs.js';
import { openRemedyInspection } from '../db/inspections.js';
import type { Db } from '../db/pool.js';
import { unitWorkflowId } from '../domain/ids.js';
import { OBLIGATION_STATUSES, STATUS_LABEL_VI } from '../domain/obligation.js';
import { activityVi, phaseShort, viDate } from '../domain/words.js';
import { phaseSpec } from '../domain/phases/index.js';
import { auditByRequestId, recordAudit } from './audit.js';
import { EventType } from './event-types.js';
import {
  REPAIR_ACTIONS,
  type Actor,
  type AuditEntry,
  type OpsDeps,
  type RepairAction,
  type RepairRequest,
  type RepairResult,
  type UnitFilter,
} from './types.js';

/** A repair that must not act: the message goes to the caller and into the audit row as 'refused'. */
export class RepairRefused extends Error {
  override name = 'RepairRefused';
}

function refuse(message: string): never {
  throw new RepairRefused(message);
}

interface Outcome {
  message: string;
  data?: Record<string, unknown>;
}

interface Ctx {
  deps: OpsDeps;
  req: RepairRequest;
  reason: string;
  actor: Actor;
  /** The id the Temporal Update (or reset, or outbox key) carries: the caller's requestId, made to fit. */
  opId: string;
  target: RepairResult['target'];
}

// ---------------------------------------------------------------------------------------------------------------
// Entry points

export async function runRepair(deps: OpsDeps, r: RepairRequest): Promise<RepairResult> {
  return runOne(deps, r, {});
}

/**
 * The units of a cycle a bulk repair would touch, by unit code. Obligation conditions (phase, status, level)
 * match the obligations projection, so a phase that has not opened for a unit does not match it; units that
 * left the cycle never match.
 */
export async function matchUnits(db: Db, f: UnitFilter): Promise<string[]> {
  if (!f.cycleId) throw new Error('matchUnits: a cycle is required (--cycle)');
  const unknown = (f.status ?? []).filter((s) => !(OBLIGATION_STATUSES as readonly string[]).includes(s));
  if (unknown.length)
    throw new Error(`Unknown status ${unknown.map((s) => `"${s}"`).join(', ')}; statuses are ${OBLIGATION_STATUSES.join(', ')}`);
  return matchingUnitCodes(db, f);
}

/** A bulk preview: the units the filter selects, with their obligations (what `--dry-run` prints). */
export interface RepairPreviewUnit {
  unitCode: string;
  unitName: string;
  obligations: Array<{ phase: string; status: string; level: number; deadline: string }>;
}

export async function previewUnits(db: Db, filter: UnitFilter): Promise<RepairPreviewUnit[]> {
  const codes = await matchUnits(db, filter);
  const rows = await unitsWithObligations(db, filter.cycleId, codes, filter.phase);
  return codes.map((code) => {
    const own = rows.filter((r) => r.code === code);
    return {
      unitCode: code,
      unitName: own[0]?.name ?? '',
      obligations: own
        .filter((r) => r.phase)
        .map((r) => ({ phase: r.phase!, status: r.status!, level: r.escalationLevel!, deadline: r.deadline! })),
    };
  });
}

/** Actions that make sense over many units at once; 'record' needs each unit's own payload. */
const BULK_ACTIONS: ReadonlySet<RepairAction> = new Set(['extend', 'exempt', 'remind', 'retry', 'reset', 'cancel']);

/**
 * The same repair over every unit matching the filter: one audit row per unit, going on past a unit's refusal
 * or failure, each reported; stopping at a unit whose Update Temporal did not confirm (busy: the rest not tried). With a requestId, each unit's request id is `<requestId>/<unit>`, so repeating
 * the whole bulk request repeats nothing.
 */
export async function bulkRepair(deps: OpsDeps, f: UnitFilter, r: Omit<RepairRequest, 'unitCode'>): Promise<RepairResult[]> {
  if (!BULK_ACTIONS.has(r.action)) {
    return [
      await runOne(
        deps,
        { ...r, cycleId: f.cycleId },
        { bulk: { filter: f } },
        `"${r.action}" cannot be run over many units: each unit's submission is its own. Run it per unit (--unit).`,
      ),
    ];
  }
  const codes = await matchUnits(deps.db, f);
  const results: RepairResult[] = [];
  for (const [i, unitCode] of codes.entries()) {
    const req: RepairRequest = {
      ...r,
      cycleId: f.cycleId,
      unitCode,
      // A Temporal-level repair over units acts on each unit's own workflow.
      ...(r.action === 'retry' || r.action === 'reset' || r.action === 'cancel' ? { workflowId: unitWorkflowId(f.cycleId, unitCode) } : {}),
      ...((r.phase ?? f.phase) ? { phase: (r.phase ?? f.phase)! } : {}),
      ...(r.requestId ? { requestId: `${r.requestId}/${unitCode}` } : {}),
    };
    try {
      results.push(await runOne(deps, req, { bulk: { filter: f, index: i + 1, of: codes.length } }));
    } catch (err) {
      if (err instanceof EngineBusyError) {
        // Temporal did not confirm this unit's Update in time: the next units would each wait as long. Stop here,
        // recorded for this unit; the others are not tried (no audit row), and the same command again goes on.
        results.push({ action: r.action, ok: false, outcome: 'failed', message: err.message, auditId: err.auditId, target: targetOf(req) });
        for (const rest of codes.slice(i + 1)) {
          results.push({
            action: r.action,
            ok: false,
            outcome: 'refused',
            message: `Not tried: Temporal did not answer for ${unitCode}; run the same command again (same --request-id) to go on`,
            auditId: 0,
            target: { cycleId: f.cycleId, unitCode: rest, ...(req.phase ? { phase: req.phase } : {}) },
          });
        }
        break;
      }
      // Otherwise only the audit insert itself can throw here (the database is gone): report it and go on.
      results.push({
        action: r.action,
        ok: false,
        outcome: 'failed',
        message: `Không ghi được vào nhật ký: ${errorMessage(err)}`,
        auditId: 0,
        target: { cycleId: f.cycleId, unitCode, ...(req.phase ? { phase: req.phase } : {}) },
      });
    }
  }
  return results;
}

// ---------------------------------------------------------------------------------------------------------------
// One repair: check, lock by request id, act, record.

async function runOne(deps: OpsDeps, r: RepairRequest, extraDetails: Record<string, unknown>, refusal?: string): Promise<RepairResult> {
  const target = targetOf(r);
  const reason = (r.reason ?? '').normalize('NFC').trim();
  const actorId = (r.actor?.id ?? '').normalize('NFC').trim();
  // The audit log cannot hold a repair without a reason or an actor (the table refuses it), so these are
  // refused before anything else, and said plainly.
  if (!reason) {
    return notRecorded(
      r,
      target,
      'Cần ghi lý do (--reason): mọi thao tác sửa chữa được ghi vào nhật ký với người làm, thời điểm ' +
        'và lý do. Chưa làm gì. (A reason is required; nothing was done.)',
    );
  }
  if (!actorId) return notRecorded(r, target, 'Cần ghi người thực hiện (--actor). Chưa làm gì. (An actor is required; nothing was done.)');
  const actor: Actor = { id: actorId, role: r.actor.role || 'cli' };
  const requestId = r.requestId?.trim() || undefined;

  let lock: pg.PoolClient | undefined;
  try {
    if (requestId) {
      lock = await deps.db.connect();
      // Two identical requests at once: the second waits here for the first to finish, then finds its row.
      await lockRequest(lock, requestId);
      const first = await auditByRequestId(lock, requestId);
      if (first && sameRequest(first, r.action, target)) return fromAudit(first, true);
      if (first) {
        // The id was used for another repair: acting would break its promise, answering with the other
        // repair's result would mislead. Refused, and recorded without the (taken) request id.
        refusal =
          `Request id "${requestId}" was already used for ${first.action} ` +
          `on ${first.unitCode ?? first.workflowId ?? first.cycleId ?? '?'} (audit #${first.id}); use a ` +
          `new request id`;
        extraDetails = { ...extraDetails, requestIdConflict: { requestId, firstAuditId: first.id } };
      }
    }
    const ctx: Ctx = { deps, req: r, reason, actor, opId: operationId(requestId), target };
    let outcome: AuditEntry['outcome'] = 'ok';
    let result: Outcome;
    let busy: UpdateNotConfirmed | undefined;
    try {
      if (refusal) refuse(refusal);
      if (!(REPAIR_ACTIONS as readonly string[]).includes(r.action))
        refuse(`Unknown repair "${r.action}"; repairs are ${REPAIR_ACTIONS.join(', ')}`);
      result = await ACTIONS[r.action](ctx);
    } catch (err) {
      outcome = err instanceof RepairRefused || err instanceof ActionRefused ? 'refused' : 'failed';
      const data = (err as { data?: Record<string, unknown> } | null)?.data;
      if (err instanceof UpdateNotConfirmed) busy = err;
      result = {
        message: busy ? busy.auditMessage : outcome === 'refused' ? errorMessage(err) : `Thất bại (failed): ${errorMessage(err)}`,
        ...(data ? { data } : {}),
      };
    }
    if (busy) extraDetails = { ...extraDetails, engineBusy: { requestId: requestId ?? null, timeoutMs: busy.timeoutMs } };
    const entry = await recordAudit(lock ?? deps.db, {
      actor: actor.id,
      role: actor.role,
      action: r.action,
      cycleId: ctx.target.cycleId ?? null,
      unitCode: ctx.target.unitCode ?? null,
      phase: ctx.target.phase ?? null,
      workflowId: ctx.target.workflowId ?? null,
      reason,
      details: { request: requestDetails(r), ...extraDetails, ...(result.data ? { result: result.data } : {}) },
      outcome,
      message: result.message,
      // Not under a taken id (conflict), nor under an unconfirmed one (busy): sent again, that request must act.
      requestId: extraDetails.requestIdConflict || busy ? null : (requestId ?? null),
    });
    if (busy) throw new EngineBusyError(`${busy.line}  [audit #${entry.id}]`, { cause: busy.cause }, entry.id);
    return fromAudit(entry, false);
  } finally {
    if (lock) {
      await unlockRequest(lock, requestId!).catch(() => undefined);
      lock.release();
    }
  }
}

/** A repeat is the same action on the same target; the first row's columns say what that was. */
function sameRequest(first: AuditEntry, action: string, target: RepairResult['target']): boolean {
  const same = (a: string | null, b: string | undefined) => b === undefined || a === null || a === b;
  return (
    first.action === action &&
    same(first.cycleId, target.cycleId) &&
    same(first.unitCode, target.unitCode) &&
    same(first.phase, target.phase) &&
    same(first.workflowId, target.workflowId)
  );
}

function notRecorded(r: RepairRequest, target: RepairResult['target'], message: string): RepairResult {
  return { action: r.action, ok: false, outcome: 'refused', message, auditId: 0, target };
}

function fromAudit(e: AuditEntry, repeated: boolean): RepairResult {
  const data = e.details.result as Record<string, unknown> | undefined;
  return {
    action: e.action as RepairAction,
    ok: e.outcome === 'ok',
    outcome: e.outcome,
    message: repeated
      ? `${e.message ?? ''} (yêu cầu lặp lại ${e.requestId}: trả lại kết quả lần đầu, không làm lại)`.trim()
      : (e.message ?? ''),
    auditId: e.id,
    target: {
      ...(e.cycleId ? { cycleId: e.cycleId } : {}),
      ...(e.unitCode ? { unitCode: e.unitCode } : {}),
      ...(e.phase ? { phase: e.phase } : {}),
      ...(e.workflowId ? { workflowId: e.workflowId } : {}),
    },
    ...(data ? { data } : {}),
    ...(repeated ? { repeated: true } : {}),
  };
}

/** What the request asked, for the audit row (the reason and actor have their own columns). */
function requestDetails(r: RepairRequest): Record<string, unknown> {
  return {
    ...(r.until !== undefined ? { until: r.until } : {}),
    ...(r.note !== undefined ? { note: r.note } : {}),
    ...(r.payload !== undefined ? { payload: r.payload } : {}),
    ...(r.force ? { force: true } : {}),
  };
}

/** Who and where, as far as the request says; a workflow id names its cycle and unit too. */
function targetOf(r: RepairRequest): RepairResult['target'] {
  const fromId = r.workflowId ? parseWorkflowId(r.workflowId) : {};
  const cycleId = r.cycleId ?? fromId.cycleId;
  const unitCode = r.unitCode ?? fromId.unitCode;
  const workflowId =
    r.workflowId ??
    (['retry', 'reset', 'cancel'].includes(r.action) && cycleId && unitCode ? unitWorkflowId(cycleId, unitCode) : undefined);
  return {
    ...(cycleId ? { cycleId } : {}),
    ...(unitCode ? { unitCode } : {}),
    ...(r.phase ? { phase: r.phase } : {}),
    ...(workflowId ? { workflowId } : {}),
  };
}

export function parseWorkflowId(id: string): { kind?: 'cycle' | 'unit' | 'inspection'; cycleId?: string; unitCode?: string } {
  const parts = id.split('/');
  if (parts[0] !== 'chuky') return {};
  if (parts[1] === 'cycle' && parts[2]) return { kind: 'cycle', cycleId: parts[2] };
  if (parts[1] === 'unit' && parts[2] && parts[3]) return { kind: 'unit', cycleId: parts[2], unitCode: parts[3] };
  if (parts[1] === 'inspection' && parts[2] && parts[3]) return { kind: 'inspection', cycleId: parts[2], unitCode: parts[3] };
  return {};
}

/** The workflows' schemas take request ids of 8 to 100 characters; any other id is hashed into that shape. */
function operationId(requestId: string | undefined): string {
  if (!requestId) return randomUUID();
  if (requestId.length >= 8 && requestId.length <= 100) return requestId;
  return `req-${createHash('sha256').update(requestId).digest('hex').slice(0, 40)}`;
}

/** The actor as the workflows record it: 'operator:<name>', through the CLI or the web console. */
function workflowActor(a: Actor): { id: string; via: 'cli' | 'web' | 'api' } {
  return { id: a.id.includes(':') ? a.id : `operator:${a.id}`, via: a.role === 'cli' ? 'cli' : a.role === 'api' ? 'api' : 'web' };
}

function errorMessage(err: unknown): string {
  if (isGrpcServiceError(err)) return `${grpcCodeName(err.code)}: ${err.details || err.message}`;
  return err instanceof Error ? err.message : String(err);
}

const GRPC_CODES = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
];
const grpcCodeName = (code: number | undefined): string => (code !== undefined ? (GRPC_CODES[code] ?? `gRPC ${code}`) : 'gRPC error');

/**
 * An Update that Temporal did not confirm within the Updates' time limit (client/unit-actions.ts, the same as the
 * API's), or turned away for load: whether it was applied is not known, so runOne records it and throws.
 */
class UpdateNotConfirmed extends Error {
  override name = 'UpdateNotConfirmed';
  /** For the CLI: English, one line. */
  readonly line: string;
  /** For the audit row, read in the console too: Vietnamese, then the English line (as the repairs' other refusals). */
  readonly auditMessage: string;
  constructor(
    readonly timeoutMs: number,
    cause: unknown,
  ) {
    const line = engineBusyLine(timeoutMs);
    super(line, { cause });
    this.line = line;
    this.auditMessage =
      `Thất bại (failed): Temporal không trả lời trong ${Math.round(timeoutMs / 100) / 10} giây (đang bận, hoặc không có worker nhận việc); ` +
      `chưa thay đổi gì trừ khi hồ sơ của đơn vị cho thấy đã làm; hãy làm lại (cùng mã yêu cầu chỉ làm một lần). (${line})`;
  }
}

/** Each Update has its time limit in client/; here a busy answer becomes UpdateNotConfirmed (and nothing else does). */
async function viaUpdate<T>(_ctx: Ctx, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isEngineBusy(err)) throw new UpdateNotConfirmed(updateTimeoutMs(), err);
    throw err;
  }
}

function need<T>(value: T | undefined | null, what: string): T {
  if (value === undefined || value === null || value === '') refuse(`Thiếu ${what}`);
  return value;
}

function unitTarget(ctx: Ctx): { cycleId: string; unitCode: string; phase: string } {
  return {
    cycleId: need(ctx.req.cycleId, 'chu kỳ (--cycle)'),
    unitCode: need(ctx.req.unitCode, 'đơn vị (--unit)'),
    phase: need(ctx.req.phase, 'giai đoạn (--phase)'),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The repairs

const ACTIONS: Record<RepairAction, (ctx: Ctx) => Promise<Outcome>> = {
  async extend(ctx) {
    const { cycleId, unitCode, phase } = unitTarget(ctx);
    const until = need(ctx.req.until, 'hạn mới (--until YYYY-MM-DD)');
    const view = await viaUpdate(ctx, () =>
      extendDeadline(ctx.deps.client, cycleId, unitCode, {
        phase,
        newDeadline: until,
        reason: ctx.reason,
        actor: workflowActor(ctx.actor),
        requestId: ctx.opId,
      }),
    );
    return {
      message: `Đã gia hạn: ${unitCode} — ${phaseShort(phase)} nay hạn ${viDate(view.deadline)}; nhắc hạn và đôn đốc tính lại từ hạn mới`,
      data: { obligation: view },
    };
  },

  async exempt(ctx) {
    const { cycleId, unitCode, phase } = unitTarget(ctx);
    const view = await viaUpdate(ctx, () =>
      exempt(ctx.deps.client, cycleId, unitCode, { phase, reason: ctx.reason, actor: workflowActor(ctx.actor), requestId: ctx.opId }),
    );
    return { message: `Đã miễn: ${unitCode} — ${phaseShort(phase)} (${STATUS_LABEL_VI[view.status]})`, data: { obligation: view } };
  },

  async record(ctx) {
    const { cycleId, unitCode, phase } = unitTarget(ctx);
    if (ctx.req.payload === undefined || ctx.req.payload === null)
      refuse('Thiếu nội dung bản nộp (--payload JSON, như biểu mẫu của giai đoạn gửi)');
    const unit = await getUnit(ctx.deps.db, cycleId, unitCode);
    if (!unit) refuse(`Chu kỳ ${cycleId} không có đơn vị ${unitCode}`);
    const { payload, noteInPayload } = withNote(phase, ctx.req.payload, ctx.req.note, { members: unit.members });
    const submission = { phase, payload, actor: workflowActor(ctx.actor), requestId: ctx.opId };
    let receipt;
    if (phase === 'inspection-remedy') {
      // A remedy report belongs to the inspection's workflow, not the unit's.
      const inspectionId = ctx.req.workflowId ?? (await openRemedyInspection(ctx.deps.db, cycleId, unitCode))?.id;
      if (!inspectionId) refuse(`${unitCode} không có đợt kiểm tra nào đang chờ báo cáo khắc phục`);
      ctx.target = { ...ctx.target, workflowId: inspectionId };
      receipt = await viaUpdate(ctx, () => reportRemedy(ctx.deps.client, inspectionId, submission));
    } else {
      receipt = await viaUpdate(ctx, () => submit(ctx.deps.client, cycleId, unitCode, submission));
    }
    const note = ctx.req.note?.trim();
    return {
      message:
        `Đã ghi nhận thay đơn vị: ${unitCode} — ${phaseShort(phase)} ` +
        `lần ${receipt.version}, ${STATUS_LABEL_VI[receipt.status]}${receipt.late ? ' (nộp chậm)' : ''}${note ? (noteInPayload ? '; ghi chú lưu cả trong bản nộp' : '; ghi chú lưu trong nhật ký (biểu mẫu không có chỗ cho nó)') : ''}`,
      data: { receipt, noteInPayload },
    };
  },

  async remind(ctx) {
    const { cycleId, unitCode, phase } = unitTarget(ctx);
    return remind(ctx, cycleId, unitCode, phase);
  },

  async retry(ctx) {
    const workflowId = workflowOf(ctx);
    const { description } = await describeRunning(ctx.deps.client, workflowId);
    const pending = description.raw.pendingActivities ?? [];
    const retrying = pending.filter((a) => (a.attempt ?? 0) > 1);
    if (!retrying.length) {
      refuse(
        pending.length
          ? `Không có tác vụ nào của ${workflowId} đang thử lại (đang ` +
              `chờ: ${pending.map((a) => `${activityVi(a.activityType?.name ?? '').toLowerCase()} lần thử ${a.attempt}`).join(', ')}); ` +
              `không có gì để chạy lại`
          : `${workflowId} không có tác vụ nào đang chờ; không có gì để chạy lại`,
      );
    }
    const done: {
      activityId?: string | null;
      activityType: string;
      attempt?: number | null;
      lastFailure: string | null;
      nextAttemptAt: string | null;
    }[] = [];
    for (const a of retrying) {
      const info = {
        activityId: a.activityId,
        activityType: a.activityType?.name ?? '',
        attempt: a.attempt,
        lastFailure: a.lastFailure?.message ?? null,
        nextAttemptAt: tsToIso(a.nextAttemptScheduleTime),
      };
      try {
        await resetActivity(ctx, workflowId, description.runId, a.activityId ?? '');
      } catch (err) {
        if (isGrpcServiceError(err) && [12, 7, 9, 3].includes(err.code)) {
          // UNIMPLEMENTED, PERMISSION_DENIED, FAILED_PRECONDITION, INVALID_ARGUMENT: this server will not do it.
          refuse(
            `Máy chủ Temporal không cho chạy lại ngay ${activityVi(info.activityType).toLowerCase()} ` +
              `của ${workflowId} (${errorMessage(err)}). ` +
              `Tác vụ vẫn tự thử lại theo lịch: lần thử ${info.attempt}, lần tới ${viInstant(info.nextAttemptAt)}` +
              (info.lastFailure ? `; lỗi gần nhất: ${info.lastFailure}` : ''),
          );
        }
        throw err;
      }
      done.push(info);
    }
    const first = done[0]!;
    return {
      message:
        `Đã chạy lại ngay: ${done.map((d) => `${activityVi(d.activityType).toLowerCase()} (lần thử ${d.attempt}${d.lastFailure ? `, lỗi gần nhất: ${d.lastFailure}` : ''})`).join('; ')} ` +
        `của ${workflowId}${done.length > 1 ? '' : `; theo lịch lẽ ra thử lại lúc ${viInstant(first.nextAttemptAt)}`}`,
      data: { workflowId, runId: description.runId, activities: done },
    };
  },

  async reset(ctx) {
    const workflowId = workflowOf(ctx);
    const { handle, description } = await describeRunning(ctx.deps.client, workflowId);
    const history = await handle.fetchHistory();
    const point = resetPoint(history.events ?? []);
    if ('refusal' in point) refuse(`${workflowId}: ${point.refusal}`);
    const { completedEventId, failedEventId, failure } = point;
    const response = await ctx.deps.client.workflowService.resetWorkflowExecution({
      namespace: ctx.deps.namespace,
      workflowExecution: { workflowId, runId: description.runId },
      reason: `${ctx.reason} (chuky reset by ${ctx.actor.id})`,
      // An int64 field typed as Long; protobufjs encodes a plain number the same (event ids stay far below 2^53).
      workflowTaskFinishEventId: completedEventId as unknown as NonNullable<
        Parameters<Client['workflowService']['resetWorkflowExecution']>[0]['workflowTaskFinishEventId']
      >,
      // The server keeps the request id: the same reset asked twice resets once.
      requestId: ctx.opId,
    });
    return {
      message:
        `Đã đặt lại ${workflowId} về sự kiện ${completedEventId} (bước xử lý cuối cùng hoàn tất trước ` +
        `lỗi ở sự kiện ${failedEventId}${failure ? `: ${failure}` : ''}); lần chạy ` +
        `mới ${response.runId}`,
      data: {
        workflowId,
        previousRunId: description.runId,
        runId: response.runId,
        resetToEventId: completedEventId,
        failedEventId,
        failure,
      },
    };
  },

  async cancel(ctx) {
    const workflowId = workflowOf(ctx);
    const kind = parseWorkflowId(workflowId).kind;
    if (kind === 'cycle' && !ctx.req.force) {
      refuse(
        `Không hủy workflow của chu kỳ (${workflowId}) nếu không có --force: hủy nó thì chu kỳ không ` +
          `đóng, các đơn vị không được đóng, dữ liệu năm không được chốt (freeze) và không lập được báo cáo. ` +
          'Để kết thúc năm, dùng `chuky cycle close --cycle … --reason …`; chỉ dùng --force để bỏ hẳn một chu kỳ khởi tạo nhầm.',
      );
    }
    const { handle, description } = await describeRunning(ctx.deps.client, workflowId);
    await handle.cancel();
    // The workflow acts on the request at its next task; wait a little so the answer says how it ended.
    let status = 'RUNNING';
    for (let i = 0; i < 20 && status === 'RUNNING'; i++) {
      await new Promise((r) => setTimeout(r, 250));
      status = (await handle.describe()).status.name;
    }
    return {
      message:
        status === 'RUNNING'
          ? `Cancellation of ${workflowId} requested; it is still running (is a worker polling ${description.taskQueue}?)`
          : `Cancelled ${workflowId} (now ${status})`,
      data: { workflowId, runId: description.runId, status },
    };
  },
};

/**
 * ResetActivity: the attempt count starts again and an activity waiting for its next retry is scheduled at
 * once — "retry now", without touching the workflow's code or history. Servers that dropped the deprecated
 * ResetActivity for ResetActivityExecution get that instead.
 */
async function resetActivity(ctx: Ctx, workflowId: string, runId: string, activityId: string): Promise<void> {
  const service = ctx.deps.client.workflowService;
  const identity = `chuky-ops:${ctx.actor.id}`;
  try {
    await service.resetActivity({
      namespace: ctx.deps.namespace,
      execution: { workflowId, runId },
      identity,
      id: activityId,
      resetHeartbeat: true,
    });
  } catch (err) {
    // 12: UNIMPLEMENTED (a server without the deprecated call).
    if (!(isGrpcServiceError(err) && Number(err.code) === 12) || typeof service.resetActivityExecution !== 'function') throw err;
    await service.resetActivityExecution({
      namespace: ctx.deps.namespace,
      workflowId,
      runId,
      activityId,
      identity,
      resetHeartbeat: true,
      resourceId: `workflow:${workflowId}`,
      requestId: `${ctx.opId}/${activityId}`,
    });
  }
}

function workflowOf(ctx: Ctx): string {
  const id = ctx.req.workflowId ?? (ctx.req.cycleId && ctx.req.unitCode ? unitWorkflowId(ctx.req.cycleId, ctx.req.unitCode) : undefined);
  if (!id) refuse('Thiếu workflow (--workflow ID, hoặc --cycle và --unit cho workflow của đơn vị)');
  ctx.target = { ...ctx.target, workflowId: id };
  return id;
}

async function describeRunning(client: Client, workflowId: string) {
  const handle = client.workflow.getHandle(workflowId);
  let description;
  try {
    description = await handle.describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) refuse(`Không có workflow ${workflowId} trên namespace Temporal này`);
    throw err;
  }
  if (description.status.name !== 'RUNNING') refuse(`${workflowId} không còn chạy (${description.status.name}); không có gì để làm`);
  return { handle, description: description };
}

/** The few fields of a history event the reset reads (a plain shape, so a test can write events by hand). */
interface HistoryEvent {
  eventId?: unknown;
  eventType?: number | null;
  workflowTaskFailedEventAttributes?: { failure?: { message?: string | null } | null } | null;
}
interface ResetPoint {
  completedEventId: number;
  failedEventId: number;
  failure: string | null;
}

/**
 * Where to reset a workflow whose task keeps failing: the last WorkflowTaskCompleted before the first
 * WorkflowTaskFailed of the current run of failures (a failure that a later completed task got past is
 * history, not the problem).
 */
/** An instant as people in the committee read it ("08:00 06/12/2026"), or "chưa rõ". */
function viInstant(iso: string | null | undefined): string {
  if (!iso) return 'chưa rõ';
  const parts = new Intl.DateTimeFormat('vi-VN', {
    timeZone: 'Asia/Ho_Chi_Minh',
    hour: '2-digit',
    minute: '2-digit',
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    hour12: false,
  }).formatToParts(new Date(iso));
  const part = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `${part('hour')}:${part('minute')} ${part('day')}/${part('month')}/${part('year')}`;
}

export function resetPoint(events: HistoryEvent[]): ResetPoint | { refusal: string } {
  let lastCompleted: number | undefined;
  let streak: ResetPoint | undefined;
  let recoveredFrom: number | undefined;
  for (const e of events) {
    const id = Number(e.eventId);
    if (e.eventType === EventType.WorkflowTaskCompleted) {
      if (streak) recoveredFrom = streak.failedEventId;
      streak = undefined;
      lastCompleted = id;
    } else if (e.eventType === EventType.WorkflowTaskFailed && !streak) {
      if (lastCompleted === undefined)
        return { refusal: `its first workflow task failed (event ${id}); there is no completed task to reset to` };
      streak = {
        completedEventId: lastCompleted,
        failedEventId: id,
        failure: e.workflowTaskFailedEventAttributes?.failure?.message ?? null,
      };
    }
  }
  if (streak) return streak;
  return {
    refusal:
      recoveredFrom !== undefined
        ? `its workflow tasks are not failing now (a failure at event ${recoveredFrom} was got past); nothing to reset`
        : 'no workflow task has failed; nothing to reset',
  };
}

function tsToIso(ts: { seconds?: unknown; nanos?: number | null } | null | undefined): string | null {
  if (!ts || ts.seconds === undefined || ts.seconds === null) return null;
  return new Date(Number(ts.seconds) * 1000 + Math.floor((ts.nanos ?? 0) / 1e6)).toISOString();
}

/**
 * The operator's note goes into the payload only where the phase's own schema has a `note` and accepts it
 * there (appended to the unit's own note); otherwise the payload is left exactly as given and the note lives
 * in the audit row. No field the schema would refuse is ever invented.
 */
function withNote(
  phase: string,
  payload: unknown,
  note: string | undefined,
  facts: { members: number },
): { payload: unknown; noteInPayload: boolean } {
  const text = note?.normalize('NFC').trim();
  if (!text || typeof payload !== 'object' || payload === null || Array.isArray(payload)) return { payload, noteInPayload: false };
  let schema;
  try {
    schema = phaseSpec(phase).schema(facts);
  } catch {
    return { payload, noteInPayload: false };
  }
  const own = (payload as Record<string, unknown>).note;
  const combined = typeof own === 'string' && own.trim() ? `${own.trim()}\n${text}` : text;
  const candidate = { ...(payload as Record<string, unknown>), note: combined };
  const parsed = schema.safeParse(candidate);
  const kept =
    parsed.success &&
    typeof (parsed.data as Record<string, unknown>).note === 'string' &&
    ((parsed.data as Record<string, unknown>).note as string).includes(text);
  return kept ? { payload: candidate, noteInPayload: true } : { payload, noteInPayload: false };
}

/**
 * Reminds the unit of one obligation now, through the unit's workflow (the `remind` Update), or, for the remedy
 * report after an inspection, through the inspection's open workflow (`remindRemedy`): its ladder decides
 * what is sent (a reminder with the days left, or, past the deadline, the overdue notice), sends it under its
 * own key `<cycle>/<unit>/<phase>/reminder-manual@<requestId>` (an inspection's: `<cycle>/<unit>/inspection-
 * <kind>-<body>/reminder-manual@<requestId>`) and records a 'manual_reminder' event (the inspection's:
 * 'inspection_manual_reminder') with who asked and why. The request id is the Update's: repeating the request sends nothing more. What the database
 * can say first (no such cycle or unit, a closed year, a phase not yet open for the unit) is refused here in
 * those words; the workflow refuses the rest (an obligation already closed) with its own.
 */
async function remind(ctx: Ctx, cycleId: string, unitCode: string, phase: string): Promise<Outcome> {
  const { db, client } = ctx.deps;
  const cycle = await getCycle(db, cycleId);
  if (!cycle) refuse(`Không có chu kỳ ${cycleId}`);
  if (cycle.status === 'closed') refuse(`Chu kỳ ${cycleId} đã kết thúc; không nhắc nữa`);
  const membership = await unitMembership(db, cycleId, unitCode);
  if (!membership) refuse(`Chu kỳ ${cycleId} không có đơn vị ${unitCode}`);
  if (!membership.inCycle) refuse(`${unitCode} không còn trong chu kỳ ${cycleId}`);
  const args = { phase, requestId: ctx.opId, actor: workflowActor(ctx.actor), reason: ctx.reason };
  let sent;
  if (phase === 'inspection-remedy') {
    // The remedy report's reminders belong to the inspection's workflow (its `remindRemedy` Update), whose
    // remedies' ladder decides reminder or overdue notice, as the unit's does for its obligations.
    const inspectionId = ctx.req.workflowId ?? (await openRemedyInspection(db, cycleId, unitCode))?.id;
    if (!inspectionId) refuse(`Không nhắc được báo cáo khắc phục của ${unitCode}: không có đợt kiểm tra nào đang chờ báo cáo này`);
    ctx.target = { ...ctx.target, workflowId: inspectionId };
    sent = await viaUpdate(ctx, () => remindRemedy(client, inspectionId, args));
  } else {
    if (!(await hasObligation(db, cycleId, unitCode, phase))) {
      refuse(`${unitCode} chưa có nghĩa vụ “${phaseShort(phase)}” đang mở (giai đoạn chưa mở, hoặc không có giai đoạn này); không nhắc`);
    }
    sent = await viaUpdate(ctx, () => remindUnit(client, cycleId, unitCode, args));
  }
  const data = {
    emailKey: sent.emailKey,
    emailKind: sent.kind,
    messageId: sent.messageId,
    to: sent.to,
    sendStatus: sent.status,
    deadline: sent.deadline,
    days: sent.days,
  };
  if (sent.status === 'bounced')
    throw Object.assign(
      new Error(`thư nhắc không gửi được tới ${sent.to.join(', ')} (máy chủ thư từ chối hẳn); sửa địa chỉ của đơn vị rồi nhắc lại`),
      { data },
    );
  const what =
    sent.kind === 'overdue' ? `thông báo quá hạn (${sent.days} ngày)` : `nhắc hạn (còn ${sent.days} ngày, hạn ${viDate(sent.deadline)})`;
  return {
    message:
      `${sent.status === 'already_sent' ? 'Đã gửi từ trước (cùng yêu cầu), không gửi lại' : 'Đã gửi'} ${what} ` +
      `cho ${unitCode} — ${phaseShort(phase)}, tới ${sent.to.join(', ')}`,
    data,
  };
}
