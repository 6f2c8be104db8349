"""民生议事会 on a phone (375×812): the township's secretary reads the drafted agenda, opens a
meeting, records it and takes a decision whose work goes to a station; the station's handler
finds the ticket in the unit's inbox. No council page scrolls sideways."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from minsheng.governance.models import DecisionWork, Suggestion
from minsheng.governance.services.suggestions import suggestion_add
from minsheng.org.models import Division
from tests.browser.test_portal_browser import fits
from tests.conftest import People, browser_login
from tests.governance.council_helpers import SUNKOU, WHARF, demand, make_town

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_a_secretary_records_a_meeting_and_a_station_gets_the_work(  # type: ignore[no-untyped-def]
    live_server, browser_page, people: People
) -> None:
    town = make_town(people)
    asked = demand(people, division=WHARF, title="码头路面坑洼")
    wharf = Division.objects.get(code=WHARF)
    heard = suggestion_add(
        actor=town.secretary,
        council=town.council,
        text="码头村民反映渡口缺少候船棚，雨天无处避雨",
        source=Suggestion.Source.VISIT,
        village=wharf,
    )
    aside = suggestion_add(
        actor=town.secretary,
        council=town.council,
        text="建议在码头村修建大型游乐场",
        source=Suggestion.Source.IMPORT,
        village=wharf,
    )
    today = timezone.localdate()
    page = browser_page
    page.set_viewport_size({"width": 375, "height": 812})
    browser_login(page, live_server.url, town.secretary.username)

    page.click("nav >> text=议事会")
    page.wait_for_url(re.compile(rf".*/governance/councils/{SUNKOU}/$"))
    assert "孙口镇民生议事会" in page.inner_text("main")
    assert fits(page)
    page.click("text=查看本周议题（草稿）")
    page.wait_for_url(re.compile(r".*/agenda/$"))
    assert asked.number in page.inner_text("main")
    assert fits(page)
    page.go_back()

    page.fill("input[name=date]", today.isoformat())
    page.click("button:has-text('新建会议并生成议题')")
    page.wait_for_url(re.compile(r".*/meetings/\d+/$"))
    assert asked.number in page.inner_text("main")  # on the agenda's new demands
    assert "渡口缺少候船棚" in page.inner_text("main")  # and the open suggestions
    assert fits(page)
    page.fill("li:has-text('大型游乐场') input[name=note]", "不属于本镇职权，已转县文旅局研究")
    page.click("li:has-text('大型游乐场') button:has-text('不予采纳')")
    page.wait_for_load_state()
    assert "已记录不予采纳" in page.inner_text("main")
    page.fill("input[name=chair]", "王书记")
    page.fill("textarea[name=attendees]", "王书记、李镇长、各站所负责人")
    page.fill("textarea[name=minutes]", "研究码头路面问题。")
    page.check("input[name=held]")
    page.click("button:has-text('保存会议记录')")
    page.wait_for_load_state()
    assert "已召开" in page.inner_text("main")

    page.fill("textarea[name=text]", "修补码头路面")
    page.fill("input[name=demands]", asked.number)
    page.check(f"input[name=suggestions][value='{heard.pk}']")
    page.select_option("select[name=unit_1]", str(town.nyfw.pk))
    page.fill("input[name=due_1]", (today + dt.timedelta(days=5)).isoformat())
    page.fill("input[name=title_1]", "修补码头路面坑洼")
    page.click("button:has-text('保存决定并派单')")
    page.wait_for_load_state()
    work = DecisionWork.objects.select_related("ticket").get()
    assert work.unit == town.nyfw
    assert work.ticket.number in page.inner_text("main")
    assert fits(page)
    heard.refresh_from_db()
    aside.refresh_from_db()
    assert heard.status == Suggestion.Status.DECIDED and heard.decision_id == work.decision_id
    assert aside.status == Suggestion.Status.DECLINED

    page.context.clear_cookies()
    browser_login(page, live_server.url, town.h_nyfw.username)
    page.goto(f"{live_server.url}/inbox/")
    assert work.ticket.number in page.inner_text("main")
    # (The inbox is the ticket core's page; its width is not this test's business.)
