"""A small world for the board's staff side: two villages of 孙口镇 and one of 侯庙镇, each with
a clerk and a monitor; a township reviewer for each township; an administrator."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import pytest
from PIL import Image

from minsheng.org.models import Division, Role, Unit, User
from minsheng.villages.models import Board, Item, ReviewBy
from minsheng.villages.services import items
from minsheng.villages.services.boards import ensure_boards
from tests.conftest import make_user

V1 = "410927102201"  # 孙口村
V2 = "410927102202"  # 孙码头村
V3 = "410927101201"  # 侯庙镇's village


@dataclass
class World:
    clerk: User  # 孙口村
    clerk2: User  # 孙码头村
    clerk3: User  # 侯庙镇's village
    monitor: User  # 孙口村
    monitor2: User  # 孙码头村
    reviewer: User  # 孙口镇
    reviewer_other: User  # 侯庙镇
    admin: User

    def board(self, code: str = V1) -> Board:
        return Board.objects.get(pk=code)


def build_world() -> World:
    make = Division.objects.create
    county = make(code="410927000000", name="台前县", level=3)
    sunkou = make(code="410927102000", name="孙口镇", level=4, parent=county)
    houmiao = make(code="410927101000", name="侯庙镇", level=4, parent=county)
    v1 = make(code=V1, name="孙口村委会", level=5, parent=sunkou)
    v2 = make(code=V2, name="孙码头村委会", level=5, parent=sunkou)
    v3 = make(code=V3, name="侯庙村委会", level=5, parent=houmiao)
    ensure_boards()
    gov = Unit.objects.create(
        code="sunkou-gov", name="孙口镇人民政府", kind=Unit.Kind.TOWNSHIP, division=sunkou
    )
    gov2 = Unit.objects.create(
        code="houmiao-gov", name="侯庙镇人民政府", kind=Unit.Kind.TOWNSHIP, division=houmiao
    )
    units = {
        code: Unit.objects.create(
            code=f"v{code[-4:]}", name=div.name, kind=Unit.Kind.VILLAGE, division=div, parent=p
        )
        for code, div, p in ((V1, v1, gov), (V2, v2, gov), (V3, v3, gov2))
    }
    return World(
        clerk=make_user("clerk1", units[V1], Role.VILLAGE_CLERK),
        clerk2=make_user("clerk2", units[V2], Role.VILLAGE_CLERK),
        clerk3=make_user("clerk3", units[V3], Role.VILLAGE_CLERK),
        monitor=make_user("monitor1", units[V1], Role.VILLAGE_MONITOR),
        monitor2=make_user("monitor2", units[V2], Role.VILLAGE_MONITOR),
        reviewer=make_user("reviewer", gov, Role.AFFAIRS_REVIEWER),
        reviewer_other=make_user("reviewer2", gov2, Role.AFFAIRS_REVIEWER),
        admin=make_user("root", None, Role.ADMINISTRATOR),
    )


@pytest.fixture
def world(db: None) -> World:
    return build_world()


def set_review_by(code: str, value: str | ReviewBy) -> None:
    Board.objects.filter(pk=code).update(review_by=value)


def draft(
    world: World,
    *,
    code: str = V1,
    section: str = "affairs",
    title: str = "2026年第四季度村务公开",
    kind: str = "quarter",
    day: dt.date = dt.date(2026, 11, 5),
    body: str = "低保评议结果：经村民代表会议评议，新增低保户 2 户。",
) -> Item:
    clerk = {V1: world.clerk, V2: world.clerk2, V3: world.clerk3}[code]
    return items.item_draft(
        actor=clerk,
        village_code=code,
        section=section,
        title=title,
        period_kind=kind,
        period_day=day,
        body=body,
    )


def refreshed(item: Item) -> Item:
    return Item.objects.get(pk=item.pk)


def image_bytes(
    fmt: str = "JPEG", *, size: tuple[int, int] = (40, 30), exif: bool = False
) -> bytes:
    image = Image.new("RGB", size, (200, 60, 60))
    out = io.BytesIO()
    if exif:
        tags = Image.Exif()
        tags[0x010F] = "PhoneMaker"  # Make
        tags[0x0132] = "2026:11:03 10:00:00"  # DateTime
        image.save(out, format=fmt, exif=tags)
    else:
        image.save(out, format=fmt)
    return out.getvalue()


PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
