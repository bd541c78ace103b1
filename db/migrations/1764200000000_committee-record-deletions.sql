-- Up Migration

-- Who deleted a committee record, and why: a deleted record leaves the year's figures, so the record of the
-- deletion is kept beside it (the row itself is never removed).
ALTER TABLE committee_records ADD COLUMN deleted_by text;
ALTER TABLE committee_records ADD COLUMN deleted_reason text;

-- Down Migration
ALTER TABLE committee_records DROP COLUMN deleted_reason;
ALTER TABLE committee_records DROP COLUMN deleted_by;
