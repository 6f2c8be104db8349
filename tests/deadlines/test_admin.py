"""The calendar and deadline-policy admin: pages render, saves reach new deadlines at once, bad
input is refused in Chinese, a year's schedule can be pasted in, alarms are read-only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from minsheng.deadlines import clock
from minsheng.deadlines.admin import ScheduleError, parse_schedule, readable_span
from minsheng.deadlines.models import (
    CalendarDay,
    CalendarYear,
    DeadlineAlarm,
    DeadlinePolicy,
    JobRun,
)
from minsheng.org.models import Role, User
from minsheng.worker.loop import sweep_until_done
from tests.conftest import PASSWORD, People, make_user
from tests.factories import dispatched

SH = ZoneInfo("Asia/Shanghai")
DAYS = "/admin/deadlines/calendarday/"
YEARS = "/admin/deadlines/calendaryear/"
POLICIES = "/admin/deadlines/deadlinepolicy/"
IMPORT = DAYS + "import/"


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)  # type: ignore[misc]


@pytest.fixture(autouse=True)
def fresh_calendar() -> Iterator[None]:
    clock.invalidate()
    yield
    clock.invalidate()  # the days these tests enter must not leak into the next test's cache


@pytest.fixture
def root(people: People) -> User:
    user = make_user("root", people.org.hotline, Role.ADMINISTRATOR)
    user.is_staff = user.is_superuser = True
    user.save()
    return user


@pytest.fixture
def admin(client: Client, root: User) -> Client:
    assert client.login(username="root", password=PASSWORD)
    return client


@pytest.fixture
def late_december() -> Iterator[None]:
    """28 Dec 2026: a general ticket's 7 working days reach into 2027, not yet published.
    Request it before `admin`, so that the login's session is not already weeks old."""
    with time_machine.travel(at(2026, 12, 28, 10, 0), tick=False):
        yield


def test_every_deadlines_admin_page_renders_for_an_administrator(
    admin: Client, people: People
) -> None:
    CalendarDay.objects.create(date=dt.date(2027, 1, 1), is_working=False, name="元旦")
    CalendarYear.objects.create(year=2027, note="国办发明电〔2026〕X号")
    DeadlinePolicy.objects.create(
        applies_to="general",
        dispatch_amount=24,
        dispatch_unit="hours",
        sign_amount=4,
        sign_unit="working_hours",
        reply_amount=5,
        reply_unit="working_days",
        callback_amount=2,
        callback_unit="working_days",
    )
    with time_machine.travel(at(2026, 6, 1, 10, 0), tick=False):
        dispatched(people, urgency="emergency")
    sweep_until_done(now=at(2026, 6, 1, 12, 0))
    JobRun.objects.create(name="daily_digest", key="2026-06-01")
    pages = [
        DAYS,
        DAYS + "add/",
        f"{DAYS}{CalendarDay.objects.get().pk}/change/",
        DAYS + "?year=2027",
        DAYS + "?is_working__exact=0",
        DAYS + "?q=元旦",
        IMPORT,
        YEARS,
        YEARS + "add/",
        f"{YEARS}2027/change/",
        POLICIES,
        POLICIES + "add/",
        f"{POLICIES}{DeadlinePolicy.objects.get().pk}/change/",
        "/admin/deadlines/deadlinealarm/",
        "/admin/deadlines/jobrun/",
        f"/admin/deadlines/deadlinealarm/{DeadlineAlarm.objects.first().pk}/change/",  # type: ignore[union-attr]
    ]
    for page in pages:
        assert admin.get(page).status_code == 200, page
    days = admin.get(DAYS).content.decode()
    assert "元旦" in days and "周五" in days and "休息" in days and "导入全年放假安排" in days
    years = admin.get(YEARS).content.decode()
    assert "国办发明电" in years and ">1<" in years  # one day entered for 2027
    policies = admin.get(POLICIES).content.decode()
    assert "24 自然小时" in policies and "4 工作小时" in policies and "5 工作日" in policies
    assert "—" in policies  # no contact deadline


def test_people_without_the_admin_see_no_calendar(client: Client, people: People) -> None:
    assert client.login(username="alice", password=PASSWORD)
    assert client.get(DAYS).status_code == 302  # to the admin login


