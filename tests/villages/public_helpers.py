"""Places, boards and published items for the public side's tests. Items are drafted with the
staff side's `items.create_draft` and marked published here (the publication services are the
staff side's: this helper stands in for them in tests only)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from minsheng.org.models import Division, Unit
from minsheng.villages.models import Board, FinanceLine, FinanceStatement, Item, ItemStatus
from minsheng.villages.services import items
from minsheng.villages.services.boards import ensure_boards

COUNTY = "410927000000"
SUNKOU = "410927102000"
HOUMIAO = "410927101000"
VILLAGE = "410927102201"  # 孙口村
WHARF = "410927102202"  # 孙码头村
HOUMIAO_VILLAGE = "410927101201"  # 侯庙村


def places() -> dict[str, Division]:
    """台前县 with 孙口镇 (孙口村, 孙码头村, 代庄村) and 侯庙镇 (侯庙村), every village with its
    board; another county's village too (never listed)."""
    make = Division.objects.create
    county = make(code=COUNTY, name="台前县", level=Division.Level.COUNTY)
    sunkou = make(code=SUNKOU, name="孙口镇", level=Division.Level.TOWNSHIP, parent=county)
    houmiao = make(code=HOUMIAO, name="侯庙镇", level=Division.Level.TOWNSHIP, parent=county)
    found = {"county": county, "sunkou": sunkou, "houmiao": houmiao}
    for code, name, parent in [
        (VILLAGE, "孙口村委会", sunkou),
        (WHARF, "孙码头村委会", sunkou),
        ("410927102203", "代庄村委会", sunkou),
        (HOUMIAO_VILLAGE, "侯庙村委会", houmiao),
    ]:
        found[code] = make(code=code, name=name, level=Division.Level.VILLAGE, parent=parent)
    other = make(code="410928000000", name="濮阳县", level=Division.Level.COUNTY)
    town = make(code="410928100000", name="城关镇", level=Division.Level.TOWNSHIP, parent=other)
    make(code="410928100201", name="某村委会", level=Division.Level.VILLAGE, parent=town)
    ensure_boards()
    return found


def committee(code: str = VILLAGE, *, township: Unit | None = None) -> Unit:
    """The village committee's unit (kind village, serving the village)."""
    division = Division.objects.get(code=code)
    return Unit.objects.create(
        code=f"vc-{code[-3:]}-{code[6:9]}",
        name=division.name,
        kind=Unit.Kind.VILLAGE,
        division=division,
        parent=township,
    )


def publish(item: Item, at: dt.datetime | None = None, *, days: int = 15) -> Item:
    """Mark a draft published at `at` (now), displayed `days` days (the staff side's service
    does this with its review; here only the facts the public side reads)."""
    at = at or timezone.now()
    item.status = ItemStatus.PUBLISHED
    item.published_at = at
    item.display_from = timezone.localtime(at).date()
    item.display_until = item.display_from + dt.timedelta(days=days)
    item.save(update_fields=["status", "published_at", "display_from", "display_until"])
    Board.objects.filter(pk=item.board_id).update(last_published_at=at)
    return item


def published(
    title: str,
    *,
    village: str = VILLAGE,
    section: str = "affairs",
    period_kind: str = "month",
    day: dt.date | None = None,
    at: dt.datetime | None = None,
    body: str = "",
) -> Item:
    at = at or timezone.now()
    item = items.create_draft(
        village_code=village,
        section=section,
        title=title,
        period_kind=period_kind,
        period_day=day or timezone.localtime(at).date(),
        body=body,
        actor=None,
    )
    return publish(item, at)


def correction(original: Item, title: str, note: str, at: dt.datetime | None = None) -> Item:
    """A correction of a published item: version n+1 that supersedes it, published."""
    item = Item.objects.create(
        board_id=original.board_id,
        section=original.section,
        title=title,
        period_kind=original.period_kind,
        period_start=original.period_start,
        period_end=original.period_end,
        body=original.body,
        supersedes=original,
        version=original.version + 1,
        correction_note=note,
    )
    return publish(item, at)


def statement(item: Item, opening: str, lines: list[tuple[str, str, str, str, str]]) -> None:
    """A finance statement: lines of (direction, summary, amount, voucher, handler), dated in
    the item's period; the closing balance follows."""
    income = sum((Decimal(a) for d, _s, a, _v, _h in lines if d == "income"), Decimal(0))
    expense = sum((Decimal(a) for d, _s, a, _v, _h in lines if d == "expense"), Decimal(0))
    st = FinanceStatement.objects.create(
        item=item,
        opening_balance=Decimal(opening),
        closing_balance=Decimal(opening) + income - expense,
    )
    FinanceLine.objects.bulk_create(
        FinanceLine(
            statement=st,
            position=i,
            date=item.period_start,
            direction=d,
            summary=s,
            amount=Decimal(a),
            voucher=v,
            handler=h,
        )
        for i, (d, s, a, v, h) in enumerate(lines, start=1)
    )
