"""The demo's village boards: six villages of 孙口镇 (410927102) with their staff and a few
realistic months (August–November 2026) of published items, made through the services as a
clerk and the reviewers would — 村务 quarterly, 党务, monthly finance statements that balance,
one correction, and one item waiting in the township's queue. Every other village's board stays
empty: the truth of a new installation, which the lateness overview shows as late.

Idempotent: users are refreshed; items are made only for a board that has none.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction

from minsheng.org.models import Division, Role, RoleGrant, Unit, User
from minsheng.villages.models import (
    Board,
    Item,
    ItemStatus,
    MatterKind,
    RegisterKind,
    ReviewBy,
    StepMeeting,
    StepOutcome,
)
from minsheng.villages.services import finance, items, matters
from minsheng.villages.services.boards import ensure_boards
from minsheng.villages.services.finance import LineInput

TOWNSHIP_CODE = "410927102000"  # 孙口镇
TOWNSHIP_UNIT = "sunkou"
REVIEWER = "sunkou-cunwu"
# The demo's villages (last three digits of the code): 孙口村, 孙码头村, 代庄村, 刘桥村, 王黑村,
# 桥北张村. 孙口村 asks both its 村务监督委员会 and the township to review.
VILLAGES = ("201", "202", "203", "204", "205", "206")
BOTH_REVIEWS = "201"
TZ = zoneinfo.ZoneInfo("Asia/Shanghai")

# Staff names of the demo (fictional).
CLERKS = ("王建国", "李秀英", "代红军", "刘志强", "王桂兰", "张德明")
MONITORS = ("孙光明", "孙玉梅", "代文华", "刘春生", "王立新", "张秀云")


def clerk_username(suffix: str) -> str:
    return f"clerk-sunkou-{suffix}"


def monitor_username(suffix: str) -> str:
    return f"monitor-sunkou-{suffix}"


@dataclass
class People:
    clerk: User
    monitor: User
    reviewer: User


def _user(username: str, name: str, unit: Unit, role: str, password_hash: str) -> User:
    user, _created = User.objects.update_or_create(
        username=username,
        defaults={
            "display_name": name,
            "unit": unit,
            "is_active": True,
            "is_staff": False,
            "is_superuser": False,
            "password": password_hash,
        },
    )
    RoleGrant.objects.get_or_create(user=user, role=role)
    return user


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=TZ)


def _publish(item: Item, people: People, board: Board, day: dt.date) -> Item:
    items.item_submit(actor=people.clerk, item=item)
    if board.review_by in (ReviewBy.MONITOR, ReviewBy.BOTH):
        item = items.item_review(
            actor=people.monitor, item=item, approve=True, note="经核对，内容属实", now=_at(day, 9)
        )
    if item.status != ItemStatus.PUBLISHED:
        item = items.item_review(actor=people.reviewer, item=item, approve=True, now=_at(day))
    return item


def _draft(
    people: People, code: str, section: str, title: str, kind: str, day: dt.date, body: str
) -> Item:
    return items.item_draft(
        actor=people.clerk,
        village_code=code,
        section=section,
        title=title,
        period_kind=kind,
        period_day=day,
        body=body,
    )


def _month_lines(n: int, month: int) -> list[tuple[dt.date, str, str, Decimal, str]]:
    """A month's lines of village `n` (0–5): real-looking, different per village and month."""

    def d(day: int) -> dt.date:
        return dt.date(2026, month, day)

    k = Decimal(n)
    lines: list[tuple[dt.date, str, str, Decimal, str]] = []
    if month in (8, 11):
        lines.append(
            (
                d(5),
                "收入",
                "上级转移支付（村级组织运转经费）",
                Decimal("15000") + 1000 * k,
                "王会计",
            )
        )
    if month == 10:
        lines.append(
            (d(12), "收入", "集体土地承包费收入（秋季）", Decimal("23600") + 850 * k, "王会计")
        )
    if month == 9:
        lines.append((d(8), "收入", "村集体鱼塘租金", Decimal("4800") + 200 * k, "王会计"))
    lines.append((d(10), "支出", f"保洁员工资（{month}月，2人）", Decimal("3600"), "李文书"))
    lines.append(
        (d(18), "支出", f"路灯电费（{month}月）", Decimal("286.40") + 23 * k + month, "李文书")
    )
    if month == 9:
        lines.append(
            (d(21), "支出", "村道硬化水泥、砂石款（第一批）", Decimal("12850") + 400 * k, "李文书")
        )
    if month == 10:
        lines.append((d(25), "支出", "村民代表会议误工补贴", Decimal("600") + 50 * k, "李文书"))
    if month == 11:
        lines.append((d(15), "支出", "办公用品及打印费", Decimal("238.50") + 12 * k, "李文书"))
        lines.append((d(26), "支出", "冬季水管防冻保温材料", Decimal("1460") + 30 * k, "李文书"))
    return sorted(lines, key=lambda line: line[0])


