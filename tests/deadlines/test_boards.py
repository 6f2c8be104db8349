"""The deadline boards (临期, 超期, 督办), remaining time on the ticket page and in the queues.

Every test runs on a frozen clock. Monday 1 June 2026 is an ordinary working day; emergency
tickets run on natural hours (sign 30 min, contact 1 h, reply 2 h after the dispatch), so their
deadlines are easy to reason about.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable, Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from minsheng.deadlines import clock
from minsheng.org.models import Role
from minsheng.tickets import actions
from minsheng.tickets.models import Supervision, Ticket, TicketEvent
from minsheng.tickets.templatetags.deadlines import (
    format_span,
    remaining,
    remaining_state,
    remaining_text,
)
from minsheng.worker.loop import sweep_until_done
from tests.conftest import PASSWORD, People, make_user
from tests.factories import in_progress, new_ticket, replied

SH = ZoneInfo("Asia/Shanghai")
DUE, OVERDUE, SUPERVISION = "/deadlines/due/", "/deadlines/overdue/", "/deadlines/supervision/"
EXPORT = "/deadlines/overdue/export.xlsx"


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)  # type: ignore[misc]


T0 = at(2026, 6, 1, 10, 0)


@pytest.fixture(autouse=True)
def fresh_calendar() -> None:
    clock.invalidate()


@pytest.fixture
def frozen() -> Iterator[Callable[[dt.datetime], None]]:
    """Freeze the clock at T0; call the fixture's value to move it."""
    traveller = time_machine.travel(T0, tick=False)
    shift = traveller.start()

    def move(to: dt.datetime) -> None:
        shift.move_to(to)

    yield move
    traveller.stop()


def login(client: Client, user: object) -> Client:
    assert client.login(username=str(getattr(user, "username", user)), password=PASSWORD)
    return client


def html_of(client: Client, url: str, status: int = 200, **params: object) -> str:
    response = client.get(url, params)
    assert response.status_code == status, response.content.decode()[:2000]
    return response.content.decode()


def numbers(html: str) -> list[str]:
    """Ticket numbers of the board's rows, in page order."""
    return re.findall(r'<tr data-number="(\d+)"', html)


def row_of(html: str, ticket: Ticket) -> str:
    return html.split(f'data-number="{ticket.number}"', 1)[1].split("</tr>", 1)[0]


def emergency(people: People, lead: str = "sunkou", **fields: object) -> Ticket:
    """Dispatched now: sign due in 30 min, contact in 1 h, reply in 2 h."""
    ticket = new_ticket(people, urgency="emergency", **fields)
    return actions.ticket_dispatch(ticket=ticket, actor=people.dispatcher, lead_unit=lead)


# --- Remaining time ------------------------------------------------------------------------------


def test_remaining_time_is_written_with_its_two_largest_units() -> None:
    now = T0
    assert (
        remaining_text(now + dt.timedelta(hours=3, minutes=20, seconds=59), now)
        == "剩余 3 小时 20 分"
    )
    assert remaining_text(now + dt.timedelta(days=2, hours=3, minutes=5), now) == "剩余 2 天 3 小时"
    assert remaining_text(now + dt.timedelta(days=2, minutes=5), now) == "剩余 2 天"
    assert remaining_text(now + dt.timedelta(minutes=7), now) == "剩余 7 分"
    assert remaining_text(now + dt.timedelta(seconds=30), now) == "剩余 不足 1 分"
    assert remaining_text(now - dt.timedelta(hours=5, seconds=30), now) == "已超期 5 小时"
    assert remaining_text(now - dt.timedelta(days=1, hours=2), now) == "已超期 1 天 2 小时"
    assert remaining_text(None, now) == "—"
    assert format_span(dt.timedelta(hours=1)) == "1 小时"


