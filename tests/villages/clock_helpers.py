"""A small county for the clock's and the oversight pages' tests: 台前县 with two townships
(孙口镇: three villages, 侯庙镇: one), village committees with their clerks, the townships'
reviewers; items published directly with the ORM (the staff side's services are another part)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils import timezone

from minsheng.org.models import Division, Role, Unit, User
from minsheng.villages.models import Board, Item, ItemStatus
from minsheng.villages.periods import period_bounds
from minsheng.villages.services.boards import ensure_boards
from tests.conftest import make_user

SH = ZoneInfo("Asia/Shanghai")

SUNKOU = "410927102000"
HOUMIAO = "410927103000"
V1, V2, V3 = "410927102201", "410927102202", "410927102203"
V4 = "410927103201"


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)  # type: ignore[misc]


@dataclass
class County:
    clerk1: User  # 孙口村's clerk
    clerk4: User  # 侯庙镇's village's clerk
    reviewer: User  # 孙口镇's 乡镇村务审核员
    reviewer_houmiao: User
    sunkou_gov: Unit
    houmiao_gov: Unit


def _division(code: str, name: str, level: int, parent: str | None) -> Division:
    return Division.objects.create(code=code, name=name, level=level, parent_id=parent)


def make_county(*, now: dt.datetime | None = None) -> County:
    _division("410000000000", "河南省", 1, None)
    _division("410900000000", "濮阳市", 2, "410000000000")
    _division("410927000000", "台前县", 3, "410900000000")
    _division(SUNKOU, "孙口镇", 4, "410927000000")
    _division(HOUMIAO, "侯庙镇", 4, "410927000000")
    for code, name, parent in (
        (V1, "孙口村", SUNKOU),
        (V2, "桥北张村", SUNKOU),
        (V3, "刘楼村", SUNKOU),
        (V4, "侯庙村", HOUMIAO),
    ):
        _division(code, name, 5, parent)
    ensure_boards()
    if now is not None:
        Board.objects.update(next_check_at=now)
    sunkou = Unit.objects.create(
        code="gov-sunkou", name="孙口镇人民政府", kind=Unit.Kind.TOWNSHIP, division_id=SUNKOU
    )
    houmiao = Unit.objects.create(
        code="gov-houmiao", name="侯庙镇人民政府", kind=Unit.Kind.TOWNSHIP, division_id=HOUMIAO
    )
    v1 = Unit.objects.create(
        code="v1", name="孙口村委会", kind=Unit.Kind.VILLAGE, parent=sunkou, division_id=V1
    )
    v4 = Unit.objects.create(
        code="v4", name="侯庙村委会", kind=Unit.Kind.VILLAGE, parent=houmiao, division_id=V4
    )
    return County(
        clerk1=make_user("clerk1", v1, Role.VILLAGE_CLERK),
        clerk4=make_user("clerk4", v4, Role.VILLAGE_CLERK),
        reviewer=make_user("reviewer", sunkou, Role.AFFAIRS_REVIEWER),
        reviewer_houmiao=make_user("reviewer-hm", houmiao, Role.AFFAIRS_REVIEWER),
        sunkou_gov=sunkou,
        houmiao_gov=houmiao,
    )


def publish(
    village: str,
    section: str,
    kind: str,
    day: dt.date,
    *,
    published_at: dt.datetime,
    supersedes: Item | None = None,
) -> Item:
    """A published item of `section` for the period of `kind` containing `day`; as the staff
    side's publication does, the board is due for the clock at once."""
    start, end = period_bounds(kind, day)
    item = Item.objects.create(
        board_id=village,
        section=section,
        title=f"{start:%Y-%m} {section}",
        period_kind=kind,
        period_start=start,
        period_end=end,
        status=ItemStatus.PUBLISHED,
        published_at=published_at,
        supersedes=supersedes,
        version=(supersedes.version + 1) if supersedes else 1,
    )
    Board.objects.filter(pk=village).update(
        last_published_at=published_at, next_check_at=published_at
    )
    return item


def board(code: str) -> Board:
    return Board.objects.get(pk=code)


def local(moment: dt.datetime | None) -> dt.datetime | None:
    return timezone.localtime(moment, SH) if moment else None
