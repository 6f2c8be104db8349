"""智能派单 in a real browser, on the demo county: a street-lamp call from a village of 孙口镇
is suggested to 孙口镇人民政府, the dispatcher's form has it pre-selected, and a similar second
call finds the first as a duplicate candidate."""

from __future__ import annotations

import re

import pytest

from minsheng.org.demo import seed_demo
from minsheng.tickets.catalogue import seed_demo_catalogue
from minsheng.tickets.models import Ticket
from minsheng.worker.loop import Worker
from tests.conftest import PASSWORD, browser_login

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_a_village_street_lamp_goes_to_its_township(live_server, browser_page) -> None:  # type: ignore[no-untyped-def]
    seed_demo(password=PASSWORD)
    seed_demo_catalogue()
    page = browser_page
    browser_login(page, live_server.url, "operator")
    page.goto(f"{live_server.url}/desk/new")
    page.fill("input[name=title]", "村口路灯坏了")
    page.focus("textarea[name=description]")
    page.keyboard.type("孙口村村口的路灯坏了好几天，晚上黑乎乎的，老人出门不方便。")
    page.select_option("select[name=kind]", "complaint")
    page.focus("#place-q")
    page.keyboard.type("孙口村")
    page.click("#place-slot button[data-code='410927102201']")
    assert page.input_value("select[name=village]") == "410927102201"
    # The suggestion names the township government, sure enough to pre-select, with the reason.
    unit = page.wait_for_selector("#triage-unit[data-unit='sunkou'][data-preselect='1']")
    assert unit is not None and "孙口镇人民政府" in unit.inner_text()
    assert "属地" in unit.inner_text()
    page.click("button.primary[type=submit]")
    page.wait_for_url(re.compile(r".*/tickets/\d+/$"))
    first = Ticket.objects.get()

    # The dispatcher's form has the unit selected, and the picker filters by pinyin initials.
    page.context.clear_cookies()
    browser_login(page, live_server.url, "dispatcher")
    page.goto(f"{live_server.url}/tickets/{first.number}/")
    assert page.input_value("select[name=lead_unit]") == "sunkou"
    assert "属地" in page.inner_text(".suggested-unit")
    page.fill("input.unit-filter >> nth=0", "hmzrmzf")
    assert page.input_value("select[name=lead_unit]") == "houmiao"
    page.fill("input.unit-filter >> nth=0", "")

    # A similar second call finds the first once the worker has indexed it.
    Worker(batch=50).run_once()
    page.context.clear_cookies()
    browser_login(page, live_server.url, "operator")
    page.goto(f"{live_server.url}/desk/new")
    page.fill("input[name=title]", "路灯不亮")
    page.focus("textarea[name=description]")
    page.keyboard.type("孙口村村口那几盏路灯还是坏的，晚上黑乎乎的。")
    page.wait_for_selector(f"#similar-slot .text-similar a:has-text('{first.number}')")
