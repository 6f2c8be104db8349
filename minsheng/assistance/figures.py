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
Every count is a grouped query over the area's code prefix: the county's figures are a handful of
queries whatever the number of people.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from minsheng.assistance.models import (
    CATEGORIES,
    Assistance,
    Certificate,
    ChecklistEntry,
    Employment,
    JobPosting,
    Match,
    MatchStatus,
    Person,
    PersonCategory,
    Station,
    Visit,
)
from minsheng.assistance.rules import LedgerScope
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
    return Person.objects.filter(scope.people_q(), village__code__startswith=prefix)


def _open_job() -> Exists:
    return Exists(Employment.objects.filter(person=OuterRef("pk"), ended_on__isnull=True))


def village_statuses(
    scope: LedgerScope, prefix: str, *, percent: int | None = None, rule: bool | None = None
) -> list[VillageStatus]:
    """The 充分就业 status of every village of the area that has people in the ledger."""
    threshold = int(
        settings.MINSHENG_ASSIST_FULL_EMPLOYMENT_PERCENT if percent is None else percent
    )
    no_zero = bool(settings.MINSHENG_ASSIST_NO_ZERO_EMPLOYMENT_HOUSEHOLD if rule is None else rule)
    workforce = _people(scope, prefix).filter(in_workforce=True).annotate(job=_open_job())
    counts = workforce.values("village_id").annotate(
        n=Count("pk"), e=Count("pk", filter=Q(job=True))
    )
    zero: dict[str, int] = defaultdict(int)
    households = (
        workforce.filter(household__isnull=False)
        .values("village_id", "household_id")
        .annotate(e=Count("pk", filter=Q(job=True)))
        .filter(e=0)
    )
    for row in households:
        zero[row["village_id"]] += 1
    statuses = []
    for row in counts.order_by("village_id"):
        n, e, z = row["n"], row["e"], zero[row["village_id"]]
        qualifies = n > 0 and e * 100 >= threshold * n and (not no_zero or z == 0)
        statuses.append(VillageStatus(row["village_id"], n, e, z, threshold, qualifies))
    return statuses


def figures_for(
    scope: LedgerScope, division: Division, today: dt.date, *, breakdown: bool = True
) -> Figures:
    prefix = division_code_prefix(division.code, division.level)
    result = Figures(code=division.code, name=division.name)
    people = _people(scope, prefix)
    ids = people.values("pk")
    result.people = people.count()
    cats = dict(
        PersonCategory.objects.filter(person__in=ids)
        .values_list("category")
        .annotate(n=Count("pk"))
        .values_list("category", "n")
    )
    fixed = [(c, cats.pop(c, 0)) for c in CATEGORIES]
    result.by_category = fixed + sorted(cats.items(), key=lambda kv: (-kv[1], kv[0]))
    month_start = today.replace(day=1)
    result.assisted_month = people.filter(
        Exists(Visit.objects.filter(person=OuterRef("pk"), visited_on__gte=month_start))
        | Exists(Assistance.objects.filter(person=OuterRef("pk"), started_on__gte=month_start))
    ).count()
    stable_since = months_before(today, int(settings.MINSHENG_ASSIST_STABLE_MONTHS))
    open_jobs = Employment.objects.filter(person__in=ids, ended_on__isnull=True)
    result.employed = open_jobs.values("person").distinct().count()
    result.stable = open_jobs.filter(since__lte=stable_since).values("person").distinct().count()
    result.certificates_year = Certificate.objects.filter(
        person__in=ids, obtained_on__year=today.year
    ).count()
    matches = Match.objects.filter(person__in=ids)
    result.referred = matches.count()
    result.hires = matches.filter(status=MatchStatus.HIRED).count()
    result.hires_month = matches.filter(status=MatchStatus.HIRED, hired_on__gte=month_start).count()
    if scope.categories is None:
        # Stations and postings are the area's, not people's: a department sees only people.
        area = scope.code_q("village_code") & Q(village_code__startswith=prefix)
        postings = JobPosting.objects.filter(area, is_open=True)
        result.postings_open = postings.count()
        result.headcount_open = sum(postings.values_list("headcount", flat=True))
        result.workshop_postings = postings.filter(workshop=True).count()
        stations = Station.objects.filter(
            scope.code_q("village__code"), village__code__startswith=prefix
        )
        result.stations = stations.count()
        done = (
            ChecklistEntry.objects.filter(station__in=stations, done_on__year=today.year)
            .values("station")
            .annotate(n=Count("item", distinct=True))
        )
        items = [row["n"] for row in done]
        result.six_one_complete = sum(1 for n in items if n >= 6)
        if result.stations:
            result.six_one_percent = round(100 * sum(items) / (6 * result.stations), 1)
    result.statuses = village_statuses(scope, prefix)
    if breakdown and division.level < Division.Level.VILLAGE:
        result.rows = _rows(scope, division, people, stable_since, result.statuses)
    return result


def _rows(
    scope: LedgerScope,
    division: Division,
    people: QuerySet[Person],
    stable_since: dt.date,
    statuses: list[VillageStatus],
) -> list[Row]:
    """One row per child area (the county's townships, a township's villages)."""
    children = list(Division.objects.filter(parent=division).order_by("code"))
    if not children:
        return []
    width = len(division_code_prefix(children[0].code, children[0].level))
    rows = {division_code_prefix(c.code, c.level): Row(c.code, c.name) for c in children}
    annotated = people.annotate(job=_open_job()).annotate(
        stable=Exists(
            Employment.objects.filter(
                person=OuterRef("pk"), ended_on__isnull=True, since__lte=stable_since
            )
        )
    )
    for row in annotated.values("village_id").annotate(
        n=Count("pk"), e=Count("pk", filter=Q(job=True)), s=Count("pk", filter=Q(stable=True))
    ):
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
