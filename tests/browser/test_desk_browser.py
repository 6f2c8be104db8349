"""The operator desk in a real browser: keyboard only, from the caller's number to the ticket.

Headless Chromium from Debian (`apt-get install -y chromium`), driven by Playwright's Python API;
skipped when the browser is absent. No fonts are required: assertions read the DOM, not pixels.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from minsheng.org.models import Division
from minsheng.tickets.knowledge import article_create
from minsheng.tickets.models import Status, Ticket
from minsheng.worker.loop import Worker
from tests.conftest import Org, People, browser_login
from tests.factories import new_ticket

pytestmark = pytest.mark.browser

SCREENSHOT = Path(os.environ.get("DESK_SCREENSHOT", "/tmp/desk.png"))


@pytest.mark.django_db(transaction=True)
def test_the_operator_takes_a_call_with_the_keyboard(org: Org, live_server, browser_page) -> None:  # type: ignore[no-untyped-def]
    for code, name, level, parent in [
        ("410927000000", "台前县", 3, None),
        ("410927102000", "孙口镇", 4, "410927000000"),
        ("410927102201", "前王集村", 5, "410927102000"),
    ]:
        Division.objects.create(code=code, name=name, level=level, parent_id=parent)
    page = browser_page
    browser_login(page, live_server.url, org.olga.username)

    page.goto(f"{live_server.url}/desk/new?caller=13800000000")
    assert page.input_value("input[name=citizen_phone]") == "13800000000"
    # The title has the focus: the operator starts typing at once.
    assert page.evaluate("document.activeElement.name") == "title"
    page.keyboard.type("村口路灯不亮")
    page.keyboard.press("Tab")
    page.keyboard.type("前王集村村口路灯三晚不亮，夜间出行不便。")
    page.keyboard.press("Tab")
    page.keyboard.press("3")  # kind: "3 投诉", picked by its shortcut digit
    assert page.input_value("select[name=kind]") == "complaint"
    page.keyboard.press("Tab")  # urgency stays 一般
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "citizen_name"
    page.keyboard.type("王五")

    # The place type-ahead: pinyin initials, ↓ or Enter picks.
    page.focus("#place-q")
    page.keyboard.type("qwj")
    page.wait_for_selector("#place-slot button[data-code='410927102201']")
    page.keyboard.press("Enter")
    assert page.input_value("select[name=village]") == "410927102201"
    assert page.input_value("select[name=township]") == "410927102000"
    assert page.evaluate("document.activeElement.name") == "address"
    page.keyboard.type("村口十字路")
    page.screenshot(path=str(SCREENSHOT.with_name("desk-form.png")), full_page=True)
    page.keyboard.press("Enter")  # Enter in a text field submits the call

    page.wait_for_url(re.compile(r".*/tickets/\d+/$"))
    ticket = Ticket.objects.get()
    assert ticket.status == Status.NEW and ticket.kind == "complaint"
    assert ticket.division_id == "410927102201" and ticket.citizen_phone == "13800000000"
    assert ticket.number in page.inner_text("h1")
    assert "受理" in page.inner_text(".timeline")
    page.screenshot(path=str(SCREENSHOT), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_the_callers_history_appears_as_the_number_is_typed(
    people: People, live_server, browser_page
) -> None:  # type: ignore[no-untyped-def]
    earlier = new_ticket(people, title="上次反映的路灯")  # 138 0013 8000
    page = browser_page
    page.set_viewport_size({"width": 375, "height": 800})  # a phone: no sideways scroll
    browser_login(page, live_server.url, people.operator.username)
    page.goto(f"{live_server.url}/desk/new")
    assert "来电号码的历史工单显示在这里" in page.inner_text("#caller-slot")
    page.focus("input[name=citizen_phone]")
    page.keyboard.type("138 0013 8000")
    page.wait_for_selector(f"#caller-slot a:has-text('{earlier.number}')")
    assert "上次反映的路灯" in page.inner_text("#caller-slot")
    page.fill("input[name=citizen_phone]", "13900139000")
    page.wait_for_selector("#caller-slot :text('该号码没有历史工单')")
    assert earlier.number not in page.inner_text("#caller-slot")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.django_db(transaction=True)
def test_the_operator_answers_a_consultation_from_the_knowledge_base(
    people: People, live_server, browser_page
) -> None:  # type: ignore[no-untyped-def]
    body = "城乡居民医保每年9月至12月集中缴费，可通过微信“河南税务”或到村卫生室代缴。"
    article_create(actor=people.operator, title="城乡居民医保缴费", body=body)
    page = browser_page
    page.set_viewport_size({"width": 375, "height": 800})  # on a phone too
    browser_login(page, live_server.url, people.operator.username)
    page.goto(f"{live_server.url}/desk/new")
    page.fill("input[name=title]", "医保怎么缴费")
    page.fill("textarea[name=description]", "咨询明年城乡居民医保在哪里缴费。")
    page.fill("#kb-q", "医保缴费")
    page.press("#kb-q", "Enter")
    page.click("#kb-results button.kb-insert")
    assert page.input_value("textarea[name=answer]") == body
    assert page.input_value("select[name=kind]") == "consultation"  # was not chosen yet
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(SCREENSHOT.with_name("desk-answer.png")), full_page=True)
    page.click("button[name=direct_answer]")
    page.wait_for_url(re.compile(r".*/tickets/\d+/$"))
    ticket = Ticket.objects.get()
    assert ticket.status == Status.CLOSED and ticket.reply_text == body
    assert "已直接答复并办结" in page.inner_text("body")


@pytest.mark.django_db(transaction=True)
def test_a_second_call_about_the_same_problem_finds_the_first(
    people: People, live_server, browser_page
) -> None:  # type: ignore[no-untyped-def]
    """The duplicate index in a running installation: the first call taken at the desk, one
    pass of the worker, then the second call's panel lists the first as a merge candidate."""
    page = browser_page
    browser_login(page, live_server.url, people.operator.username)
    page.goto(f"{live_server.url}/desk/new")
    page.fill("input[name=title]", "铭功路路灯不亮")
    page.fill("textarea[name=description]", "孙口镇铭功路东段路灯连续三晚不亮，夜间出行不便。")
    page.select_option("select[name=kind]", "complaint")
    page.click("button.primary[type=submit]")
    page.wait_for_url(re.compile(r".*/tickets/\d+/$"))
    first = Ticket.objects.get()

    Worker(batch=50).run_once()

    page.goto(f"{live_server.url}/desk/new")
    page.fill("input[name=title]", "路灯坏了")
    page.focus("textarea[name=description]")
    page.keyboard.type("铭功路的路灯坏了好几天了，晚上黑漆漆的走路不方便")
    page.wait_for_selector(f"#similar-slot .text-similar a:has-text('{first.number}')")
