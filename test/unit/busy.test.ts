/**
 * The "engine busy" classifier (api/busy.ts) over the SDK's own error classes, as @temporalio/client throws them:
 * a timed-out or load-refused request is busy (503, Retry-After), a refusal or a missing workflow is not.
 */
import { describe, expect, it } from 'vitest';
import {
  ServiceError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  isGrpcDeadlineError,
  isGrpcServiceError,
} from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import { Hono } from 'hono';
import {
  BUSY_GRPC_CODES,
  RETRY_AFTER_SECONDS,
  MAX_RETRY_AFTER_SECONDS,
  busyResponse,
  isEngineBusy,
  retryAfterSeconds,
} from '../../api/busy.js';
import { ActionRefused } from '../../client/unit-actions.js';
import { resendFields } from '../../api/routes/unit-forms.js';
import { formPolicyWithScriptNonce } from '../../api/security-headers.js';

/** A gRPC error as @grpc/grpc-js builds one (callErrorFromStatus): an Error with code, details and metadata. */
function grpcError(code: number, details: string): Error {
  return Object.assign(new Error(`${code} ${details}`), { code, details, metadata: {} });
}

const NOT_FOUND = 5;
const INVALID_ARGUMENT = 3;
const ALREADY_EXISTS = 6;

describe('isEngineBusy', () => {
  it('takes each busy gRPC code for a gRPC error, as the SDK sees it', () => {
    for (const [name, code] of Object.entries(BUSY_GRPC_CODES)) {
      const err = grpcError(code, name);
      expect(isGrpcServiceError(err), name).toBe(true);
      expect(isEngineBusy(err), name).toBe(true);
    }
    expect(isGrpcDeadlineError(grpcError(BUSY_GRPC_CODES.DEADLINE_EXCEEDED, 'x'))).toBe(true);
  });

  it("takes the SDK's Update timeout, with or without its gRPC cause", () => {
    expect(isEngineBusy(new WorkflowUpdateRPCTimeoutOrCancelledError('Workflow update call timeout or cancelled'))).toBe(true);
    const err = new WorkflowUpdateRPCTimeoutOrCancelledError('Deadline exceeded', { cause: grpcError(4, 'Deadline exceeded') });
    expect(isEngineBusy(err)).toBe(true);
  });

  it('takes a ServiceError wrapping a busy gRPC error (a Signal, a start), not one wrapping another code', () => {
    expect(isEngineBusy(new ServiceError('Failed to signal Workflow', { cause: grpcError(8, 'namespace rate limit exceeded') }))).toBe(
      true,
    );
    expect(isEngineBusy(new ServiceError('Workflow Update failed', { cause: grpcError(14, 'No connection established') }))).toBe(true);
    expect(isEngineBusy(new ServiceError('Failed to signal Workflow', { cause: grpcError(INVALID_ARGUMENT, 'bad') }))).toBe(false);
    expect(isEngineBusy(new ServiceError('Failed to signal Workflow', { cause: grpcError(ALREADY_EXISTS, 'exists') }))).toBe(false);
    expect(isEngineBusy(new ServiceError('no cause'))).toBe(false);
    // Two levels down, as an error wrapping the SDK's would be.
    const deep = new Error('sending failed', { cause: new ServiceError('Workflow Update failed', { cause: grpcError(8, 'busy') }) });
    expect(isEngineBusy(deep)).toBe(true);
  });

  it('does not take refusals, a missing workflow, other gRPC codes or non-errors', () => {
    expect(isEngineBusy(grpcError(NOT_FOUND, 'workflow not found'))).toBe(false);
    expect(isEngineBusy(new WorkflowNotFoundError('Workflow not found', 'chuky/unit/X/Y', undefined))).toBe(false);
    expect(isEngineBusy(new WorkflowUpdateFailedError('Workflow Update failed', ApplicationFailure.nonRetryable('Đã quá hạn')))).toBe(
      false,
    );
    expect(isEngineBusy(new ActionRefused('Chu kỳ của đơn vị đã kết thúc, không nhận thêm', 409))).toBe(false);
    expect(isEngineBusy(new Error('connect ECONNREFUSED 127.0.0.1:5432'))).toBe(false);
    // A plain object with a busy code is not a gRPC error (no Error, no metadata).
    expect(isEngineBusy({ code: 4, details: 'x', metadata: {} })).toBe(false);
    for (const v of [undefined, null, 'DEADLINE_EXCEEDED', 4]) expect(isEngineBusy(v)).toBe(false);
  });

  it('ends on a cycle of causes', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    Object.assign(a, { cause: b });
    expect(isEngineBusy(a)).toBe(false);
  });
});

describe('the busy answer', () => {
  it('waits 5 s first, then doubles up to a minute', () => {
    expect(retryAfterSeconds()).toBe(RETRY_AFTER_SECONDS);
    expect(retryAfterSeconds(0)).toBe(5);
    expect(retryAfterSeconds(1)).toBe(10);
    expect(retryAfterSeconds(3)).toBe(40);
    expect(retryAfterSeconds(4)).toBe(MAX_RETRY_AFTER_SECONDS);
    expect(retryAfterSeconds(1_000)).toBe(MAX_RETRY_AFTER_SECONDS);
    expect(retryAfterSeconds(-3)).toBe(5);
  });

  it('is 503 JSON with Retry-After for the API, a Vietnamese page for a form path', async () => {
    const app = new Hono();
    app.get('/api/v1/x', () => {
      throw new WorkflowUpdateRPCTimeoutOrCancelledError('timeout');
    });
    app.get('/f/abc', () => {
      throw new ServiceError('x', { cause: grpcError(14, 'unavailable') });
    });
    app.onError((err, c) => (isEngineBusy(err) ? busyResponse(c) : c.text('other', 500)));
    const api = await app.request('/api/v1/x');
    expect(api.status).toBe(503);
    expect(api.headers.get('retry-after')).toBe('5');
    const body = (await api.json()) as { error: string; retryAfterSeconds: number };
    expect(body.retryAfterSeconds).toBe(5);
    expect(body.error).toMatch(/same requestId/);
    const form = await app.request('/f/abc');
    expect(form.status).toBe(503);
    expect(form.headers.get('retry-after')).toBe('5');
    expect(await form.text()).toContain('Hệ thống đang bận'.normalize('NFC'));
  });

  it("allows the busy page's one script by its nonce and nothing else", () => {
    const csp = formPolicyWithScriptNonce('abc123');
    expect(csp).toContain("script-src 'nonce-abc123'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("form-action 'self'");
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
  });

  it('resends the same request id, and a stored file by its id', () => {
    const out = resendFields(
      { confirmedBy: 'Nguyễn Văn A', requestId: 'old', fileId: 'stored-1', 'fileId:name': 'kehoach.pdf', resendAttempt: '1' },
      ['fileId'],
      'req-12345678',
    );
    expect(out).toEqual({ confirmedBy: 'Nguyễn Văn A', requestId: 'req-12345678', 'fileId:current': 'stored-1', resendAttempt: '1' });
    expect(resendFields({ x: '1' }, ['fileId'], 'r-1234567')).toEqual({ x: '1', requestId: 'r-1234567' });
  });
});
