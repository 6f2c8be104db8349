"""民生实事 in headless Chromium at 375×812: a leader sees the commitment progress page, and the
public sees the published list; neither scrolls sideways."""

from __future__ import annotations

import pytest

from tests.conftest import browser_login
from tests.governance.commitment_helpers import example

pytestmark = pytest.mark.browser


def fits(page) -> bool:  # type: ignore[no-untyped-def]
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


@pytest.mark.django_db(transaction=True)
def test_a_leader_sees_the_commitment_progress(live_server, browser_page, org) -> None:  # type: ignore[no-untyped-def]
    ex = example(org)
    page = browser_page
    page.set_viewport_size({"width": 375, "height": 812})
    browser_login(page, live_server.url, "lee")
    page.get_by_role("link", name="民生实事").first.click()
    page.wait_for_url(f"{live_server.url}/governance/commitments/{ex.clist.pk}/")
    assert page.locator("#overall").inner_text() == "35.3%"
    assert page.locator("#commitments progress").count() == 3
    assert fits(page)
    page.get_by_role("link", name="1. 农村道路").click()
    assert page.locator("#progress").inner_text() == "45.6%"
    assert page.locator("#works li").count() >= 2
    assert fits(page)
    # The public page of the same (published) list.
    page.goto(f"{live_server.url}/h5/commitments/")
    page.get_by_role("link", name="2026年十大民生实事").first.click()
    assert page.locator("progress").count() >= 3
    assert "孙口镇桥梁维修" in page.content()
    assert fits(page)
