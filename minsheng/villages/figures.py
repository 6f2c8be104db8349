"""The oversight figures of village boards, per village or per division under a code prefix:
villages, villages late now, villages that published on time this month and this quarter,
items published this quarter (and per village), villagers' questions asked this quarter and
answered on time. The oversight pages and `bench/bench_villages.py` read them from here.

Definitions (docs/villages.md, "Deadlines of the law and oversight"):

- **late**: the board has a section past its deadline now (`Board.late_sections`, kept by
  `villages.clock`).
- **on time this month / quarter**: no deadline falling in the window (up to today) was missed
  — the clock's alarm (`ClockNotice`, kind alarm) is the record of a missed deadline — and the
  village is not still late from a deadline before the window.
- **items**: published items whose publication date falls in this quarter.
- **questions**: `villages.Question` rows asked this quarter; **answered on time**: the
  ticket's reply came before its reply deadline (`Ticket.replied_at <= Ticket.reply_due`).

Each figure is one grouped query over a range of village codes, whatever the number of
divisions: a township's page costs the same statements as a province's overview.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import Count, F, Max, Q
from django.db.models.functions import Substr
from django.utils import timezone

from minsheng.org.models import LEVEL_DIGITS, Division
from minsheng.villages.models import (
    Board,
    ClockNotice,
    Item,
    ItemStatus,
    Matter,
    MatterStatus,
    Question,
    StepOutcome,
)
from minsheng.villages.periods import month_bounds, quarter_bounds


@dataclass(frozen=True)
class Windows:
    today: dt.date
    month_start: dt.date
    quarter_start: dt.date

    @classmethod
    def at(cls, today: dt.date | None = None) -> Windows:
        today = today or timezone.localdate()
        return cls(today, month_bounds(today)[0], quarter_bounds(today)[0])

    @property
    def quarter_start_at(self) -> dt.datetime:
        return timezone.make_aware(
            dt.datetime.combine(self.quarter_start, dt.time()), timezone.get_default_timezone()
        )


@dataclass
class Figures:
    villages: int = 0
    late: int = 0
    # Villages that missed a deadline falling in the window, or are still late from one before.
    not_on_time_month: int = 0
    not_on_time_quarter: int = 0
    items_quarter: int = 0
    questions: int = 0
    answered: int = 0
    answered_on_time: int = 0
    # 四议两公开: matters whose ④ (村民代表会议 or 村民会议) passed this quarter and stand decided.
    matters_decided: int = 0

    @property
    def on_time_month(self) -> int:
        return self.villages - self.not_on_time_month

    @property
    def on_time_quarter(self) -> int:
        return self.villages - self.not_on_time_quarter

    @property
    def items_per_village(self) -> Decimal:
        if not self.villages:
            return Decimal(0)
        return (Decimal(self.items_quarter) / self.villages).quantize(Decimal("0.1"), ROUND_HALF_UP)

    def add(self, other: Figures) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class VillageRow:
    code: str
    name: str
    last_published_at: dt.datetime | None
    late_sections: list[str]
    late_since: dt.date | None
    figures: Figures = field(default_factory=Figures)


@dataclass
class AreaRow:
    code: str  # the child division's 12-digit code
    name: str
    level: int
    figures: Figures = field(default_factory=Figures)


def code_range(prefix: str) -> tuple[str, str]:
    """The village codes under a code prefix, as a range of equal-length digit strings (an
    index range on any collation, where LIKE 'prefix%' needs the C collation)."""
    return prefix.ljust(12, "0"), prefix.ljust(12, "9")


def _between(field_name: str, prefix: str) -> Q:
    low, high = code_range(prefix)
    return Q(**{f"{field_name}__gte": low, f"{field_name}__lte": high})


def _missed_by_village(prefix: str, w: Windows) -> dict[str, dt.date]:
    """Villages that missed a deadline falling this quarter (up to today): the latest such."""
    return dict(
        ClockNotice.objects.filter(
            _between("board_id", prefix),
            kind=ClockNotice.Kind.ALARM,
            due_on__gte=w.quarter_start,
            due_on__lte=w.today,
        )
        .values("board_id")
        .annotate(last=Max("due_on"))
        .values_list("board_id", "last")
    )


def _items(prefix: str, digits: int, w: Windows) -> dict[str, int]:
    rows = (
        Item.objects.filter(
            _between("board_id", prefix),
            status=ItemStatus.PUBLISHED,
            published_at__gte=w.quarter_start_at,
        )
        .annotate(g=Substr("board_id", 1, digits))
        .values("g")
        .annotate(n=Count("id"))
        .values_list("g", "n")
    )
    return dict(rows)


def _questions(prefix: str, digits: int, w: Windows) -> dict[str, tuple[int, int, int]]:
    replied = Q(ticket__replied_at__isnull=False)
    on_time = replied & (
        Q(ticket__reply_due__isnull=True) | Q(ticket__replied_at__lte=F("ticket__reply_due"))
    )
    rows = (
        Question.objects.filter(
            _between("item__board_id", prefix), asked_at__gte=w.quarter_start_at
        )
        .annotate(g=Substr("item__board_id", 1, digits))
        .values("g")
        .annotate(n=Count("id"), a=Count("id", filter=replied), t=Count("id", filter=on_time))
        .values_list("g", "n", "a", "t")
    )
    return {g: (n, a, t) for g, n, a, t in rows}


def _matters_decided(prefix: str, digits: int, w: Windows) -> dict[str, int]:
    rows = (
        Matter.objects.filter(
            _between("board_id", prefix),
            status__in=[MatterStatus.DECIDED, MatterStatus.DONE],
            steps__number=4,
            steps__outcome=StepOutcome.PASSED,
            steps__held_on__gte=w.quarter_start,
        )
        .annotate(g=Substr("board_id", 1, digits))
        .values("g")
        .annotate(n=Count("id", distinct=True))
        .values_list("g", "n")
    )
    return dict(rows)


def _fill(groups: dict[str, Figures], prefix: str, digits: int, w: Windows) -> None:
    for g, n in _matters_decided(prefix, digits, w).items():
        if g in groups:
            groups[g].matters_decided = n
    for g, n in _items(prefix, digits, w).items():
        if g in groups:
            groups[g].items_quarter = n
    for g, (n, a, t) in _questions(prefix, digits, w).items():
        if g in groups:
            groups[g].questions, groups[g].answered, groups[g].answered_on_time = n, a, t


def _boards_by_child(prefix: str, digits: int, w: Windows) -> list[tuple[str, int, int, int, int]]:
    """Per group: villages, late now, not on time this month, this quarter. One statement: the
    boards of the code range (primary key range) merged with their alarms of the quarter
    (the notices' unique index, same range), grouped."""
    low, high = code_range(prefix)
    quote = connection.ops.quote_name
    boards, notices = quote(Board._meta.db_table), quote(ClockNotice._meta.db_table)
    sql = (
        f"SELECT SUBSTR(b.village_id, 1, %s) AS g, COUNT(*), "  # noqa: S608 (model metadata)
        "SUM(CASE WHEN b.late_sections <> '' THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN b.late_since < %s OR n.last_due >= %s THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN b.late_since < %s OR n.board_id IS NOT NULL THEN 1 ELSE 0 END) "
        f"FROM {boards} b LEFT JOIN (SELECT board_id, MAX(due_on) AS last_due FROM {notices} "
        "WHERE kind = %s AND due_on >= %s AND due_on <= %s AND board_id >= %s "
        "AND board_id <= %s GROUP BY board_id) n ON n.board_id = b.village_id "
        "WHERE b.village_id >= %s AND b.village_id <= %s GROUP BY 1 ORDER BY 1"
    )
    ops = connection.ops
    day = ops.adapt_datefield_value
    params = [
        digits,
        day(w.month_start),
        day(w.month_start),
        day(w.quarter_start),
        ClockNotice.Kind.ALARM.value,
        day(w.quarter_start),
        day(w.today),
        low,
        high,
        low,
        high,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(g, int(n), int(late), int(m), int(q)) for g, n, late, m, q in cursor.fetchall()]


def child_level(level: int) -> int:
    return min(level + 1, Division.Level.VILLAGE)


def by_child(division: Division, w: Windows | None = None) -> list[AreaRow]:
    """Per child division (townships of a county, counties of a city, cities of a province):
    five statements whatever the size (河南: 52,378 villages)."""
    w = w or Windows.at()
    prefix = division.short_code
    level = child_level(division.level)
    digits = LEVEL_DIGITS[level]
    groups = {
        g: Figures(
            villages=villages,
            late=late,
            not_on_time_month=not_month,
            not_on_time_quarter=not_quarter,
        )
        for g, villages, late, not_month, not_quarter in _boards_by_child(prefix, digits, w)
    }
    _fill(groups, prefix, digits, w)
    names = dict(
        Division.objects.filter(code__in=[g.ljust(12, "0") for g in groups]).values_list(
            "code", "name"
        )
    )
    return [
        AreaRow(code=g.ljust(12, "0"), name=names.get(g.ljust(12, "0"), g), level=level, figures=f)
        for g, f in groups.items()
    ]


def by_village(township: Division, w: Windows | None = None) -> list[VillageRow]:
    """Every village of a township (or any division: its villages), with its board's facts."""
    w = w or Windows.at()
    prefix = township.short_code
    rows: dict[str, VillageRow] = {}
    groups: dict[str, Figures] = {}
    missed = _missed_by_village(prefix, w)
    for code, name, last, sections, since in (
        Board.objects.filter(_between("village_id", prefix))
        .values_list(
            "village_id", "village__name", "last_published_at", "late_sections", "late_since"
        )
        .order_by("village_id")
    ):
        last_missed = missed.get(code)
        not_month = (since is not None and since < w.month_start) or (
            last_missed is not None and last_missed >= w.month_start
        )
        not_quarter = (since is not None and since < w.quarter_start) or last_missed is not None
        figures = Figures(
            villages=1,
            late=int(bool(sections)),
            not_on_time_month=int(not_month),
            not_on_time_quarter=int(not_quarter),
        )
        groups[code] = figures
        rows[code] = VillageRow(
            code=code,
            name=name,
            last_published_at=last,
            late_sections=[s for s in sections.split(",") if s],
            late_since=since,
            figures=figures,
        )
    _fill(groups, prefix, 12, w)
    return list(rows.values())


def total(figures: Iterable[Figures]) -> Figures:
    result = Figures()
    for f in figures:
        result.add(f)
    return result
