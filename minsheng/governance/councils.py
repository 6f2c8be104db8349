"""民生议事会's reads: who may see and run a township's council, the agenda drafted for a meeting,
the state of each decision's work, and the council's figures.

Scope (`org.scoping`): the hotline's roles read every council; a unit's staff read the councils of
the townships whose government their scope covers (the township's own staff). Writing is for the
township government's unit leaders and handlers and for administrators (`can_run`). A council
outside the user's scope is a 404.

The agenda covers the township's tickets (by division: the township and its villages) taken in
between the last meeting and this one. Every list is bounded (`LIST_LIMIT`); each part costs a
fixed number of queries whatever the number of tickets.

A work is done when its ticket was answered (`replied_at`, kept on closing) or closed; it was on
time when that happened on or before the date the council set (`DecisionWork.due_date`). The
ticket core's own deadlines follow the deadline policy (its actions take no explicit deadline),
so the council's date is written in the dispatch's instructions and kept on the work.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from minsheng.governance.models import Council, Decision, DecisionWork, Meeting, Suggestion
from minsheng.insight import selectors as insight
from minsheng.org.models import Role, Unit, User
from minsheng.org.scoping import scope_for
from minsheng.stats import query
from minsheng.stats.periods import period_of
from minsheng.textproc.pii import mask_phone
from minsheng.tickets.models import Callback, Satisfaction, Status, Ticket

LIST_LIMIT = 50
HOT_MIN_SIZE = 3
HOT_LIMIT = 10
# Villagers' questions about their board (minsheng/villages) are tickets filed under this leaf;
# the agenda names them apart (governance does not import villages: the name is the contract).
QUESTION_CATEGORY = "村务公开质询"
RUN_ROLES = (Role.UNIT_LEADER, Role.HANDLER)
DONE_STATUSES = (Status.REPLIED, Status.CLOSED)


# --- Scope -------------------------------------------------------------------------------------


def councils_for(user: User) -> QuerySet[Council]:
    scope = scope_for(user)
    return (
        Council.objects.select_related("division", "unit")
        .filter(scope.units_q("unit__"))
        .order_by("division_id")
    )


def council_for(user: User, code: str) -> Council | None:
    return councils_for(user).filter(division_id=code).first()


def can_run(user: User, council: Council) -> bool:
    """May the user open meetings, record them and decide? Administrators, and the township
    government's own unit leaders and handlers (not its stations' staff)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.has_role(Role.ADMINISTRATOR):
        return True
    return (
        user.has_role(*RUN_ROLES)
        and user.unit_id is not None
        and council.unit.path.startswith(user.unit.path)  # type: ignore[union-attr]
    )


def township_units(council: Council) -> QuerySet[Unit]:
    """The units a decision may give work to: the township government's active sub-units."""
    return (
        Unit.objects.filter(path__startswith=council.unit.path, is_active=True)
        .exclude(pk=council.unit_id)
        .order_by("path")
    )


# --- Work state ---------------------------------------------------------------------------------

ON_TIME, LATE, OPEN, OPEN_LATE = "on_time", "late", "open", "open_late"
STATE_LABELS = {ON_TIME: "按期完成", LATE: "逾期完成", OPEN: "办理中", OPEN_LATE: "已逾期未完成"}


def done_at(ticket: Ticket) -> dt.datetime | None:
    if ticket.status not in DONE_STATUSES:
        return None
    return ticket.replied_at or ticket.closed_at


def work_state(work: DecisionWork, today: dt.date | None = None) -> str:
    today = today or timezone.localdate()
    finished = done_at(work.ticket)
    if finished is None:
        return OPEN_LATE if today > work.due_date else OPEN
    return ON_TIME if timezone.localdate(finished) <= work.due_date else LATE


# --- The agenda --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemandGroup:
    village: str
    category: str
    count: int
    numbers: tuple[str, ...]  # the latest tickets' numbers (at most 10)


@dataclass(frozen=True)
class HotSpot:
    label: str
    count: int
    ticket_ids: tuple[int, ...]


@dataclass(frozen=True)
class RepeatCaller:
    phone: str  # masked
    count: int
    last_ticket: Ticket | None


@dataclass(frozen=True)
class CarryOver:
    work: DecisionWork
    state: str

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]


@dataclass
class Agenda:
    council: Council
    since: dt.date
    until: dt.date
    new_total: int = 0
    groups: list[DemandGroup] = field(default_factory=list)
    hot: list[HotSpot] = field(default_factory=list)
    overdue: list[Ticket] = field(default_factory=list)
    unsatisfied: list[Ticket] = field(default_factory=list)
    repeat: list[RepeatCaller] = field(default_factory=list)
    carry: list[CarryOver] = field(default_factory=list)
    questions: list[Ticket] = field(default_factory=list)
    suggestions: list[Suggestion] = field(default_factory=list)
    suggestions_total: int = 0