def _statement(
    people: People, item: Item, opening: Decimal, rows: list[tuple[dt.date, str, str, Decimal, str]]
) -> Decimal:
    closing = opening
    inputs = []
    for number, (day, direction, summary, amount, handler) in enumerate(rows, start=1):
        closing += amount if direction == "收入" else -amount
        inputs.append(
            LineInput(
                number=number,
                date=day,
                direction=direction,
                summary=summary,
                amount=amount,
                voucher=f"记-{day.month:02d}{number:02d}",
                handler=handler,
            )
        )
    finance.statement_save(
        actor=people.clerk,
        item=item,
        revision=None,
        opening=opening,
        closing=closing,
        lines=inputs,
    )
    return closing


def _seed_board(n: int, board: Board, people: People) -> None:
    code = board.pk
    name = board.village.name.removesuffix("村委会")
    opening = Decimal("8650.30") + Decimal(1375) * n
    for month in (8, 9, 10, 11):
        rows = _month_lines(n, month)
        if n == 0 and month == 9:
            # The published September statement carries a slip that is corrected below.
            rows = [
                (
                    day,
                    direction,
                    summary.replace("9月）", "8月）") if "路灯" in summary else summary,
                    amount,
                    handler,
                )
                for day, direction, summary, amount, handler in rows
            ]
        item = _draft(
            people,
            code,
            "finance",
            f"2026年{month}月财务收支明细",
            "month",
            dt.date(2026, month, 1),
            "",
        )
        closing = _statement(people, item, opening, rows)
        published = _publish(item, people, board, dt.date(2026, month + 1, 3))
        if n == 0 and month == 9:
            correction = items.item_correct(
                actor=people.clerk,
                item=published,
                correction_note="第 3 行摘要“路灯电费（8月）”应为“路灯电费（9月）”，金额无误。",
            )
            _statement(people, correction, opening, _month_lines(n, month))
            _publish(correction, people, board, dt.date(2026, 10, 9))
        opening = closing

    affairs = (
        f"一、低保评议结果：经 9 月 18 日村民代表会议评议，{name}村新增低保户 {1 + n % 3} 户，"
        f"取消 1 户（家庭收入已超标准），现有低保户 {12 + n} 户。名单张贴于村委会公开栏。\n"
        "二、集体土地承包：村东 35 亩集体机动地经村民代表会议决议公开发包，承包期 5 年，"
        f"年承包费每亩 {620 + 10 * n} 元，中标人已签订合同，承包费已入村集体账户。\n"
        "三、惠农补贴：耕地地力保护补贴已按户足额发放到“一卡通”。\n"
        "如有疑问，请于公示期内向村务监督委员会或镇村务审核员反映。"
    )
    _publish(
        _draft(
            people,
            code,
            "affairs",
            "2026年第三季度村务公开",
            "quarter",
            dt.date(2026, 9, 1),
            affairs,
        ),
        people,
        board,
        dt.date(2026, 10, 8),
    )
    if n < 3:
        road = (
            f"{name}村村南主干道硬化工程（四议两公开决议事项）进展：全长 1.2 公里、宽 4.5 米，"
            "9 月 20 日开工，已完成路基平整和水稳层，预计 11 月底完工。"
            "第一批水泥、砂石款已支付（见 9 月财务收支明细）。施工质量由村民代表 3 人全程监督。"
        )
        _publish(
            _draft(
                people,
                code,
                "affairs",
                "村道硬化工程进展",
                "immediate",
                dt.date(2026, 10, 15),
                road,
            ),
            people,
            board,
            dt.date(2026, 10, 15),
        )
    dues = (
        f"{name}村党支部 2026 年第三季度应缴党费党员 {23 + n} 名，已全部按月足额缴纳，"
        f"合计 {Decimal('1184.00') + 36 * n} 元，已上缴镇党委。"
    )
    _publish(
        _draft(
            people,
            code,
            "party",
            "2026年第三季度党费收缴情况",
            "quarter",
            dt.date(2026, 9, 1),
            dues,
        ),
        people,
        board,
        dt.date(2026, 10, 10),
    )
    if n % 2 == 0:
        member = (
            "经党员推荐、群众推荐，支部委员会研究，拟将 1 名入党积极分子列为发展对象，"
            "现予公示。公示期内，党员和群众可向村党支部或镇党委组织办反映情况。"
        )
        _publish(
            _draft(
                people, code, "party", "发展党员公示", "immediate", dt.date(2026, 11, 6), member
            ),
            people,
            board,
            dt.date(2026, 11, 6),
        )
    if n == 1:
        # One item waiting in the township's queue (the demo's reviewer has work).
        waiting = _draft(
            people,
            code,
            "other",
            "冬季用电安全提示",
            "immediate",
            dt.date(2026, 12, 2),
            "入冬后请勿私拉乱接电线取暖，电动车不要在楼道和室内充电。",
        )
        items.item_submit(actor=people.clerk, item=waiting)


