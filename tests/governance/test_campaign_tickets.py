"""专项行动: tickets tagged to a campaign (counted by state on the dashboard, counted only on the
public page), setting a campaign up from its pages (the campaign, then its indicators), and the
public summary (public campaigns only, no personal data)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from minsheng.governance import campaigns as selectors
from minsheng.governance.models import Campaign, CampaignEvent, CampaignTicket, Indicator
from minsheng.governance.services import campaigns as services
from minsheng.org.models import Division, Role
from minsheng.tickets import actions
from minsheng.tickets.errors import InvalidInput, NotAllowed
from minsheng.tickets.models import Ticket
from tests.conftest import make_user
from tests.governance.campaign_helpers import V1, World
from tests.governance.campaign_helpers import world as world
from tests.governance.test_campaigns_pages import seed_numbers

pytestmark = pytest.mark.django_db


def _ticket(w: World, title: str, division: Division, phone: str = "13800138000") -> Ticket:
    operator = make_user(f"op-{Ticket.objects.count()}", None, Role.OPERATOR)
    return actions.ticket_intake(
        actor=operator,
        channel="hotline",
        kind="complaint",
        title=title,
        description=f"{title}，联系人张三 {phone}",
        citizen_name="张三",
        citizen_phone=phone,
        division=division,
    )


def test_tickets_of_the_area_are_tagged_once_and_counted_by_state(world: World) -> None:
    w = world
    a = _ticket(w, "孙口大街占道经营", w.v1)
    b = _ticket(w, "村口垃圾堆", w.v2)
    outside = Division.objects.create(code="410927101000", name="侯庙镇", level=4)
    c = _ticket(w, "侯庙占道经营", outside)
    assert services.campaign_tag_tickets(actor=w.team, campaign=w.campaign, numbers=[a.number]) == 1
    # Again, with another: only the new one counts; the first is left as it is.
    added = services.campaign_tag_tickets(
        actor=w.secretary, campaign=w.campaign, numbers=[a.number, b.number]
    )
    assert added == 1
    assert CampaignTicket.objects.filter(campaign=w.campaign).count() == 2
    # Another township's ticket, an unknown number, an outsider: refused, nothing written.
    events = CampaignEvent.objects.count()
    with pytest.raises(InvalidInput) as refused:
        services.campaign_tag_tickets(
            actor=w.secretary, campaign=w.campaign, numbers=[c.number, "999"]
        )
    assert c.number in refused.value.message and "999" in refused.value.message
    with pytest.raises(NotAllowed):
        services.campaign_tag_tickets(actor=w.outsider, campaign=w.campaign, numbers=[a.number])
    with pytest.raises(InvalidInput):
        services.campaign_tag_tickets(actor=w.secretary, campaign=w.campaign, numbers=["  "])
    assert CampaignEvent.objects.count() == events
    assert CampaignTicket.objects.filter(campaign=w.campaign).count() == 2
    # One answered: the count says so.
    handler = make_user("h-zfdd", w.zfdd, Role.HANDLER)
    dispatcher = make_user("disp", None, Role.DISPATCHER)
    t = actions.ticket_dispatch(ticket=a, actor=dispatcher, lead_unit=w.zfdd)
    t = actions.ticket_sign(ticket=t, actor=handler)
    t = actions.ticket_contact(ticket=t, actor=handler, method="phone", note="已联系")
    actions.ticket_reply(ticket=t, actor=handler, result="resolved", content="已规范。")
    counted = selectors.tagged_count(w.campaign)
    assert (counted.total, counted.answered, counted.open) == (2, 1, 1)
    services.campaign_untag_ticket(actor=w.secretary, campaign=w.campaign, number=b.number)
    assert selectors.tagged_count(w.campaign).total == 1
    verbs = list(
        CampaignEvent.objects.filter(subject="ticket").order_by("id").values_list("verb", flat=True)
    )
    assert verbs == ["tag", "tag", "untag"]


def test_the_dashboard_lists_tagged_tickets_and_tags_from_its_form(client, world: World) -> None:  # type: ignore[no-untyped-def]
    w = world
    a = _ticket(w, "孙口大街占道经营", w.v1)
    client.force_login(w.team)
    url = reverse("governance:campaign_tickets", args=[w.campaign.pk])
    page = client.post(url, {"numbers": f"{a.number}，999"}, follow=True)
    assert "不存在或不在本行动的范围内" in page.content.decode()
    assert not CampaignTicket.objects.exists()
    page = client.post(url, {"numbers": a.number}, follow=True)
    body = page.content.decode()
    assert "已关联 1 件工单" in body and a.number in body and "共 1 件" in body
    page = client.post(url, {"untag": a.number}, follow=True)
    assert "尚未关联工单" in page.content.decode()
    client.force_login(w.outsider)
    assert client.post(url, {"numbers": a.number}).status_code == 404


def test_a_township_leader_sets_a_campaign_up_from_its_pages(client, world: World) -> None:  # type: ignore[no-untyped-def]
    w = world
    client.force_login(w.secretary)
    assert "新建专项行动" in client.get(reverse("governance:campaign_list")).content.decode()
    url = reverse("governance:campaign_new")
    form = client.get(url).content.decode()
    assert "孙口镇农业服务中心" in form
    bad = client.post(
        url,
        {
            "name": "高考护航",
            "lead_unit": w.gov.pk,
            "township": w.sunkou.code,
            "starts_on": "2026-06-10",
            "ends_on": "2026-05-25",
            "units": [w.zfdd.pk],
        },
    )
    assert bad.status_code == 200 and "结束日期不能早于开始日期" in bad.content.decode()
    assert not Campaign.objects.filter(name="高考护航").exists()
    made = client.post(
        url,
        {
            "name": "高考护航",
            "lead_unit": w.gov.pk,
            "township": w.sunkou.code,
            "starts_on": "2026-05-25",
            "ends_on": "2026-06-10",
            "units": [w.zfdd.pk, w.nyfw.pk],
            "is_public": "on",
        },
    )
    campaign = Campaign.objects.get(name="高考护航")
    assert made.status_code == 302
    assert made["Location"] == reverse("governance:campaign_indicator_new", args=[campaign.pk])
    assert set(campaign.units.values_list("code", flat=True)) == {
        "sunkou",
        "sunkou-zfdd",
        "sunkou-nyfw",
    }
    assert campaign.is_public
    add = reverse("governance:campaign_indicator_new", args=[campaign.pk])
    page = client.post(add, {"name": "排查噪音源", "kind": "rate", "target": "18"})
    assert page.status_code == 200 and "达标率指标须填写基线" in page.content.decode()
    page = client.post(
        add, {"name": "排查噪音源", "kind": "count", "target": "18", "unit_label": "处"}
    )
    assert page.status_code == 302
    indicator = Indicator.objects.get(campaign=campaign)
    assert (indicator.name, indicator.target, indicator.unit_label) == (
        "排查噪音源",
        Decimal("18.00"),
        "处",
    )
    # A station's handler may neither create nor set indicators.
    client.force_login(w.station)
    assert client.get(url).status_code == 404
    assert client.get(add).status_code == 404


def test_the_public_summary_shows_progress_and_counts_but_no_personal_data(
    client, world: World
) -> None:  # type: ignore[no-untyped-def]
    w = world
    seed_numbers(w)
    a = _ticket(w, "孙口大街占道经营", Division.objects.get(code=V1), phone="13912345678")
    services.campaign_tag_tickets(actor=w.secretary, campaign=w.campaign, numbers=[a.number])
    url = reverse("portal:campaign", args=[w.campaign.pk])
    assert client.get(url).status_code == 404  # not public yet
    assert "人居环境整治" not in client.get(reverse("portal:campaigns")).content.decode()
    Campaign.objects.filter(pk=w.campaign.pk).update(is_public=True)
    assert "人居环境整治" in client.get(reverse("portal:campaigns")).content.decode()
    body = client.get(url).content.decode()
    assert "98.0%" in body and "217" in body and "312" in body
    assert "本行动回应群众诉求 1 件" in body
    for secret in (a.number, "13912345678", "张三", "孙口集", "村口"):
        assert secret not in body


def test_a_county_wide_campaign_may_tag_any_ticket(world: World) -> None:
    w = world
    county = Campaign.objects.create(
        name="全县燃气安全排查",
        starts_on=dt.date(2026, 5, 1),
        ends_on=dt.date(2026, 12, 31),
        lead_unit=w.gov,
    )
    county.units.add(w.gov)
    outside = Division.objects.create(code="410927101000", name="侯庙镇", level=4)
    c = _ticket(w, "燃气管道老化", outside)
    assert (
        services.campaign_tag_tickets(actor=w.secretary, campaign=county, numbers=[c.number]) == 1
    )
