"""What the public Open311 interface may read: services (categories) and service requests
(tickets). Everything here is public by definition, so scoping is not per user but per ticket:
confidential tickets (保密) are never listed, and the representation (serialize.py) leaves out
and masks personal data.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.db import router
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from minsheng.lib.snapshot import Snapshot
from minsheng.open311.models import ServiceAttribute
from minsheng.tickets.catalogue import SEPARATOR
from minsheng.tickets.models import Category, Status, Ticket, TicketEvent

CLOSED_STATUSES = (Status.CLOSED, Status.TRANSFERRED)
_NUMBER = re.compile(r"[0-9A-Za-z-]{1,32}")


def open311_status(status: str) -> str:
    """closed: finished (办结), handed to 110/119/120/122, or merged into a closed master (the
    merged ticket itself becomes closed then); everything else is still open."""
    return "closed" if status in CLOSED_STATUSES else "open"


@dataclass(frozen=True)
class Service:
    category_id: int
    full_name: str
    metadata: bool


@dataclass(frozen=True)
class Catalogue:
    """The category tree and the services' attributes, as one process last read them."""

    categories: dict[int, dict[str, Any]]  # id → the row's column values
    services: list[Service]  # sorted by full name
    attributes: dict[int, list[ServiceAttribute]]  # category id → its attributes, in order

    @cached_property
    def service_ids(self) -> frozenset[int]:
        return frozenset(s.category_id for s in self.services)


def _find_services(
    nodes: Sequence[tuple[int, str, bool, int | None]], with_attributes: set[int]
) -> list[Service]:
    """Active leaf categories whose ancestors are all active."""
    active = {full_name for _, full_name, is_active, _ in nodes if is_active}
    has_active_child = {parent_id for _, full_name, _, parent_id in nodes if full_name in active}
    found = []
    for pk, full_name, is_active, _ in nodes:
        if not is_active or pk in has_active_child:
            continue
        parts = full_name.split(SEPARATOR)
        if all(SEPARATOR.join(parts[:depth]) in active for depth in range(1, len(parts))):
            found.append(
                Service(category_id=pk, full_name=full_name, metadata=pk in with_attributes)
            )
    found.sort(key=lambda s: s.full_name)
    return found


def _load_catalogue() -> Catalogue:
    categories: dict[int, dict[str, Any]] = {
        row["id"]: dict(row) for row in Category.objects.values()
    }
    attributes: dict[int, list[ServiceAttribute]] = {}
    for attr in ServiceAttribute.objects.order_by("category_id", "order", "code", "id"):
        attributes.setdefault(attr.category_id, []).append(attr)
    nodes = [(pk, r["full_name"], r["is_active"], r["parent_id"]) for pk, r in categories.items()]
    return Catalogue(categories, _find_services(nodes, set(attributes)), attributes)


# Every POST reads its service and the service's attributes: kept per process (two queries per
# MAX_AGE instead of four per POST). An edit is seen at once in the process that made it and
# within snapshot.MAX_AGE seconds elsewhere; a category created elsewhere meanwhile is read from
# the database.
_catalogue: Snapshot[Catalogue] = Snapshot(_load_catalogue)


def catalogue_changed(**kwargs: Any) -> None:
    """Receiver of Category and ServiceAttribute saves and deletes (Open311Config.ready)."""
    _catalogue.changed()


def services() -> list[Service]:
    """Active leaf categories whose ancestors are all active."""
    return list(_catalogue.get().services)


def service_category(code: str) -> Category | None:
    """The category behind a service code, if it is a service (see `services`)."""
    if not code.isascii() or not code.isdigit() or len(code) > 18:
        return None
    pk = int(code)
    catalogue = _catalogue.get()
    if pk in catalogue.categories:
        if pk not in catalogue.service_ids:
            return None
        row = catalogue.categories[pk]
        # A new instance for each caller: tickets hold it as their category.
        return Category.from_db(router.db_for_read(Category), list(row), list(row.values()))
    return _service_category_from_database(pk)


