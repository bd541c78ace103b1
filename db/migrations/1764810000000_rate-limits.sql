-- Up Migration

-- The counts of the form-post limit (api/form-throttle.ts) and of the console's sign-in lock-out
-- (console/throttle.ts), kept by rate-limiter-flexible's RateLimiterPostgres: in PostgreSQL, so that every API
-- process counts the same posts and attempts. The columns are the ones that library reads and writes (its own
-- CREATE TABLE, made here by the migration so it is versioned, and the limiters run with tableCreated: true):
-- `key` is "<limiter>:<what is counted>", `expire` the window's end in milliseconds since 1970.
CREATE TABLE rate_limits (
  key    varchar(255) PRIMARY KEY,
  points integer NOT NULL DEFAULT 0,
  expire bigint
);
-- The library deletes ended windows now and then (DELETE … WHERE expire < $1).
CREATE INDEX rate_limits_expire ON rate_limits (expire);

-- Down Migration
DROP TABLE rate_limits;
