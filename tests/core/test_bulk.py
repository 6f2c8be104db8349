"""core.bulk.insert_rows: plain tuples in, the same rows as bulk_create would write — on
PostgreSQL through unnest() of array literals, elsewhere through bulk_create."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from minsheng.core.bulk import insert_rows
from minsheng.notify.models import Message
from minsheng.tickets.models import TicketEvent
from tests.conftest import People
from tests.factories import new_ticket

pytestmark = pytest.mark.django_db


def test_rows_arrive_as_given_and_the_rest_take_their_defaults(people: People) -> None:
    ticket = new_ticket(people)
    before = timezone.now()
    awkward = ['a "quoted" word', "back\\slash", "{braces},commas", "NULL", " 空格 "]
    rows = [
        (ticket.pk, "note", None, {"text": text, "n": i, "nested": [1, None]})
        for i, text in enumerate(awkward)
    ]
    assert insert_rows(TicketEvent, ("ticket_id", "action", "unit_id", "data"), rows) == 5
    written = list(TicketEvent.objects.filter(ticket=ticket, action="note").order_by("id"))
    assert [e.data["text"] for e in written] == awkward
    # `at` (auto_now_add) is the time of the call.
    assert all(before <= e.at <= timezone.now() for e in written)
    assert all(e.data["nested"] == [1, None] for e in written)
    # Defaults of the fields not given: blank texts, public False, no actor, no unit.
    assert {
        (e.old_status, e.new_status, e.note, e.public, e.actor_id, e.unit_id) for e in written
    } == {("", "", "", False, None, None)}


def test_conflicts_are_skipped_when_asked(people: People) -> None:
    now = timezone.now()
    fields = ("user_id", "title", "body", "url", "key", "created_at")
    first = [
        (people.alice.pk, "一", "", "", "k:1", now),
        (people.alice.pk, "二", "", "", "k:2", now),
    ]
    insert_rows(Message, fields, first, ignore_conflicts=True)
    again = [
        (people.alice.pk, "一again", "", "", "k:1", now),
        (people.alice.pk, "三", "", "", "k:3", now),
    ]
    insert_rows(Message, fields, again, ignore_conflicts=True)
    assert dict(Message.objects.filter(key__startswith="k:").values_list("key", "title")) == {
        "k:1": "一",
        "k:2": "二",
        "k:3": "三",
    }
    assert Message.objects.get(key="k:3").read_at is None


def test_nothing_to_write_is_no_statement(django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    with django_assert_num_queries(0):
        assert insert_rows(Message, ("user_id", "title"), []) == 0


def test_a_required_field_left_out_or_a_stamp_given_is_refused(people: People) -> None:
    ticket = new_ticket(people)
    with pytest.raises(ValueError, match="TicketEvent.ticket_id needs a value"):
        insert_rows(TicketEvent, ("action",), [("x",)])
    with pytest.raises(ValueError, match="TicketEvent.at is set on insert"):
        insert_rows(
            TicketEvent,
            ("ticket_id", "at", "action"),
            [(ticket.pk, dt.datetime.now(tz=dt.UTC), "x")],
        )
    assert not TicketEvent.objects.filter(action="x").exists()
