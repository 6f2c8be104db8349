"""Reads of the citizens' side: a ticket by number and query code (tries limited), a phone's
own tickets, and a ticket as its citizen may read it (tickets.public's rules)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from minsheng.portal.codes import Refused
from minsheng.portal.models import LookupFailure, Receipt
from minsheng.portal.services import query_hash
from minsheng.tickets.models import Status, Ticket
from minsheng.tickets.public import PublicStep, citizen_timeline, public_address, public_text

MY_TICKETS = 50


def _locked(number: str, address: str | None) -> bool:
    hour = timezone.now() - dt.timedelta(hours=1)
    failures = LookupFailure.objects.filter(at__gte=hour)
    if failures.filter(number=number).count() >= int(settings.MINSHENG_PORTAL_LOOKUPS_PER_NUMBER):
        return True
    return bool(address) and failures.filter(address=address).count() >= int(
        settings.MINSHENG_PORTAL_LOOKUPS_PER_ADDRESS
    )


def ticket_by_code(number: str, code: str, address: str | None) -> Ticket:
    """The ticket whose receipt `code` is; Refused for a wrong pair, and for every try once a
    number (or an address) has had too many wrong ones within the hour."""
    number, code = (number or "").strip()[:32], (code or "").strip()[:12]
    if not number or not code:
        raise Refused(_("请填写工单号和查询码。"))
    if _locked(number, address):
        raise Refused(_("查询错误次数太多，请 1 小时后再试，或用手机号验证后查询。"))
    receipt = Receipt.objects.select_related("ticket").filter(ticket__number=number).first()
    if receipt is None or not constant_time_compare(receipt.query_hash, query_hash(number, code)):
        LookupFailure.objects.create(number=number, address=address)
        raise Refused(_("工单号或查询码不正确。"))
    return receipt.ticket


def tickets_of(phone: str) -> QuerySet[Ticket]:
    """A proven phone's own tickets, newest first (whatever channel they came by)."""
    return (
        Ticket.objects.filter(citizen_phone=phone)
        .select_related("category", "division")
        .order_by("-created_at")[:MY_TICKETS]
    )


@dataclass(frozen=True)
class CitizenTicket:
    number: str
    kind: str
    status: str
    status_code: str
    created_at: dt.datetime
    category: str
    place: str
    text: str
    reply: str
    steps: list[PublicStep]
    can_rate: bool


def citizen_ticket(ticket: Ticket) -> CitizenTicket:
    """The ticket as its citizen reads it: masked text, public steps, no names of staff."""
    events = list(ticket.events.select_related("unit").order_by("at", "id"))
    return CitizenTicket(
        number=ticket.number,
        kind=ticket.get_kind_display(),
        status=ticket.get_status_display(),
        status_code=ticket.status,
        created_at=ticket.created_at,
        category=ticket.category.name if ticket.category else "",
        place=public_address(ticket) or "",
        text=public_text(ticket.description, ticket),
        reply=public_text(ticket.reply_text, ticket) if ticket.reply_text else "",
        steps=citizen_timeline(ticket, events),
        can_rate=ticket.status == Status.REPLIED,
    )
