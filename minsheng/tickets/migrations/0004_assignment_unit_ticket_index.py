"""An index of assignments by unit and ticket, for the scope of a unit's users.

`selectors.tickets_visible_to` scopes a unit's users with `id IN (SELECT ticket_id FROM
tickets_assignment … WHERE unit in the subtree)`. With (unit_id, ticket_id) indexed, the
subtree's ticket ids come from the index alone (an index-only scan), so PostgreSQL can start a
search from a unit's few thousand tickets instead of probing a million newest-first
(docs/benchmarks/pages.md).

Raw SQL, not a model index: on PostgreSQL the index is built CONCURRENTLY (the migration is
not atomic), so a live database keeps taking tickets meanwhile; on `bench_minsheng` (586,049
assignments) it took a few seconds. SQLite gets the same index with a plain CREATE INDEX.
"""

from django.db import migrations

NAME = "tickets_assignment_unit_ticket"
POSTGRESQL = (
    f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {NAME} ON tickets_assignment (unit_id, ticket_id)"
)
SQLITE = f"CREATE INDEX IF NOT EXISTS {NAME} ON tickets_assignment (unit_id, ticket_id)"


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL, params=None)
        # Fresh statistics of the units too: a never-analysed org_unit (bulk-seeded, under
        # autovacuum's threshold) makes PostgreSQL guess a subtree of one unit and
        # misjudge the size of a unit's scope.
        schema_editor.execute("ANALYZE org_unit", params=None)
        schema_editor.execute("ANALYZE tickets_assignment", params=None)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE, params=None)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor in ("postgresql", "sqlite"):
        schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}", params=None)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("tickets", "0003_ticket_search_indexes"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
