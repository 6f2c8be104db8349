"""包村 and 走访's reads: who may see and manage a township's assignments, who is responsible for
a village, a cadre's villages and visits, and the figures — visits per village per month, the
villages not visited this month, the needs collected and resolved — per township.

Who sees what. A township is read by the hotline's roles (every township) and by the staff whose
scope covers the township government's unit (its leaders and handlers, as for its council). A
village's page is read by those and by anyone who is or was assigned to it. Assignments are
managed by administrators and the township government's own unit leaders and handlers
(`can_manage`, the councils' rule, `councils.can_run`, without needing a council). Anything
else is a 404 for the pages.

A need is resolved when its ticket was answered or closed (replied / closed), or when its
suggestion was settled by the council (decided on, made a ticket, or set aside).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from minsheng.governance.councils import RUN_ROLES
from minsheng.governance.models import Council, Suggestion, VillageAssignment, Visit, VisitNeed
from minsheng.org.models import Division, Role, Unit, User
from minsheng.org.scoping import scope_for
from minsheng.tickets.models import Status

RECENT = 20
VILLAGE_VISITS = 50
MONTHS = 6
TOWNSHIP_LIMIT = 100
RESOLVED_TICKET = (Status.REPLIED, Status.CLOSED)
RESOLVED_SUGGESTION = (
    Suggestion.Status.DECIDED,
    Suggestion.Status.TICKET,
    Suggestion.Status.DECLINED,
)


# --- Months -------------------------------------------------------------------------------------


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(first: dt.date) -> dt.date:
    return (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def previous_months(first: dt.date, n: int) -> list[dt.date]:
    """The n months ending with `first`'s, oldest first."""
    months = [first]
    while len(months) < n:
        months.insert(0, (months[0] - dt.timedelta(days=1)).replace(day=1))
    return months


def parse_month(raw: str | None, today: dt.date | None = None) -> dt.date:
    """ "2026-11" → 2026-11-01; anything else → this month."""
    today = today or timezone.localdate()
    try:
        year, month = (int(x) for x in (raw or "").strip().split("-"))
        return dt.date(year, month, 1)
    except (TypeError, ValueError):
        return month_start(today)


# --- Scope --------------------------------------------------------------------------------------


def township_of(village: Division) -> Division | None:
    """The village's township (its parent), or None when it has none."""
    if village.level != Division.Level.VILLAGE or not village.parent_id:
        return None
    parent = Division.objects.filter(pk=village.parent_id, level=Division.Level.TOWNSHIP).first()
    return parent


def township_unit(township: Division) -> Unit | None:
    """The township government: its council's unit, else the township unit serving it."""
    council = Council.objects.filter(division=township).select_related("unit").first()
    if council is not None:
        return council.unit
    return (
        Unit.objects.filter(kind=Unit.Kind.TOWNSHIP, division=township, is_active=True)
        .order_by("path")
        .first()
    )


def can_read_township(user: User, township: Division, unit: Unit | None = None) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    scope = scope_for(user)
    if scope.everything:
        return True
    unit = unit or township_unit(township)
    return unit is not None and scope.covers_unit_path(unit.path)


def can_manage(user: User, township: Division, unit: Unit | None = None) -> bool:
    """May the user assign cadres to the township's villages and end assignments?
    Administrators, and the township government's own unit leaders and handlers."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.has_role(Role.ADMINISTRATOR):
        return True
    if not user.has_role(*RUN_ROLES) or user.unit is None:
        return False
    unit = unit or township_unit(township)
    return unit is not None and unit.path.startswith(user.unit.path)


def can_read_village(
    user: User, village: Division, township: Division, unit: Unit | None = None
) -> bool:
    if can_read_township(user, township, unit):
        return True
    return VillageAssignment.objects.filter(person=user, village=village).exists()


def townships_for(user: User) -> list[Division]:
    """The townships whose overview the user may read (bounded)."""
    if not user.is_authenticated or not user.is_active:
        return []
    townships = Division.objects.filter(level=Division.Level.TOWNSHIP)
    scope = scope_for(user)
    if not scope.everything:
        if scope.nothing:
            return []
        covered = Unit.objects.filter(scope.units_q(), kind=Unit.Kind.TOWNSHIP)
        councils = Council.objects.filter(scope.units_q("unit__"))
        townships = townships.filter(
            Q(code__in=councils.values("division_id")) | Q(code__in=covered.values("division_id"))
        )
    return list(townships.order_by("code")[:TOWNSHIP_LIMIT])


# --- Assignments --------------------------------------------------------------------------------


def covering_q(day: dt.date, prefix: str = "") -> Q:
    """Assignments whose period covers `day`."""
    return Q(**{f"{prefix}starts_on__lte": day}) & (
        Q(**{f"{prefix}ends_on__isnull": True}) | Q(**{f"{prefix}ends_on__gte": day})
    )


def assigned_on(user: User, village: Division, day: dt.date) -> bool:
    return VillageAssignment.objects.filter(covering_q(day), person=user, village=village).exists()


def my_assignments(user: User, today: dt.date | None = None) -> list[VillageAssignment]:
    """The user's assignments current or to come, with their villages and townships."""
    today = today or timezone.localdate()
    return list(
        VillageAssignment.objects.filter(person=user)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .select_related("village", "township")
        .order_by("township_id", "village_id", "starts_on")
    )


