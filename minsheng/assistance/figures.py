"""The ledger's figures for an area (a station's village, a township, the county), read within
the reader's scope, and the 充分就业社区(村) status of each village (docs/assistance.md, "Figures").

Definitions, written once:
- **assisted this month**: people with a visit or an assistance measure dated in the month;
- **employed**: people with an employment not ended; **stable**: in that job for at least
  MINSHENG_ASSIST_STABLE_MONTHS months on the day;
- **certificates**: certificates obtained in the calendar year;
- **"六个一" completion**: the distinct items a station has done in the calendar year, of six;
- **充分就业**: a village qualifies when its registered workforce (people counted in it) is
  not empty, the share of it employed is at least MINSHENG_ASSIST_FULL_EMPLOYMENT_PERCENT, and
  (when MINSHENG_ASSIST_NO_ZERO_EMPLOYMENT_HOUSEHOLD) no household has workforce members of
  whom none is employed (零就业家庭).
Every count is a grouped query over the area's code range, reading the columns the services keep
on the person (`employed_since`, `last_contact_on`) rather than a subquery per person: the
county's figures are a handful of scans whatever the number of people.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum

from minsheng.assistance.models import (
    CATEGORIES,
    Certificate,
    ChecklistEntry,
    JobPosting,
    Match,
    MatchStatus,
    Person,
    PersonCategory,
    Station,
)
from minsheng.assistance.rules import LedgerScope, area_q
from minsheng.org.models import Division, division_code_prefix


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` earlier (the month's last day where it has fewer days)."""
    total = day.year * 12 + day.month - 1 - months
    year, month = divmod(total, 12)
    month += 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class VillageStatus:
    code: str
    workforce: int
    employed: int
    zero_households: int
    threshold: int
    qualifies: bool

    @property
    def percent(self) -> float:
        return round(100 * self.employed / self.workforce, 1) if self.workforce else 0.0


@dataclass
class Row:
    code: str
    name: str
    people: int = 0
    employed: int = 0
    stable: int = 0
    villages: int = 0
    full: int = 0


@dataclass
class Figures:
    code: str
    name: str
    people: int = 0
    by_category: list[tuple[str, int]] = field(default_factory=list)
    assisted_month: int = 0
    employed: int = 0
    stable: int = 0
    certificates_year: int = 0
    postings_open: int = 0
    headcount_open: int = 0
    workshop_postings: int = 0
    referred: int = 0
    hires: int = 0
    hires_month: int = 0
    stations: int = 0
    six_one_complete: int = 0
    six_one_percent: float = 0.0
    statuses: list[VillageStatus] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)

    @property
    def full_villages(self) -> int:
        return sum(1 for s in self.statuses if s.qualifies)


def _people(scope: LedgerScope, prefix: str) -> QuerySet[Person]:
    return Person.objects.filter(scope.people_q(), area_q("village__code", prefix))


def _employed() -> Q:
    return Q(employed_since__isnull=False)


def _per_village(
    people: QuerySet[Person], stable_since: dt.date, month_start: dt.date = dt.date.max
) -> list[dict[str, Any]]:
    """One scan: per village, people, employed, stable, workforce, workforce employed, and
    people assisted since `month_start`."""
    workforce = Q(in_workforce=True)
    return list(
        people.values("village_id")
        .annotate(
            n=Count("pk"),
            e=Count("pk", filter=_employed()),
            s=Count("pk", filter=Q(employed_since__lte=stable_since)),
            wn=Count("pk", filter=workforce),
            we=Count("pk", filter=workforce & _employed()),
            a=Count("pk", filter=Q(last_contact_on__gte=month_start)),
        )
        .order_by("village_id")
    )


def _zero_households(people: QuerySet[Person]) -> dict[str, int]:
    zero: dict[str, int] = defaultdict(int)
    rows = (
        people.filter(in_workforce=True, household__isnull=False)
        .values("village_id", "household_id")
        .annotate(e=Count("pk", filter=_employed()))
        .filter(e=0)
        .order_by()
    )
    for row in rows:
        zero[row["village_id"]] += 1
    return zero


def _statuses(
    counts: list[dict[str, Any]],
    zero: dict[str, int],
    *,
    percent: int | None = None,
    rule: bool | None = None,
) -> list[VillageStatus]:
    threshold = int(
        settings.MINSHENG_ASSIST_FULL_EMPLOYMENT_PERCENT if percent is None else percent
    )
    no_zero = bool(settings.MINSHENG_ASSIST_NO_ZERO_EMPLOYMENT_HOUSEHOLD if rule is None else rule)
    statuses = []
    for row in counts:
        n, e, z = row["wn"], row["we"], zero[row["village_id"]]
        if not n:
            continue
        qualifies = e * 100 >= threshold * n and (not no_zero or z == 0)
        statuses.append(VillageStatus(row["village_id"], n, e, z, threshold, qualifies))
    return statuses


