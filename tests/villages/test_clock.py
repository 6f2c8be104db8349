"""The law's deadlines: 村务 quarterly, 财务 monthly where frequent, due 10 days after the period;
reminders before, alarms after, each once; publication clears lateness at the next pass."""

from __future__ import annotations

import datetime as dt

import pytest

from minsheng.notify.models import Message
from minsheng.villages import clock
from minsheng.villages.models import Board, ClockNotice
from minsheng.villages.services.boards import ensure_boards
from tests.villages.clock_helpers import V1, V2, V4, at, board, local, make_county, publish

pytestmark = pytest.mark.django_db

D = dt.date


def only(*codes: str) -> None:
    """Let the clock look at these boards only (the others' next check far away)."""
    Board.objects.exclude(pk__in=codes).update(next_check_at=at(2099, 1, 1))


def messages(user) -> list[str]:  # type: ignore[no-untyped-def]
    return list(Message.objects.filter(user=user).order_by("id").values_list("title", flat=True))


def test_the_rules_arithmetic() -> None:
    q3 = (D(2026, 7, 1), D(2026, 9, 30))
    assert clock.due_on(q3) == D(2026, 10, 10)
    assert local(clock.late_at(q3)) == at(2026, 10, 11)
    assert local(clock.remind_at(q3)) == at(2026, 10, 7)
    assert clock.latest_due("quarter", at(2026, 10, 10, 23, 59)) == (D(2026, 4, 1), D(2026, 6, 30))
    assert clock.latest_due("quarter", at(2026, 10, 11)) == q3
    assert clock.latest_due("month", at(2026, 12, 6)) == (D(2026, 10, 1), D(2026, 10, 31))
    assert clock.latest_due("month", at(2026, 12, 11)) == (D(2026, 11, 1), D(2026, 11, 30))
    assert clock.owed_sections(False) == [("affairs", "quarter"), ("finance", "quarter")]
    assert clock.owed_sections(True) == [("affairs", "quarter"), ("finance", "month")]


def test_a_quarter_is_late_after_the_grace_reminded_before_alarmed_after_each_once() -> None:
    county = make_county(now=at(2026, 10, 1))
    only(V1)
    publish(V1, "affairs", "quarter", D(2026, 5, 1), published_at=at(2026, 7, 3))
    publish(V1, "finance", "quarter", D(2026, 5, 1), published_at=at(2026, 7, 3))
    Board.objects.filter(pk=V1).update(next_check_at=at(2026, 10, 1))

    # 1 October: Q2 was published; Q3's deadline (10 October) is not near yet.
    assert clock.sweep_boards(now=at(2026, 10, 1, 9)).boards == 1
    b = board(V1)
    assert (b.late_sections, b.late_since) == ("", None)
    assert local(b.next_check_at) == at(2026, 10, 7)  # the reminder, 3 days before
    assert clock.sweep_boards(now=at(2026, 10, 6, 23, 59)).boards == 0  # nothing due: no work

    # 7 October: the clerks are reminded of Q3's 村务 and 财务 (not the township).
    done = clock.sweep_boards(now=at(2026, 10, 7))
    assert (done.boards, done.reminders, done.alarms) == (1, 2, 0)
    assert messages(county.clerk1) == ["公开提醒：孙口村村务公开", "公开提醒：孙口村财务公开"]
    assert messages(county.reviewer) == []
    assert local(board(V1).next_check_at) == at(2026, 10, 11)  # the deadline has passed then
    assert board(V1).late_sections == ""

    # 11 October 00:00: late; the clerks and the township's reviewer are alarmed.
    done = clock.sweep_boards(now=at(2026, 10, 11))
    assert (done.reminders, done.alarms) == (0, 2)
    b = board(V1)
    assert (b.late_sections, b.late_since) == ("affairs,finance", D(2026, 10, 10))
    assert local(b.next_check_at) == at(2027, 1, 7)  # Q4's reminder
    assert messages(county.reviewer) == ["公开逾期：孙口村村务公开", "公开逾期：孙口村财务公开"]
    assert len(messages(county.clerk1)) == 4
    assert messages(county.reviewer_houmiao) == []  # another township's reviewer
    body = Message.objects.filter(user=county.reviewer).first()
    assert body is not None
    assert "2026年第3季度" in body.body and "10月10日" in body.body
    assert body.url == "/villages/oversight/township/410927102/"

    # The pass runs again (a rerun, a second worker): nothing is sent twice.
    Board.objects.filter(pk=V1).update(next_check_at=at(2026, 10, 11))
    again = clock.sweep_boards(now=at(2026, 10, 11, 0, 5))
    assert (again.boards, again.reminders, again.alarms) == (1, 0, 0)
    assert Message.objects.count() == 6
    assert ClockNotice.objects.filter(board_id=V1).count() == 4

    # 12 October: Q3's 村务 is published (late): the next pass clears that section only.
    publish(V1, "affairs", "quarter", D(2026, 8, 1), published_at=at(2026, 10, 12, 9))
    clock.sweep_boards(now=at(2026, 10, 12, 9, 1))
    b = board(V1)
    assert (b.late_sections, b.late_since) == ("finance", D(2026, 10, 10))
    # ... and the 财务 too: nothing is late any more.
    publish(V1, "finance", "quarter", D(2026, 8, 1), published_at=at(2026, 10, 13, 9))
    clock.sweep_boards(now=at(2026, 10, 13, 9, 1))
    b = board(V1)
    assert (b.late_sections, b.late_since) == ("", None)
    assert local(b.next_check_at) == at(2027, 1, 7)


