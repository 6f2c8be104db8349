"""The township's oversight page on a phone (375×812): a reviewer logs in, lands on their
township's table, reads what is late; a leader goes from the county's page to a township.
The pages fit the width (the tables scroll inside their frame)."""

from __future__ import annotations

import re

import pytest
import time_machine

from minsheng.villages import clock
from tests.browser.test_portal_browser import fits
from tests.conftest import Org, browser_login
from tests.villages.clock_helpers import at, make_county

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_a_reviewer_and_a_leader_read_the_oversight_on_a_phone(
    org: Org, live_server, browser_page
) -> None:  # type: ignore[no-untyped-def]
    with time_machine.travel(at(2026, 12, 6, 12), tick=False):
        county = make_county(now=at(2026, 12, 6))
    clock.sweep_boards(now=at(2026, 12, 6, 12))
    page = browser_page
    page.set_viewport_size({"width": 375, "height": 812})
    browser_login(page, live_server.url, county.reviewer.username)
    page.click("nav >> text=村务监督")
    page.wait_for_url(re.compile(r".*/villages/oversight/township/410927102/$"))
    main = page.inner_text("main")
    assert "孙口镇各村村务公开" in main and "桥北张村" in main and "村务公开、财务公开" in main
    assert fits(page)
    page.click("text=退出")

    browser_login(page, live_server.url, org.leader.username)
    page.goto(f"{live_server.url}/villages/oversight/area/410927/")
    assert "孙口镇" in page.inner_text("main") and fits(page)
    page.click("#areas >> text=侯庙镇")
    page.wait_for_url(re.compile(r".*/township/410927103/$"))
    assert "侯庙村" in page.inner_text("main") and fits(page)