def village_statuses(
    scope: LedgerScope, prefix: str, *, percent: int | None = None, rule: bool | None = None
) -> list[VillageStatus]:
    """The 充分就业 status of every village of the area that has a registered workforce."""
    people = _people(scope, prefix)
    counts = _per_village(people, dt.date.min)
    return _statuses(counts, _zero_households(people), percent=percent, rule=rule)


def figures_for(
    scope: LedgerScope, division: Division, today: dt.date, *, breakdown: bool = True
) -> Figures:
    prefix = division_code_prefix(division.code, division.level)
    result = Figures(code=division.code, name=division.name)
    people = _people(scope, prefix)
    month_start = today.replace(day=1)
    stable_since = months_before(today, int(settings.MINSHENG_ASSIST_STABLE_MONTHS))
    counts = _per_village(people, stable_since, month_start)
    result.people = sum(r["n"] for r in counts)
    result.employed = sum(r["e"] for r in counts)
    result.stable = sum(r["s"] for r in counts)
    result.assisted_month = sum(r["a"] for r in counts)
    # Rows that carry their village's code are counted by it, without a join to the people,
    # unless the reader's scope is by category (a department's).
    by_code = scope.categories is None
    area = scope.code_q("village_code") & area_q("village_code", prefix)
    ids = people.values("pk")
    categories = (
        PersonCategory.objects.filter(area)
        if by_code
        else (PersonCategory.objects.filter(person__in=ids))
    )
    cats = dict(categories.values("category").annotate(n=Count("pk")).values_list("category", "n"))
    fixed = [(c, cats.pop(c, 0)) for c in CATEGORIES]
    result.by_category = fixed + sorted(cats.items(), key=lambda kv: (-kv[1], kv[0]))
    result.certificates_year = Certificate.objects.filter(
        person__in=ids, obtained_on__gte=dt.date(today.year, 1, 1)
    ).count()
    matches = Match.objects.filter(area) if by_code else Match.objects.filter(person__in=ids)
    tally = matches.aggregate(
        referred=Count("pk"),
        hires=Count("pk", filter=Q(status=MatchStatus.HIRED)),
        month=Count("pk", filter=Q(status=MatchStatus.HIRED, hired_on__gte=month_start)),
    )
    result.referred, result.hires, result.hires_month = (
        tally["referred"],
        tally["hires"],
        tally["month"],
    )
    if by_code:
        # Stations and postings are the area's, not people's: a department sees only people.
        postings = JobPosting.objects.filter(area, is_open=True).aggregate(
            n=Count("pk"), heads=Sum("headcount"), workshops=Count("pk", filter=Q(workshop=True))
        )
        result.postings_open = postings["n"]
        result.headcount_open = postings["heads"] or 0
        result.workshop_postings = postings["workshops"]
        stations = Station.objects.filter(
            scope.code_q("village__code"), area_q("village__code", prefix)
        )
        result.stations = stations.count()
        done = (
            ChecklistEntry.objects.filter(
                station__in=stations, done_on__gte=dt.date(today.year, 1, 1)
            )
            .values("station")
            .annotate(n=Count("item", distinct=True))
        )
        items = [row["n"] for row in done]
        result.six_one_complete = sum(1 for n in items if n >= 6)
        if result.stations:
            result.six_one_percent = round(100 * sum(items) / (6 * result.stations), 1)
    result.statuses = _statuses(counts, _zero_households(people))
    if breakdown and division.level < Division.Level.VILLAGE:
        result.rows = _rows(scope, division, counts, result.statuses)
    return result


def _rows(
    scope: LedgerScope,
    division: Division,
    counts: list[dict[str, Any]],
    statuses: list[VillageStatus],
) -> list[Row]:
    """One row per child area (the county's townships, a township's villages)."""
    children = list(Division.objects.filter(parent=division).order_by("code"))
    if not children:
        return []
    width = len(division_code_prefix(children[0].code, children[0].level))
    rows = {division_code_prefix(c.code, c.level): Row(c.code, c.name) for c in children}
    for row in counts:
        target = rows.get(row["village_id"][:width])
        if target is not None:
            target.people += row["n"]
            target.employed += row["e"]
            target.stable += row["s"]
    for status in statuses:
        target = rows.get(status.code[:width])
        if target is not None:
            target.villages += 1
            target.full += int(status.qualifies)
    return [r for r in rows.values() if r.people or scope.covers_code(r.code[:width])]
