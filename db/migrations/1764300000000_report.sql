-- Up Migration

-- The year as it stood when the cycle was frozen, written once: the report compiler reads this and nothing
-- else, so a submission or record changed afterwards cannot change a compiled report, and recompiling gives the
-- same document. Rows are never updated or deleted (enforced below, not only by convention).
CREATE TABLE frozen_snapshots (
  cycle_id   text PRIMARY KEY REFERENCES cycles(id),
  frozen_at  timestamptz NOT NULL,
  data       jsonb NOT NULL,
  sha256     text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION frozen_snapshots_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'frozen_snapshots rows are immutable (cycle %)', OLD.cycle_id;
END;
$$;
CREATE TRIGGER frozen_snapshots_no_change BEFORE UPDATE OR DELETE ON frozen_snapshots
  FOR EACH ROW EXECUTE FUNCTION frozen_snapshots_immutable();

-- The committee's register of issued documents: numbers run per document type (BC, KH, …) through the
-- committee's whole term. A compiled report takes its number once, under its key, and keeps it on recompiling.
CREATE TABLE document_register (
  id             bigserial PRIMARY KEY,
  committee_code text NOT NULL,
  term           text NOT NULL,            -- e.g. 2020-2025
  doc_type       text NOT NULL,            -- BC, KH, …
  number         integer NOT NULL CHECK (number > 0),
  report_key     text NOT NULL,            -- what the number was given to: so-ket/DUK-HT/2021-2023
  issued_on      date NOT NULL,
  actor          text NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  UNIQUE (committee_code, term, doc_type, number),
  UNIQUE (committee_code, report_key)
);

-- Down Migration
DROP TABLE document_register;
DROP TRIGGER frozen_snapshots_no_change ON frozen_snapshots;
DROP FUNCTION frozen_snapshots_immutable();
DROP TABLE frozen_snapshots;
