"""Ticket numbers: YYMMDD + the day's sequence, unique, and gapless as long as nothing fails; an
intake that fails gives its number back."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction

from minsheng.tickets import actions, notifications
from minsheng.tickets.errors import InvalidInput
from minsheng.tickets.models import Ticket, TicketEvent, TicketSequence
from tests.conftest import People, run_together
from tests.factories import new_ticket

SH = ZoneInfo("Asia/Shanghai")
DAY = dt.datetime(2026, 11, 23, 10, 0, tzinfo=SH)


def test_numbers_count_up_per_day(people: People) -> None:
    with time_machine.travel(DAY, tick=False) as clock:
        assert [new_ticket(people).number for _ in range(3)] == [
            "2611230001",
            "2611230002",
            "2611230003",
        ]
        clock.move_to(DAY + dt.timedelta(days=1))
        assert new_ticket(people).number == "2611240001"
    assert dict(TicketSequence.objects.values_list("day", "last")) == {
        dt.date(2026, 11, 23): 3,
        dt.date(2026, 11, 24): 1,
    }


def test_a_refused_intake_takes_no_number(people: People) -> None:
    with time_machine.travel(DAY, tick=False):
        new_ticket(people)
        with pytest.raises(InvalidInput):
            new_ticket(people, citizen_phone="12")
        assert new_ticket(people).number == "2611230002"


def test_an_intake_failing_after_its_number_gives_it_back(
    people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(ticket: Ticket) -> None:
        raise RuntimeError("the outbox is broken")

    with time_machine.travel(DAY, tick=False):
        new_ticket(people)
        monkeypatch.setattr(notifications, "on_intake", broken)
        # The caller's own transaction (as Open311's): the intake's writes go with it.
        with pytest.raises(RuntimeError), transaction.atomic():
            new_ticket(people)
        assert Ticket.objects.count() == 1 and TicketEvent.objects.count() == 1
        monkeypatch.undo()
        assert new_ticket(people).number == "2611230002"


def test_a_caller_failing_after_the_intake_leaves_nothing(people: People) -> None:
    with time_machine.travel(DAY, tick=False):
        with pytest.raises(ZeroDivisionError), transaction.atomic():
            new_ticket(people)
            _ = 1 / 0  # e.g. the Open311 record could not be written
        assert not Ticket.objects.exists() and not TicketEvent.objects.exists()
        assert new_ticket(people).number == "2611230001"


@pytest.mark.django_db(transaction=True)
def test_intakes_at_once_get_unique_gapless_numbers(people: People) -> None:
    def take() -> list[str]:
        return [
            actions.ticket_intake(
                actor=people.operator,
                channel="hotline",
                kind="complaint",
                title="路灯不亮",
                description="铭功路路灯不亮。",
            ).number
            for _ in range(3)
        ]

    numbers = [n for taken in run_together(*[take] * 8) for n in taken]
    assert len(numbers) == 24
    by_day: dict[str, list[int]] = {}
    for number in numbers:  # (a run across midnight starts a second day)
        by_day.setdefault(number[:6], []).append(int(number[6:]))
    for sequence in by_day.values():
        assert sorted(sequence) == list(range(1, len(sequence) + 1))
