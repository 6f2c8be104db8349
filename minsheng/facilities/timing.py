"""When rounds are due and when a missed one may raise its alarm: pure functions of a schedule,
the facility's opening hours and the working calendar (no database).

- An **interval** rule is due every N minutes within the day's window (the schedule's own
  `day_from`–`day_to`, else the opening hours; a 24-hour facility's day is 00:00–24:00): at
  window start + N, + 2N, … up to the window's end. The round is expected after the facility
  has opened, not at the moment the door opens.
- **Fixed times** are due at each time of day that falls within the opening hours.
- **Weekly** / **monthly** rules are due on the weekday (1 = Monday) / day of month at their time.
- `working_days_only`: days that are not working days by the calendar (weekends, holidays,
  with 调休 make-up days counted as working) owe nothing.

A round done within the round's window counts for it: from `grace` before the due moment
(interval and fixed times) or from the start of the due day (weekly, monthly) to `grace` after.
A missed round's alarm is due at the due moment plus the grace, but never while the facility is
closed: outside its opening hours the alarm waits for the next opening (on a working day where
the schedule keeps to working days).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

DAY = dt.timedelta(days=1)
LOOKAHEAD_DAYS = 400  # a monthly rule on working days finds its next due within this


@dataclass(frozen=True)
class Hours:
    """Opening hours: all day, or from `opens` to `closes` the same day."""

    all_day: bool = True
    opens: dt.time | None = None
    closes: dt.time | None = None

    def window(self, day: dt.date, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
        if self.all_day or self.opens is None or self.closes is None:
            start = dt.datetime.combine(day, dt.time(), tz)
            return start, dt.datetime.combine(day + DAY, dt.time(), tz)
        return dt.datetime.combine(day, self.opens, tz), dt.datetime.combine(day, self.closes, tz)

    def is_open(self, moment: dt.datetime, tz: ZoneInfo) -> bool:
        if self.all_day or self.opens is None or self.closes is None:
            return True
        local = moment.astimezone(tz)
        start, end = self.window(local.date(), tz)
        return start <= local < end


@dataclass(frozen=True)
class Spec:
    """A schedule's rule, as plain values."""

    rule: str  # interval | times | weekly | monthly
    every_minutes: int | None = None
    times: tuple[dt.time, ...] = ()
    weekday: int | None = None  # 1..7
    monthday: int | None = None  # 1..28
    day_from: dt.time | None = None
    day_to: dt.time | None = None
    working_days_only: bool = False


DayTest = Callable[[dt.date], bool]


def parse_times(text: str) -> tuple[dt.time, ...]:
    """ "08:00,12:00 17:30" → sorted distinct times; ValueError on anything else."""
    found: set[dt.time] = set()
    for part in text.replace("，", ",").replace("、", ",").replace(" ", ",").split(","):
        part = part.strip().replace("：", ":")
        if not part:
            continue
        hours, sep, minutes = part.partition(":")
        if not (sep and hours.isascii() and hours.isdigit() and minutes.isascii()):
            raise ValueError(part)
        if not (minutes.isdigit() and len(minutes) == 2 and len(hours) <= 2):
            raise ValueError(part)
        found.add(dt.time(int(hours), int(minutes)))
    return tuple(sorted(found))


def dues_on(spec: Spec, hours: Hours, day: dt.date, tz: ZoneInfo) -> list[dt.datetime]:
    """The rounds due on `day` (local), in order."""
    start, end = hours.window(day, tz)
    if spec.rule == "interval":
        step = dt.timedelta(minutes=max(1, spec.every_minutes or 60))
        if spec.day_from is not None:
            start = max(start, dt.datetime.combine(day, spec.day_from, tz))
        if spec.day_to is not None:
            end = min(end, dt.datetime.combine(day, spec.day_to, tz))
        found: list[dt.datetime] = []
        moment = start + step
        while moment <= end:
            found.append(moment)
            moment += step
        return found
    if spec.rule == "times":
        moments = (dt.datetime.combine(day, t, tz) for t in spec.times)
        return [m for m in moments if start <= m <= end]
    at = spec.times[0] if spec.times else dt.time(9, 0)
    if spec.rule == "weekly" and day.isoweekday() != (spec.weekday or 1):
        return []
    if spec.rule == "monthly" and day.day != (spec.monthday or 1):
        return []
    return [dt.datetime.combine(day, at, tz)]


def next_due(
    spec: Spec, hours: Hours, after: dt.datetime, tz: ZoneInfo, working_day: DayTest
) -> dt.datetime | None:
    """The first round due strictly after `after`, or None within LOOKAHEAD_DAYS."""
    day = after.astimezone(tz).date()
    for _ in range(LOOKAHEAD_DAYS):
        if not spec.working_days_only or working_day(day):
            for moment in dues_on(spec, hours, day, tz):
                if moment > after:
                    return moment
        day += DAY
    return None


def round_window(
    spec: Spec, due: dt.datetime, grace: dt.timedelta, tz: ZoneInfo
) -> tuple[dt.datetime, dt.datetime]:
    """The rounds done between these moments (inclusive) count for the round due at `due`."""
    if spec.rule in ("weekly", "monthly"):
        local = due.astimezone(tz)
        return dt.datetime.combine(local.date(), dt.time(), tz), due + grace
    return due - grace, due + grace


def alarm_at(
    spec: Spec,
    hours: Hours,
    due: dt.datetime,
    grace: dt.timedelta,
    tz: ZoneInfo,
    working_day: DayTest,
) -> dt.datetime:
    """When a round due at `due`, if not done, raises its alarm: the due moment plus the grace
    if the facility is open then, else its next opening (never at night, never closed)."""
    moment = due + grace
    if hours.is_open(moment, tz) and (
        not spec.working_days_only or working_day(moment.astimezone(tz).date())
    ):
        return moment
    day = moment.astimezone(tz).date()
    for _ in range(LOOKAHEAD_DAYS):
        if not spec.working_days_only or working_day(day):
            start, end = hours.window(day, tz)
            if start > moment:
                return start
        day += DAY
    return moment
