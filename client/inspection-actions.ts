/**
 * Starting and driving inspections (kiểm tra, giám sát), shared by the API and the CLI. An inspection's
 * workflow id comes from cycle, unit, kind and body, so starting the same inspection twice finds the first.
 */
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Db } from '../db/pool.js';
import { getCycle, getUnit } from '../db/cycles.js';
import { phasePolicy } from '../config/phase-lookup.js';
import { inspectionWorkflowId, startInspectionSchema } from '../domain/inspections.js';
import { parseOrThrow } from '../domain/submissions.js';
import {
  closeInspectionUpdate,
  concludeInspectionUpdate,
  inspectionViewQuery,
  recordFindingsUpdate,
  reportRemedyUpdate,
  scheduleInspectionUpdate,
  type InspectionView,
  type SubmissionReceipt,
} from '../workflows/messages.js';
import type { InspectionWorkflowInput } from '../domain/workflow-io.js';
import { ActionRefused, translateRefusal } from './unit-actions.js';

export async function startInspection(deps: { db: Db; client: Client; taskQueue: string }, cycleId: string, raw: unknown): Promise<{ inspectionId: string; started: boolean }> {
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
  try {
    await deps.client.workflow.start('inspectionWorkflow', { taskQueue: deps.taskQueue, workflowId: inspectionId, args: [input] });
    return { inspectionId, started: true };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return { inspectionId, started: false };
    throw err;
  }
}

type InspectionAction = 'schedule' | 'findings' | 'conclude' | 'close';
const UPDATES = {
  schedule: scheduleInspectionUpdate,
  findings: recordFindingsUpdate,
  conclude: concludeInspectionUpdate,
  close: closeInspectionUpdate,
} as const;

export async function actOnInspection(client: Client, inspectionId: string, action: InspectionAction, raw: Record<string, unknown>): Promise<InspectionView> {
  try {
    const update = UPDATES[action];
    const requestId = String(raw.requestId ?? '');
    return await client.workflow.getHandle(inspectionId).executeUpdate(update as typeof scheduleInspectionUpdate, { args: [raw as never], ...(requestId.length >= 8 ? { updateId: requestId } : {}) });
  } catch (err) {
    return translateRefusal(err);
  }
}

export async function reportRemedy(client: Client, inspectionId: string, raw: { phase: string; payload: unknown; actor: { id: string; via: 'web' | 'cli' | 'api' | 'system' }; requestId: string }): Promise<SubmissionReceipt> {
  try {
    return await client.workflow.getHandle(inspectionId).executeUpdate(reportRemedyUpdate, { args: [raw], updateId: raw.requestId });
  } catch (err) {
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
