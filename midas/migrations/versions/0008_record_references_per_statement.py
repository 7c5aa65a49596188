"""PostgreSQL: a stored record's references to its factory and its batch checked once per statement

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 04:00:00

A foreign key checks every inserted row on its own: PostgreSQL runs a query per row and key. For a day of the
nation's data (30,000 records, two keys) that was 0.75 s of the 1.5 s it took to store the records. On PostgreSQL
the two keys of ``production_record`` become triggers that keep the same promises, set-wise:

- after each INSERT statement, ``production_record_references_exist`` reads the statement's new rows (a transition
  table) once, locks the distinct factories and batches they refer to ``FOR KEY SHARE`` (as a foreign key does:
  a concurrent delete of one waits for this transaction), and raises ``foreign_key_violation`` naming the first
  reference that does not exist;
- an UPDATE that changes a record's factory, organization or batch is checked the same way, row by row (the
  platform never does that: records are append-only);
- deleting a factory, or changing its id or organization, while records refer to it raises
  ``foreign_key_violation`` (``ON DELETE RESTRICT``); so does deleting a batch with records. The check runs
  after the row is locked, so it sees the records of a transaction that held the lock and has committed.

Under REPEATABLE READ a foreign key would also refuse to delete a factory whose records were committed after the
deleting transaction's snapshot; these triggers see only that snapshot. The platform runs READ COMMITTED
throughout, where the two behave the same.

SQLite keeps its foreign keys: it checks a row with one index lookup, with no query per row.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FACTORY_KEY = 'fk_production_record_factory_id_factory'
BATCH_KEY = 'fk_production_record_batch_id_ingest_batch'


def _missing(key: str, columns: str, table: str, values: str) -> str:
    """The error of a record referring to a row that does not exist, as PostgreSQL words a foreign key's."""
    places = ", ".join("%s" for _ in values.split(","))
    return f"""
        RAISE EXCEPTION 'insert or update on table "production_record" violates foreign key constraint "%"', '{key}'
          USING ERRCODE = 'foreign_key_violation', TABLE = 'production_record', CONSTRAINT = '{key}',
                DETAIL = format('Key ({columns})=({places}) is not present in table "{table}".', {values});"""


def _still_referenced(table: str, key: str, columns: str, values: str) -> str:
    """The error of deleting or re-keying a row that records refer to, as PostgreSQL words a foreign key's."""
    places = ", ".join("%s" for _ in values.split(","))
    return f"""
        RAISE EXCEPTION 'update or delete on table "{table}" violates foreign key constraint "%" on table '
          '"production_record"', '{key}'
          USING ERRCODE = 'foreign_key_violation', TABLE = '{table}', CONSTRAINT = '{key}',
                DETAIL = format('Key ({columns})=({places}) is still referenced from table "production_record".',
                                {values});"""


def _returning_the_row() -> str:
    return """
      IF TG_OP = 'DELETE' THEN
        RETURN OLD;
      END IF;
      RETURN NEW;"""


