"""专项行动's services and progress with the seed's numbers (seed 000, 孙口镇): main-road
cleanliness 82% → 98% from inspections; 217 traders regularised, 312 heaps cleared; 高考护航's
18 noise sources and 192 services at the service points. Refusals write nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from minsheng.governance import campaigns as selectors
from minsheng.governance.models import (
    Campaign,
    CampaignEvent,
    Entry,
    IndicatorKind,
    Inspection,
)
from minsheng.governance.services import campaigns as services
from minsheng.tickets.errors import InvalidInput, NotAllowed
from tests.governance.campaign_helpers import END, START, Upload, World, jpeg
from tests.governance.campaign_helpers import world as world

pytestmark = pytest.mark.django_db

D = dt.date


def inspect(w: World, day: dt.date, passing: int, checked: int, place: str = "孙口大街") -> None:
    services.inspection_record(
        actor=w.team, indicator=w.rate, day=day, place=place, checked=checked, passing=passing
    )


def enter(w: World, indicator, count: int, day: dt.date, *, unit=None, village=None) -> None:  # type: ignore[no-untyped-def]
    services.entry_add(
        actor=w.team if unit is None or unit == w.zfdd else w.secretary,
        indicator=indicator,
        day=day,
        unit=unit or w.zfdd,
        count=count,
        village=village,
        place="孙口集",
    )


def test_the_rate_goes_from_82_to_98_percent_by_the_latest_round(world: World) -> None:
    w = world
    inspect(w, D(2026, 5, 6), 41, 50)  # the first round: the baseline, 82%
    progress = selectors.campaign_progress(w.campaign)[0]
    assert progress.value == Decimal("82.0") and progress.done == 0 and not progress.reached
    inspect(w, D(2026, 7, 1), 27, 30)
    inspect(w, D(2026, 7, 1), 18, 20)  # 45/50 = 90%: halfway
    progress = selectors.campaign_progress(w.campaign)[0]
    assert progress.value == Decimal("90.0") and progress.done == Decimal("50.0")
    # The latest round: two inspections of the last day, 30/30 and 19/20 → 49/50 = 98%.
    inspect(w, D(2026, 10, 20), 30, 30, "金堤路")
    inspect(w, D(2026, 10, 20), 19, 20, "孙口大街")
    progress = selectors.campaign_progress(w.campaign)[0]
    assert progress.value == Decimal("98.0")
    assert (progress.round_passing, progress.round_checked) == (49, 50)
    assert progress.round_day == D(2026, 10, 20)
    assert progress.reached and progress.done == 100
    assert progress.display_value == "98.0%" and progress.display_baseline == "82%"
    assert [v for _d, v in progress.trend] == [Decimal("82.0"), Decimal("90.0"), Decimal("98.0")]
    # Earlier rounds do not dilute the latest one (it is not a cumulative ratio).
    assert Inspection.objects.count() == 5


def test_count_indicators_reach_217_and_312_by_unit_and_village(world: World) -> None:
    w = world
    for i, count in enumerate([50, 60, 70, 37]):  # 217 traders regularised
        enter(w, w.traders, count, D(2026, 6, 1 + i), village=w.v1 if i % 2 else w.v2)
    for i in range(12):  # 312 heaps: 26 a day for 12 days, the station taking part too
        unit = w.nyfw if i % 3 == 0 else w.zfdd
        enter(w, w.heaps, 26, D(2026, 6, 10 + i), unit=unit, village=w.v1)
    rows = {p.indicator.name: p for p in selectors.campaign_progress(w.campaign)}
    traders, heaps = rows["规范占道经营"], rows["清理垃圾堆"]
    assert traders.value == 217 and traders.reached and traders.display_value == "217"
    assert traders.display_target == "217" and traders.done == 100
    assert heaps.value == 312 and heaps.reached
    assert [(s.label, s.total) for s in heaps.by_unit] == [
        ("孙口镇综合行政执法大队", 208),
        ("孙口镇农业服务中心", 104),
    ]
    assert sorted((s.label, s.total) for s in traders.by_village) == [
        ("孙口村", 97),
        ("孙码头村", 120),
    ]
    # The trend is a running total per day.
    assert [int(v) for _d, v in traders.trend] == [50, 110, 180, 217]
    chart = selectors.chart_data(selectors.campaign_progress(w.campaign))
    assert chart["labels"][0] == "2026-06-01"
    assert {s["name"] for s in chart["series"]} == {
        "主次干道保洁达标率",
        "规范占道经营",
        "清理垃圾堆",
    }  # type: ignore[union-attr]


def test_the_gaokao_campaign_counts_18_noise_sources_and_192_services(world: World) -> None:
    w = world
    gaokao = services.campaign_create(
        actor=w.secretary,
        data=services.CampaignInput(
            name="高考护航",
            starts_on=D(2026, 5, 25),
            ends_on=D(2026, 6, 10),
            lead_unit=w.gov,
            units=(w.zfdd,),
            township=w.sunkou,
        ),
    )
    add = services.indicator_add
    noise = add(
        actor=w.secretary,
        campaign=gaokao,
        name="排查噪音源",
        kind=IndicatorKind.COUNT,
        target=Decimal(18),
        unit_label="处",
    )
    service = add(
        actor=w.secretary,
        campaign=gaokao,
        name="服务点服务",
        kind=IndicatorKind.COUNT,
        target=Decimal(192),
        unit_label="次",
    )
    for day, count in ((D(2026, 6, 1), 11), (D(2026, 6, 3), 7)):
        enter(w, noise, count, day)
    for i in range(8):
        enter(w, service, 24, D(2026, 6, 1 + i))
    rows = selectors.campaign_progress(gaokao)
    assert [(p.indicator.name, p.value) for p in rows] == [("排查噪音源", 18), ("服务点服务", 192)]
    assert all(p.reached for p in rows)


def test_every_write_has_its_event(world: World) -> None:
    w = world
    inspect(w, D(2026, 6, 1), 40, 50)
    enter(w, w.traders, 5, D(2026, 6, 1))
    verbs = list(
        CampaignEvent.objects.filter(campaign=w.campaign)
        .order_by("id")
        .values_list("subject", "verb")
    )
    assert verbs == [
        ("campaign", "create"),
        ("indicator", "add"),
        ("indicator", "add"),
        ("indicator", "add"),
        ("inspection", "record"),
        ("entry", "add"),
    ]
    assert set(w.campaign.units.values_list("code", flat=True)) == {
        "sunkou",
        "sunkou-zfdd",
        "sunkou-nyfw",
    }


def _nothing_written(before: int) -> None:
    assert CampaignEvent.objects.count() == before
    assert Entry.objects.count() == 0 and Inspection.objects.count() == 0


@pytest.mark.parametrize(
    ("passing", "checked", "day", "field"),
    [
        (51, 50, D(2026, 6, 1), "passing"),  # n > N
        (0, 0, D(2026, 6, 1), "checked"),  # N = 0
        (40, 50, START - dt.timedelta(days=1), "day"),  # before the period
        (40, 50, END + dt.timedelta(days=1), "day"),  # after it
    ],
)
def test_bad_inspections_are_refused_and_write_nothing(
    world: World, passing: int, checked: int, day: dt.date, field: str
) -> None:
    before = CampaignEvent.objects.count()
    with pytest.raises(InvalidInput) as refused:
        inspect(world, day, passing, checked)
    assert refused.value.field == field
    _nothing_written(before)


def test_bad_entries_are_refused_and_write_nothing(world: World) -> None:
    w = world
    before = CampaignEvent.objects.count()
    with pytest.raises(InvalidInput, match="参与单位"):  # not a participating unit
        services.entry_add(
            actor=w.admin, indicator=w.traders, day=D(2026, 6, 1), unit=w.other, count=3
        )
    with pytest.raises(InvalidInput, match="行动期间"):
        enter(w, w.traders, 3, END + dt.timedelta(days=1))
    with pytest.raises(InvalidInput, match="正整数"):
        enter(w, w.traders, 0, D(2026, 6, 1))
    with pytest.raises(InvalidInput, match="数量指标"):
        enter(w, w.rate, 3, D(2026, 6, 1))
    with pytest.raises(NotAllowed):  # the station's handler cannot enter for the 执法大队
        services.entry_add(
            actor=w.station, indicator=w.traders, day=D(2026, 6, 1), unit=w.zfdd, count=3
        )
    with pytest.raises(NotAllowed):  # another township's handler
        services.entry_add(
            actor=w.outsider, indicator=w.traders, day=D(2026, 6, 1), unit=w.zfdd, count=3
        )
    with pytest.raises(InvalidInput, match="照片"):
        services.entry_add(
            actor=w.team,
            indicator=w.traders,
            day=D(2026, 6, 1),
            unit=w.zfdd,
            count=3,
            photo=Upload(b"GIF89a not really a photo"),
        )
    _nothing_written(before)


def test_a_photo_is_read_from_its_content_and_stored_as_jpeg(
    world: World, settings, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    w = world
    data = jpeg().getvalue()
    entry = services.entry_add(
        actor=w.team,
        indicator=w.traders,
        day=D(2026, 6, 1),
        unit=w.zfdd,
        count=3,
        photo=Upload(data, "../../etc/passwd.png"),
    )
    assert entry.photo.name.endswith(".jpg") and "passwd" not in entry.photo.name
    with entry.photo.open("rb") as f:
        assert f.read(3) == b"\xff\xd8\xff"


def test_who_may_create_and_set_indicators(world: World) -> None:
    w = world
    data = services.CampaignInput(name="护学岗", starts_on=START, ends_on=END, lead_unit=w.gov)
    with pytest.raises(NotAllowed):
        services.campaign_create(actor=w.team, data=data)
    with pytest.raises(NotAllowed):
        services.campaign_create(actor=w.outsider, data=data)
    with pytest.raises(InvalidInput):
        services.campaign_create(
            actor=w.secretary,
            data=services.CampaignInput(name="x", starts_on=END, ends_on=START, lead_unit=w.gov),
        )
    with pytest.raises(NotAllowed):
        services.indicator_add(
            actor=w.team, campaign=w.campaign, name="x", kind=IndicatorKind.COUNT, target=Decimal(7)
        )
    with pytest.raises(InvalidInput):
        services.indicator_add(
            actor=w.secretary,
            campaign=w.campaign,
            name="x",
            kind=IndicatorKind.RATE,
            baseline=Decimal(98),
            target=Decimal(82),
        )
    with pytest.raises(InvalidInput):
        services.indicator_add(
            actor=w.secretary,
            campaign=w.campaign,
            name="x",
            kind=IndicatorKind.COUNT,
            target=Decimal("7.5"),
        )
    assert Campaign.objects.count() == 1
    created = services.campaign_create(actor=w.admin, data=data)
    assert created.lead_unit == w.gov


def test_who_sees_a_campaign(world: World) -> None:
    w = world

    def sees(user) -> bool:  # type: ignore[no-untyped-def]
        return selectors.campaigns_for(user).filter(pk=w.campaign.pk).exists()

    assert sees(w.secretary) and sees(w.team) and sees(w.station)
    assert sees(w.admin) and sees(w.county_leader)
    assert not sees(w.outsider)


def test_the_demo_seeds_sunkous_campaigns_with_the_seed_numbers(db: None) -> None:
    from minsheng.governance.demo_campaigns import seed_demo_campaigns
    from minsheng.org.demo import seed_demo

    seed_demo(password="demo-password-1")
    assert seed_demo_campaigns() == 2
    assert seed_demo_campaigns() == 0  # idempotent
    values = {
        (c.name, p.indicator.name): p.value
        for c in Campaign.objects.all()
        for p in selectors.campaign_progress(c)
    }
    assert values == {
        ("人居环境整治提升攻坚", "主次干道保洁达标率"): Decimal("98.0"),
        ("人居环境整治提升攻坚", "规范占道经营"): 217,
        ("人居环境整治提升攻坚", "清理垃圾堆"): 312,
        ("高考护航", "排查噪音源"): 18,
        ("高考护航", "服务点服务"): 192,
        ("高考护航", "设立护学岗"): 7,
    }
    rate = Campaign.objects.get(name="人居环境整治提升攻坚").indicators.get(kind="rate")
    assert selectors.campaign_progress(rate.campaign)[0].trend[0][1] == Decimal("82.0")


def test_the_tallies_are_the_sums_of_the_entries(world: World) -> None:
    from django.db.models import Sum

    from minsheng.governance.models import EntryTally

    w = world
    for i in range(9):
        enter(
            w,
            w.heaps,
            3 + i,
            D(2026, 6, 1 + i % 3),
            unit=w.nyfw if i % 2 else w.zfdd,
            village=w.v1 if i % 3 else None,
        )
    for by, field in (("day", "day"), ("unit", "unit_id"), ("village", "village_id")):
        sums = {
            str(k.isoformat() if isinstance(k, dt.date) else (k or "")): t
            for k, t in Entry.objects.values_list(field).annotate(t=Sum("count"))
        }
        tallies = dict(EntryTally.objects.filter(by=by).values_list("key", "total"))
        assert tallies == sums
