"""A small 孙口镇 and 侯庙镇 with councils, stations and their handlers, for the councils' tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from minsheng.governance.models import Council
from minsheng.governance.services.councils import council_create
from minsheng.org.models import Division, Role, Unit, User
from minsheng.tickets import actions
from minsheng.tickets.models import Ticket
from tests.conftest import People, make_user

COUNTY = "410927000000"
SUNKOU = "410927102000"
HOUMIAO = "410927101000"
VILLAGE = "410927102201"  # 孙口村
WHARF = "410927102202"  # 孙码头村
HOUMIAO_VILLAGE = "410927101201"


def at(y: int, m: int, d: int, h: int = 10) -> dt.datetime:
    return dt.datetime(y, m, d, h, tzinfo=timezone.get_current_timezone())


@dataclass
class Town:
    people: People
    council: Council
    other: Council
    nyfw: Unit  # 农业服务站
    shsw: Unit  # 社会事务服务站
    secretary: User  # unit leader of 孙口镇人民政府
    admin: User
    h_nyfw: User
    h_shsw: User
    stranger: User  # unit leader of 侯庙镇


def make_town(people: People) -> Town:
    org = people.org
    make = Division.objects.create
    county = make(code=COUNTY, name="台前县", level=Division.Level.COUNTY)
    sunkou = make(code=SUNKOU, name="孙口镇", level=Division.Level.TOWNSHIP, parent=county)
    houmiao = make(code=HOUMIAO, name="侯庙镇", level=Division.Level.TOWNSHIP, parent=county)
    make(code=VILLAGE, name="孙口村委会", level=Division.Level.VILLAGE, parent=sunkou)
    make(code=WHARF, name="孙码头村委会", level=Division.Level.VILLAGE, parent=sunkou)
    make(code=HOUMIAO_VILLAGE, name="侯庙村委会", level=Division.Level.VILLAGE, parent=houmiao)
    nyfw = Unit.objects.create(
        code="sunkou-nyfw", name="孙口镇农业服务站", kind=Unit.Kind.STATION, parent=org.sunkou
    )
    shsw = Unit.objects.create(
        code="sunkou-shsw", name="孙口镇社会事务服务站", kind=Unit.Kind.STATION, parent=org.sunkou
    )
    admin = make_user("root", org.hotline, Role.ADMINISTRATOR)
    council = council_create(actor=admin, division=sunkou, unit=org.sunkou)
    other = council_create(actor=admin, division=houmiao, unit=org.houmiao)
    return Town(
        people=people,
        council=council,
        other=other,
        nyfw=nyfw,
        shsw=shsw,
        secretary=make_user("leader-sunkou", org.sunkou, Role.UNIT_LEADER),
        admin=admin,
        h_nyfw=make_user("h-nyfw", nyfw, Role.HANDLER),
        h_shsw=make_user("h-shsw", shsw, Role.HANDLER),
        stranger=make_user("leader-houmiao", org.houmiao, Role.UNIT_LEADER),
    )


def demand(
    people: People, division: str = VILLAGE, phone: str = "13800138000", **kw: object
) -> Ticket:
    fields: dict[str, object] = {
        "channel": "hotline",
        "kind": "complaint",
        "title": "路灯不亮",
        "description": "村口路灯连续三晚不亮，夜间出行不便。",
        "citizen_name": "张三",
        "citizen_phone": phone,
        "division": Division.objects.get(code=division),
    }
    fields.update(kw)
    return actions.ticket_intake(actor=people.operator, **fields)  # type: ignore[arg-type]


def finish(ticket: Ticket, handler: User) -> Ticket:
    """The station signs, contacts and replies (its work is done)."""
    ticket = actions.ticket_sign(ticket=ticket, actor=handler)
    ticket = actions.ticket_contact(ticket=ticket, actor=handler, method="phone", note="已联系")
    return actions.ticket_reply(ticket=ticket, actor=handler, result="resolved", content="已办结。")
