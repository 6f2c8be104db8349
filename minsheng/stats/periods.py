"""Reporting periods: day, week, month, quarter, half-year, year, or custom, in local dates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

StrOrPromise = str | Promise

KINDS: dict[str, StrOrPromise] = {
    "day": _("日"),
    "week": _("周"),
    "month": _("月"),
    "quarter": _("季度"),
    "half": _("半年"),
    "year": _("年"),
    "custom": _("自定义"),
}
GRAINS: dict[str, StrOrPromise] = {"day": _("按日"), "week": _("按周"), "month": _("按月")}
MAX_DAYS = 366 * 5


@dataclass(frozen=True)
class Period:
    kind: str
    start: dt.date
    end: dt.date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def label(self) -> str:
        s, e = self.start, self.end
        if self.kind == "day":
            return _("%(y)s年%(m)s月%(d)s日") % {
                "y": s.year,
                "m": f"{s.month:02d}",
                "d": f"{s.day:02d}",
            }
        if self.kind == "month":
            return _("%(y)s年%(m)s月") % {"y": s.year, "m": s.month}
        if self.kind == "quarter":
            return _("%(y)s年第%(q)s季度") % {"y": s.year, "q": (s.month - 1) // 3 + 1}
        if self.kind == "half":
            return (_("%(y)s年上半年") if s.month == 1 else _("%(y)s年下半年")) % {"y": s.year}
        if self.kind == "year":
            return _("%(y)s年") % {"y": s.year}
        return _("%(start)s 至 %(end)s") % {"start": s.isoformat(), "end": e.isoformat()}

    def shifted_years(self, years: int) -> Period:
        return Period(self.kind, _shift_year(self.start, years), _shift_year(self.end, years))

    def previous(self) -> Period:
        """The period just before (the previous month for a month, …)."""
        if self.kind in ("month", "quarter", "half", "year"):
            months = {"month": 1, "quarter": 3, "half": 6, "year": 12}[self.kind]
            start = add_months(self.start, -months)
            return Period(self.kind, start, add_months(start, months) - dt.timedelta(days=1))
        length = dt.timedelta(days=self.days)
        return Period(self.kind, self.start - length, self.end - length)

    def capped(self, today: dt.date) -> Period:
        """Never past today: deadlines ahead have not fallen yet."""
        return Period(self.kind, self.start, min(self.end, today)) if self.start <= today else self


def _shift_year(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def add_months(d: dt.date, months: int) -> dt.date:
    index = d.year * 12 + d.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def period_of(kind: str, anchor: dt.date) -> Period:
    if kind == "day":
        return Period(kind, anchor, anchor)
    if kind == "week":
        start = anchor - dt.timedelta(days=anchor.weekday())
        return Period(kind, start, start + dt.timedelta(days=6))
    months = {"month": 1, "quarter": 3, "half": 6, "year": 12}.get(kind)
    if months is None:
        raise ValueError(kind)
    first_month = (anchor.month - 1) // months * months + 1
    start = dt.date(anchor.year, first_month, 1)
    return Period(kind, start, add_months(start, months) - dt.timedelta(days=1))


def bucket(d: dt.date, grain: str) -> dt.date:
    if grain == "week":
        return d - dt.timedelta(days=d.weekday())
    if grain == "month":
        return d.replace(day=1)
    return d


def buckets(start: dt.date, end: dt.date, grain: str) -> Iterator[dt.date]:
    current = bucket(start, grain)
    while current <= end:
        yield current
        if grain == "month":
            current = add_months(current, 1)
        else:
            current += dt.timedelta(days=7 if grain == "week" else 1)


def bucket_label(d: dt.date, grain: str) -> str:
    if grain == "month":
        return f"{d:%Y-%m}"
    if grain == "week":
        return _("%(day)s周") % {"day": f"{d:%m-%d}"}
    return f"{d:%m-%d}"


def default_grain(period: Period) -> str:
    if period.days <= 62:
        return "day"
    if period.days <= 200:
        return "week"
    return "month"
