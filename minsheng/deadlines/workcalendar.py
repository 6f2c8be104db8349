"""Working-time arithmetic for ticket deadlines (pure Python, no Django).

China's working calendar
========================
A date is a *working day* unless it is a rest day. Saturdays and Sundays are rest
days, public holidays are rest days, and make-up working days (调休上班, a Saturday
or Sunday the State Council declares a working day) are working days.

Each date is resolved from three sources, first match wins:

1. ``overrides`` -- administrator-entered corrections (date -> (is_working, name)).
   The Django layer loads them from the database and passes a plain mapping.
2. the ``chinesecalendar`` package (import name ``chinese_calendar``), for the years
   it publishes (``PACKAGE_YEARS``; 2004-2026 in chinesecalendar 1.11.0). Holidays
   and make-up days come from its ``holidays`` / ``workdays`` dicts.
3. the weekend rule (Mon-Fri working, Sat/Sun rest) for every other year.

A day answered by the weekend rule in a year that is neither in ``PACKAGE_YEARS`` nor
declared complete by an administrator (``complete_years``) is *provisional*: the
State Council schedule for that year is not known yet (it is published around
November of the previous year), so the day may still turn out to be a holiday or a
make-up working day. Any result that consulted such a day is flagged
``provisional=True`` so that the deadline can be recomputed once the schedule is in.
A day covered by an override is never provisional, so a deadline that only touched
admin-entered days of an unknown year is not provisional either.

Time zone
=========
All inputs must be timezone-aware (``ValueError`` otherwise). They are converted to
the calendar's zone (Asia/Shanghai by default) and every result is an aware datetime
in that zone. Clock-time arithmetic is wall-clock arithmetic; Asia/Shanghai has had no
DST since 1991, so wall time and elapsed time coincide.

Semantics
=========
``add_working_days(start, n)``, n >= 0 (negative -> ``ValueError``):

* ``n == 0`` returns ``start`` unchanged (no working time is required).
* If ``start``'s date is a working day, the deadline is the *same clock time* on the
  n-th working day strictly after that date. The day of receipt is not counted,
  as with any period counted in days (Civil Code art. 201). Example: Wednesday
  17:00 + 1 = Thursday 17:00, Friday 17:00 + 1 = next Monday 17:00.
* If ``start``'s date is a rest day, the ticket is treated as received at 00:00 of
  the next working day W, and the deadline is 00:00 of the n-th working day after
  W. So W itself counts in full. Example: Saturday 10:00 + 1 = Tuesday 00:00
  (all of Monday available). Choosing 00:00 of the *next working day*
  rather than 24:00 of the last counted day (which may be a rest-day midnight) keeps the
  deadline on a working day, as Civil Code art. 203 does for periods ending on a
  holiday. It also keeps the result monotone in ``start``: a ticket received later
  never gets an earlier deadline.
* The result always falls on a working day (for n > 0).

``add_working_hours(start, amount, working_hours)``, amount >= 0:

* Working time is the intersection of working days with the daily
  ``WorkingHours`` periods (e.g. 08:30-12:00 and 14:30-17:30).
* The deadline is the *earliest* instant ``t >= start`` such that the working time
  in ``[start, t]`` equals ``amount``. Consequences: a start in the lunch gap, before
  opening, after closing or on a rest day starts consuming at the next opening; a
  deadline that exactly exhausts a period stays at the period end (17:30 stays
  17:30, it does not become 08:30 of the next working day); ``amount == 0`` returns
  ``start`` unchanged, even outside working hours.
* Amounts are resolved to whole microseconds (Decimal/float are rounded half-even).

``working_time_between(start, end, working_hours)`` is the inverse measure:
``working_time_between(s, add_working_hours(s, h, wh).at, wh) == h``.
``end < start`` raises ``ValueError``. It does not report provisional status. Stats
over unknown years use the weekend rule.

``add_hours(start, amount)`` adds natural (elapsed) hours, e.g. for emergencies. It
never consults the calendar and is never provisional.

Provisional flag: ``add_working_days`` consults ``start``'s date and every date
up to and including the result date. ``add_working_hours`` consults every date whose
working periods could still contribute (it skips ``start``'s date when ``start`` is at
or after the last closing time). The result is provisional if any consulted day is.

Performance: day lookups are memoised per instance (an instance is immutable: build a
new ``WorkCalendar`` when the overrides change), the package dicts are read directly
(``chinese_calendar.is_workday`` rescans all its keys on every call), and working
hours advance by whole days and periods, never by minute.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Literal, NamedTuple
from zoneinfo import ZoneInfo

import chinese_calendar

__all__ = [
    "PACKAGE_YEARS",
    "SHANGHAI",
    "DayInfo",
    "DayOverride",
    "Due",
    "WorkCalendar",
    "WorkingHours",
]

SHANGHAI = ZoneInfo("Asia/Shanghai")

# The package validates every date against min/max of its holiday keys, so its coverage
# is exactly this contiguous range of years; we derive it rather than hard-code it so that
# upgrading the package extends coverage automatically.
PACKAGE_YEARS: range = range(
    min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year + 1
)

# The package stores English holiday names; the hotline UI speaks Chinese.
_CHINESE_NAMES: dict[str, str] = {h.value: h.chinese for h in chinese_calendar.Holiday}

_ONE_DAY = timedelta(days=1)
_US_PER_DAY = 86_400_000_000
_US_PER_HOUR = Decimal(3_600_000_000)

Source = Literal["override", "package", "weekend_rule"]
Amount = int | float | Decimal | timedelta


class DayOverride(NamedTuple):
    """An administrator's entry for one date; a plain ``(bool, str)`` tuple works too."""

    is_working: bool
    name: str = ""


