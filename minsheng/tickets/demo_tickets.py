"""Demo tickets for 台前县: one ticket in each state of its life, so that a new user who runs
`make run` finds something in every queue, inbox, board and figure.

Every ticket is made and moved through the service functions, exactly as the screens would do
it (no rows written behind their back), so the timeline, deadlines, notifications and figures
are the real ones. Idempotent: a ticket is only made when no ticket with its title exists.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from minsheng.org.models import Division, User
from minsheng.tickets import actions
from minsheng.tickets.catalogue import responsible_unit
from minsheng.tickets.models import Category, Ticket


@dataclass(frozen=True)
class Scenario:
    title: str
    description: str
    kind: str
    category: str  # the catalogue's full name ("" for none)
    division: str  # 12-digit division code
    lead: str  # unit code ("" = the catalogue's responsible unit, else the township)
    ending: str  # a key of ENDINGS
    urgency: str = "general"
    phone: str = ""
    name: str = ""


SUNKOU, SUNKOU_VILLAGE, HOUMIAO, CHENGGUAN = (
    "410927102000",
    "410927102201",
    "410927101000",
    "410927100000",
)

SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "孙口村村口路灯不亮",
        "孙口镇孙口村村口十字路的路灯连续三个晚上不亮，夜间出行不便，请尽快修复。",
        "complaint",
        "市政公用/路灯/路灯不亮",
        SUNKOU_VILLAGE,
        "sunkou",
        "closed",
        phone="13800000000",
        name="王先生",
    ),
    Scenario(
        "城关镇小区停水三天",
        "城关镇幸福小区已经停水三天，没有任何通知，老人孩子用水困难。",
        "help",
        "市政公用/供水/停水",
        CHENGGUAN,
        "tq-zls",
        "in_progress",
        urgency="utilities",
        phone="13911112222",
        name="李女士",
    ),
    Scenario(
        "工地拖欠农民工工资",
        "我在侯庙镇一处建筑工地干了四个月，老板一直拖欠工资两万余元，多次讨要无果。",
        "complaint",
        "城乡建设/工程建设/农民工工资",
        HOUMIAO,
        "tq-rsj",
        "replied",
        phone="13700001111",
        name="张师傅",
    ),
    Scenario(
        "夜间施工噪音扰民",
        "城关镇步行街附近工地每天晚上十一点以后还在施工，噪音很大，影响休息。",
        "complaint",
        "城乡建设/工程建设/施工扰民",
        CHENGGUAN,
        "",
        "new",
        phone="13600002222",
    ),
    Scenario(
        "农村低保如何申请",
        "咨询：家里老人没有收入，想申请农村低保，需要准备哪些材料，到哪里办理？",
        "consultation",
        "民政/社会救助/低保申请",
        SUNKOU,
        "",
        "direct_answer",
        phone="13512345678",
    ),
    Scenario(
        "门店占用人行道经营",
        "孙口镇主街多家门店把货物摆到人行道上，行人只能走机动车道，存在安全隐患。",
        "report",
        "城市管理/市容秩序/占道经营",
        SUNKOU,
        "sunkou-zfdd-nc1",
        "to_sign",
    ),
    Scenario(
        "小区物业不作为",
        "城关镇某小区物业公司长期不打扫楼道，电梯坏了一个月无人维修。",
        "complaint",
        "城乡建设/房屋住房/物业管理",
        CHENGGUAN,
        "tq-zjj",
        "returned",
        phone="13822223333",
    ),
    Scenario(
        "良种补贴未发放",
        "侯庙镇村民反映今年的良种补贴至今没有发到卡上，想了解原因。",
        "help",
        "农业农村/农业生产/农业补贴",
        HOUMIAO,
        "houmiao",
        "extension",
    ),
    Scenario(
        "学校收取资料费",
        "孩子所在学校要求每个学生交两百元资料费，没有收据，是否合规？",
        "report",
        "教育/学校管理/学校收费",
        CHENGGUAN,
        "tq-jyj",
        "reopened",
        phone="13955556666",
    ),
    Scenario(
        "幸福小区还是没有水",
        "城关镇幸福小区从前天开始停水，到现在还没来水，请问什么时候恢复？",
        "help",
        "市政公用/供水/停水",
        CHENGGUAN,
        "",
        "merged",
        urgency="utilities",
        phone="13811112222",
    ),
)


def _ensure(
    scenario: Scenario, people: dict[str, User], category: Category | None
) -> Ticket | None:
    if Ticket.objects.filter(title=scenario.title).exists():
        return None
    division = Division.objects.filter(code=scenario.division).first()
    return actions.ticket_intake(
        actor=people["operator"],
        channel="hotline",
        kind=scenario.kind,
        title=scenario.title,
        description=scenario.description,
        citizen_name=scenario.name,
        citizen_phone=scenario.phone,
        category=category,
        urgency=scenario.urgency,
        division=division,
        affected_population=3,
    )


def _handler(lead: str) -> User:
    return User.objects.get(username=f"h-{lead}")


def _dispatched(ticket: Ticket, people: dict[str, User], lead: str) -> Ticket:
    return actions.ticket_dispatch(
        ticket=ticket, actor=people["dispatcher"], lead_unit=lead, instructions="请按时办理。"
    )


def _signed(ticket: Ticket, people: dict[str, User], lead: str) -> Ticket:
    ticket = _dispatched(ticket, people, lead)
    return actions.ticket_sign(ticket=ticket, actor=_handler(lead))


def _in_progress(ticket: Ticket, people: dict[str, User], lead: str) -> Ticket:
    ticket = _signed(ticket, people, lead)
    return actions.ticket_contact(
        ticket=ticket, actor=_handler(lead), method="phone", note="已电话联系诉求人，约定上门查看。"
    )


def _replied(ticket: Ticket, people: dict[str, User], lead: str) -> Ticket:
    ticket = _in_progress(ticket, people, lead)
    return actions.ticket_reply(
        ticket=ticket,
        actor=_handler(lead),
        result="resolved",
        content="经现场核实，问题已处理完毕，并已向诉求人说明。",
    )


def _closed(ticket: Ticket, people: dict[str, User], lead: str) -> Ticket:
    ticket = _replied(ticket, people, lead)
    return actions.ticket_callback(
        ticket=ticket,
        actor=people["operator"],
        reached=True,
        resolved=True,
        satisfaction="satisfied",
        comment="诉求人表示满意。",
    )


def _reopened(ticket: Ticket, people: dict[str, User], lead: str) -> Ticket:
    ticket = _replied(ticket, people, lead)
    ticket = actions.ticket_callback(
        ticket=ticket,
        actor=people["operator"],
        reached=True,
        resolved=False,
        satisfaction="unsatisfied",
        comment="诉求人表示费用仍未退还，要求重办。",
    )
    return actions.ticket_reopen(
        ticket=ticket, actor=people["operator"], note="诉求人不满意：资料费仍未退还，请再次办理。"
    )


def _returned(ticket: Ticket, people: dict[str, User], lead: str) -> Ticket:
    ticket = _dispatched(ticket, people, lead)
    return actions.ticket_return(
        ticket=ticket, actor=_handler(lead), reason="该小区物业属城关镇属地管理，建议改派城关镇。"
    )


def _extension(ticket: Ticket, people: dict[str, User], lead: str) -> Ticket:
    ticket = _in_progress(ticket, people, lead)
    actions.ticket_extension_request(
        ticket=ticket, actor=_handler(lead), days=5, reason="需县农业农村局核对发放名单。"
    )
    return ticket


def _direct_answer(ticket: Ticket, people: dict[str, User], lead: str) -> Ticket:
    return actions.ticket_direct_answer(
        ticket=ticket,
        actor=people["operator"],
        answer="请携带户口簿、身份证和家庭收入情况说明，到户籍所在乡镇便民服务中心提出申请。",
    )


def _merged(ticket: Ticket, people: dict[str, User], lead: str) -> Ticket:
    master = Ticket.objects.get(title=SCENARIOS[1].title)
    return actions.ticket_merge(
        ticket=ticket, actor=people["dispatcher"], master=master, note="同一小区停水。"
    )


ENDINGS: dict[str, Callable[[Ticket, dict[str, User], str], Ticket]] = {
    "new": lambda ticket, people, lead: ticket,
    "to_sign": _dispatched,
    "in_progress": _in_progress,
    "returned": _returned,
    "extension": _extension,
    "replied": _replied,
    "closed": _closed,
    "reopened": _reopened,
    "direct_answer": _direct_answer,
    "merged": _merged,
}


@transaction.atomic
def seed_demo_tickets() -> int:
    """Make the demo tickets that do not exist yet; return how many were made."""
    people = {name: User.objects.get(username=name) for name in ("operator", "dispatcher")}
    made = 0
    for scenario in SCENARIOS:
        category = Category.objects.filter(full_name=scenario.category).first()
        ticket = _ensure(scenario, people, category)
        if ticket is None:
            continue
        lead = scenario.lead
        if not lead and scenario.ending not in ("new", "direct_answer", "merged"):
            unit = responsible_unit(category=category, division=ticket.division)
            lead = unit.code if unit else "sunkou"
        ENDINGS[scenario.ending](ticket, people, lead)
        made += 1
    return made
