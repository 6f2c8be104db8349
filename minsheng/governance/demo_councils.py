"""The demo's 民生议事会: 孙口镇's council with three past weekly meetings (17, 10 and 3 days ago),
each held and recorded, each with a decision whose work went to the township's units — made
through the services as the township's secretary would, so that the council's page shows work
done on time (the first meeting's, a month-long job answered now), late (the second's, due three
days ago and answered now) and open (the third's, at 社会事务服务中心), and each later agenda
carries the earlier work over. Called by `manage.py seed_demo`.

Idempotent: nothing is made when 孙口镇 already has a council with a meeting.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from minsheng.governance.models import Council
from minsheng.governance.services import councils as service
from minsheng.org.models import Division, Unit, User
from minsheng.tickets import actions
from minsheng.tickets.models import Ticket

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
    if council is None:  # weekly, on the weekday of the demo's meetings
        weekday = (today - dt.timedelta(days=3)).weekday()
        council = service.council_create(actor=admin, division=division, unit=unit, weekday=weekday)
    if council.meetings.exists():
        return 0

    def unit_of(suffix: str) -> Unit | None:
        return Unit.objects.filter(code=f"{TOWNSHIP_UNIT}-{suffix}").first()

    def answer(work_ticket: Ticket, suffix: str, content: str) -> None:
        handler = User.objects.filter(username=f"h-{TOWNSHIP_UNIT}-{suffix}").first()
        if handler is None:
            return
        ticket = actions.ticket_sign(ticket=work_ticket, actor=handler)
        ticket = actions.ticket_contact(ticket=ticket, actor=handler, method="phone", note="已联系")
        actions.ticket_reply(ticket=ticket, actor=handler, result="resolved", content=content)

    made = 0
    for days_ago, minutes, text, works_spec in MEETINGS:
        held_on = today - dt.timedelta(days=days_ago)
        meeting = service.council_meeting_open(actor=secretary, council=council, date=held_on)
        meeting = service.council_meeting_record(
            actor=secretary,
            meeting=meeting,
            chair="孙口镇党委书记",
            attendees=ATTENDEES,
            minutes=minutes,
            held=True,
        )
        works: list[service.Work] = []
        answers: list[tuple[str, str]] = []
        for suffix, due_days, title, reply in works_spec:
            found = unit_of(suffix)
            if found is not None:
                works.append((found, held_on + dt.timedelta(days=due_days), title, ""))
                answers.append((suffix, reply))
        decision = service.council_decide(actor=secretary, meeting=meeting, text=text, works=works)
        made += 1
        tickets = [w.ticket for w in decision.works.select_related("ticket").order_by("id")]
        for ticket, (suffix, reply) in zip(tickets, answers, strict=True):
            if reply:
                answer(ticket, suffix, reply)
    return made


ATTENDEES = "镇党委书记、镇长、分管副镇长、农业服务中心、社会事务服务中心、执法大队负责人"
# (days ago, minutes, decision, works: (unit suffix, days to finish, title, reply or "" = open)).
MEETINGS: list[tuple[int, str, str, list[tuple[str, int, str, str]]]] = [
    (
        17,
        "一、通报上周群众诉求及办理情况。\n"
        "二、研究镇区主干道两侧占道经营问题，决定开展为期一个月的集中整治，"
        "由执法大队牵头规范占道经营。\n三、下周例会听取落实情况。",
        "开展镇区主干道占道经营集中整治，一个月内规范到位。",
        [("zfdd", 30, "规范镇区主干道两侧占道经营", "已规范占道经营摊点，设置临时便民疏导点。")],
    ),
    (
        10,
        "一、听取上周决定落实情况：占道经营整治进行中。\n"
        "二、研究高考期间考点周边噪音问题，决定由执法大队在考前排查噪音源。\n"
        "三、下周例会听取落实情况。",
        "高考前排查考点周边噪音源，一周内完成。",
        [("zfdd", 7, "排查考点周边噪音源", "已排查噪音源并督促整改。")],
    ),
    (
        3,
        "一、通报上周群众诉求及办理情况。\n"
        "二、研究孙码头村灌渠淤堵、村口路灯不亮问题，决定由农业服务中心疏通灌渠，"
        "社会事务服务中心协调修复路灯。\n"
        "三、下周例会听取落实情况。",
        "疏通孙码头村灌渠，修复村口路灯，下周例会通报落实情况。",
        [
            ("nyfw", 7, "疏通孙码头村灌渠", "灌渠已清淤疏通，水流正常。"),
            ("shsw", 7, "修复孙码头村村口路灯", ""),
        ],
    ),
]