REPRESENTATIVES = [
    "王建国",
    "李秀英",
    "张卫东",
    "刘桂兰",
    "陈志强",
    "杨玉梅",
    "赵德福",
    "黄淑芬",
    "周保国",
    "吴凤英",
    "徐长林",
    "孙丽娟",
    "马国庆",
    "朱红霞",
    "胡振华",
    "郭春燕",
    "何建设",
    "高秀云",
    "林永安",
    "罗翠花",
    "郑学军",
    "梁玉兰",
    "宋宝山",
    "谢桂英",
    "韩志刚",
    "唐美玲",
    "冯德胜",
    "于秀珍",
    "董建平",
    "萧玉芳",
    "程国华",
]


def _seed_matters(board: Board, people: People) -> None:
    """四议两公开 in one village: its registers, a road matter decided by the four steps (its
    决议公开 published), and a land matter waiting at its second step."""
    code = board.pk
    clerk = people.clerk
    registers_from = dt.date(2026, 1, 1)
    for kind, value in (
        (RegisterKind.ADULTS, 1263),
        (RegisterKind.HOUSEHOLDS, 386),
        (RegisterKind.PARTY_MEMBERS, 42),
        (RegisterKind.BRANCH, 5),
        (RegisterKind.COUNCILS, 7),
    ):
        matters.register_count_set(
            actor=clerk, village_code=code, kind=kind, value=value, effective_from=registers_from
        )
    for name in REPRESENTATIVES:
        matters.representative_add(
            actor=clerk, village_code=code, name=name, from_date=registers_from
        )
    road = matters.matter_open(
        actor=clerk,
        village_code=code,
        title="村西生产路硬化（长 1.2 公里、宽 4 米）",
        kind=MatterKind.ROAD,
        description="村西生产路雨后泥泞，群众在民生议事会上多次反映。拟申请上级“一事一议”奖补资金，"
        "村集体自筹 8 万元，硬化 1.2 公里。",
    )
    steps = (
        (1, StepMeeting.BRANCH, dt.date(2026, 9, 2), 5, 5, 0, 0, ""),
        (2, StepMeeting.COUNCILS, dt.date(2026, 9, 5), 7, 7, 0, 0, ""),
        (3, StepMeeting.PARTY_ASSEMBLY, dt.date(2026, 9, 12), 36, 33, 1, 2, ""),
        (
            4,
            StepMeeting.REPRESENTATIVES,
            dt.date(2026, 9, 20),
            27,
            25,
            1,
            1,
            "同意硬化村西生产路 1.2 公里，申请“一事一议”奖补资金，村集体自筹 8 万元；"
            "由村务监督委员会全程监督施工和资金使用。",
        ),
    )
    for number, meeting, held_on, present, yes, no, abstain, resolution in steps:
        matters.step_record(
            actor=clerk,
            matter_id=road.pk,
            number=number,
            vote=matters.Vote(
                meeting=meeting,
                held_on=held_on,
                present=present,
                votes_for=yes,
                votes_against=no,
                votes_abstain=abstain,
                outcome=StepOutcome.PASSED,
                resolution=resolution,
                minutes="会议由村党支部书记主持，逐项讨论后表决。",
            ),
        )
    road.refresh_from_db()
    if road.resolution_item is not None:
        _publish(road.resolution_item, people, board, dt.date(2026, 9, 22))
    land = matters.matter_open(
        actor=clerk,
        village_code=code,
        title="村南 46 亩集体机动地重新发包",
        kind=MatterKind.LAND,
        description="原承包合同 2026 年底到期，拟公开竞价发包，期限五年。",
    )
    matters.step_record(
        actor=clerk,
        matter_id=land.pk,
        number=1,
        vote=matters.Vote(
            meeting=StepMeeting.BRANCH,
            held_on=dt.date(2026, 11, 18),
            present=4,
            votes_for=4,
            votes_against=0,
            votes_abstain=0,
            outcome=StepOutcome.PASSED,
        ),
    )


