"""deadlines 0003 and tickets 0011 on a database that already has tickets: each pending check
moves from the ticket's column to its own row, and back when the migrations are reversed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from minsheng.deadlines.models import DeadlineCheck
from minsheng.tickets import actions
from tests.conftest import People
from tests.factories import dispatched, new_ticket
from tests.migrating import migrate, migrate_to_latest

pytestmark = pytest.mark.django_db(transaction=True)

# Reversing deadlines 0003 reverses tickets 0011 first (it depends on it).
BEFORE = [("deadlines", "0002_jobrun")]


def _ticket_column() -> dict[int, dt.datetime | None]:
    with connection.cursor() as cur:
        cur.execute("SELECT id, next_check_at FROM tickets_ticket")
        rows = cur.fetchall()
    return {pk: _aware(value) for pk, value in rows}


def _aware(value: dt.datetime | str | None) -> dt.datetime | None:
    """A raw cursor's timestamp as an aware datetime (SQLite gives UTC without its zone)."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value


def test_the_pending_checks_move_to_their_table_and_back(people: People) -> None:
    pending = [new_ticket(people), dispatched(people)]
    done = actions.ticket_direct_answer(
        ticket=new_ticket(people, kind="consultation"),
        actor=people.operator,
        answer="请携带身份证办理",
    )
    checks = dict(DeadlineCheck.objects.values_list("ticket_id", "next_check_at"))
    assert set(checks) == {t.pk for t in pending}
    try:
        migrate(BEFORE)
        column = _ticket_column()
        assert {pk: at for pk, at in column.items() if at is not None} == checks
        assert column[done.pk] is None
        # A ticket re-planned while the column was the place: the forward copy takes it.
        later = checks[pending[0].pk] + dt.timedelta(hours=1)
        field = DeadlineCheck._meta.get_field("next_check_at")
        with connection.cursor() as cur:
            cur.execute(
                "UPDATE tickets_ticket SET next_check_at = %s WHERE id = %s",
                [field.get_db_prep_value(later, connection), pending[0].pk],
            )
    finally:
        migrate_to_latest()
    assert dict(DeadlineCheck.objects.values_list("ticket_id", "next_check_at")) == {
        **checks,
        pending[0].pk: later,
    }
    with connection.cursor() as cur:
        columns = [
            c.name for c in connection.introspection.get_table_description(cur, "tickets_ticket")
        ]
    assert "next_check_at" not in columns
