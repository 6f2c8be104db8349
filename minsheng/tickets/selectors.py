"""Permission-aware reads of tickets. Scoping comes from minsheng.org.scoping, nowhere else.

A unit's users see the tickets that were ever given to a unit in their subtree (any round, any
role); hotline roles see all. The citizen's identity on a confidential ticket is hidden from
units: use `citizen_for` wherever a page shows the citizen.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField, Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils import timezone

from minsheng.lib.bulk import int_array_literal
from minsheng.org.models import HOTLINE_ROLES, Division, Unit, User
from minsheng.org.scoping import Scope, scope_for
from minsheng.textproc.pii import mask_phone, mask_pii
from minsheng.textproc.similar import search_words as textproc_search_words
from minsheng.tickets.models import (
    Assignment,
    ExtensionRequest,
    Status,
    Ticket,
    TicketEvent,
)

LIST_RELATED = ("category", "division", "lead_unit")


def tickets_visible_to(user: User) -> QuerySet[Ticket]:
    scope = scope_for(user)
    tickets = Ticket.objects.select_related(*LIST_RELATED)
    if scope.everything:
        return tickets
    if scope.nothing:
        return tickets.none()
    # `id IN (tickets of the subtree's assignments)` rather than a correlated EXISTS per
    # ticket: with EXISTS, PostgreSQL walks tickets newest-first and probes each one, which
    # with a second selective filter (a category) is tens of thousands of probes. As a
    # semi-join the planner may also start from the subtree's assignments (tickets migration
    # 0004 indexes them by unit and ticket) and pick whichever side is smaller.
    in_scope = Assignment.objects.filter(scope.units_q("unit__")).values("ticket_id")
    return tickets.filter(pk__in=in_scope)


def ticket_for(user: User, number: str) -> Ticket:
    """One ticket by number, or 404 when it does not exist or is not the user's to see."""
    try:
        return tickets_visible_to(user).get(number=number)
    except Ticket.DoesNotExist:
        raise Http404("ticket not found") from None


@dataclass(frozen=True)
class CitizenView:
    name: str
    phone: str
    id_number: str
    hidden: bool  # identity withheld (confidential ticket seen by a unit)


def holds(user: User, ticket: Ticket) -> bool:
    """Whether the user may see the ticket as one of its handlers now: hotline staff always; a
    unit while it (or a unit beneath it) has a live assignment. A unit the ticket was reassigned
    away from, or whose return was accepted, still finds the ticket (its own work is part of
    the record) but no longer holds it: no citizen, masked text, only its own history."""
    scope = scope_for(user)
    if scope.everything:
        return True
    if scope.nothing:
        return False
    live = ticket.assignments.exclude(state=Assignment.State.CANCELLED)
    return live.filter(scope.units_q("unit__")).exists()


def held_ids(user: User, tickets: list[Ticket]) -> set[int]:
    """The ids among `tickets` that the user holds now (`holds`), in one query: for lists."""
    scope = scope_for(user)
    if scope.everything:
        return {t.pk for t in tickets}
    if scope.nothing or not tickets:
        return set()
    live = Assignment.objects.filter(ticket_id__in=[t.pk for t in tickets]).exclude(
        state=Assignment.State.CANCELLED
    )
    return set(live.filter(scope.units_q("unit__")).values_list("ticket_id", flat=True))


def citizens_for(
    user: User, tickets: list[Ticket], *, held: set[int] | None = None
) -> list[tuple[Ticket, CitizenView]]:
    """Each ticket with its citizen as `user` may see them: a list's rows, in one query (none
    when the caller passes `held_ids` it has already)."""
    held = held_ids(user, tickets) if held is None else held
    return [(t, citizen_for(user, t, holder=t.pk in held)) for t in tickets]


def citizen_for(user: User, ticket: Ticket, *, holder: bool | None = None) -> CitizenView:
    """The only way a page, an export or the API shows the citizen. `holder`: `holds(user,
    ticket)` when the caller has it already."""
    if ticket.confidential and not user.has_role(*HOTLINE_ROLES):
        return CitizenView(name="（保密）", phone="", id_number="", hidden=True)
    if not (holds(user, ticket) if holder is None else holder):
        return CitizenView(name="（已移交其他单位）", phone="", id_number="", hidden=True)
    name = "（匿名）" if ticket.anonymous else ticket.citizen_name
    id_number = ticket.citizen_id_number
    if id_number and not user.has_role(*HOTLINE_ROLES):
        id_number = id_number[:4] + "*" * 10 + id_number[-4:]
    phone = (
        ticket.citizen_phone
        if user.has_role(*HOTLINE_ROLES) or not ticket.anonymous
        else mask_phone(ticket.citizen_phone)
    )
    return CitizenView(name=name, phone=phone, id_number=id_number, hidden=False)


