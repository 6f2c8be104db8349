"""Publication periods (月度 / 季度 / 年度 / 即时) as date ranges. Pure Python."""

from __future__ import annotations

import calendar
import datetime as dt


def month_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    last = calendar.monthrange(day.year, day.month)[1]
    return day.replace(day=1), day.replace(day=last)


def quarter_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = dt.date(day.year, first_month, 1)
    end_month = first_month + 2
    return start, dt.date(day.year, end_month, calendar.monthrange(day.year, end_month)[1])


def year_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    return dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)


def period_bounds(kind: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The period of `kind` ("month", "quarter", "year", "immediate") that contains `day`."""
    if kind == "month":
        return month_bounds(day)
    if kind == "quarter":
        return quarter_bounds(day)
    if kind == "year":
        return year_bounds(day)
    if kind == "immediate":
        return day, day
    raise ValueError(kind)


def period_label(kind: str, start: dt.date) -> str:
    """How a board names the period: 2026年11月, 2026年第4季度, 2026年度, 2026年11月3日."""
    if kind == "month":
        return f"{start.year}年{start.month}月"
    if kind == "quarter":
        return f"{start.year}年第{(start.month - 1) // 3 + 1}季度"
    if kind == "year":
        return f"{start.year}年度"
    return f"{start.year}年{start.month}月{start.day}日"
