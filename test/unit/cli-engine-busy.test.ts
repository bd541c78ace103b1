/**
 * What a CLI command says when Temporal did not confirm its Update (busy, or no worker polling): one English line
 * with the time limit and what to do, a non-zero exit that a script can tell apart, and no stack trace; any other
 * error as before. The errors are the SDK's own classes, as @temporalio/client throws them.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ServiceError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { EngineBusyError, configureUpdateTimeout, engineBusyLine } from '../../client/unit-actions.js';
import { EXIT_ENGINE_BUSY, action, engineBusyCliLine } from '../../cli/output.js';

const timeout = () => new WorkflowUpdateRPCTimeoutOrCancelledError('Workflow update call timeout or cancelled');
/** A gRPC error as @grpc/grpc-js builds one (callErrorFromStatus). */
const grpc = (code: number, details: string) => Object.assign(new Error(`${code} ${details}`), { code, details, metadata: {} });

describe('the busy line', () => {
  afterEach(() => configureUpdateTimeout(undefined));

  it('names the limit in seconds and says what is known and what to do', () => {
    expect(engineBusyLine(30_000)).toBe(
      "Temporal did not answer within 30 s (busy or no worker polling chuky's task queue); " +
        'nothing was changed unless `chuky unit show` says so; try again',
    );
    expect(engineBusyLine(3_000)).toContain('within 3 s (');
    expect(engineBusyLine(1_500)).toContain('within 1.5 s (');
    expect(engineBusyLine(100)).toContain('within 0.1 s (');
    expect(engineBusyLine(600_000)).toContain('within 600 s (');
    expect(engineBusyLine(30_000)).not.toContain('\n');
  });

  it('uses the limit in force for an SDK error, and a repair’s own line (with its audit row) as it is', () => {
    configureUpdateTimeout({ updateTimeoutMs: 4_000 });
    expect(engineBusyCliLine(timeout())).toBe(engineBusyLine(4_000));
    const repair = new EngineBusyError(`${engineBusyLine(4_000)}  [audit #12]`, { cause: timeout() }, 12);
    expect(engineBusyCliLine(repair)).toBe(`${engineBusyLine(4_000)}  [audit #12]`);
  });
});

describe('action(): how a command ends on an error', () => {
  let written: string[];
  let previousExit: typeof process.exitCode;
  beforeEach(() => {
    written = [];
    previousExit = process.exitCode;
    process.exitCode = undefined;
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
  });
  afterEach(() => {
    vi.restoreAllMocks();
    process.exitCode = previousExit;
    configureUpdateTimeout(undefined);
  });

  const run = async (err: Error) => {
    await action(() => Promise.reject(err))();
    return { out: written.join(''), code: process.exitCode };
  };

  it('prints the busy line once and exits EX_TEMPFAIL for a timed-out Update or a load refusal', async () => {
    configureUpdateTimeout({ updateTimeoutMs: 30_000 });
    expect(EXIT_ENGINE_BUSY).toBe(75);
    for (const err of [
      timeout(),
      new WorkflowUpdateRPCTimeoutOrCancelledError('Deadline exceeded', { cause: grpc(4, 'Deadline exceeded') }),
      new ServiceError('Workflow Update failed', { cause: grpc(8, 'namespace rate limit exceeded') }),
    ]) {
      written = [];
      const { out, code } = await run(err);
      expect(out).toBe(`${engineBusyLine(30_000)}\n`);
      expect(out).not.toMatch(/\n\s+at /);
      expect(code).toBe(EXIT_ENGINE_BUSY);
    }
  });

  it("prints a repair's busy error with its audit row", async () => {
    const { out, code } = await run(new EngineBusyError(`${engineBusyLine(2_000)}  [audit #7]`, { cause: timeout() }, 7));
    expect(out).toBe(`${engineBusyLine(2_000)}  [audit #7]\n`);
    expect(code).toBe(EXIT_ENGINE_BUSY);
  });

  it('leaves other errors as they were: "Error: …", exit 1', async () => {
    const { out, code } = await run(new ServiceError('Failed to signal Workflow', { cause: grpc(3, 'bad') }));
    expect(out).toBe('Error: Failed to signal Workflow\n');
    expect(code).toBe(1);
  });
});
