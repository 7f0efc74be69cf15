-- Indexes FerretDB 1.24's PostgreSQL backend needs and does not make (FerretDB issue 4646).
--
-- FerretDB keeps each collection as a table with one jsonb column, _jsonb, and pushes an
-- equality filter down as `_jsonb -> 'field' @> value`. Its own indexes, even the one on _id,
-- are btree indexes on `_jsonb -> 'field'`, which cannot serve @>: without these, a findOne
-- by _id is a sequential scan of the collection's table, so it gets slower as the read model
-- grows. A GIN index on the same expression serves @>, and the planner uses it.
--
-- Every collection table gets one on _id; the read model's account and transfer tables (any
-- generation) also get one on the fields they are filtered by. An event trigger
-- adds them to every table FerretDB creates from now on; the DO block below adds them to the
-- tables that already exist. Run by the launcher as the cluster's superuser; idempotent.

CREATE OR REPLACE FUNCTION bank_index_ferretdb_table(t regclass) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  rel text;
  field text;
  fields text[] := ARRAY['_id'];
BEGIN
  SELECT relname INTO rel FROM pg_class WHERE oid = t;
  IF rel LIKE '\_ferretdb%' OR NOT EXISTS (
    SELECT 1 FROM pg_attribute WHERE attrelid = t AND attname = '_jsonb' AND NOT attisdropped
  ) THEN
    RETURN;
  END IF;
  IF rel ~ '^accounts(_g[0-9]+)?_[0-9a-f]{8}$' THEN
    fields := fields || ARRAY['ownerId', 'status', 'currency'];
  ELSIF rel ~ '^transfers(_g[0-9]+)?_[0-9a-f]{8}$' THEN
    fields := fields || ARRAY['status'];
  END IF;
  FOREACH field IN ARRAY fields LOOP
    EXECUTE format(
      'CREATE INDEX IF NOT EXISTS %I ON %s USING gin ((_jsonb -> %L))',
      left(rel, 50) || '_gin_' || lower(replace(field, '_', '')), t, field
    );
  END LOOP;
END $$;

CREATE OR REPLACE FUNCTION bank_index_new_ferretdb_tables() RETURNS event_trigger
LANGUAGE plpgsql AS $$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT objid FROM pg_event_trigger_ddl_commands() WHERE command_tag = 'CREATE TABLE' LOOP
    PERFORM bank_index_ferretdb_table(r.objid::regclass);
  END LOOP;
END $$;

DROP EVENT TRIGGER IF EXISTS bank_index_new_ferretdb_tables;
CREATE EVENT TRIGGER bank_index_new_ferretdb_tables ON ddl_command_end
  WHEN TAG IN ('CREATE TABLE') EXECUTE FUNCTION bank_index_new_ferretdb_tables();

DO $$
DECLARE
  r record;
BEGIN
  FOR r IN
    SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  LOOP
    PERFORM bank_index_ferretdb_table(r.oid);
  END LOOP;
END $$;
