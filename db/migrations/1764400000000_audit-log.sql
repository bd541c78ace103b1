-- Up Migration

-- Every repair an operator makes (extend, exempt, record, remind, retry, reset, cancel), from the CLI or the
-- console: who, when, why and what came of it, refusals and failures included. The log is evidence, so it is
-- append-only in the database itself (triggers below), not only by convention: nothing in chuky updates or
-- deletes a row, and a mistaken entry is answered by a new one.
CREATE TABLE audit_log (
  id          bigserial PRIMARY KEY,
  at          timestamptz NOT NULL DEFAULT now(),
  actor       text NOT NULL CHECK (actor ~ '\S'),
  role        text NOT NULL,                 -- 'cli', or the console role: admin | clerk | leader
  action      text NOT NULL,                 -- extend | exempt | record | remind | retry | reset | cancel
  cycle_id    text,
  unit_code   text,
  phase       text,
  workflow_id text,
  -- A repair without a reason is refused before it acts; the database refuses one too.
  reason      text NOT NULL CHECK (reason ~ '\S'),
  details     jsonb NOT NULL DEFAULT '{}'::jsonb,
  outcome     text NOT NULL CHECK (outcome IN ('ok', 'refused', 'failed')),
  message     text,
  -- The caller's idempotency key: a repeated request finds its first row and acts no more (NULLs are distinct).
  request_id  text UNIQUE
);
CREATE INDEX audit_log_unit ON audit_log (cycle_id, unit_code, id);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP
    USING HINT = 'Record a new entry instead of changing or removing an old one.';
END;
$$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- Down Migration
DROP TRIGGER audit_log_no_truncate ON audit_log;
DROP TRIGGER audit_log_no_change ON audit_log;
DROP FUNCTION audit_log_append_only();
DROP TABLE audit_log;
