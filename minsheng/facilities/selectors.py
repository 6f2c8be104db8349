"""Permission-aware reads of facilities (scoped through `rules.visible_q`), and what the pages
show of them. Keepers' names and masked phones are for staff pages only: the public page reads
`public_view`, which holds neither."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from minsheng.facilities import rules
from minsheng.facilities.models import (
    Facility,
    FacilityTicket,
    MissedRound,
    Round,
    Schedule,
)
from minsheng.org.models import Division, User
from minsheng.textproc.pii import mask_phone
from minsheng.tickets.models import OPEN_STATUSES

LIST_PAGE = 50
OPEN_TICKET = Q(ticket__status__in=OPEN_STATUSES)


@dataclass(frozen=True)
class Filters:
    kind: str = ""
    township: str = ""
    status: str = ""
    query: str = ""


def facilities(user: User, filters: Filters) -> QuerySet[Facility]:
    rows = Facility.objects.filter(rules.visible_q(user))
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.township:
        rows = rows.filter(township_code=filters.township)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.query:
        rows = rows.filter(Q(name__contains=filters.query) | Q(address__contains=filters.query))
    return rows.select_related("place__parent", "owner", "keeper_user", "keeper_unit").order_by(
        "township_code", "kind", "name", "id"
    )


def facility(user: User, pk: int) -> Facility | None:
    return (
        Facility.objects.filter(rules.visible_q(user), pk=pk)
        .select_related("place__parent", "owner", "keeper_user", "keeper_unit")
        .first()
    )


def township_name(facility: Facility) -> str:
    place = facility.place
    if place.level == Division.Level.TOWNSHIP or place.parent is None:
        return place.name
    return place.parent.name


def place_text(facility: Facility) -> str:
    place = facility.place
    if place.level == Division.Level.TOWNSHIP or place.parent is None:
        return place.name
    return f"{place.parent.name}{place.name}"


def keeper_text(facility: Facility) -> str:
    """The keeper as staff see them: a name and a masked phone."""
    if facility.keeper_user is not None:
        user = facility.keeper_user
        name = user.display_name or user.username
        return f"{name} {mask_phone(user.phone)}" if user.phone else name
    if facility.keeper_unit is not None:
        unit = facility.keeper_unit
        return f"{unit.name} {mask_phone(unit.phone)}" if unit.phone else unit.name
    return ""


def keeper_contact(facility: Facility) -> str:
    """What the printed sign shows: the keeper's masked phone only (no name)."""
    phone = ""
    if facility.keeper_user is not None:
        phone = facility.keeper_user.phone
    elif facility.keeper_unit is not None:
        phone = facility.keeper_unit.phone
    return mask_phone(phone) if phone else ""


def open_problems(facility: Facility) -> list[FacilityTicket]:
    return list(
        FacilityTicket.objects.filter(OPEN_TICKET, facility=facility)
        .select_related("ticket", "ticket__lead_unit")
        .order_by("-created_at")[:50]
    )


def schedules(facility: Facility) -> list[Schedule]:
    return list(Schedule.objects.filter(facility=facility).order_by("kind", "id"))


def schedule(facility: Facility, pk: int) -> Schedule | None:
    return Schedule.objects.filter(facility=facility, pk=pk).first()


def recent_rounds(facility: Facility, limit: int = 20) -> list[Round]:
    return list(
        Round.objects.filter(facility=facility)
        .select_related("done_by")
        .order_by("-done_at")[:limit]
    )


def recent_missed(facility: Facility, limit: int = 20) -> list[MissedRound]:
    return list(
        MissedRound.objects.filter(facility=facility)
        .select_related("schedule")
        .order_by("-due_at")[:limit]
    )


def open_problem_counts(ids: list[int]) -> dict[int, int]:
    return dict(
        FacilityTicket.objects.filter(OPEN_TICKET, facility_id__in=ids)
        .values_list("facility_id")
        .annotate(n=Count("id"))
        .values_list("facility_id", "n")
    )


def kinds(user: User) -> list[str]:
    return sorted(
        set(
            Facility.objects.filter(rules.visible_q(user)).values_list("kind", flat=True).distinct()
        )
    )


def townships() -> list[Division]:
    from django.conf import settings

    county = str(settings.MINSHENG_COUNTY_CODE)[:6]
    return list(
        Division.objects.filter(code__startswith=county, level=Division.Level.TOWNSHIP).order_by(
            "code"
        )
    )


@dataclass(frozen=True)
class PublicView:
    """What the QR page shows: no staff names, no phones."""

    code: str
    name: str
    kind: str
    place: str
    address: str
    opening: str
    status: str
    status_label: str
    standard: str


def public_view(code: str) -> PublicView | None:
    found = (
        Facility.objects.filter(public_code=code)
        .select_related("place__parent")
        .only(
            "public_code",
            "name",
            "kind",
            "address",
            "all_day",
            "opens_at",
            "closes_at",
            "status",
            "standard",
            "place__name",
            "place__level",
            "place__parent__name",
        )
        .first()
    )
    if found is None:
        return None
    return PublicView(
        code=found.public_code,
        name=found.name,
        kind=found.kind,
        place=place_text(found),
        address=found.address,
        opening=found.opening_text(),
        status=found.status,
        status_label=str(found.get_status_display()),
        standard=found.standard,
    )


def today_start() -> dt.datetime:
    return timezone.make_aware(
        dt.datetime.combine(timezone.localdate(), dt.time()), timezone.get_default_timezone()
    )
