"""The tickets behind a figure: the definitions of derive.py, written as ticket queries.

Every list starts from `tickets_visible_to(user)` (a unit's people see only their unit's
tickets) and adds the same filters as the figure: period, scope unit, place, category, channel,
kind, and the measure's own condition and date. A ticket that counts twice in one figure (two
rounds' callbacks in the same month) is listed once.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import (
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.lookups import Exact, IsNull

from minsheng.org.models import User
from minsheng.stats.derive import UNIT_CLOSE_REASONS
from minsheng.stats.query import Filters, category_ids
from minsheng.tickets.models import (
    Assignment,
    Callback,
    CloseReason,
    Kind,
    ReplyResult,
    Satisfaction,
    Status,
    Ticket,
    TicketEvent,
)
from minsheng.tickets.selectors import tickets_visible_to

# Merged tickets (still MERGED, or closed with their master) and emergency transfers are never
# a unit's tickets: derive.is_merged() and the TRANSFERRED branch of derive().
MERGED = Q(status=Status.MERGED) | Q(master__isnull=False)
HANDLED = ~MERGED & ~Q(status=Status.TRANSFERRED)
CLOSED_BY_UNITS = Q(status=Status.CLOSED, close_reason__in=list(UNIT_CLOSE_REASONS))

# measure → (date column the list is ordered by, how it is ordered)
ORDER: dict[str, str] = {
    "resp_due": "contact_due",
    "resp_ok": "contact_due",
    "resp_late": "contact_due",
    "reply_due": "reply_due",
    "reply_ok": "reply_due",
    "reply_late": "reply_due",
    "closed": "closed_at",
    "resolved": "closed_at",
    "handle_n": "closed_at",
    "part": "closed_at",
}


def bounds(f: Filters) -> tuple[dt.datetime, dt.datetime]:
    zone = ZoneInfo(settings.TIME_ZONE)
    start = dt.datetime.combine(f.start, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(f.end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return start, end


def _in(column: str, f: Filters) -> Q:
    start, end = bounds(f)
    return Q(**{f"{column}__gte": start, f"{column}__lt": end})


def _lead_in_scope(f: Filters) -> Q:
    return Q(lead_unit__path__startswith=f.unit.path) if f.unit else Q()


def _last_reached(f: Filters, unit_path: str | None) -> QuerySet[Callback]:
    """The rounds' verdicts (each round's last reached callback, flagged by the callback
    service) dated in the period, found by the partial index on the verdicts' `at`; with a
    unit, only the rounds that unit's subtree led."""
    verdicts = Callback.objects.filter(_in("at", f), verdict=True)
    if unit_path:
        led = Assignment.objects.filter(
            ticket=OuterRef("ticket"),
            round=OuterRef("round"),
            role=Assignment.Role.LEAD,
            unit__path__startswith=unit_path,
        ).exclude(state=Assignment.State.CANCELLED)
        verdicts = verdicts.filter(Exists(led))
    return verdicts


def _resolved() -> Q:
    """The final round's verdict says resolved, or with no verdict the unit's reply did.

    The verdict is a scalar subquery (the round's flagged verdict callback), evaluated for each
    candidate row through the callbacks' ticket index: written with EXISTS … OR NOT EXISTS,
    PostgreSQL hashes the whole callback table first, whatever the page size."""
    verdict = Subquery(
        Callback.objects.filter(
            ticket=OuterRef("pk"), round=OuterRef("round"), verdict=True
        ).values("resolved")[:1]
    )
    return CLOSED_BY_UNITS & (
        Q(Exact(verdict, True)) | (Q(IsNull(verdict, True)) & Q(reply_result=ReplyResult.RESOLVED))
    )


def _created_by_end(f: Filters) -> Q:
    """Always true of a ticket with a callback or event in the period, and it lets a list
    ordered newest first start its index scan at the period's end rather than at today."""
    return Q(created_at__lt=bounds(f)[1])


def _event(action: str, f: Filters) -> Q:
    # The period's events (by their `at` index) first, then their tickets: a correlated EXISTS
    # would walk every ticket of every period back from the newest.
    events = TicketEvent.objects.filter(_in("at", f), action=action)
    if f.unit:
        events = events.filter(unit__path__startswith=f.unit.path)
    return Q(pk__in=events.values("ticket_id")) & _created_by_end(f)


def _responded() -> Q:
    ok = Assignment.objects.filter(
        ticket=OuterRef("pk"),
        round=OuterRef("round"),
        role=Assignment.Role.LEAD,
        signed_at__isnull=False,
        contacted_at__isnull=False,
        contacted_at__lte=OuterRef("contact_due"),
    ).exclude(state=Assignment.State.CANCELLED)
    return Q(Exists(ok))


