/**
 * The actions on a unit's workflow that the API and the CLI share: parse with the same zod schema the workflow's
 * validator uses, send the Update, and turn a refusal into a plain Vietnamese message.
 */
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { DEFAULT_UPDATE_TIMEOUT_MS, UPDATE_TIMEOUT_ENV, loadUpdateTimeoutMs, type Env } from '../config/env.js';
import { unitWorkflowId } from '../domain/ids.js';
import {
  acknowledgePlanSchema,
  exemptSchema,
  extendDeadlineSchema,
  removeUnitSchema,
  submitSchema,
  parseOrThrow,
  InvalidSubmissionError,
  type Submit,
} from '../domain/submissions.js';
import { remindSchema, type ReminderResult } from '../domain/reminders.js';
import {
  acknowledgePlanUpdate,
  exemptUpdate,
  extendDeadlineUpdate,
  remindUpdate,
  removeUnitUpdate,
  submitUpdate,
  unitViewQuery,
  type ObligationView,
  type SubmissionReceipt,
  type UnitView,
} from '../workflows/messages.js';

export class ActionRefused extends Error {
  override name = 'ActionRefused';
  constructor(
    message: string,
    readonly httpStatus: number,
  ) {
    super(message);
  }
}

/**
 * How long an Update may wait for its workflow to answer (CHUKY_UPDATE_TIMEOUT_MS, default 30 s), as a gRPC
 * deadline over its calls. Without one the SDK re-sends an Update that no worker takes for as long as the caller
 * waits: a form post under load would hang past any proxy's timeout. Past it the SDK throws
 * WorkflowUpdateRPCTimeoutOrCancelledError, which the API and console answer 503 with Retry-After (api/busy.ts) and
 * the CLI with one line (engineBusyLine); the Update may still have been admitted, and the same request id sent
 * again is applied once.
 *
 * The value comes from the environment's schema (config/env.ts), not from process.env here. It is held by this one
 * setter/getter rather than threaded through every caller (the API, console, CLI, ops, registry and rehearsal all
 * send Updates through these functions): a program that has loaded its Env calls configureUpdateTimeout(env); until
 * one does (a test, a script), each call reads the variable through config's loadUpdateTimeoutMs, so a test may set it.
 */
export { DEFAULT_UPDATE_TIMEOUT_MS, UPDATE_TIMEOUT_ENV };

let configuredTimeoutMs: number | undefined;

/** Fixes the time limit from a loaded Env (its value, or the default); undefined: read the environment at each call again. */
export function configureUpdateTimeout(env: Pick<Env, 'updateTimeoutMs'> | undefined): void {
  configuredTimeoutMs = env === undefined ? undefined : (env.updateTimeoutMs ?? DEFAULT_UPDATE_TIMEOUT_MS);
}

/** The time limit in force, in milliseconds (a bad CHUKY_UPDATE_TIMEOUT_MS: ConfigError naming it). */
export function updateTimeoutMs(): number {
  return configuredTimeoutMs ?? loadUpdateTimeoutMs();
}

/** Runs `fn` (one Update) under the deadline above; the inspections' Updates use it too (client/inspection-actions.ts). */
export function withinUpdateTimeout<T>(client: Client, fn: () => Promise<T>): Promise<T> {
  return client.withDeadline(Date.now() + updateTimeoutMs(), fn);
}

/**
 * The one line an operator reads when Temporal did not confirm an Update in time (the CLI prints it; the repairs
 * keep it in the audit row). Honest about what is known: a timed-out Update may still be applied by a worker later.
 */
export function engineBusyLine(timeoutMs: number = updateTimeoutMs()): string {
  const seconds = Math.round(timeoutMs / 100) / 10;
  return (
    `Temporal did not answer within ${seconds} s (busy or no worker polling chuky's task queue); ` +
    'nothing was changed unless `chuky unit show` says so; try again'
  );
}

/**
 * A repair whose Update Temporal did not confirm (ops/repairs.ts), thrown after its audit row is written so that
 * each program answers "busy" its own way: the cause is the SDK's error, so api/busy.ts isEngineBusy takes it.
 */
export class EngineBusyError extends Error {
  override name = 'EngineBusyError';
  constructor(
    message: string,
    options: { cause: unknown },
    /** The audit row that records the attempt; 0 when none was written. */
    readonly auditId = 0,
  ) {
    super(message, options);
  }
}

/** Turns a refused request (bad input, a validator's refusal, a finished workflow) into an ActionRefused. */
export function translateRefusal(err: unknown): never {
  return translate(err);
}

function translate(err: unknown): never {
  if (err instanceof InvalidSubmissionError) throw new ActionRefused(err.message, 400);
  if (err instanceof WorkflowUpdateFailedError) {
    const cause = err.cause;
    if (cause instanceof ApplicationFailure) throw new ActionRefused(cause.message, 422);
    throw new ActionRefused(cause?.message ?? err.message, 422);
  }
  if (err instanceof WorkflowNotFoundError)
    throw new ActionRefused('Không tìm thấy đơn vị trong chu kỳ, hoặc chu kỳ của đơn vị đã kết thúc', 404);
  const message = err instanceof Error ? err.message : String(err);
  if (/already completed|workflow execution already completed/i.test(message)) {
    throw new ActionRefused('Chu kỳ của đơn vị đã kết thúc, không nhận thêm', 409);
  }
  throw err;
}

