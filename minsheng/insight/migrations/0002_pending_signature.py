"""The duplicate index is kept by the worker: triggers mark new and changed tickets pending.

Until now nothing filed a new ticket in the duplicate index (`TicketSignature`/`TicketTerm`):
only `manage.py insight_index` did, so a running installation never showed a text duplicate
on the desk. Like the search's word index (tickets migration 0009), a trigger on
`tickets_ticket` only notes the ticket in `insight_pendingsignature`, in the transaction that
wrote it (whatever the channel: desk, REST API, Open311, an import), and the worker
(`insight.index.index_pending`) vectorises the pending tickets in batches. The intake pays one
insert of a one-column row, no Python.

Both databases: PostgreSQL (a plpgsql function) and SQLite (a trigger body), the latter being
`make run`'s database. The triggers fire on insert, and on an update of the title, the
description or the place that changes it. On SQLite a table rebuild of `tickets_ticket`
(Django's way of altering some columns) drops its triggers: a later migration that rebuilds it
must create them again (`create_triggers` below); tests/insight/test_index_pending.py fails
if an intake no longer marks its ticket.

The tickets already there without a signature are marked pending by the back-fill, so the
worker files them too (`manage.py insight_index` does it at once, and `make run` calls it).
"""

from django.db import migrations, models

PG_FORWARDS = r"""
CREATE OR REPLACE FUNCTION insight_pendingsignature_write() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO insight_pendingsignature (ticket_id) VALUES (NEW.id)
  ON CONFLICT (ticket_id) DO NOTHING;
  RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS insight_pendingsignature_insert ON tickets_ticket;
CREATE TRIGGER insight_pendingsignature_insert AFTER INSERT ON tickets_ticket
  FOR EACH ROW EXECUTE FUNCTION insight_pendingsignature_write();
DROP TRIGGER IF EXISTS insight_pendingsignature_update ON tickets_ticket;
CREATE TRIGGER insight_pendingsignature_update
  AFTER UPDATE OF title, description, division_id ON tickets_ticket
  FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title
                     OR OLD.description IS DISTINCT FROM NEW.description
                     OR OLD.division_id IS DISTINCT FROM NEW.division_id)
  EXECUTE FUNCTION insight_pendingsignature_write();
"""
PG_BACKWARDS = r"""
DROP TRIGGER IF EXISTS insight_pendingsignature_insert ON tickets_ticket;
DROP TRIGGER IF EXISTS insight_pendingsignature_update ON tickets_ticket;
DROP FUNCTION IF EXISTS insight_pendingsignature_write();
"""
SQLITE_FORWARDS = (
    """
CREATE TRIGGER IF NOT EXISTS insight_pendingsignature_insert AFTER INSERT ON tickets_ticket
BEGIN
  INSERT OR IGNORE INTO insight_pendingsignature (ticket_id) VALUES (NEW.id);
END
""",
    """
CREATE TRIGGER IF NOT EXISTS insight_pendingsignature_update
AFTER UPDATE OF title, description, division_id ON tickets_ticket
WHEN OLD.title IS NOT NEW.title OR OLD.description IS NOT NEW.description
  OR OLD.division_id IS NOT NEW.division_id
BEGIN
  INSERT OR IGNORE INTO insight_pendingsignature (ticket_id) VALUES (NEW.id);
END
""",
)
SQLITE_BACKWARDS = (
    "DROP TRIGGER IF EXISTS insight_pendingsignature_insert",
    "DROP TRIGGER IF EXISTS insight_pendingsignature_update",
)
BACKFILL = (
    "INSERT INTO insight_pendingsignature (ticket_id) "
    "SELECT t.id FROM tickets_ticket t WHERE NOT EXISTS "
    "(SELECT 1 FROM insight_ticketsignature s WHERE s.ticket_id = t.id)"
)


def create_triggers(schema_editor) -> None:  # type: ignore[no-untyped-def]
    """The triggers of this migration (idempotent): for a later migration that rebuilds
    `tickets_ticket` on SQLite, which drops them."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_FORWARDS, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_FORWARDS:
            schema_editor.execute(sql, params=None)


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    create_triggers(schema_editor)
    schema_editor.execute(BACKFILL, params=None)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_BACKWARDS, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_BACKWARDS:
            schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("insight", "0001_initial"),
        # After every migration of the tickets so far: on SQLite one that rebuilds the table
        # would drop the triggers.
        ("tickets", "0013_ticket_address_public"),
    ]

    operations = [
        migrations.CreateModel(
            name="PendingSignature",
            fields=[("ticket_id", models.BigIntegerField(primary_key=True, serialize=False))],
            options={"verbose_name": "待索引工单", "verbose_name_plural": "待索引工单"},
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