def responsible_for(village: Division, day: dt.date | None = None) -> list[VillageAssignment]:
    """Who is responsible for the village on `day` (today): its assignments covering that day."""
    day = day or timezone.localdate()
    return list(
        VillageAssignment.objects.filter(covering_q(day), village=village)
        .select_related("person__unit")
        .order_by("duty", "starts_on", "id")
    )


def assignments_of_village(village: Division) -> list[VillageAssignment]:
    return list(
        VillageAssignment.objects.filter(village=village)
        .select_related("person__unit")
        .order_by("-starts_on", "-id")[:VILLAGE_VISITS]
    )


def assignments_of_township(township: Division) -> QuerySet[VillageAssignment]:
    return (
        VillageAssignment.objects.filter(township=township)
        .select_related("person__unit", "village")
        .order_by("village_id", "-starts_on", "-id")
    )


def villages_of(township: Division) -> QuerySet[Division]:
    return Division.objects.filter(parent=township, level=Division.Level.VILLAGE).order_by("code")


# --- Visits -------------------------------------------------------------------------------------


def recent_visits(user: User, limit: int = RECENT) -> list[Visit]:
    return list(
        Visit.objects.filter(visitor=user)
        .select_related("village", "township")
        .annotate(n_needs=Count("needs"))
        .order_by("-date", "-id")[:limit]
    )


def visits_of_village(village: Division, limit: int = VILLAGE_VISITS) -> list[Visit]:
    """The village's latest visits with their needs, tickets and suggestions (three queries)."""
    return list(
        Visit.objects.filter(village=village)
        .select_related("visitor")
        .prefetch_related("needs__ticket", "needs__suggestion", "needs__category")
        .order_by("-date", "-id")[:limit]
    )


def need_state(need: VisitNeed) -> tuple[str, bool]:
    """What became of a need: its label and whether it is resolved."""
    if need.ticket is not None:
        return need.ticket.get_status_display(), need.ticket.status in RESOLVED_TICKET
    if need.suggestion is not None:
        s = need.suggestion
        return s.get_status_display(), s.status in RESOLVED_SUGGESTION
    return "—", False


# --- Figures ------------------------------------------------------------------------------------


def resolved_q(prefix: str = "") -> Q:
    return Q(**{f"{prefix}ticket__status__in": RESOLVED_TICKET}) | Q(
        **{f"{prefix}suggestion__status__in": RESOLVED_SUGGESTION}
    )


@dataclass(frozen=True)
class NeedFigures:
    collected: int = 0
    as_tickets: int = 0
    as_suggestions: int = 0
    resolved: int = 0


def need_figures(needs: QuerySet[VisitNeed], **parts: Q) -> dict[str, NeedFigures]:
    """The needs' figures for each named part (a Q over the needs), in one pass."""
    counts = {}
    for name, q in parts.items():
        counts[f"{name}_collected"] = Count("id", filter=q)
        counts[f"{name}_as_tickets"] = Count("id", filter=q & Q(outcome=VisitNeed.Outcome.TICKET))
        counts[f"{name}_as_suggestions"] = Count(
            "id", filter=q & Q(outcome=VisitNeed.Outcome.SUGGESTION)
        )
        counts[f"{name}_resolved"] = Count("id", filter=q & resolved_q())
    row = needs.aggregate(**counts)
    return {
        name: NeedFigures(
            collected=row[f"{name}_collected"],
            as_tickets=row[f"{name}_as_tickets"],
            as_suggestions=row[f"{name}_as_suggestions"],
            resolved=row[f"{name}_resolved"],
        )
        for name in parts
    }


@dataclass
class VillageRow:
    village: Division
    months: list[int]  # visits per month, oldest first (Overview.months)
    visits: int = 0  # in the chosen month
    households: int = 0  # in the chosen month
    last: dt.date | None = None
    responsible: list[VillageAssignment] = field(default_factory=list)


