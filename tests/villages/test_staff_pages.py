"""The board's staff pages: a clerk drafts, edits, types a statement (blank rows without
JavaScript), submits; the reviewers' queue approves or returns; every object outside the
user's villages is a 404; list pages have pinned query counts."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from minsheng.org.models import Role
from minsheng.villages.models import FinanceStatement, Item, ItemStatus, ReviewBy
from minsheng.villages.services import finance, items
from tests.conftest import PASSWORD, make_user
from tests.villages.board_helpers import V1, V2, V3, World, draft, refreshed, set_review_by, world

__all__ = ["world"]

pytestmark = pytest.mark.django_db


def login(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def text(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode()


def test_the_village_roles_have_their_home(world: World) -> None:
    for username, heading in (
        ("clerk1", "村干部工作台"),
        ("monitor1", "村务监督委员会"),
        ("reviewer", "乡镇村务审核"),
    ):
        page = text(login(username).get("/"))
        assert heading in page and 'href="/villages/"' in page, username


def test_the_clerk_drafts_edits_and_submits(world: World) -> None:
    clerk = login("clerk1")
    home = clerk.get("/villages/")
    assert home.status_code == 302 and home["Location"] == f"/villages/board/{V1}/"
    page = clerk.get(f"/villages/board/{V1}/")
    assert page.status_code == 200 and "新建公开事项" in text(page) and "孙口村委会" in text(page)
    response = clerk.post(
        f"/villages/board/{V1}/new/",
        {
            "section": "affairs",
            "title": "村道硬化工程进展",
            "period_kind": "immediate",
            "period_day": "2026-11-20",
            "body": "村南主干道硬化 1.2 公里，已完成路基。",
        },
    )
    item = Item.objects.get()
    assert (
        response.status_code == 302 and response["Location"] == f"/villages/items/{item.pk}/edit/"
    )
    edit = clerk.get(f"/villages/items/{item.pk}/edit/")
    assert edit.status_code == 200 and "村南主干道" in text(edit)
    response = clerk.post(
        f"/villages/items/{item.pk}/edit/",
        {
            "title": "村道硬化工程进展（11月）",
            "period_kind": "immediate",
            "period_day": "2026-11-20",
            "body": "村南主干道硬化 1.2 公里，已完成路基和水稳层。",
            "revision": str(item.revision),
        },
    )
    assert response.status_code == 302
    # The same form posted again is stale: refused on the page, nothing changed.
    stale = clerk.post(
        f"/villages/items/{item.pk}/edit/",
        {
            "title": "别的标题",
            "period_kind": "immediate",
            "period_day": "2026-11-20",
            "body": "",
            "revision": str(item.revision),
        },
    )
    assert stale.status_code == 400 and "已被别人修改" in text(stale)
    assert refreshed(item).title == "村道硬化工程进展（11月）"
    response = clerk.post(
        f"/villages/items/{item.pk}/submit/", {"revision": str(refreshed(item).revision)}
    )
    assert response.status_code == 302
    assert refreshed(item).status == ItemStatus.SUBMITTED
    # The item's staff page shows its audit trail.
    detail = text(clerk.get(f"/villages/items/{item.pk}/"))
    assert "起草" in detail and "修改" in detail and "提交审核" in detail


def test_the_statement_editor_adds_rows_without_javascript_and_names_bad_lines(
    world: World,
) -> None:
    item = draft(world, section="finance", title="11月财务", kind="month", body="")
    clerk = login("clerk1")
    edit = text(clerk.get(f"/villages/items/{item.pk}/edit/"))
    assert 'name="rows" value="5"' in edit and "下载 Excel 模板" in edit
    form = {
        "revision": str(item.revision),
        "rows": "5",
        "opening": "1000",
        "closing": "1500",
        "date-1": "2026-11-03",
        "direction-1": "income",
        "summary-1": "土地承包费收入",
        "amount-1": "800",
        "date-2": "2026-11-09",
        "direction-2": "expense",
        "summary-2": "路灯电费",
        "amount-2": "300",
    }
    more = clerk.post(f"/villages/items/{item.pk}/statement/", {**form, "more": "1"})
    assert more.status_code == 200 and 'name="rows" value="10"' in text(more)
    assert "土地承包费收入" in text(more) and not FinanceStatement.objects.exists()
    bad = clerk.post(f"/villages/items/{item.pk}/statement/", {**form, "closing": "1600"})
    assert bad.status_code == 400 and "收支不平" in text(bad) and "相差 100.00" in text(bad)
    assert not FinanceStatement.objects.exists()
    bad = clerk.post(f"/villages/items/{item.pk}/statement/", {**form, "date-2": "2026-12-09"})
    assert bad.status_code == 400 and "第 2 行" in text(bad) and "不在本期" in text(bad)
    good = clerk.post(f"/villages/items/{item.pk}/statement/", form)
    assert good.status_code == 302
    assert FinanceStatement.objects.get().lines.count() == 2


def test_the_reviewers_queue_approves_and_returns(world: World) -> None:
    first = draft(world, title="低保评议结果公示")
    second = draft(world, title="发展党员公示", section="party", kind="immediate")
    other = draft(world, code=V3, title="侯庙村公开")
    for item in (first, second):
        items.item_submit(actor=world.clerk, item=item)
    items.item_submit(actor=world.clerk3, item=other)
    reviewer = login("reviewer")
    page = text(reviewer.get("/villages/review/"))
    assert "低保评议结果公示" in page and "发展党员公示" in page and "侯庙村公开" not in page
    assert "村务公开" in text(reviewer.get("/"))  # the navigation's entry
    response = reviewer.post(
        f"/villages/items/{first.pk}/review/",
        {
            "decision": "approve",
            "note": "",
            "revision": str(refreshed(first).revision),
            "from": "queue",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/villages/review/"
    assert refreshed(first).status == ItemStatus.PUBLISHED
    # Returning without a reason is refused on the page; with one it goes back to the clerk.
    reviewer.post(
        f"/villages/items/{second.pk}/review/",
        {"decision": "return", "note": "", "revision": str(refreshed(second).revision)},
    )
    assert refreshed(second).status == ItemStatus.SUBMITTED
    reviewer.post(
        f"/villages/items/{second.pk}/review/",
        {
            "decision": "return",
            "note": "请附党支部决议",
            "revision": str(refreshed(second).revision),
        },
    )
    assert refreshed(second).status == ItemStatus.RETURNED
    edit = text(login("clerk1").get(f"/villages/items/{second.pk}/edit/"))
    assert "请附党支部决议" in edit
    # The monitor has nothing to review under the township setting; under "both" he has.
    assert "没有待审核" in text(login("monitor1").get("/villages/review/"))
    set_review_by(V1, ReviewBy.BOTH)
    third = draft(world, title="集体土地承包公示")
    items.item_submit(actor=world.clerk, item=third)
    assert "集体土地承包公示" in text(login("monitor1").get("/villages/review/"))
    assert "集体土地承包公示" not in text(reviewer.get("/villages/review/"))


def test_scoping_answers_404_outside_the_users_villages(world: World) -> None:
    item = draft(world)
    items.item_submit(actor=world.clerk, item=item)
    theirs = draft(world, code=V2, title="孙码头村公开")
    for username, allowed in (
        ("clerk1", {V1}),
        ("clerk2", {V2}),
        ("monitor1", {V1}),
        ("monitor2", {V2}),
        ("reviewer", {V1, V2}),
        ("reviewer2", {V3}),
        ("root", {V1, V2, V3}),
    ):
        client = login(username)
        for code in (V1, V2, V3):
            status = client.get(f"/villages/board/{code}/").status_code
            assert (status == 200) == (code in allowed), (username, code, status)
        for it in (item, theirs):
            status = client.get(f"/villages/items/{it.pk}/").status_code
            assert (status == 200) == (it.board_id in allowed), (username, it.pk, status)
    # A clerk edits only his village: the other village's item is a 404 on every form.
    clerk2 = login("clerk2")
    for url in (
        f"/villages/items/{item.pk}/edit/",
        f"/villages/items/{item.pk}/submit/",
        f"/villages/items/{item.pk}/correct/",
        f"/villages/items/{item.pk}/statement/",
        f"/villages/board/{V1}/new/",
    ):
        assert clerk2.post(url, {"title": "x"}).status_code == 404, url
    # A reviewer of the other township cannot review it.
    response = login("reviewer2").post(
        f"/villages/items/{item.pk}/review/", {"decision": "approve", "revision": "0"}
    )
    assert response.status_code == 404
    assert refreshed(item).status == ItemStatus.SUBMITTED
    # A monitor may read his village's drafts but not edit them.
    assert login("monitor1").get(f"/villages/items/{item.pk}/edit/").status_code == 404
    # Staff without a village role are refused the section.
    make_user("handler", None, Role.HANDLER)
    assert login("handler").get("/villages/").status_code == 403
    assert Client().get("/villages/").status_code == 302  # to the login page


def test_statement_export_and_template(world: World) -> None:
    item = draft(world, section="finance", title="11月财务", kind="month", body="")
    finance.statement_save(
        actor=world.clerk,
        item=item,
        revision=None,
        opening="100",
        closing="150",
        lines=[
            finance.LineInput(
                number=1, date="2026-11-02", direction="收入", summary="租金", amount="50"
            )
        ],
    )
    url = f"/villages/items/{item.pk}/statement.xlsx"
    assert Client().get(url).status_code == 404  # not published yet
    assert login("clerk1").get(url).status_code == 200
    items.item_submit(actor=world.clerk, item=item)
    items.item_review(actor=world.reviewer, item=item, approve=True)
    response = Client().get(url)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None and sheet["C5"].value == "租金"
    template = Client().get("/villages/statement-template.xlsx")
    assert template.status_code == 200
    sheet = load_workbook(io.BytesIO(template.content)).active
    assert sheet is not None and sheet["A4"].value == "日期"


def test_a_correction_from_the_item_page(world: World) -> None:
    item = draft(world)
    items.item_submit(actor=world.clerk, item=item)
    items.item_review(actor=world.reviewer, item=item, approve=True)
    clerk = login("clerk1")
    page = text(clerk.get(f"/villages/items/{item.pk}/"))
    assert "发起更正" in page
    response = clerk.post(f"/villages/items/{item.pk}/correct/", {"correction_note": "户数有误"})
    correction = Item.objects.get(supersedes=item)
    assert response["Location"] == f"/villages/items/{correction.pk}/edit/"
    items.item_submit(actor=world.clerk, item=correction)
    items.item_review(actor=world.reviewer, item=correction, approve=True)
    board = text(clerk.get(f"/villages/board/{V1}/"))
    assert "更正" in board and f"已于 {timezone.localdate():%Y}" in board


def _fill(world: World, n: int) -> None:
    for i in range(n):
        item = draft(world, title=f"公开事项 {i}")
        if i % 3:
            items.item_submit(actor=world.clerk, item=item)
            if i % 3 == 2:
                items.item_review(actor=world.reviewer, item=item, approve=True)


def test_list_pages_have_pinned_query_counts(
    world: World,
    django_assert_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    clerk, reviewer = login("clerk1"), login("reviewer")
    _fill(world, 3)
    counts = {}
    for name, client, url in (
        ("board", clerk, f"/villages/board/{V1}/"),
        ("queue", reviewer, "/villages/review/"),
        ("home", reviewer, "/villages/"),
    ):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts[name] = len(ctx.captured_queries)
    _fill(world, 9)
    # The same number of queries with four times the rows; and the numbers are pinned.
    with django_assert_num_queries(counts["board"]):
        clerk.get(f"/villages/board/{V1}/")
    with django_assert_num_queries(counts["queue"]):
        reviewer.get("/villages/review/")
    with django_assert_num_queries(counts["home"]):
        reviewer.get("/villages/")
    assert counts == {"board": 10, "queue": 7, "home": 8}


def test_the_demo_seeds_a_handful_of_sunkou_boards(db: None) -> None:
    from minsheng.org.demo import seed_demo
    from minsheng.villages.demo import REVIEWER, seed_demo_villages
    from minsheng.villages.models import Board

    seed_demo(password="demo-password-1")
    assert seed_demo_villages(password="demo-password-1") == 6
    boards = Board.objects.filter(items__isnull=False).distinct()
    assert sorted(boards.values_list("pk", flat=True)) == [f"410927102{n}" for n in range(201, 207)]
    assert Board.objects.count() == 377  # the rest are empty: a new installation's truth
    published = Item.objects.filter(status=ItemStatus.PUBLISHED)
    assert published.filter(section="finance").count() == 6 * 4 + 1  # and one correction
    assert set(published.values_list("section", flat=True)) == {"finance", "affairs", "party"}
    correction = Item.objects.get(supersedes__isnull=False)
    assert correction.status == ItemStatus.PUBLISHED and correction.correction_note
    assert correction.supersedes.status == ItemStatus.PUBLISHED  # type: ignore[union-attr]
    for statement in FinanceStatement.objects.all():
        lines = statement.lines.all()
        net = sum(x.amount if x.direction == "income" else -x.amount for x in lines)
        assert statement.opening_balance + net == statement.closing_balance
    # Published on their dates (August–November's items in September–December).
    first = published.order_by("published_at").first()
    assert first is not None and first.published_at is not None
    assert first.published_at.date() >= dt.date(2026, 9, 1)
    # The township's reviewer has one item waiting; he logs in with the demo's password.
    client = Client()
    assert client.login(username=REVIEWER, password="demo-password-1")
    assert "冬季用电安全提示" in text(client.get("/villages/review/"))
    assert client.login(username="clerk-sunkou-201", password="demo-password-1")
    # Running it again adds nothing.
    count = Item.objects.count()
    assert seed_demo_villages(password="demo-password-1") == 0
    assert Item.objects.count() == count
