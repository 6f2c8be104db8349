"""Tickets at each stage of their life, made through the real services."""

from __future__ import annotations

from minsheng.tickets import actions
from minsheng.tickets.models import Ticket
from tests.conftest import People


def new_ticket(people: People, **overrides: object) -> Ticket:
    fields: dict[str, object] = {
        "channel": "hotline",
        "kind": "complaint",
        "title": "铭功路路灯不亮",
        "description": "孙口镇铭功路东段路灯连续三晚不亮，夜间出行不便。",
        "citizen_name": "张三",
        "citizen_phone": "138 0013 8000",
    }
    fields.update(overrides)
    return actions.ticket_intake(actor=people.operator, **fields)  # type: ignore[arg-type]


def dispatched(people: People, **overrides: object) -> Ticket:
    ticket = new_ticket(people, **overrides)
    return actions.ticket_dispatch(
        ticket=ticket, actor=people.dispatcher, lead_unit=people.org.sunkou
    )


def in_progress(people: People, **overrides: object) -> Ticket:
    ticket = dispatched(people, **overrides)
    return actions.ticket_sign(ticket=ticket, actor=people.alice)


def replied(people: People, **overrides: object) -> Ticket:
    ticket = in_progress(people, **overrides)
    ticket = actions.ticket_contact(
        ticket=ticket, actor=people.alice, method="phone", note="已电话联系"
    )
    return actions.ticket_reply(
        ticket=ticket, actor=people.alice, result="resolved", content="已更换灯泡。"
    )
