-- Up Migration

-- Activities that failed and are being retried, as the workers saw them (workers/activity-failures.ts): where
-- `chuky stalled` looks first, so it describes these workflows and not every running one (a province holds
-- thousands; describing each took 7.7 s with 11,000). Temporal stays the judge: the stall detector describes each
-- candidate and reports it only if the activity is still pending with enough attempts. A row is written (best
-- effort, after the failure is reported) at each failed attempt and deleted when a later attempt succeeds; a row
-- whose activity never succeeded (its workflow ended) is left, and the detector looks only at rows refreshed
-- within the last day (an activity still retrying writes again at each attempt; its backoff is at most minutes).
CREATE TABLE activity_failures (
  workflow_id   text NOT NULL,
  activity_id   text NOT NULL,
  run_id        text NOT NULL,
  task_queue    text NOT NULL,
  activity_type text NOT NULL,
  attempt       integer NOT NULL,
  last_error    text,
  failed_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workflow_id, activity_id)
);
CREATE INDEX activity_failures_queue ON activity_failures (task_queue, failed_at);

-- Down Migration
DROP TABLE activity_failures;
