"""Tickets with a known history, made through the real services at chosen moments."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from zoneinfo import ZoneInfo

import time_machine

from minsheng.org.models import Unit, User
from minsheng.stats import rollup
from minsheng.tickets import actions
from minsheng.tickets.models import Assignment, Ticket
from tests.conftest import People

SH = ZoneInfo("Asia/Shanghai")


def at(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=SH)


@contextmanager
def when(moment: dt.datetime) -> Iterator[None]:
    with time_machine.travel(moment, tick=False):
        yield


def refresh_all() -> int:
    """Bring the rollups up to date (as of far in the future: nothing is within the lag)."""
    return rollup.refresh_until_done(now=dt.datetime(2100, 1, 1, tzinfo=SH), limit=50)


class Story:
    """Acts on tickets at given moments as the people of tests.conftest."""

    def __init__(self, people: People) -> None:
        self.people = people

    def intake(self, moment: dt.datetime, **fields: object) -> Ticket:
        values: dict[str, object] = {
            "channel": "hotline",
            "kind": "complaint",
            "title": "铭功路路灯不亮",
            "description": "孙口镇铭功路东段路灯连续三晚不亮。",
            "citizen_name": "张三",
            "citizen_phone": "13800138000",
        }
        values.update(fields)
        with when(moment):
            return actions.ticket_intake(actor=self.people.operator, **values)  # type: ignore[arg-type]

    def dispatch(
        self,
        ticket: Ticket,
        moment: dt.datetime,
        lead: Unit | str = "sunkou",
        assisting: Sequence[Unit | str] = (),
    ) -> Ticket:
        with when(moment):
            return actions.ticket_dispatch(
                ticket=ticket,
                actor=self.people.dispatcher,
                lead_unit=lead,
                assisting_units=assisting,
            )

    def sign(
        self,
        ticket: Ticket,
        moment: dt.datetime,
        actor: User | None = None,
        part: int | None = None,
    ) -> Ticket:
        with when(moment):
            return actions.ticket_sign(
                ticket=ticket, actor=actor or self.people.alice, assignment_id=part
            )

    def contact(self, ticket: Ticket, moment: dt.datetime, actor: User | None = None) -> Ticket:
        with when(moment):
            return actions.ticket_contact(
                ticket=ticket, actor=actor or self.people.alice, method="phone"
            )

    def reply(
        self,
        ticket: Ticket,
        moment: dt.datetime,
        actor: User | None = None,
        result: str = "resolved",
        part: int | None = None,
    ) -> Ticket:
        with when(moment):
            return actions.ticket_reply(
                ticket=ticket,
                actor=actor or self.people.alice,
                result=result,
                content="已处理。",
                assignment_id=part,
            )

    def callback(
        self,
        ticket: Ticket,
        moment: dt.datetime,
        *,
        reached: bool = True,
        resolved: bool = True,
        satisfaction: str = "satisfied",
    ) -> Ticket:
        with when(moment):
            return actions.ticket_callback(
                ticket=ticket,
                actor=self.people.operator,
                reached=reached,
                resolved=resolved if reached else None,
                satisfaction=satisfaction if reached else "",
            )

    def handled(
        self,
        moment: dt.datetime,
        *,
        lead: Unit | str = "sunkou",
        actor: User | None = None,
        satisfaction: str = "satisfied",
        resolved: bool = True,
        **fields: object,
    ) -> Ticket:
        """Intake at `moment`, dispatch +10 min, sign +20 min, contact +1 h, reply +1 day,
        callback +2 days: a ticket handled on time and closed."""
        ticket = self.intake(moment, **fields)
        ticket = self.dispatch(ticket, moment + dt.timedelta(minutes=10), lead)
        ticket = self.sign(ticket, moment + dt.timedelta(minutes=20), actor)
        ticket = self.contact(ticket, moment + dt.timedelta(hours=1), actor)
        ticket = self.reply(ticket, moment + dt.timedelta(days=1), actor)
        return self.callback(
            ticket, moment + dt.timedelta(days=2), resolved=resolved, satisfaction=satisfaction
        )

    def part_of(self, ticket: Ticket, unit: Unit, role: str | None = None) -> int:
        parts = Assignment.objects.filter(ticket=ticket, unit=unit, round=ticket.round).exclude(
            state="cancelled"
        )
        if role:
            parts = parts.filter(role=role)
        return parts.latest("id").pk
