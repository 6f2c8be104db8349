"""四议两公开 on a phone (375×812): a village clerk records a step, is refused an inquorate
meeting with the law's rule in Chinese, and the township's reviewer sees the matter; no page
scrolls sideways."""

from __future__ import annotations

import re

import pytest

from minsheng.villages.models import Step
from tests.browser.test_portal_browser import fits
from tests.conftest import browser_login
from tests.villages.test_matters import fill_registers, make_villages, open_matter

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_a_clerk_records_a_step_on_a_phone(live_server, browser_page) -> None:  # type: ignore[no-untyped-def]
    v = make_villages()
    fill_registers(v.clerk)
    matter = open_matter(v.clerk, "村西主干道硬化")
    page = browser_page
    page.set_viewport_size({"width": 375, "height": 812})
    browser_login(page, live_server.url, v.clerk.username)

    page.goto(f"{live_server.url}/villages/matters/")
    page.wait_for_url(re.compile(r".*/villages/matters/v/410927102201/$"))
    assert "村西主干道硬化" in page.inner_text("main")
    assert fits(page)

    page.click("text=村西主干道硬化")
    page.wait_for_url(re.compile(rf".*/villages/matters/{matter.pk}/$"))
    assert "下一步：① 村党组织提议" in page.inner_text("main")
    assert fits(page)
    # Two of five members is below the quorum: refused, the rule shown, nothing stored.
    page.fill("input[name=held_on]", "2026-03-01")
    page.fill("input[name=present]", "2")
    page.fill("input[name=votes_for]", "2")
    page.fill("input[name=votes_against]", "0")
    page.fill("input[name=votes_abstain]", "0")
    page.click("button:has-text('保存记录')")
    page.wait_for_load_state()
    text = page.inner_text("main")
    assert "村党组织会议须有过半数委员到会方可开会：应到 5 人，实到 2 人，至少需 3 人" in text
    assert not Step.objects.exists()
    assert fits(page)
    # Four of five, all for: recorded.
    page.fill("input[name=present]", "4")
    page.fill("input[name=votes_for]", "4")
    page.click("button:has-text('保存记录')")
    page.wait_for_url(re.compile(rf".*/villages/matters/{matter.pk}/$"))
    assert "下一步：② 村“两委”会商议" in page.inner_text("main")
    assert Step.objects.get().expected == 5
    assert fits(page)

    page.goto(f"{live_server.url}/villages/matters/v/410927102201/registers/")
    assert "村民代表会议组成人员（今天 31 人）" in page.inner_text("main")
    assert fits(page)

    # The township's reviewer sees it on the overview.
    page.context.clear_cookies()
    browser_login(page, live_server.url, v.reviewer.username)
    page.goto(f"{live_server.url}/villages/matters/")
    page.wait_for_url(re.compile(r".*/villages/matters/overview/$"))
    main = page.inner_text("main")
    assert "村西主干道硬化" in main and "孙口村" in main
    assert fits(page)
