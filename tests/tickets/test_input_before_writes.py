"""Every service validates its input before its first write: a refused input sends no INSERT,
UPDATE or DELETE to the database and leaves no trace (no timeline event, the version unchanged,
no assignment, no praise). The transaction would roll a late refusal back, but a write before the
check still takes locks, fires the clock's upsert and costs queries, so the SQL sent is what is
asserted, not only the rows left. And the read-only leader records no praise (issue 18,
finding 7)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from minsheng.tickets import actions
from minsheng.tickets.errors import InvalidInput, NotAllowed
from minsheng.tickets.models import Assignment, Praise, Ticket, TicketEvent
from tests.conftest import People
from tests.factories import dispatched, in_progress, new_ticket, replied

TOO_LONG = "长" * 4001

Build = Callable[[People], Ticket]
Call = Callable[[People, Ticket], Any]


def return_requested(people: People) -> Ticket:
    return actions.ticket_return(ticket=dispatched(people), actor=people.alice, reason="非本单位")


def paused(people: People) -> Ticket:
    return actions.ticket_pause(ticket=in_progress(people), actor=people.alice, reason="等待鉴定")


def with_a_master(people: People) -> Ticket:
    dispatched(people)
    return new_ticket(people)


CASES: dict[str, tuple[Build, Call]] = {
    "return_accept, note too long": (
        return_requested,
        lambda p, t: actions.ticket_return_accept(
            ticket=t, actor=p.dispatcher, lead_unit=p.org.houmiao, note=TOO_LONG
        ),
    ),
    "return_accept, unknown unit": (
        return_requested,
        lambda p, t: actions.ticket_return_accept(
            ticket=t, actor=p.dispatcher, lead_unit="no-such-unit", note=""
        ),
    ),
    "return_refuse, no note": (
        return_requested,
        lambda p, t: actions.ticket_return_refuse(ticket=t, actor=p.dispatcher, note=" "),
    ),
    "reassign, note too long": (
        in_progress,
        lambda p, t: actions.ticket_reassign(
            ticket=t, actor=p.dispatcher, lead_unit=p.org.houmiao, note=TOO_LONG
        ),
    ),
    "reassign, unknown unit": (
        in_progress,
        lambda p, t: actions.ticket_reassign(
            ticket=t, actor=p.dispatcher, lead_unit="no-such-unit", note=""
        ),
    ),
    "add_assisting, note too long": (
        in_progress,
        lambda p, t: actions.ticket_add_assisting(
            ticket=t, actor=p.dispatcher, unit=p.org.houmiao, note=TOO_LONG
        ),
    ),
    "contact, note too long": (
        in_progress,
        lambda p, t: actions.ticket_contact(ticket=t, actor=p.alice, method="phone", note=TOO_LONG),
    ),
    "contact, unknown method": (
        in_progress,
        lambda p, t: actions.ticket_contact(ticket=t, actor=p.alice, method="pigeon", note=""),
    ),
    "emergency_transfer, note too long": (
        new_ticket,
        lambda p, t: actions.ticket_emergency_transfer(
            ticket=t, actor=p.operator, to="110", note=TOO_LONG
        ),
    ),
    "merge, note too long": (
        with_a_master,
        lambda p, t: actions.ticket_merge(
            ticket=t, actor=p.operator, master=Ticket.objects.exclude(pk=t.pk).get(), note=TOO_LONG
        ),
    ),
    "merge, unknown master": (
        new_ticket,
        lambda p, t: actions.ticket_merge(ticket=t, actor=p.operator, master="20990101-0001"),
    ),
    "resume, note too long": (
        paused,
        lambda p, t: actions.ticket_resume(ticket=t, actor=p.alice, note=TOO_LONG),
    ),
    "praise on the ticket, no note": (
        replied,
        lambda p, t: actions.ticket_praise(ticket=t, actor=p.operator, kind="banner", note=""),
    ),
    "praise of a unit, unknown kind": (
        replied,
        lambda p, t: actions.unit_praise(
            unit=p.org.sunkou, actor=p.operator, kind="statue", note="好", ticket=t
        ),
    ),
}


def trace(ticket: Ticket) -> tuple[int, int, int, int]:
    return (
        Ticket.objects.get(pk=ticket.pk).version,
        TicketEvent.objects.filter(ticket=ticket).count(),
        Assignment.objects.filter(ticket=ticket).count(),
        Praise.objects.count(),
    )


@pytest.mark.parametrize("case", list(CASES))
def test_a_refused_input_leaves_no_trace(people: People, case: str) -> None:
    build, call = CASES[case]
    ticket = build(people)
    before = trace(ticket)
    fresh = Ticket.objects.get(pk=ticket.pk)
    with CaptureQueriesContext(connection) as sent, pytest.raises(InvalidInput):
        call(people, fresh)
    assert writes(sent.captured_queries) == []
    assert trace(ticket) == before


WRITES = ("INSERT", "UPDATE", "DELETE")


def writes(queries: list[dict[str, str]]) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(WRITES)]


def test_the_leader_records_no_praise(people: People) -> None:
    ticket = replied(people)
    leader = people.org.leader
    with pytest.raises(NotAllowed):
        actions.ticket_praise(ticket=ticket, actor=leader, kind="banner", note="办事认真")
    with pytest.raises(NotAllowed):
        actions.unit_praise(unit=people.org.sunkou, actor=leader, kind="banner", note="办事认真")
    with pytest.raises(NotAllowed):
        actions.unit_praise(
            unit=people.org.sunkou, actor=leader, kind="banner", note="办事认真", ticket=ticket
        )
    assert not Praise.objects.exists()
    # The hotline's writing roles still may.
    actions.unit_praise(unit=people.org.sunkou, actor=people.operator, kind="banner", note="好")
    assert Praise.objects.count() == 1
