"""The statistics' indexes on the tickets' tables exist after the migrations, on SQLite as on
PostgreSQL, and are declared by the models that own the tables: a table rebuild on SQLite (an
altered or dropped ticket column) keeps what the model declares and loses anything else, and a
drill-down then scans the table (tickets 0012)."""

from __future__ import annotations

import pytest
from django.apps import apps
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
        "stats_event_rr_at",
        "stats_event_rr_ticket",
        "stats_event_rr_unit",
    },
}


@pytest.mark.parametrize("table", sorted(EXPECTED))
def test_every_statistics_index_exists(table: str) -> None:
    with connection.cursor() as cursor:
        names = set(connection.introspection.get_constraints(cursor, table))
    assert EXPECTED[table] <= names, sorted(EXPECTED[table] - names)


@pytest.mark.parametrize("table", sorted(EXPECTED))
def test_every_statistics_index_is_declared_by_its_model(table: str) -> None:
    [model] = [m for m in apps.get_models() if m._meta.db_table == table]
    declared = {index.name for index in model._meta.indexes}
    assert EXPECTED[table] <= declared, sorted(EXPECTED[table] - declared)