def timeline(ticket: Ticket) -> QuerySet[TicketEvent]:
    return ticket.events.select_related("actor", "unit").order_by("at", "id")


@dataclass(frozen=True)
class TicketText:
    title: str
    description: str
    address: str
    masked: bool


def mask_person(text: str, name: str) -> str:
    """The citizen's own name, wherever free text repeats it, reduced to its first character."""
    name = name.strip()
    if len(name) < 2:
        return text
    return text.replace(name, name[0] + "*" * (len(name) - 1))


def text_for(user: User, ticket: Ticket, *, holder: bool | None = None) -> TicketText:
    """The ticket's free text as `user` may read it. A unit reading a confidential ticket, or a
    ticket that no longer is its, reads it with phones, ID numbers, bank cards, e-mails, plates
    and the citizen's name masked: what the citizen typed or said is personal data too."""
    hotline = user.has_role(*HOTLINE_ROLES)
    held = True if hotline else (holds(user, ticket) if holder is None else holder)
    if hotline or (held and not ticket.confidential):
        return TicketText(ticket.title, ticket.description, ticket.address, masked=False)

    def masked(text: str) -> str:
        return mask_person(mask_pii(text), ticket.citizen_name)

    return TicketText(
        masked(ticket.title), masked(ticket.description), masked(ticket.address), masked=True
    )


def title_for(user: User, ticket: Ticket, *, holder: bool | None = None) -> str:
    """The title as `user` may read it in a list: `text_for`'s rule, for one field."""
    if user.has_role(*HOTLINE_ROLES):
        return ticket.title
    return text_for(user, ticket, holder=holder).title


def with_titles(user: User, tickets: list[Ticket], *, held: set[int] | None = None) -> list[Ticket]:
    """Sets `shown_title` on each of a list's tickets (what `{% ticket_title %}` prints), with
    one query for the whole list: a confidential ticket's title, or a ticket the unit no longer
    holds, is masked for units just as its page masks it."""
    if user.has_role(*HOTLINE_ROLES):
        for t in tickets:
            t.shown_title = t.title  # type: ignore[attr-defined]
        return tickets
    held = held_ids(user, tickets) if held is None else held
    for t in tickets:
        t.shown_title = title_for(user, t, holder=t.pk in held)  # type: ignore[attr-defined]
    return tickets


def timeline_for(
    user: User, ticket: Ticket, *, holder: bool | None = None
) -> QuerySet[TicketEvent]:
    """The timeline as `user` may read it: whole for the hotline and the ticket's units; for a
    unit it was taken from, only the events of that unit's own part."""
    events = timeline(ticket)
    if holds(user, ticket) if holder is None else holder:
        return events
    return events.filter(scope_for(user).units_q("unit__"))


def assignments_of(ticket: Ticket) -> QuerySet[Assignment]:
    return ticket.assignments.select_related("unit", "signed_by").order_by(
        "round", "created_at", "id"
    )


# --- Work queues -----------------------------------------------------------------------------


def dispatch_queue(user: User) -> dict[str, QuerySet[Ticket]]:
    """The dispatcher's three lists: new, returned, and pending extension requests."""
    tickets = tickets_visible_to(user)
    pending_ext = ExtensionRequest.objects.filter(
        ticket=OuterRef("pk"), state=ExtensionRequest.State.PENDING
    )
    return {
        "new": tickets.filter(status=Status.NEW).order_by("created_at"),
        "returned": tickets.filter(
            Exists(
                Assignment.objects.filter(
                    ticket=OuterRef("pk"), state=Assignment.State.RETURN_REQUESTED
                )
            )
        ).order_by("updated_at"),
        "extensions": tickets.filter(Exists(pending_ext)).order_by("updated_at"),
    }


