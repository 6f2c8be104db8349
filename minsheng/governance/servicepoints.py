"""服务点 and 服务矩阵's reads: who may see, manage and record at a township's points, a
township's points with this month's service, a point's monthly totals, and the matrix — which
units serve which villages with which services, the population covered and the villages without
any point — per township and for the county.

Who sees what: the rules of 包村 / 走访 (`governance/visits.py`). A township's points and matrix
are read by the hotline's roles and the staff whose scope covers the township government;
administrators and the township government's own unit leaders and handlers manage them
(`visits.can_manage`); a point's entries are also recorded by the staff of the point's own unit.
Anything else is a 404 for the pages.

The population covered is never typed: the population register (`org.population.populations_of`)
is read for the distinct villages served by at least one point active on the day — a village
served twice counts once; a village without a count adds nothing and is named as such.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from minsheng.governance import visits
from minsheng.governance.models import ServiceEntry, ServicePoint, ServicePointVillage
from minsheng.org.models import Division, Role, User
from minsheng.org.population import counts_on, populations_of

MONTHS = 12
RECENT_ENTRIES = 30
POINTS_LIMIT = 500

# Re-exported: the pages and the services use one module for the rules.
can_read_township = visits.can_read_township
can_manage = visits.can_manage
townships_for = visits.townships_for
villages_of = visits.villages_of
township_unit = visits.township_unit
month_start = visits.month_start
next_month = visits.next_month
previous_months = visits.previous_months


def active_q(day: dt.date, prefix: str = "") -> Q:
    """Points whose active period covers `day` (open ends are open)."""
    return (Q(**{f"{prefix}starts_on__isnull": True}) | Q(**{f"{prefix}starts_on__lte": day})) & (
        Q(**{f"{prefix}ends_on__isnull": True}) | Q(**{f"{prefix}ends_on__gte": day})
    )


def is_active(point: ServicePoint, day: dt.date) -> bool:
    return (point.starts_on is None or point.starts_on <= day) and (
        point.ends_on is None or point.ends_on >= day
    )


def can_record(user: User, point: ServicePoint, township: Division | None = None) -> bool:
    """May the user record service given at the point? Its own unit's staff (the unit or one
    above it), and whoever manages the township's points."""
    if not user.is_authenticated or not user.is_active:
        return False
    if (
        user.unit is not None
        and user.has_role(Role.HANDLER, Role.UNIT_LEADER, Role.STATION_WORKER)
        and point.unit.path.startswith(user.unit.path)
    ):
        return True
    township = township or point.township
    return can_manage(user, township)


def township_of_place(place: Division) -> Division | None:
    """A point's township: the place itself when it is a township, else the village's."""
    if place.level == Division.Level.TOWNSHIP:
        return place
    if place.level == Division.Level.VILLAGE:
        return visits.township_of(place)
    return None


# --- Population ---------------------------------------------------------------------------------


def wan(n: int) -> str:
    """71000 → "7.1 万"; below ten thousand the number itself."""
    if n >= 10_000:
        return f"{n / 10_000:.1f} 万".replace(".0 万", " 万")
    return str(n)


def populations(
    townships: list[str], villages: list[str], on: dt.date | None = None
) -> dict[str, int]:
    """The register's figures by code: a village (the register's leaf) is its own count, read
    with one IN list (`counts_on`, equal to `populations_of` for a village, without one range
    per code, which costs Django ~3 ms per hundred codes to build); a township is
    `populations_of`'s (its own count, else its villages' sum). Two queries."""
    found = counts_on(villages, on=on)
    found.update(populations_of(townships, on=on))
    return found


# --- A township's points ------------------------------------------------------------------------


def points_of_township(township: Division) -> QuerySet[ServicePoint]:
    return (
        ServicePoint.objects.filter(township=township)
        .select_related("unit", "place", "campaign")
        .annotate(n_villages=Count("served"))
        .order_by("kind", "name", "id")
    )


@dataclass
class PointLine:
    point: ServicePoint
    active: bool
    month_count: int  # service given this month