def test_monthly_finance_where_the_village_has_frequent_transactions() -> None:
    county = make_county(now=at(2026, 11, 1))
    only(V1)
    Board.objects.filter(pk=V1).update(frequent_finance=True)
    publish(V1, "affairs", "quarter", D(2026, 8, 1), published_at=at(2026, 10, 5))
    publish(V1, "finance", "month", D(2026, 9, 1), published_at=at(2026, 10, 5))
    Board.objects.filter(pk=V1).update(next_check_at=at(2026, 11, 1))
    clock.sweep_boards(now=at(2026, 11, 1))
    assert board(V1).late_sections == ""
    assert local(board(V1).next_check_at) == at(2026, 11, 7)  # October's finance reminder
    clock.sweep_boards(now=at(2026, 11, 7))
    assert local(board(V1).next_check_at) == at(2026, 11, 11)
    clock.sweep_boards(now=at(2026, 11, 11))
    b = board(V1)
    assert (b.late_sections, b.late_since) == ("finance", D(2026, 11, 10))
    assert local(b.next_check_at) == at(2026, 12, 7)  # November's reminder
    # November missed too: still late since October's deadline, alarmed once per month.
    clock.sweep_boards(now=at(2026, 12, 7))
    clock.sweep_boards(now=at(2026, 12, 11))
    b = board(V1)
    assert (b.late_sections, b.late_since) == ("finance", D(2026, 11, 10))
    assert list(
        ClockNotice.objects.filter(kind="alarm").order_by("due_on").values_list("due_on", flat=True)
    ) == [D(2026, 11, 10), D(2026, 12, 10)]
    assert len([t for t in messages(county.clerk1) if t.startswith("公开逾期")]) == 2
    # A correction of October's statement (a new version) covers October; November still owed.
    first = publish(V1, "finance", "month", D(2026, 10, 1), published_at=at(2026, 12, 12))
    publish(V1, "finance", "month", D(2026, 10, 1), published_at=at(2026, 12, 13), supersedes=first)
    clock.sweep_boards(now=at(2026, 12, 13, 1))
    b = board(V1)
    assert (b.late_sections, b.late_since) == ("finance", D(2026, 12, 10))
    # A quarterly statement of Q4 covers November (and December) as well.
    publish(V1, "finance", "quarter", D(2026, 11, 1), published_at=at(2026, 12, 14))
    clock.sweep_boards(now=at(2026, 12, 14, 1))
    assert board(V1).late_sections == ""


def test_new_boards_are_checked_at_the_first_pass_and_shown_late() -> None:
    county = make_county()  # ensure_boards alone: every board due now
    assert Board.objects.filter(next_check_at__isnull=True).count() == 0
    Board.objects.update(next_check_at=at(2026, 12, 6))
    publish(V2, "affairs", "quarter", D(2026, 8, 1), published_at=at(2026, 10, 9))
    publish(V2, "finance", "quarter", D(2026, 8, 1), published_at=at(2026, 10, 9))
    done = clock.sweep_boards(now=at(2026, 12, 6, 12))
    assert done.boards == 4
    late = dict(Board.objects.values_list("village_id", "late_sections"))
    assert late == {
        V1: "affairs,finance",
        "410927102203": "affairs,finance",
        V2: "",
        V4: "affairs,finance",
    }
    assert board(V1).late_since == D(2026, 10, 10)  # the last deadline missed, not older ones
    # One alarm per late section (not one per quarter since the law was passed).
    assert ClockNotice.objects.filter(board_id=V1).count() == 2
    assert messages(county.clerk4) == ["公开逾期：侯庙村村务公开", "公开逾期：侯庙村财务公开"]
    assert clock.sweep_boards(now=at(2026, 12, 6, 12, 1)).boards == 0


