"""The upkeep clock: a missed round raises its alarm at the right working time — the due moment
plus the grace while the facility is open, at its next opening when it is closed then, never
while closed for repair, on working days only where the schedule says so — and once only."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.test import override_settings

from minsheng.facilities.clock import sweep_schedules, sweep_schedules_until_done
from minsheng.facilities.models import MissedRound, Round, Schedule, Status
from minsheng.facilities.services import ScheduleInput, schedule_save
from minsheng.facilities.services.registry import FacilityInput, facility_update
from minsheng.notify.models import Message
from minsheng.worker.loop import check_facility_rounds
from tests.facilities.helpers import at, make_area, toilet

pytestmark = pytest.mark.django_db
MONDAY = dt.date(2026, 12, 7)
FRIDAY = dt.date(2026, 12, 4)


def _times(area, facility, times: str, now: dt.datetime, **extra):  # type: ignore[no-untyped-def]
    return schedule_save(
        actor=area.admin,
        facility=facility,
        data=ScheduleInput(kind="cleaning", rule="times", times=times, **extra),
        now=now,
    )


def _log(area, facility, when: dt.datetime) -> None:  # type: ignore[no-untyped-def]
    Round.objects.create(
        facility=facility,
        schedule=facility.schedules.first(),
        kind="cleaning",
        done_at=when,
        done_by=area.keeper,
        form_token=uuid.uuid4(),
    )


@override_settings(MINSHENG_FACILITY_ROUND_GRACE_MINUTES=30)
def test_a_missed_cleaning_round_alarms_after_the_grace_and_once_only() -> None:
    area = make_area()
    facility = toilet(area)
    schedule = _times(area, facility, "10:00", at(MONDAY, 8))
    assert schedule.next_due_at == at(MONDAY, 10) and schedule.check_at == at(MONDAY, 10, 30)

    assert sweep_schedules(now=at(MONDAY, 10, 29)).schedules == 0  # not yet: within the grace
    assert not MissedRound.objects.exists()

    result = sweep_schedules(now=at(MONDAY, 10, 31))
    assert (result.schedules, result.alarms) == (1, 1)
    missed = MissedRound.objects.get()
    assert missed.due_at == at(MONDAY, 10) and missed.facility_id == facility.pk
    message = Message.objects.get(user=area.keeper)
    assert "孙口镇政府东公厕" in message.title and "10:00" in message.body
    assert message.url == f"/facilities/{facility.pk}/"

    # Once only: the schedule moved on to tomorrow's round, and sweeping again raises nothing.
    schedule.refresh_from_db()
    assert schedule.next_due_at == at(MONDAY + dt.timedelta(days=1), 10)
    assert sweep_schedules(now=at(MONDAY, 11)).schedules == 0
    Schedule.objects.filter(pk=schedule.pk).update(  # even a clock set back raises no second
        next_due_at=at(MONDAY, 10), check_at=at(MONDAY, 10, 30)
    )
    assert check_facility_rounds(now=at(MONDAY, 11)) == 1
    assert MissedRound.objects.count() == 1
    assert Message.objects.filter(user=area.keeper).count() == 1


@override_settings(MINSHENG_FACILITY_ROUND_GRACE_MINUTES=30)
def test_a_round_logged_within_the_window_raises_nothing() -> None:
    area = make_area()
    facility = toilet(area)
    _times(area, facility, "10:00,15:00", at(MONDAY, 8))
    _log(area, facility, at(MONDAY, 10, 12))
    assert sweep_schedules(now=at(MONDAY, 10, 31)).alarms == 0
    # The 15:00 round is not done: its alarm comes at 15:30.
    assert sweep_schedules(now=at(MONDAY, 15, 29)).schedules == 0
    assert sweep_schedules(now=at(MONDAY, 15, 30)).alarms == 1
    assert list(MissedRound.objects.values_list("due_at", flat=True)) == [at(MONDAY, 15)]


@override_settings(MINSHENG_FACILITY_ROUND_GRACE_MINUTES=30)
def test_never_at_night_when_closed_the_alarm_waits_for_the_next_opening() -> None:
    area = make_area()
    facility = toilet(area)  # open 06:00–22:00
    schedule = _times(area, facility, "21:50", at(MONDAY, 8))
    # 21:50 + 30 min is 22:20, after closing: the alarm is for 06:00 the next morning.
    assert schedule.check_at == at(MONDAY + dt.timedelta(days=1), 6)
    assert sweep_schedules(now=at(MONDAY, 23, 59)).schedules == 0
    assert sweep_schedules(now=at(MONDAY + dt.timedelta(days=1), 5, 59)).schedules == 0
    assert sweep_schedules(now=at(MONDAY + dt.timedelta(days=1), 6, 1)).alarms == 1
    assert MissedRound.objects.get().due_at == at(MONDAY, 21, 50)


@override_settings(MINSHENG_FACILITY_ROUND_GRACE_MINUTES=30)
def test_interval_rounds_fall_within_opening_hours_only() -> None:
    area = make_area()
    facility = toilet(area)  # open 06:00–22:00
    schedule = schedule_save(
        actor=area.admin,
        facility=facility,
        data=ScheduleInput(kind="cleaning", rule="interval", every_minutes=120),
        now=at(MONDAY, 21, 0),
    )
    # 08:00, 10:00 … 22:00 on each day: after 22:00 the next is tomorrow's 08:00.
    assert schedule.next_due_at == at(MONDAY, 22)
    result = sweep_schedules(now=at(MONDAY + dt.timedelta(days=1), 6, 1))
    assert result.alarms == 1  # 22:00's round, raised at the next opening
    schedule.refresh_from_db()
    assert schedule.next_due_at == at(MONDAY + dt.timedelta(days=1), 8)


@override_settings(MINSHENG_FACILITY_ROUND_GRACE_MINUTES=30)
def test_closed_for_repair_owes_nothing_and_reopening_starts_afresh() -> None:
    area = make_area()
    facility = toilet(area)
    _times(area, facility, "10:00", at(MONDAY, 8))
    data = FacilityInput(
        kind="公厕",
        name=facility.name,
        place=area.v1,
        owner=area.gov,
        keeper_user=area.keeper,
        all_day=False,
        opens_at=dt.time(6),
        closes_at=dt.time(22),
        status=Status.REPAIR,
    )
    facility = facility_update(actor=area.admin, facility=facility, data=data)
    assert sweep_schedules(now=at(MONDAY, 10, 31)).alarms == 0
    assert not MissedRound.objects.exists()


@override_settings(MINSHENG_FACILITY_ROUND_GRACE_MINUTES=30)
def test_working_days_only_skips_the_weekend() -> None:
    area = make_area()
    facility = toilet(area)
    schedule = _times(area, facility, "10:00", at(FRIDAY, 11), working_days_only=True)
    # Friday's 10:00 has passed; Saturday and Sunday are not working days: Monday's.
    assert schedule.next_due_at == at(MONDAY, 10)
    assert sweep_schedules_until_done(now=at(dt.date(2026, 12, 6), 12)) == 0


@override_settings(MINSHENG_FACILITY_ROUND_GRACE_MINUTES=30)
def test_the_owner_units_staff_are_told_too() -> None:
    area = make_area()
    facility = toilet(area, keeper_user=None, keeper_unit=area.team)
    _times(area, facility, "10:00", at(MONDAY, 8))
    sweep_schedules(now=at(MONDAY, 10, 31))
    told = set(Message.objects.values_list("user__username", flat=True))
    assert told == {"keeper-sunkou", "cleaner-sunkou"}  # the owner's and the team's handlers
    assert "h-houmiao" not in told


@override_settings(MINSHENG_FACILITY_ROUND_GRACE_MINUTES=30)
def test_a_stopped_schedule_owes_nothing_and_starts_again_from_now() -> None:
    from minsheng.facilities.services import schedule_set_active

    area = make_area()
    facility = toilet(area)
    schedule = _times(area, facility, "10:00", at(MONDAY, 8))
    schedule = schedule_set_active(actor=area.keeper, schedule=schedule, active=False)
    assert (schedule.next_due_at, schedule.check_at) == (None, None)
    assert sweep_schedules(now=at(MONDAY, 12)).schedules == 0
    schedule = schedule_set_active(
        actor=area.keeper, schedule=schedule, active=True, now=at(MONDAY, 12)
    )
    assert schedule.next_due_at == at(MONDAY + dt.timedelta(days=1), 10)
    assert not MissedRound.objects.exists()


@override_settings(MINSHENG_FACILITY_ROUND_GRACE_MINUTES=30)
def test_one_cleaning_counts_for_every_cleaning_schedule_due_then() -> None:
    area = make_area()
    facility = toilet(area)
    _times(area, facility, "10:00", at(MONDAY, 8))
    schedule_save(
        actor=area.admin,
        facility=facility,
        data=ScheduleInput(kind="cleaning", rule="interval", every_minutes=120),
        now=at(MONDAY, 8),
    )
    _log(area, facility, at(MONDAY, 10, 5))  # filed under the first schedule
    assert sweep_schedules(now=at(MONDAY, 10, 31)).alarms == 0
