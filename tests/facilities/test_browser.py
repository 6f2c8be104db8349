"""Phones (375×812) in headless Chromium: a keeper logs a cleaning round with a photo from the
facility's page; a citizen opens the facility's QR page, reports a problem with a photo and gets
the ticket's number. Every page fits the width (scrollWidth ≤ 375)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image

from minsheng.facilities.models import FacilityTicket, Round
from minsheng.tickets.models import Status
from tests.browser.test_portal_browser import fits
from tests.conftest import browser_login
from tests.facilities.helpers import make_area, toilet

pytestmark = pytest.mark.browser


def _photo(tmp_path: Path) -> Path:
    path = tmp_path / "toilet.jpg"
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 180, 160)).save(out, format="JPEG")
    path.write_bytes(out.getvalue())
    return path


@pytest.mark.django_db(transaction=True)
def test_a_keeper_logs_a_round_on_the_phone(live_server, browser_page, tmp_path) -> None:  # type: ignore[no-untyped-def]
    area = make_area()
    facility = toilet(area)
    page = browser_page
    page.set_viewport_size({"width": 375, "height": 812})
    browser_login(page, live_server.url, area.keeper.username)

    page.click("nav >> text=公共设施")
    page.wait_for_url(re.compile(r".*/facilities/$"))
    assert fits(page)
    page.click("#facility-list >> text=孙口镇政府东公厕")
    page.wait_for_url(re.compile(rf".*/facilities/{facility.pk}/$"))
    assert fits(page)
    page.click("#log-round")
    page.wait_for_url(re.compile(rf".*/facilities/{facility.pk}/round/$"))
    assert fits(page)
    page.fill("textarea[name=note]", "地面已冲洗，补充厕纸")
    page.set_input_files("input[name=photo]", str(_photo(tmp_path)))
    page.click("#round-submit")
    page.wait_for_selector("text=已登记")
    assert "地面已冲洗，补充厕纸" in page.inner_text("#recent-rounds") and fits(page)
    done = Round.objects.get()
    assert done.done_by == area.keeper and done.kind == "cleaning" and done.photo
    page.go_back()  # the browser's back and a resend: still one round
    assert Round.objects.count() == 1
    # The keeper's other pages fit the phone too.
    for path in ("new/", f"{facility.pk}/edit/", f"{facility.pk}/sign/", "figures/", "import/"):
        page.goto(f"{live_server.url}/facilities/{path}")
        assert fits(page), path


@pytest.mark.django_db(transaction=True)
def test_a_citizen_scans_the_qr_page_and_reports(live_server, browser_page, tmp_path) -> None:  # type: ignore[no-untyped-def]
    area = make_area()
    facility = toilet(area)
    page = browser_page
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(f"{live_server.url}/h5/f/{facility.public_code}/")
    assert "孙口镇政府东公厕" in page.inner_text("main") and fits(page)
    assert "演示保洁员" not in page.content() and "139" not in page.inner_text("main")
    page.check("input[name=problem][value=broken]")
    page.fill("textarea[name=text]", "洗手池水龙头坏了")
    page.set_input_files("input[name=photos]", str(_photo(tmp_path)))
    page.click("#problem-submit")
    page.wait_for_selector("#facility-receipt")
    assert fits(page)
    link = FacilityTicket.objects.select_related("ticket").get()
    assert link.ticket.number in page.inner_text("#facility-receipt")
    assert link.ticket.status == Status.DISPATCHED and link.ticket.lead_unit_id == area.gov.pk
    page.click("text=查看办理进度")
    page.wait_for_url(re.compile(rf".*/h5/t/{link.ticket.number}/$"))
    assert fits(page)
