"""tickets 0012 on a database upgraded from the old raw-SQL statistics indexes: the indexes it
finds are kept (the long timeline names renamed), the missing ones are created."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.migrating import migrate, migrate_to_latest
from tests.stats.test_indexes import EXPECTED

pytestmark = pytest.mark.django_db(transaction=True)

OLD_TIMELINE_SQL = (
    "CREATE INDEX {name} ON tickets_ticketevent ({columns}) WHERE action IN ('return', 'reopen')"
)
OLD = {
    "stats_event_return_reopen_at": "at",
    "stats_event_return_reopen_ticket": "ticket_id",
    "stats_event_return_reopen_unit": "unit_id, at",
}


def names(table: str) -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.get_constraints(cursor, table))


def test_an_upgraded_database_ends_with_every_index_under_its_new_name() -> None:
    try:
        migrate([("tickets", "0011_next_check_moved")])
        # Going back leaves the indexes in place; start from none of them.
        with connection.cursor() as cursor:
            for name in set().union(*EXPECTED.values()):
                cursor.execute(f"DROP INDEX IF EXISTS {name}")
        # What the old stats migrations had left: the three long-named partial indexes and
        # one of the ticket indexes (the others as a SQLite rebuild had lost them).
        for name, columns in OLD.items():
            with connection.cursor() as cursor:
                cursor.execute(OLD_TIMELINE_SQL.format(name=name, columns=columns))
        with connection.cursor() as cursor:
            cursor.execute("CREATE INDEX stats_ticket_closed_at ON tickets_ticket (closed_at)")
        migrate([("tickets", "0012_statistics_indexes_declared")])
        for table, expected in EXPECTED.items():
            present = names(table)
            assert expected <= present, sorted(expected - present)
            assert not (set(OLD) & present)
    finally:
        migrate_to_latest()
