-- Up Migration

-- Emails a workflow asks for inside another write's transaction, sent by the workers' email relay
-- (workers/email-relay.ts) instead of by an activity of their own: a submission's receipt, stored with the
-- submission itself (db/records.ts acceptSubmission), so the unit's "đã nhận" costs one workflow task, not two.
-- `input` is what the sendUnitEmail activity would have been given; the relay sends it through the same outbox
-- (table emails), so a request taken twice is still sent once. A row is deleted once its email is sent or has
-- bounced. `task_queue` is the worker's that stored it: only that queue's workers send it (in production every
-- worker shares one queue; tests that share this database each have their own). `next_attempt_at` is both the
-- retry's backoff and a lease: a relay that takes a row moves it a minute ahead, so a relay killed mid-send
-- leaves the row to another one after that.
CREATE TABLE email_requests (
  email_key       text PRIMARY KEY,
  task_queue      text NOT NULL,
  workflow_id     text NOT NULL,
  cycle_id        text NOT NULL,
  input           jsonb NOT NULL,
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error      text,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX email_requests_due ON email_requests (task_queue, next_attempt_at);
CREATE INDEX email_requests_cycle ON email_requests (cycle_id);

-- Down Migration
DROP TABLE email_requests;