OPEN_ASSIGNMENT_STATES = (
    Assignment.State.PENDING,
    Assignment.State.SIGNED,
    Assignment.State.RETURN_REQUESTED,
)


def _inbox_assignments(user: User) -> QuerySet[Assignment]:
    scope = scope_for(user)
    return (
        Assignment.objects.filter(scope.units_q("unit__"))
        .exclude(state=Assignment.State.CANCELLED)
        # Only the current round's assignments are work; earlier rounds are history.
        .filter(ticket__round=F("round"))
    )


def unit_inbox(user: User) -> dict[str, QuerySet[Assignment]]:
    """A unit's assignments of tickets: to sign, in progress, returned, and the open sub-tasks of
    its subtree; oldest first (the most urgent work)."""
    assignments = _inbox_assignments(user).select_related(
        "ticket", "ticket__category", "ticket__division", "unit"
    )
    return {
        "to_sign": assignments.filter(state=Assignment.State.PENDING).order_by("created_at"),
        "in_progress": assignments.filter(state=Assignment.State.SIGNED).order_by("created_at"),
        "returned": assignments.filter(state=Assignment.State.RETURN_REQUESTED).order_by(
            "created_at"
        ),
        "subtasks": assignments.filter(
            role=Assignment.Role.SUBTASK, state__in=OPEN_ASSIGNMENT_STATES
        ).order_by("created_at"),
    }


def unit_inbox_counts(user: User) -> dict[str, int]:
    """The length of each list of `unit_inbox`, in one query."""
    # Only open assignments are counted, so that the (unit, state) index leaves out the subtree's
    # thousands of replied assignments instead of joining each to its ticket.
    counts = (
        _inbox_assignments(user)
        .filter(state__in=OPEN_ASSIGNMENT_STATES)
        .aggregate(
            to_sign=Count("pk", filter=Q(state=Assignment.State.PENDING)),
            in_progress=Count("pk", filter=Q(state=Assignment.State.SIGNED)),
            returned=Count("pk", filter=Q(state=Assignment.State.RETURN_REQUESTED)),
            subtasks=Count(
                "pk", filter=Q(role=Assignment.Role.SUBTASK, state__in=OPEN_ASSIGNMENT_STATES)
            ),
        )
    )
    return {key: int(n or 0) for key, n in counts.items()}


def callback_queue(user: User) -> QuerySet[Ticket]:
    return tickets_visible_to(user).filter(status=Status.REPLIED).order_by("replied_at")


@dataclass(frozen=True)
class TicketSearch:
    number: str = ""
    phone: str = ""
    words: str = ""
    category_id: int | None = None
    unit_id: int | None = None
    status: str = ""
    division_code: str = ""
    created_from: dt.date | None = None
    created_to: dt.date | None = None


def word_bigrams(word: str) -> list[str]:
    """Every two-character substring of a search word: what the PostgreSQL word index
    (`tickets_ticketwords`, tickets migration 0003) holds for every text containing the word."""
    return sorted({word[i : i + 2] for i in range(len(word) - 1)})


Window = tuple[dt.datetime | None, dt.datetime | None]  # [since, until) of created_at
ALL_TIME: Window = (None, None)

# A word search reads its candidates newest first, a window of created_at at a time (see
# search_ticket_ids): the last 7 days, then back to 30 and 180 days, then the rest.
WORD_WINDOWS = (dt.timedelta(days=7), dt.timedelta(days=30), dt.timedelta(days=180))


def search_words(words: str) -> list[str]:
    """The words of a search, each required: the query's tokens, a Chinese phrase cut into its
    words (textproc.similar.search_words: 垃圾清理 → 垃圾 清理), so that a phrase also finds
    texts that say its words apart; the word index is asked for every word's bigrams."""
    return textproc_search_words(words)


def _search_bigrams(words: list[str]) -> list[str]:
    return sorted({b for word in words for b in word_bigrams(word)})


