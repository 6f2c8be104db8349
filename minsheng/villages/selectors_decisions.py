"""四议两公开: the permission-aware reads of the matters' pages (scoped by `rules.matters_scope`;
a matter outside the user's villages is None, so pages answer 404)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch, QuerySet

from minsheng.org.models import User
from minsheng.villages import rules
from minsheng.villages.models import (
    OPEN_STATUSES,
    Board,
    Matter,
    RegisterCount,
    RegisterKind,
    Representative,
    Step,
    StepFile,
)


def board_for(user: User | AnonymousUser, village_code: str) -> Board | None:
    """The village's board with its division, if the user reads its matters."""
    if not rules.matters_scope(user).covers(village_code):
        return None
    return Board.objects.select_related("village").filter(pk=village_code).first()


def matters_of(
    user: User | AnonymousUser,
    *,
    village_code: str | None = None,
    status: str = "",
    stuck_before: dt.datetime | None = None,
) -> QuerySet[Matter]:
    """The matters the user reads (of one village, or of every village in scope), newest first;
    with `stuck_before`, only those waiting at a step since before it, oldest first."""
    scope = rules.matters_scope(user)
    rows = Matter.objects.filter(scope.boards_q("board__village__code")).select_related(
        "board__village__parent"
    )
    if village_code is not None:
        rows = rows.filter(board_id=village_code)
    if status:
        rows = rows.filter(status=status)
    if stuck_before is not None:
        return rows.filter(status__in=OPEN_STATUSES, step_since__lt=stuck_before).order_by(
            "step_since", "id"
        )
    return rows.order_by("-created_at", "-id")


def matter_for(user: User | AnonymousUser, matter_id: int) -> Matter | None:
    matter = Matter.objects.select_related("board__village").filter(pk=matter_id).first()
    if matter is None or not rules.matters_scope(user).covers(matter.board_id):
        return None
    return matter


def steps_of(matter: Matter) -> list[Step]:
    """Every entry of the matter's record, in order, corrections after what they correct; each
    with its files and `corrected_by` (None while it stands)."""
    rows = (
        Step.objects.filter(matter=matter)
        .select_related("corrected_by", "recorded_by")
        .prefetch_related(Prefetch("files", queryset=StepFile.objects.order_by("id")))
        .order_by("number", "id")
    )
    return list(rows)


def step_file_for(user: User | AnonymousUser, file_id: int) -> StepFile | None:
    row = StepFile.objects.select_related("step__matter").filter(pk=file_id).first()
    if row is None or not rules.matters_scope(user).covers(row.step.matter.board_id):
        return None
    return row


@dataclass
class Registers:
    """A village's registers: each count's history (newest first), the count at `day`, the
    roster (current and former members) and its size at `day`."""

    day: dt.date
    history: dict[str, list[RegisterCount]] = field(default_factory=dict)
    at_day: dict[str, int | None] = field(default_factory=dict)
    roster: list[Representative] = field(default_factory=list)
    representatives_at_day: int = 0

    def rows(self) -> list[tuple[str, str, int | None, list[RegisterCount]]]:
        """(kind, label, count at day, history) for each register, in a fixed order."""
        return [
            (kind.value, str(kind.label), self.at_day.get(kind.value), self.history[kind.value])
            for kind in RegisterKind
        ]


def registers_of(board_id: str, day: dt.date) -> Registers:
    """Two queries whatever the history's length."""
    registers = Registers(day=day, history={kind.value: [] for kind in RegisterKind})
    for row in RegisterCount.objects.filter(board_id=board_id).order_by(
        "kind", "-effective_from", "-id"
    ):
        registers.history.setdefault(row.kind, []).append(row)
    for kind, rows in registers.history.items():
        registers.at_day[kind] = next((r.value for r in rows if r.effective_from <= day), None)
    # Current members first (by the date they joined), then former ones (latest to leave first).
    roster = list(Representative.objects.filter(board_id=board_id).order_by("from_date", "id"))
    current = [r for r in roster if r.until_date is None]
    former = sorted(
        (r for r in roster if r.until_date is not None),
        key=lambda r: r.until_date or r.from_date,
        reverse=True,
    )
    registers.roster = current + former
    registers.representatives_at_day = sum(
        1
        for r in registers.roster
        if r.from_date <= day and (r.until_date is None or r.until_date > day)
    )
    return registers