@dataclass
class Overview:
    township: Division
    month: dt.date  # the chosen month's first day
    months: list[dt.date]  # the months shown per village, oldest first, ending with `month`
    rows: list[VillageRow]
    visits: int
    households: int
    needs: NeedFigures  # collected in the chosen month
    needs_window: NeedFigures  # collected in the months shown (the chosen one and five before)

    @property
    def not_visited(self) -> list[VillageRow]:
        return [r for r in self.rows if not r.visits]

    @property
    def visited(self) -> int:
        return sum(1 for r in self.rows if r.visits)


def overview(township: Division, month: dt.date, today: dt.date | None = None) -> Overview:
    """The township's villages with their visits per month (the chosen month and the five
    before), households, last visit and who is responsible; the needs collected and resolved in
    the month and in the six months. Four queries whatever the number of villages and visits."""
    today = today or timezone.localdate()
    months = previous_months(month, MONTHS)
    end = next_month(month)
    # Each village's last visit: one index lookup per village (gov_visit_village).
    villages = list(
        villages_of(township).annotate(
            last=Subquery(
                Visit.objects.filter(village_id=OuterRef("code"))
                .order_by("-date")
                .values("date")[:1]
            )
        )
    )
    per_month: dict[tuple[str, dt.date], tuple[int, int]] = {}
    for row in (
        Visit.objects.filter(township=township, date__gte=months[0], date__lt=end)
        .annotate(month=TruncMonth("date"))
        .values("village_id", "month")
        .annotate(n=Count("*"), h=Sum("households"))
        .order_by()
    ):
        first = row["month"]
        if isinstance(first, dt.datetime):
            first = first.date()
        per_month[(row["village_id"], first)] = (row["n"], row["h"] or 0)
    # Who is responsible: the assignments covering today (or the month's end, for a past month).
    on = min(today, end - dt.timedelta(days=1))
    responsible: dict[str, list[VillageAssignment]] = {}
    for a in (
        VillageAssignment.objects.filter(covering_q(on), township=township)
        .select_related("person")
        .order_by("duty", "starts_on", "id")
    ):
        responsible.setdefault(a.village_id, []).append(a)
    rows = []
    for village in villages:
        counts = [per_month.get((village.code, m), (0, 0)) for m in months]
        rows.append(
            VillageRow(
                village=village,
                months=[n for n, _h in counts],
                visits=counts[-1][0],
                households=counts[-1][1],
                last=village.last,
                responsible=responsible.get(village.code, []),
            )
        )
    figures = need_figures(
        VisitNeed.objects.filter(township=township, date__gte=months[0], date__lt=end),
        month=Q(date__gte=month),
        window=Q(),
    )
    return Overview(
        township=township,
        month=month,
        months=months,
        rows=rows,
        visits=sum(r.visits for r in rows),
        households=sum(r.households for r in rows),
        needs=figures["month"],
        needs_window=figures["window"],
    )


@dataclass(frozen=True)
class TownshipLine:
    township: Division
    villages: int
    visited: int  # villages visited in the month
    visits: int
    needs: int
    resolved: int

    @property
    def not_visited(self) -> int:
        return self.villages - self.visited


def township_lines(townships: list[Division], month: dt.date) -> list[TownshipLine]:
    """Per township, for the month: villages, villages visited, visits, needs collected and
    resolved. Three grouped queries for all the townships."""
    if not townships:
        return []
    codes = [t.code for t in townships]
    end = next_month(month)
    villages = dict(
        Division.objects.filter(parent_id__in=codes, level=Division.Level.VILLAGE)
        .values("parent_id")
        .annotate(n=Count("code"))
        .order_by()
        .values_list("parent_id", "n")
    )
    visits = {
        r["township_id"]: r
        for r in Visit.objects.filter(township_id__in=codes, date__gte=month, date__lt=end)
        .values("township_id")
        .annotate(n=Count("id"), villages=Count("village_id", distinct=True))
        .order_by()
    }
    needs = {
        r["township_id"]: r
        for r in VisitNeed.objects.filter(township_id__in=codes, date__gte=month, date__lt=end)
        .values("township_id")
        .annotate(n=Count("id"), resolved=Count("id", filter=resolved_q()))
        .order_by()
    }
    return [
        TownshipLine(
            township=t,
            villages=villages.get(t.code, 0),
            visited=visits.get(t.code, {}).get("villages", 0),
            visits=visits.get(t.code, {}).get("n", 0),
            needs=needs.get(t.code, {}).get("n", 0),
            resolved=needs.get(t.code, {}).get("resolved", 0),
        )
        for t in townships
    ]
