/**
 * Starting and driving inspections (kiểm tra, giám sát), shared by the API and the CLI. An inspection's
 * workflow id comes from cycle, unit, kind and body, so starting the same inspection twice finds the first.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import type { z } from 'zod';
import type { Db } from '../db/pool.js';
import { getCycle, getUnit } from '../db/cycles.js';
import { phasePolicy } from '../config/phase-lookup.js';
import {
  closeInspectionSchema,
  concludeSchema,
  findingsSchema,
  inspectionWorkflowId,
  scheduleInspectionSchema,
  startInspectionSchema,
} from '../domain/inspections.js';
import { parseOrThrow } from '../domain/submissions.js';
import { remindSchema, type ReminderResult } from '../domain/reminders.js';
import {
  closeInspectionUpdate,
  concludeInspectionUpdate,
  inspectionViewQuery,
  recordFindingsUpdate,
  remindRemedyUpdate,
  reportRemedyUpdate,
  scheduleInspectionUpdate,
  type InspectionView,
  type SubmissionReceipt,
} from '../workflows/messages.js';
import type { InspectionWorkflowInput } from '../domain/workflow-io.js';
import { ActionRefused, translateRefusal, withinUpdateTimeout } from './unit-actions.js';
import { startInspectionWorkflow } from './starts.js';

export async function startInspection(
  deps: { db: Db; client: Client; taskQueue: string },
  cycleId: string,
  raw: unknown,
): Promise<{ inspectionId: string; started: boolean }> {
  let args;
  try {
    args = parseOrThrow(startInspectionSchema, raw);
  } catch (err) {
    return translateRefusal(err);
  }
  const cycle = await getCycle(deps.db, cycleId);
  if (!cycle) throw new ActionRefused(`Không có chu kỳ ${cycleId}`, 404);
  if (!(await getUnit(deps.db, cycleId, args.unitCode))) throw new ActionRefused(`Chu kỳ ${cycleId} không có đơn vị ${args.unitCode}`, 404);
  const def = cycle.definition;
  const inspectionId = inspectionWorkflowId(cycleId, args.unitCode, args.kind, args.body);
  const input: InspectionWorkflowInput = {
    inspectionId,
    cycleId,
    unitCode: args.unitCode,
    kind: args.kind,
    body: args.body,
    origin: args.origin,
    reason: args.reason,
    actor: args.actor.id,
    timeZone: def.timezone,
    calendar: def.calendar,
    clock: cycle.clock,
    remedyPolicy: phasePolicy(def, 'inspection-remedy'),
  };
  const { started } = await startInspectionWorkflow(deps.client, { taskQueue: deps.taskQueue, input });
  return { inspectionId, started };
}

export type InspectionAction = 'schedule' | 'findings' | 'conclude' | 'close';

/**
 * One action's Update, its arguments parsed with the schema its validator parses them with, so a bad request is
 * refused here by its field (as the unit's actions are) and the Update's argument type is the schema's.
 */
async function send<Args>(
  client: Client,
  inspectionId: string,
  update: UpdateDefinition<InspectionView, [Args & { requestId: string }]>,
  schema: z.ZodType<Args & { requestId: string }>,
  raw: unknown,
): Promise<InspectionView> {
  const args = parseOrThrow(schema, raw);
  // The unit Updates' time limit (CHUKY_UPDATE_TIMEOUT_MS): past it, "busy" (503, the CLI's line), not a hang.
  return withinUpdateTimeout(client, () =>
    client.workflow.getHandle(inspectionId).executeUpdate(update, { args: [args], updateId: args.requestId }),
  );
}

export async function actOnInspection(
  client: Client,
  inspectionId: string,
  action: InspectionAction,
  raw: Record<string, unknown>,
): Promise<InspectionView> {
  try {
    switch (action) {
      case 'schedule':
        return await send(client, inspectionId, scheduleInspectionUpdate, scheduleInspectionSchema, raw);
      case 'findings':
        return await send(client, inspectionId, recordFindingsUpdate, findingsSchema, raw);
      case 'conclude':
        return await send(client, inspectionId, concludeInspectionUpdate, concludeSchema, raw);
      case 'close':
        return await send(client, inspectionId, closeInspectionUpdate, closeInspectionSchema, raw);
      default:
        throw new ActionRefused(
          `Không có thao tác “${String(action satisfies never)}” với đợt kiểm tra; các thao tác: schedule, findings, conclude, close`,
          404,
        );
    }
  } catch (err) {
    return translateRefusal(err);
  }
}

export async function reportRemedy(
  client: Client,
  inspectionId: string,
  raw: { phase: string; payload: unknown; actor: { id: string; via: 'web' | 'cli' | 'api' | 'system' }; requestId: string },
): Promise<SubmissionReceipt> {
  try {
    // Stamped with the moment of receipt, over anything the caller sent: the inspection judges a remedy report
    // late or on time by it (patched 'remedy-judged-by-sent-time'), as the unit workflow judges a submission.
    return await withinUpdateTimeout(client, () =>
      client.workflow
        .getHandle(inspectionId)
        .executeUpdate(reportRemedyUpdate, { args: [{ ...raw, sentAt: Date.now() }], updateId: raw.requestId }),
    );
  } catch (err) {
    return translateRefusal(err);
  }
}

/**
 * A manual reminder of the inspection's remedy report, now (phase 'inspection-remedy'): the inspection's workflow
 * decides what it is (a reminder with the days left, or the overdue notice once the remedy deadline has passed),
 * sends it and records it; the same request id sends it once (the workflow keeps the first result, and Temporal
 * the Update's id). Checked here with the schema the workflow's validator uses, so a bad request is refused by field.
 */
export async function remindRemedy(client: Client, inspectionId: string, raw: unknown): Promise<ReminderResult> {
  try {
    const args = parseOrThrow(remindSchema, raw);
    return await withinUpdateTimeout(client, () =>
      client.workflow.getHandle(inspectionId).executeUpdate(remindRemedyUpdate, { args: [args], updateId: args.requestId }),
    );
  } catch (err) {
    // The workflow ends once the remedies are reported or the inspection is closed: said of the inspection,
    // not (as translateRefusal would) of the unit's year.
    if (err instanceof WorkflowNotFoundError || (err instanceof Error && /already completed/i.test(err.message))) {
      throw new ActionRefused('Không nhắc: cuộc kiểm tra đã kết thúc (đã báo cáo khắc phục hoặc đã đóng)', 409);
    }
    return translateRefusal(err);
  }
}

export async function inspectionView(client: Client, inspectionId: string): Promise<InspectionView | undefined> {
  try {
    return await client.workflow.getHandle(inspectionId).query(inspectionViewQuery);
  } catch {
    return undefined;
  }
}
