"""The demo's 包村 and 走访: 孙口镇's six demo villages with their responsible people — the county
leader (`leader`, 包村领导 of 孙口村 and 孙码头村), the township's head (`leader-sunkou`, 包村领导
of 代庄村), the township's handler (`h-sunkou`, 包村干部 of 孙口村 and 刘桥村), the 农业服务中心's
handler (`h-sunkou-nyfw`, 驻村工作队员 in 王黑村) and the 社会事务服务中心's (`h-sunkou-shsw`,
包村干部 of 桥北张村 and 代庄村) — and a few visits: `h-sunkou` in 孙口村 with two needs, one
made a ticket (waiting for `dispatcher`), one put before the council; `leader` in 孙码头村 last
month; `h-sunkou-shsw` in 桥北张村. Made through the services; called by `manage.py seed_demo`
after the council's demo. Idempotent: nothing is made when 孙口镇 already has assignments.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from minsheng.governance.models import VillageAssignment, VisitNeed
from minsheng.governance.services import visits as service
from minsheng.org.models import Division, User

TOWNSHIP_CODE = "410927102000"  # 孙口镇
PREFIX = "410927102"
LEADER, CADRE, TEAM = (
    VillageAssignment.Duty.LEADER,
    VillageAssignment.Duty.CADRE,
    VillageAssignment.Duty.TEAM,
)
# (username, village suffix, duty)
ASSIGNMENTS = (
    ("leader", "201", LEADER),
    ("leader", "202", LEADER),
    ("leader-sunkou", "203", LEADER),
    ("h-sunkou", "201", CADRE),
    ("h-sunkou", "204", CADRE),
    ("h-sunkou-nyfw", "205", TEAM),
    ("h-sunkou-shsw", "206", CADRE),
    ("h-sunkou-shsw", "203", CADRE),
)


def seed_demo_visits() -> int:
    """Returns the number of visits made (0 when the demo already has its assignments)."""
    township = Division.objects.filter(code=TOWNSHIP_CODE).first()
    admin = User.objects.filter(username="admin").first()
    if township is None or admin is None:
        return 0
    if VillageAssignment.objects.filter(township=township).exists():
        return 0
    users = {u.username: u for u in User.objects.filter(username__in={a[0] for a in ASSIGNMENTS})}
    villages = {d.code: d for d in Division.objects.filter(parent=township)}
    today = timezone.localdate()
    starts_on = today - dt.timedelta(days=180)
    for username, suffix, duty in ASSIGNMENTS:
        person = users.get(username)
        village = villages.get(f"{PREFIX}{suffix}")
        if person is None or village is None:
            continue
        service.assignment_add(
            actor=admin, person=person, village=village, duty=duty, starts_on=starts_on
        )
    made = 0
    visits: tuple[tuple[str, str, dt.date, int, str, list[service.Need]], ...] = (
        (
            "h-sunkou",
            "201",
            today - dt.timedelta(days=2),
            14,
            "入户走访 14 户，了解冬季取暖和饮水情况。",
            [
                service.Need(
                    "村东头机井水泵坏了，十几户浇地困难，希望尽快修好。",
                    VisitNeed.Outcome.TICKET,
                    citizen_name="孙德胜",
                    citizen_phone="13903931234",
                ),
                service.Need(
                    "建议在孙口村小学门口设置减速带和护学岗。",
                    VisitNeed.Outcome.SUGGESTION,
                    citizen_name="孙玉兰",
                ),
            ],
        ),
        (
            "leader",
            "202",
            today - dt.timedelta(days=35),
            8,
            "走访孙码头村困难户，了解灌渠和路灯问题。",
            [],
        ),
        ("h-sunkou-shsw", "206", today - dt.timedelta(days=5), 6, "走访独居老人 6 户。", []),
    )
    for username, suffix, day, households, note, needs in visits:
        visitor = users.get(username)
        village = villages.get(f"{PREFIX}{suffix}")
        if visitor is None or village is None:
            continue
        service.visit_record(
            actor=visitor,
            village=village,
            date=day,
            households=households,
            note=note,
            needs=needs,
        )
        made += 1
    return made
