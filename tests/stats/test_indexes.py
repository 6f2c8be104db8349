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


COLUMNS = {
    "stats_ticket_closed_at": ["closed_at"],
    "stats_ticket_contact_due": ["contact_due"],
    "stats_ticket_lead_closed": ["lead_unit_id", "closed_at"],
    "stats_ticket_lead_created": ["lead_unit_id", "created_at"],
    "stats_ticket_lead_contact": ["lead_unit_id", "contact_due"],
    "stats_ticket_reply_due": ["reply_due"],
    "stats_ticket_reply_late": ["reply_due"],
    "stats_callback_at": ["at"],
    "stats_event_rr_at": ["at"],
    "stats_event_rr_ticket": ["ticket_id"],
    "stats_event_rr_unit": ["unit_id", "at"],
}
# The partial indexes and what their WHERE clause must mention: the drill-down and rollup
# queries state the same condition, or the planner cannot use the index.
PARTIAL = {
    "stats_ticket_reply_late": ("replied_at", "reply_due"),
    "stats_event_rr_at": ("return", "reopen"),
    "stats_event_rr_ticket": ("return", "reopen"),
    "stats_event_rr_unit": ("return", "reopen"),
}


def index_sql(name: str) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [name])
        else:
            cursor.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = %s", [name]
            )
        [(sql,)] = cursor.fetchall()
    return str(sql)


@pytest.mark.parametrize("table", sorted(EXPECTED))
def test_every_statistics_index_has_its_columns_in_order_and_its_condition(table: str) -> None:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    for name in sorted(EXPECTED[table]):
        assert constraints[name]["columns"] == COLUMNS[name], name
        sql = index_sql(name)
        if name in PARTIAL:
            where = sql.upper().split(" WHERE ", 1)[1].lower()
            assert all(word in where for word in PARTIAL[name]), (name, sql)
        else:
            assert " WHERE " not in sql.upper(), (name, sql)
