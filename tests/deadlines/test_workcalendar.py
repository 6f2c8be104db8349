"""Tests for minsheng.deadlines.workcalendar (pure Python, no Django needed)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minsheng.deadlines.workcalendar import (
    PACKAGE_YEARS,
    SHANGHAI,
    DayInfo,
    DayOverride,
    WorkCalendar,
    WorkingHours,
)

OFFICE = WorkingHours(((time(8, 30), time(12, 0)), (time(14, 30), time(17, 30))))
CAL = WorkCalendar()


def sh(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=SHANGHAI)


# -- package coverage and day resolution --------------------------------------


def test_package_years_are_2004_to_2026() -> None:
    # chinesecalendar 1.11.0; a package upgrade should extend this, not shrink it.
    assert PACKAGE_YEARS.start == 2004
    assert PACKAGE_YEARS[-1] >= 2026


def test_agrees_with_package_for_every_known_day() -> None:
    d = date(PACKAGE_YEARS.start, 1, 1)
    end = date(PACKAGE_YEARS[-1], 12, 31)
    while d <= end:
        assert CAL.is_working_day(d) == chinese_calendar.is_workday(d), d
        d += timedelta(days=1)


def test_day_info_sources() -> None:
    assert CAL.day(date(2026, 10, 1)) == DayInfo(
        date(2026, 10, 1), False, "国庆节", "package", False
    )
    # 2026-10-10 is a Saturday make-up working day for National Day.
    makeup = CAL.day(date(2026, 10, 10))
    assert makeup.is_working and makeup.is_weekend and makeup.name == "国庆节"
    assert CAL.day(date(2026, 6, 10)) == DayInfo(date(2026, 6, 10), True, None, "package", False)
    # 2027-01-01 (Friday): the package does not know 2027 yet, so the weekend rule
    # says "working" -- almost certainly wrong (元旦), hence provisional.
    assert CAL.day(date(2027, 1, 1)) == DayInfo(date(2027, 1, 1), True, None, "weekend_rule", True)
    assert CAL.day(date(2003, 1, 4)).provisional  # before the package's first year


def test_override_wins_over_package_and_weekend_rule() -> None:
    cal = WorkCalendar(
        {
            date(2026, 10, 1): (True, "演练"),
            date(2027, 1, 1): DayOverride(False, "元旦"),
            date(2027, 1, 4): (True, ""),
        }
    )
    assert cal.day(date(2026, 10, 1)) == DayInfo(date(2026, 10, 1), True, "演练", "override", False)
    assert cal.day(date(2027, 1, 1)) == DayInfo(date(2027, 1, 1), False, "元旦", "override", False)
    assert cal.day(date(2027, 1, 4)).name is None  # empty name normalised


def test_known_year() -> None:
    assert CAL.known_year(2004) and CAL.known_year(2026)
    assert not CAL.known_year(2003) and not CAL.known_year(2027)
    cal = WorkCalendar(complete_years=[2027])
    assert cal.known_year(2027)
    assert cal.day(date(2027, 1, 4)) == DayInfo(date(2027, 1, 4), True, None, "weekend_rule", False)


def test_rejects_bad_day_arguments() -> None:
    with pytest.raises(TypeError):
        CAL.day(datetime(2026, 1, 1, tzinfo=SHANGHAI))
    with pytest.raises(TypeError):
        WorkCalendar({datetime(2026, 1, 1): (False, "x")})


def test_year_summary_2026() -> None:
    summary = CAL.year_summary(2026)
    dates = [info.date for info in summary]
    assert dates == sorted(dates)
    # 33 package holidays (including their weekend days) + 6 make-up working days.
    assert len(summary) == 39
    by_date = {info.date: info for info in summary}
    assert by_date[date(2026, 9, 20)].is_working  # Sunday make-up day
    assert by_date[date(2026, 10, 10)].is_working  # Saturday make-up day
    assert all(not by_date[date(2026, 10, d)].is_working for d in range(1, 8))
    assert date(2026, 10, 8) not in by_date  # ordinary Thursday


def test_year_summary_includes_overrides_and_is_empty_for_unknown_year() -> None:
    assert CAL.year_summary(2027) == []
    cal = WorkCalendar({date(2027, 1, 1): (False, "元旦"), date(2026, 6, 10): (True, "确认")})
    assert [i.date for i in cal.year_summary(2027)] == [date(2027, 1, 1)]
    # An override that agrees with the default is still listed: admins entered it.
    assert date(2026, 6, 10) in {i.date for i in cal.year_summary(2026)}


# -- add_working_days -----------------------------------------------------------


def test_national_day_2026_acceptance() -> None:
    # Dispatched Wed 2026-09-30 17:00 (the day before National Day), 7 working days.
    # Package data for 2026: Oct 1 (Thu) .. Oct 7 (Wed) are 国庆节 rest days and
    # Sat Oct 10 is a make-up working day; Sun Oct 11 is an ordinary rest day.
    # Receipt day not counted, so the working days are:
    #   1 = Thu Oct 8, 2 = Fri Oct 9, 3 = Sat Oct 10 (调休上班), 4 = Mon Oct 12,
    #   5 = Tue Oct 13, 6 = Wed Oct 14, 7 = Thu Oct 15  -> same clock time, 17:00.
    due = CAL.add_working_days(sh(2026, 9, 30, 17), 7)
    assert due.at == datetime(2026, 10, 15, 17, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert due.at.isoformat() == "2026-10-15T17:00:00+08:00"
    assert not due.provisional


def test_working_days_basic_rules() -> None:
    assert CAL.add_working_days(sh(2026, 6, 10, 17), 1).at == sh(2026, 6, 11, 17)
    # Friday + 1 skips the weekend.
    assert CAL.add_working_days(sh(2026, 6, 12, 17), 1).at == sh(2026, 6, 15, 17)
    # Saturday receipt: treated as Monday 00:00, Monday counts in full.
    assert CAL.add_working_days(sh(2026, 6, 13, 10), 1).at == sh(2026, 6, 16, 0)
    # Received on the Dragon Boat holiday (Fri Jun 19): Mon Jun 22 00:00 + 2.
    assert CAL.add_working_days(sh(2026, 6, 19, 9), 2).at == sh(2026, 6, 24, 0)
    # Sunday 2026-09-20 is a make-up working day: a ticket received then counts normally.
    assert CAL.add_working_days(sh(2026, 9, 20, 9), 1).at == sh(2026, 9, 21, 9)


def test_working_days_zero_returns_start() -> None:
    start = sh(2026, 6, 13, 10)  # even on a rest day
    assert CAL.add_working_days(start, 0).at == start
    assert not CAL.add_working_days(start, 0).provisional


def test_working_days_output_in_calendar_zone() -> None:
    start = datetime(2026, 6, 10, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
    due = CAL.add_working_days(start, 1)
    assert due.at == sh(2026, 6, 11, 9)
    assert due.at.tzinfo is SHANGHAI
    assert due.at.utcoffset() == timedelta(hours=8)


def test_working_days_into_unknown_year_is_provisional() -> None:
    # Mon 2026-12-28 09:00 + 7: Dec 29, 30, 31 (1-3), then 2027 by weekend rule only:
    # Fri Jan 1 (4, surely 元旦 really), Mon Jan 4 (5), Tue Jan 5 (6), Wed Jan 6 (7).
    due = CAL.add_working_days(sh(2026, 12, 28, 9), 7)
    assert due.at == sh(2027, 1, 6, 9)
    assert due.provisional
    # Staying inside 2026 is not provisional.
    assert not CAL.add_working_days(sh(2026, 12, 28, 9), 3).provisional


def test_override_in_unknown_year_moves_deadline() -> None:
    cal = WorkCalendar({date(2027, 1, 1): (False, "元旦")})
    due = cal.add_working_days(sh(2026, 12, 28, 9), 7)
    assert due.at == sh(2027, 1, 7, 9)
    # Jan 2-7 were still answered by the weekend rule.
    assert due.provisional


def test_not_provisional_when_every_unknown_day_used_is_overridden() -> None:
    overrides = {
        date(2027, 1, 1): (False, "元旦"),
        date(2027, 1, 2): (False, "元旦"),
        date(2027, 1, 3): (False, "元旦"),
        date(2027, 1, 4): (True, "确认上班"),
    }
    cal = WorkCalendar(overrides)
    # Wed Dec 30 + 2: Thu Dec 31 (1), Jan 1-3 rest (overrides), Mon Jan 4 (2, override).
    due = cal.add_working_days(sh(2026, 12, 30, 9), 2)
    assert due.at == sh(2027, 1, 4, 9)
    assert not due.provisional
    # One day further reaches Jan 5, which nobody entered: provisional again.
    assert cal.add_working_days(sh(2026, 12, 30, 9), 3).provisional


def test_rest_days_skipped_before_counting_are_consulted() -> None:
    # Received on an admin-entered holiday; Sat/Sun Jan 2-3 are skipped while looking for
    # the next working day, but they might be make-up working days in 2027: provisional.
    cal = WorkCalendar(
        {
            date(2027, 1, 1): (False, "元旦"),
            date(2027, 1, 4): (True, "确认上班"),
            date(2027, 1, 5): (True, "确认上班"),
        }
    )
    due = cal.add_working_days(sh(2027, 1, 1, 10), 1)
    assert due.at == sh(2027, 1, 5, 0)
    assert due.provisional


def test_complete_year_is_not_provisional() -> None:
    cal = WorkCalendar({date(2027, 1, 1): (False, "元旦")}, complete_years=[2027])
    due = cal.add_working_days(sh(2026, 12, 28, 9), 7)
    assert due.at == sh(2027, 1, 7, 9)
    assert not due.provisional


def test_override_holiday_on_known_weekday_moves_deadline() -> None:
    cal = WorkCalendar({date(2026, 6, 11): (False, "防汛停工")})
    assert CAL.add_working_days(sh(2026, 6, 10, 10), 1).at == sh(2026, 6, 11, 10)
    due = cal.add_working_days(sh(2026, 6, 10, 10), 1)
    assert due.at == sh(2026, 6, 12, 10)
    assert not due.provisional
    # And the opposite: an override making Saturday a working day.
    cal = WorkCalendar({date(2026, 6, 13): (True, "调休上班")})
    assert cal.add_working_days(sh(2026, 6, 12, 10), 1).at == sh(2026, 6, 13, 10)


def test_working_days_argument_validation() -> None:
    with pytest.raises(ValueError, match="aware"):
        CAL.add_working_days(datetime(2026, 6, 10, 9), 1)
    with pytest.raises(ValueError):
        CAL.add_working_days(sh(2026, 6, 10), -1)
    with pytest.raises(TypeError):
        CAL.add_working_days(sh(2026, 6, 10), 1.5)  # type: ignore[arg-type]


# -- add_working_hours ------------------------------------------------------------

# Week of Mon 2026-06-08 .. Fri 2026-06-12 is an ordinary week (6.5 h per day).


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        pytest.param(sh(2026, 6, 8, 9), 2, sh(2026, 6, 8, 11), id="inside-morning"),
        pytest.param(sh(2026, 6, 8, 11), 2, sh(2026, 6, 8, 15, 30), id="across-lunch"),
        pytest.param(sh(2026, 6, 8, 12, 30), 1, sh(2026, 6, 8, 15, 30), id="in-lunch-gap"),
        pytest.param(sh(2026, 6, 8, 7), 1, sh(2026, 6, 8, 9, 30), id="before-opening"),
        pytest.param(sh(2026, 6, 8, 18), 1, sh(2026, 6, 9, 9, 30), id="after-closing"),
        pytest.param(sh(2026, 6, 8, 17, 30), 0.5, sh(2026, 6, 9, 9), id="at-closing"),
        pytest.param(sh(2026, 6, 8, 14, 30), 3, sh(2026, 6, 8, 17, 30), id="ends-at-closing"),
        pytest.param(sh(2026, 6, 8, 8, 30), 6.5, sh(2026, 6, 8, 17, 30), id="full-day"),
        pytest.param(sh(2026, 6, 8, 0, 0), 6.5, sh(2026, 6, 8, 17, 30), id="full-day-midnight"),
        pytest.param(sh(2026, 6, 13, 10), 13, sh(2026, 6, 16, 17, 30), id="two-days-from-rest-day"),
        pytest.param(sh(2026, 6, 8, 9), 3, sh(2026, 6, 8, 12), id="ends-at-noon"),
        pytest.param(sh(2026, 6, 13, 10), 1, sh(2026, 6, 15, 9, 30), id="rest-day"),
        # Mon 10:00-12:00 (2) + 14:30-17:30 (3) + Tue 6.5 + Wed 6.5 = 18; Thu 08:30 + 2.
        pytest.param(sh(2026, 6, 8, 10), 20, sh(2026, 6, 11, 10, 30), id="several-days"),
        # Thu Jun 18 16:30-17:30 (1); Fri Jun 19 端午 and the weekend; Mon Jun 22 + 1.
        pytest.param(sh(2026, 6, 18, 16, 30), 2, sh(2026, 6, 22, 9, 30), id="dragon-boat"),
        # Wed Sep 30 15:00-17:30 (2.5); Oct 1-7 国庆节; Thu Oct 8 08:30-12:00 (3.5) + 2.
        pytest.param(sh(2026, 9, 30, 15), 8, sh(2026, 10, 8, 16, 30), id="national-day"),
        # Fri Oct 9 16:30-17:30 (1); Sat Oct 10 is a make-up working day.
        pytest.param(sh(2026, 10, 9, 16, 30), 2, sh(2026, 10, 10, 9, 30), id="makeup-saturday"),
        pytest.param(sh(2026, 6, 8, 9), Decimal("0.25"), sh(2026, 6, 8, 9, 15), id="decimal"),
        pytest.param(
            sh(2026, 6, 8, 11, 30), timedelta(minutes=45), sh(2026, 6, 8, 14, 45), id="timedelta"
        ),
        pytest.param(sh(2026, 6, 8, 12, 30), 0, sh(2026, 6, 8, 12, 30), id="zero-in-gap"),
    ],
)
def test_add_working_hours(
    start: datetime, hours: int | float | Decimal | timedelta, expected: datetime
) -> None:
    due = CAL.add_working_hours(start, hours, OFFICE)
    assert due.at == expected
    assert due.at.tzinfo is SHANGHAI
    assert not due.provisional


def test_working_hours_from_utc_input() -> None:
    due = CAL.add_working_hours(datetime(2026, 6, 8, 1, 0, tzinfo=UTC), 1, OFFICE)
    assert due.at == sh(2026, 6, 8, 10)


def test_working_hours_200_hours() -> None:
    # 200 h = 30 full days (195 h) + 5 h. From Mon 2026-06-01 08:30 the 30 working days
    # are Jun 1-18 (14, since Jun 19 端午) and Jun 22 - Jul 13 (16); Jul 14: 3.5 + 1.5.
    due = CAL.add_working_hours(sh(2026, 6, 1, 8, 30), 200, OFFICE)
    assert due.at == sh(2026, 7, 14, 16)


def test_working_hours_into_unknown_year() -> None:
    # Thu Dec 31 17:00-17:30 (0.5); Fri 2027-01-01 by weekend rule: 08:30 + 1.5.
    due = CAL.add_working_hours(sh(2026, 12, 31, 17), 2, OFFICE)
    assert due.at == sh(2027, 1, 1, 10)
    assert due.provisional
    # Ending exactly at 17:30 on Dec 31 never looks at 2027.
    assert not CAL.add_working_hours(sh(2026, 12, 31, 17), 0.5, OFFICE).provisional
    cal = WorkCalendar({date(2027, 1, 1): (False, "元旦")})
    moved = cal.add_working_hours(sh(2026, 12, 31, 17), 2, OFFICE)
    assert moved.at == sh(2027, 1, 4, 10)  # weekend of Jan 2-3 still by weekend rule
    assert moved.provisional


def test_working_hours_start_after_closing_does_not_consult_that_day() -> None:
    # Thu 2026-12-31 18:00 + 1 h: Dec 31 cannot contribute, Fri 2027-01-01 09:30.
    assert CAL.add_working_hours(sh(2026, 12, 31, 18), 1, OFFICE).provisional
    # With 2027-01-01 confirmed by an administrator, nothing provisional was consulted.
    cal = WorkCalendar({date(2027, 1, 1): (True, "确认上班")})
    due = cal.add_working_hours(sh(2026, 12, 31, 18), 1, OFFICE)
    assert due.at == sh(2027, 1, 1, 9, 30)
    assert not due.provisional
    # Sun 2027-01-03 is not consulted from 18:00 on, but Mon Jan 4 is.
    assert cal.add_working_hours(sh(2027, 1, 3, 18), 1, OFFICE).provisional
    cal = WorkCalendar({date(2027, 1, 4): (True, "确认上班")})
    due = cal.add_working_hours(sh(2027, 1, 3, 18), 1, OFFICE)
    assert due.at == sh(2027, 1, 4, 9, 30)
    assert not due.provisional


def test_working_hours_validation() -> None:
    with pytest.raises(ValueError, match="aware"):
        CAL.add_working_hours(datetime(2026, 6, 8, 9), 1, OFFICE)
    with pytest.raises(ValueError):
        CAL.add_working_hours(sh(2026, 6, 8, 9), -1, OFFICE)
    with pytest.raises(ValueError):
        CAL.add_working_hours(sh(2026, 6, 8, 9), float("nan"), OFFICE)
    with pytest.raises(ValueError):
        CAL.add_working_hours(sh(2026, 6, 8, 9), Decimal("Infinity"), OFFICE)
    with pytest.raises(TypeError):
        CAL.add_working_hours(sh(2026, 6, 8, 9), True, OFFICE)
    with pytest.raises(TypeError):
        CAL.add_working_hours(sh(2026, 6, 8, 9), "1", OFFICE)  # type: ignore[arg-type]


def test_working_hours_definition_is_validated() -> None:
    with pytest.raises(ValueError):
        WorkingHours(())
    with pytest.raises(ValueError):
        WorkingHours(((time(12), time(8)),))
    with pytest.raises(ValueError):
        WorkingHours(((time(8), time(12)), (time(11), time(17))))
    with pytest.raises(ValueError):
        WorkingHours(((time(14), time(17)), (time(8), time(12))))
    with pytest.raises(ValueError):
        WorkingHours(((time(8, tzinfo=UTC), time(12)),))
    # Touching periods are allowed.
    assert WorkingHours(((time(8), time(12)), (time(12), time(17)))).daily == timedelta(hours=9)


def test_working_hours_parse() -> None:
    assert WorkingHours.parse("08:30-12:00, 14:30-17:30") == OFFICE
    assert OFFICE.daily == timedelta(hours=6, minutes=30)
    with pytest.raises(ValueError):
        WorkingHours.parse("08:30")


# -- add_hours and working_time_between -----------------------------------------------


def test_add_hours_is_natural_time() -> None:
    due = CAL.add_hours(sh(2026, 9, 30, 17), 24)
    assert due.at == sh(2026, 10, 1, 17)  # holidays do not matter for emergencies
    assert not due.provisional
    assert CAL.add_hours(sh(2026, 12, 31, 23), Decimal("1.5")).at == sh(2027, 1, 1, 0, 30)
    assert not CAL.add_hours(sh(2026, 12, 31, 23), 48).provisional
    utc_due = CAL.add_hours(datetime(2026, 6, 8, 0, 0, tzinfo=UTC), 2)
    assert utc_due.at == sh(2026, 6, 8, 10) and utc_due.at.tzinfo is SHANGHAI
    with pytest.raises(ValueError):
        CAL.add_hours(datetime(2026, 6, 8), 2)
    with pytest.raises(ValueError):
        CAL.add_hours(sh(2026, 6, 8), -2)


def test_working_time_between() -> None:
    assert CAL.working_time_between(sh(2026, 6, 8, 9), sh(2026, 6, 8, 15), OFFICE) == timedelta(
        hours=3, minutes=30
    )
    # Fri 16:00 -> Mon 09:00: 1.5 h on Friday + 0.5 h on Monday; the weekend adds nothing.
    assert CAL.working_time_between(sh(2026, 6, 12, 16), sh(2026, 6, 15, 9), OFFICE) == timedelta(
        hours=2
    )
    # The whole National Day week (Wed Sep 30 00:00 -> Sat Oct 10 00:00): Sep 30, Oct 8, 9.
    assert CAL.working_time_between(sh(2026, 9, 30), sh(2026, 10, 10), OFFICE) == timedelta(
        hours=19, minutes=30
    )
    assert CAL.working_time_between(sh(2026, 6, 8, 9), sh(2026, 6, 8, 9), OFFICE) == timedelta(0)
    with pytest.raises(ValueError):
        CAL.working_time_between(sh(2026, 6, 8, 10), sh(2026, 6, 8, 9), OFFICE)
    with pytest.raises(ValueError):
        CAL.working_time_between(datetime(2026, 6, 8, 9), sh(2026, 6, 8, 10), OFFICE)


# -- properties -------------------------------------------------------------------------

# Fixed offsets only: inter-zone == is always False for fold-ambiguous DST times (PEP 495).
ZONES = st.sampled_from([SHANGHAI, UTC, timezone(timedelta(hours=-5))])
# 2025-2027 crosses the known/unknown boundary at 2026/2027.
starts = st.datetimes(
    min_value=datetime(2025, 6, 1), max_value=datetime(2027, 6, 30), timezones=ZONES
)
overrides = st.dictionaries(
    st.dates(min_value=date(2025, 6, 1), max_value=date(2027, 12, 31)),
    st.tuples(st.booleans(), st.sampled_from(["", "临时调整"])),
    max_size=15,
)
durations = st.integers(min_value=0, max_value=250 * 3600 * 10**6).map(
    lambda us: timedelta(microseconds=us)
)


@st.composite
def working_hours(draw: st.DrawFn) -> WorkingHours:
    minutes = sorted(draw(st.lists(st.integers(0, 1439), min_size=2, max_size=6, unique=True)))
    points = [time(m // 60, m % 60) for m in minutes[: len(minutes) // 2 * 2]]
    return WorkingHours(tuple(zip(points[::2], points[1::2], strict=True)))


def _dates(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


@settings(max_examples=300, deadline=None)
@given(start=starts, n=st.integers(0, 40), extra=st.integers(0, 10), ov=overrides)
def test_prop_working_days(start: datetime, n: int, extra: int, ov: dict) -> None:
    cal = WorkCalendar(ov)
    due = cal.add_working_days(start, n)
    assert due.at >= start
    assert due.at <= cal.add_working_days(start, n + extra).at  # monotone in n
    if n == 0:
        assert due.at == start
        return
    local = start.astimezone(SHANGHAI)
    assert cal.is_working_day(due.at.date())
    if cal.is_working_day(local.date()):
        assert due.at.time() == local.time()
        counted = [d for d in _dates(local.date(), due.at.date())[1:] if cal.is_working_day(d)]
    else:
        assert due.at.time() == time(0)
        counted = [d for d in _dates(local.date(), due.at.date()) if cal.is_working_day(d)][1:]
    assert len(counted) == n
    # Provisional exactly when a consulted day (start date .. result date) is.
    consulted = _dates(local.date(), due.at.date())
    assert due.provisional == any(cal.day(d).provisional for d in consulted)


@settings(max_examples=200, deadline=None)
@given(a=starts, b=starts, n=st.integers(0, 20), ov=overrides)
def test_prop_working_days_monotone_in_start(a: datetime, b: datetime, n: int, ov: dict) -> None:
    cal = WorkCalendar(ov)
    early, late = sorted((a, b))
    assert cal.add_working_days(early, n).at <= cal.add_working_days(late, n).at


@settings(max_examples=300, deadline=None)
@given(start=starts, amount=durations, wh=st.one_of(st.just(OFFICE), working_hours()), ov=overrides)
def test_prop_working_hours_roundtrip(
    start: datetime, amount: timedelta, wh: WorkingHours, ov: dict
) -> None:
    cal = WorkCalendar(ov)
    due = cal.add_working_hours(start, amount, wh)
    assert due.at >= start
    assert cal.working_time_between(start, due.at, wh) == amount
    if amount:
        # Earliest such instant: one microsecond earlier is not enough.
        assert cal.working_time_between(start, due.at - timedelta(microseconds=1), wh) < amount
        assert cal.is_working_day(due.at.date())


@settings(max_examples=200, deadline=None)
@given(start=starts, a=durations, b=durations, wh=st.one_of(st.just(OFFICE), working_hours()))
def test_prop_working_hours_compose(
    start: datetime, a: timedelta, b: timedelta, wh: WorkingHours
) -> None:
    first = CAL.add_working_hours(start, a, wh).at
    assert CAL.add_working_hours(first, b, wh).at == CAL.add_working_hours(start, a + b, wh).at


@settings(max_examples=200, deadline=None)
@given(x=starts, y=starts, z=starts, wh=st.one_of(st.just(OFFICE), working_hours()))
def test_prop_working_time_between_is_additive(
    x: datetime, y: datetime, z: datetime, wh: WorkingHours
) -> None:
    a, b, c = sorted((x, y, z))
    assert CAL.working_time_between(a, b, wh) + CAL.working_time_between(
        b, c, wh
    ) == CAL.working_time_between(a, c, wh)
