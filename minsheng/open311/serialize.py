"""Tickets and categories as GeoReport v2 sees them.

The rule for a public representation: no phone, e-mail, reporter name or ID number, ever.
Structured personal fields (citizen_name, citizen_phone, citizen_id_number, the e-mail a client
sent) are simply never read here; free text (the description, the reply, public notes) goes
through `public_text`, which masks every phone, ID, bank card, e-mail and plate number
(`mask_pii`) and the reporter's own name wherever it appears.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone

from minsheng.open311.models import ServiceAttribute
from minsheng.open311.selectors import Service, open311_status
from minsheng.textproc.pii import mask_pii
from minsheng.tickets.catalogue import SEPARATOR
from minsheng.tickets.models import Category, Status, Ticket, TicketEvent
from minsheng.tickets.selectors import mask_person

MAX_DESCRIPTION = 4000

# Public timeline events: what a citizen reads about progress. Only these events' notes are
# public text (the reply, the answer); the others' notes are internal instructions, so their
# description is written here instead.
NOTE_LABELS = {
    "intake": "受理",
    "dispatch": "派单",
    "reassign": "改派",
    "sign": "签收",
    "progress": "办理进展",
    "reply": "答复",
    "reopen": "重办",
    "close": "办结",
    "merge": "并单",
    "follow_master": "随主单办理",
    "direct_answer": "直接答复",
    "legal_channel": "告知法定途径",
    "emergency_transfer": "转警情",
    "praise": "表扬",
}
PUBLIC_NOTE_TEXT = frozenset(
    {"progress", "reply", "direct_answer", "legal_channel", "follow_master"}
)


def iso(moment: dt.datetime | None) -> str | None:
    """ISO 8601 with the offset, in the deployment's time zone: 2024-05-01T08:30:00+08:00."""
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def public_text(text: str, ticket: Ticket) -> str:
    masked = mask_person(mask_pii(text), ticket.citizen_name)
    if len(masked) > MAX_DESCRIPTION:  # a mask can be longer than what it hides
        masked = masked[: MAX_DESCRIPTION - 1] + "…"
    return masked


def public_address(ticket: Ticket) -> str | None:
    """The place as published: the address as given only where the operator marked it a public
    place; otherwise the village (or township) the ticket is filed under. A phone call's
    `孙口镇孙口村3组12号` is someone's home."""
    if ticket.address_public:
        return public_text(ticket.address, ticket) or None
    return ticket.division.name if ticket.division is not None else None


def public_coordinate(value: Decimal | None, ticket: Ticket) -> float | None:
    """A coordinate as published: exact for a public place, else rounded to
    OPEN311_COORDINATE_DECIMALS (3: about 100 m)."""
    if value is None:
        return None
    if ticket.address_public:
        return float(value)
    return round(float(value), int(settings.OPEN311_COORDINATE_DECIMALS))


def service_name(full_name: str) -> str:
    """The name below the group: "城市建设和市政管理/路灯" for 城乡建设/城市建设和市政管理/路灯
    (leaf names alone repeat: there is an 其他 under many branches)."""
    parts = full_name.split(SEPARATOR)
    return SEPARATOR.join(parts[1:]) or parts[0]


def service(item: Service) -> dict[str, Any]:
    parts = item.full_name.split(SEPARATOR)
    return {
        "service_code": str(item.category_id),
        "service_name": service_name(item.full_name),
        "description": item.full_name,
        "metadata": item.metadata,
        "type": "realtime",
        "keywords": ",".join(parts),
        "group": parts[0],
    }


def attribute(attr: ServiceAttribute) -> dict[str, Any]:
    body: dict[str, Any] = {
        "variable": attr.variable,
        "code": attr.code,
        "datatype": attr.datatype,
        "required": attr.required,
        "datatype_description": attr.datatype_description or None,
        "order": attr.order,
        "description": attr.description,
    }
    if attr.values:
        body["values"] = [{"key": str(v["key"]), "name": str(v["name"])} for v in attr.values]
    return body


def service_definition(category: Category, attributes: list[ServiceAttribute]) -> dict[str, Any]:
    return {"service_code": str(category.pk), "attributes": [attribute(a) for a in attributes]}


def _status_notes(ticket: Ticket) -> str | None:
    if ticket.reply_text:
        return public_text(ticket.reply_text, ticket)
    if ticket.status == Status.TRANSFERRED:
        return f"已转 {ticket.transferred_to} 处理。"
    if ticket.status == Status.MERGED:
        return "与其他相同诉求合并办理。"
    return None


def _note(event: TicketEvent, ticket: Ticket) -> dict[str, Any]:
    if event.action in PUBLIC_NOTE_TEXT and event.note:
        description: str | None = public_text(event.note, ticket)
    elif event.action in ("dispatch", "reassign") and event.unit is not None:
        description = f"交由{event.unit.name}办理。"
    else:
        description = None
    return {
        "datetime": iso(event.at),
        "type": event.action,
        "summary": NOTE_LABELS.get(event.action, "办理"),
        "description": description,
    }


def service_request(ticket: Ticket, *, with_notes: bool = False) -> dict[str, Any]:
    """One request. Reads only the ticket row and its selected category, lead unit and Open311
    record (and the prefetched public events for the notes): no query of its own."""
    extra = getattr(ticket, "open311", None)
    category = ticket.category
    body: dict[str, Any] = {
        "service_request_id": ticket.number,
        "status": open311_status(ticket.status),
        "status_notes": _status_notes(ticket),
        "service_name": service_name(category.full_name) if category else None,
        "service_code": str(category.pk) if category else "",
        "description": public_text(ticket.description, ticket),
        "agency_responsible": ticket.lead_unit.name if ticket.lead_unit else None,
        "service_notice": None,
        "requested_datetime": iso(ticket.created_at),
        "updated_datetime": iso(ticket.updated_at),
        "expected_datetime": iso(ticket.reply_due),
        "address": public_address(ticket),
        "address_id": (extra.address_id or None) if extra else None,
        "zipcode": None,
        "lat": public_coordinate(ticket.lat, ticket),
        "long": public_coordinate(ticket.lng, ticket),
        "media_url": (extra.media_url or None) if extra else None,
    }
    if with_notes:
        events = getattr(ticket, "public_events", None)
        if events is None:
            events = list(
                ticket.events.filter(public=True).select_related("unit").order_by("at", "id")
            )
        body["notes"] = [_note(e, ticket) for e in events if e.action in NOTE_LABELS]
    return body
