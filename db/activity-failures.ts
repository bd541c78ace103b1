/**
 * Activities failing and retried (migration 1765000000000_activity-failures.sql): written by the workers'
 * interceptor (workers/activity-failures.ts), read by the stall detector (ops/stalled.ts) as the workflows worth
 * describing.
 */
import type { Db } from './pool.js';

export interface ActivityFailure {
  workflowId: string;
  runId: string;
  activityId: string;
  taskQueue: string;
  activityType: string;
  attempt: number;
  error: string;
}

/** Rows older than this are not candidates: an activity still retrying has written again since. */
export const ACTIVITY_FAILURE_FRESH_HOURS = 24;

/** Records a failed attempt; an older attempt arriving late (writes are not awaited in order) does not win. */
export async function recordActivityFailure(db: Db, f: ActivityFailure): Promise<void> {
  await db.query(
    `INSERT INTO activity_failures (workflow_id, activity_id, run_id, task_queue, activity_type, attempt, last_error)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (workflow_id, activity_id) DO UPDATE
        SET run_id = EXCLUDED.run_id, task_queue = EXCLUDED.task_queue, activity_type = EXCLUDED.activity_type,
            attempt = EXCLUDED.attempt, last_error = EXCLUDED.last_error, failed_at = now()
      WHERE activity_failures.run_id <> EXCLUDED.run_id OR activity_failures.attempt <= EXCLUDED.attempt`,
    [f.workflowId, f.activityId, f.runId, f.taskQueue, f.activityType, f.attempt, f.error.slice(0, 2000)],
  );
}

/** The activity succeeded at `attempt`: its earlier failures are over. */
export async function clearActivityFailure(db: Db, workflowId: string, activityId: string, attempt: number): Promise<void> {
  await db.query('DELETE FROM activity_failures WHERE workflow_id = $1 AND activity_id = $2 AND attempt < $3', [
    workflowId,
    activityId,
    attempt,
  ]);
}

/**
 * The workflows of `taskQueue` with an activity that failed recently, optionally of one cycle (by the same id
 * prefixes as the running-workflows query: unit and inspection workflows start with their cycle).
 */
export async function activityFailureCandidates(
  db: Db,
  taskQueue: string,
  cycleId?: string,
): Promise<{ workflowId: string; runId: string }[]> {
  const { rows } = await db.query<{ workflow_id: string; run_id: string }>(
    `SELECT DISTINCT ON (workflow_id) workflow_id, run_id FROM activity_failures
      WHERE task_queue = $1 AND failed_at > now() - make_interval(hours => $2)
        AND ($3::text IS NULL OR left(workflow_id, length($4)) = $4 OR left(workflow_id, length($5)) = $5 OR workflow_id = $6)
      ORDER BY workflow_id, failed_at DESC`,
    [
      taskQueue,
      ACTIVITY_FAILURE_FRESH_HOURS,
      cycleId ?? null,
      `chuky/unit/${cycleId ?? ''}/`,
      `chuky/inspection/${cycleId ?? ''}/`,
      `chuky/cycle/${cycleId ?? ''}`,
    ],
  );
  return rows.map((r) => ({ workflowId: r.workflow_id, runId: r.run_id }));
}
