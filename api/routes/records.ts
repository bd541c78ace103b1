/**
 * The committee's own records over the operator API (mounted under /api/v1, behind its bearer token):
 *   GET    /cycles/:cycle/records[?kind=document]   the records not deleted, oldest first
 *   POST   /cycles/:cycle/records/:kind             JSON body: the record's fields plus "requestId" (8–100
 *                                                  characters; or the Idempotency-Key header) and optionally
 *                                                  "actor"; 201 when created, 200 for a repeated request
 *   DELETE /cycles/:cycle/records/:id               soft delete; optional JSON body or query: actor, reason
 * Refusals are 400 with one Vietnamese message per field: { error, issues: [{field, message}], fields }.
 */
import type { ApiScopeEnv } from '../api-scope.js';
import type { Context, Hono } from 'hono';
import type { Db } from '../../db/pool.js';
import { getCycle } from '../../db/cycles.js';
import { addCommitteeRecord, deleteCommitteeRecord, listCommitteeRecords, RecordStoreError } from '../../db/committee-records.js';
import { isRecordKind, RECORD_KINDS, safeParseRecord, type RecordIssue } from '../../domain/records.js';

const REQUEST_ID = /^[\x21-\x7e]{8,100}$/;

function invalid(c: Context, issues: RecordIssue[]) {
  const fields: Record<string, string> = {};
  for (const i of issues) fields[i.field || 'form'] ??= i.message;
  return c.json({ error: `Dữ liệu không hợp lệ: ${issues.map((i) => i.message).join('; ')}`, issues, fields }, 400);
}

function actorOf(raw: unknown): string | RecordIssue {
  if (raw === undefined || raw === null || raw === '') return 'operator:api';
  if (typeof raw !== 'string' || raw.trim().length > 200)
    return { field: 'actor', message: 'Người thực hiện: cần là chuỗi ký tự (tối đa 200 ký tự)' };
  const name = raw.normalize('NFC').trim();
  return name.includes(':') ? name : `operator:${name}`;
}

export function registerRecordRoutes(api: Hono<ApiScopeEnv>, deps: { db: Db }): void {
  const requireCycle = async (c: Context) => {
    const id = c.req.param('cycle') ?? '';
    return (await getCycle(deps.db, id)) ? id : undefined;
  };
  const noCycle = (c: Context) => c.json({ error: `Không có chu kỳ "${c.req.param('cycle') ?? ''}"` }, 404);

  api.get('/cycles/:cycle/records', async (c) => {
    const cycleId = await requireCycle(c);
    if (!cycleId) return noCycle(c);
    const kind = c.req.query('kind');
    if (kind !== undefined && !isRecordKind(kind)) {
      return invalid(c, [{ field: 'kind', message: `Loại hồ sơ không hợp lệ: "${kind}"; cần một trong: ${RECORD_KINDS.join(', ')}` }]);
    }
    const records = await listCommitteeRecords(deps.db, cycleId, kind);
    return c.json({ cycleId, ...(kind ? { kind } : {}), records });
  });

  api.post('/cycles/:cycle/records/:kind', async (c) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return invalid(c, [{ field: '', message: 'Nội dung yêu cầu cần là JSON (Content-Type: application/json)' }]);
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return invalid(c, [{ field: '', message: 'Hồ sơ cần là một đối tượng JSON, ví dụ {"heldOn": "2027-03-15", …}' }]);
    }
    const { requestId: bodyRequestId, actor: rawActor, ...fields } = body as Record<string, unknown>;
    const requestId = bodyRequestId ?? c.req.header('idempotency-key');
    const issues: RecordIssue[] = [];
    if (typeof requestId !== 'string' || !REQUEST_ID.test(requestId)) {
      issues.push({
        field: 'requestId',
        message: 'Mã yêu cầu (requestId): cần 8–100 ký tự, không dấu cách; gửi lại cùng mã để không tạo hồ sơ trùng',
      });
    }
    const actor = actorOf(rawActor);
    if (typeof actor !== 'string') issues.push(actor);
    const parsed = safeParseRecord(c.req.param('kind'), fields);
    if (!parsed.success) issues.push(...parsed.issues);
    if (issues.length > 0 || !parsed.success || typeof actor !== 'string' || typeof requestId !== 'string') return invalid(c, issues);

    const cycleId = await requireCycle(c);
    if (!cycleId) return noCycle(c);
    try {
      const { record, created } = await addCommitteeRecord(deps.db, {
        cycleId,
        kind: parsed.record.kind,
        payload: parsed.record.data,
        actor,
        requestId,
      });
      return c.json({ created, record }, created ? 201 : 200);
    } catch (err) {
      if (err instanceof RecordStoreError) return c.json({ error: err.message }, err.httpStatus);
      throw err;
    }
  });

  api.delete('/cycles/:cycle/records/:id', async (c) => {
    const idText = c.req.param('id');
    if (!/^\d{1,15}$/.test(idText)) return invalid(c, [{ field: 'id', message: `Số hồ sơ không hợp lệ: "${idText}"` }]);
    let body: Record<string, unknown> = {};
    if ((c.req.header('content-type') ?? '').includes('json')) {
      try {
        const parsed: unknown = await c.req.json();
        if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
      } catch {
        return invalid(c, [{ field: '', message: 'Nội dung yêu cầu cần là JSON' }]);
      }
    }
    const actor = actorOf(body.actor ?? c.req.query('actor'));
    if (typeof actor !== 'string') return invalid(c, [actor]);
    const rawReason = body.reason ?? c.req.query('reason');
    if (rawReason !== undefined && typeof rawReason !== 'string')
      return invalid(c, [{ field: 'reason', message: 'Lý do: cần là chuỗi ký tự' }]);
    const reason = rawReason?.normalize('NFC').trim();
    const cycleId = await requireCycle(c);
    if (!cycleId) return noCycle(c);
    try {
      const { record, alreadyDeleted } = await deleteCommitteeRecord(deps.db, {
        cycleId,
        id: Number(idText),
        actor,
        ...(reason ? { reason } : {}),
      });
      return c.json({ deleted: true, alreadyDeleted, record });
    } catch (err) {
      if (err instanceof RecordStoreError) return c.json({ error: err.message }, err.httpStatus);
      throw err;
    }
  });
}
