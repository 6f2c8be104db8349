"""Two people acting on the same ticket at once never corrupt it: one wins, the other is told.

Runs real threads with their own database connections. On PostgreSQL the row lock
(select_for_update) serialises them; on SQLite the IMMEDIATE transaction mode does.
"""

from __future__ import annotations

import pytest

from minsheng.tickets import actions
from minsheng.tickets.errors import TicketActionError
from minsheng.tickets.models import Assignment, Status, Ticket, TicketEvent
from tests.conftest import People, run_together
from tests.factories import new_ticket


def race(*calls: object) -> list[object]:
    return run_together(*calls, expected=(TicketActionError,))  # type: ignore[arg-type]


@pytest.mark.django_db(transaction=True)
def test_two_dispatches_at_once_one_wins(people: People) -> None:
    ticket = new_ticket(people)
    results = race(
        lambda: actions.ticket_dispatch(ticket=ticket, actor=people.dispatcher, lead_unit="sunkou"),
        lambda: actions.ticket_dispatch(
            ticket=ticket, actor=people.dispatcher, lead_unit="houmiao"
        ),
    )
    winners = [r for r in results if isinstance(r, Ticket)]
    losers = [r for r in results if isinstance(r, TicketActionError)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert losers[0].code == "invalid_state"
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert fresh.status == Status.DISPATCHED and fresh.version == 2
    assert Assignment.objects.filter(ticket=ticket).count() == 1
    assert TicketEvent.objects.filter(ticket=ticket, action="dispatch").count() == 1
    assert fresh.lead_unit == winners[0].lead_unit  # type: ignore[attr-defined]


@pytest.mark.django_db(transaction=True)
def test_many_intakes_at_once_get_distinct_numbers(people: People) -> None:
    results = race(*[lambda: new_ticket(people) for _ in range(6)])
    numbers = [r.number for r in results if isinstance(r, Ticket)]  # type: ignore[attr-defined]
    assert len(numbers) == 6 and len(set(numbers)) == 6
