-- Up Migration

-- One deployment, many committees (issue 17): a console user may be scoped to one committee, and where granted
-- to its subtree (the committees whose cycles are children, at any depth, of that committee's cycles). A user
-- with no committee sees the whole deployment, as every user did before this migration.
ALTER TABLE console_users ADD COLUMN committee_code text;
ALTER TABLE console_users ADD COLUMN subtree boolean NOT NULL DEFAULT false;
ALTER TABLE console_users ADD CONSTRAINT console_users_subtree_needs_committee CHECK (NOT subtree OR committee_code IS NOT NULL);

-- The audit log records the committee an entry is about: its cycle's, or (for an entry about no cycle, such as a
-- console user added) the acting user's. Entries written before this migration stay as they were (the table
-- refuses UPDATE); readers take their committee from their cycle.
ALTER TABLE audit_log ADD COLUMN committee_code text;
CREATE INDEX audit_log_committee ON audit_log (committee_code, id);

-- Down Migration
DROP INDEX audit_log_committee;
ALTER TABLE audit_log DROP COLUMN committee_code;
ALTER TABLE console_users DROP CONSTRAINT console_users_subtree_needs_committee;
ALTER TABLE console_users DROP COLUMN subtree;
ALTER TABLE console_users DROP COLUMN committee_code;
