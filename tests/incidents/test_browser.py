"""A dispatcher on a phone (375×812) raises an incident from a ticket, mobilises a team, logs the
restoration at the time it happened, and closes it; no page scrolls sideways."""

from __future__ import annotations

import pytest

from minsheng.incidents.models import Incident, Mobilisation
from minsheng.notify.models import Outbox
from tests.browser.test_portal_browser import fits
from tests.conftest import People, browser_login
from tests.incidents.helpers import make_area, water_tickets

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_a_dispatcher_raises_mobilises_logs_and_closes_on_a_phone(
    people: People, live_server, browser_page
) -> None:  # type: ignore[no-untyped-def]
    area = make_area(people)
    tickets = water_tickets(people, area)
    page = browser_page
    page.set_viewport_size({"width": 375, "height": 812})
    browser_login(page, live_server.url, people.dispatcher.username)

    page.goto(f"{live_server.url}/tickets/{tickets[0].number}/")
    page.click("#raise-incident a")
    assert fits(page)
    page.select_option("select[name=kind]", "water")
    page.fill("input[name=title]", "阀门损坏致6村停水")
    page.select_option("select[name=severity]", "3")
    page.fill("input[name=started_at]", "2026-11-20T20:30")
    for village in area.villages:
        page.check(f"input[name=villages][value='{village.code}']")
    page.check(f"input[name=tickets][value='{tickets[1].number}']")
    page.click("#form-raise button[type=submit]")
    page.wait_for_selector("#incident")
    incident = Incident.objects.get()
    assert page.inner_text("#population") == "18000"
    assert fits(page)

    page.click("#mobilise summary")
    page.select_option("select[name=resource]", f"team:{area.team_water.pk}")
    page.fill("#form-mobilise input[name=task]", "抢修阀门")
    page.click("#form-mobilise button[type=submit]")
    page.wait_for_selector("#mobilisations >> text=供水抢修队")
    assert Mobilisation.objects.filter(incident=incident).count() == 1
    assert Outbox.objects.filter(template="incident_mobilised_sms").count() == 1

    page.select_option("#form-log select[name=kind]", "restored")
    page.fill("#form-log input[name=at]", "2026-11-21T06:45")
    page.click("#form-log button[type=submit]")
    page.wait_for_selector("#timeline >> text=恢复供水")
    assert fits(page)

    page.click("#close summary")
    page.fill("#form-close textarea[name=note]", "阀门已更换")
    page.click("#form-close button[type=submit]")
    page.wait_for_selector("#summary")
    assert "历时10小时15分钟" in page.inner_text("#summary")
    assert fits(page)
    incident.refresh_from_db()
    assert incident.status == "closed"
    for path in ("/incidents/", "/incidents/roster/", "/incidents/figures/"):
        page.goto(f"{live_server.url}{path}")
        assert fits(page), path
