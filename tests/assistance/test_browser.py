"""A station worker on a phone (375×812): opens the ledger from the navigation, records a visit
and a referral to a 扶贫车间's posting, marks the person hired, and the station's figures change.
Every page fits the width; the full ID number never appears."""

from __future__ import annotations

import re

import pytest

from minsheng.assistance.services import stations
from tests.assistance.helpers import add_person, fake_id, make_area, station
from tests.browser.test_portal_browser import fits
from tests.conftest import browser_login

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_a_station_worker_refers_a_person_who_is_hired(live_server, browser_page) -> None:  # type: ignore[no-untyped-def]
    area = make_area()
    person = add_person(area.worker1, area.v1, 1, name="演示王甲")
    st = station(area.worker1, area.v1)
    stations.posting_create(
        area.worker1,
        st,
        employer="孙口村扶贫车间",
        title="假发加工",
        pay="计件每件1.5元",
        place="孙口村",
        headcount=20,
        workshop=True,
        piece_rate=True,
    )
    page = browser_page
    page.set_viewport_size({"width": 375, "height": 812})
    browser_login(page, live_server.url, area.worker1.username)

    page.goto(f"{live_server.url}/assistance/a/{area.v1.code}/station/")
    assert page.inner_text("#fig-employed") == "0" and page.inner_text("#fig-hires") == "0 / 0"
    assert fits(page)

    page.click("nav >> text=帮扶台账")
    page.wait_for_url(re.compile(rf".*/assistance/a/{area.v1.code}/$"))
    assert "演示王甲" in page.inner_text("main") and fits(page)
    page.click("#ledger >> text=演示王甲")
    page.wait_for_url(re.compile(rf".*/assistance/p/{person.pk}/$"))
    assert fake_id(1) not in page.content() and fits(page)

    page.click("#add-visit summary")
    page.fill("#form-visit textarea[name=note]", "入户走访，想在家门口干活")
    page.click("#form-visit button[type=submit]")
    page.wait_for_selector("text=已记录走访。")
    assert "入户走访，想在家门口干活" in page.inner_text("#visits")

    page.click("#add-refer summary")
    page.click("#form-refer button[type=submit]")
    page.wait_for_selector("text=已推荐岗位。")
    assert "已推荐" in page.inner_text("#matches") and fits(page)

    page.select_option("#matches select[name=status]", "hired")
    page.click("#matches button[type=submit]")
    page.wait_for_selector("text=已更新推荐进度。")
    assert "已录用" in page.inner_text("#matches")
    assert "孙口村扶贫车间" in page.inner_text("#employments") and fits(page)

    page.goto(f"{live_server.url}/assistance/a/{area.v1.code}/station/")
    assert page.inner_text("#fig-employed") == "1" and page.inner_text("#fig-hires") == "1 / 1"
    assert fits(page)
    page.goto(f"{live_server.url}/assistance/a/{area.v1.code}/figures/")
    assert page.inner_text("#fig-employed") == "1" and fits(page)