def township_points(township: Division, today: dt.date | None = None) -> list[PointLine]:
    """The township's points, each with whether it is active today and this month's service
    given. Two queries whatever the number of points and entries."""
    today = today or timezone.localdate()
    month = month_start(today)
    points = list(points_of_township(township)[:POINTS_LIMIT])
    totals = dict(
        ServiceEntry.objects.filter(
            point__township=township, date__gte=month, date__lt=next_month(month)
        )
        .values("point_id")
        .annotate(n=Sum("count"))
        .order_by()
        .values_list("point_id", "n")
    )
    return [
        PointLine(point=p, active=is_active(p, today), month_count=totals.get(p.pk) or 0)
        for p in points
    ]


# --- A point ------------------------------------------------------------------------------------


def served_villages(point: ServicePoint) -> list[Division]:
    """The villages the point serves (every village of its township when it serves them all)."""
    if point.whole_township:
        return list(villages_of(point.township))
    return list(
        Division.objects.filter(
            code__in=ServicePointVillage.objects.filter(point=point).values("village_id")
        ).order_by("code")
    )


@dataclass(frozen=True)
class Served:
    villages: list[Division]
    populations: dict[str, int]  # by village code; villages without a count are absent

    @property
    def population(self) -> int:
        return sum(self.populations.values())

    @property
    def uncounted(self) -> list[Division]:
        return [v for v in self.villages if v.code not in self.populations]


def served(point: ServicePoint, on: dt.date | None = None) -> Served:
    """The point's villages and the population of the area served, from the register."""
    villages = served_villages(point)
    return Served(villages=villages, populations=counts_on([v.code for v in villages], on=on))


@dataclass(frozen=True)
class MonthTotal:
    month: dt.date
    total: int
    by_service: dict[str, int]


def monthly_totals(point: ServicePoint, months: int = MONTHS) -> list[MonthTotal]:
    """Service given at the point per month (newest first), with each kind of service, over the
    last `months` months that had any. One grouped query."""
    per: dict[dt.date, dict[str, int]] = {}
    for row in (
        ServiceEntry.objects.filter(point=point)
        .annotate(month=TruncMonth("date"))
        .values("month", "service")
        .annotate(n=Sum("count"))
        .order_by()
    ):
        first = row["month"]
        if isinstance(first, dt.datetime):
            first = first.date()
        per.setdefault(first, {})[row["service"]] = row["n"] or 0
    return [
        MonthTotal(month=m, total=sum(per[m].values()), by_service=dict(sorted(per[m].items())))
        for m in sorted(per, reverse=True)[:months]
    ]


def recent_entries(point: ServicePoint, limit: int = RECENT_ENTRIES) -> list[ServiceEntry]:
    return list(
        ServiceEntry.objects.filter(point=point)
        .select_related("recorded_by")
        .order_by("-date", "-id")[:limit]
    )


# --- The matrix ---------------------------------------------------------------------------------


@dataclass
class MatrixRow:
    village: Division
    population: int | None  # None: the register has no count for it
    cells: list[list[str]]  # per column (Matrix.units): the services the unit gives the village
    points: int = 0  # active points serving the village

    @property
    def covered(self) -> bool:
        return self.points > 0


@dataclass
class Matrix:
    township: Division
    on: dt.date
    units: list[tuple[int, str]]  # the columns: (unit id, name), units with an active point
    rows: list[MatrixRow]
    points: int  # active points
    total_population: int | None  # the township's, from the register
    services: list[str] = field(default_factory=list)  # every service offered, sorted

    @property
    def covered_rows(self) -> list[MatrixRow]:
        return [r for r in self.rows if r.covered]

    @property
    def uncovered(self) -> list[MatrixRow]:
        return [r for r in self.rows if not r.covered]

    @property
    def covered_population(self) -> int:
        """The distinct villages served by at least one active point: each counted once."""
        return sum(r.population or 0 for r in self.rows if r.covered)

    @property
    def uncounted(self) -> list[MatrixRow]:
        """Covered villages the register has no count for (they add nothing to the figure)."""
        return [r for r in self.rows if r.covered and r.population is None]

    @property
    def covered_wan(self) -> str:
        return wan(self.covered_population)