def township_q(council: Council, prefix: str = "") -> Q:
    """The township's tickets: filed in its division or one of its villages."""
    return Q(**{f"{prefix}division__code__startswith": council.division.short_code})


def last_meeting_date(council: Council, before: dt.date) -> dt.date | None:
    found: dt.date | None = (
        Meeting.objects.filter(council=council, date__lt=before)
        .aggregate(last=Max("date"))
        .get("last")
    )
    return found


def agenda_period(council: Council, until: dt.date) -> tuple[dt.date, dt.date]:
    """From the last meeting before `until` (or a week before) to `until`."""
    since = last_meeting_date(council, until) or until - dt.timedelta(days=7)
    return since, until


def draft_agenda(council: Council, *, since: dt.date, until: dt.date) -> Agenda:
    """The agenda of a meeting on `until` covering the tickets taken in since `since`."""
    start, end = insight.period_bounds(since, until)
    now = timezone.now()
    agenda = Agenda(council=council, since=since, until=until)
    area = township_q(council)
    new = Ticket.objects.filter(area, created_at__gte=start, created_at__lt=end).exclude(
        status__in=(Status.TRANSFERRED, Status.MERGED)
    )
    # 1. The period's new demands by village and category (one grouped query, one for ids).
    # Every group is read (at most villages × leaves, a few hundred in a week) so that their sum
    # is the total: one scan of the period instead of two.
    groups_all = list(
        new.values("division__name", "category__full_name")
        .annotate(n=Count("id"))
        .order_by("-n", "division__name", "category__full_name")
    )
    rows = groups_all[:LIST_LIMIT]
    agenda.new_total = sum(row["n"] for row in groups_all)
    numbers: dict[tuple[str, str], list[str]] = {}
    for number, village, category in new.order_by("-created_at").values_list(
        "number", "division__name", "category__full_name"
    )[: LIST_LIMIT * 10]:
        numbers.setdefault((village or "", category or ""), []).append(number)
    for row in rows:
        key = (row["division__name"] or "", row["category__full_name"] or "")
        agenda.groups.append(
            DemandGroup(
                village=key[0],
                category=key[1] or "未分类",
                count=row["n"],
                numbers=tuple(numbers.get(key, [])[:10]),
            )
        )
    # 2. Hot spots: the 热点 page's grouping (insight.selectors), over the township's tickets.
    groups, _considered, _truncated = insight._groups(
        insight.tickets_in_period(since, until).filter(area),
        by_place=False,
        min_size=HOT_MIN_SIZE,
        limit=HOT_LIMIT,
    )
    agenda.hot = [
        HotSpot(label=g.label, count=g.count, ticket_ids=tuple(sorted(g.keys))[:20]) for g in groups
    ]
    # 3. Overdue: open tickets of the township past their reply deadline.
    agenda.overdue = list(
        Ticket.objects.filter(area, status__in=_open(), reply_due__lt=now)
        .select_related("division", "lead_unit")
        .order_by("reply_due")[:LIST_LIMIT]
    )
    # 4. 不满意: the period's callbacks (each round's verdict) that said unsatisfied.
    unhappy = Callback.objects.filter(
        township_q(council, "ticket__"),
        at__gte=start,
        at__lt=end,
        verdict=True,
        satisfaction=Satisfaction.UNSATISFIED,
    ).values("ticket_id")
    agenda.unsatisfied = list(
        Ticket.objects.filter(pk__in=unhappy)
        .select_related("division", "lead_unit")
        .order_by("-updated_at")[:LIST_LIMIT]
    )
    # 5. Repeat callers: a phone heard more than once in the period (masked). The period, not
    # a longer window: it is what the meeting reviews, and a 30-day window read four times the
    # tickets (docs/benchmarks/councils.md); a caller who keeps calling is on every agenda.
    callers = list(
        Ticket.objects.filter(area, created_at__gte=start, created_at__lt=end)
        .exclude(citizen_phone="")
        .values("citizen_phone")
        .annotate(n=Count("id"), last=Max("id"))
        .filter(n__gt=1)
        .order_by("-n", "-last")[:LIST_LIMIT]
    )
    lasts = Ticket.objects.select_related("division").in_bulk([c["last"] for c in callers])
    agenda.repeat = [
        RepeatCaller(
            phone=mask_phone(c["citizen_phone"]), count=c["n"], last_ticket=lasts.get(c["last"])
        )
        for c in callers
    ]
    # 6. Carry-over: the works of earlier meetings still open, or finished since the last one.
    works = (
        DecisionWork.objects.filter(
            decision__meeting__council=council, decision__meeting__date__lt=until
        )
        .filter(
            ~Q(ticket__status__in=DONE_STATUSES)
            | Q(ticket__replied_at__gte=start)
            | Q(ticket__replied_at__isnull=True, ticket__closed_at__gte=start)
        )
        .select_related("ticket", "unit", "decision__meeting")
        .order_by("decision__meeting__date", "decision_id", "id")[:LIST_LIMIT]
    )
    agenda.carry = [CarryOver(work=w, state=work_state(w, until)) for w in works]
    # 7. Villagers' questions about their village's board, taken in during the period.
    agenda.questions = list(
        new.filter(category__name=QUESTION_CATEGORY)
        .select_related("division", "lead_unit")
        .order_by("created_at")[:LIST_LIMIT]
    )
    # 8. Suggestions (走访 needs, collected suggestions) still open, whenever they came in.
    pending = Suggestion.objects.filter(council=council, status=Suggestion.Status.OPEN)
    agenda.suggestions_total = pending.count()
    agenda.suggestions = list(
        pending.select_related("village", "category").order_by("created_at", "id")[:LIST_LIMIT]
    )
    return agenda


