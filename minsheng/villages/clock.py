"""What a board owes by the law's rules, and the worker's sweep that keeps the board's facts.

村民委员会组织法 §30 (docs/villages.md, "Deadlines of the law and oversight"):

- 村务公开 at least once a quarter;
- 财务公开 every month where the village has frequent transactions (`Board.frequent_finance`),
  else every quarter;
- 党务公开 every quarter where the installation asks for it
  (`MINSHENG_VILLAGE_PARTY_QUARTERLY`, off by default: the law does not govern the party's
  own publication, and its rule sets no fixed rhythm for a village branch).

The item of a period is due within `MINSHENG_VILLAGE_PUBLISH_GRACE_DAYS` (default 10) days after
the period ends: its deadline is the end of that day, local time. A period counts as published
when a published item of its section covers it (the item's period overlaps it; a correction
counts, and so does an item published late). `MINSHENG_VILLAGE_REMIND_DAYS` (default 3) before a
deadline the village's clerks get a reminder; once it has passed, an alarm goes to the clerks and
the township's reviewers — each once per board × section × period (`ClockNotice`, unique).

Each pass over a board re-computes its facts (`late_sections`, `late_since`) and plans the next
moment anything can change (`next_check_at`: the next reminder or deadline), so the worker only
reads boards that are due, through the partial index `villages_board_check`. A publication sets
`next_check_at` to now, and the next pass clears the lateness it made up for.

How far back the clock looks: a section's missed periods are those from its earliest unresolved
alarm (or, without one, the latest period whose deadline has passed) to now. A board seen for the
first time (a new installation) is so late since the last deadline it missed, not since the law
was passed; from then on every deadline it misses is recorded by its alarm row.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from django.conf import settings
from django.db import connection, transaction
from django.db.models import BooleanField, F, Q
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone

from minsheng.lib.bulk import array_literal, insert_rows
from minsheng.notify.services import Notice, notify_users_many
from minsheng.org.models import Division, Role, Unit, User
from minsheng.villages.models import Board, ClockNotice, Item, ItemStatus, Section
from minsheng.villages.periods import period_bounds, period_label

Period = tuple[dt.date, dt.date]

# Notifications are written in the hotline's language (notify.message_templates), not the
# language of whoever happens to run the worker.
SECTION_TEXT = {
    Section.PARTY.value: "党务公开",
    Section.AFFAIRS.value: "村务公开",
    Section.FINANCE.value: "财务公开",
    Section.OTHER.value: "其他",
}
SECTION_ORDER = tuple(Section.values)
ONE_DAY = dt.timedelta(days=1)


# --- the rules -----------------------------------------------------------------------------


def owed_sections(frequent_finance: bool) -> list[tuple[str, str]]:
    """(section, period kind) a board owes: 村务 quarterly, 财务 monthly or quarterly, 党务
    quarterly where configured."""
    owed: list[tuple[str, str]] = []
    if settings.MINSHENG_VILLAGE_PARTY_QUARTERLY:
        owed.append((Section.PARTY.value, "quarter"))
    owed.append((Section.AFFAIRS.value, "quarter"))
    owed.append((Section.FINANCE.value, "month" if frequent_finance else "quarter"))
    return owed


def due_on(period: Period) -> dt.date:
    """The last day on which publishing `period` is on time."""
    return period[1] + dt.timedelta(days=int(settings.MINSHENG_VILLAGE_PUBLISH_GRACE_DAYS))


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()), timezone.get_default_timezone())


def late_at(period: Period) -> dt.datetime:
    """The moment the period becomes late: the end of its due day, local time."""
    return _midnight(due_on(period) + ONE_DAY)


def remind_at(period: Period) -> dt.datetime | None:
    days = int(settings.MINSHENG_VILLAGE_REMIND_DAYS)
    if days <= 0:
        return None
    return _midnight(due_on(period) - dt.timedelta(days=days))


def following(kind: str, period: Period) -> Period:
    return period_bounds(kind, period[1] + ONE_DAY)


def previous(kind: str, period: Period) -> Period:
    return period_bounds(kind, period[0] - ONE_DAY)


def latest_due(kind: str, now: dt.datetime) -> Period:
    """The latest period of `kind` whose deadline has passed at `now`."""
    period = period_bounds(kind, timezone.localdate(now, timezone.get_default_timezone()))
    while late_at(period) > now:
        period = previous(kind, period)
    return period


def covered(items: Iterable[Period], period: Period) -> bool:
    """A published item covers the period when their periods overlap."""
    return any(start <= period[1] and end >= period[0] for start, end in items)


@dataclass
class SectionState:
    section: str
    kind: str
    missed: list[Period]  # uncovered periods whose deadline has passed, oldest first
    remind: Period | None  # the coming period, uncovered, inside its reminder window
    next_at: dt.datetime


def evaluate(
    section: str,
    kind: str,
    items: Sequence[Period],
    alarmed: Iterable[Period],
    now: dt.datetime,
) -> SectionState:
    """The state of one section of one board at `now`: pure, given the published items' periods
    and the periods already alarmed (the clock's memory of deadlines it saw missed)."""
    last = latest_due(kind, now)
    start = last
    for period in alarmed:
        # Only periods of the current rhythm (finance may have changed from quarterly to
        # monthly), not yet made up for.
        if period_bounds(kind, period[0]) != period or covered(items, period):
            continue
        start = min(start, period)
    missed: list[Period] = []
    period = start
    while period[0] <= last[0]:
        if not covered(items, period):
            missed.append(period)
        period = following(kind, period)
    coming = following(kind, last)
    reminder = remind_at(coming)
    coming_covered = covered(items, coming)
    remind = coming if not coming_covered and reminder is not None and reminder <= now else None
    next_at = late_at(coming) if coming_covered or reminder is None or reminder <= now else reminder
    return SectionState(section, kind, missed, remind, next_at)


# --- the sweep -------------------------------------------------------------------------------


@dataclass
class _Board:
    code: str
    township: str
    frequent_finance: bool
    late_since: dt.date | None
    states: list[SectionState] = field(default_factory=list)


@dataclass
class SweepResult:
    boards: int = 0
    reminders: int = 0
    alarms: int = 0


def _claim(now: dt.datetime, limit: int) -> list[_Board]:
    """Boards whose next check has come, earliest first: a range scan of villages_board_check.
    PostgreSQL locks them (SKIP LOCKED: several workers share the work, and a publication that
    sets `next_check_at` waits for this batch and so is seen by the next pass); SQLite's
    IMMEDIATE transactions already serialise every writer."""
    rows = (
        Board.objects.filter(next_check_at__lte=now)
        .order_by("next_check_at")
        .select_for_update(skip_locked=True)
        .values_list("village_id", "township_code", "frequent_finance", "late_since")[:limit]
    )
    return [_Board(code, township, frequent, since) for code, township, frequent, since in rows]


def _among(table: str, column: str, codes: Iterable[str], field: str = "") -> Q | RawSQL:
    """`column IN codes`; on PostgreSQL one array parameter (`= ANY`): 2,000 placeholders cost
    more to bind and parse than the lookup itself (as stats.rollup's `_among`)."""
    codes = list(codes)
    if connection.vendor != "postgresql":
        return Q(**{f"{field or column}__in": codes})
    quote = connection.ops.quote_name
    return RawSQL(  # noqa: S611 (fixed names; the codes are a parameter)
        f"{quote(table)}.{quote(column)} = ANY(%s::varchar[])",
        [array_literal(codes)],
        output_field=BooleanField(),
    )


def _notices_since(
    codes: list[str], horizon: dt.date
) -> list[tuple[str, str, str, dt.date, dt.date]]:
    """The batch's notices due from `horizon`: (board, section, kind, period start, end).

    On PostgreSQL a LATERAL probe per board of the unique index (board, section, …): while a
    first pass fills the table, its statistics lag and the planner would otherwise scan the
    whole table for every batch (its cost rises with the table, the probes' do not)."""
    if connection.vendor != "postgresql":
        return list(
            ClockNotice.objects.filter(board_id__in=codes, due_on__gte=horizon).values_list(
                "board_id", "section", "kind", "period_start", "period_end"
            )
        )
    table = connection.ops.quote_name(ClockNotice._meta.db_table)
    sql = (
        "SELECT n.board_id, n.section, n.kind, n.period_start, n.period_end "  # noqa: S608
        "FROM unnest(%s::varchar[]) AS c(code), LATERAL (SELECT board_id, section, kind, "
        f"period_start, period_end FROM {table} WHERE board_id = c.code AND due_on >= %s "
        "OFFSET 0) n"  # OFFSET 0: kept a per-board probe, not flattened into a join
    )
    with connection.cursor() as cursor:
        # With lagging statistics the probes' estimate is huge, and compiling the plan (JIT)
        # would cost more than running it.
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, [array_literal(codes), horizon])
        return list(cursor.fetchall())


