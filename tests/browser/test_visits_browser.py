"""走访 in a real browser on a phone (375×812): a 包村 cadre opens 包村走访 from the menu, taps
记录走访, fills the visit with two needs — one made a ticket, one put before the council — and
lands on the village's page with the visit; no page scrolls sideways."""

from __future__ import annotations

import re

import pytest

from minsheng.governance.models import Suggestion, Visit
from minsheng.tickets.models import Channel, Status, Ticket
from tests.browser.test_portal_browser import fits
from tests.conftest import People, browser_login
from tests.governance.visit_helpers import make_field

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_a_cadre_records_a_visit_with_two_needs_on_a_phone(  # type: ignore[no-untyped-def]
    live_server, browser_page, people: People
) -> None:
    f = make_field(people)
    page = browser_page
    page.set_viewport_size({"width": 375, "height": 812})
    browser_login(page, live_server.url, "cadre-wang")
    page.goto(f"{live_server.url}/governance/villages/")
    assert "孙码头村委会" in page.inner_text("#my-villages") and fits(page)
    page.click("a.big-button")
    page.wait_for_url(re.compile(r".*/governance/villages/visits/new/$"))
    assert fits(page)
    page.select_option("select[name=village]", f.village.code)
    page.fill("input[name=households]", "12")
    page.fill("textarea[name=note]", "入户走访，了解冬季取暖情况")
    page.fill("textarea[name=text_1]", "村东头机井水泵坏了，浇地困难")
    page.fill("input[name=name_1]", "孙德胜")
    page.fill("input[name=phone_1]", "13903931234")
    page.fill("textarea[name=text_2]", "建议在村小学门口设置减速带")
    page.check("input[name=outcome_2][value=suggestion]")
    assert fits(page)
    page.click("button:has-text('提交走访记录')")
    page.wait_for_url(re.compile(rf".*/governance/villages/v/{f.village.code}/$"))
    text = page.inner_text("main")
    assert "走访已记录：1 条诉求转为工单，1 条提交议事会" in text and fits(page)
    assert "139****1234" in page.inner_text("#visits") and "13903931234" not in text
    visit = Visit.objects.get()
    assert (visit.visitor_id, visit.households) == (f.cadre.pk, 12)
    ticket = Ticket.objects.get()
    assert (ticket.channel, ticket.status) == (Channel.VISIT, Status.NEW)
    assert Suggestion.objects.get().village_id == f.village.code


@pytest.mark.django_db(transaction=True)
def test_the_township_overview_and_assignments_fit_a_phone(  # type: ignore[no-untyped-def]
    live_server, browser_page, people: People
) -> None:
    f = make_field(people)
    page = browser_page
    page.set_viewport_size({"width": 375, "height": 812})
    browser_login(page, live_server.url, "leader-sunkou")
    page.goto(f"{live_server.url}/governance/villages/")
    assert "孙口镇" in page.inner_text("#townships") and fits(page)
    page.click("#townships >> text=孙口镇")
    page.wait_for_url(re.compile(r".*/governance/villages/t/410927102000/$"))
    assert "孙码头村委会" in page.inner_text("#not-visited") and fits(page)
    page.click("text=管理包村安排")
    page.wait_for_url(re.compile(r".*/assignments/$"))
    assert "王干部" in page.inner_text("#current") and fits(page)
    page.fill("input[name=person]", "lee")
    page.select_option("select[name=village]", f.wharf.code)
    page.select_option("select[name=duty]", "leader")
    page.click("#assign-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/assignments/$"))
    assert "包村安排已保存" in page.inner_text("main") and fits(page)
