-- Up Migration

-- Units leave a running cycle with a reason (dissolved, merged); their record stays.
ALTER TABLE units ADD COLUMN removed_at timestamptz;
ALTER TABLE units ADD COLUMN removed_reason text;
ALTER TABLE units ADD COLUMN added_at timestamptz NOT NULL DEFAULT now();

-- The year's data is frozen when the cycle closes; the report compiler reads only frozen cycles.
ALTER TABLE cycles ADD COLUMN frozen_at timestamptz;

-- Files units upload with a submission (an implementation plan, a member list). Kept in the database so a
-- backup of PostgreSQL is a backup of everything.
CREATE TABLE files (
  id           text PRIMARY KEY,            -- sha256 of cycle/unit/phase + content: the same upload is one file
  cycle_id     text NOT NULL,
  unit_code    text NOT NULL,
  phase        text NOT NULL,
  filename     text NOT NULL,
  content_type text NOT NULL,
  size         integer NOT NULL CHECK (size >= 0),
  sha256       text NOT NULL,
  content      bytea NOT NULL,
  uploaded_at  timestamptz NOT NULL DEFAULT now(),
  uploaded_by  text NOT NULL
);
CREATE INDEX files_unit ON files (cycle_id, unit_code, phase);

-- Links issued before revoked_before are refused for that unit (a forwarded or leaked link).
CREATE TABLE link_revocations (
  cycle_id       text NOT NULL,
  unit_code      text NOT NULL,
  revoked_before timestamptz NOT NULL,
  reason         text NOT NULL,
  actor          text NOT NULL,
  at             timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (cycle_id, unit_code)
);

-- The committee's own records for the year: directive documents, conferences, commendations, contests, charity.
CREATE TABLE committee_records (
  id         bigserial PRIMARY KEY,
  record_key text NOT NULL UNIQUE,
  cycle_id   text NOT NULL REFERENCES cycles(id),
  kind       text NOT NULL,
  payload    jsonb NOT NULL,
  actor      text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz
);
CREATE INDEX committee_records_kind ON committee_records (cycle_id, kind);

-- Inspections and supervisions (kiểm tra, giám sát) of a unit, each run by its own workflow.
CREATE TABLE inspections (
  id              text PRIMARY KEY,         -- the workflow id
  cycle_id        text NOT NULL,
  unit_code       text NOT NULL,
  kind            text NOT NULL,            -- kiem-tra | giam-sat
  body            text NOT NULL,            -- ban-thuong-vu | ubkt
  origin          text NOT NULL,            -- plan | escalation | under-target | other
  reason          text,
  status          text NOT NULL,            -- noticed | scheduled | findings | concluded | remedied | remedy_overdue | closed
  scheduled_on    date,
  findings        text,
  conclusion      text,
  remedies        jsonb,
  remedy_deadline date,
  escalation_level integer NOT NULL DEFAULT 0,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX inspections_cycle ON inspections (cycle_id, unit_code);

-- Down Migration
DROP TABLE inspections;
DROP TABLE committee_records;
DROP TABLE link_revocations;
DROP TABLE files;
ALTER TABLE cycles DROP COLUMN frozen_at;
ALTER TABLE units DROP COLUMN added_at;
ALTER TABLE units DROP COLUMN removed_reason;
ALTER TABLE units DROP COLUMN removed_at;
