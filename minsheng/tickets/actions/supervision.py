"""Supervision and praise: 督办, 催办, 表扬."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.org.models import HOTLINE_ROLES, Role, Unit, User
from minsheng.tickets import notifications
from minsheng.tickets.actions._steps import (
    SUPERVISE_ROLES,
    _event,
    _lock,
    _require_roles,
    _require_status,
    _save,
    _text,
)
from minsheng.tickets.errors import InvalidInput
from minsheng.tickets.models import (
    OPEN_STATUSES,
    Praise,
    Status,
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
    _require_roles(actor, SUPERVISE_ROLES, _("督办"))
    note = _text(note, "note", _("督办意见"))
    if timezone.is_naive(due_at) or due_at <= timezone.now():
        raise InvalidInput(_("督办期限必须晚于当前时间。"), field="due_at")
    ticket = _lock(ticket, expected_version)
    _require_status(ticket, OPEN_STATUSES, _("督办"))
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
    _require_roles(actor, SUPERVISE_ROLES + (Role.DISPATCHER,), _("催办"))
    note = _text(note, "note", _("催办说明"), required=False, limit=200)
    ticket = _lock(ticket, expected_version)
    _require_status(ticket, [Status.DISPATCHED, Status.IN_PROGRESS], _("催办"))
    _save(ticket)
    event = _event(ticket, actor, "remind", unit=ticket.lead_unit, note=note)
    notifications.on_remind(ticket, note=note, event_id=event.pk)
    return ticket


@transaction.atomic
def unit_praise(
    *, unit: Unit, actor: User, kind: str, note: str, ticket: Ticket | None = None
) -> Praise:
    """表扬/锦旗 recorded for a unit, optionally from the ticket that earned it."""
    _require_roles(actor, HOTLINE_ROLES, _("登记表扬"))
    if kind not in Praise.Kind.values:
        raise InvalidInput(_("请选择表扬形式。"), field="kind")
    praise = Praise.objects.create(
        unit=unit, ticket=ticket, kind=kind, note=_text(note, "note", _("表扬内容")), by=actor
    )
    if ticket is not None:
        locked = _lock(ticket, None)
        _save(locked)
        _event(locked, actor, "praise", unit=unit, note=praise.note, public=True, kind=kind)
    return praise