_FUNCTIONS = (
    # The new rows of one INSERT statement: every (factory, organization) and every batch they refer to must exist.
    f"""
    CREATE FUNCTION production_record_references_exist() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      missing record;
    BEGIN
      PERFORM 1 FROM factory f JOIN (SELECT DISTINCT factory_id, organization_id FROM added) a
        ON f.id = a.factory_id AND f.organization_id = a.organization_id
        ORDER BY f.id FOR KEY SHARE OF f;
      SELECT a.factory_id, a.organization_id INTO missing
        FROM (SELECT DISTINCT factory_id, organization_id FROM added) a
        WHERE NOT EXISTS (SELECT 1 FROM factory f WHERE f.id = a.factory_id AND f.organization_id = a.organization_id)
        LIMIT 1;
      IF FOUND THEN{_missing(FACTORY_KEY, "factory_id, organization_id", "factory",
                             "missing.factory_id, missing.organization_id")}
      END IF;
      PERFORM 1 FROM ingest_batch b JOIN (SELECT DISTINCT batch_id FROM added) a ON b.id = a.batch_id
        ORDER BY b.id FOR KEY SHARE OF b;
      SELECT a.batch_id INTO missing FROM (SELECT DISTINCT batch_id FROM added) a
        WHERE NOT EXISTS (SELECT 1 FROM ingest_batch b WHERE b.id = a.batch_id) LIMIT 1;
      IF FOUND THEN{_missing(BATCH_KEY, "batch_id", "ingest_batch", "missing.batch_id")}
      END IF;
      RETURN NULL;
    END $$
    """,
    # One record whose references an UPDATE changes.
    f"""
    CREATE FUNCTION production_record_changed_references_exist() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM 1 FROM factory WHERE id = NEW.factory_id AND organization_id = NEW.organization_id FOR KEY SHARE;
      IF NOT FOUND THEN{_missing(FACTORY_KEY, "factory_id, organization_id", "factory",
                                 "NEW.factory_id, NEW.organization_id")}
      END IF;
      PERFORM 1 FROM ingest_batch WHERE id = NEW.batch_id FOR KEY SHARE;
      IF NOT FOUND THEN{_missing(BATCH_KEY, "batch_id", "ingest_batch", "NEW.batch_id")}
      END IF;
      RETURN NEW;
    END $$
    """,
    # A factory that records refer to keeps its id and organization and is not deleted.
    f"""
    CREATE FUNCTION factory_without_records() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'UPDATE' AND NEW.id = OLD.id AND NEW.organization_id = OLD.organization_id THEN
        RETURN NEW;
      END IF;
      IF EXISTS (SELECT 1 FROM production_record WHERE factory_id = OLD.id AND organization_id = OLD.organization_id)
      THEN{_still_referenced("factory", FACTORY_KEY, "id, organization_id", "OLD.id, OLD.organization_id")}
      END IF;{_returning_the_row()}
    END $$
    """,
    # A batch that records refer to keeps its id and is not deleted.
    f"""
    CREATE FUNCTION ingest_batch_without_records() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'UPDATE' AND NEW.id = OLD.id THEN
        RETURN NEW;
      END IF;
      IF EXISTS (SELECT 1 FROM production_record WHERE batch_id = OLD.id) THEN{
          _still_referenced("ingest_batch", BATCH_KEY, "id", "OLD.id")}
      END IF;{_returning_the_row()}
    END $$
    """,
)

_TRIGGERS = (
    "CREATE TRIGGER production_record_references AFTER INSERT ON production_record "
    "REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION production_record_references_exist()",
    "CREATE TRIGGER production_record_changed_references BEFORE UPDATE OF factory_id, organization_id, batch_id "
    "ON production_record FOR EACH ROW WHEN (NEW.factory_id IS DISTINCT FROM OLD.factory_id "
    "OR NEW.organization_id IS DISTINCT FROM OLD.organization_id OR NEW.batch_id IS DISTINCT FROM OLD.batch_id) "
    "EXECUTE FUNCTION production_record_changed_references_exist()",
    "CREATE TRIGGER factory_referenced_by_records BEFORE DELETE OR UPDATE OF id, organization_id ON factory "
    "FOR EACH ROW EXECUTE FUNCTION factory_without_records()",
    "CREATE TRIGGER ingest_batch_referenced_by_records BEFORE DELETE OR UPDATE OF id ON ingest_batch "
    "FOR EACH ROW EXECUTE FUNCTION ingest_batch_without_records()",
)

_DROPS = (
    "DROP TRIGGER ingest_batch_referenced_by_records ON ingest_batch",
    "DROP TRIGGER factory_referenced_by_records ON factory",
    "DROP TRIGGER production_record_changed_references ON production_record",
    "DROP TRIGGER production_record_references ON production_record",
    "DROP FUNCTION ingest_batch_without_records()",
    "DROP FUNCTION factory_without_records()",
    "DROP FUNCTION production_record_changed_references_exist()",
    "DROP FUNCTION production_record_references_exist()",
)


def upgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.drop_constraint(FACTORY_KEY, 'production_record', type_='foreignkey')
    op.drop_constraint(BATCH_KEY, 'production_record', type_='foreignkey')
    for statement in (*_FUNCTIONS, *_TRIGGERS):
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    for statement in _DROPS:
        op.execute(statement)
    op.create_foreign_key(FACTORY_KEY, 'production_record', 'factory', ['factory_id', 'organization_id'],
                          ['id', 'organization_id'], ondelete='RESTRICT')
    op.create_foreign_key(BATCH_KEY, 'production_record', 'ingest_batch', ['batch_id'], ['id'], ondelete='RESTRICT')
