/**
 * `chuky report upward draft|submit`: a committee's year-end report to its superior, from its closed child cycle.
 *
 * The draft is recomputed from the child's frozen snapshot each time (report/upward.ts is pure), so what the
 * clerk sends back is compared with it field by field: a changed figure or paragraph needs a reason, which is
 * recorded with the fields it covers. The report then goes to the superior's unit workflow through the same
 * Update and validator as any unit's form; a refusal names the file's line. What was sent is recorded
 * (upward_reports, and the audit log) only once the superior's workflow has accepted it, under a request id made
 * from the content, so sending the same file again stores nothing twice.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { Client } from '@temporalio/client';
import { ActionRefused, submit } from '../client/unit-actions.js';
import { ConfigError } from '../config/errors.js';
import { insertAuditEntry } from '../db/audit-log.js';
import { getCycle, type CycleRow } from '../db/cycles.js';
import { loadFrozenSnapshot, snapshotFrozenCycle } from '../db/frozen.js';
import type { Db } from '../db/pool.js';
import { recordUpwardReport, type UpwardReportRow } from '../db/upward-reports.js';
import { issuesFromText } from '../domain/submissions.js';
import type { SubmissionReceipt } from '../workflows/messages.js';
import { ReportError } from './compile.js';
import { draftUpward, upwardEdits, type UpwardDraft, type UpwardEdit } from './upward.js';
import { parseUpwardFile, renderUpwardFile, upwardFileError } from './upward-file.js';

export interface PreparedUpward {
  child: CycleRow;
  parent: { cycleId: string; unitCode: string };
  committeeName: string;
  frozenAt: string;
  sha256: string;
  draft: UpwardDraft;
}

const ddmmyyyy = (iso: string) => iso.slice(0, 10).split('-').reverse().join('/');

/** The child cycle's draft; refused, with what to do, when the cycle is not a child or not closed. */
export async function prepareUpward(db: Db, childCycleId: string): Promise<PreparedUpward> {
  const child = await getCycle(db, childCycleId);
  if (!child) throw new ReportError(`no such cycle: ${childCycleId} (see \`chuky cycle list\`)`);
  if (!child.parent)
    throw new ReportError(
      `${childCycleId} has no superior in chuky: its cycle file names no parent, so its report upward is not sent from chuky`,
    );
  const snap = (await loadFrozenSnapshot(db, childCycleId)) ?? (await snapshotFrozenCycle(db, childCycleId));
  if (!snap)
    throw new ReportError(
      `${childCycleId} is not closed yet: its report upward is drafted from the closed year. Close it first ` +
        `(\`chuky cycle close --cycle ${childCycleId} --reason …\`); \`chuky cycle status --cycle ${childCycleId}\` shows what is still open`,
    );
  const draft = draftUpward({ year: child.year, cycleId: childCycleId, data: snap.data });
  return {
    child,
    parent: child.parent,
    committeeName: child.definition.committee.name,
    frozenAt: snap.frozenAt,
    sha256: snap.sha256,
    draft,
  };
}

/** The draft file's text. */
export function upwardFileText(p: PreparedUpward): string {
  return renderUpwardFile(
    {
      childCycleId: p.child.id,
      committeeName: p.committeeName,
      parentCycleId: p.parent.cycleId,
      unitCode: p.parent.unitCode,
      frozenOn: ddmmyyyy(p.frozenAt),
    },
    p.draft,
  );
}

export interface UpwardSubmitted {
  parentCycleId: string;
  unitCode: string;
  receipt: SubmissionReceipt;
  edits: UpwardEdit[];
  record: UpwardReportRow;
  /** False when this very file had been sent before: nothing new was stored. */
  created: boolean;
}