def sweep_boards(*, now: dt.datetime | None = None, limit: int | None = None) -> SweepResult:
    """One batch: re-compute up to `limit` due boards, send their reminders and alarms, and plan
    their next checks. A fixed number of statements whatever the batch's size."""
    now = now or timezone.now()
    limit = limit or int(settings.MINSHENG_VILLAGE_CLOCK_BATCH)
    result = SweepResult()
    with transaction.atomic():
        boards = _claim(now, limit)
        if not boards:
            return result
        result.boards = len(boards)
        codes = [b.code for b in boards]
        kinds = {"month", "quarter"}
        horizon = min(
            [due_on(latest_due(kind, now)) for kind in kinds]
            + [b.late_since for b in boards if b.late_since is not None]
        )
        # The clock's memory: notices already sent, from the earliest deadline still open.
        sent: dict[str, set[tuple[str, str, dt.date, dt.date]]] = defaultdict(set)
        alarmed: dict[tuple[str, str], list[Period]] = defaultdict(list)
        for code, section, kind, start, end in _notices_since(codes, horizon):
            sent[code].add((section, kind, start, end))
            if kind == ClockNotice.Kind.ALARM:
                alarmed[(code, section)].append((start, end))
        earliest = min(
            [latest_due(kind, now)[0] for kind in kinds]
            + [p[0] for periods in alarmed.values() for p in periods]
        )
        published: dict[tuple[str, str], list[Period]] = defaultdict(list)
        for code, section, start, end in Item.objects.filter(
            _among(Item._meta.db_table, "board_id", codes),
            status=ItemStatus.PUBLISHED,
            section__in=[s for s in SECTION_ORDER if s != Section.OTHER],
            period_end__gte=earliest,
        ).values_list("board_id", "section", "period_start", "period_end"):
            published[(code, section)].append((start, end))

        notices: list[tuple[_Board, SectionState, Period, str]] = []
        updates: list[tuple[str, str, dt.date | None, dt.datetime]] = []
        owed = {frequent: owed_sections(frequent) for frequent in (False, True)}
        # Most boards of a batch have neither items nor alarms in the window (a new
        # installation's, or the punctual ones between deadlines): their state depends on the
        # period kind alone, computed once per batch.
        blank = {kind: evaluate("", kind, [], [], now) for kind in kinds}
        for board in boards:
            for section, kind in owed[board.frequent_finance]:
                items = published.get((board.code, section), [])
                alarms = alarmed.get((board.code, section), [])
                state = (
                    evaluate(section, kind, items, alarms, now)
                    if items or alarms
                    else replace(blank[kind], section=section)
                )
                board.states.append(state)
                for period in state.missed:
                    if (section, ClockNotice.Kind.ALARM, *period) not in sent[board.code]:
                        notices.append((board, state, period, ClockNotice.Kind.ALARM))
                if state.remind is not None and (
                    (section, ClockNotice.Kind.REMIND, *state.remind) not in sent[board.code]
                ):
                    notices.append((board, state, state.remind, ClockNotice.Kind.REMIND))
            late = {s.section: s for s in board.states if s.missed}
            updates.append(
                (
                    board.code,
                    ",".join(s for s in SECTION_ORDER if s in late),
                    min((due_on(s.missed[0]) for s in late.values()), default=None),
                    min(s.next_at for s in board.states),
                )
            )
        if notices:
            _send(notices, now)
            result.reminders = sum(1 for *_, k in notices if k == ClockNotice.Kind.REMIND)
            result.alarms = len(notices) - result.reminders
        _save_facts(updates)
    return result


