"""Deadlines on tickets, in China's working time, with frozen clocks."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from minsheng.deadlines import clock
from minsheng.deadlines.models import CalendarDay, CalendarYear, DeadlineCheck, DeadlinePolicy
from minsheng.tickets import actions
from minsheng.tickets.errors import InvalidTransition
from minsheng.tickets.models import Ticket
from tests.conftest import People
from tests.factories import dispatched, in_progress, new_ticket

SH = ZoneInfo("Asia/Shanghai")


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)  # type: ignore[misc]


@pytest.fixture(autouse=True)
def fresh_calendar() -> None:
    clock.invalidate()


def test_a_general_ticket_dispatched_before_national_day_is_due_after_it(people: People) -> None:
    with time_machine.travel(at(2026, 9, 30, 17, 0), tick=False):
        ticket = dispatched(people)
    # 7 working days after Wed 30 Sep: Oct 1–7 holiday; 8, 9, 10 (Saturday make-up day),
    # 12, 13, 14, 15 → Thursday 15 October, same clock time.
    assert ticket.reply_due == at(2026, 10, 15, 17, 0)
    assert ticket.contact_due == at(2026, 10, 1, 17, 0)  # 24 natural hours
    assert ticket.deadlines_provisional is False


def test_a_deadline_reaching_into_an_unpublished_year_is_provisional(people: People) -> None:
    with time_machine.travel(at(2026, 12, 28, 10, 0), tick=False):
        ticket = dispatched(people)
    assert ticket.reply_due == at(2027, 1, 6, 10, 0)  # weekends only in 2027
    assert ticket.deadlines_provisional is True


def test_an_administrator_entered_holiday_moves_new_deadlines(people: People) -> None:
    CalendarDay.objects.create(date=dt.date(2027, 1, 1), is_working=False, name="元旦")
    CalendarYear.objects.create(year=2027, note="国办发明电")
    clock.invalidate()
    with time_machine.travel(at(2026, 12, 28, 10, 0), tick=False):
        ticket = dispatched(people)
    assert ticket.reply_due == at(2027, 1, 7, 10, 0)  # one day later for 元旦
    assert ticket.deadlines_provisional is False  # the year is declared complete


def test_a_weekday_holiday_in_a_known_year_moves_the_deadline(people: People) -> None:
    with time_machine.travel(at(2026, 6, 1, 9, 0), tick=False):  # a Monday
        before = dispatched(people).reply_due
        CalendarDay.objects.create(date=dt.date(2026, 6, 3), is_working=False, name="防汛停工")
        clock.invalidate()
        after = dispatched(people).reply_due
    assert before == at(2026, 6, 10, 9, 0)
    assert after == at(2026, 6, 11, 9, 0)


def test_emergencies_count_natural_hours(people: People) -> None:
    with time_machine.travel(at(2026, 10, 2, 22, 0), tick=False):  # a holiday night
        ticket = new_ticket(people, urgency="emergency")
        assert ticket.dispatch_due == at(2026, 10, 2, 23, 0)
        ticket = actions.ticket_dispatch(ticket=ticket, actor=people.dispatcher, lead_unit="sunkou")
    assert ticket.reply_due == at(2026, 10, 3, 0, 0)


def test_a_policy_row_overrides_the_default(people: People) -> None:
    DeadlinePolicy.objects.create(
        applies_to="general",
        dispatch_amount=2,
        dispatch_unit="hours",
        sign_amount=1,
        sign_unit="hours",
        contact_amount=12,
        contact_unit="hours",
        reply_amount=5,
        reply_unit="working_days",
        callback_amount=1,
        callback_unit="working_days",
    )
    with time_machine.travel(at(2026, 6, 1, 9, 0), tick=False):
        ticket = dispatched(people)
    assert ticket.reply_due == at(2026, 6, 8, 9, 0)


def test_an_approved_extension_moves_the_reply_deadline(people: People) -> None:
    with time_machine.travel(at(2026, 6, 1, 9, 0), tick=False):
        ticket = in_progress(people)
        actions.ticket_extension_request(ticket=ticket, actor=people.alice, days=3, reason="待采购")
        actions.ticket_extension_decide(ticket=ticket, actor=people.dispatcher, approve=True)
    assert Ticket.objects.get(pk=ticket.pk).reply_due == at(2026, 6, 15, 9, 0)


def test_pausing_stops_the_clock_and_resuming_moves_deadlines(people: People) -> None:
    with time_machine.travel(at(2026, 6, 1, 9, 0), tick=False):
        ticket = in_progress(people)
        due = ticket.reply_due
        ticket = actions.ticket_pause(
            ticket=ticket, actor=people.alice, reason="等待诉求人提供照片"
        )
        assert not DeadlineCheck.objects.filter(ticket=ticket).exists()
        with pytest.raises(InvalidTransition):
            actions.ticket_pause(ticket=ticket, actor=people.alice, reason="again")
    with time_machine.travel(at(2026, 6, 2, 9, 0), tick=False):
        ticket = actions.ticket_resume(ticket=ticket, actor=people.alice)
    assert ticket.reply_due == due + dt.timedelta(days=1)
    assert DeadlineCheck.objects.get(ticket=ticket).next_check_at > at(2026, 6, 2, 9, 0)


def test_the_reply_sets_the_callback_deadline(people: People) -> None:
    with time_machine.travel(at(2026, 6, 5, 16, 0), tick=False):  # a Friday
        ticket = in_progress(people)
        actions.ticket_contact(ticket=ticket, actor=people.alice, method="phone")
        ticket = actions.ticket_reply(
            ticket=ticket, actor=people.alice, result="resolved", content="已修复"
        )
    assert ticket.callback_due == at(2026, 6, 9, 16, 0)  # two working days


@pytest.mark.django_db
def test_the_calendar_command_prints_the_due_time() -> None:
    out = StringIO()
    call_command(
        "calendar", "due", "--from", "2026-09-30T17:00+08:00", "--working-days", "7", stdout=out
    )
    assert out.getvalue().strip() == "2026-10-15T17:00:00+08:00"
    out = StringIO()
    call_command("calendar", "due", "--from", "2026-09-30T17:00+08:00", "--hours", "3", stdout=out)
    assert out.getvalue().strip() == "2026-09-30T20:00:00+08:00"


@pytest.mark.django_db
def test_the_calendar_command_shows_holidays_and_make_up_days() -> None:
    out = StringIO()
    call_command("calendar", "show", "2026", stdout=out)
    text = out.getvalue()
    assert "2026-10-01 四 放假 国庆节" in text
    assert "2026-10-10 六 上班（调休） 国庆节" in text


@pytest.mark.django_db
def test_the_calendar_command_refuses_bad_input() -> None:
    with pytest.raises(CommandError, match="ISO-8601"):
        call_command("calendar", "due", "--from", "yesterday", "--hours", "3")
    with pytest.raises(CommandError, match="时区"):
        call_command("calendar", "due", "--from", "2026-09-30T17:00", "--hours", "3")