def open_suggestions(council: Council) -> QuerySet[Suggestion]:
    """The council's suggestions not yet settled, oldest first (bounded)."""
    return (
        Suggestion.objects.filter(council=council, status=Suggestion.Status.OPEN)
        .select_related("village")
        .order_by("created_at", "id")[:LIST_LIMIT]
    )


def _open() -> tuple[str, ...]:
    return (Status.NEW, Status.DISPATCHED, Status.IN_PROGRESS, Status.RETURNED)


# --- Pages' reads -------------------------------------------------------------------------------


def meetings(council: Council) -> QuerySet[Meeting]:
    return council.meetings.annotate(n_decisions=Count("decisions")).order_by("-date", "-id")


def meeting_for(council: Council, pk: int) -> Meeting | None:
    return (
        Meeting.objects.select_related("council__division", "council__unit")
        .filter(council=council, pk=pk)
        .first()
    )


def decisions_of(meeting: Meeting) -> list[Decision]:
    return list(
        meeting.decisions.prefetch_related("works__ticket", "works__unit", "demands").order_by("id")
    )


@dataclass(frozen=True)
class Figures:
    decisions: int
    works: int
    on_time: int
    late: int
    open: int
    demands_answered: int


def figures(council: Council, today: dt.date | None = None) -> Figures:
    """Decisions, works done on time / late / still open, and the demands answered through the
    council (tickets linked to a decision as its demands, now closed). Three queries."""
    today = today or timezone.localdate()
    decisions = Decision.objects.filter(meeting__council=council).count()
    counts = {ON_TIME: 0, LATE: 0, OPEN: 0, OPEN_LATE: 0}
    for work in (
        DecisionWork.objects.filter(decision__meeting__council=council)
        .select_related("ticket")
        .only("due_date", "ticket__status", "ticket__replied_at", "ticket__closed_at")
    ):
        counts[work_state(work, today)] += 1
    answered = (
        Ticket.objects.filter(council_decisions__meeting__council=council, status=Status.CLOSED)
        .distinct()
        .count()
    )
    return Figures(
        decisions=decisions,
        works=sum(counts.values()),
        on_time=counts[ON_TIME],
        late=counts[LATE],
        open=counts[OPEN] + counts[OPEN_LATE],
        demands_answered=answered,
    )


@dataclass(frozen=True)
class Participation:
    """The seed's figure (孙口镇: 182 demands resolved in half a year, the 执法队 took part in 67,
    36.8 %): of the township's resolved demands in the half-year, how many each of its units
    took part in. Read from the statistics' rollups (stats.query, measure 参与解决), so it is
    the same number as on the statistics pages."""

    period_label: str
    resolved: int
    rows: list[tuple[str, int, Decimal | None]]  # unit's name, resolved with it, share (%)


def participation(council: Council, today: dt.date | None = None) -> Participation:
    today = today or timezone.localdate()
    f = query.Filters(period_of("half", today), unit=council.unit)
    base = query.totals(f)
    rows, _own = query.by_unit(f, base)
    return Participation(
        period_label=str(f.period.label),
        resolved=base["part"],
        rows=[(r.label, r.figures["part"], r.figures.share) for r in rows if r.figures["part"]],
    )