def test_the_filter_marks_overdue_and_soon(frozen: Callable[[dt.datetime], None]) -> None:
    assert remaining_state(T0 - dt.timedelta(minutes=1)) == "overdue"
    assert remaining_state(T0 + dt.timedelta(hours=23)) == "soon"
    assert remaining_state(T0 + dt.timedelta(days=3)) == "ok"
    html = str(remaining(T0 - dt.timedelta(hours=5)))
    assert 'class="remaining overdue"' in html and "已超期 5 小时" in html
    assert 'title="时限 2026-06-01 05:00"' in html  # the due time in Asia/Shanghai
    assert remaining(None) == "—"


# --- 临期 ----------------------------------------------------------------------------------------


def test_the_due_board_lists_the_current_deadlines_in_the_window_soonest_first(
    people: People, client: Client, frozen: Callable[[dt.datetime], None]
) -> None:
    ours = emergency(people, title="孙口急事")  # sign due 10:30
    theirs = emergency(people, lead="houmiao", title="侯庙急事")  # sign due 10:30
    fresh = new_ticket(people, title="待派单")  # dispatch due tomorrow 10:00
    working = in_progress(people, title="一般件")  # reply due in 7 working days
    frozen(at(2026, 6, 1, 10, 10))
    login(client, people.dispatcher)
    html = html_of(client, DUE)
    assert numbers(html) == [ours.number, theirs.number, fresh.number]
    assert "剩余 20 分" in row_of(html, ours) and "签收" in row_of(html, ours)
    assert "剩余 23 小时 50 分" in row_of(html, fresh) and "派单" in row_of(html, fresh)
    assert "2026-06-02 10:00" in row_of(html, fresh)  # due times shown in Asia/Shanghai
    assert "孙口镇人民政府" in row_of(html, ours)
    wider = html_of(client, DUE, hours=24 * 10)
    assert working.number in numbers(wider)
    assert "答复" in row_of(wider, working) and "剩余 8 天 23 小时 50 分" not in wider


def test_units_see_only_the_deadlines_of_tickets_they_lead(
    people: People, client: Client, frozen: Callable[[dt.datetime], None]
) -> None:
    ours = emergency(people)
    theirs = emergency(people, lead="houmiao")
    new_ticket(people)  # the dispatcher's deadline, not a unit's
    login(client, people.alice)
    assert numbers(html_of(client, DUE)) == [ours.number]
    client.logout()
    login(client, people.bob)
    assert numbers(html_of(client, DUE)) == [theirs.number]  # Bob never sees Alice's


def test_the_due_board_refuses_a_bad_window_in_chinese(
    people: People, client: Client, frozen: Callable[[dt.datetime], None]
) -> None:
    login(client, people.dispatcher)
    assert "请输入整数小时数" in html_of(client, DUE, 400, hours="abc")
    assert "最多 720 小时" in html_of(client, DUE, 400, hours="100000")
    assert "至少 1 小时" in html_of(client, DUE, 400, hours="0")


def test_paused_tickets_leave_the_boards_and_show_it_on_their_page(
    people: People, client: Client, frozen: Callable[[dt.datetime], None]
) -> None:
    ticket = in_progress(people, urgency="emergency")
    actions.ticket_pause(ticket=ticket, actor=people.alice, reason="等诉求人补充材料")
    frozen(at(2026, 6, 1, 11, 0))
    login(client, people.dispatcher)
    assert ticket.number not in html_of(client, DUE)
    frozen(at(2026, 6, 1, 13, 0))  # reply (12:00) would be overdue
    assert ticket.number not in html_of(client, OVERDUE)
    page = html_of(client, f"/tickets/{ticket.number}/")
    assert "暂停计时中" in page and "已超期" not in page


def test_a_deadline_in_an_unpublished_year_is_flagged_provisional(
    people: People, client: Client, frozen: Callable[[dt.datetime], None]
) -> None:
    frozen(at(2026, 12, 28, 10, 0))
    ticket = in_progress(people)
    assert ticket.deadlines_provisional and ticket.reply_due == at(2027, 1, 6, 10, 0)
    frozen(at(2027, 1, 5, 12, 0))
    login(client, people.alice)
    html = html_of(client, DUE)
    assert "时限待定" in row_of(html, ticket) and "剩余 22 小时" in row_of(html, ticket)
    page = html_of(client, f"/tickets/{ticket.number}/")
    assert "时限待定：涉及尚未发布放假安排的年份" in page


