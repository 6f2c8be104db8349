"""留言板 in a real browser: the hotline's operator approves a message from the moderation queue,
then a citizen on a cheap phone (375×812) finds it on the board, proves the phone and likes it;
the public pages fit the width without sideways scrolling and work without JavaScript."""

from __future__ import annotations

import re

import pytest

from minsheng.portal.models import PublicMessage
from tests.browser.test_portal_browser import code_for, fits, places
from tests.conftest import Org, browser_login
from tests.portal.board_helpers import report, tree

pytestmark = pytest.mark.browser

PHONE = "13700001111"


@pytest.mark.django_db(transaction=True)
def test_the_queue_approves_and_a_citizen_likes_on_a_phone(
    org: Org, live_server, browser_page
) -> None:  # type: ignore[no-untyped-def]
    places()
    tree()
    ticket = report("孙口村村口的路灯坏了一个多星期，晚上出门不方便，电话13912345678。")
    page = browser_page
    page.set_viewport_size({"width": 375, "height": 812})

    # The operator's moderation queue: the message is pending; 公开 approves it.
    browser_login(page, live_server.url, org.olga.username)
    page.click("nav >> text=留言审核")
    page.wait_for_url(re.compile(r".*/board/moderate/$"))
    row = page.locator(f"#message-{ticket.public_message.pk}")
    assert "139****5678" in row.inner_text() and "13912345678" not in row.inner_text()
    row.locator("button", has_text="公开").first.click()
    page.wait_for_url(re.compile(r".*/board/moderate/$"))
    assert "留言已公开" in page.inner_text("main")
    message = PublicMessage.objects.get()
    assert message.state == PublicMessage.State.APPROVED and message.moderated_by == org.olga
    page.click("text=退出")

    # A citizen: home → 留言板 → the message → 点赞附议 → prove the phone → 点赞附议.
    citizen = page.context.browser.new_context(
        viewport={"width": 375, "height": 812}, locale="zh-CN"
    ).new_page()
    citizen.goto(f"{live_server.url}/")
    citizen.click("text=留言板")
    citizen.wait_for_url(re.compile(r".*/h5/board/$"))
    assert "路灯坏了" in citizen.inner_text("main") and fits(citizen)
    assert "13912345678" not in citizen.content()
    citizen.click("text=路灯坏了")
    citizen.wait_for_url(re.compile(rf".*/h5/board/{message.pk}/$"))
    assert "0 人点赞附议" in citizen.inner_text("main") and fits(citizen)
    citizen.click("button:has-text('点赞附议')")
    citizen.wait_for_url(re.compile(r".*/h5/verify/like/.*"))
    assert fits(citizen)
    citizen.fill("input[name=phone]", PHONE)
    citizen.click("button[value=send]")
    citizen.fill("input[name=code]", code_for(PHONE))
    citizen.click("button[value=check]")
    citizen.wait_for_url(re.compile(rf".*/h5/board/{message.pk}/$"))
    citizen.click("button:has-text('点赞附议')")
    citizen.wait_for_url(re.compile(rf".*/h5/board/{message.pk}/\?liked=1$"))
    main = citizen.inner_text("main")
    assert "点赞成功" in main and "1 人点赞附议" in main and fits(citizen)
    message.refresh_from_db()
    assert message.like_count == 1
    citizen.context.close()


@pytest.mark.django_db(transaction=True)
def test_the_board_works_without_javascript(org: Org, live_server, browser_page) -> None:  # type: ignore[no-untyped-def]
    from minsheng.portal.board import services as board

    places()
    tree()
    ticket = report("孙口村村口的路灯坏了一个多星期，晚上出门不方便。")
    board.approve(message=ticket.public_message, actor=org.olga)
    context = browser_page.context.browser.new_context(
        java_script_enabled=False, viewport={"width": 375, "height": 812}, locale="zh-CN"
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/h5/board/")
    page.fill("input[name=q]", "路灯")
    page.click("summary")  # the filters fold away on a phone (<details>, no script needed)
    page.select_option("select[name=township]", "410927102000")
    page.click("button:has-text('查询')")
    assert "路灯坏了" in page.inner_text("main") and fits(page)
    assert "订阅“孙口镇”的新留言和答复" in page.inner_text("main")
    page.click("text=路灯坏了")
    assert "尚未答复" in page.inner_text("main") and fits(page)
    context.close()