def test_missed_quarters_accumulate_and_late_publication_moves_the_date() -> None:
    make_county(now=at(2026, 10, 11))
    only(V1)
    publish(V1, "affairs", "quarter", D(2026, 5, 1), published_at=at(2026, 7, 3))
    publish(V1, "finance", "quarter", D(2026, 5, 1), published_at=at(2026, 7, 3))
    clock.sweep_boards(now=at(2026, 10, 11))
    assert board(V1).late_since == D(2026, 10, 10)
    # The worker was down over the new year: the next pass still sees Q3 and Q4 missed.
    Board.objects.filter(pk=V1).update(next_check_at=at(2027, 1, 20))
    clock.sweep_boards(now=at(2027, 1, 20))
    b = board(V1)
    assert (b.late_sections, b.late_since) == ("affairs,finance", D(2026, 10, 10))
    publish(V1, "affairs", "quarter", D(2026, 8, 1), published_at=at(2027, 1, 21))
    publish(V1, "finance", "quarter", D(2026, 8, 1), published_at=at(2027, 1, 21))
    clock.sweep_boards(now=at(2027, 1, 21, 1))
    b = board(V1)
    assert (b.late_sections, b.late_since) == ("affairs,finance", D(2027, 1, 10))  # Q4 still


def test_party_affairs_when_the_installation_asks_for_them(settings) -> None:  # type: ignore[no-untyped-def]
    settings.MINSHENG_VILLAGE_PARTY_QUARTERLY = True
    make_county(now=at(2026, 12, 6))
    clock.sweep_boards(now=at(2026, 12, 6))
    assert board(V1).late_sections == "party,affairs,finance"


def test_grace_and_reminder_days_are_settings(settings) -> None:  # type: ignore[no-untyped-def]
    settings.MINSHENG_VILLAGE_PUBLISH_GRACE_DAYS = 15
    settings.MINSHENG_VILLAGE_REMIND_DAYS = 0
    q3 = (D(2026, 7, 1), D(2026, 9, 30))
    assert clock.due_on(q3) == D(2026, 10, 15)
    assert clock.remind_at(q3) is None
    make_county(now=at(2026, 10, 1))
    only(V1)
    publish(V1, "affairs", "quarter", D(2026, 5, 1), published_at=at(2026, 7, 3))
    publish(V1, "finance", "quarter", D(2026, 5, 1), published_at=at(2026, 7, 3))
    clock.sweep_boards(now=at(2026, 10, 1))
    assert local(board(V1).next_check_at) == at(2026, 10, 16)  # no reminder: the deadline


def test_a_batch_is_bounded_and_the_rest_waits_for_the_next() -> None:
    make_county(now=at(2026, 12, 6))
    assert clock.sweep_boards(now=at(2026, 12, 6), limit=3).boards == 3
    assert clock.sweep_boards(now=at(2026, 12, 6), limit=3).boards == 1
    assert clock.sweep_boards_until_done(now=at(2026, 12, 6)) == 0


def test_a_batch_costs_the_same_statements_for_few_or_many_boards(
    django_assert_max_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_county(now=at(2026, 12, 6))
    # 孙口村 first, then 侯庙村 and two villages without clerks: both batches tell somebody.
    Board.objects.filter(pk=V1).update(next_check_at=at(2026, 12, 5))
    Board.objects.filter(pk=V4).update(next_check_at=at(2026, 12, 5, 1))
    with CaptureQueriesContext(connection) as queries:
        clock.sweep_boards(now=at(2026, 12, 6), limit=1)
    one = len(queries)
    with CaptureQueriesContext(connection) as queries:
        clock.sweep_boards(now=at(2026, 12, 6), limit=3)
    assert len(queries) == one
    assert one <= 12


def test_ensure_boards_follows_a_village_moved_to_another_township() -> None:
    make_county()
    from minsheng.org.models import Division

    Division.objects.filter(pk=V2).update(parent_id="410927103000")
    assert ensure_boards() == 0
    assert board(V2).township_code == "410927103000"
    assert board(V1).township_code == "410927102000"


@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_check_each_board_once() -> None:
    from tests.conftest import run_together

    county = make_county(now=at(2026, 12, 6))
    done = run_together(
        *[lambda: clock.sweep_boards_until_done(now=at(2026, 12, 6, 1), limit=1)] * 2
    )
    assert sum(done) == 4  # every board checked by exactly one of them
    assert ClockNotice.objects.count() == 8  # two sections of four boards, once each
    assert messages(county.clerk1) == ["公开逾期：孙口村村务公开", "公开逾期：孙口村财务公开"]
    assert not Board.objects.filter(next_check_at__lte=at(2026, 12, 6, 1)).exists()
