"""Reads of the board. The public reads only approved messages of reports that are still
neither anonymous nor confidential (an operator may mark a ticket so after it was approved);
the reply of a ticket is shown once the ticket is replied or closed, masked by
`tickets.public.public_text` when it is read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from minsheng.portal.board.services import phone_key
from minsheng.portal.models import MessageDecision, MessageLike, PublicMessage
from minsheng.tickets.models import Status
from minsheng.tickets.public import public_text

PER_PAGE = 20
QUEUE_PER_PAGE = 50
FEED_ITEMS = 50
MAX_ID = 2**63 - 1
EXCERPT = 90

OPEN, DONE = "open", "done"
# A ticket in these states is no longer handled (已办结); a replied one waits for its callback
# and may be reopened, so it is still 办理中 — its reply is shown all the same.
DONE_STATUSES = (Status.CLOSED, Status.MERGED, Status.TRANSFERRED)
REPLY_STATUSES = (Status.REPLIED, Status.CLOSED)
NEWEST, LIKED = "new", "liked"

State = PublicMessage.State


def public_messages() -> QuerySet[PublicMessage]:
    return PublicMessage.objects.filter(
        Q(ticket__isnull=True) | Q(ticket__anonymous=False, ticket__confidential=False),
        state=State.APPROVED,
    )


def status_filter(status: str) -> Q:
    """办理中: a report still being handled; 已办结: a report no longer handled, or a message of
    the history with its reply. A history message without a reply is neither."""
    done = Q(ticket__status__in=DONE_STATUSES) | Q(ticket__isnull=True, replied_at__isnull=False)
    if status == DONE:
        return done
    return Q(ticket__isnull=False) & ~Q(ticket__status__in=DONE_STATUSES)


@dataclass(frozen=True)
class BoardQuery:
    words: str = ""
    topic: int | None = None
    township: str | None = None
    status: str = ""
    order: str = NEWEST


@dataclass(frozen=True)
class BoardItem:
    id: int
    title: str
    excerpt: str
    topic: str
    township: str
    posted_at: dt.datetime
    like_count: int
    status: str  # OPEN, DONE or "" (a history message without a reply)


def _status_of(message: PublicMessage) -> str:
    if message.ticket is None:
        return DONE if message.replied_at is not None else ""
    return DONE if message.ticket.status in DONE_STATUSES else OPEN


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat[:EXCERPT] + ("…" if len(flat) > EXCERPT else "")


@dataclass(frozen=True)
class BoardPage:
    items: list[BoardItem]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def board_page(query: BoardQuery, number: int) -> BoardPage:
    """One page of the board, newest (or most liked) first: one query, no count."""
    rows = public_messages()
    if query.words:
        for word in query.words.split()[:5]:
            rows = rows.filter(Q(title__icontains=word) | Q(text__icontains=word))
    if query.topic is not None:
        rows = rows.filter(topic_id=query.topic)
    if query.township:
        rows = rows.filter(township_id=query.township)
    if query.status in (OPEN, DONE):
        rows = rows.filter(status_filter(query.status))
    order = ("-like_count", "-id") if query.order == LIKED else ("-posted_at", "-id")
    offset = (number - 1) * PER_PAGE
    found = list(
        rows.select_related("ticket", "topic", "township")
        .only(
            "id",
            "title",
            "text",
            "posted_at",
            "like_count",
            "replied_at",
            "topic__name",
            "township__name",
            "ticket__status",
        )
        .order_by(*order)[offset : offset + PER_PAGE + 1]
    )
    items = [
        BoardItem(
            id=m.pk,
            title=m.title,
            excerpt=_excerpt(m.text),
            topic=m.topic.name if m.topic else "",
            township=m.township.name if m.township else "",
            posted_at=m.posted_at,
            like_count=m.like_count,
            status=_status_of(m),
        )
        for m in found[:PER_PAGE]
    ]
    return BoardPage(items, number, has_next=len(found) > PER_PAGE)


@dataclass(frozen=True)
class BoardMessage:
    id: int
    title: str
    text: str
    category: str
    topic: str
    township: str
    posted_at: dt.datetime
    like_count: int
    status: str
    reply: str
    replied_at: dt.datetime | None


def _valid_id(pk: int) -> None:
    if not 0 < pk <= MAX_ID:  # beyond the database's integers: no such message
        raise Http404


def _reply(message: PublicMessage) -> tuple[str, dt.datetime | None]:
    ticket = message.ticket
    if ticket is None:
        return message.reply_text, message.replied_at
    if ticket.status in REPLY_STATUSES and ticket.reply_text:
        return public_text(ticket.reply_text, ticket), ticket.replied_at
    return "", None


def _as_public(message: PublicMessage) -> BoardMessage:
    reply, replied_at = _reply(message)
    return BoardMessage(
        id=message.pk,
        title=message.title,
        text=message.text,
        category=message.category.name if message.category else "",
        topic=message.topic.name if message.topic else "",
        township=message.township.name if message.township else "",
        posted_at=message.posted_at,
        like_count=message.like_count,
        status=_status_of(message),
        reply=reply,
        replied_at=replied_at,
    )


def board_message(pk: int) -> BoardMessage:
    """An approved message as the public reads it; 404 for anything else."""
    _valid_id(pk)
    message = (
        public_messages()
        .select_related("ticket", "category", "topic", "township")
        .filter(pk=pk)
        .first()
    )
    if message is None:
        raise Http404
    return _as_public(message)


def has_liked(pk: int, phone: str | None) -> bool:
    if not phone:
        return False
    return MessageLike.objects.filter(message_id=pk, phone_hash=phone_key(phone)).exists()


def feed_messages(*, topic: int | None = None, township: str | None = None) -> list[BoardMessage]:
    """The newest approved messages of a category or a township, with their replies."""
    rows = public_messages()
    if topic is not None:
        rows = rows.filter(topic_id=topic)
    if township is not None:
        rows = rows.filter(township_id=township)
    found = rows.select_related("ticket", "category", "topic", "township").order_by(
        "-posted_at", "-id"
    )[:FEED_ITEMS]
    return [_as_public(m) for m in found]


# --- Moderation ------------------------------------------------------------------------------


def queue(state: str, number: int) -> tuple[list[PublicMessage], bool]:
    """The moderators' list of one state: pending oldest first, the others newest decision
    first; with the message's ticket (for its number and whether it may still be public)."""
    rows = PublicMessage.objects.filter(state=state).select_related(
        "ticket", "ticket__receipt", "topic", "township", "moderated_by"
    )
    rows = (
        rows.order_by("created_at", "id")
        if state == State.PENDING
        else rows.order_by("-moderated_at", "-id")
    )
    offset = (number - 1) * QUEUE_PER_PAGE
    found = list(rows[offset : offset + QUEUE_PER_PAGE + 1])
    return found[:QUEUE_PER_PAGE], len(found) > QUEUE_PER_PAGE


def pending_count() -> int:
    return PublicMessage.objects.filter(state=State.PENDING).count()


def for_moderation(pk: int) -> PublicMessage:
    _valid_id(pk)
    message = (
        PublicMessage.objects.select_related(
            "ticket", "ticket__receipt", "category", "topic", "township", "moderated_by"
        )
        .filter(pk=pk)
        .first()
    )
    if message is None:
        raise Http404
    return message


def decisions(message: PublicMessage) -> QuerySet[MessageDecision]:
    return message.decisions.select_related("by").order_by("-at", "-id")


def likes_of_tickets(ids: Collection[int]) -> dict[int, int]:
    """{ticket id: likes} of the approved public messages of these tickets: the hot-issue views'
    public support (insight.selectors.register_support). One query."""
    rows = PublicMessage.objects.filter(ticket_id__in=list(ids), state=State.APPROVED)
    return {pk: n for pk, n in rows.values_list("ticket_id", "like_count") if pk is not None}
