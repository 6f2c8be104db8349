"""The steps every ticket action shares besides its rules (minsheng/tickets/rules.py): input
text, the row lock, the timeline event, the one save that bumps the version and re-plans the clock, and the assignment
helpers. Private to the package: callers use the actions in `minsheng.tickets.actions`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.utils.translation import gettext as _

from minsheng.deadlines import schedule
from minsheng.deadlines.models import DeadlineAlarm
from minsheng.lib.bulk import insert_one
from minsheng.org.models import Unit, User
from minsheng.tickets.errors import InvalidInput, StaleTicket
from minsheng.tickets.models import (
    Assignment,
    CloseReason,
    Status,
    Ticket,
    TicketEvent,
)

MAX_TEXT = 4000
MAX_EXTENSION_DAYS = 30


def _text(
    value: str, field: str, label: str, *, required: bool = True, limit: int = MAX_TEXT
) -> str:
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput(_("请填写%(label)s。") % {"label": label}, field=field)
    if len(value) > limit:
        raise InvalidInput(
            _("%(label)s不能超过 %(limit)s 个字。") % {"label": label, "limit": limit}, field=field
        )
    return value


def _lock(ticket: Ticket, expected_version: int | None) -> Ticket:
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleTicket(
            _("工单 %(number)s 已被他人处理，请刷新页面后再操作。") % {"number": locked.number}
        )
    return locked


def _event(
    ticket: Ticket,
    actor: User | None,
    action: str,
    *,
    old_status: str = "",
    note: str = "",
    unit: Unit | None = None,
    public: bool = False,
    **data: Any,
) -> TicketEvent:
    event = TicketEvent(
        ticket=ticket,
        actor=actor,
        action=action,
        old_status=old_status,
        new_status=ticket.status if old_status else "",
        note=note,
        unit=unit,
        public=public,
        data=data,
    )
    insert_one(event)
    return event


DEADLINE_FIELDS = (
    "dispatch_started_at",
    "dispatch_due",
    "dispatched_at",
    "sign_due",
    "contact_due",
    "reply_due",
    "callback_due",
    "deadlines_provisional",
    "paused_at",
)


def _next_check(ticket: Ticket) -> dt.datetime | None:
    """The earliest alarm the worker has not raised yet: when it must next look at the ticket."""
    lead = (
        _lead(_active_assignments(ticket))
        if ticket.status in (Status.DISPATCHED, Status.IN_PROGRESS)
        else None
    )
    fired = set(
        DeadlineAlarm.objects.filter(ticket=ticket, round=ticket.round).values_list(
            "deadline", "level", "due_at"
        )
    )
    return schedule.next_check(ticket, contacted=bool(lead and lead.contacted_at), fired=fired)


def _save(ticket: Ticket, *fields: str) -> None:
    """Every service ends here: version bumped, one UPDATE of the ticket, and the worker's next
    check re-planned (one upsert, which adds no row version when the time stays;
    deadlines.schedule.save_checks)."""
    ticket.version += 1
    ticket.save(update_fields=[*fields, *DEADLINE_FIELDS, "version", "updated_at"])
    schedule.save_checks([(ticket.pk, _next_check(ticket))])


def _active_assignments(ticket: Ticket) -> list[Assignment]:
    return list(
        ticket.assignments.filter(round=ticket.round)
        .exclude(state=Assignment.State.CANCELLED)
        .select_related("unit")
    )


def _lead(assignments: Iterable[Assignment]) -> Assignment | None:
    return next((a for a in assignments if a.role == Assignment.Role.LEAD), None)


def _units(codes_or_units: Iterable[Unit | str]) -> list[Unit]:
    units: list[Unit] = []
    for item in codes_or_units:
        unit = (
            item
            if isinstance(item, Unit)
            else Unit.objects.filter(code=item, is_active=True).first()
        )
        if unit is None or not unit.is_active:
            raise InvalidInput(
                _("承办单位 %(code)s 不存在或已停用。") % {"code": item}, field="unit"
            )
        if unit not in units:
            units.append(unit)
    return units


def _create_assignments(
    ticket: Ticket, lead: Unit, assisting: Sequence[Unit], instructions: str
) -> None:
    if lead in assisting:
        raise InvalidInput(_("主办单位不能同时作为协办单位。"), field="assisting_units")
    if lead.kind == Unit.Kind.HOTLINE or any(u.kind == Unit.Kind.HOTLINE for u in assisting):
        raise InvalidInput(_("不能派给热线中心本身。"), field="lead_unit")
    Assignment.objects.bulk_create(
        [
            Assignment(
                ticket=ticket,
                unit=lead,
                role=Assignment.Role.LEAD,
                round=ticket.round,
                instructions=instructions,
            ),
            *[
                Assignment(
                    ticket=ticket,
                    unit=u,
                    role=Assignment.Role.ASSIST,
                    round=ticket.round,
                    instructions=instructions,
                )
                for u in assisting
            ],
        ]
    )
    ticket.lead_unit = lead


def _cancel(assignments: Iterable[Assignment]) -> None:
    ids = [a.pk for a in assignments]
    # Sub-tasks go with the assignment they were cut from.
    Assignment.objects.filter(pk__in=ids).update(state=Assignment.State.CANCELLED)
    Assignment.objects.filter(parent_id__in=ids).update(state=Assignment.State.CANCELLED)


def _follow_master(master: Ticket, actor: User | None) -> list[Ticket]:
    """Merged tickets follow their master's result (并单): each citizen gets the reply."""
    children = list(Ticket.objects.select_for_update().filter(master=master, status=Status.MERGED))
    for child in children:
        old = child.status
        child.reply_result = master.reply_result
        child.reply_text = master.reply_text
        child.replied_at = master.replied_at
        if master.status == Status.CLOSED:
            child.status = Status.CLOSED
            child.close_reason = CloseReason.MASTER
            child.closed_at = master.closed_at
            child.satisfaction = master.satisfaction
        _save(
            child,
            "reply_result",
            "reply_text",
            "replied_at",
            "status",
            "close_reason",
            "closed_at",
            "satisfaction",
        )
        _event(
            child,
            actor,
            "follow_master",
            old_status=old if child.status != old else "",
            note=_("随主工单 %(number)s 办理结果") % {"number": master.number},
            public=True,
            master=master.number,
        )
    return children


def _close(ticket: Ticket, reason: str, now: dt.datetime) -> None:
    ticket.status = Status.CLOSED
    ticket.close_reason = reason
    ticket.closed_at = now