def measure_q(measure: str, f: Filters) -> Q:
    """The condition that puts a ticket behind `measure` for these filters."""
    lead = _lead_in_scope(f)
    none_for_units = Q(pk__in=[]) if f.unit else Q()
    if measure == "received":
        return _in("created_at", f) & ((HANDLED & lead) if f.unit else Q())
    if measure == "merged":
        return _in("created_at", f) & MERGED & none_for_units
    if measure == "transferred":
        return _in("created_at", f) & ~MERGED & Q(status=Status.TRANSFERRED) & none_for_units
    if measure in ("consult", "direct"):
        q = _in("created_at", f) & HANDLED & Q(kind=Kind.CONSULTATION) & lead
        return q & Q(close_reason=CloseReason.DIRECT_ANSWER) if measure == "direct" else q
    if measure in ("resp_due", "resp_ok", "resp_late"):
        q = (
            _in("contact_due", f)
            & HANDLED
            & ~Q(citizen_phone="")
            & Q(lead_unit__isnull=False)
            & lead
        )
        return q & (
            _responded()
            if measure == "resp_ok"
            else ~_responded()
            if measure == "resp_late"
            else Q()
        )
    if measure in ("reply_due", "reply_ok", "reply_late"):
        q = _in("reply_due", f) & HANDLED & Q(lead_unit__isnull=False) & lead
        on_time = Q(replied_at__isnull=False, replied_at__lte=F("reply_due"))
        # Not on time, written as the partial index stats_ticket_reply_late states it (the
        # deadline is never NULL here), so that the few late ones are read from that index.
        late = Q(replied_at__isnull=True) | Q(replied_at__gt=F("reply_due"))
        return q & (on_time if measure == "reply_ok" else late if measure == "reply_late" else Q())
    if measure.startswith("cb_"):
        verdicts = _last_reached(f, f.unit.path if f.unit else None)
        verdicts = {
            "cb_reached": verdicts,
            "cb_resolved": verdicts.filter(resolved=True),
            "cb_unresolved": verdicts.exclude(resolved=True),
            "cb_satisfied": verdicts.filter(satisfaction=Satisfaction.SATISFIED),
            "cb_basic": verdicts.filter(satisfaction=Satisfaction.BASICALLY_SATISFIED),
            "cb_unsatisfied": verdicts.filter(satisfaction=Satisfaction.UNSATISFIED),
        }[measure]
        return HANDLED & Q(pk__in=verdicts.values("ticket_id")) & _created_by_end(f)
    if measure == "closed":
        return _in("closed_at", f) & CLOSED_BY_UNITS & lead
    if measure == "resolved":
        return _in("closed_at", f) & _resolved() & lead
    if measure == "handle_n":
        return (
            _in("closed_at", f)
            & CLOSED_BY_UNITS
            & lead
            & Q(replied_at__isnull=False, replied_at__gte=F("created_at"))
        )
    if measure == "returns":
        return _event("return", f)
    if measure == "reopens":
        return _event("reopen", f)
    if measure == "part":
        q = _in("closed_at", f) & _resolved()
        if f.unit:
            took_part = Assignment.objects.filter(
                ticket=OuterRef("pk"), unit__path__startswith=f.unit.path
            ).exclude(state=Assignment.State.CANCELLED)
            q &= Q(Exists(took_part))
        return q
    raise ValueError(measure)


# A unit's figure up to this many tickets is listed unit-first (see tickets_behind).
FEW = 5000


def tickets_behind(
    user: User, measure: str, f: Filters, *, expected: int | None = None
) -> QuerySet[Ticket]:
    """The tickets behind a figure, newest first by the figure's date. `expected` is the figure
    itself (from the rollups), when the caller knows it."""
    tickets = tickets_visible_to(user).filter(measure_q(measure, f))
    if f.division:
        tickets = tickets.filter(division_id__startswith=f.division.short_code)
    if f.category:
        tickets = tickets.filter(category_id__in=category_ids(f.category))
    if f.channel:
        tickets = tickets.filter(channel=f.channel)
    if f.kind:
        tickets = tickets.filter(kind=f.kind)
    column = ORDER.get(measure, "created_at")
    if f.unit and expected is not None and expected <= FEW and connection.vendor == "postgresql":
        # PostgreSQL walks the date index newest first, expecting the unit's tickets to turn up
        # soon; for a small unit they do not (孙口镇 in a province of 10,000,000 tickets: seconds,
        # docs/benchmarks/statistics.md). Ordering by an expression no index supplies makes
        # it fetch the unit's few rows through (lead_unit_id, date) and sort them (ms).
        unindexed = ExpressionWrapper(
            F(column) + Value(dt.timedelta(0)), output_field=DateTimeField()
        )
        return tickets.order_by(unindexed.desc(), "-id")
    return tickets.order_by(f"-{column}", "-id")
