"""lib.bulk.insert_rows: plain tuples in, the same rows as bulk_create would write — on
PostgreSQL through unnest() of array literals, elsewhere through bulk_create."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from minsheng.lib.bulk import insert_one, insert_rows
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


def test_insert_unless_exists_writes_once_and_keeps_the_transaction(people: People) -> None:
    from django.db import transaction

    from minsheng.lib.bulk import insert_unless_exists
    from minsheng.notify.models import Outbox

    context = {"number": "2612050001", "when": timezone.now()}
    with transaction.atomic():
        first = Outbox(
            key="k:1", channel="sms", recipient="13800000000", template="t", context=context
        )
        assert insert_unless_exists(first) is True
        assert first.pk is not None and not first._state.adding
        twin = Outbox(key="k:1", channel="log", recipient="x", template="u")
        assert insert_unless_exists(twin) is False
        assert twin.pk is None
        # The transaction is still usable after the skipped row (no IntegrityError raised).
        other = Outbox(key="k:2", channel="log", recipient="y", template="v")
        assert insert_unless_exists(other) is True
    stored = Outbox.objects.get(key="k:1")
    assert stored.pk == first.pk and stored.channel == "sms" and stored.recipient == "13800000000"
    # Values prepared as save() prepares them: JSON through the field's encoder, defaults filled.
    assert stored.context["number"] == "2612050001" and isinstance(stored.context["when"], str)
    assert stored.status == Outbox.Status.PENDING and stored.next_attempt_at is not None
    assert Outbox.objects.filter(key__in=["k:1", "k:2"]).count() == 2


def test_insert_one_writes_what_save_would(people: People) -> None:
    ticket = new_ticket(people)
    before = timezone.now()
    event = TicketEvent(
        ticket=ticket, actor=people.operator, action="note", note="备注", data={"a": [1, "二"]}
    )
    insert_one(event)
    assert event.pk is not None and not event._state.adding
    stored = TicketEvent.objects.get(pk=event.pk)
    # auto_now_add as save() sets it, the JSON as given, defaults for the rest.
    assert before <= stored.at <= timezone.now() and stored.at == event.at
    assert (stored.ticket_id, stored.actor_id, stored.action, stored.note, stored.data) == (
        ticket.pk,
        people.operator.pk,
        "note",
        "备注",
        {"a": [1, "二"]},
    )
    assert (stored.old_status, stored.new_status, stored.public, stored.unit_id) == (
        "",
        "",
        False,
        None,
    )


def test_insert_one_refuses_a_duplicate_and_writes_nothing(people: People) -> None:
    from django.db import IntegrityError, transaction

    from minsheng.tickets.models import Ticket

    ticket = new_ticket(people)
    twin = Ticket.objects.get(pk=ticket.pk)
    twin.pk = None
    twin._state.adding = True
    count = Ticket.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_one(twin)  # the same number: the unique constraint refuses it
    assert Ticket.objects.count() == count and twin.pk is None
