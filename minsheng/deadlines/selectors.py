"""Permission-aware reads for the deadline boards: 临期 (due soon), 超期 (overdue) and 督办.

A ticket's *current* deadline is the one its status is waiting for:

| status               | current deadline | whose work        |
|----------------------|------------------|-------------------|
| new, returned        | dispatch_due     | the dispatcher    |
| dispatched           | sign_due         | the lead unit     |
| in_progress          | reply_due        | the lead unit     |
| replied              | callback_due     | the hotline       |

(A dispatched ticket's sign deadline always comes before its reply deadline, so "sign for
dispatched" is also "the earliest".) The contact deadline is not a board column: whether it is
live depends on the lead assignment's `contacted_at`, and the worker's 临期/超期 alarms cover it.

Paused tickets (`paused_at` set) are left off the boards: their clock is stopped and the
deadlines move when it restarts (schedule.shift_for_pause).

Scoping: everything starts from `tickets_visible_to`. Units' users see only the tickets their
unit (or a unit below it) leads, and only the deadlines that are theirs (sign and reply): a
unit's board is its own work, not the dispatcher's or the callback desk's.

The filters are written as one OR of per-status range conditions (`status = X AND <column>
BETWEEN …`) rather than a filter on a computed expression, so that the database can use the
(status, reply_due) and (lead_unit, reply_due) indexes; the computed `current_due` only orders
and labels the rows already found.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce

from django.db.models import (
    Case,
    CharField,
    Count,
    DateTimeField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils.translation import gettext_lazy as _

from minsheng.deadlines.models import DeadlineAlarm
from minsheng.deadlines.schedule import escalation_grace
from minsheng.org.models import Unit, User
from minsheng.org.scoping import scope_for
from minsheng.tickets.models import OPEN_STATUSES, Status, Supervision, Ticket
from minsheng.tickets.selectors import tickets_visible_to

# status → (deadline name, column). The order is the order of the OR branches.
CURRENT_DEADLINE: dict[str, tuple[str, str]] = {
    Status.NEW: ("dispatch", "dispatch_due"),
    Status.RETURNED: ("dispatch", "dispatch_due"),
    Status.DISPATCHED: ("sign", "sign_due"),
    Status.IN_PROGRESS: ("reply", "reply_due"),
    Status.REPLIED: ("callback", "callback_due"),
}
# The deadlines a unit answers for; the others are the hotline's.
UNIT_STATUSES = (Status.DISPATCHED, Status.IN_PROGRESS)

DEADLINE_LABELS = {
    "dispatch": _("派单"),
    "sign": _("签收"),
    "contact": _("联系诉求人"),
    "reply": _("答复"),
    "callback": _("回访"),
}

BOARD_ORDER = ("current_due", "pk")


@dataclass(frozen=True)
class CurrentDeadline:
    name: str  # dispatch / sign / reply / callback
    due: dt.datetime | None
    paused: bool

    @property
    def label(self) -> str:
        return str(DEADLINE_LABELS.get(self.name, self.name))


def current_deadline(ticket: Ticket) -> CurrentDeadline | None:
    """The deadline `ticket`'s status waits for (the table above); None for a finished ticket."""
    entry = CURRENT_DEADLINE.get(ticket.status)
    if entry is None:
        return None
    name, column = entry
    return CurrentDeadline(name, getattr(ticket, column), ticket.paused_at is not None)


def _statuses_for(user: User) -> tuple[str, ...]:
    return tuple(CURRENT_DEADLINE) if scope_for(user).everything else UNIT_STATUSES


def _due_between(statuses: Iterable[str], *, after: dt.datetime | None, before: dt.datetime) -> Q:
    """`status = s AND its column in [after, before)` for each status, OR-ed together."""
    branches = []
    for status in statuses:
        column = CURRENT_DEADLINE[status][1]
        branch = Q(status=status, **{f"{column}__lt": before})
        if after is not None:
            branch &= Q(**{f"{column}__gte": after})
        branches.append(branch)
    return reduce(operator.or_, branches)


