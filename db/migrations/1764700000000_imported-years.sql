-- Up Migration

-- A past year imported from a workbook (`chuky cycle import-year`) rather than run in chuky: the cycle is written
-- closed and frozen at once, and says who imported it, when, and from which workbook (name and sha256).
ALTER TABLE cycles ADD COLUMN imported_at timestamptz;
ALTER TABLE cycles ADD COLUMN imported_by text;
ALTER TABLE cycles ADD COLUMN imported_from jsonb;

-- Where an imported submission or committee record was read: {"workbook", "sheet", "row"}, so `report explain`
-- names the workbook row a figure came from. NULL for everything entered in chuky itself.
ALTER TABLE submissions ADD COLUMN origin jsonb;
ALTER TABLE committee_records ADD COLUMN origin jsonb;

-- Down Migration
ALTER TABLE committee_records DROP COLUMN origin;
ALTER TABLE submissions DROP COLUMN origin;
ALTER TABLE cycles DROP COLUMN imported_from;
ALTER TABLE cycles DROP COLUMN imported_by;
ALTER TABLE cycles DROP COLUMN imported_at;
