"""Keyset ("cursor") pagination of tickets by (updated_at, id).

A cursor names the last row of a page; the next page is every row after it in that order. It
never skips or repeats a row that did not change, however many tickets arrive meanwhile, and a
ticket that changes while a client pages moves to the end, where the client meets it again:
exactly what a system that mirrors its tickets needs.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from rest_framework import status

from minsheng.api.errors import ApiError
from minsheng.api.serializers import EARLIEST, LATEST, MAX_ID
from minsheng.tickets.models import Ticket


def encode_cursor(ticket: Ticket) -> str:
    raw = f"{ticket.updated_at.isoformat()}|{ticket.pk}"
    return base64.urlsafe_b64encode(raw.encode("ascii")).decode("ascii").rstrip("=")


def decode_cursor(cursor: str) -> tuple[dt.datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        stamp, pk = raw.split("|")
        updated_at, ident = dt.datetime.fromisoformat(stamp), int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        updated_at, ident = None, 0
    if (
        updated_at is None
        or updated_at.tzinfo is None
        or not 0 < ident <= MAX_ID
        or not (EARLIEST <= updated_at <= LATEST)
    ):
        raise ApiError(status.HTTP_400_BAD_REQUEST, "invalid", _("cursor 无效。"), field="cursor")
    return updated_at, ident


@dataclass
class Page:
    rows: list[Ticket]
    next_cursor: str | None


def keyset_page(tickets: QuerySet[Ticket], *, cursor: str | None, size: int) -> Page:
    tickets = tickets.order_by("updated_at", "id")
    if cursor:
        updated_at, ident = decode_cursor(cursor)
        tickets = tickets.filter(
            Q(updated_at__gt=updated_at) | Q(updated_at=updated_at, id__gt=ident)
        )
    rows = list(tickets[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return Page(rows=rows, next_cursor=encode_cursor(rows[-1]) if more else None)
