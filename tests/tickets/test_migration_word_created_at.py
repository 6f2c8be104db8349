"""tickets migration 0010 on a database that already has tickets: every word row gets its
ticket's created_at, the column ends NOT NULL and indexed, and going back and forth is safe."""

from __future__ import annotations

import pytest
from django.db import connection

from minsheng.tickets.models import Ticket
from tests.conftest import People
from tests.factories import new_ticket
from tests.migrating import migrate, migrate_to_latest
from tests.tickets.test_search_words import word_row_dated_as_its_ticket

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the word index is PostgreSQL's"),
    pytest.mark.django_db(transaction=True),
]

BEFORE = [("tickets", "0009_word_index_pending")]
AFTER = [("tickets", "0010_word_index_created_at")]


def _column_exists() -> bool:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM information_schema.columns "
            "WHERE table_name = 'tickets_ticketwords' AND column_name = 'created_at'"
        )
        return bool(cur.fetchone()[0])


def test_the_back_fill_gives_every_word_row_its_tickets_created_at(people: People) -> None:
    tickets = [new_ticket(people, title=f"路灯{i}") for i in range(3)]
    try:
        migrate(BEFORE)
        assert not _column_exists()
        # A ticket taken while 0009's trigger is in place: its row has no created_at to keep.
        with connection.cursor() as cur:
            cur.execute(
                "UPDATE tickets_ticket SET created_at = created_at - interval '40 days' "
                "WHERE id = %s",
                [tickets[0].pk],
            )
        migrate(AFTER)
    finally:
        migrate_to_latest()  # whatever happened, the schema the other tests expect
    assert _column_exists()
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*), count(*) FILTER (WHERE w.created_at = t.created_at) "
            "FROM tickets_ticketwords w JOIN tickets_ticket t ON t.id = w.ticket_id"
        )
        assert cur.fetchone() == (3, 3)
        cur.execute(
            "SELECT is_nullable FROM information_schema.columns "
            "WHERE table_name = 'tickets_ticketwords' AND column_name = 'created_at'"
        )
        assert cur.fetchone()[0] == "NO"
        cur.execute("SELECT to_regclass('tickets_ticketwords_created') IS NOT NULL")
        assert cur.fetchone()[0] is True
    # The trigger of 0010 writes the column for new tickets and follows a moved created_at.
    fresh = new_ticket(people)
    Ticket.objects.filter(pk=fresh.pk).update(created_at=tickets[0].created_at)
    assert word_row_dated_as_its_ticket(fresh.pk)
