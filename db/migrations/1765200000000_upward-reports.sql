-- Up Migration

-- A committee's year-end report to its superior, drafted from its own closed child cycle and confirmed (or edited,
-- with a reason) by its clerk (issue 17; report/upward-submit.ts). One row per report sent: the superior's
-- submission is (parent_cycle_id, unit_code, 'year-end-report', version) in `submissions`; this row says which
-- child cycle and snapshot it was drafted from, what the draft said, what was sent, which fields were edited and
-- why, and who confirmed it. `report explain` follows it down a level. Never changed once written.
CREATE TABLE upward_reports (
  id               bigserial PRIMARY KEY,
  request_id       text NOT NULL UNIQUE,
  child_cycle_id   text NOT NULL REFERENCES cycles (id),
  parent_cycle_id  text NOT NULL REFERENCES cycles (id),
  unit_code        text NOT NULL,
  version          integer NOT NULL,
  snapshot_sha256  text NOT NULL,
  drafted          jsonb NOT NULL,
  submitted        jsonb NOT NULL,
  edits            jsonb NOT NULL,
  edit_reason      text,
  confirmed_by     text NOT NULL,
  actor            text NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (parent_cycle_id, unit_code, version)
);
CREATE INDEX upward_reports_child ON upward_reports (child_cycle_id);

-- Down Migration
DROP TABLE upward_reports;
