-- Up Migration

-- API tokens scoped to a committee (issue 17): a committee's own scripts and systems call the operator API with a
-- token that opens that committee (and, where granted, the committees under it) and nothing else. Only the
-- token's SHA-256 is kept; the token is shown once, when it is made (`chuky api-token create`). CHUKY_API_TOKEN
-- stays the deployment's own token, which opens everything.
CREATE TABLE api_tokens (
  id             bigserial PRIMARY KEY,
  name           text NOT NULL,
  committee_code text NOT NULL,
  subtree        boolean NOT NULL DEFAULT false,
  token_sha256   text NOT NULL UNIQUE,
  created_by     text NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  revoked_at     timestamptz
);

-- Down Migration
DROP TABLE api_tokens;