def _with_words(
    tickets: QuerySet[Ticket],
    words: list[str],
    window: Window = ALL_TIME,
    candidates: list[int] | None = None,
) -> QuerySet[Ticket]:
    for word in words:
        tickets = tickets.filter(Q(title__contains=word) | Q(description__contains=word))
    if candidates is not None:
        # The caller narrowed the search to these ids (search_ticket_ids): the scope's
        # tickets, already asked of the word index where the words have bigrams; the LIKE
        # above keeps the result exact either way.
        return tickets
    bigrams = _search_bigrams(words)
    if connection.vendor == "postgresql" and bigrams:
        # Candidates from the GIN index of the tickets' bigrams (tickets migration 0003) instead
        # of reading every ticket's text; the LIKE above keeps the result exact. Always, even
        # for a frequent word: without the index PostgreSQL misestimates `LIKE '%路灯%'` as rare
        # and reads every ticket (3-5 s), see docs/benchmarks/pages.md. The tickets the
        # worker has not indexed yet (new, or with a changed text) are all candidates too
        # (`pending`, migration 0009, tickets/words.py), so the answer never waits for the
        # worker. One table, one condition: PostgreSQL estimates it as it did the GIN's alone.
        # The bigrams go in as a sub-select, so that PostgreSQL plans with its default share
        # for `@>` (0.5 %) instead of multiplying the bigrams' frequencies as if independent
        # (19 rows estimated for 噪音扰民, 17,794 found), which made it fetch every candidate
        # ticket before narrowing by a unit's scope or a window of time.
        sql = (
            "SELECT ticket_id FROM tickets_ticketwords "
            "WHERE (bigrams @> (SELECT %s::text[]) OR pending)"
        )
        params: list[object] = [bigrams]
        since, until = window
        # The word rows carry the ticket's created_at (migration 0010): the window narrows the
        # candidates in the index (a BitmapAnd), before any row is read.
        if since is not None:
            sql += " AND created_at >= %s"
            params.append(since)
        if until is not None:
            sql += " AND created_at < %s"
            params.append(until)
        # Only the fixed SQL above; the words and times travel as parameters.
        tickets = tickets.filter(pk__in=RawSQL(sql, params))  # noqa: S611
    return tickets


def digits_successor(prefix: str) -> str | None:
    """The smallest digit string greater than every string starting with `prefix` (digits
    only): "260527" -> "260528", "2605279" -> "260528"; None for "999" (no upper bound)."""
    stripped = prefix.rstrip("9")
    if not stripped:
        return None
    return stripped[:-1] + str(int(stripped[-1]) + 1)


def _with_number_prefix(tickets: QuerySet[Ticket], prefix: str) -> QuerySet[Ticket]:
    """Ticket numbers starting with `prefix`. Numbers are digits only, so a digit prefix is the
    range [prefix, successor): the number index serves it and PostgreSQL estimates it well.
    With `LIKE 'prefix%'` it guessed 10,000 rows for a day's 3,200 and walked the tickets
    newest-first instead (4 s for a day half a year ago; docs/benchmarks/pages.md)."""
    if not prefix.isdigit() or not prefix.isascii():
        return tickets.filter(number__startswith=prefix)
    tickets = tickets.filter(number__gte=prefix)
    upper = digits_successor(prefix)
    return tickets.filter(number__lt=upper) if upper is not None else tickets


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def search_tickets(user: User, query: TicketSearch) -> QuerySet[Ticket]:
    """The tickets `user` may see that match `query`, newest first. For the ids of a page, use
    `search_ticket_ids`: the same result, read faster for a word search."""
    return _search(user, query, ALL_TIME)