# --- The ticket page and the queues --------------------------------------------------------------


def deadline_rows(page: str) -> dict[str, str]:
    section = page.split('id="deadlines"', 1)[1].split("</section>", 1)[0]
    return dict(re.findall(r'data-deadline="(\w+)">(.*?)</tr>', section, re.S))


def test_the_ticket_page_shows_the_five_deadlines_and_the_live_ones_remaining(
    people: People, client: Client, frozen: Callable[[dt.datetime], None]
) -> None:
    ticket = in_progress(people, urgency="emergency")  # signed: contact and reply are live
    frozen(at(2026, 6, 1, 11, 30))
    login(client, people.alice)
    rows = deadline_rows(html_of(client, f"/tickets/{ticket.number}/"))
    assert set(rows) == {"dispatch", "sign", "contact", "reply", "callback"}
    assert "派单" in rows["dispatch"] and "回访" in rows["callback"]
    assert "已超期 30 分" in rows["contact"] and "remaining overdue" in rows["contact"]
    assert "剩余 30 分" in rows["reply"] and "remaining soon" in rows["reply"]
    assert "2026-06-01 10:30" in rows["sign"] and "remaining" not in rows["sign"]  # signed already
    actions.ticket_contact(ticket=ticket, actor=people.alice, method="phone", note="已联系")
    rows = deadline_rows(html_of(client, f"/tickets/{ticket.number}/"))
    assert "remaining" not in rows["contact"] and "剩余 30 分" in rows["reply"]


def test_the_queues_show_the_remaining_time(
    people: People, client: Client, frozen: Callable[[dt.datetime], None]
) -> None:
    fresh = new_ticket(people)
    to_sign = emergency(people)
    waiting = replied(people)
    frozen(at(2026, 6, 1, 10, 10))
    login(client, people.dispatcher)
    dispatch = html_of(client, "/dispatch/")
    assert fresh.number in dispatch and "剩余 23 小时 50 分" in dispatch
    client.logout()
    login(client, people.alice)
    inbox = html_of(client, "/inbox/")
    assert to_sign.number in inbox and "剩余 20 分" in inbox
    client.logout()
    login(client, people.operator)
    callbacks = html_of(client, "/callbacks/")
    assert waiting.number in callbacks and "剩余 1 天 23 小时" in callbacks  # 2 working days


# --- 超期 ----------------------------------------------------------------------------------------


def test_the_overdue_board_lists_past_deadlines_longest_first_by_unit(
    people: People, client: Client, frozen: Callable[[dt.datetime], None]
) -> None:
    older = emergency(people, title="早的")  # sign due 10:30
    frozen(at(2026, 6, 1, 10, 20))
    theirs = emergency(people, lead="houmiao", title="侯庙的")  # sign due 10:50
    in_time = in_progress(people, title="未超期")  # reply due in 7 working days
    frozen(at(2026, 6, 1, 11, 35))
    login(client, people.dispatcher)
    html = html_of(client, OVERDUE)
    assert numbers(html) == [older.number, theirs.number]
    assert "已超期 1 小时 5 分" in row_of(html, older) and "签收" in row_of(html, older)
    assert "已超期 45 分" in row_of(html, theirs)
    assert in_time.number not in html
    by_unit = html.split('id="by-unit"', 1)[1].split("</section>", 1)[0]
    assert (
        "孙口镇人民政府 <strong>1</strong>" in by_unit
        and "侯庙镇人民政府 <strong>1</strong>" in by_unit
    )
    assert numbers(html_of(client, OVERDUE, unit="houmiao")) == [theirs.number]
    assert "不存在或不在您的查看范围内" in html_of(client, OVERDUE, 400, unit="nowhere")


