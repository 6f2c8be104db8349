"""专项行动 in a real browser on a phone (375×812): a team member of the 执法大队's 中队 opens
专项行动 from the menu, the campaign's dashboard, and adds an entry with the phone form; the
dashboard counts it; no page scrolls sideways."""

from __future__ import annotations

import re

import pytest

from minsheng.governance.models import Entry
from tests.browser.test_portal_browser import fits
from tests.conftest import browser_login
from tests.governance.campaign_helpers import build_world

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_a_team_member_adds_a_campaign_entry_on_a_phone(live_server, browser_page) -> None:  # type: ignore[no-untyped-def]
    w = build_world()
    page = browser_page
    page.set_viewport_size({"width": 375, "height": 812})
    browser_login(page, live_server.url, "team-nc1")
    page.goto(f"{live_server.url}/governance/campaigns/")
    assert "人居环境整治提升攻坚" in page.inner_text("#campaigns") and fits(page)
    page.click("#campaigns >> text=人居环境整治提升攻坚")
    page.wait_for_url(re.compile(rf".*/governance/campaigns/{w.campaign.pk}/$"))
    assert "规范占道经营" in page.inner_text("#indicators") and fits(page)
    page.click("text=填报台账")
    page.wait_for_url(re.compile(r".*/entries/new/$"))
    assert fits(page)
    page.select_option("select[name=indicator]", str(w.traders.pk))
    page.fill("input[name=day]", "2026-06-03")
    page.fill("input[name=count]", "9")
    page.select_option("select[name=village]", w.v1.code)
    page.fill("input[name=place]", "孙口集东头")
    page.click("button:has-text('提交')")
    page.wait_for_url(re.compile(r".*/entries/new/$"))
    assert "已填报" in page.inner_text("main") and fits(page)
    entry = Entry.objects.get()
    assert (entry.count, entry.unit_id, entry.entered_by_id) == (9, w.zfdd.pk, w.team.pk)
    page.goto(f"{live_server.url}/governance/campaigns/{w.campaign.pk}/")
    assert "孙口集东头" in page.inner_text("#entries") and fits(page)


@pytest.mark.django_db(transaction=True)
def test_a_member_tags_a_ticket_and_the_public_reads_the_summary_on_a_phone(  # type: ignore[no-untyped-def]
    live_server, browser_page
) -> None:
    from minsheng.governance.models import Campaign, CampaignTicket
    from minsheng.org.models import Role
    from minsheng.tickets import actions
    from tests.conftest import make_user

    w = build_world()
    Campaign.objects.filter(pk=w.campaign.pk).update(is_public=True)
    ticket = actions.ticket_intake(
        actor=make_user("op", None, Role.OPERATOR),
        channel="hotline",
        kind="complaint",
        title="孙口大街占道经营堵路",
        description="早市摊点占道，车辆无法通行。",
        citizen_phone="13912345678",
        division=w.v1,
    )
    page = browser_page
    page.set_viewport_size({"width": 375, "height": 812})
    browser_login(page, live_server.url, "team-nc1")
    page.goto(f"{live_server.url}/governance/campaigns/{w.campaign.pk}/")
    page.fill("input[name=numbers]", ticket.number)
    page.click("#tickets button:has-text('关联')")
    page.wait_for_url(re.compile(r".*/governance/campaigns/\d+/(#tickets)?$"))
    assert ticket.number in page.inner_text("#tickets") and fits(page)
    assert CampaignTicket.objects.filter(campaign=w.campaign, ticket=ticket).exists()
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/h5/campaigns/")
    page.click("text=人居环境整治提升攻坚")
    page.wait_for_url(re.compile(rf".*/h5/campaigns/{w.campaign.pk}/$"))
    body = page.inner_text("main")
    assert "规范占道经营" in body and "本行动回应群众诉求 1 件" in body
    assert ticket.number not in body and "13912345678" not in body
    assert fits(page)
