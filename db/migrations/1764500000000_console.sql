-- Up Migration

-- The web console's users (Ban Tuyên giáo, leaders, admins). Passwords are scrypt hashes with their own salt
-- ("scrypt$N$r$p$salt$hash"); a user is disabled, never deleted, so the audit log's names keep their meaning.
CREATE TABLE console_users (
  username      text PRIMARY KEY CHECK (username = lower(username) AND username ~ '^[a-z0-9._-]{2,64}$'),
  name          text NOT NULL,
  role          text NOT NULL CHECK (role IN ('admin', 'clerk', 'leader')),
  password_hash text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  disabled_at   timestamptz,
  last_sign_in  timestamptz
);

-- Signed-in sessions. Only a SHA-256 of the cookie's random id is kept, so a read of this table cannot be
-- replayed as a cookie. A session ends on sign-out, after `idle` without a request, or at expires_at.
CREATE TABLE console_sessions (
  id_hash      text PRIMARY KEY,
  username     text NOT NULL REFERENCES console_users(username),
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  ended_at     timestamptz,
  ip           text,
  user_agent   text
);
CREATE INDEX console_sessions_user ON console_sessions (username);

-- Every sign-in attempt, for the lock-out (failures per username and per address in a window) and for review.
CREATE TABLE console_signin_attempts (
  id       bigserial PRIMARY KEY,
  at       timestamptz NOT NULL DEFAULT now(),
  username text NOT NULL,
  ip       text NOT NULL,
  outcome  text NOT NULL CHECK (outcome IN ('ok', 'failed', 'locked'))
);
CREATE INDEX console_signin_attempts_user ON console_signin_attempts (username, at);
CREATE INDEX console_signin_attempts_ip ON console_signin_attempts (ip, at);

-- The live view of a cycle polls events by id for one cycle.
CREATE INDEX events_cycle_id ON events (cycle_id, id);

-- Down Migration
DROP INDEX events_cycle_id;
DROP TABLE console_signin_attempts;
DROP TABLE console_sessions;
DROP TABLE console_users;
