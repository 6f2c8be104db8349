"""The clock's action: the alarms the worker raises on a claimed batch."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from django.db import connection

from minsheng.deadlines import schedule
from minsheng.deadlines.models import DeadlineAlarm
from minsheng.lib.bulk import array_literal, insert_rows, int_array_literal
from minsheng.tickets import notifications
from minsheng.tickets.models import (
    Assignment,
    Ticket,
    TicketEvent,
)

ALARM_ACTIONS = {"warn": "deadline_warn", "overdue": "deadline_overdue", "escalate": "escalate"}


class Alarm(NamedTuple):
    """An alarm a sweep raised (its row is a DeadlineAlarm)."""

    ticket: Ticket
    deadline: str
    level: str
    due_at: dt.datetime


def tickets_raise_alarms(*, tickets: list[Ticket], now: dt.datetime) -> list[Alarm]:
    """The worker's action on a claimed batch: raise every alarm whose time has come (临期 at
    75%, 超期 and 催办 at the deadline, 督办 after the grace) and plan each ticket's next check.

    The caller holds the rows (claimed with SKIP LOCKED, or by a conditional UPDATE) inside its
    transaction. Set-based: a handful of statements per batch, not per ticket, and the alarms,
    events and messages go in as plain tuples (lib.bulk.insert_rows), so that a sweep over
    10,000 due tickets stays within seconds (docs/benchmarks/sweep.md). Alarm rows are
    unique, so a repeat raises nothing.
    """
    if not tickets:
        return []
    by_id = {t.pk: t for t in tickets}
    ids = list(by_id)
    # The current round's lead assignment, compared in Python with the claimed ticket's round
    # (a join back to tickets_ticket for F("ticket__round") cost a quarter of the reads).
    contacted = {
        ticket_id
        for ticket_id, rnd in Assignment.objects.filter(
            ticket_id__in=ids, role=Assignment.Role.LEAD, contacted_at__isnull=False
        )
        .exclude(state=Assignment.State.CANCELLED)
        .values_list("ticket_id", "round")
        if rnd == by_id[ticket_id].round
    }
    fired: dict[int, set[tuple[str, str, dt.datetime]]] = {pk: set() for pk in by_id}
    for ticket_id, deadline, level, due_at, rnd in DeadlineAlarm.objects.filter(
        ticket_id__in=ids
    ).values_list("ticket_id", "deadline", "level", "due_at", "round"):
        if rnd == by_id[ticket_id].round:
            fired[ticket_id].add((deadline, level, due_at))
    grace = schedule.escalation_grace()
    alarms: list[Alarm] = []
    checks: list[tuple[int, dt.datetime | None]] = []
    first_overdue: list[Ticket] = []
    for ticket in tickets:
        done = fired[ticket.pk]
        is_contacted = ticket.pk in contacted
        for live in schedule.live_deadlines(ticket, contacted=is_contacted):
            for level, at in live.alarm_times(grace).items():
                if at > now or (live.name, level, live.due) in done:
                    continue
                done.add((live.name, level, live.due))
                alarms.append(Alarm(ticket, live.name, level, live.due))
                if level == "overdue" and ticket.overdue_at is None:
                    ticket.overdue_at = now
                    first_overdue.append(ticket)
        checks.append(
            (
                ticket.pk,
                schedule.next_check(ticket, contacted=is_contacted, fired=done, grace=grace),
            )
        )
    insert_rows(
        DeadlineAlarm,
        ("ticket_id", "round", "deadline", "level", "due_at"),
        [(a.ticket.pk, a.ticket.round, a.deadline, a.level, a.due_at) for a in alarms],
        ignore_conflicts=True,
    )
    notifications.on_alarms(alarms)
    insert_rows(
        TicketEvent,
        ("ticket_id", "action", "unit_id", "data"),
        [
            (
                a.ticket.pk,
                ALARM_ACTIONS[a.level],
                a.ticket.lead_unit_id,
                {"deadline": a.deadline, "due_at": a.due_at.isoformat()},
            )
            for a in alarms
        ],
    )
    _save_first_overdue(first_overdue)
    schedule.save_checks(checks)
    return alarms


def _save_first_overdue(tickets: list[Ticket]) -> None:
    """Write `overdue_at` on the tickets whose first overdue alarm this sweep raised.

    Nothing else of the ticket changes: an alarm is the clock's doing, not an action on the
    ticket, so neither `version` (a form opened before the alarm stays valid) nor `updated_at`
    (the time of the last action, which the API's `updated_after` and the statistics' watermark
    follow; units' systems hear of their sign, contact and reply deadlines passing by the
    `ticket.overdue` webhook, docs/api.md) moves. With no
    indexed column written, PostgreSQL can update the row in place (HOT) instead of adding an
    entry to each of the ticket's two dozen indexes (docs/benchmarks/sweep.md).

    On PostgreSQL one UPDATE … FROM unnest(arrays): Django's bulk_update writes a
    `CASE WHEN id = … THEN …` per row, which PostgreSQL plans and evaluates per row.
    """
    if not tickets:
        return
    if connection.vendor != "postgresql":
        Ticket.objects.bulk_update(tickets, ["overdue_at"])
        return
    with connection.cursor() as cursor:
        # The table and column are Django's defaults for Ticket (a test pins them).
        cursor.execute(
            "UPDATE tickets_ticket AS t SET overdue_at = v.ova "
            "FROM unnest(%s::bigint[], %s::timestamptz[]) AS v(id, ova) WHERE t.id = v.id",
            [
                int_array_literal(t.pk for t in tickets),
                array_literal(t.overdue_at for t in tickets),
            ],
        )
