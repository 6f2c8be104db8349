"""A small world for 专项行动: 孙口镇 with two villages, its government (the lead), the 执法大队
and its 中队, a station, another township; the seed's campaigns and their indicators."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal

import pytest
from PIL import Image

from minsheng.governance.models import Campaign, Indicator, IndicatorKind
from minsheng.governance.services import campaigns as services
from minsheng.org.models import Division, Role, Unit, User
from tests.conftest import make_user

V1 = "410927102201"
V2 = "410927102202"
START = dt.date(2026, 5, 1)
END = dt.date(2026, 10, 31)


@dataclass
class World:
    sunkou: Division
    v1: Division
    v2: Division
    gov: Unit
    zfdd: Unit
    nc1: Unit
    nyfw: Unit
    other: Unit
    secretary: User  # unit leader of 孙口镇's government (the lead)
    team: User  # handler of 执法大队农村一中队 (belongs to the 执法大队)
    station: User  # handler of 农业服务中心
    outsider: User  # handler of 侯庙镇
    admin: User
    county_leader: User  # hotline leader: sees everything
    campaign: Campaign
    rate: Indicator  # 主次干道保洁达标率 82% → 98%
    traders: Indicator  # 规范占道经营 217 家
    heaps: Indicator  # 清理垃圾堆 312 处


def build_world() -> World:
    make = Division.objects.create
    county = make(code="410927000000", name="台前县", level=3)
    sunkou = make(code="410927102000", name="孙口镇", level=4, parent=county)
    v1 = make(code=V1, name="孙口村", level=5, parent=sunkou)
    v2 = make(code=V2, name="孙码头村", level=5, parent=sunkou)
    gov = Unit.objects.create(
        code="sunkou", name="孙口镇人民政府", kind=Unit.Kind.TOWNSHIP, division=sunkou
    )
    zfdd = Unit.objects.create(
        code="sunkou-zfdd", name="孙口镇综合行政执法大队", kind=Unit.Kind.TEAM, parent=gov
    )
    nc1 = Unit.objects.create(
        code="sunkou-zfdd-nc1", name="执法大队农村一中队", kind=Unit.Kind.TEAM, parent=zfdd
    )
    nyfw = Unit.objects.create(
        code="sunkou-nyfw", name="孙口镇农业服务中心", kind=Unit.Kind.STATION, parent=gov
    )
    other = Unit.objects.create(code="houmiao", name="侯庙镇人民政府", kind=Unit.Kind.TOWNSHIP)
    secretary = make_user("leader-sunkou", gov, Role.UNIT_LEADER)
    world = World(
        sunkou=sunkou,
        v1=v1,
        v2=v2,
        gov=gov,
        zfdd=zfdd,
        nc1=nc1,
        nyfw=nyfw,
        other=other,
        secretary=secretary,
        team=make_user("team-nc1", nc1, Role.HANDLER),
        station=make_user("h-nyfw", nyfw, Role.HANDLER),
        outsider=make_user("h-houmiao", other, Role.HANDLER),
        admin=make_user("root", None, Role.ADMINISTRATOR),
        county_leader=make_user("county-leader", None, Role.LEADER),
        campaign=None,  # type: ignore[arg-type]
        rate=None,  # type: ignore[arg-type]
        traders=None,  # type: ignore[arg-type]
        heaps=None,  # type: ignore[arg-type]
    )
    world.campaign = services.campaign_create(
        actor=secretary,
        data=services.CampaignInput(
            name="人居环境整治提升攻坚",
            starts_on=START,
            ends_on=END,
            lead_unit=gov,
            units=(zfdd, nyfw),
            township=sunkou,
        ),
    )
    add = services.indicator_add
    world.rate = add(
        actor=secretary,
        campaign=world.campaign,
        name="主次干道保洁达标率",
        kind=IndicatorKind.RATE,
        baseline=Decimal("82"),
        target=Decimal("98"),
    )
    world.traders = add(
        actor=secretary,
        campaign=world.campaign,
        name="规范占道经营",
        kind=IndicatorKind.COUNT,
        target=Decimal(217),
        unit_label="家",
    )
    world.heaps = add(
        actor=secretary,
        campaign=world.campaign,
        name="清理垃圾堆",
        kind=IndicatorKind.COUNT,
        target=Decimal(312),
        unit_label="处",
    )
    return world


@pytest.fixture
def world(db: None) -> World:
    return build_world()


def jpeg() -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, format="JPEG")
    out.seek(0)
    out.name = "x.jpg"
    return out


class Upload(io.BytesIO):
    """A file-like upload with a size, as Django's UploadedFile has."""

    def __init__(self, data: bytes, name: str = "photo.jpg") -> None:
        super().__init__(data)
        self.name = name
        self.size = len(data)
