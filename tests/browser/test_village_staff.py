"""村务公开 staff pages in a real browser on a phone (375×812): a village clerk logs in, drafts
an item and submits it; the township's reviewer logs in and publishes it from the queue; no
page scrolls sideways."""

from __future__ import annotations

import re

import pytest

from minsheng.villages.models import Item, ItemStatus
from tests.browser.test_portal_browser import fits
from tests.conftest import browser_login
from tests.villages.board_helpers import V1, build_world

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_a_clerk_drafts_and_the_reviewer_publishes_on_a_phone(live_server, browser_page) -> None:  # type: ignore[no-untyped-def]
    build_world()
    page = browser_page
    page.set_viewport_size({"width": 375, "height": 812})

    # The clerk: 村务公开 → his village's board → a new item → its edit page → submit.
    browser_login(page, live_server.url, "clerk1")
    page.click("nav >> text=村务公开")
    page.wait_for_url(re.compile(rf".*/villages/board/{V1}/$"))
    assert "新建公开事项" in page.inner_text("main") and fits(page)
    page.select_option("select[name=section]", "affairs")
    page.fill("input[name=title]", "2026年第四季度村务公开")
    page.select_option("select[name=period_kind]", "quarter")
    page.fill("input[name=period_day]", "2026-11-05")
    page.fill("textarea[name=body]", "低保评议结果：经村民代表会议评议，新增低保户 2 户。")
    page.click("button:has-text('保存草稿')")
    page.wait_for_url(re.compile(r".*/villages/items/\d+/edit/$"))
    assert "草稿已保存" in page.inner_text("main") and fits(page)
    page.click("#submit button:has-text('提交审核')")
    page.wait_for_url(re.compile(r".*/villages/items/\d+/$"))
    assert "已提交审核" in page.inner_text("main") and fits(page)
    item = Item.objects.get()
    assert item.status == ItemStatus.SUBMITTED
    page.click("text=退出")

    # The township's reviewer: 村务公开 → the queue → the item → 审核通过.
    browser_login(page, live_server.url, "reviewer")
    page.click("nav >> text=村务公开")
    page.wait_for_url(re.compile(r".*/villages/$"))
    assert "2026年第四季度村务公开" in page.inner_text("#queue") and fits(page)
    page.click("#queue >> text=2026年第四季度村务公开")
    page.wait_for_url(re.compile(rf".*/villages/items/{item.pk}/$"))
    assert "乡镇审核" in page.inner_text("main") and fits(page)
    page.click("button:has-text('审核通过')")
    page.wait_for_url(re.compile(rf".*/villages/items/{item.pk}/$"))
    assert "已公开" in page.inner_text("main") and fits(page)
    item.refresh_from_db()
    assert item.status == ItemStatus.PUBLISHED and item.published_at is not None

    page.goto(f"{live_server.url}/villages/board/{V1}/")
    assert "已公开" in page.inner_text("#published") and fits(page)
    page.click("text=退出")

    # The statement editor fits a phone too, and adds rows without JavaScript's help.
    browser_login(page, live_server.url, "clerk1")
    page.goto(f"{live_server.url}/villages/board/{V1}/")
    page.select_option("select[name=section]", "finance")
    page.fill("input[name=title]", "2026年11月财务收支明细")
    page.select_option("select[name=period_kind]", "month")
    page.fill("input[name=period_day]", "2026-11-01")
    page.click("button:has-text('保存草稿')")
    page.wait_for_url(re.compile(r".*/villages/items/\d+/edit/$"))
    assert fits(page)
    page.fill("input[name=opening]", "1000")
    page.fill("input[name=closing]", "1500")
    page.fill("input[name=date-1]", "2026-11-03")
    page.select_option("select[name=direction-1]", "income")
    page.fill("input[name=summary-1]", "土地承包费收入")
    page.fill("input[name=amount-1]", "600")
    page.click("button:has-text('再加 5 行')")
    assert page.locator("fieldset.v-row").count() == 10 and fits(page)
    page.click("button:has-text('保存收支明细')")
    assert "相差 -100.00" in page.inner_text("#statement") and fits(page)
    page.screenshot(path="/tmp/vboard-statement.png", full_page=True)
