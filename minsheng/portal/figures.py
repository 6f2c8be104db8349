"""Public figures (数据公开): the month's three rates of the county and the ranking of the units
by composite score, the way Beijing publishes its townships' — from the statistics' own query and
formulas (stats.query, stats.figures), no arithmetic of its own; and the 每月一题 themes the
leaders chose. Counts and rates only: nothing about a single ticket or person."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from minsheng.insight.models import MonthlyTheme
from minsheng.insight.selectors import monthly_themes
from minsheng.stats import query, tables
from minsheng.stats.figures import Figures
from minsheng.stats.params import today
from minsheng.stats.periods import Period, period_of

RATES = ("response_rate", "resolution_rate", "satisfaction_rate")
THEMES = 6


@dataclass(frozen=True)
class Ranked:
    rank: int
    name: str
    received: int
    rates: list[str]
    score: str


@dataclass(frozen=True)
class PublicFigures:
    period: str
    received: int
    rates: list[tuple[str, str]]  # (label, "96.5%")
    units: list[Ranked]
    themes: list[MonthlyTheme]


def _rates(figures: Figures) -> list[str]:
    return [
        tables.fmt(tables.COLUMNS[key].value(figures), tables.COLUMNS[key].unit) for key in RATES
    ]


def public_figures(month: str = "") -> PublicFigures:
    """The figures of the current month (or "2026-11"), capped at today."""
    day = today()
    anchor = day
    if len(month) == 7 and month[4] == "-" and month.replace("-", "").isascii():
        try:
            anchor = min(dt.date.fromisoformat(f"{month}-01"), day)
        except ValueError:
            anchor = day
    period: Period = period_of("month", anchor).capped(day)
    filters = query.Filters(period=period)
    totals = query.totals(filters)
    rows, _own = query.by_unit(filters, totals)
    scored = [r for r in rows if not r.figures.empty]
    scored.sort(key=lambda r: (-(r.figures.composite or Decimal(-1)), r.label))
    units = [
        Ranked(
            rank=n,
            name=r.label,
            received=r.figures["received"],
            rates=_rates(r.figures),
            score=tables.fmt(r.figures.composite, ""),
        )
        for n, r in enumerate(scored, start=1)
    ]
    labels = [str(tables.COLUMNS[key].label) for key in RATES]
    return PublicFigures(
        period=period.label,
        received=totals["received"],
        rates=list(zip(labels, _rates(totals), strict=True)),
        units=units,
        themes=list(monthly_themes().order_by("-month")[:THEMES]),
    )