def _send(notices: list[tuple[_Board, SectionState, Period, str]], now: dt.datetime) -> None:
    """The batch's reminders and alarms: recipients read once, notices and in-app messages
    each written with one INSERT (keys make both idempotent)."""
    villages = {board.code for board, *_ in notices}
    townships = {board.township for board, _, _, kind in notices if kind == ClockNotice.Kind.ALARM}
    clerks = _people(Role.VILLAGE_CLERK, villages, village_units=True)
    reviewers = _people(Role.AFFAIRS_REVIEWER, townships, village_units=False)
    # Names only for the villages somebody is told about (a new installation's thousands of
    # villages without clerks need none).
    told = {
        board.code
        for board, _, _, kind in notices
        if board.code in clerks or (kind == ClockNotice.Kind.ALARM and board.township in reviewers)
    }
    names = (
        dict(
            Division.objects.filter(_among(Division._meta.db_table, "code", told)).values_list(
                "code", "name"
            )
        )
        if told
        else {}
    )
    township_url = reverse("villages:oversight_township", args=["CODE"])
    rows: list[tuple[object, ...]] = []
    messages: list[Notice] = []
    for board, state, period, kind in notices:
        users = list(clerks.get(board.code, []))
        url = ""
        if kind == ClockNotice.Kind.ALARM:
            users += reviewers.get(board.township, [])
            url = township_url.replace("CODE", board.township[:9]) if board.township else ""
        due = due_on(period)
        rows.append((board.code, state.section, kind, period[0], period[1], due, len(users), now))
        messages.append(
            Notice(
                key_prefix=(
                    f"village:{board.code}:{state.section}:{period[0]:%Y%m%d}-"
                    f"{period[1]:%Y%m%d}:{kind}"
                ),
                users=users,
                template="village_publish_due"
                if kind == ClockNotice.Kind.REMIND
                else "village_publish_overdue",
                context={
                    "village": names.get(board.code, board.code),
                    "section": SECTION_TEXT[state.section],
                    "period": period_label(state.kind, period[0]),
                    "due": due,
                },
                url=url,
            )
        )
    insert_rows(
        ClockNotice,
        (
            "board_id",
            "section",
            "kind",
            "period_start",
            "period_end",
            "due_on",
            "recipients",
            "sent_at",
        ),
        rows,
        ignore_conflicts=True,
    )
    notify_users_many(messages)