def _annotated(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """Add `current_due` and `current_name` (see the table above) for ordering and display."""
    by_column: dict[str, list[str]] = {}
    for status, (_name, column) in CURRENT_DEADLINE.items():
        by_column.setdefault(column, []).append(status)
    due = Case(
        *[When(status__in=statuses, then=F(column)) for column, statuses in by_column.items()],
        default=Value(None),
        output_field=DateTimeField(),
    )
    name = Case(
        *[When(status=status, then=Value(n)) for status, (n, _c) in CURRENT_DEADLINE.items()],
        default=Value(""),
        output_field=CharField(),
    )
    return tickets.annotate(current_due=due, current_name=name)


def board_tickets(user: User) -> QuerySet[Ticket]:
    """Open, running tickets this user's boards may list (scoped; see the module docstring)."""
    tickets = tickets_visible_to(user).filter(paused_at__isnull=True)
    scope = scope_for(user)
    if not scope.everything:
        # By lead unit id, so that (lead_unit, reply_due) serves a unit's board.
        tickets = tickets.filter(lead_unit__in=Unit.objects.filter(scope.units_q()))
    return tickets


def due_soon(user: User, *, now: dt.datetime, hours: int) -> QuerySet[Ticket]:
    """临期: the current deadline falls in [now, now + hours), soonest first."""
    window = _due_between(_statuses_for(user), after=now, before=now + dt.timedelta(hours=hours))
    return _annotated(board_tickets(user).filter(window)).order_by(*BOARD_ORDER)


def overdue(user: User, *, now: dt.datetime, unit: Unit | None = None) -> QuerySet[Ticket]:
    """超期: the current deadline has passed; the longest overdue first. `unit` narrows to the
    tickets that unit itself leads (as `overdue_by_unit` counts them)."""
    tickets = board_tickets(user).filter(_due_between(_statuses_for(user), after=None, before=now))
    if unit is not None:
        tickets = tickets.filter(lead_unit=unit)
    return _annotated(tickets).order_by(*BOARD_ORDER)


def overdue_by_unit(tickets: QuerySet[Ticket]) -> list[dict[str, object]]:
    """The overdue list grouped by lead unit: [{code, name, count}], the most first (one query)."""
    rows = (
        tickets.order_by()
        .values("lead_unit__code", "lead_unit__name")
        .annotate(count=Count("pk"))
        .order_by("-count", "lead_unit__name")
    )
    return [
        {
            "code": r["lead_unit__code"] or "",
            "name": r["lead_unit__name"] or "",
            "count": r["count"],
        }
        for r in rows
    ]


def units_for_filter(user: User) -> QuerySet[Unit]:
    """The units a user may narrow the overdue board to: their subtree, or every unit."""
    return Unit.objects.filter(scope_for(user).units_q(), is_active=True).order_by("path")


def unit_in_scope(user: User, code: str) -> Unit | None:
    return units_for_filter(user).filter(code=code).first()


# --- 督办 ----------------------------------------------------------------------------------------


def _with_last_supervision(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    last = Supervision.objects.filter(ticket=OuterRef("pk")).order_by("-at", "-pk")
    return tickets.annotate(
        last_supervised_at=Subquery(last.values("at")[:1]),
        last_supervision_due=Subquery(last.values("due_at")[:1]),
    )


def escalated(user: User, *, now: dt.datetime) -> QuerySet[Ticket]:
    """待督办: open tickets the worker escalated in their current round (a 督办 alarm), or whose
    current deadline is overdue beyond the escalation grace; the longest overdue first."""
    alarm = DeadlineAlarm.objects.filter(
        ticket=OuterRef("pk"), round=OuterRef("round"), level=DeadlineAlarm.Level.ESCALATE
    )
    beyond_grace = _due_between(_statuses_for(user), after=None, before=now - escalation_grace())
    tickets = (
        board_tickets(user).filter(status__in=OPEN_STATUSES).filter(Q(Exists(alarm)) | beyond_grace)
    )
    tickets = _with_last_supervision(_annotated(tickets))
    return tickets.order_by(F("current_due").asc(nulls_last=True), "pk")


def open_supervisions(user: User) -> QuerySet[Supervision]:
    """督办记录: supervisions of tickets still open, the earliest 督办期限 first."""
    rows = Supervision.objects.filter(ticket__status__in=OPEN_STATUSES)
    if not scope_for(user).everything:
        rows = rows.filter(ticket__in=tickets_visible_to(user).values("pk"))
    return rows.select_related("ticket", "ticket__lead_unit", "by").order_by("due_at", "pk")