def search_ticket_ids(user: User, query: TicketSearch, limit: int | None) -> list[int]:
    """The ids of the first `limit` results of `search_tickets(user, query)` (all of them with
    None), in its order.

    On PostgreSQL a unit's search starts from the unit's own tickets: their ids
    (`_scope_ticket_ids`, a few thousand) go into the query as one array, so PostgreSQL reads
    those tickets by primary key and filters them, instead of walking a month's or a
    category's tickets of the whole county by date and probing each for the scope (a month's
    closed tickets: 82 ms → 25 ms at 1,000,000 tickets; docs/benchmarks/pages.md). A word
    search asks the word index about those tickets only (`_scope_word_candidates`).

    With a limit, a hotline user's word search on PostgreSQL asks window by window, newest first
    (`WORD_WINDOWS`), and stops when it has `limit` ids: the windows are disjoint ranges of
    created_at, so their results follow each other in the search's order. A frequent word
    (路灯: 16,000 tickets of 1,000,000) thus reads the few hundred candidates of the last week
    instead of all of them. Only for users who see every ticket: a unit's scope bounds its
    search better than time does, and its few results would make it read every window anyway
    (docs/benchmarks/intake.md, fourth session); without a limit every window is read too, and
    one query beats four.
    """
    bigrams = _search_bigrams(search_words(query.words))
    scope = scope_for(user)
    if connection.vendor == "postgresql" and not scope.everything:
        scope_ids = _scope_ticket_ids(scope)
        if scope_ids is not None:
            candidates = _scope_word_candidates(scope_ids, bigrams) if bigrams else scope_ids
            tickets = _search(user, query, ALL_TIME, candidates=candidates)
            return list(tickets.values_list("pk", flat=True)[:limit])
    windowed = scope.everything and bool(bigrams)
    if connection.vendor != "postgresql" or limit is None or not windowed:
        return list(search_tickets(user, query).values_list("pk", flat=True)[:limit])
    now = timezone.now()
    edges: list[dt.datetime | None] = [None, *(now - span for span in WORD_WINDOWS), None]
    first, last = _created_range(query)
    ids: list[int] = []
    for until, since in zip(edges, edges[1:], strict=False):
        wanted = limit - len(ids)
        if wanted == 0:
            break
        if (first and until and until <= first) or (last and since and since >= last):
            continue  # outside the days the query asks for
        window = _search(user, query, (since, until))
        ids += window.values_list("pk", flat=True)[:wanted]
    return ids


# A unit's search names the unit's tickets by id when they are at most this many (they travel
# as one array); a larger scope takes the plain query.
SCOPE_IDS_MAX = 20_000

_SCOPE_CANDIDATES = """
SELECT ticket_id FROM tickets_ticketwords
WHERE bigrams @> (SELECT %s::text[]) AND ticket_id = ANY(%s::bigint[])
UNION
SELECT ticket_id FROM tickets_ticketwords WHERE pending AND ticket_id = ANY(%s::bigint[])
"""


def _scope_ticket_ids(scope: Scope) -> list[int] | None:
    """The ids of the tickets of a unit's scope, sorted (None: more than SCOPE_IDS_MAX).

    One statement: the scope's units as an InitPlan, then their assignments by unit, an
    index-only range each (3 ms for a township's 7,700 assignments at 1,000,000 tickets). As a join,
    PostgreSQL scanned every assignment (140 ms). Read with a plain cursor: Django's
    `values_list` spent 15-20 ms of Python on those rows."""
    if not scope.unit_paths:
        return []
    units = Unit.objects.filter(scope.units_q()).order_by().values("pk")
    units_sql, units_params = units.query.sql_with_params()
    # A ticket may have several assignments in the scope: read up to twice the cap, and never
    # decide on a truncated list.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT ticket_id FROM {Assignment._meta.db_table} "  # noqa: S608 (our SQL)
            f"WHERE unit_id = ANY(ARRAY({units_sql})) LIMIT %s",
            [*units_params, 2 * SCOPE_IDS_MAX + 1],
        )
        rows = cursor.fetchall()
    ids = sorted({row[0] for row in rows})
    if len(rows) > 2 * SCOPE_IDS_MAX or len(ids) > SCOPE_IDS_MAX:
        return None
    return ids


def _scope_word_candidates(scope_ids: list[int], bigrams: list[str]) -> list[int]:
    """The word index's candidates among the tickets of a unit's scope. The GIN bitmap is
    ANDed with the scope's ids in the word table's primary key, so that only the candidates'
    rows are read: a frequent word otherwise reads ~17,000 rows of the word table (one 8 kB
    block each) to keep the 35 in the unit's scope (60-140 ms when those blocks are not
    cached; docs/benchmarks/pages.md). Two SELECTs in a UNION, because with
    `(… OR pending)` PostgreSQL ANDs the ids with the pending branch only."""
    if not scope_ids:
        return []
    array = int_array_literal(scope_ids)
    with connection.cursor() as cursor:
        cursor.execute(_SCOPE_CANDIDATES, [bigrams, array, array])
        return [row[0] for row in cursor.fetchall()]


def _created_range(query: TicketSearch) -> Window:
    """The query's days as a half-open range of instants (local midnights)."""
    return (
        _local_midnight(query.created_from) if query.created_from else None,
        _local_midnight(query.created_to + dt.timedelta(days=1)) if query.created_to else None,
    )