/**
 * The request with the moment the API received it, over any `sentAt` the caller sent (the workflow judges the
 * submission by it); anything but an object is left for the schema to refuse.
 */
function stamped(raw: unknown, now = Date.now()): unknown {
  return typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? { ...raw, sentAt: now } : raw;
}

export async function acknowledgePlan(client: Client, cycleId: string, unitCode: string, raw: unknown): Promise<SubmissionReceipt> {
  try {
    const args = parseOrThrow(acknowledgePlanSchema, stamped(raw));
    return await withinUpdateTimeout(client, () =>
      client.workflow
        .getHandle(unitWorkflowId(cycleId, unitCode))
        .executeUpdate(acknowledgePlanUpdate, { args: [args], updateId: args.requestId }),
    );
  } catch (err) {
    return translate(err);
  }
}

/**
 * Any phase's submission; the payload is checked by the phase's schema in the workflow's validator. `receivedAt`:
 * the moment of receipt on the server's clock (a rehearsal on a time-skipping server passes its own; default now).
 */
export async function submit(
  client: Client,
  cycleId: string,
  unitCode: string,
  raw: unknown,
  receivedAt?: number,
): Promise<SubmissionReceipt> {
  try {
    const args = parseOrThrow(submitSchema, stamped(raw, receivedAt));
    // The phase's schema (in the workflow) reads an object; anything else is named here, by its field.
    if (typeof args.payload !== 'object' || args.payload === null || Array.isArray(args.payload)) {
      throw new InvalidSubmissionError('payload: Nội dung báo cáo cần là một đối tượng JSON, ví dụ {"members": 120, "studied": 118}');
    }
    return await sendSubmission(client, cycleId, unitCode, args, args.sentAt);
  } catch (err) {
    return translate(err);
  }
}

/**
 * A submission the caller has already built and parsed (the web form: its payload is the phase schema's output,
 * its envelope made by the route from the signed link), stamped with the moment of receipt and sent as is; the
 * workflow's validator is the one check left on the way (api/routes/unit-forms.ts).
 */
export async function sendSubmission(
  client: Client,
  cycleId: string,
  unitCode: string,
  args: Omit<Submit, 'sentAt'>,
  receivedAt = Date.now(),
): Promise<SubmissionReceipt> {
  try {
    const stampedArgs: Submit = { ...args, sentAt: receivedAt };
    return await withinUpdateTimeout(client, () =>
      client.workflow
        .getHandle(unitWorkflowId(cycleId, unitCode))
        .executeUpdate(submitUpdate, { args: [stampedArgs], updateId: args.requestId }),
    );
  } catch (err) {
    return translate(err);
  }
}

export async function extendDeadline(client: Client, cycleId: string, unitCode: string, raw: unknown): Promise<ObligationView> {
  try {
    const args = parseOrThrow(extendDeadlineSchema, raw);
    return await withinUpdateTimeout(client, () =>
      client.workflow
        .getHandle(unitWorkflowId(cycleId, unitCode))
        .executeUpdate(extendDeadlineUpdate, { args: [args], updateId: args.requestId }),
    );
  } catch (err) {
    return translate(err);
  }
}

export async function exempt(client: Client, cycleId: string, unitCode: string, raw: unknown): Promise<ObligationView> {
  try {
    const args = parseOrThrow(exemptSchema, raw);
    return await withinUpdateTimeout(client, () =>
      client.workflow.getHandle(unitWorkflowId(cycleId, unitCode)).executeUpdate(exemptUpdate, { args: [args], updateId: args.requestId }),
    );
  } catch (err) {
    return translate(err);
  }
}

export async function removeUnit(client: Client, cycleId: string, unitCode: string, raw: unknown): Promise<UnitView> {
  try {
    const args = parseOrThrow(removeUnitSchema, raw);
    return await withinUpdateTimeout(client, () =>
      client.workflow
        .getHandle(unitWorkflowId(cycleId, unitCode))
        .executeUpdate(removeUnitUpdate, { args: [args], updateId: args.requestId }),
    );
  } catch (err) {
    return translate(err);
  }
}

/**
 * A manual reminder of one obligation, now: the unit's workflow decides what it is (a reminder with the days
 * left, or the overdue notice once the deadline has passed), sends it and records it; the same request id
 * sends it once (the workflow keeps the first result, and Temporal the Update's id).
 */
export async function remind(client: Client, cycleId: string, unitCode: string, raw: unknown): Promise<ReminderResult> {
  try {
    const args = parseOrThrow(remindSchema, raw);
    return await withinUpdateTimeout(client, () =>
      client.workflow.getHandle(unitWorkflowId(cycleId, unitCode)).executeUpdate(remindUpdate, { args: [args], updateId: args.requestId }),
    );
  } catch (err) {
    return translate(err);
  }
}

/** How long a view may wait for the workflow: a query no worker answers would otherwise hold its page up for long. */
export const VIEW_TIMEOUT_MS = 5_000;

/**
 * The live view from the workflow, or undefined when it has finished (the database then holds the record) or did not
 * answer within VIEW_TIMEOUT_MS (at most the Update's timeout): its callers do without it.
 */
export async function unitView(client: Client, cycleId: string, unitCode: string): Promise<UnitView | undefined> {
  try {
    return await client.withDeadline(Date.now() + Math.min(VIEW_TIMEOUT_MS, updateTimeoutMs()), () =>
      client.workflow.getHandle(unitWorkflowId(cycleId, unitCode)).query(unitViewQuery),
    );
  } catch {
    return undefined;
  }
}
