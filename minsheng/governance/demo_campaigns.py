"""The demo's 专项行动 (seed 000, 孙口镇), through the services as the township's staff would
enter them: 人居环境整治提升攻坚 (main-road cleanliness 82% → 98% from inspections, 217 street
traders regularised, 312 heaps cleared) and 高考护航 (18 noise sources checked, 192 services at
the service points; 护学岗 at 7 schools). Idempotent: a campaign that exists is left alone."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Q

from minsheng.governance.models import Campaign, Indicator, IndicatorKind
from minsheng.governance.services import campaigns as services
from minsheng.org.models import Division, Unit, User
from minsheng.tickets.models import Ticket

TOWNSHIP_CODE = "410927102000"
PLACES = ("孙口大街", "金堤路", "孙口集", "黄河路", "将军渡路", "育才路")


def _split(total: int, parts: int) -> list[int]:
    """`total` in `parts` uneven but positive pieces that add up exactly."""
    weights = [3 + (i * 7) % 5 for i in range(parts)]
    rest = total - parts
    pieces = [1 + rest * w // sum(weights) for w in weights]
    pieces[-1] += total - sum(pieces)
    return pieces


def _indicator(actor: User, campaign: Campaign, name: str, target: int, label: str) -> Indicator:
    return services.indicator_add(
        actor=actor,
        campaign=campaign,
        name=name,
        kind=IndicatorKind.COUNT,
        target=Decimal(target),
        unit_label=label,
    )


def _entries(
    indicator: Indicator,
    total: int,
    start: dt.date,
    days: int,
    span: int,
    people: list[tuple[User, Unit]],
    villages: list[Division],
) -> None:
    for i, count in enumerate(_split(total, days)):
        actor, unit = people[i % len(people)]
        services.entry_add(
            actor=actor,
            indicator=indicator,
            day=start + dt.timedelta(days=i * 5 % span),
            unit=unit,
            count=count,
            village=villages[i % len(villages)] if villages else None,
            place=PLACES[i % len(PLACES)],
        )


def seed_demo_campaigns() -> int:
    """Make 孙口镇's campaigns; returns how many were created."""
    township = Division.objects.filter(code=TOWNSHIP_CODE).first()
    units = {u.code: u for u in Unit.objects.filter(code__startswith="sunkou")}
    users = {u.username: u for u in User.objects.filter(username__startswith="h-sunkou")}
    leader = User.objects.filter(username="leader-sunkou").first()
    needed = ("sunkou", "sunkou-zfdd", "sunkou-nyfw", "sunkou-shsw", "sunkou-zzzx")
    if township is None or leader is None or any(code not in units for code in needed):
        return 0
    team = users.get("h-sunkou-zfdd-nc1") or users.get("h-sunkou-zfdd")
    station = users.get("h-sunkou-shsw")
    if team is None or station is None:
        return 0
    villages = list(Division.objects.filter(parent=township).order_by("code")[:8])
    created = 0
    if not Campaign.objects.filter(name="人居环境整治提升攻坚", township=township).exists():
        campaign = services.campaign_create(
            actor=leader,
            data=services.CampaignInput(
                name="人居环境整治提升攻坚",
                starts_on=dt.date(2026, 5, 1),
                ends_on=dt.date(2026, 12, 31),
                lead_unit=units["sunkou"],
                units=(units["sunkou-zfdd"], units["sunkou-nyfw"], units["sunkou-shsw"]),
                township=township,
                is_public=True,
                description="主次干道保洁、规范占道经营、清理垃圾堆：执法大队与各站所包片推进。",
            ),
        )
        rate = services.indicator_add(
            actor=leader,
            campaign=campaign,
            name="主次干道保洁达标率",
            kind=IndicatorKind.RATE,
            baseline=Decimal("82"),
            target=Decimal("98"),
        )
        # Monthly rounds of 50 sampled points: 82% in May up to 98% in November.
        for month, passing in ((5, 41), (6, 43), (7, 44), (8, 46), (9, 47), (10, 48), (11, 49)):
            first = 30
            services.inspection_record(
                actor=team,
                indicator=rate,
                day=dt.date(2026, month, 20),
                place="孙口大街",
                checked=first,
                passing=min(first, passing - 19),
                village=villages[0] if villages else None,
            )
            services.inspection_record(
                actor=team,
                indicator=rate,
                day=dt.date(2026, month, 20),
                place="金堤路",
                checked=20,
                passing=passing - min(first, passing - 19),
            )
        traders = _indicator(leader, campaign, "规范占道经营", 217, "家")
        heaps = _indicator(leader, campaign, "清理垃圾堆", 312, "处")
        start = dt.date(2026, 5, 6)
        _entries(traders, 217, start, 24, 180, [(team, units["sunkou-zfdd"])], villages)
        _entries(
            heaps,
            312,
            start,
            36,
            180,
            [(team, units["sunkou-zfdd"]), (station, units["sunkou-shsw"])],
            villages,
        )
        # The citizens' demands about the same matters, tagged to the campaign.
        numbers = list(
            Ticket.objects.filter(division__code__startswith=township.short_code)
            .filter(Q(title__contains="垃圾") | Q(title__contains="占道"))
            .order_by("id")
            .values_list("number", flat=True)[:5]
        )
        if numbers:
            services.campaign_tag_tickets(actor=leader, campaign=campaign, numbers=numbers)
        created += 1
    if not Campaign.objects.filter(name="高考护航", township=township).exists():
        campaign = services.campaign_create(
            actor=leader,
            data=services.CampaignInput(
                name="高考护航",
                starts_on=dt.date(2026, 5, 25),
                ends_on=dt.date(2026, 6, 10),
                lead_unit=units["sunkou"],
                units=(units["sunkou-zfdd"], units["sunkou-zzzx"], units["sunkou-shsw"]),
                township=township,
                description="考前排查噪音源，考点周边设服务点，7 所学校设护学岗。",
            ),
        )
        noise = _indicator(leader, campaign, "排查噪音源", 18, "处")
        service = _indicator(leader, campaign, "服务点服务", 192, "次")
        schools = _indicator(leader, campaign, "设立护学岗", 7, "所学校")
        start = dt.date(2026, 5, 26)
        _entries(noise, 18, start, 6, 10, [(team, units["sunkou-zfdd"])], villages)
        _entries(service, 192, dt.date(2026, 6, 5), 4, 3, [(station, units["sunkou-shsw"])], [])
        _entries(schools, 7, start, 7, 7, [(leader, units["sunkou-zzzx"])], villages)
        created += 1
    return created
