"""The statistics' raw-SQL indexes on the tickets' tables exist after the migrations, on SQLite as
on PostgreSQL: a table rebuild on SQLite (an altered or dropped ticket column) loses whatever the
model does not declare, and a drill-down then scans the table (stats 0007)."""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

EXPECTED = {
    "tickets_ticket": {
        "stats_ticket_closed_at",
        "stats_ticket_contact_due",
        "stats_ticket_lead_closed",
        "stats_ticket_lead_created",
        "stats_ticket_lead_contact",
        "stats_ticket_reply_due",
        "stats_ticket_reply_late",
    },
    "tickets_callback": {"stats_callback_at"},
    "tickets_ticketevent": {
        "stats_event_return_reopen_at",
        "stats_event_return_reopen_ticket",
        "stats_event_return_reopen_unit",
    },
}


@pytest.mark.parametrize("table", sorted(EXPECTED))
def test_every_statistics_index_exists(table: str) -> None:
    with connection.cursor() as cursor:
        names = set(connection.introspection.get_constraints(cursor, table))
    assert EXPECTED[table] <= names, sorted(EXPECTED[table] - names)
