"""The demo's 民生议事会: 孙口镇's council with one past meeting (held three days ago) and one decision
whose work went to two stations — 农业服务中心 has answered, 社会事务服务中心 has not — made
through the services as the township's secretary would. Called by `manage.py seed_demo`.

Idempotent: nothing is made when 孙口镇 already has a council with a meeting.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from minsheng.governance.models import Council
from minsheng.governance.services import councils as service
from minsheng.org.models import Division, Unit, User
from minsheng.tickets import actions

TOWNSHIP_CODE = "410927102000"  # 孙口镇
TOWNSHIP_UNIT = "sunkou"
SECRETARY = "leader-sunkou"


def seed_demo_councils() -> int:
    """Returns the number of meetings made (0 when the demo already has them)."""
    division = Division.objects.filter(code=TOWNSHIP_CODE).first()
    unit = Unit.objects.filter(code=TOWNSHIP_UNIT).first()
    admin = User.objects.filter(username="admin").first()
    secretary = User.objects.filter(username=SECRETARY).first()
    if division is None or unit is None or admin is None or secretary is None:
        return 0
    council = Council.objects.filter(division=division).first()
    today = timezone.localdate()
    # Three days ago, and weekly on that weekday: 农业服务中心's answer (now) is on time.
    held_on = today - dt.timedelta(days=3)
    if council is None:
        council = service.council_create(
            actor=admin, division=division, unit=unit, weekday=held_on.weekday()
        )
    if council.meetings.exists():
        return 0
    meeting = service.council_meeting_open(actor=secretary, council=council, date=held_on)
    meeting = service.council_meeting_record(
        actor=secretary,
        meeting=meeting,
        chair="孙口镇党委书记",
        attendees="镇党委书记、镇长、分管副镇长、农业服务中心、社会事务服务中心、执法大队负责人",
        minutes=(
            "一、通报上周群众诉求及办理情况。\n"
            "二、研究孙码头村灌渠淤堵、村口路灯不亮问题，决定由农业服务中心疏通灌渠，"
            "社会事务服务中心协调修复路灯。\n"
            "三、下周例会听取落实情况。"
        ),
        held=True,
    )
    nyfw = Unit.objects.filter(code=f"{TOWNSHIP_UNIT}-nyfw").first()
    shsw = Unit.objects.filter(code=f"{TOWNSHIP_UNIT}-shsw").first()
    works: list[service.Work] = []
    if nyfw is not None:
        works.append((nyfw, held_on + dt.timedelta(days=7), "疏通孙码头村灌渠", "清淤约300米"))
    if shsw is not None:
        works.append((shsw, held_on + dt.timedelta(days=7), "修复孙码头村村口路灯", ""))
    decision = service.council_decide(
        actor=secretary,
        meeting=meeting,
        text="疏通孙码头村灌渠，修复村口路灯，下周例会通报落实情况。",
        works=works,
    )
    # 农业服务中心 has done its part.
    handler = User.objects.filter(username=f"h-{TOWNSHIP_UNIT}-nyfw").first()
    first = decision.works.select_related("ticket").order_by("id").first()
    if handler is not None and first is not None:
        ticket = actions.ticket_sign(ticket=first.ticket, actor=handler)
        ticket = actions.ticket_contact(
            ticket=ticket, actor=handler, method="phone", note="已与孙码头村委会联系"
        )
        actions.ticket_reply(
            ticket=ticket, actor=handler, result="resolved", content="灌渠已清淤疏通，水流正常。"
        )
    return 1