def test_alarms_are_read_only(admin: Client) -> None:
    assert admin.get("/admin/deadlines/deadlinealarm/add/").status_code == 403


def test_saving_a_calendar_day_moves_new_deadlines_and_records_who(
    late_december: None, admin: Client, people: People, root: User
) -> None:
    before = dispatched(people)  # builds and caches the calendar
    assert before.reply_due == at(2027, 1, 6, 10, 0) and before.deadlines_provisional
    response = admin.post(DAYS + "add/", {"date": "2027-01-04", "name": "测试假日"})  # a Monday
    assert response.status_code == 302
    day = CalendarDay.objects.get(date=dt.date(2027, 1, 4))
    assert day.is_working is False and day.updated_by == root
    after = dispatched(people)
    assert after.reply_due == at(2027, 1, 7, 10, 0)  # one working day fewer in the week
    before.refresh_from_db()
    assert before.reply_due == at(2027, 1, 6, 10, 0)  # deadlines already set stay


def test_deleting_a_calendar_day_moves_new_deadlines_back(
    late_december: None, admin: Client, people: People
) -> None:
    day = CalendarDay.objects.create(date=dt.date(2027, 1, 4), is_working=False, name="测试假日")
    assert dispatched(people).reply_due == at(2027, 1, 7, 10, 0)
    response = admin.post(f"{DAYS}{day.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert dispatched(people).reply_due == at(2027, 1, 6, 10, 0)


def test_declaring_a_year_complete_ends_provisional_deadlines(
    late_december: None, admin: Client, people: People
) -> None:
    assert dispatched(people).deadlines_provisional
    assert admin.post(YEARS + "add/", {"year": "2027", "note": "国办发明电"}).status_code == 302
    assert not dispatched(people).deadlines_provisional


# --- The policy ----------------------------------------------------------------------------------

POLICY = {
    "applies_to": "general",
    "category": "",
    "dispatch_amount": "24",
    "dispatch_unit": "hours",
    "sign_amount": "4",
    "sign_unit": "working_hours",
    "contact_amount": "",
    "contact_unit": "",
    "reply_amount": "5",
    "reply_unit": "working_days",
    "callback_amount": "2",
    "callback_unit": "working_days",
    "pause_allowed": "on",
}


def test_a_saved_policy_sets_new_deadlines(admin: Client, people: People) -> None:
    assert admin.post(POLICIES + "add/", POLICY).status_code == 302
    policy = DeadlinePolicy.objects.get()
    assert policy.contact_amount is None  # contact may be left empty
    with time_machine.travel(at(2026, 6, 1, 10, 0), tick=False):
        ticket = dispatched(people)
    assert ticket.reply_due == at(2026, 6, 8, 10, 0)  # 5 working days, not the default 7
    assert ticket.contact_due is None


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"dispatch_amount": "0"}, "dispatch_amount", "派单时限必须大于 0。"),
        ({"sign_amount": "-1"}, "sign_amount", "签收时限必须大于 0。"),
        ({"reply_amount": "1.5"}, "reply_amount", "答复时限按工作日计时须为整数"),
        ({"contact_amount": "2"}, "contact_unit", "请选择联系时限的单位。"),
        ({"contact_unit": "hours"}, "contact_amount", "请填写联系时限。"),
        (
            {"contact_amount": "0", "contact_unit": "hours"},
            "contact_amount",
            "联系时限必须大于 0。",
        ),
    ],
)
def test_a_bad_policy_is_refused_in_chinese(
    admin: Client, changes: dict[str, str], field: str, message: str
) -> None:
    response = admin.post(POLICIES + "add/", {**POLICY, **changes})
    assert response.status_code == 200  # the form again, with its errors
    errors = response.context["adminform"].form.errors
    assert any(message in e for e in errors[field]), errors
    assert not DeadlinePolicy.objects.exists()


def test_fractional_working_hours_are_fine(admin: Client) -> None:
    response = admin.post(POLICIES + "add/", {**POLICY, "sign_amount": "0.5"})
    assert response.status_code == 302


def test_readable_spans() -> None:
    from decimal import Decimal

    assert readable_span(Decimal("24.00"), "hours") == "24 自然小时"
    assert readable_span(Decimal("0.50"), "working_hours") == "0.5 工作小时"
    assert readable_span(Decimal("7"), "working_days") == "7 工作日"
    assert readable_span(None, "") == "—"


