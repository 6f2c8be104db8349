"""What the public may read of a ticket — the one rule for Open311, the citizens' pages and
their feeds: no phone, e-mail, reporter name or ID number, ever; free text (the description,
the reply, public notes) masked (`textproc.pii`, and the citizen's own name); the place as the
village unless the operator marked a public place; coordinates rounded; only public events,
and of those only the notes that were written for the citizen."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _

from minsheng.textproc.pii import mask_pii
from minsheng.tickets.models import Status, Ticket, TicketEvent
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
    "contact": "联系",
    "progress": "办理进展",
    "reply": "答复",
    "callback": "回访",
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


def status_note(ticket: Ticket) -> str | None:
    if ticket.reply_text:
        return public_text(ticket.reply_text, ticket)
    if ticket.status == Status.TRANSFERRED:
        return f"已转 {ticket.transferred_to} 处理。"
    if ticket.status == Status.MERGED:
        return "与其他相同诉求合并办理。"
    return None


def note_description(event: TicketEvent, ticket: Ticket) -> str | None:
    """What an event says in public: its note where it was written for the citizen, the unit
    for a dispatch, nothing otherwise (handlers' names never)."""
    if event.action in PUBLIC_NOTE_TEXT and event.note:
        return public_text(event.note, ticket)
    if event.action in ("dispatch", "reassign") and event.unit is not None:
        return f"交由{event.unit.name}办理。"
    return None


@dataclass(frozen=True)
class PublicStep:
    at: object  # datetime
    label: str
    text: str | None


# The citizens' page shows these steps of the timeline (besides the public events): that the
# unit took the matter in hand, contacted them and answered — without who or internal notes.
CITIZEN_STEPS = frozenset({"sign", "contact", "reply", "callback"})


def citizen_timeline(ticket: Ticket, events: list[TicketEvent]) -> list[PublicStep]:
    """The timeline a citizen reads on the citizens' pages: public events and the steps of
    CITIZEN_STEPS, each with its public label and text; `events` are the ticket's, in order."""
    steps = []
    for event in events:
        if not (event.public or event.action in CITIZEN_STEPS):
            continue
        label = NOTE_LABELS.get(event.action, _("办理"))
        text = note_description(event, ticket)
        if event.action == "contact":
            text = _("承办单位已与您联系。")
        elif event.action == "sign":
            text = _("承办单位已签收，正在办理。")
        elif event.action == "callback":
            text = _("已收到评价。")
        steps.append(PublicStep(event.at, label, text))
    return steps
