"""Tickets and categories as GeoReport v2 sees them.

The rule for a public representation: no phone, e-mail, reporter name or ID number, ever.
Structured personal fields (citizen_name, citizen_phone, citizen_id_number, the e-mail a client
sent) are simply never read here; free text (the description, the reply, public notes) goes
through `public_text`, which masks every phone, ID, bank card, e-mail and plate number
(`mask_pii`) and the reporter's own name wherever it appears.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from minsheng.open311.models import ServiceAttribute
from minsheng.open311.selectors import Service, open311_status
from minsheng.tickets.catalogue import SEPARATOR
from minsheng.tickets.models import Category, Ticket, TicketEvent
from minsheng.tickets.public import (
    NOTE_LABELS,
    note_description,
    public_address,
    public_coordinate,
    public_text,
    status_note,
)

# The public representation's rules live in tickets.public, shared with the citizens' pages.


def iso(moment: dt.datetime | None) -> str | None:
    """ISO 8601 with the offset, in the deployment's time zone: 2024-05-01T08:30:00+08:00."""
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


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
    return status_note(ticket)


def _note(event: TicketEvent, ticket: Ticket) -> dict[str, Any]:
    description = note_description(event, ticket)
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
