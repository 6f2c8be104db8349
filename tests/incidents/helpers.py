"""The seed's 夏县 case as a small area: a township and six villages whose registered
population sums to 18,000, two teams, a volunteer group, and tickets about the water cut."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from minsheng.incidents import services
from minsheng.incidents.models import Team, Volunteer, VolunteerGroup
from minsheng.org.models import Division, Role, Unit, User
from minsheng.org.population import CountRow, record_population
from minsheng.tickets.models import Ticket
from tests.conftest import People, make_user
from tests.factories import dispatched, new_ticket

CHINA = ZoneInfo("Asia/Shanghai")
TOWNSHIP = "410927100000"
VILLAGES = [f"410927100{n}" for n in range(201, 207)]
POPULATION = [4200, 3600, 2800, 2500, 2900, 2000]  # 18,000 in all


def at(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> dt.datetime:
    return dt.datetime(y, mo, d, h, mi, tzinfo=CHINA)


# The evening the valve broke, and ~10 hours of repair through the night.
STARTED = at(2026, 11, 20, 20, 30)
RESTORED = at(2026, 11, 21, 6, 45)


@dataclass
class Area:
    township: Division
    villages: list[Division]
    water: Unit
    team_water: Team
    team_town: Team
    group: VolunteerGroup
    volunteers: list[Volunteer]
    crew_leader: User


def make_area(people: People) -> Area:
    Division.objects.get_or_create(
        code="410927000000", defaults={"name": "台前县", "level": Division.Level.COUNTY}
    )
    township, _ = Division.objects.get_or_create(
        code=TOWNSHIP,
        defaults={"name": "城关镇", "level": Division.Level.TOWNSHIP, "parent_id": "410927000000"},
    )
    villages = [
        Division.objects.get_or_create(
            code=code,
            defaults={"name": f"第{i + 1}村", "level": Division.Level.VILLAGE, "parent": township},
        )[0]
        for i, code in enumerate(VILLAGES)
    ]
    record_population(
        [CountRow(code, n) for code, n in zip(VILLAGES, POPULATION, strict=True)],
        effective_from=dt.date(2026, 1, 1),
        source="test",
    )
    water = Unit.objects.create(code="tq-slj", name="台前县水利局", kind=Unit.Kind.DEPARTMENT)
    crew_leader = make_user("crew", water, Role.HANDLER)
    d = people.dispatcher
    team_water = services.team_save(
        actor=d, unit=water, name="供水抢修队", leader=crew_leader, phone="13900000001", members=12
    )
    team_town = services.team_save(
        actor=d, unit=people.org.sunkou, name="镇应急队", phone="13900000002", members=30
    )
    group = services.group_save(actor=d, name="青年志愿服务队")
    volunteers = [
        services.volunteer_save(
            actor=d, name=f"志愿者{i}", phone=f"1370000000{i}", skills="送水", groups=[group]
        )
        for i in range(1, 4)
    ]
    return Area(township, villages, water, team_water, team_town, group, volunteers, crew_leader)


def water_tickets(people: People, area: Area, n: int = 3) -> list[Ticket]:
    first = dispatched(people, title="村里停水了", division=area.villages[0])
    others = [
        new_ticket(people, title=f"第{i}村也停水", division=area.villages[i]) for i in range(1, n)
    ]
    return [first, *others]


def raise_water(people: People, area: Area, tickets: list[Ticket], **kw: object):  # type: ignore[no-untyped-def]
    fields: dict[str, object] = {
        "actor": people.dispatcher,
        "tickets": tickets,
        "kind": "water",
        "title": "阀门损坏致6村停水",
        "severity": "3",
        "started_at": STARTED,
        "villages": VILLAGES,
    }
    fields.update(kw)
    return services.incident_raise(**fields)  # type: ignore[arg-type]