/** A report refused before anything was stored: each problem by the payload's field path ("" for none). */
export class UpwardRefused extends Error {
  override name = 'UpwardRefused';
  constructor(readonly issues: Array<{ path: string; message: string }>) {
    super(issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; '));
  }
}

/** What the clerk confirms: the report's payload, who confirms it, and why it differs from the draft (if it does). */
export interface UpwardInput {
  payload: { figures: Record<string, unknown>; narrative: Record<string, unknown> };
  confirmedBy: string;
  editReason: string;
  actor: string;
  /** The actor's role for the audit log: 'operator' on the command line, the console user's role there. */
  role: string;
  /** 'api': the command line with a committee's token, through the operator API. */
  via: 'cli' | 'web' | 'api';
  /** The moment of receipt on the engine's clock (a year under time skipping passes its own; default now). */
  receivedAt?: number | undefined;
}

/**
 * Sends a confirmed report to the superior (from the clerk's file, or the console's form). Refused with
 * UpwardRefused, nothing stored, when it is unconfirmed, edited without a reason, or refused by the superior's
 * workflow; recorded once when accepted.
 */
export async function sendUpward(db: Db, client: Client, prepared: PreparedUpward, input: UpwardInput): Promise<UpwardSubmitted> {
  const childCycleId = prepared.child.id;
  if (!input.confirmedBy.trim()) throw new UpwardRefused([{ path: 'confirmedBy', message: 'Người xác nhận: chưa ghi (họ tên, chức vụ)' }]);
  const edits = upwardEdits(prepared.draft.payload, input.payload);
  if (edits.length > 0 && !input.editReason)
    throw new UpwardRefused([
      {
        path: 'editReason',
        message:
          `Lý do chỉnh sửa: chưa ghi, mà ${edits.length} mục khác bản dự thảo ` +
          `(${edits.map((e) => `${e.field}: ${brief(e.drafted)} → ${brief(e.submitted)}`).join('; ')})`,
      },
    ]);
  const { cycleId: parentCycleId, unitCode } = prepared.parent;
  const requestId = `upward-${createHash('sha256')
    .update(canonicalJson([childCycleId, prepared.sha256, input.payload, input.confirmedBy, input.editReason]))
    .digest('hex')
    .slice(0, 40)}`;
  let receipt: SubmissionReceipt;
  try {
    receipt = await submit(
      client,
      parentCycleId,
      unitCode,
      { phase: 'year-end-report', payload: input.payload, actor: { id: `unit:${unitCode}`, via: input.via }, requestId },
      input.receivedAt,
    );
  } catch (err) {
    // The superior's validator (or the request's parse) refused it: its message names each field by its path.
    if (err instanceof ActionRefused && (err.httpStatus === 400 || err.httpStatus === 422))
      throw new UpwardRefused(issuesFromText(err.message));
    throw err;
  }
  const reason = input.editReason || `Xác nhận bản dự thảo lập từ chu kỳ ${childCycleId}, không chỉnh sửa`;
  const conn = await db.connect();
  try {
    await conn.query('BEGIN');
    const recorded = await recordUpwardReport(conn, {
      requestId,
      childCycleId,
      parentCycleId,
      unitCode,
      version: receipt.version,
      snapshotSha256: prepared.sha256,
      drafted: prepared.draft.payload,
      submitted: input.payload,
      edits,
      editReason: input.editReason || null,
      confirmedBy: input.confirmedBy,
      actor: input.actor,
    });
    if (recorded.created)
      await insertAuditEntry(conn, {
        actor: input.actor,
        role: input.role,
        action: 'submit-upward-report',
        cycleId: parentCycleId,
        unitCode,
        phase: 'year-end-report',
        workflowId: null,
        reason,
        details: {
          childCycleId,
          version: receipt.version,
          confirmedBy: input.confirmedBy,
          snapshotSha256: prepared.sha256,
          editedFields: edits.map((e) => e.field),
        },
        outcome: 'ok',
        message: null,
        requestId,
      });
    await conn.query('COMMIT');
    return { parentCycleId, unitCode, receipt, edits, record: recorded.row, created: recorded.created };
  } catch (err) {
    await conn.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    conn.release();
  }
}

/** Sends the clerk's file to the superior; every refusal is a ConfigError at its line, and nothing is stored then. */
export async function submitUpward(
  db: Db,
  client: Client,
  p: {
    childCycleId: string;
    file: string;
    actor: string;
    /** The moment of receipt on the engine's clock (a year under time skipping passes its own; default now). */
    receivedAt?: number;
  },
): Promise<UpwardSubmitted> {
  let source: string;
  try {
    source = fs.readFileSync(p.file, 'utf8');
  } catch (err) {
    throw new ConfigError([{ file: p.file, field: '(file)', message: `cannot read it: ${(err as Error).message}` }]);
  }
  return submitUpwardText(db, client, { ...p, source, role: 'operator', via: 'cli' });
}

/**
 * The same from the file's text: the command line reads the file itself, or sends it to the operator API with a
 * committee's token (POST /cycles/:cycle/upward), whose answer names the same lines.
 */
export async function submitUpwardText(
  db: Db,
  client: Client,
  p: {
    childCycleId: string;
    /** The file's name, for the errors' "file:line". */
    file: string;
    source: string;
    actor: string;
    role: string;
    via: UpwardInput['via'];
    receivedAt?: number;
  },
): Promise<UpwardSubmitted> {
  const prepared = await prepareUpward(db, p.childCycleId);
  const parsed = parseUpwardFile(p.source, p.file);
  if (parsed.childCycle !== p.childCycleId)
    throw upwardFileError(p.file, parsed, [
      {
        path: 'childCycle',
        message: `bản dự thảo này lập từ chu kỳ ${parsed.childCycle}, không phải ${p.childCycleId}: gửi với --cycle ${parsed.childCycle}`,
      },
    ]);
  try {
    return await sendUpward(db, client, prepared, {
      payload: parsed.payload,
      confirmedBy: parsed.confirmedBy,
      editReason: parsed.editReason,
      actor: p.actor,
      role: p.role,
      via: p.via,
      receivedAt: p.receivedAt,
    });
  } catch (err) {
    if (err instanceof UpwardRefused) throw upwardFileError(p.file, parsed, err.issues);
    throw err;
  }
}

/** JSON with every object's keys sorted: the same report gives the same request id from the file and the form. */
function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_key, value: unknown) =>
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : value,
  );
}

function brief(v: unknown): string {
  if (v === null || v === undefined || v === '') return '(trống)';
  if (typeof v === 'string') return v.length > 40 ? `“${v.slice(0, 37)}…”` : `“${v}”`;
  return typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
}
