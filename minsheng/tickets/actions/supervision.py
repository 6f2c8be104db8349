"""Supervision and praise: 督办, 催办, 表扬."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.org.models import Unit, User
from minsheng.tickets import notifications, rules
from minsheng.tickets.actions._steps import (
    _event,
    _lock,
    _save,
    _text,
)
from minsheng.tickets.errors import InvalidInput, InvalidTransition
from minsheng.tickets.models import (
    Praise,
    Supervision,
    Ticket,
)


@transaction.atomic
def ticket_supervise(
    *,
    ticket: Ticket,
    actor: User,
    note: str,
    due_at: dt.datetime,
    expected_version: int | None = None,
) -> Supervision:
    """督办: a supervisor's instruction with its own deadline."""
    ticket = _lock(ticket, expected_version)
    rules.check_supervise(actor, ticket, rules.Facts(ticket))
    note = _text(note, "note", _("督办意见"))
    if timezone.is_naive(due_at) or due_at <= timezone.now():
        raise InvalidInput(_("督办期限必须晚于当前时间。"), field="due_at")
    supervision = Supervision.objects.create(ticket=ticket, note=note, due_at=due_at, by=actor)
    _save(ticket)
    _event(ticket, actor, "supervise", unit=ticket.lead_unit, note=note, due_at=due_at.isoformat())
    notifications.on_supervise(ticket, note=note, due_at=due_at, supervision_id=supervision.pk)
    return supervision


@transaction.atomic
def ticket_remind(
    *, ticket: Ticket, actor: User, note: str = "", expected_version: int | None = None
) -> Ticket:
    """催办: press the lead unit for progress (a reminder, lighter than 督办)."""
    ticket = _lock(ticket, expected_version)
    rules.check_remind(actor, ticket, rules.Facts(ticket))
    note = _text(note, "note", _("催办说明"), required=False, limit=200)
    _save(ticket)
    event = _event(ticket, actor, "remind", unit=ticket.lead_unit, note=note)
    notifications.on_remind(ticket, note=note, event_id=event.pk)
    return ticket


@transaction.atomic
def unit_praise(
    *, unit: Unit, actor: User, kind: str, note: str, ticket: Ticket | None = None
) -> Praise:
    """表扬/锦旗 recorded for a unit, optionally from the ticket that earned it."""
    locked = _lock(ticket, None) if ticket is not None else None
    if locked is not None:
        rules.check_praise(actor, locked, rules.Facts(locked))
    else:
        rules.require_roles(actor, rules.HOTLINE_STAFF_ROLES, _("登记表扬"))
    return _praise(unit, actor, kind, note, locked)


@transaction.atomic
def ticket_praise(
    *, ticket: Ticket, actor: User, kind: str, note: str, expected_version: int | None = None
) -> Praise:
    """登记表扬 on the ticket page: the praise goes to the unit that led the ticket."""
    locked = _lock(ticket, expected_version)
    rules.check_praise(actor, locked, rules.Facts(locked))
    unit = locked.lead_unit
    if unit is None:  # check_praise refuses it; said again for the type checker
        raise InvalidTransition(_("该工单还没有主办单位，无法登记表扬。"))
    return _praise(unit, actor, kind, note, locked)


def _praise(unit: Unit, actor: User, kind: str, note: str, ticket: Ticket | None) -> Praise:
    if kind not in Praise.Kind.values:
        raise InvalidInput(_("请选择表扬形式。"), field="kind")
    note = _text(note, "note", _("表扬内容"))
    praise = Praise.objects.create(unit=unit, ticket=ticket, kind=kind, note=note, by=actor)
    if ticket is not None:
        _save(ticket)
        _event(ticket, actor, "praise", unit=unit, note=praise.note, public=True, kind=kind)
    return praise