def _service_category_from_database(pk: int) -> Category | None:
    category = Category.objects.filter(pk=pk, is_active=True).first()
    if category is None or category.children.filter(is_active=True).exists():
        return None
    parts = category.full_name.split(SEPARATOR)
    ancestors = [SEPARATOR.join(parts[:depth]) for depth in range(1, len(parts))]
    if Category.objects.filter(full_name__in=ancestors, is_active=False).exists():
        return None
    return category


def service_attributes(category: Category) -> list[ServiceAttribute]:
    catalogue = _catalogue.get()
    if category.pk in catalogue.categories:
        return list(catalogue.attributes.get(category.pk, []))
    return list(ServiceAttribute.objects.filter(category=category).order_by("order", "code", "id"))


def public_events() -> Prefetch[str, QuerySet[TicketEvent], str]:
    return Prefetch(
        "events",
        queryset=TicketEvent.objects.filter(public=True)
        .select_related("unit")
        .order_by("at", "id"),
        to_attr="public_events",
    )


def public_tickets(*, with_notes: bool = False) -> QuerySet[Ticket]:
    """Tickets the public may read about, with what their representation needs: one query
    (two with the notes), however many tickets."""
    tickets = Ticket.objects.filter(confidential=False).select_related(
        "category", "lead_unit", "open311", "division"
    )
    if with_notes:
        tickets = tickets.prefetch_related(public_events())
    return tickets


@dataclass(frozen=True)
class RequestQuery:
    numbers: tuple[str, ...] = ()
    service_codes: tuple[int, ...] = ()
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    statuses: tuple[str, ...] = ()  # Open311 statuses: open, closed
    updated_after: dt.datetime | None = None
    updated_before: dt.datetime | None = None
    page: int = 1
    page_size: int = 50
    with_notes: bool = False


def requests_search(query: RequestQuery) -> list[Ticket]:
    """GET requests. Ticket numbers override every other filter (as the spec says of
    service_request_id). Without any date, the last 90 days by requested date; with only an
    updated_after/updated_before window, no requested-date window (clients syncing changes
    must see an old ticket that changed today). Newest requested first."""
    tickets = public_tickets(with_notes=query.with_notes)
    if query.numbers:
        numbers = [n for n in query.numbers if _NUMBER.fullmatch(n)]
        return list(tickets.filter(number__in=numbers).order_by("-created_at", "-id"))
    start, end = query.start, query.end
    if (
        start is None
        and end is None
        and query.updated_after is None
        and query.updated_before is None
    ):
        end = timezone.now()
        start = end - dt.timedelta(days=90)
    elif start is not None and end is None:
        end = start + dt.timedelta(days=90)
    elif end is not None and start is None:
        start = end - dt.timedelta(days=90)
    if start is not None and end is not None:
        tickets = tickets.filter(created_at__gte=start, created_at__lte=end)
    if query.service_codes:
        tickets = tickets.filter(category_id__in=query.service_codes)
    if set(query.statuses) == {"open"}:
        tickets = tickets.exclude(status__in=CLOSED_STATUSES)
    elif set(query.statuses) == {"closed"}:
        tickets = tickets.filter(status__in=CLOSED_STATUSES)
    if query.updated_after is not None:
        tickets = tickets.filter(updated_at__gte=query.updated_after)
    if query.updated_before is not None:
        tickets = tickets.filter(updated_at__lte=query.updated_before)
    offset = (query.page - 1) * query.page_size
    return list(tickets.order_by("-created_at", "-id")[offset : offset + query.page_size])


def request_by_number(number: str, *, with_notes: bool = False) -> Ticket | None:
    if not _NUMBER.fullmatch(number):  # also keeps NUL bytes away from PostgreSQL
        return None
    return public_tickets(with_notes=with_notes).filter(number=number).first()
