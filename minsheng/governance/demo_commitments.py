"""The demo's 民生实事: 台前县's 2026年十大民生实事 (published), with works, tasks and reports,
some works done. Idempotent: a list already there is left as it is. Called by `seed_demo`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from minsheng.governance.models import (
    Commitment,
    CommitmentList,
    ProgressReport,
    Task,
    Work,
    WorkStatus,
)
from minsheng.org.models import Division, Unit

TITLE = "2026年十大民生实事"
# (commitment, [(work, owner unit code, budget 万元, status, progress of its two tasks)])
PLAN: tuple[tuple[str, tuple[tuple[str, str, int, str, tuple[int, int]], ...]], ...] = (
    (
        "农村公路提档升级",
        (
            ("孙口镇主干道硬化 8 公里", "sunkou", 960, "done", (100, 100)),
            ("县乡道路安保工程", "tq-jtysj", 420, "in_progress", (100, 40)),
        ),
    ),
    (
        "农村饮水安全巩固",
        (
            ("孙口镇集中供水管网改造", "tq-slj", 650, "done", (100, 100)),
            ("水厂水质在线监测", "tq-slj", 120, "in_progress", (60, 20)),
        ),
    ),
    (
        "城乡学校改善",
        (
            ("新建幼儿园 2 所", "tq-jyj", 1800, "in_progress", (100, 70)),
            ("中小学护学岗设施", "tq-jyj", 60, "done", (100, 100)),
        ),
    ),
    ("养老服务提升", (("乡镇敬老院改造", "tq-mzj", 540, "in_progress", (80, 30)),)),
    ("基层医疗能力", (("村卫生室标准化建设", "tq-wjw", 300, "done", (100, 100)),)),
    ("就业技能培训", (("技能培训 3000 人次", "tq-rsj", 150, "in_progress", (90, 75)),)),
    ("农贸市场规范化", (("孙口镇农贸市场改造", "tq-scjgj", 260, "planned", (0, 0)),)),
    ("城市背街小巷整治", (("背街小巷整治 20 条", "tq-cgj", 700, "in_progress", (100, 55)),)),
    ("农村人居环境", (("农村户厕改造 1500 户", "tq-nyncj", 450, "done", (100, 100)),)),
    ("保障性住房", (("老旧小区改造 6 个", "tq-zjj", 1200, "in_progress", (50, 10)),)),
)


@transaction.atomic
def seed_demo_commitments() -> int:
    """Seed the list; returns the number of works created (0 when it was there already)."""
    county = Division.objects.filter(pk="410927000000").first()
    if county is None or CommitmentList.objects.filter(area=county, title=TITLE).exists():
        return 0
    units = {u.code: u for u in Unit.objects.filter(code__in={w[1] for _, ws in PLAN for w in ws})}
    clist = CommitmentList.objects.create(year=2026, area=county, title=TITLE, published=True)
    created = 0
    for position, (title, works) in enumerate(PLAN, start=1):
        commitment = Commitment.objects.create(clist=clist, position=position, title=title)
        for name, owner, budget, status, (first, second) in works:
            unit = units.get(owner)
            if unit is None:
                continue
            work = Work.objects.create(
                commitment=commitment,
                title=name,
                owner=unit,
                budget=Decimal(budget),
                status=status,
                planned_start=dt.date(2026, 3, 1),
                planned_end=dt.date(2026, 11, 30),
                actual_start=None if status == WorkStatus.PLANNED else dt.date(2026, 3, 15),
                actual_end=dt.date(2026, 10, 20) if status == WorkStatus.DONE else None,
            )
            Task.objects.create(work=work, title="前期手续与招标", progress=Decimal(first))
            Task.objects.create(
                work=work, title="施工与验收", progress=Decimal(second), weight=Decimal(3)
            )
            if status != WorkStatus.PLANNED:
                ProgressReport.objects.create(
                    work=work,
                    month=dt.date(2026, 11, 1),
                    percent=Decimal(
                        100 if status == WorkStatus.DONE else (first + 3 * second) // 4
                    ),
                    text="按计划推进，本月完成既定节点。"
                    if status != WorkStatus.DONE
                    else "已完工验收。",
                )
            created += 1
    return created