@transaction.atomic
def seed_demo_villages(*, password: str) -> int:
    """Make the demo's village staff and boards; returns how many boards got items."""
    township = Division.objects.filter(code=TOWNSHIP_CODE).first()
    gov = Unit.objects.filter(code=TOWNSHIP_UNIT).first()
    if township is None or gov is None:
        return 0
    ensure_boards(TOWNSHIP_CODE[:9])
    password_hash = make_password(password)
    reviewer = _user(REVIEWER, "孙口镇村务审核员", gov, Role.AFFAIRS_REVIEWER, password_hash)
    seeded = 0
    for n, suffix in enumerate(VILLAGES):
        code = f"{TOWNSHIP_CODE[:9]}{suffix}"
        unit = Unit.objects.filter(code=f"{TOWNSHIP_UNIT}-{suffix}").first()
        board = Board.objects.select_related("village").filter(pk=code).first()
        if unit is None or board is None:
            continue
        people = People(
            clerk=_user(clerk_username(suffix), CLERKS[n], unit, Role.VILLAGE_CLERK, password_hash),
            monitor=_user(
                monitor_username(suffix), MONITORS[n], unit, Role.VILLAGE_MONITOR, password_hash
            ),
            reviewer=reviewer,
        )
        if Item.objects.filter(board=board).exists():
            continue
        if suffix == BOTH_REVIEWS:
            # The village's setting, as an administrator sets it: its 村务监督委员会 reviews
            # first, then the township.
            Board.objects.filter(pk=code).update(review_by=ReviewBy.BOTH)
            board.review_by = ReviewBy.BOTH
        _seed_board(n, board, people)
        if n == 1:
            _seed_matters(board, people)
        seeded += 1
    return seeded
