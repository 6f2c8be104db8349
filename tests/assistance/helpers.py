"""A small county for the ledger's tests: 台前县 with 孙口镇 (two villages) and 侯庙镇 (one),
a station worker per village, 孙口镇's 帮扶专干, the county 残联's 帮扶专干, and ID numbers that
pass the checksum (generated, never anybody's)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from minsheng.assistance.models import Person, Station
from minsheng.assistance.services import people as service
from minsheng.org.models import Division, Role, Unit, User
from minsheng.textproc.pii import id_check_character
from tests.conftest import make_user

SUNKOU = "410927102000"
HOUMIAO = "410927103000"
V1, V2, V4 = "410927102201", "410927102202", "410927103201"


def fake_id(seq: int, *, born: dt.date = dt.date(1980, 5, 17), region: str = "410927") -> str:
    first17 = f"{region}{born:%Y%m%d}{seq % 1000:03d}"
    return first17 + id_check_character(first17)


def fake_phone(seq: int) -> str:
    return f"139{seq:08d}"


@dataclass
class Area:
    worker1: User  # 孙口村's station
    worker2: User  # 桥北张村's station
    worker4: User  # 侯庙村's station
    officer: User  # 孙口镇's 帮扶专干
    canlian: User  # 县残联's 帮扶专干
    v1: Division
    v2: Division
    v4: Division
    sunkou: Division
    county: Division


def _division(code: str, name: str, level: int, parent: str | None) -> Division:
    return Division.objects.create(code=code, name=name, level=level, parent_id=parent)


def make_area() -> Area:
    _division("410000000000", "河南省", 1, None)
    _division("410900000000", "濮阳市", 2, "410000000000")
    county = _division("410927000000", "台前县", 3, "410900000000")
    sunkou = _division(SUNKOU, "孙口镇", 4, county.code)
    _division(HOUMIAO, "侯庙镇", 4, county.code)
    v1 = _division(V1, "孙口村", 5, SUNKOU)
    v2 = _division(V2, "桥北张村", 5, SUNKOU)
    v4 = _division(V4, "侯庙村", 5, HOUMIAO)
    gov = Unit.objects.create(
        code="gov-sunkou", name="孙口镇人民政府", kind=Unit.Kind.TOWNSHIP, division=sunkou
    )
    units = {
        code: Unit.objects.create(
            code=f"vc-{code}", name=f"{code}村委会", kind=Unit.Kind.VILLAGE, division_id=code
        )
        for code in (V1, V2, V4)
    }
    canlian = Unit.objects.create(
        code="tq-cl", name="台前县残疾人联合会", kind=Unit.Kind.DEPARTMENT, division=county
    )
    return Area(
        worker1=make_user("worker1", units[V1], Role.STATION_WORKER),
        worker2=make_user("worker2", units[V2], Role.STATION_WORKER),
        worker4=make_user("worker4", units[V4], Role.STATION_WORKER),
        officer=make_user("officer", gov, Role.ASSIST_OFFICER),
        canlian=make_user("canlian-officer", canlian, Role.ASSIST_OFFICER),
        v1=v1,
        v2=v2,
        v4=v4,
        sunkou=sunkou,
        county=county,
    )


def add_person(
    user: User,
    village: Division,
    seq: int,
    *,
    name: str = "",
    categories: tuple[str, ...] = ("脱贫户",),
    household: str = "",
    in_workforce: bool = True,
) -> Person:
    return service.person_create(
        user,
        village,
        service.PersonData(
            name=name or f"测试{seq}",
            id_number=fake_id(seq),
            phone=fake_phone(seq),
            categories=list(categories),
            household=household,
            in_workforce=in_workforce,
        ),
    )


def station(user: User, village: Division) -> Station:
    from minsheng.assistance.services import stations

    return stations.station_ensure(user, village)
