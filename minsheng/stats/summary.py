"""The month's three rates for a home page (the leader's): the statistics pages' own query and
formulas (query.totals over the rollups, Figures' rates, the overview's formatting), so that
the home page and the statistics can never disagree."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse

from minsheng.org.models import User
from minsheng.org.scoping import scope_for
from minsheng.stats import query, tables
from minsheng.stats.measures import StrOrPromise
from minsheng.stats.params import today
from minsheng.stats.periods import period_of

RATES = ("response_rate", "resolution_rate", "satisfaction_rate")


@dataclass(frozen=True)
class Rate:
    label: StrOrPromise
    text: str  # "96.5%", or "—" when nothing was counted yet
    url: str  # the tickets behind the figure, or the overview when there are none


@dataclass(frozen=True)
class MonthRates:
    period: str  # "2025年6月"
    scope: str  # the unit the figures are of, "" for everything
    rates: list[Rate]
    overview_url: str
    units_url: str
    report_url: str


def month_rates(user: User) -> MonthRates | None:
    """This month's 响应率, 解决率 and 满意率 of what `user` may read (everything for the
    hotline, their unit's subtree for a unit); None for someone who may read no figures."""
    scope = scope_for(user)
    if scope.everything:
        root = None
    elif scope.nothing or user.unit is None:
        return None
    else:
        root = user.unit  # as the statistics pages read a unit's people (params.reader)
    day = today()
    filters = query.Filters(period=period_of("month", day).capped(day), unit=root)
    figures = query.totals(filters)
    params = urlencode(filters.params())
    overview = f"{reverse('stats:overview')}?{params}"
    rates = []
    for key in RATES:
        column = tables.COLUMNS[key]
        value = column.value(figures)
        url = (
            tables.drill_url(filters, {}, column.drill)
            if column.drill and value is not None
            else overview
        )
        rates.append(Rate(column.label, tables.fmt(value, column.unit), url))
    return MonthRates(
        period=filters.period.label,
        scope=root.name if root is not None else "",
        rates=rates,
        overview_url=overview,
        units_url=f"{reverse('stats:units')}?{params}",
        report_url=f"{reverse('stats:report')}?{params}",
    )