# --- Importing a year's schedule -----------------------------------------------------------------

SCHEDULE = """# 2027 年（测试用，不是真实安排）
2027-01-01 元旦 休
2027-02-06~2027-02-13 春节 休
2027/2/14 春节 班

2027-02-20 至 2027-02-20 春节 班
2027-10-01～2027-10-07 国庆节 休
"""


def test_the_schedule_parser_reads_dates_ranges_and_kinds() -> None:
    days = parse_schedule(SCHEDULE, 2027)
    assert len(days) == 1 + 8 + 1 + 1 + 7
    assert days[0].date == dt.date(2027, 1, 1) and not days[0].is_working and days[0].name == "元旦"
    feb14 = next(d for d in days if d.date == dt.date(2027, 2, 14))
    assert feb14.is_working and feb14.name == "春节" and feb14.weekday == "日"
    assert parse_schedule("2027-05-01 休", 2027)[0].name == ""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2027-01-01 元旦", "最后一项应为“休”或“班”"),
        ("2027-13-01 元旦 休", "不是有效的日期"),
        ("元旦 2027-01-01 休", "格式不正确"),
        ("2026-12-31 元旦 休", "不在 2027 年"),
        ("2027-01-03~2027-01-01 元旦 休", "结束早于开始"),
        ("2027-01-01~2027-03-01 休", "不能超过 31 天"),
        ("2027-01-01 元旦 休\n2026-01-01~2027-01-02 元旦 休", "第 2 行"),
        ("2027-01-01 元旦 休\n\n2027-01-01 元旦 班", "第 3 行：2027-01-01 与第 1 行重复"),
        ("# 只有注释\n", "没有可导入的日期"),
        ("2027-01-01", "应为“日期 名称 休/班”"),
    ],
)
def test_the_schedule_parser_explains_bad_lines(text: str, message: str) -> None:
    with pytest.raises(ScheduleError) as caught:
        parse_schedule(text, 2027)
    assert any(message in e for e in caught.value.errors), caught.value.errors


def test_the_import_page_previews_then_saves_the_year(
    late_december: None, admin: Client, people: People, root: User
) -> None:
    CalendarDay.objects.create(date=dt.date(2027, 5, 1), is_working=False, name="旧的")
    form = {"year": "2027", "text": SCHEDULE, "replace": "on", "complete": "on", "note": "测试"}
    preview = admin.post(IMPORT, {**form, "preview": "预览"})
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "预览：共 18 天" in html and "2027-02-14" in html
    assert not CalendarDay.objects.filter(date__year=2027, name="春节").exists()  # nothing yet
    saved = admin.post(IMPORT, {**form, "save": "导入"})
    assert saved.status_code == 302 and saved["Location"].endswith("?year=2027")
    assert CalendarDay.objects.filter(date__year=2027).count() == 18  # the old day replaced
    assert set(CalendarDay.objects.values_list("updated_by", flat=True)) == {root.pk}
    assert CalendarYear.objects.get(year=2027).note == "测试"
    ticket = dispatched(people)
    # 7 working days from Mon 28 Dec 2026, with 1 Jan 2027 off: Jan 7, not provisional.
    assert ticket.reply_due == at(2027, 1, 7, 10, 0) and not ticket.deadlines_provisional


def test_the_import_page_shows_every_bad_line_and_saves_nothing(admin: Client) -> None:
    response = admin.post(
        IMPORT,
        {
            "year": "2027",
            "text": "2027-01-01 元旦 休\n2027-02-30 春节 休\n2028-01-01 元旦 休",
            "complete": "on",
            "save": "导入",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "第 2 行" in html and "第 3 行" in html
    assert not CalendarDay.objects.exists() and not CalendarYear.objects.exists()


def test_importing_without_replacing_keeps_other_days(admin: Client) -> None:
    CalendarDay.objects.create(date=dt.date(2027, 5, 1), is_working=False, name="劳动节")
    response = admin.post(IMPORT, {"year": "2027", "text": "2027-01-01 元旦 休", "save": "导入"})
    assert response.status_code == 302
    assert CalendarDay.objects.filter(date__year=2027).count() == 2
    assert not CalendarYear.objects.exists()  # "complete" not ticked
