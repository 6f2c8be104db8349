"""A small county for the facilities' tests: 台前县 with 孙口镇 (two villages) and 侯庙镇, their
township governments, a keeper (handler) of 孙口镇, a handler of 侯庙镇, an operator, an admin."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from minsheng.facilities.models import Facility, Schedule
from minsheng.facilities.services import (
    FacilityInput,
    ScheduleInput,
    facility_create,
    schedule_save,
)
from minsheng.org.models import Division, Role, Unit, User
from tests.conftest import make_user

SUNKOU = "410927102000"
HOUMIAO = "410927103000"
V1, V2 = "410927102201", "410927102202"


@dataclass
class Area:
    county: Division
    sunkou: Division
    houmiao: Division
    v1: Division
    gov: Unit  # 孙口镇人民政府
    team: Unit  # 孙口镇环卫所 (under the government)
    houmiao_gov: Unit
    keeper: User  # handler of 孙口镇人民政府
    cleaner: User  # handler of the 环卫所
    other: User  # handler of 侯庙镇
    operator: User
    admin: User


def _division(code: str, name: str, level: int, parent: str | None) -> Division:
    return Division.objects.create(code=code, name=name, level=level, parent_id=parent)


def make_area() -> Area:
    _division("410000000000", "河南省", 1, None)
    _division("410900000000", "濮阳市", 2, "410000000000")
    county = _division("410927000000", "台前县", 3, "410900000000")
    sunkou = _division(SUNKOU, "孙口镇", 4, county.code)
    houmiao = _division(HOUMIAO, "侯庙镇", 4, county.code)
    v1 = _division(V1, "孙口村", 5, SUNKOU)
    _division(V2, "桥北张村", 5, SUNKOU)
    gov = Unit.objects.create(
        code="gov-sunkou", name="孙口镇人民政府", kind=Unit.Kind.TOWNSHIP, division=sunkou
    )
    team = Unit.objects.create(
        code="sunkou-hw", name="孙口镇环卫所", kind=Unit.Kind.TEAM, parent=gov, phone="03930000001"
    )
    houmiao_gov = Unit.objects.create(
        code="gov-houmiao", name="侯庙镇人民政府", kind=Unit.Kind.TOWNSHIP, division=houmiao
    )
    keeper = make_user("keeper-sunkou", gov, Role.HANDLER)
    keeper.display_name = "演示保洁员"
    keeper.phone = "13900001234"
    keeper.save()
    return Area(
        county=county,
        sunkou=sunkou,
        houmiao=houmiao,
        v1=v1,
        gov=gov,
        team=team,
        houmiao_gov=houmiao_gov,
        keeper=keeper,
        cleaner=make_user("cleaner-sunkou", team, Role.HANDLER),
        other=make_user("h-houmiao", houmiao_gov, Role.HANDLER),
        operator=make_user("op", None, Role.OPERATOR),
        admin=make_user("fac-admin", None, Role.ADMINISTRATOR),
    )


def toilet(area: Area, name: str = "孙口镇政府东公厕", **overrides: object) -> Facility:
    values: dict[str, object] = {
        "kind": "公厕",
        "name": name,
        "place": area.v1,
        "owner": area.gov,
        "address": "镇政府东侧",
        "keeper_user": area.keeper,
        "all_day": False,
        "opens_at": dt.time(6, 0),
        "closes_at": dt.time(22, 0),
    }
    values.update(overrides)
    return facility_create(actor=area.admin, data=FacilityInput(**values))  # type: ignore[arg-type]


def cleaning_every(
    area: Area, facility: Facility, minutes: int, now: dt.datetime, **extra: object
) -> Schedule:
    return schedule_save(
        actor=area.admin,
        facility=facility,
        data=ScheduleInput(kind="cleaning", rule="interval", every_minutes=minutes, **extra),  # type: ignore[arg-type]
        now=now,
    )


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    from zoneinfo import ZoneInfo

    return dt.datetime.combine(day, dt.time(hour, minute), ZoneInfo("Asia/Shanghai"))
