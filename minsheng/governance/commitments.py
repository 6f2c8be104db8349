"""民生实事's progress and figures: computed from the rows, never stored.

The arithmetic (the way Decidim's accountability results roll a parent's progress up from its
children, with weights):

- a **task** has a progress percent (0–100) set by its owner;
- a **work**'s progress is the weighted mean of its tasks' progress, Σ(progressᵢ × weightᵢ) /
  Σ weightᵢ; a work without tasks takes its latest monthly report's percent (the latest month,
  and within a month the latest correction), and 0 without any report; a work whose status is
  已完成 (done) is 100 whatever its tasks say (declaring it done is the owner's statement that
  nothing is left); a suspended work keeps the progress it has;
- a **commitment**'s progress is the weighted mean of its works' progress, and the **list**'s the
  weighted mean of its commitments'. A commitment without works counts 0.

Decidim multiplies each child's progress by its weight and sums, expecting the weights to add up
to 1 (or takes the plain average when the space does not use weights). Here the weights are any
positive numbers (default 1) and the sum is divided by their total, so equal weights give the
plain average and nobody has to make weights add up to exactly 1 after adding a work. Services
refuse a weight of 0 or less, so the total is never 0.

A work **reports late** (flagged on the pages and counted in the figures) when it is in progress,
the day of the month has reached `MINSHENG_COMMITMENT_REPORT_DAY` and it has no report for the
current month — the moment the clock (commitments_clock.py) reminds its owner.

The means are exact: `fractions.Fraction` of the stored decimals, rounded (half up) to one decimal
only for display (`shown`), so a list's progress does not drift with the order of rounding.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from minsheng.governance.models import (
    Commitment,
    CommitmentList,
    ProgressReport,
    Task,
    Work,
    WorkStatus,
)
from minsheng.tickets.models import Status

HUNDRED = Fraction(100)
ONE_PLACE = Decimal("0.1")


def weighted_mean(pairs: Iterable[tuple[Fraction | Decimal, Fraction | Decimal]]) -> Fraction:
    """Σ(valueᵢ × weightᵢ) / Σ weightᵢ, exactly; 0 for no pairs (or no positive weight)."""
    total = Fraction(0)
    weights = Fraction(0)
    for value, weight in pairs:
        w = Fraction(weight)
        if w <= 0:
            continue
        total += Fraction(value) * w
        weights += w
    if weights == 0:
        return Fraction(0)
    return total / weights


def shown(value: Fraction) -> Decimal:
    """A progress rounded for display: one decimal, half up (37.45 → 37.5)."""
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        ONE_PLACE, rounding=ROUND_HALF_UP
    )


def work_progress(
    status: str, tasks: Sequence[tuple[Decimal, Decimal]], latest_percent: Decimal | None
) -> Fraction:
    """A work's progress from its status, its tasks' (progress, weight) and its latest report."""
    if status == WorkStatus.DONE:
        return HUNDRED
    if tasks:
        return weighted_mean(tasks)
    return Fraction(latest_percent) if latest_percent is not None else Fraction(0)


def report_late(status: str, latest_month: dt.date | None, today: dt.date) -> bool:
    """In progress, past the month's report day, and nothing reported for this month."""
    if status != WorkStatus.IN_PROGRESS or today.day < int(settings.MINSHENG_COMMITMENT_REPORT_DAY):
        return False
    return latest_month is None or latest_month < today.replace(day=1)


@dataclass
class WorkView:
    work: Work
    tasks: list[Task]
    latest: ProgressReport | None
    progress: Fraction
    late: bool = False

    @property
    def shown(self) -> Decimal:
        return shown(self.progress)


@dataclass
class CommitmentView:
    commitment: Commitment
    works: list[WorkView]
    progress: Fraction

    @property
    def shown(self) -> Decimal:
        return shown(self.progress)

    @property
    def all_done(self) -> bool:
        return bool(self.works) and all(w.work.status == WorkStatus.DONE for w in self.works)

    @property
    def works_done(self) -> int:
        return sum(1 for w in self.works if w.work.status == WorkStatus.DONE)

    @property
    def late_reports(self) -> int:
        return sum(1 for w in self.works if w.late)


