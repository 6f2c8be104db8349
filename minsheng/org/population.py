"""The population register (人口登记): the only writer of `PopulationCount` and its readers.

Figures that cover people — a service matrix's covered population, an incident's affected
population — are computed from these counts, never typed into the figure. A division's count
on a day is its own latest row on or before the day; a division without one (a township whose
villages were counted) is the sum of its counted descendants at the next levels down, so a
township's figure is its villages' sum unless the township recorded a total of its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.org.models import LEVEL_DIGITS, Division, PopulationCount, User

MAX_POPULATION = 50_000_000  # more than any county; a typo of extra digits is refused


class PopulationError(ValueError):
    """A count that cannot be recorded; the message is for the user (Chinese)."""


@dataclass(frozen=True, slots=True)
class CountRow:
    code: str
    population: int
    households: int | None = None


@transaction.atomic
def record_population(
    rows: Iterable[CountRow],
    *,
    effective_from: dt.date,
    source: str = "",
    by: User | None = None,
) -> int:
    """Record counts for divisions, all or none; returns how many rows were written.

    Each row is validated first (a known division, a count between 0 and `MAX_POPULATION`,
    households not above the population) so that a bad row leaves nothing behind."""
    items = list(rows)
    known = set(
        Division.objects.filter(code__in=[r.code for r in items]).values_list("code", flat=True)
    )
    seen: set[str] = set()
    for row in items:
        if row.code not in known:
            raise PopulationError(_("行政区划 %(code)s 不存在。") % {"code": row.code})
        if row.code in seen:
            raise PopulationError(_("行政区划 %(code)s 重复。") % {"code": row.code})
        seen.add(row.code)
        if not 0 <= row.population <= MAX_POPULATION:
            raise PopulationError(_("%(code)s 的人口数不合理。") % {"code": row.code})
        if row.households is not None and not 0 <= row.households <= row.population:
            raise PopulationError(_("%(code)s 的户数不合理。") % {"code": row.code})
    PopulationCount.objects.bulk_create(
        PopulationCount(
            division_id=row.code,
            population=row.population,
            households=row.households,
            effective_from=effective_from,
            source=source[:100],
            recorded_by=by,
        )
        for row in items
    )
    return len(items)


def counts_on(codes: Iterable[str], *, on: dt.date | None = None) -> dict[str, int]:
    """Each division's own latest count on or before `on` (divisions without one are absent)."""
    day = on or timezone.localdate()
    wanted = sorted(set(codes))
    if not wanted:
        return {}
    found: dict[str, int] = {}
    # Ordered newest first per division: the first row seen for a code is its count on the day.
    rows = (
        PopulationCount.objects.filter(division_id__in=wanted, effective_from__lte=day)
        .order_by("division_id", "-effective_from", "-id")
        .values_list("division_id", "population")
    )
    for code, population in rows:
        found.setdefault(code, population)
    return found


def population_of(code: str, *, on: dt.date | None = None) -> int | None:
    """The population of one division on a day: its own count, else the sum of its counted
    descendants (each counted at the highest level that has a count); None when nothing is
    counted under it."""
    return populations_of([code], on=on).get(code)


def populations_of(codes: Iterable[str], *, on: dt.date | None = None) -> dict[str, int]:
    """`population_of` for several divisions in one query (B-tree ranges on the code)."""
    day = on or timezone.localdate()
    wanted = sorted(set(codes))
    if not wanted:
        return {}
    ranges = Q()
    for code in wanted:
        prefix = significant_prefix(code)
        # Every code starting with the prefix: digits sort before "a".
        ranges |= Q(division_id__gte=prefix, division_id__lt=prefix + "a")
    counted: dict[str, int] = {}
    rows = (
        PopulationCount.objects.filter(ranges, effective_from__lte=day)
        .order_by("division_id", "-effective_from", "-id")
        .values_list("division_id", "population")
    )
    for counted_code, population in rows:
        counted.setdefault(counted_code, population)  # newest first: the first is the count
    result: dict[str, int] = {}
    for code in wanted:
        total = counted.get(code, _sum_below(code, counted))
        if total is not None:
            result[code] = total
    return result


def significant_prefix(code: str) -> str:
    """The digits that identify a 12-digit code at its own level: '410927100000' → '410927100'."""
    for level in (5, 4, 3, 2):
        digits = LEVEL_DIGITS[level]
        if code[LEVEL_DIGITS[level - 1] : digits].strip("0"):
            return code[:digits]
    return code[: LEVEL_DIGITS[1]]


def _sum_below(code: str, counted: dict[str, int]) -> int | None:
    """The sum of the counts under `code`, each branch counted at its highest counted level:
    a township's own total wins over its villages' (never both)."""
    prefix = significant_prefix(code)
    if len(prefix) == 12:
        return None
    total = 0
    found = False
    covered: list[str] = []  # prefixes of the counted divisions already summed
    # Codes sort parents before children ("410927102000" < "410927102201").
    for other in sorted(c for c in counted if c.startswith(prefix) and c != code):
        if any(other.startswith(p) for p in covered):
            continue
        total += counted[other]
        found = True
        covered.append(significant_prefix(other))
    return total if found else None
