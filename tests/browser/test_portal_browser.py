"""群众端 in a real browser at 375×812 (a cheap phone): a citizen proves the phone, reports
with a photo, tracks it; every page fits the width without sideways scrolling; 大字模式 works;
the report works with JavaScript off."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image

from minsheng.notify.models import Outbox
from minsheng.org.models import Division
from minsheng.tickets.models import Channel, Ticket
from tests.conftest import Org

pytestmark = pytest.mark.browser

PHONE = "13912345678"


def places() -> None:
    make = Division.objects.create
    county = make(code="410927000000", name="台前县", level=3)
    town = make(code="410927102000", name="孙口镇", level=4, parent=county)
    make(code="410927102201", name="孙口村委会", level=5, parent=town)


def fits(page) -> bool:  # type: ignore[no-untyped-def]
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def code_for(phone: str) -> str:
    row = Outbox.objects.filter(recipient=phone, template="portal_code_sms").order_by("-id").first()
    assert row is not None
    return str(row.context["code"])


@pytest.mark.django_db(transaction=True)
def test_a_citizen_reports_with_a_photo_on_a_phone(
    org: Org, live_server, browser_page, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    places()
    page = browser_page
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(f"{live_server.url}/")
    assert "我要反映" in page.inner_text("main") and fits(page)
    page.click("text=我要反映")
    page.fill("input[name=phone]", PHONE)
    page.click("button[value=send]")
    assert "验证码已发送" in page.inner_text("main") and fits(page)
    page.fill("input[name=code]", code_for(PHONE))
    page.click("button[value=check]")
    page.wait_for_url(re.compile(r".*/h5/report/$"))
    assert fits(page)
    page.check("input[name=kind][value=complaint]")
    page.fill("textarea[name=text]", "孙口村村口的路灯坏了一个多星期，晚上出门不方便。")
    page.fill("input.unit-filter", "skc")  # the place filter: pinyin initials
    page.select_option("select[name=division]", "410927102201")
    picture = tmp_path / "lamp.jpg"
    Image.new("RGB", (3000, 2000), (90, 90, 90)).save(picture, format="JPEG")
    page.set_input_files("input[name=photos]", str(picture))
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/h5/receipt/.+/$"))
    ticket = Ticket.objects.get()
    assert ticket.channel == Channel.H5 and ticket.attachments.count() == 1
    assert ticket.number in page.inner_text("main") and fits(page)
    page.click("text=查看办理进度")
    assert "受理" in page.inner_text("main") and fits(page)
    page.click("text=大字模式")
    assert page.evaluate("document.documentElement.classList.contains('big')") and fits(page)


@pytest.mark.django_db(transaction=True)
def test_reporting_works_with_javascript_off(org: Org, live_server, browser_page) -> None:  # type: ignore[no-untyped-def]
    places()
    context = browser_page.context.browser.new_context(
        java_script_enabled=False, viewport={"width": 375, "height": 812}, locale="zh-CN"
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/h5/verify/report/")
    page.fill("input[name=phone]", PHONE)
    page.click("button[value=send]")
    page.fill("input[name=code]", code_for(PHONE))
    page.click("button[value=check]")
    page.check("input[name=kind][value=help]")
    page.fill("textarea[name=text]", "村里的自来水停了两天，老人吃水困难。")
    page.select_option("select[name=division]", "410927102201")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/h5/receipt/.+/$"))
    assert Ticket.objects.count() == 1 and fits(page)
    context.close()


@pytest.mark.parametrize("datum", ["wgs84", "gcj02"])
@pytest.mark.django_db(transaction=True)
def test_a_tap_on_the_map_is_kept_in_wgs84(
    org: Org, live_server, browser_page, settings, datum: str
) -> None:  # type: ignore[no-untyped-def]
    """Tiles from this server (any image will do as a tile); the map's center is tapped: the
    stored point is the configured center in WGS-84, also when the tiles are drawn in GCJ-02
    (where the view is shifted by some hundred metres and the tap is converted back)."""
    places()
    settings.MINSHENG_MAP_TILES = "/static/vendor/leaflet/images/layers.png"
    settings.MINSHENG_MAP_DATUM = datum
    settings.MINSHENG_MAP_CENTER = "35.97,115.87"
    page = browser_page
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(f"{live_server.url}/h5/verify/report/")
    page.fill("input[name=phone]", PHONE)
    page.click("button[value=send]")
    page.fill("input[name=code]", code_for(PHONE))
    page.click("button[value=check]")
    page.wait_for_selector("#report-map.leaflet-container")
    assert fits(page)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.locator("#report-map").click()  # scrolled into view, tapped at its centre
    for _ in range(50):  # (wait_for_function evaluates a string: the page's CSP forbids it)
        if page.input_value("input[name=lat]"):
            break
        page.wait_for_timeout(100)
    assert not errors
    lat = float(page.input_value("input[name=lat]"))
    lng = float(page.input_value("input[name=lng]"))
    assert abs(lat - 35.97) < 0.0003 and abs(lng - 115.87) < 0.0003
    page.check("input[name=kind][value=complaint]")
    page.fill("textarea[name=text]", "这里的路灯坏了好几天了，晚上太黑。")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/h5/receipt/.+/$"))
    ticket = Ticket.objects.get()
    assert ticket.lat is not None and abs(float(ticket.lat) - 35.97) < 0.0003


def act(page, action: str, **fields: str) -> None:  # type: ignore[no-untyped-def]
    """Open a ticket page action (its <details>), fill its fields, submit, land back."""
    box = page.locator(f"#action-{action}")
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    for name, value in fields.items():
        field = box.locator(f"[name={name}]")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    box.locator("button[type=submit]").click()
    page.wait_for_load_state()


@pytest.mark.django_db(transaction=True)
def test_report_dispatch_reply_rate_reopen_and_close(live_server, browser_page) -> None:  # type: ignore[no-untyped-def]
    """The issue's whole loop in the browser: a citizen reports with a photo at 375 px; the
    dispatcher sees it (手机网页) and dispatches; the handler replies from a phone; the citizen
    gets the SMS, tracks it, rates 不满意 — a second round; after the second reply 满意 closes it;
    the statistics count the two rounds' verdicts as the operator's callbacks would."""
    import datetime as dt

    from django.utils import timezone

    from minsheng.org.demo import seed_demo
    from minsheng.stats import rollup
    from minsheng.tickets.catalogue import seed_demo_catalogue
    from minsheng.tickets.models import Callback, Status
    from tests.conftest import PASSWORD, browser_login

    seed_demo(password=PASSWORD)
    seed_demo_catalogue()
    browser = browser_page.context.browser
    phone = browser.new_context(viewport={"width": 375, "height": 812}, locale="zh-CN")
    citizen = phone.new_page()
    citizen.goto(f"{live_server.url}/h5/verify/report/")
    citizen.fill("input[name=phone]", PHONE)
    citizen.click("button[value=send]")
    citizen.fill("input[name=code]", code_for(PHONE))
    citizen.click("button[value=check]")
    citizen.check("input[name=kind][value=complaint]")
    citizen.fill("textarea[name=text]", "孙口村村口的路灯坏了一个多星期，晚上出门不方便。")
    citizen.select_option("select[name=division]", "410927102201")
    picture = io.BytesIO()
    Image.new("RGB", (1200, 900), (90, 90, 90)).save(picture, format="JPEG")
    citizen.set_input_files(
        "input[name=photos]",
        {"name": "lamp.jpg", "mimeType": "image/jpeg", "buffer": picture.getvalue()},
    )
    citizen.click("button[type=submit]")
    citizen.wait_for_url(re.compile(r".*/h5/receipt/.+/$"))
    ticket = Ticket.objects.get()

    staff = browser_page
    browser_login(staff, live_server.url, "dispatcher")
    staff.goto(f"{live_server.url}/tickets/{ticket.number}/")
    assert "手机网页" in staff.inner_text("main")
    assert staff.input_value("select[name=lead_unit]") == "sunkou"  # 智能派单: 属地
    act(staff, "dispatch")
    handler_context = browser.new_context(viewport={"width": 375, "height": 812}, locale="zh-CN")
    handler = handler_context.new_page()
    browser_login(handler, live_server.url, "h-sunkou")
    handler.goto(f"{live_server.url}/tickets/{ticket.number}/")
    act(handler, "sign")
    act(handler, "contact", method="phone", note="已电话联系群众")
    act(handler, "reply", result="resolved", content="已更换灯泡，恢复照明。")
    ticket.refresh_from_db()
    assert ticket.status == Status.REPLIED
    assert Outbox.objects.filter(recipient=PHONE, template="ticket_replied_sms").exists()

    citizen.goto(f"{live_server.url}/h5/t/{ticket.number}/")
    assert "已更换灯泡" in citizen.inner_text("main") and fits(citizen)
    citizen.check("input[name=resolved][value='0']")
    citizen.check("input[name=satisfaction][value=unsatisfied]")
    citizen.fill("textarea[name=comment]", "灯还是不亮")
    citizen.click("section.rate button[type=submit]")
    ticket.refresh_from_db()
    assert ticket.status == Status.DISPATCHED and ticket.round == 2

    handler.goto(f"{live_server.url}/tickets/{ticket.number}/")
    act(handler, "sign")
    act(handler, "contact", method="visit", note="现场查看")
    act(handler, "reply", result="resolved", content="已更换整套灯具。")
    citizen.goto(f"{live_server.url}/h5/t/{ticket.number}/")
    citizen.check("input[name=resolved][value='1']")
    citizen.check("input[name=satisfaction][value=satisfied]")
    citizen.click("section.rate button[type=submit]")
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    assert Callback.objects.filter(ticket=ticket, verdict=True).count() == 2

    # The worker's rollup refresh; its lag (changes younger than a minute wait) skipped here.
    rollup.refresh_until_done(now=timezone.now() + dt.timedelta(hours=1), limit=50)
    staff.context.clear_cookies()
    browser_login(staff, live_server.url, "leader")
    staff.goto(f"{live_server.url}/stats/")
    overview = staff.inner_text("main")
    assert "50.0%" in overview  # 满意率: one verdict per round, 1 of 2 satisfied
    phone.close()
    handler_context.close()
