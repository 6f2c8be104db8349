"""The Django side of working time: the calendar with administrators' days, and `due()`.

`current_calendar()` is cached per process and rebuilt when the CalendarDay/CalendarYear tables
change (checked with one cheap aggregate at most every CHECK_SECONDS, and at once in the process
that made the change), so services can ask for it on every action.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Max

from minsheng.deadlines.models import CalendarDay, CalendarYear, TimeUnit
from minsheng.deadlines.policy import Span
from minsheng.deadlines.workcalendar import Due, WorkCalendar, WorkingHours

CHECK_SECONDS = 30.0

_lock = threading.Lock()
_cached: tuple[object, WorkCalendar] | None = None
_checked_at = 0.0


def _stamp() -> object:
    days = CalendarDay.objects.aggregate(n=Count("id"), latest=Max("updated_at"))
    years = list(CalendarYear.objects.values_list("year", flat=True).order_by("year"))
    return (days["n"], days["latest"], tuple(years))


def invalidate() -> None:
    global _checked_at
    _checked_at = 0.0


def current_calendar() -> WorkCalendar:
    global _cached, _checked_at
    now = time.monotonic()
    with _lock:
        if _cached is not None and now - _checked_at < CHECK_SECONDS:
            return _cached[1]
        stamp = _stamp()
        _checked_at = now
        if _cached is None or _cached[0] != stamp:
            overrides = {d.date: (d.is_working, d.name) for d in CalendarDay.objects.all()}
            calendar = WorkCalendar(
                overrides,
                tz=ZoneInfo(settings.TIME_ZONE),
                complete_years=stamp[2],  # type: ignore[index]
            )
            _cached = (stamp, calendar)
        return _cached[1]


def working_hours() -> WorkingHours:
    return WorkingHours.parse(settings.MINSHENG_WORKING_HOURS)


def due(start: dt.datetime, span: Span, calendar: WorkCalendar | None = None) -> Due:
    calendar = calendar or current_calendar()
    if span.unit == TimeUnit.HOURS:
        return calendar.add_hours(start, span.amount)
    if span.unit == TimeUnit.DAYS:
        return calendar.add_hours(start, span.amount * 24)
    if span.unit == TimeUnit.WORKING_HOURS:
        return calendar.add_working_hours(start, span.amount, working_hours())
    if span.unit == TimeUnit.WORKING_DAYS:
        whole = int(span.amount)
        if whole != span.amount:
            raise ValueError("working days must be whole; use working hours for fractions")
        return calendar.add_working_days(start, whole)
    raise ValueError(f"unknown time unit {span.unit!r}")