def _search(
    user: User, query: TicketSearch, window: Window, candidates: list[int] | None = None
) -> QuerySet[Ticket]:
    """The search's queryset. `candidates`: ids of tickets of the user's scope only (never
    anything else), to which the search is narrowed instead of the scope's subquery."""
    if candidates is None:
        tickets = tickets_visible_to(user)
    else:
        # Ids taken from the user's own scope (search_ticket_ids), so the scope's subquery
        # would only repeat them, and it misled PostgreSQL: with a second filter (a lead unit)
        # it underestimated the rows and probed the subquery per ticket
        # (docs/benchmarks/intake.md, fourth session).
        # One array literal, which PostgreSQL reads as a list of primary keys (`= ANY`), where
        # Django's `pk__in` would bind thousands of parameters one by one.
        tickets = Ticket.objects.select_related(*LIST_RELATED).filter(
            RawSQL(  # noqa: S611 (our table name; the ids travel as a parameter)
                f'"{Ticket._meta.db_table}"."id" = ANY(%s::bigint[])',
                [int_array_literal(candidates)],
                output_field=BooleanField(),
            )
        )
    if query.number:
        tickets = _with_number_prefix(tickets, query.number.strip())
    if query.phone:
        # Units may not search by the phone of a confidential citizen.
        tickets = tickets.filter(citizen_phone=query.phone)
        if not user.has_role(*HOTLINE_ROLES):
            tickets = tickets.filter(confidential=False)
    if words := search_words(query.words):
        tickets = _with_words(tickets, words, window, candidates)
    if query.category_id:
        tickets = tickets.filter(category_id=query.category_id)
    if query.unit_id:
        tickets = tickets.filter(lead_unit_id=query.unit_id)
    if query.status:
        tickets = tickets.filter(status=query.status)
    if query.division_code:
        # Codes are prefixes of their descendants' codes: a township finds its villages' tickets.
        division = Division.objects.filter(code=query.division_code).first()
        if division is None:
            return tickets.none()
        tickets = tickets.filter(division__code__startswith=division.short_code)
    # Local days as a half-open range of instants (not created_at::date), so that the
    # created_at index serves it; then the window's own range, if any.
    for since, until in (_created_range(query), window):
        if since is not None:
            tickets = tickets.filter(created_at__gte=since)
        if until is not None:
            tickets = tickets.filter(created_at__lt=until)
    return tickets.order_by("-created_at")


@dataclass(frozen=True)
class WorkCount:
    label: str
    count: int
    url_name: str


def work_counts(user: User) -> list[WorkCount]:
    """The to-do numbers on a user's home page, by role: what is waiting for them right now."""
    from django.utils import timezone
    from django.utils.translation import gettext as _

    from minsheng.org.models import Role

    counts: list[WorkCount] = []
    if user.has_role(Role.DISPATCHER, Role.ADMINISTRATOR):
        queue = dispatch_queue(user)
        counts += [
            WorkCount(_("待派单"), queue["new"].count(), "tickets:dispatch_queue"),
            WorkCount(_("退单待审"), queue["returned"].count(), "tickets:dispatch_queue"),
            WorkCount(_("延期申请"), queue["extensions"].count(), "tickets:dispatch_queue"),
        ]
    if user.has_role(Role.OPERATOR, Role.SUPERVISOR, Role.DISPATCHER, Role.ADMINISTRATOR):
        counts.append(WorkCount(_("待回访"), callback_queue(user).count(), "tickets:callbacks"))
    if user.has_role(Role.SUPERVISOR, Role.LEADER, Role.ADMINISTRATOR):
        overdue = tickets_visible_to(user).filter(
            status__in=(Status.DISPATCHED, Status.IN_PROGRESS), reply_due__lt=timezone.now()
        )
        counts.append(WorkCount(_("超期未答复"), overdue.count(), "tickets:search"))
    if user.has_role(Role.HANDLER, Role.UNIT_LEADER):
        inbox = unit_inbox(user)
        counts += [
            WorkCount(_("待签收"), inbox["to_sign"].count(), "tickets:inbox"),
            WorkCount(_("办理中"), inbox["in_progress"].count(), "tickets:inbox"),
        ]
    return counts
