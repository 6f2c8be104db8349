"""Shared fixtures of the 民生实事 tests: 台前县's list with the hand-computed example."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from minsheng.governance.models import (
    Commitment,
    CommitmentList,
    ProgressReport,
    Task,
    Work,
    WorkStatus,
)
from minsheng.org.models import Division, Role, User
from tests.conftest import Org, make_user


@dataclass
class Example:
    clist: CommitmentList
    c1: Commitment
    c2: Commitment
    c3: Commitment
    w1: Work  # 孙口镇's, tasks 100 (w1) and 50 (w3)
    w2: Work  # 孙口镇's, no tasks, reports 30 then corrected to 40
    w3: Work  # done
    w4: Work  # one task at 0
    admin: User


def example(org: Org, *, published: bool = True) -> Example:
    county = Division.objects.create(code="410927000000", name="台前县", level=3)
    admin = make_user("adm", org.hotline, Role.ADMINISTRATOR)
    clist = CommitmentList.objects.create(
        year=2026, area=county, title="2026年十大民生实事", published=published
    )
    c1 = Commitment.objects.create(clist=clist, position=1, title="农村道路", weight=Decimal(2))
    c2 = Commitment.objects.create(clist=clist, position=2, title="饮水安全", weight=Decimal(1))
    c3 = Commitment.objects.create(clist=clist, position=3, title="养老服务", weight=Decimal(1))
    w1 = Work.objects.create(
        commitment=c1, title="孙口镇道路硬化", owner=org.sunkou, status=WorkStatus.IN_PROGRESS
    )
    Task.objects.create(work=w1, title="路基", progress=Decimal(100), weight=Decimal(1))
    Task.objects.create(work=w1, title="路面", progress=Decimal(50), weight=Decimal(3))
    w2 = Work.objects.create(
        commitment=c1,
        title="孙口镇桥梁维修",
        owner=org.sunkou,
        status=WorkStatus.IN_PROGRESS,
        weight=Decimal(3),
    )
    first = ProgressReport.objects.create(
        work=w2, month=dt.date(2026, 11, 1), percent=Decimal(30), text="开工"
    )
    ProgressReport.objects.create(
        work=w2, month=dt.date(2026, 11, 1), percent=Decimal(40), text="更正", corrects=first
    )
    w3 = Work.objects.create(
        commitment=c2,
        title="侯庙镇水厂",
        owner=org.houmiao,
        status=WorkStatus.DONE,
        actual_end=dt.date(2026, 10, 31),
    )
    w4 = Work.objects.create(
        commitment=c2, title="侯庙镇管网", owner=org.houmiao, status=WorkStatus.IN_PROGRESS
    )
    Task.objects.create(work=w4, title="管网铺设", progress=Decimal(0))
    return Example(clist, c1, c2, c3, w1, w2, w3, w4, admin)
