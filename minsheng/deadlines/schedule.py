"""Deadlines as data on the ticket, and when the worker must next look at it.

The ticket services set the deadline columns after each state change, and `save_checks` stores
when the worker must next look at the ticket (`DeadlineCheck.next_check_at`, the one indexed
column the worker sweeps, in a narrow table of its own). A sweep with nothing due is therefore an
index probe whatever the number of tickets.

Which deadlines are live depends on the state:

| status       | live deadlines (start → due)                                   |
|--------------|----------------------------------------------------------------|
| new          | dispatch (intake → dispatch_due)                               |
| returned     | dispatch (return → dispatch_due: the dispatcher's review)      |
| dispatched   | sign, contact, reply (dispatch → …)                            |
| in_progress  | contact (until the citizen is contacted), reply                |
| replied      | callback (reply → callback_due)                                |
| others       | none                                                           |

Alarms per live deadline: a warning when 75% of its time is used (WARN_SHARE), overdue at the
deadline, escalation to the supervisors after the grace (MINSHENG_ESCALATION_GRACE_HOURS).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connection

from minsheng.deadlines.clock import current_calendar, due
from minsheng.deadlines.models import DeadlineCheck
from minsheng.deadlines.policy import Policy, category_chain, policy_for
from minsheng.lib.bulk import array_literal, int_array_literal

if TYPE_CHECKING:
    from minsheng.tickets.models import Ticket

WARN_SHARE = 0.75


def escalation_grace() -> dt.timedelta:
    return dt.timedelta(hours=float(settings.MINSHENG_ESCALATION_GRACE_HOURS))


@dataclass(frozen=True)
class Live:
    name: str  # dispatch / sign / contact / reply / callback
    start: dt.datetime
    due: dt.datetime

    @property
    def warn_at(self) -> dt.datetime:
        return self.start + (self.due - self.start) * WARN_SHARE

    def alarm_times(self, grace: dt.timedelta | None = None) -> dict[str, dt.datetime]:
        """When each alarm of this deadline is due; `grace` is escalation_grace(), passed in
        by callers that ask for many deadlines at once (the sweep)."""
        return {
            "warn": self.warn_at,
            "overdue": self.due,
            "escalate": self.due + (escalation_grace() if grace is None else grace),
        }


def ticket_policy(ticket: Ticket) -> Policy:
    category_ids = category_chain(ticket.category) if ticket.category else []
    return policy_for(kind=ticket.kind, urgency=ticket.urgency, category_ids=category_ids)


def live_deadlines(ticket: Ticket, *, contacted: bool) -> list[Live]:
    if ticket.paused_at is not None:
        return []
    s = ticket.status
    out: list[Live] = []
    if s in ("new", "returned") and ticket.dispatch_due:
        out.append(
            Live("dispatch", ticket.dispatch_started_at or ticket.created_at, ticket.dispatch_due)
        )
    if s in ("dispatched", "in_progress") and ticket.dispatched_at:
        if s == "dispatched" and ticket.sign_due:
            out.append(Live("sign", ticket.dispatched_at, ticket.sign_due))
        if ticket.contact_due and not contacted:
            out.append(Live("contact", ticket.dispatched_at, ticket.contact_due))
        if ticket.reply_due:
            out.append(Live("reply", ticket.dispatched_at, ticket.reply_due))
    if s == "replied" and ticket.callback_due and ticket.replied_at:
        out.append(Live("callback", ticket.replied_at, ticket.callback_due))
    return out


def next_check(
    ticket: Ticket,
    *,
    contacted: bool,
    fired: set[tuple[str, str, dt.datetime]],
    grace: dt.timedelta | None = None,
) -> dt.datetime | None:
    """The earliest alarm not yet raised; `fired` holds (deadline, level, due_at) already raised."""
    times = [
        at
        for live in live_deadlines(ticket, contacted=contacted)
        for level, at in live.alarm_times(grace).items()
        if (live.name, level, live.due) not in fired
    ]
    return min(times) if times else None


# Both SQLite (3.24+) and PostgreSQL take this upsert; the WHERE spares the new row version
# (on PostgreSQL the existing row is still locked) when a service leaves the time as it was,
# which most actions do.
_UPSERT = (
    "INSERT INTO deadlines_deadlinecheck (ticket_id, next_check_at) {values} "
    "ON CONFLICT (ticket_id) DO UPDATE SET next_check_at = excluded.next_check_at "
    "WHERE deadlines_deadlinecheck.next_check_at <> excluded.next_check_at"
)


def save_checks(checks: Sequence[tuple[int, dt.datetime | None]]) -> None:
    """Store when the worker must next look at each ticket: (ticket id, time), None when no
    alarm is pending (the row goes). The caller holds the tickets' rows locked.

    On PostgreSQL two statements at most, whatever the number of tickets: the sweep re-plans
    hundreds at once. SQLite runs the upsert once per row (its sweep is small and local).
    """
    gone = [pk for pk, at in checks if at is None]
    planned = [(pk, at) for pk, at in checks if at is not None]
    if gone:
        # Nothing refers to a check and no signal listens: Django deletes with one statement.
        DeadlineCheck.objects.filter(ticket_id__in=gone).delete()
    if not planned:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and len(planned) > 1:
            # One array per column, as lib.bulk.insert_rows does: the statement's shape and
            # its binding cost stay fixed however many rows a sweep batch re-plans.
            cursor.execute(
                _UPSERT.format(
                    values="SELECT * FROM unnest(%s::bigint[], %s::timestamptz[])",
                ),
                [
                    int_array_literal(pk for pk, _ in planned),
                    array_literal(at.isoformat() for _, at in planned),
                ],
            )
            return
        field = DeadlineCheck._meta.get_field("next_check_at")
        rows = [(pk, field.get_db_prep_value(at, connection)) for pk, at in planned]
        if len(rows) == 1:  # a service's one ticket
            cursor.execute(_UPSERT.format(values="VALUES (%s, %s)"), rows[0])
        else:
            cursor.executemany(_UPSERT.format(values="VALUES (%s, %s)"), rows)


def set_dispatch_deadline(ticket: Ticket, start: dt.datetime) -> None:
    result = due(start, ticket_policy(ticket).dispatch)
    ticket.dispatch_started_at = start
    ticket.dispatch_due = result.at
    ticket.deadlines_provisional = result.provisional


def set_handling_deadlines(ticket: Ticket, start: dt.datetime) -> None:
    """From a dispatch (or redispatch, or reopen): sign, contact and reply deadlines."""
    policy = ticket_policy(ticket)
    calendar = current_calendar()
    sign = due(start, policy.sign, calendar)
    contact = due(start, policy.contact, calendar) if policy.contact else None
    reply = due(start, policy.reply, calendar)
    if ticket.extension_days:
        reply = calendar.add_working_days(reply.at, ticket.extension_days)
    ticket.dispatched_at = start
    ticket.sign_due, ticket.reply_due = sign.at, reply.at
    ticket.contact_due = contact.at if contact else None
    ticket.deadlines_provisional = (
        sign.provisional or reply.provisional or bool(contact and contact.provisional)
    )


def extend_reply_deadline(ticket: Ticket, days: int) -> None:
    if ticket.reply_due is None:
        return
    result = current_calendar().add_working_days(ticket.reply_due, days)
    ticket.reply_due = result.at
    ticket.deadlines_provisional = ticket.deadlines_provisional or result.provisional


def set_callback_deadline(ticket: Ticket, start: dt.datetime) -> None:
    result = due(start, ticket_policy(ticket).callback)
    ticket.callback_due = result.at
    ticket.deadlines_provisional = ticket.deadlines_provisional or result.provisional


def shift_for_pause(ticket: Ticket, paused: dt.timedelta) -> None:
    """After a pause (waiting for the citizen) the live deadlines move by the time paused."""
    for field in ("sign_due", "contact_due", "reply_due"):
        value = getattr(ticket, field)
        if value is not None:
            setattr(ticket, field, value + paused)
