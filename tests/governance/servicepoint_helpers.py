"""服务点 on the councils' small 孙口镇 (tests/governance/council_helpers.py), grown to four
villages with resident counts in the population register: 孙口村 1,200, 孙码头村 800, 代庄村 500,
刘桥村 300 (2,800 in all)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from minsheng.governance.models import ServicePoint
from minsheng.governance.services.servicepoints import PointInput, point_create
from minsheng.org.models import Division, Role, User
from minsheng.org.population import CountRow, record_population
from tests.conftest import People, make_user
from tests.governance.council_helpers import SUNKOU, VILLAGE, WHARF, Town, make_town

DAIZHUANG = "410927102203"  # 代庄村
LIUQIAO = "410927102204"  # 刘桥村
POPULATION = {VILLAGE: 1200, WHARF: 800, DAIZHUANG: 500, LIUQIAO: 300}
COUNTED_FROM = dt.date(2026, 1, 1)


@dataclass
class Points:
    town: Town
    sunkou: Division
    villages: dict[str, Division]  # by code
    guard: User  # handler of 孙口镇农业服务站: records at its points, manages nothing


def make_points(people: People) -> Points:
    town = make_town(people)
    sunkou = Division.objects.get(code=SUNKOU)
    for code, name in ((DAIZHUANG, "代庄村委会"), (LIUQIAO, "刘桥村委会")):
        Division.objects.create(code=code, name=name, level=Division.Level.VILLAGE, parent=sunkou)
    record_population(
        [CountRow(code, n) for code, n in POPULATION.items()], effective_from=COUNTED_FROM
    )
    villages = {d.code: d for d in Division.objects.filter(parent=sunkou)}
    return Points(
        town=town,
        sunkou=sunkou,
        villages=villages,
        guard=make_user("guard-nyfw", town.nyfw, Role.HANDLER),
    )


def point(
    p: Points,
    name: str,
    codes: list[str],
    *,
    actor: User | None = None,
    whole: bool = False,
    **kw: object,
) -> ServicePoint:
    fields: dict[str, object] = {
        "unit": p.town.nyfw,
        "kind": ServicePoint.Kind.STATION,
        "name": name,
        "place": p.villages[codes[0]] if codes else p.sunkou,
        "hours": "工作日 8:30—17:30",
        "services": ("政策咨询", "代办"),
        "villages": tuple(p.villages[c] for c in codes),
        "whole_township": whole,
    }
    fields.update(kw)
    return point_create(actor=actor or p.town.secretary, data=PointInput(**fields))  # type: ignore[arg-type]
