-- Up Migration

-- The workflow's own order of a unit's transitions. Two transitions of one obligation can carry the same calendar
-- time (a phase opening and a submission handled in one workflow task); their activities may land in either
-- order, and the row must keep the later one (the fault suite's full run saw a submitted unit shown as pending).
ALTER TABLE obligations ADD COLUMN seq integer;

-- Down Migration

ALTER TABLE obligations DROP COLUMN seq;