def matrix(township: Division, on: dt.date | None = None) -> Matrix:
    """The township's matrix on a day: rows = its villages, columns = the units with a point
    active that day, cells = the services each unit gives each village; the population covered
    and the villages without any point. Five queries whatever the number of villages and points:
    the villages, the active points with their units, the villages they serve, the register
    (the villages' counts, the township's figure)."""
    on = on or timezone.localdate()
    villages = list(villages_of(township))
    points = list(
        ServicePoint.objects.filter(active_q(on), township=township)
        .select_related("unit")
        .order_by("unit__path", "id")
    )
    by_point = {p.pk: p for p in points}
    served_by: dict[str, list[ServicePoint]] = {}
    if any(not p.whole_township for p in points):
        for point_id, village_id in ServicePointVillage.objects.filter(
            township=township, point_id__in=[p.pk for p in points if not p.whole_township]
        ).values_list("point_id", "village_id"):
            served_by.setdefault(village_id, []).append(by_point[point_id])
    everywhere = [p for p in points if p.whole_township]
    units: dict[int, str] = {}
    for p in points:
        units.setdefault(p.unit_id, p.unit.short_name or p.unit.name)
    columns = list(units.items())
    index = {unit_id: i for i, (unit_id, _name) in enumerate(columns)}
    counted = populations([township.code], [v.code for v in villages], on=on)
    rows = []
    for village in villages:
        serving = everywhere + served_by.get(village.code, [])
        cells: list[list[str]] = [[] for _c in columns]
        for p in serving:
            cell = cells[index[p.unit_id]]
            for service in p.services or [p.kind_name]:
                if service not in cell:
                    cell.append(service)
        rows.append(
            MatrixRow(
                village=village,
                population=counted.get(village.code),
                cells=cells,
                points=len(serving),
            )
        )
    return Matrix(
        township=township,
        on=on,
        units=columns,
        rows=rows,
        points=len(points),
        total_population=counted.get(township.code),
        services=sorted({s for p in points for s in (p.services or [])}),
    )


@dataclass(frozen=True)
class CountyLine:
    township: Division
    villages: int
    covered_villages: int
    points: int
    covered_population: int
    total_population: int | None

    @property
    def uncovered_villages(self) -> int:
        return self.villages - self.covered_villages

    @property
    def covered_wan(self) -> str:
        return wan(self.covered_population)


def county_lines(townships: list[Division], on: dt.date | None = None) -> list[CountyLine]:
    """Per township: villages, villages covered, active points, the population covered and the
    township's total. Five queries for all the townships: the villages, the active points, the
    villages they serve, the register (the villages' counts, the townships' figures)."""
    if not townships:
        return []
    on = on or timezone.localdate()
    codes = [t.code for t in townships]
    villages: dict[str, list[str]] = {}
    for code, parent in (
        Division.objects.filter(parent_id__in=codes, level=Division.Level.VILLAGE)
        .order_by("code")
        .values_list("code", "parent_id")
    ):
        villages.setdefault(parent, []).append(code)
    points = list(
        ServicePoint.objects.filter(active_q(on), township_id__in=codes).values_list(
            "pk", "township_id", "whole_township"
        )
    )
    whole = {township for _pk, township, all_villages in points if all_villages}
    n_points: dict[str, int] = {}
    for _pk, township, _all in points:
        n_points[township] = n_points.get(township, 0) + 1
    covered: dict[str, set[str]] = {}
    partial = [pk for pk, township, all_villages in points if township not in whole]
    if partial:
        for township, village in (
            ServicePointVillage.objects.filter(point_id__in=partial)
            .values_list("township_id", "village_id")
            .distinct()
        ):
            covered.setdefault(township, set()).add(village)
    for township in whole:
        covered[township] = set(villages.get(township, []))
    counted = populations(codes, [v for vs in villages.values() for v in vs], on=on)
    lines = []
    for t in townships:
        mine = covered.get(t.code, set())
        lines.append(
            CountyLine(
                township=t,
                villages=len(villages.get(t.code, [])),
                covered_villages=len(mine),
                points=n_points.get(t.code, 0),
                covered_population=sum(counted.get(v, 0) for v in mine),
                total_population=counted.get(t.code),
            )
        )
    return lines