def _people(role: str, divisions: set[str], *, village_units: bool) -> dict[str, list[User]]:
    """Active users with `role` whose unit's division is one of `divisions`: a village's
    clerks (units of kind village) or a township's reviewers, in one query."""
    if not divisions:
        return {}
    users = (
        User.objects.filter(
            _among(Unit._meta.db_table, "division_id", divisions, "unit__division_id"),
            is_active=True,
            roles__role=role,
            unit__isnull=False,
        )
        .only("id", "is_active", "unit_id")
        .annotate(division=F("unit__division_id"))
    )
    if village_units:
        users = users.filter(unit__kind=Unit.Kind.VILLAGE)
    found: dict[str, list[User]] = defaultdict(list)
    for user in users:
        found[str(user.division)].append(user)
    return found


def _save_facts(updates: list[tuple[str, str, dt.date | None, dt.datetime]]) -> None:
    """The batch's boards' facts, in one statement on PostgreSQL (UPDATE … FROM unnest)."""
    table = Board._meta.db_table
    if connection.vendor == "postgresql":
        sql = (
            f"UPDATE {table} AS b SET late_sections = v.ls, late_since = v.since, "  # noqa: S608
            "next_check_at = v.nc FROM unnest(%s::varchar[], %s::varchar[], %s::date[], "
            "%s::timestamptz[]) AS v(id, ls, since, nc) WHERE b.village_id = v.id"
        )
        params = [
            array_literal(u[0] for u in updates),
            array_literal(u[1] for u in updates),
            array_literal(u[2].isoformat() if u[2] else None for u in updates),
            array_literal(u[3].isoformat() for u in updates),
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
        return
    ops = connection.ops
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET late_sections = %s, late_since = %s, next_check_at = %s "  # noqa: S608
            "WHERE village_id = %s",
            [
                (
                    sections,
                    ops.adapt_datefield_value(since),
                    ops.adapt_datetimefield_value(next_at),
                    code,
                )
                for code, sections, since, next_at in updates
            ],
        )


def sweep_boards_until_done(
    *,
    now: dt.datetime | None = None,
    limit: int | None = None,
    max_batches: int = 10,
    stop: threading.Event | None = None,
) -> int:
    """Batches until no board is due, at most `max_batches` (so that a new installation's
    620,573 boards never hold up the worker's other steps: the next pass goes on). Returns how
    many boards were checked."""
    total = 0
    for _ in range(max_batches):
        if stop is not None and stop.is_set():
            break
        done = sweep_boards(now=now, limit=limit)
        total += done.boards
        if done.boards == 0:
            break
    return total