@dataclass(frozen=True)
class DayInfo:
    """How one date was resolved.

    ``name`` is the holiday name (for a make-up working day: the holiday it makes up
    for), ``None`` for an ordinary day. ``provisional`` is true only for a
    weekend-rule answer in a year whose official schedule is unknown.
    """

    date: date
    is_working: bool
    name: str | None
    source: Source
    provisional: bool

    @property
    def is_weekend(self) -> bool:
        return self.date.weekday() >= 5


@dataclass(frozen=True)
class Due:
    """A computed deadline: aware ``at`` in the calendar's zone."""

    at: datetime
    provisional: bool


def _us_of_day(t: time) -> int:
    return ((t.hour * 60 + t.minute) * 60 + t.second) * 1_000_000 + t.microsecond


def _time_of_us(us: int) -> time:
    seconds, micro = divmod(us, 1_000_000)
    minutes, second = divmod(seconds, 60)
    hour, minute = divmod(minutes, 60)
    return time(hour, minute, second, micro)


def _parse_hhmm(text: str) -> time:
    hour, _, minute = text.strip().partition(":")
    return time(int(hour), int(minute or 0))


@dataclass(frozen=True)
class WorkingHours:
    """Daily office hours, e.g. ``((08:30, 12:00), (14:30, 17:30))``.

    Periods are naive times in the calendar's zone, within one calendar day, sorted,
    each with ``start < end``, not overlapping (touching is allowed). A 24-hour service
    is not modelled here: use ``WorkCalendar.add_hours``.
    """

    periods: tuple[tuple[time, time], ...]
    # Microsecond offsets are what the arithmetic runs on; derived once.
    _spans: tuple[tuple[int, int], ...] = field(init=False, repr=False, compare=False)
    _daily_us: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.periods:
            raise ValueError("WorkingHours needs at least one period")
        spans: list[tuple[int, int]] = []
        previous_end = -1
        for start, end in self.periods:
            if start.tzinfo is not None or end.tzinfo is not None:
                raise ValueError("working-hour periods must be naive times")
            s, e = _us_of_day(start), _us_of_day(end)
            if s >= e:
                raise ValueError(f"period {start}-{end}: start must be before end")
            if s < previous_end:
                raise ValueError(f"period {start}-{end} overlaps or is out of order")
            spans.append((s, e))
            previous_end = e
        object.__setattr__(self, "_spans", tuple(spans))
        object.__setattr__(self, "_daily_us", sum(e - s for s, e in spans))

    @classmethod
    def parse(cls, text: str) -> WorkingHours:
        """Build from ``"08:30-12:00,14:30-17:30"`` (the form used in settings)."""
        periods = []
        for chunk in text.split(","):
            start, sep, end = chunk.partition("-")
            if not sep:
                raise ValueError(f"bad working-hours period {chunk!r}, expected HH:MM-HH:MM")
            periods.append((_parse_hhmm(start), _parse_hhmm(end)))
        return cls(tuple(periods))

    @property
    def daily(self) -> timedelta:
        return timedelta(microseconds=self._daily_us)


