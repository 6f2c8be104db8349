"""Reads of the insight app: hot issues (热点) of a period, monthly themes.

Hot issues are for the hotline's leaders, supervisors and administrators: they read the whole
county, so there is no unit scoping here; the views refuse everyone else.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, Max, QuerySet
from django.utils import timezone

from minsheng.insight.index import term_weights, text_vector, township_code
from minsheng.insight.models import MonthlyTheme
from minsheng.org.models import Division, Role
from minsheng.textproc.hotspots import Hotspot, HotspotItem, find_hotspots
from minsheng.textproc.similar import loads_vector
from minsheng.tickets.models import Status, Ticket

READER_ROLES: tuple[str, ...] = (Role.LEADER, Role.SUPERVISOR, Role.ADMINISTRATOR)

MAX_TICKETS = 20_000
"""At most this many tickets (the latest of the period) are grouped: a county's month is a
few thousand; a city should narrow the period."""
CACHE_SECONDS = 600


@dataclass(frozen=True)
class HotIssue:
    rank: int
    label: str
    count: int
    first_at: dt.datetime
    last_at: dt.datetime
    place: Division | None
    place_count: int
    places: int  # how many different townships
    top_words: tuple[str, ...]
    examples: list[Ticket]
    ticket_ids: tuple[int, ...]
    support: int = 0  # 点赞/附议 of its tickets' public messages (see register_support)

    @property
    def ids_value(self) -> str:
        return ",".join(map(str, self.ticket_ids))


@dataclass(frozen=True)
class HotIssues:
    since: dt.date
    until: dt.date
    issues: list[HotIssue]
    considered: int  # tickets grouped
    truncated: bool  # the period had more than MAX_TICKETS


def period_bounds(since: dt.date, until: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Local calendar days [since, until] as an aware half-open range."""
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(since, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return start, end


def tickets_in_period(since: dt.date, until: dt.date) -> QuerySet[Ticket]:
    start, end = period_bounds(since, until)
    # Transferred emergencies are not the hotline's problems to group.
    return Ticket.objects.filter(created_at__gte=start, created_at__lt=end).exclude(
        status=Status.TRANSFERRED
    )


def _items(tickets: QuerySet[Ticket]) -> tuple[list[HotspotItem[int]], bool]:
    rows = list(
        tickets.order_by("-created_at").values_list(
            "id", "title", "division_id", "created_at", "signature__vector"
        )[: MAX_TICKETS + 1]
    )
    truncated = len(rows) > MAX_TICKETS
    rows = rows[:MAX_TICKETS]
    # Tickets not in the index yet (created before it existed) are vectorised here.
    missing = [row[0] for row in rows if not row[4]]
    texts = (
        dict(Ticket.objects.filter(pk__in=missing).values_list("id", "description"))
        if missing
        else {}
    )
    items = []
    for pk, title, division_id, created_at, stored in rows:
        vector = loads_vector(stored) if stored else text_vector(texts.get(pk, ""), title)
        place = township_code(division_id) or None
        items.append(HotspotItem(pk, "", created_at, title=title, place=place, vector=vector))
    return items, truncated


def _groups(
    tickets: QuerySet[Ticket], *, by_place: bool, min_size: int, limit: int
) -> tuple[list[Hotspot[int]], int, bool]:
    """The pure grouping, cached while the period's tickets stay the same."""
    state = tickets.aggregate(n=Count("id"), last=Max("updated_at"))
    raw = f"{tickets.query}|{state['n']}|{state['last']}|{by_place}|{min_size}|{limit}"
    key = "insight:hotspots:" + hashlib.sha256(raw.encode()).hexdigest()
    cached = cache.get(key)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    items, truncated = _items(tickets)
    groups = find_hotspots(
        items, weights=term_weights(), min_size=min_size, by_place=by_place, limit=limit
    )
    result = (groups, len(items), truncated)
    cache.set(key, result, CACHE_SECONDS)
    return result


SupportCounter = Callable[[Collection[int]], Mapping[int, int]]
_support_counters: list[SupportCounter] = []


def register_support(counter: SupportCounter) -> None:
    """Let an app above insight say how much public support (likes on the citizens' board)
    tickets have: `counter(ticket ids)` → {ticket id: count}, one query. The citizens' side
    registers it in its AppConfig.ready(), so that insight needs no import of it."""
    if counter not in _support_counters:
        _support_counters.append(counter)


def _support(ids: Collection[int]) -> dict[int, int]:
    found: dict[int, int] = {}
    for counter in _support_counters:
        for pk, n in counter(ids).items():
            found[pk] = found.get(pk, 0) + n
    return found


def hot_issues(
    *, since: dt.date, until: dt.date, by_place: bool = False, min_size: int = 3, limit: int = 20
) -> HotIssues:
    """Hot issues of the period, largest first, with their examples and places loaded."""
    groups, considered, truncated = _groups(
        tickets_in_period(since, until), by_place=by_place, min_size=min_size, limit=limit
    )
    example_ids = {pk for group in groups for pk in group.examples}
    examples = Ticket.objects.select_related("division", "category").in_bulk(example_ids)
    place_codes = {group.place for group in groups if group.place}
    places = Division.objects.in_bulk(place_codes)
    support = _support({pk for group in groups for pk in group.keys}) if groups else {}
    # Equal in size, the issue more citizens supported on the board comes first.
    groups = sorted(groups, key=lambda g: (-g.count, -sum(support.get(pk, 0) for pk in g.keys)))
    issues = []
    for rank, group in enumerate(groups, 1):
        issues.append(
            HotIssue(
                rank=rank,
                support=sum(support.get(pk, 0) for pk in group.keys),
                label=group.label,
                count=group.count,
                first_at=group.first_at,
                last_at=group.last_at,
                place=places.get(group.place) if group.place else None,
                place_count=group.places[0][1] if group.places else 0,
                places=len(group.places),
                top_words=group.top_words,
                examples=[examples[pk] for pk in group.examples if pk in examples],
                ticket_ids=tuple(sorted(group.keys)),
            )
        )
    return HotIssues(since, until, issues, considered, truncated)


def monthly_themes() -> QuerySet[MonthlyTheme]:
    return MonthlyTheme.objects.select_related("created_by").annotate(ticket_count=Count("tickets"))


def theme_tickets(theme: MonthlyTheme) -> QuerySet[Ticket]:
    return theme.tickets.select_related("category", "division", "lead_unit").order_by("-created_at")