def test_units_see_only_their_own_overdue_tickets(
    people: People, client: Client, frozen: Callable[[dt.datetime], None]
) -> None:
    ours = emergency(people)
    theirs = emergency(people, lead="houmiao")
    frozen(at(2026, 6, 1, 12, 0))
    login(client, people.bob)
    assert numbers(html_of(client, OVERDUE)) == [theirs.number]
    assert "不在您的查看范围内" in html_of(client, OVERDUE, 400, unit="sunkou")
    client.logout()
    login(client, people.alice)
    assert numbers(html_of(client, OVERDUE)) == [ours.number]
    book = load_workbook(io.BytesIO(client.get(EXPORT).content), read_only=True)
    assert [r[0] for r in book.active.iter_rows(min_row=2, values_only=True)] == [ours.number]


def test_the_overdue_export_opens_in_openpyxl(
    people: People, client: Client, frozen: Callable[[dt.datetime], None]
) -> None:
    ticket = emergency(people, title="路灯不亮")
    frozen(at(2026, 6, 1, 11, 30))
    login(client, people.dispatcher)
    response = client.get(EXPORT)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "filename*=UTF-8''overdue-20260601-1130.xlsx" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:8] == (
        "工单号",
        "标题",
        "主办单位",
        "状态",
        "超期环节",
        "时限",
        "超期时长",
        "超期小时数",
    )
    assert rows[1][:8] == (
        ticket.number,
        "路灯不亮",
        "孙口镇人民政府",
        "待签收",
        "签收",
        "2026-06-01 10:30",
        "已超期 1 小时",
        1,
    )
    filtered = client.get(EXPORT, {"unit": "houmiao"})
    assert len(list(load_workbook(io.BytesIO(filtered.content)).active.iter_rows())) == 1


def test_boards_refuse_the_wrong_roles(people: People, client: Client) -> None:
    login(client, people.operator)
    for url in (DUE, OVERDUE, EXPORT, SUPERVISION):
        assert client.get(url).status_code == 403
    client.logout()
    login(client, people.alice)
    assert client.get(SUPERVISION).status_code == 403
    assert client.get(DUE).status_code == 200
    client.logout()
    login(client, people.org.leader)
    assert client.get(OVERDUE).status_code == 200
    assert client.get(SUPERVISION).status_code == 403
    client.logout()
    assert client.get(DUE).status_code == 302  # to the login page


def test_the_navigation_offers_the_boards_by_role(people: People, client: Client) -> None:
    login(client, people.alice)
    html = html_of(client, "/")
    assert 'href="/deadlines/due/"' in html and 'href="/deadlines/overdue/"' in html
    assert 'href="/deadlines/supervision/"' not in html
    client.logout()
    login(client, people.supervisor)
    assert 'href="/deadlines/supervision/"' in html_of(client, "/")
    client.logout()
    login(client, people.operator)
    assert 'href="/deadlines/due/"' not in html_of(client, "/")


# --- 督办 ----------------------------------------------------------------------------------------


@pytest.fixture
def one_hour_grace(settings) -> None:  # type: ignore[no-untyped-def]
    settings.MINSHENG_ESCALATION_GRACE_HOURS = 1


def test_the_supervision_board_lists_tickets_overdue_beyond_the_grace(
    people: People, client: Client, frozen: Callable[[dt.datetime], None], one_hour_grace: None
) -> None:
    late = emergency(people, title="早超期")  # sign due 10:30, escalates at 11:30
    frozen(at(2026, 6, 1, 11, 0))
    recent = emergency(people, lead="houmiao", title="刚超期")  # sign due 11:30
    frozen(at(2026, 6, 1, 11, 45))
    login(client, people.supervisor)
    html = html_of(client, SUPERVISION)
    assert numbers(html) == [late.number]
    assert "未督办" in row_of(html, late) and f"/deadlines/supervision/{late.number}/" in html
    assert f"/tickets/{late.number}/" in row_of(html, late)  # 改派 on the ticket page
    assert recent.number not in html


