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
