"""Helpers of the board's tests: a small category tree, a citizen's report made public through
the portal's own service, and a ticket taken to its reply through the ticket core's services."""

from __future__ import annotations

import uuid

from minsheng.org.models import Division
from minsheng.portal import services
from minsheng.portal.board import services as board
from minsheng.portal.models import PublicMessage
from minsheng.tickets import actions
from minsheng.tickets.models import Category, Ticket
from tests.conftest import People
from tests.portal.conftest import VILLAGE

PHONE = "13912345678"
SUNKOU = "410927102000"
HOUMIAO = "410927101000"


def tree() -> dict[str, Category]:
    """市政公用/供电/路灯 and 交通运输/道路/道路破损: two first levels with a leaf each."""
    made: dict[str, Category] = {}
    for path in ("市政公用/供电/路灯", "交通运输/道路/道路破损"):
        parent = None
        names = path.split("/")
        for depth in range(1, len(names) + 1):
            full = "/".join(names[:depth])
            if full not in made:
                made[full] = Category.objects.create(
                    name=names[depth - 1], parent=parent, level=depth, full_name=full
                )
            parent = made[full]
    return made


def report(
    text: str = "孙口村村口的路灯坏了一个多星期，晚上出门不方便。",
    *,
    phone: str = PHONE,
    division: str | None = VILLAGE,
    public: bool = True,
    **extra: object,
) -> Ticket:
    """A report through the portal's service (as the report form sends it)."""
    receipt, _code = services.citizen_report(
        services.NewReport(
            phone=phone,
            kind="complaint",
            text=text,
            division=Division.objects.get(code=division) if division else None,
            submission_key=uuid.uuid4().hex,
            wants_public=public,
            **extra,  # type: ignore[arg-type]
        )
    )
    return receipt.ticket


def published(people: People, text: str = "", **extra: object) -> PublicMessage:
    """A report made public and approved by the hotline's operator."""
    ticket = report(text, **extra) if text else report(**extra)
    return board.approve(message=ticket.public_message, actor=people.operator)


def replied(
    people: People, ticket: Ticket, reply: str, *, category: Category | None = None
) -> Ticket:
    """Dispatched to 孙口镇, signed, contacted and replied (the ticket core's services)."""
    ticket = actions.ticket_dispatch(
        ticket=ticket, actor=people.dispatcher, lead_unit=people.org.sunkou
    )
    ticket = actions.ticket_sign(ticket=ticket, actor=people.alice)
    ticket = actions.ticket_contact(
        ticket=ticket, actor=people.alice, method="phone", note="已联系"
    )
    return actions.ticket_reply(ticket=ticket, actor=people.alice, result="resolved", content=reply)