def test_tickets_the_worker_escalated_stay_on_the_board(
    people: People, client: Client, frozen: Callable[[dt.datetime], None], one_hour_grace: None
) -> None:
    ticket = emergency(people)
    frozen(at(2026, 6, 1, 11, 40))
    assert sweep_until_done() > 0
    assert TicketEvent.objects.filter(ticket=ticket, action="escalate").exists()
    actions.ticket_sign(ticket=ticket, actor=people.alice)  # the sign deadline is met, late
    login(client, people.supervisor)
    assert numbers(html_of(client, SUPERVISION)) == [ticket.number]


def test_supervising_calls_the_service_and_lists_the_supervision(
    people: People, client: Client, frozen: Callable[[dt.datetime], None]
) -> None:
    ticket = emergency(people)
    login(client, people.supervisor)
    form = html_of(client, f"/deadlines/supervision/{ticket.number}/")
    assert 'name="due_at"' in form and 'value="2026-06-02T10:00"' in form  # next working day
    response = client.post(
        f"/deadlines/supervision/{ticket.number}/",
        {
            "action": "supervise",
            "note": "请今日内联系诉求人",
            "due_at": "2026-06-02T12:00",
            "version": ticket.version,
        },
        follow=True,
    )
    assert response.status_code == 200
    assert f"已督办工单 {ticket.number}" in response.content.decode()
    supervision = Supervision.objects.get(ticket=ticket)
    assert supervision.due_at == at(2026, 6, 2, 12, 0) and supervision.by == people.supervisor
    assert TicketEvent.objects.filter(ticket=ticket, action="supervise").exists()
    frozen(at(2026, 6, 2, 10, 0))
    listed = html_of(client, SUPERVISION, tab="supervisions")
    assert numbers(listed) == [ticket.number]
    assert "请今日内联系诉求人" in listed and "剩余 2 小时" in row_of(listed, ticket)


