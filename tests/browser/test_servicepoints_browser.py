"""服务点 in a real browser on a phone (375×812): a point's staff open 服务点, tap 记录服务, record
the day's service and land on the point's page with it; the township's matrix (with more units
than a phone is wide) and the county's coverage do not scroll sideways."""

from __future__ import annotations

import re

import pytest

from minsheng.governance.models import ServiceEntry
from tests.browser.test_portal_browser import fits
from tests.conftest import People, browser_login
from tests.governance.council_helpers import SUNKOU, VILLAGE, WHARF
from tests.governance.servicepoint_helpers import DAIZHUANG, make_points, point

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_staff_record_service_and_the_matrix_fits_a_phone(  # type: ignore[no-untyped-def]
    live_server, browser_page, people: People
) -> None:
    p = make_points(people)
    made = point(p, "孙口村综合服务站", [VILLAGE, WHARF])
    point(p, "代庄小学护学岗", [DAIZHUANG], unit=p.town.shsw, kind="guard", services=("护学",))
    point(p, "孙口镇便民服务窗口", [], whole=True, unit=people.org.sunkou, kind="window")
    page = browser_page
    page.set_viewport_size({"width": 375, "height": 812})
    browser_login(page, live_server.url, "guard-nyfw")
    page.goto(f"{live_server.url}/governance/points/")
    assert "孙口村综合服务站" in page.inner_text("#my-points") and fits(page)
    page.click("#my-points >> text=记录服务")
    page.wait_for_url(re.compile(rf".*/governance/points/p/{made.pk}/entry/$"))
    assert fits(page)
    page.select_option("select[name=service]", "代办")
    page.fill("input[name=count]", "192")
    page.fill("textarea[name=note]", "为考生家长代办证明")
    page.click("button:has-text('保存服务记录')")
    page.wait_for_url(re.compile(rf".*/governance/points/p/{made.pk}/$"))
    text = page.inner_text("main")
    assert "已记录：代办 192 人次" in text and fits(page)
    assert ServiceEntry.objects.get().count == 192

    page.context.clear_cookies()
    browser_login(page, live_server.url, "leader-sunkou")
    page.goto(f"{live_server.url}/governance/points/t/{SUNKOU}/matrix/")
    assert page.inner_text("#covered") == "2800" and fits(page)
    assert "各村都有服务点" in page.inner_text("#uncovered")
    page.goto(f"{live_server.url}/governance/points/")
    assert "孙口镇" in page.inner_text("#townships") and fits(page)
    page.goto(f"{live_server.url}/governance/points/t/{SUNKOU}/")
    assert "代庄小学护学岗" in page.inner_text("#points") and fits(page)
    page.click("text=新建服务点")
    page.wait_for_url(re.compile(r".*/governance/points/t/\d+/new/$"))
    assert page.is_visible("#point-form") and fits(page)
