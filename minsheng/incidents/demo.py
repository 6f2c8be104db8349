"""The demo county's incidents (manage.py seed_demo, idempotent): a roster — the 水利局's
repair crew, 侯庙镇's emergency team, a dairy farm's tractors, volunteers and their group — and
one closed past incident modelled on the seed's 夏县 outage: a broken valve cut water to six
villages of 侯庙镇 (their people from the population register), repaired through the night in
about ten hours, with its log, acknowledged assignments and a broadcast. Everything goes
through the services; the phones are synthetic (170 numbers)."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.utils import timezone

from minsheng.incidents import services
from minsheng.incidents.models import Incident, Machine, Mobilisation, Team
from minsheng.org.models import Division, Unit, User
from minsheng.tickets import actions
from minsheng.tickets.models import Category, Ticket

TOWNSHIP = "410927101000"  # 侯庙镇
TITLE = "侯庙镇供水主管阀门损坏致6村停水"
TICKET_TITLE = "侯庙镇多个村突然停水"
SUBSCRIBERS_PER_VILLAGE = 20
VOLUNTEERS = [
    ("侯志强", "送水、驾驶"),
    ("李红梅", "入户走访"),
    ("王建国", "水电维修"),
    ("张秀英", "照护老人"),
    ("刘德胜", "驾驶"),
    ("赵丽娟", "宣传"),
    ("陈永亮", "水电维修"),
    ("孙桂芝", "入户走访"),
]


def _phone(*parts: object) -> str:
    """A synthetic 170 number, stable for the same parts."""
    digest = hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest()
    return "170" + str(int(digest[:12], 16))[-8:].rjust(8, "0")


def seed_demo_incidents() -> int:
    """Make the roster and the past incident unless they exist; returns incidents made."""
    dispatcher = User.objects.filter(username="dispatcher").first()
    township = Division.objects.filter(code=TOWNSHIP).first()
    water = Unit.objects.filter(code="tq-slj").first()
    houmiao = Unit.objects.filter(code="houmiao").first()
    if dispatcher is None or township is None or water is None or houmiao is None:
        return 0
    villages = list(Division.objects.filter(parent=township).order_by("code")[:6])
    teams = _roster(dispatcher, water, houmiao, villages)
    if Incident.objects.filter(title=TITLE).exists():
        return 0
    _incident(dispatcher, villages, teams)
    return 1


def _roster(
    dispatcher: User, water: Unit, houmiao: Unit, villages: list[Division]
) -> dict[str, Team]:
    teams: dict[str, Team] = {}
    for key, unit, name, leader, members in (
        ("water", water, "供水抢修队", "h-tq-slj", 12),
        ("town", houmiao, "应急分队", "h-houmiao", 30),
    ):
        team = Team.objects.filter(unit=unit, name=name).first()
        if team is None:
            team = services.team_save(
                actor=dispatcher,
                unit=unit,
                name=name,
                leader=User.objects.filter(username=leader).first(),
                phone=_phone("team", key),
                members=members,
            )
        teams[key] = team
    if not Machine.objects.exists():
        services.machine_save(
            actor=dispatcher,
            kind="tractor",
            label="东方红拖拉机（带水罐）",
            count=6,
            owner_company="台前县某奶牛场",
            contact_name="牧场场长",
            phone=_phone("machine", "farm"),
        )
        services.machine_save(
            actor=dispatcher,
            kind="excavator",
            label="小型挖掘机 豫J·A1234",
            owner_unit=water,
            phone=_phone("machine", "excavator"),
        )
        services.machine_save(
            actor=dispatcher,
            kind="water_truck",
            label="送水车 豫J·B5678",
            count=2,
            owner_unit=water,
            phone=_phone("machine", "truck"),
        )
    group = services.group_save(actor=dispatcher, name="侯庙镇青年志愿服务队")
    for i, (name, skills) in enumerate(VOLUNTEERS):
        services.volunteer_save(
            actor=dispatcher,
            name=name,
            phone=_phone("volunteer", i),
            skills=skills,
            village=villages[i % len(villages)] if villages else None,
            groups=[group] if i < 6 else [],
        )
    for v, village in enumerate(villages):
        for i in range(SUBSCRIBERS_PER_VILLAGE):
            services.subscriber_add(
                actor=dispatcher, village=village, phone=_phone("resident", v, i)
            )
    return teams


def _incident(dispatcher: User, villages: list[Division], teams: dict[str, Team]) -> None:
    day = timezone.localdate() - dt.timedelta(days=20)
    tz = timezone.get_current_timezone()

    def at(days: int, hour: int, minute: int) -> dt.datetime:
        return dt.datetime.combine(day + dt.timedelta(days=days), dt.time(hour, minute), tz)

    operator = User.objects.get(username="operator")
    category = Category.objects.filter(full_name="市政公用/供水/停水").first()
    ticket = Ticket.objects.filter(title=TICKET_TITLE).first()
    if ticket is None:
        ticket = actions.ticket_intake(
            actor=operator,
            channel="hotline",
            kind="help",
            title=TICKET_TITLE,
            description="晚上七点多家里突然没水了，邻村也停了，不知道什么时候能来水。",
            citizen_name="侯先生",
            citizen_phone=_phone("caller"),
            category=category,
            division=villages[0],
            affected_population=200,
        )
        ticket = actions.ticket_dispatch(
            ticket=ticket, actor=dispatcher, lead_unit="tq-slj", instructions="请立即组织抢修。"
        )
    incident = services.incident_raise(
        actor=dispatcher,
        tickets=[ticket],
        kind="water",
        title=TITLE,
        severity="3",
        started_at=at(0, 19, 40),
        villages=[v.code for v in villages],
    ).incident
    for kind, pk, task in (
        ("team", teams["water"].pk, "关闭上游阀门，更换损坏阀门"),
        ("team", teams["town"].pk, "组织送水，安抚群众"),
        ("machine", Machine.objects.get(owner_company="台前县某奶牛场").pk, "拉水到各村"),
        (
            "group",
            services.group_save(actor=dispatcher, name="侯庙镇青年志愿服务队").pk,
            "入户送水，照顾老人",
        ),
    ):
        services.incident_mobilise(
            incident=incident, actor=dispatcher, kind=kind, resource_id=pk, task=task
        )
    for m in Mobilisation.objects.filter(incident=incident).order_by("pk"):
        services.mobilisation_ack(mobilisation=m, actor=dispatcher, by_phone=True, note="电话确认")
    for when, kind, text in (
        (at(0, 20, 5), "plan", "县水利局启动供水应急预案"),
        (at(0, 20, 50), "on_site", "供水抢修队12人到场，确认主管阀门损坏"),
        (at(0, 21, 10), "cut", "关闭上游阀门，开始更换"),
        (at(0, 22, 0), "note", "奶牛场拖拉机水罐分批送水到6个村"),
        (at(1, 5, 50), "restored", "阀门更换完毕，6村恢复供水"),
    ):
        services.log_add(incident=incident, actor=dispatcher, kind=kind, at=when, text=text)
    services.broadcast_send(
        incident=incident,
        actor=dispatcher,
        text="因供水主管阀门损坏，侯庙镇6个村临时停水，正在连夜抢修，送水车已出发。",
        token=f"demo-incident-{incident.pk}",
    )
    services.incident_close(incident=incident, actor=dispatcher, note="阀门已更换，管网压力正常。")
