/**
 * An activity interceptor that tells PostgreSQL which activities are failing (db/activity-failures.ts), so
 * `chuky stalled` describes those workflows instead of every running one. Best effort and off the activity's
 * path: the write is not awaited (the failure reaches Temporal at once, and a database that is down — the very
 * trouble being retried, perhaps — delays nothing) and its own failure is swallowed. An activity that succeeds at
 * its first attempt costs nothing; only a success after failures deletes its row.
 */
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { clearActivityFailure, recordActivityFailure } from '../db/activity-failures.js';
import type { Db } from '../db/pool.js';

export function activityFailureRecorder(db: Db): ActivityInterceptorsFactory {
  return (ctx) => ({
    inbound: {
      async execute(input, next) {
        const info = ctx.info;
        // A local activity's retries are the workflow's own (its task shows them); the detector does not list them.
        if (info.isLocal || !info.workflowExecution) return next(input);
        const { workflowId, runId } = info.workflowExecution;
        try {
          const result = await next(input);
          if (info.attempt > 1) void clearActivityFailure(db, workflowId, info.activityId, info.attempt).catch(() => undefined);
          return result;
        } catch (err) {
          void recordActivityFailure(db, {
            workflowId,
            runId,
            activityId: info.activityId,
            taskQueue: info.taskQueue,
            activityType: info.activityType,
            attempt: info.attempt,
            error: err instanceof Error ? err.message : String(err),
          }).catch(() => undefined);
          throw err;
        }
      },
    },
  });
}
