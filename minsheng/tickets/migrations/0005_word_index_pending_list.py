"""The ticket word index's GIN pending list, merged in smaller pieces (docs/benchmarks/open311.md).

GIN defers new entries to a pending list that the insert which overflows it merges into the
index while it holds up the others; with the default 4 MB list and 600-odd bigrams a ticket,
that merge is a pause of one to three seconds every few hundred intakes: the p99 of Open311
POSTs. A 512 kB list is merged eight times as often in an eighth of the time. `fastupdate = off`
would remove the pauses altogether but costs every insert its ~600 index insertions (measured
slower, issue 5, set 3).

Only a storage parameter of the index of migration 0003: PostgreSQL only, nothing on SQLite.
bench/gen_tickets.py, which rebuilds the index after its bulk load, sets it again.
"""

from django.db import migrations

LIMIT_KB = 512


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER INDEX IF EXISTS tickets_ticketwords_bigrams "
            f"SET (gin_pending_list_limit = {LIMIT_KB})",
            params=None,
        )


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER INDEX IF EXISTS tickets_ticketwords_bigrams RESET (gin_pending_list_limit)",
            params=None,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0004_assignment_unit_ticket_index"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
