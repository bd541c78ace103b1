-- Up Migration

-- A launched cycle: the committee's year, with the definition it was started from.
CREATE TABLE cycles (
  id             text PRIMARY KEY,
  committee_code text NOT NULL,
  year           integer NOT NULL,
  definition     jsonb NOT NULL,
  clock          jsonb NOT NULL,
  source_file    text,
  status         text NOT NULL DEFAULT 'starting',  -- starting | running | closed
  launched_units integer NOT NULL DEFAULT 0,
  created_at     timestamptz NOT NULL DEFAULT now(),
  closed_at      timestamptz,
  closed_reason  text
);

-- The units of a cycle as registered at launch (or added later). Contacts are read at send time, so a
-- corrected email address applies to the next message.
CREATE TABLE units (
  cycle_id        text NOT NULL REFERENCES cycles(id),
  code            text NOT NULL,
  name            text NOT NULL,
  kind            text NOT NULL,
  members         integer NOT NULL CHECK (members >= 0),
  secretary_name  text NOT NULL,
  secretary_email text NOT NULL,
  contact_name    text,
  contact_email   text,
  parent_code     text,
  active          boolean NOT NULL DEFAULT true,
  PRIMARY KEY (cycle_id, code)
);

-- The current state of each obligation: a projection kept by the unit workflows, read by status commands.
CREATE TABLE obligations (
  cycle_id         text NOT NULL,
  unit_code        text NOT NULL,
  phase            text NOT NULL,
  deadline         date NOT NULL,
  due_at           timestamptz NOT NULL,
  status           text NOT NULL,
  escalation_level integer NOT NULL DEFAULT 0,
  last_event       text NOT NULL,
  updated_at       timestamptz NOT NULL DEFAULT now(),
  calendar_at      timestamptz NOT NULL,
  PRIMARY KEY (cycle_id, unit_code, phase),
  FOREIGN KEY (cycle_id, unit_code) REFERENCES units(cycle_id, code)
);
CREATE INDEX obligations_status ON obligations (cycle_id, phase, status);

-- Every transition, with time, actor and reason. event_key makes a retried activity write it once.
CREATE TABLE events (
  id               bigserial PRIMARY KEY,
  event_key        text NOT NULL UNIQUE,
  cycle_id         text NOT NULL,
  unit_code        text NOT NULL,
  phase            text NOT NULL,
  kind             text NOT NULL,
  status           text NOT NULL,
  escalation_level integer NOT NULL,
  deadline         date NOT NULL,
  actor            text NOT NULL,
  reason           text,
  data             jsonb,
  at               timestamptz NOT NULL DEFAULT now(),
  calendar_at      timestamptz NOT NULL
);
CREATE INDEX events_unit ON events (cycle_id, unit_code, phase, id);

-- Every version of every submission. submission_key (from the client's request id) makes a retry one version.
CREATE TABLE submissions (
  id             bigserial PRIMARY KEY,
  submission_key text NOT NULL UNIQUE,
  cycle_id       text NOT NULL,
  unit_code      text NOT NULL,
  phase          text NOT NULL,
  version        integer NOT NULL,
  payload        jsonb NOT NULL,
  actor          text NOT NULL,
  via            text NOT NULL,
  late           boolean NOT NULL,
  submitted_at   timestamptz NOT NULL DEFAULT now(),
  calendar_at    timestamptz NOT NULL,
  UNIQUE (cycle_id, unit_code, phase, version)
);

-- The outbox: one row per email purpose. A send first claims the row; a retry finds it sent and stops.
CREATE TABLE emails (
  id          bigserial PRIMARY KEY,
  email_key   text NOT NULL UNIQUE,
  message_id  text NOT NULL UNIQUE,
  cycle_id    text NOT NULL,
  unit_code   text NOT NULL,
  phase       text NOT NULL,
  kind        text NOT NULL,
  to_addrs    text[] NOT NULL,
  cc_addrs    text[] NOT NULL DEFAULT '{}',
  subject     text NOT NULL,
  status      text NOT NULL DEFAULT 'pending',  -- pending | sent | bounced
  attempts    integer NOT NULL DEFAULT 0,
  last_error  text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  sent_at     timestamptz,
  calendar_at timestamptz NOT NULL
);
CREATE INDEX emails_unit ON emails (cycle_id, unit_code, phase);

-- Down Migration
DROP TABLE emails;
DROP TABLE submissions;
DROP TABLE events;
DROP TABLE obligations;
DROP TABLE units;
DROP TABLE cycles;
