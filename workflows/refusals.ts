/**
 * How a workflow refuses an update. Thrown from a validator, the update is rejected before it is written to
 * history; an ApplicationFailure (not a plain Error) so that, should a handler ever throw it, only the update
 * fails and not the workflow task.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import { parseOrThrow, InvalidSubmissionError } from '../domain/submissions.js';

export function refuse(message: string): never {
  throw ApplicationFailure.nonRetryable(message, 'InvalidSubmission');
}

/** Parses an update's argument with its zod schema; a bad one is refused with the Vietnamese per-field message. */
export function parseArgs<T>(schema: Parameters<typeof parseOrThrow<T>>[0], raw: unknown): T {
  try {
    return parseOrThrow(schema, raw);
  } catch (err) {
    if (err instanceof InvalidSubmissionError) refuse(err.message);
    throw err;
  }
}

/**
 * The version of an Update's argument shape (workflows/messages.ts `Versioned`): absent means 1. A validator
 * refuses any other (`validating`), so a handler only meets versions it knows; a handler's switch on the result
 * is where a second shape would be handled.
 */
export function messageVersion(raw: unknown, validating = false): 1 {
  const v = typeof raw === 'object' && raw !== null ? (raw as { v?: unknown }).v : undefined;
  if (v === undefined || v === 1) return 1;
  if (validating) refuse(`Phiên bản thông điệp ${JSON.stringify(v) ?? 'không rõ'} không được hỗ trợ (chỉ phiên bản 1)`);
  return 1;
}
