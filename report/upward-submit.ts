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
  const prepared = await prepareUpward(db, p.childCycleId);
  let source: string;
  try {
    source = fs.readFileSync(p.file, 'utf8');
  } catch (err) {
    throw new ConfigError([{ file: p.file, field: '(file)', message: `cannot read it: ${(err as Error).message}` }]);
  }
  const parsed = parseUpwardFile(source, p.file);
  if (parsed.childCycle !== p.childCycleId)
    throw upwardFileError(p.file, parsed, [
      {
        path: 'childCycle',
        message: `bản dự thảo này lập từ chu kỳ ${parsed.childCycle}, không phải ${p.childCycleId}: gửi với --cycle ${parsed.childCycle}`,
      },
    ]);
  const edits = upwardEdits(prepared.draft.payload, parsed.payload);
  if (edits.length > 0 && !parsed.editReason)
    throw upwardFileError(p.file, parsed, [
      {
        path: 'editReason',
        message:
          `Lý do chỉnh sửa: chưa ghi, mà ${edits.length} mục khác bản dự thảo ` +
          `(${edits.map((e) => `${e.field}: ${brief(e.drafted)} → ${brief(e.submitted)}`).join('; ')})`,
      },
    ]);
  const { cycleId: parentCycleId, unitCode } = prepared.parent;
  const requestId = `upward-${createHash('sha256')
    .update(JSON.stringify([p.childCycleId, prepared.sha256, parsed.payload, parsed.confirmedBy, parsed.editReason]))
    .digest('hex')
    .slice(0, 40)}`;
  let receipt: SubmissionReceipt;
  try {
    receipt = await submit(
      client,
      parentCycleId,
      unitCode,
      { phase: 'year-end-report', payload: parsed.payload, actor: { id: `unit:${unitCode}`, via: 'cli' }, requestId },
      p.receivedAt,
    );
  } catch (err) {
    // The superior's validator (or the request's parse) refused it: its message names each field by its path.
    if (err instanceof ActionRefused && (err.httpStatus === 400 || err.httpStatus === 422))
      throw upwardFileError(p.file, parsed, issuesFromText(err.message));
    throw err;
  }
  const reason = parsed.editReason || `Xác nhận bản dự thảo lập từ chu kỳ ${p.childCycleId}, không chỉnh sửa`;
  const conn = await db.connect();
  try {
    await conn.query('BEGIN');
    const recorded = await recordUpwardReport(conn, {
      requestId,
      childCycleId: p.childCycleId,
      parentCycleId,
      unitCode,
      version: receipt.version,
      snapshotSha256: prepared.sha256,
      drafted: prepared.draft.payload,
      submitted: parsed.payload,
      edits,
      editReason: parsed.editReason || null,
      confirmedBy: parsed.confirmedBy,
      actor: p.actor,
    });
    if (recorded.created)
      await insertAuditEntry(conn, {
        actor: p.actor,
        role: 'operator',
        action: 'submit-upward-report',
        cycleId: parentCycleId,
        unitCode,
        phase: 'year-end-report',
        workflowId: null,
        reason,
        details: {
          childCycleId: p.childCycleId,
          version: receipt.version,
          confirmedBy: parsed.confirmedBy,
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

function brief(v: unknown): string {
  if (v === null || v === undefined || v === '') return '(trống)';
  if (typeof v === 'string') return v.length > 40 ? `“${v.slice(0, 37)}…”` : `“${v}”`;
  return typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
}