@dataclass
class Figures:
    works: int = 0
    works_done: int = 0
    commitments: int = 0
    commitments_done: int = 0
    budget: Decimal = Decimal(0)
    late_reports: int = 0


@dataclass
class ListView:
    clist: CommitmentList
    commitments: list[CommitmentView] = field(default_factory=list)
    progress: Fraction = Fraction(0)

    @property
    def shown(self) -> Decimal:
        return shown(self.progress)

    def figures(self, by: dt.date | None = None) -> Figures:
        """Works done of planned (done by `by` where given: status done and finished on or
        before it), commitments whose works are all done, the budget planned (万元)."""
        f = Figures(commitments=len(self.commitments))
        for c in self.commitments:
            done_here = 0
            for w in c.works:
                f.works += 1
                f.budget += w.work.budget or Decimal(0)
                f.late_reports += int(w.late)
                if w.work.status == WorkStatus.DONE and (
                    by is None or (w.work.actual_end is not None and w.work.actual_end <= by)
                ):
                    done_here += 1
            f.works_done += done_here
            if c.works and done_here == len(c.works):
                f.commitments_done += 1
        return f


def build(
    clist: CommitmentList,
    commitments: Sequence[Commitment],
    works: Sequence[Work],
    tasks: Sequence[Task],
    reports: Sequence[ProgressReport],
    today: dt.date | None = None,
) -> ListView:
    """The list's tree with every level's progress, from rows already read."""
    today = today or timezone.localdate()
    tasks_of: dict[int, list[Task]] = defaultdict(list)
    for task in tasks:
        tasks_of[task.work_id].append(task)
    latest: dict[int, ProgressReport] = {}
    for report in reports:  # ordered by month, id: the last one wins
        latest[report.work_id] = report
    works_of: dict[int, list[WorkView]] = defaultdict(list)
    for work in works:
        own = tasks_of.get(work.pk, [])
        last = latest.get(work.pk)
        progress = work_progress(
            work.status,
            [(t.progress, t.weight) for t in own],
            last.percent if last is not None else None,
        )
        late = report_late(work.status, last.month if last is not None else None, today)
        works_of[work.commitment_id].append(WorkView(work, own, last, progress, late))
    views = []
    for c in commitments:
        ws = works_of.get(c.pk, [])
        views.append(CommitmentView(c, ws, weighted_mean((w.progress, w.work.weight) for w in ws)))
    return ListView(clist, views, weighted_mean((c.progress, c.commitment.weight) for c in views))


def load(
    clist: CommitmentList, *, commitment_id: int | None = None, today: dt.date | None = None
) -> ListView:
    """The list's tree in five queries whatever its size (or one commitment's subtree)."""
    commitments = Commitment.objects.filter(clist=clist).order_by("position", "id")
    if commitment_id is not None:
        commitments = commitments.filter(pk=commitment_id)
    rows = list(commitments)
    ids = [c.pk for c in rows]
    works = list(Work.objects.filter(commitment_id__in=ids).select_related("owner").order_by("id"))
    work_ids = [w.pk for w in works]
    tasks = list(Task.objects.filter(work_id__in=work_ids).order_by("id"))
    reports = list(
        ProgressReport.objects.filter(work_id__in=work_ids)
        .select_related("reported_by")
        .order_by("month", "id")
    )
    return build(clist, rows, works, tasks, reports, today)


def origin_counts(clist: CommitmentList) -> tuple[int, int]:
    """The citizens' demands linked as origins of the list's commitments, and how many of them
    are closed (已办结): the list's "实事" answered. One query; counts only, no personal data."""
    through = Commitment.origin_tickets.through
    row = through.objects.filter(commitment__clist=clist).aggregate(
        total=Count("ticket_id", distinct=True),
        closed=Count("ticket_id", distinct=True, filter=Q(ticket__status=Status.CLOSED)),
    )
    return int(row["total"] or 0), int(row["closed"] or 0)
