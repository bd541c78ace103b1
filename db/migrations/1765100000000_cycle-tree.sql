-- Up Migration

-- Cycles nest (issue 17): a committee that is a unit of its superior's cycle of the same year runs its own cycle,
-- the child, through which it meets its obligations there. `parent_cycle_id` is the superior's cycle and
-- `parent_unit_code` this committee's code among its units; both null for a cycle at the top of what chuky runs.
-- Written once, when the cycle is first registered (config `parent`, checked by `cycle start`: domain/cascade.ts).
ALTER TABLE cycles ADD COLUMN parent_cycle_id text REFERENCES cycles (id);
ALTER TABLE cycles ADD COLUMN parent_unit_code text;
CREATE INDEX cycles_parent ON cycles (parent_cycle_id) WHERE parent_cycle_id IS NOT NULL;

-- Down Migration
DROP INDEX cycles_parent;
ALTER TABLE cycles DROP COLUMN parent_unit_code;
ALTER TABLE cycles DROP COLUMN parent_cycle_id;