@pytest.mark.django_db(transaction=True)
def test_a_station_worker_registers_a_ticket_s_citizen(live_server, browser_page) -> None:  # type: ignore[no-untyped-def]
    """From the ticket page (the village committee handles it), 登记到帮扶台账 with consent; the
    person's page lists the ticket. 375 px wide throughout; the phone never in clear."""
    from minsheng.org.models import Role, Unit
    from minsheng.tickets import actions
    from tests.conftest import make_user

    area = make_area()
    hotline = Unit.objects.create(code="hotline", name="12345热线中心", kind=Unit.Kind.HOTLINE)
    operator = make_user("op", hotline, Role.OPERATOR)
    dispatcher = make_user("disp", hotline, Role.DISPATCHER)
    committee = area.worker1.unit
    worker = make_user("vc-worker", committee, Role.HANDLER, Role.STATION_WORKER)
    ticket = actions.ticket_intake(
        actor=operator,
        channel="hotline",
        kind="help",
        title="想找一份家门口的工作",
        description="失业在家，希望村里帮忙介绍工作。",
        citizen_name="演示吴十",
        citizen_phone="13900004321",
        division=area.v1,
    )
    actions.ticket_dispatch(ticket=ticket, actor=dispatcher, lead_unit=committee)

    page = browser_page
    page.set_viewport_size({"width": 375, "height": 812})
    browser_login(page, live_server.url, worker.username)
    page.goto(f"{live_server.url}/tickets/{ticket.number}/")
    assert "登记到帮扶台账" in page.inner_text("#assistance-panel") and fits(page)
    page.click("#to-ledger")
    page.wait_for_url(re.compile(rf".*/assistance/t/{ticket.number}/$"))
    assert page.input_value("input[name=name]") == "演示吴十"
    assert "13900004321" not in page.content() and fits(page)
    page.fill("input[name=id_number]", fake_id(31))
    page.check("input[name=use_ticket_phone]")
    page.select_option("select[name=consent_method]", "phone")
    page.click("#form-from-ticket button[type=submit]")
    page.wait_for_selector("text=须经本人同意")
    assert fits(page)
    page.fill("input[name=id_number]", fake_id(31))
    page.check("input[name=consent]")
    page.click("#form-from-ticket button[type=submit]")
    page.wait_for_selector("text=已登记并关联工单。")
    assert re.search(r"/assistance/p/\d+/$", page.url)
    assert ticket.number in page.inner_text("#tickets") and "电话同意" in page.inner_text(
        "#tickets"
    )
    assert "139****4321" in page.inner_text("#facts") and fits(page)

    page.goto(f"{live_server.url}/tickets/{ticket.number}/")
    assert "演*" in page.inner_text("#assistance-panel") and fits(page)


@pytest.mark.django_db(transaction=True)
def test_a_station_worker_records_a_training_and_its_roll(live_server, browser_page) -> None:  # type: ignore[no-untyped-def]
    area = make_area()
    person = add_person(area.worker1, area.v1, 1, name="演示冯二")
    station(area.worker1, area.v1)
    page = browser_page
    page.set_viewport_size({"width": 375, "height": 812})
    browser_login(page, live_server.url, area.worker1.username)
    page.goto(f"{live_server.url}/assistance/a/{area.v1.code}/station/")
    page.click("#add-event summary")
    page.fill("#form-event input[name=title]", "电商直播技能培训")
    page.fill("#form-event input[name=place]", "孙口村党群服务中心")
    page.click("#form-event button[type=submit]")
    page.wait_for_selector("text=已记录活动，请登记签到。")
    assert fits(page)
    page.select_option(f"select[name=state_{person.pk}]", "in")
    page.select_option(f"select[name=outcome_{person.pk}]", "certificate")
    page.click("#form-roll button[type=submit]")
    page.wait_for_selector("text=已保存签到：到场 1 人。")
    assert "演示冯二" in page.inner_text("#roll") and "取得证书" in page.inner_text("#roll")
    assert page.inner_text("#attended") == "1" and fits(page)
    page.goto(f"{live_server.url}/assistance/a/{area.v1.code}/station/")
    assert "今年已完成" in page.inner_text("#six-one") and fits(page)


@pytest.mark.django_db(transaction=True)
def test_a_township_declares_a_village_on_a_phone(live_server, browser_page) -> None:  # type: ignore[no-untyped-def]
    from django.utils import timezone

    from minsheng.assistance.services import people

    area = make_area()
    for seq in (1, 2):
        person = add_person(area.worker1, area.v1, seq, household=f"户{seq}")
        people.employment_add(area.worker1, person, employer="扶贫车间", since=timezone.localdate())
    add_person(area.worker2, area.v2, 3)  # 桥北张村: nobody employed, cannot be declared
    page = browser_page
    page.set_viewport_size({"width": 375, "height": 812})
    browser_login(page, live_server.url, area.officer.username)
    page.goto(f"{live_server.url}/assistance/a/{area.sunkou.code}/figures/")
    page.click("#full-list")
    page.wait_for_url(re.compile(r".*/full-employment/$"))
    assert fits(page)
    assert page.locator(f"#village-{area.v2.code} button").count() == 0
    page.click(f"#village-{area.v1.code} button[type=submit]")
    page.wait_for_selector("text=已申报：孙口村。")
    assert "已申报" in page.inner_text(f"#village-{area.v1.code}") and fits(page)