@pytest.mark.parametrize(
    ("note", "due_at", "message"),
    [
        ("", "2026-06-02T12:00", "请填写督办意见。"),
        ("请尽快办理", "2026-06-01T09:00", "督办期限必须晚于当前时间。"),
        ("请尽快办理", "明天", "督办期限格式不正确。"),
        ("请尽快办理", "", "请填写督办期限。"),
    ],
)
def test_a_refused_supervision_shows_the_reason_in_chinese(
    people: People,
    client: Client,
    frozen: Callable[[dt.datetime], None],
    note: str,
    due_at: str,
    message: str,
) -> None:
    ticket = emergency(people)
    login(client, people.supervisor)
    response = client.post(
        f"/deadlines/supervision/{ticket.number}/",
        {"action": "supervise", "note": note, "due_at": due_at},
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Supervision.objects.exists()


def test_a_stale_page_is_refused_without_acting(
    people: People, client: Client, frozen: Callable[[dt.datetime], None]
) -> None:
    ticket = emergency(people)
    stale = ticket.version
    actions.ticket_sign(ticket=ticket, actor=people.alice)
    login(client, people.supervisor)
    response = client.post(
        f"/deadlines/supervision/{ticket.number}/",
        {"action": "supervise", "note": "请尽快", "due_at": "2026-06-02T12:00", "version": stale},
        follow=True,
    )
    assert "已被他人处理" in response.content.decode()
    assert not Supervision.objects.exists()


def test_reminding_calls_the_service(
    people: People, client: Client, frozen: Callable[[dt.datetime], None]
) -> None:
    ticket = emergency(people)
    login(client, people.supervisor)
    response = client.post(
        f"/deadlines/supervision/{ticket.number}/", {"action": "remind", "note": "请尽快签收"}
    )
    assert response.status_code == 302
    event = TicketEvent.objects.get(ticket=ticket, action="remind")
    assert event.note == "请尽快签收" and event.actor == people.supervisor


def test_remind_is_offered_only_while_a_unit_works_on_it(
    people: People, client: Client, frozen: Callable[[dt.datetime], None]
) -> None:
    waiting = replied(people)
    login(client, people.supervisor)
    assert 'data-action="remind"' not in html_of(
        client, f"/deadlines/supervision/{waiting.number}/"
    )
    response = client.post(f"/deadlines/supervision/{waiting.number}/", {"action": "remind"})
    assert response.status_code == 400 and "不能催办" in response.content.decode()
    assert response.status_code != 500


def test_supervising_a_ticket_out_of_sight_is_a_404(people: People, client: Client) -> None:
    login(client, people.supervisor)
    assert client.get("/deadlines/supervision/0000000000/").status_code == 404


# --- Query counts --------------------------------------------------------------------------------


def queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def pinned(client: Client, url: str, make: Callable[[], object], n: int = 2) -> int:
    """The query count with n rows and with 3n rows: it must not grow with the rows."""
    for _ in range(n):
        make()
    few = queries(client, url)
    for _ in range(2 * n):
        make()
    assert queries(client, url) == few
    return few


# The counts include the layout's own queries: session, user, roles, the user's unit in the
# header and the unread-messages badge; then the page's count and its rows.


def test_due_board_query_count_is_pinned(
    people: People, client: Client, frozen: Callable[[dt.datetime], None]
) -> None:
    login(client, people.dispatcher)
    assert pinned(client, DUE, lambda: emergency(people, lead="houmiao")) == 7


def test_due_board_query_count_is_pinned_for_a_unit(
    people: People, client: Client, frozen: Callable[[dt.datetime], None]
) -> None:
    login(client, people.alice)
    # 8: one of them (held_ids) tells which rows' titles the unit reads unmasked.
    assert pinned(client, DUE, lambda: emergency(people)) == 8


def test_overdue_board_query_count_is_pinned(
    people: People, client: Client, frozen: Callable[[dt.datetime], None]
) -> None:
    def make() -> None:
        frozen(T0)
        emergency(people, lead="houmiao")
        emergency(people)
        frozen(at(2026, 6, 1, 12, 0))

    login(client, people.dispatcher)
    assert pinned(client, OVERDUE, make) == 8


def test_supervision_board_query_counts_are_pinned(
    people: People, client: Client, frozen: Callable[[dt.datetime], None]
) -> None:
    def make() -> None:
        frozen(T0)
        ticket = emergency(people)
        actions.ticket_supervise(
            ticket=ticket, actor=people.supervisor, note="请尽快", due_at=at(2026, 6, 3, 10, 0)
        )
        frozen(at(2026, 6, 2, 12, 0))

    login(client, people.supervisor)
    assert pinned(client, SUPERVISION, make) == 7
    assert pinned(client, SUPERVISION + "?tab=supervisions", make) == 7


def test_boards_paginate_by_fifty(
    people: People, client: Client, frozen: Callable[[dt.datetime], None]
) -> None:
    for _ in range(51):
        emergency(people)
    login(client, people.alice)
    html = html_of(client, DUE)
    assert len(numbers(html)) == 50 and "共 51 件" in html and "第 1 / 2 页" in html
    assert len(numbers(html_of(client, DUE, page=2))) == 1


def test_a_unit_leader_sees_the_work_of_the_units_below(
    people: People, client: Client, frozen: Callable[[dt.datetime], None]
) -> None:
    boss = make_user("boss", people.org.sunkou, Role.UNIT_LEADER)
    team = emergency(people, lead="sunkou-nc1")
    frozen(at(2026, 6, 1, 12, 0))
    login(client, boss)
    html = html_of(client, OVERDUE)
    assert numbers(html) == [team.number]
    assert numbers(html_of(client, OVERDUE, unit="sunkou-nc1")) == [team.number]


def test_the_overdue_export_writes_a_planted_formula_as_text(
    people: People, client: Client, frozen: Callable[[dt.datetime], None]
) -> None:
    planted = "=1+cmd|' /C calc'!A0"
    emergency(people, title=planted)
    frozen(at(2026, 6, 1, 11, 30))
    login(client, people.dispatcher)
    book = load_workbook(io.BytesIO(client.get(EXPORT).content))
    kinds = {c.value: c.data_type for row in book.active.iter_rows() for c in row}
    assert kinds[planted] == "s"
    assert "f" not in kinds.values()