def _amount_to_us(amount: Amount) -> int:
    """Hours (or a timedelta) as whole microseconds; negatives and non-finite rejected."""
    if isinstance(amount, bool):
        # bool is an int subclass; True hours is certainly a caller bug.
        raise TypeError("amount must be a number of hours or a timedelta, not bool")
    if isinstance(amount, timedelta):
        us = amount // timedelta(microseconds=1)
    elif isinstance(amount, int):
        us = amount * 3_600_000_000
    elif isinstance(amount, float | Decimal):
        if isinstance(amount, float) and not math.isfinite(amount):
            raise ValueError(f"amount must be finite, got {amount!r}")
        value = Decimal(amount)  # exact for floats, so rounding happens only once
        if not value.is_finite():
            raise ValueError(f"amount must be finite, got {amount!r}")
        us = int((value * _US_PER_HOUR).to_integral_value(rounding=ROUND_HALF_EVEN))
    else:
        raise TypeError(f"amount must be hours or a timedelta, got {type(amount).__name__}")
    if us < 0:
        raise ValueError(f"amount must not be negative, got {amount!r}")
    return us


class WorkCalendar:
    """China's working calendar with administrator overrides; see the module docstring.

    ``overrides`` maps a date to ``(is_working, name)`` and wins over the package.
    ``complete_years`` lists years beyond the package whose full official schedule the
    administrators have entered as overrides; there, days without an override follow the
    weekend rule *authoritatively* (not provisional).
    """

    def __init__(
        self,
        overrides: Mapping[date, tuple[bool, str | None]] | None = None,
        tz: tzinfo = SHANGHAI,
        complete_years: Iterable[int] = (),
    ) -> None:
        self.tz = tz
        self._overrides: dict[date, tuple[bool, str | None]] = {}
        for d, (is_working, name) in (overrides or {}).items():
            if isinstance(d, datetime) or not isinstance(d, date):
                raise TypeError(f"override keys must be dates, got {d!r}")
            self._overrides[d] = (bool(is_working), name or None)
        self._complete_years = frozenset(complete_years)
        self._cache: dict[date, DayInfo] = {}

    # -- days -----------------------------------------------------------------

    def known_year(self, year: int) -> bool:
        """Whether the year's official schedule is known (package or declared complete)."""
        return year in PACKAGE_YEARS or year in self._complete_years

    def day(self, d: date) -> DayInfo:
        if isinstance(d, datetime):
            # A datetime here usually means a forgotten time-zone conversion.
            raise TypeError("day() takes a date; convert datetimes to the calendar zone first")
        info = self._cache.get(d)
        if info is None:
            info = self._cache[d] = self._resolve(d)
        return info

    def _resolve(self, d: date) -> DayInfo:
        override = self._overrides.get(d)
        if override is not None:
            return DayInfo(d, override[0], override[1], "override", False)
        weekday = d.weekday() < 5
        if d.year in PACKAGE_YEARS:
            # Same rule as chinese_calendar.is_workday, without its per-call validation.
            if d in chinese_calendar.workdays:
                return DayInfo(d, True, self._name(chinese_calendar.workdays[d]), "package", False)
            if d in chinese_calendar.holidays:
                return DayInfo(d, False, self._name(chinese_calendar.holidays[d]), "package", False)
            return DayInfo(d, weekday, None, "package", False)
        return DayInfo(d, weekday, None, "weekend_rule", not self.known_year(d.year))

    @staticmethod
    def _name(package_value: str) -> str:
        return _CHINESE_NAMES.get(package_value, package_value)

    def is_working_day(self, d: date) -> bool:
        return self.day(d).is_working

    def year_summary(self, year: int) -> list[DayInfo]:
        """The year's special days, sorted: every override, every named package day
        (a holiday block including its weekend days, and make-up working days), and any
        other day whose status differs from the weekend rule. For an unknown year
        without overrides the list is empty; check ``known_year``."""
        result = []
        d = date(year, 1, 1)
        while d.year == year:
            info = self.day(d)
            if (
                info.source == "override"
                or info.name is not None
                or info.is_working != (d.weekday() < 5)
            ):
                result.append(info)
            d += _ONE_DAY
        return result

    # -- deadlines ------------------------------------------------------------

    def _localize(self, moment: datetime) -> datetime:
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError(f"datetime must be timezone-aware, got naive {moment!r}")
        return moment.astimezone(self.tz)

    def add_working_days(self, start: datetime, days: int) -> Due:
        if isinstance(days, bool) or not isinstance(days, int):
            raise TypeError(f"days must be an int, got {days!r}")
        if days < 0:
            raise ValueError(f"days must not be negative, got {days}")
        local = self._localize(start)
        if days == 0:
            return Due(local, False)
        d = local.date()
        clock = local.time()
        info = self.day(d)
        provisional = info.provisional
        if not info.is_working:
            # Received on a rest day: counts as received at 00:00 of the next working day.
            clock = time(0)
            while True:
                d += _ONE_DAY
                info = self.day(d)
                provisional = provisional or info.provisional
                if info.is_working:
                    break
        remaining = days
        while remaining:
            d += _ONE_DAY
            info = self.day(d)
            provisional = provisional or info.provisional
            if info.is_working:
                remaining -= 1
        return Due(datetime.combine(d, clock, tzinfo=self.tz), provisional)

    def add_working_hours(self, start: datetime, hours: Amount, working_hours: WorkingHours) -> Due:
        remaining = _amount_to_us(hours)
        local = self._localize(start)
        if remaining == 0:
            return Due(local, False)
        spans = working_hours._spans
        daily = working_hours._daily_us
        last_end = spans[-1][1]
        d = local.date()
        pos = _us_of_day(local.time())
        provisional = False
        while True:
            if pos < last_end:  # otherwise this date cannot contribute: do not consult it
                info = self.day(d)
                provisional = provisional or info.provisional
                if info.is_working:
                    # Whole-day fast path; strict '>' leaves an exact fit to the loop
                    # below so that the deadline lands on the period end.
                    if pos == 0 and remaining > daily:
                        remaining -= daily
                    else:
                        for s, e in spans:
                            if e <= pos:
                                continue
                            begin = max(s, pos)
                            available = e - begin
                            if remaining <= available:
                                at = datetime.combine(
                                    d, _time_of_us(begin + remaining), tzinfo=self.tz
                                )
                                return Due(at, provisional)
                            remaining -= available
            d += _ONE_DAY
            pos = 0

    def add_hours(self, start: datetime, hours: Amount) -> Due:
        """Natural (elapsed) hours, e.g. emergency tickets; never provisional."""
        delta = timedelta(microseconds=_amount_to_us(hours))
        self._localize(start)  # validates awareness
        # Aware '+' is wall-clock arithmetic; go through UTC so elapsed time is exact.
        return Due((start.astimezone(UTC) + delta).astimezone(self.tz), False)

    def working_time_between(
        self, start: datetime, end: datetime, working_hours: WorkingHours
    ) -> timedelta:
        """Working time in ``[start, end]`` (e.g. handling time for statistics)."""
        a = self._localize(start)
        b = self._localize(end)
        if b < a:
            raise ValueError(f"end {end} is before start {start}")
        spans = working_hours._spans
        daily = working_hours._daily_us
        first, last = a.date(), b.date()
        total = 0
        d = first
        while d <= last:
            lo = _us_of_day(a.time()) if d == first else 0
            hi = _us_of_day(b.time()) if d == last else _US_PER_DAY
            if lo < hi and self.day(d).is_working:
                if lo == 0 and hi == _US_PER_DAY:
                    total += daily
                else:
                    for s, e in spans:
                        overlap = min(e, hi) - max(s, lo)
                        if overlap > 0:
                            total += overlap
            d += _ONE_DAY
        return timedelta(microseconds=total)
