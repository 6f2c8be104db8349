"""Dispatch and what follows it between the hotline and the units: 派单, 签收, 退单 (and its
review), 改派, 增加协办, 下派."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.deadlines import schedule
from minsheng.org.models import Unit, User
from minsheng.tickets import notifications
from minsheng.tickets.actions._steps import (
    DISPATCH_ROLES,
    _active_assignments,
    _assignment_for,
    _cancel,
    _create_assignments,
    _event,
    _lead,
    _lock,
    _require_roles,
    _require_status,
    _save,
    _text,
    _units,
)
from minsheng.tickets.errors import InvalidInput, InvalidTransition
from minsheng.tickets.models import (
    Assignment,
    Status,
    Ticket,
)


@transaction.atomic
def ticket_dispatch(
    *,
    ticket: Ticket,
    actor: User,
    lead_unit: Unit | str,
    assisting_units: Sequence[Unit | str] = (),
    instructions: str = "",
    expected_version: int | None = None,
) -> Ticket:
    _require_roles(actor, DISPATCH_ROLES, _("派单"))
    lead = _units([lead_unit])[0]
    assisting = _units(assisting_units)
    ticket = _lock(ticket, expected_version)
    _require_status(ticket, [Status.NEW], _("派单"))
    old = ticket.status
    instructions = _text(instructions, "instructions", _("办理要求"), required=False)
    _create_assignments(ticket, lead, assisting, instructions)
    ticket.status = Status.DISPATCHED
    schedule.set_handling_deadlines(ticket, timezone.now())
    _save(ticket, "status", "lead_unit")
    event = _event(
        ticket,
        actor,
        "dispatch",
        old_status=old,
        unit=lead,
        note=instructions,
        public=True,
        lead=lead.code,
        assisting=[u.code for u in assisting],
    )
    notifications.on_dispatch(ticket, [lead, *assisting], event_id=event.pk)
    return ticket


@transaction.atomic
def ticket_sign(
    *,
    ticket: Ticket,
    actor: User,
    assignment_id: int | None = None,
    expected_version: int | None = None,
) -> Ticket:
    ticket = _lock(ticket, expected_version)
    _require_status(ticket, [Status.DISPATCHED, Status.IN_PROGRESS], _("签收"))
    part = _assignment_for(ticket, actor, [Assignment.State.PENDING], _("签收"), assignment_id)
    part.state = Assignment.State.SIGNED
    part.signed_at = timezone.now()
    part.signed_by = actor
    part.save(update_fields=["state", "signed_at", "signed_by"])
    old = ticket.status
    if part.role == Assignment.Role.LEAD:
        ticket.status = Status.IN_PROGRESS
    _save(ticket, "status")
    _event(
        ticket,
        actor,
        "sign",
        old_status=old if old != ticket.status else "",
        unit=part.unit,
        public=part.role == Assignment.Role.LEAD,
        role=part.role,
    )
    return ticket


@transaction.atomic
def ticket_return(
    *,
    ticket: Ticket,
    actor: User,
    reason: str,
    assignment_id: int | None = None,
    expected_version: int | None = None,
) -> Ticket:
    """退单: a unit says the ticket is not theirs; the dispatcher reviews it."""
    reason = _text(reason, "reason", _("退单理由"))
    ticket = _lock(ticket, expected_version)
    _require_status(ticket, [Status.DISPATCHED, Status.IN_PROGRESS], _("退单"))
    part = _assignment_for(
        ticket, actor, [Assignment.State.PENDING, Assignment.State.SIGNED], _("退单"), assignment_id
    )
    if part.role == Assignment.Role.SUBTASK:
        raise InvalidTransition(_("下派任务请与上级单位沟通，不能向热线退单。"))
    part.state_before_return = part.state
    part.state = Assignment.State.RETURN_REQUESTED
    part.return_reason = reason
    part.save(update_fields=["state", "state_before_return", "return_reason"])
    old = ticket.status
    if part.role == Assignment.Role.LEAD:
        ticket.status = Status.RETURNED
        schedule.set_dispatch_deadline(ticket, timezone.now())  # the dispatcher's review
    _save(ticket, "status")
    _event(
        ticket,
        actor,
        "return",
        old_status=old if old != ticket.status else "",
        unit=part.unit,
        note=reason,
        role=part.role,
    )
    return ticket


def _returned_part(ticket: Ticket, assignment_id: int | None) -> Assignment:
    parts = [a for a in _active_assignments(ticket) if a.state == Assignment.State.RETURN_REQUESTED]
    if assignment_id is not None:
        parts = [a for a in parts if a.pk == assignment_id]
    if not parts:
        raise InvalidTransition(_("该工单没有待审核的退单。"))
    parts.sort(key=lambda a: a.role != Assignment.Role.LEAD)
    return parts[0]


@transaction.atomic
def ticket_return_accept(
    *,
    ticket: Ticket,
    actor: User,
    lead_unit: Unit | str | None = None,
    note: str = "",
    assignment_id: int | None = None,
    expected_version: int | None = None,
) -> Ticket:
    """Accept a return and redispatch: a returned lead part goes to `lead_unit`; a returned
    assisting part is simply withdrawn."""
    _require_roles(actor, DISPATCH_ROLES, _("审核退单"))
    ticket = _lock(ticket, expected_version)
    part = _returned_part(ticket, assignment_id)
    old = ticket.status
    _cancel([part])
    data: dict[str, Any] = {"returned_by": part.unit.code}
    if part.role == Assignment.Role.LEAD:
        if lead_unit is None:
            raise InvalidInput(_("同意退单时请选择新的主办单位。"), field="lead_unit")
        lead = _units([lead_unit])[0]
        if lead == part.unit:
            raise InvalidInput(_("新的主办单位不能是退单的单位。"), field="lead_unit")
        assisting = [
            a.unit for a in _active_assignments(ticket) if a.role == Assignment.Role.ASSIST
        ]
        if lead in assisting:
            _cancel([a for a in _active_assignments(ticket) if a.unit == lead])
            assisting.remove(lead)
        Assignment.objects.create(
            ticket=ticket,
            unit=lead,
            role=Assignment.Role.LEAD,
            round=ticket.round,
            instructions=part.instructions,
        )
        ticket.lead_unit = lead
        ticket.status = Status.DISPATCHED
        schedule.set_handling_deadlines(ticket, timezone.now())
        data["lead"] = lead.code
    _save(ticket, "status", "lead_unit")
    event = _event(
        ticket,
        actor,
        "return_accept",
        old_status=old if old != ticket.status else "",
        unit=ticket.lead_unit,
        note=_text(note, "note", _("审核意见"), required=False),
        **data,
    )
    if "lead" in data and ticket.lead_unit is not None:
        notifications.on_dispatch(ticket, [ticket.lead_unit], event_id=event.pk)
    return ticket


@transaction.atomic
def ticket_return_refuse(
    *,
    ticket: Ticket,
    actor: User,
    note: str,
    assignment_id: int | None = None,
    expected_version: int | None = None,
) -> Ticket:
    _require_roles(actor, DISPATCH_ROLES, _("审核退单"))
    note = _text(note, "note", _("驳回理由"))
    ticket = _lock(ticket, expected_version)
    part = _returned_part(ticket, assignment_id)
    part.state = part.state_before_return or Assignment.State.PENDING
    part.save(update_fields=["state"])
    old = ticket.status
    if part.role == Assignment.Role.LEAD:
        ticket.status = (
            Status.IN_PROGRESS if part.state == Assignment.State.SIGNED else Status.DISPATCHED
        )
    _save(ticket, "status")
    _event(
        ticket,
        actor,
        "return_refuse",
        old_status=old if old != ticket.status else "",
        unit=part.unit,
        note=note,
    )
    return ticket


@transaction.atomic
def ticket_reassign(
    *,
    ticket: Ticket,
    actor: User,
    lead_unit: Unit | str,
    note: str = "",
    expected_version: int | None = None,
) -> Ticket:
    """改派: the dispatcher moves the lead part to another unit."""
    _require_roles(actor, DISPATCH_ROLES, _("改派"))
    lead = _units([lead_unit])[0]
    ticket = _lock(ticket, expected_version)
    _require_status(ticket, [Status.DISPATCHED, Status.IN_PROGRESS], _("改派"))
    current = _lead(ticket)
    if current is not None and current.unit == lead:
        raise InvalidInput(_("工单已由该单位主办。"), field="lead_unit")
    old_unit = current.unit.code if current else None
    _cancel(
        [a for a in _active_assignments(ticket) if a.role == Assignment.Role.LEAD or a.unit == lead]
    )
    Assignment.objects.create(
        ticket=ticket,
        unit=lead,
        role=Assignment.Role.LEAD,
        round=ticket.round,
        instructions=current.instructions if current else "",
    )
    old = ticket.status
    ticket.lead_unit = lead
    ticket.status = Status.DISPATCHED
    schedule.set_handling_deadlines(ticket, timezone.now())
    _save(ticket, "status", "lead_unit")
    event = _event(
        ticket,
        actor,
        "reassign",
        old_status=old if old != ticket.status else "",
        unit=lead,
        note=_text(note, "note", _("改派说明"), required=False),
        public=True,
        old_lead=old_unit,
        lead=lead.code,
    )
    notifications.on_dispatch(ticket, [lead], event_id=event.pk)
    return ticket


@transaction.atomic
def ticket_add_assisting(
    *,
    ticket: Ticket,
    actor: User,
    unit: Unit | str,
    note: str = "",
    expected_version: int | None = None,
) -> Ticket:
    _require_roles(actor, DISPATCH_ROLES, _("增加协办单位"))
    helper = _units([unit])[0]
    ticket = _lock(ticket, expected_version)
    _require_status(ticket, [Status.DISPATCHED, Status.IN_PROGRESS], _("增加协办单位"))
    if any(
        a.unit == helper and a.role != Assignment.Role.SUBTASK for a in _active_assignments(ticket)
    ):
        raise InvalidInput(_("%(unit)s 已在承办该工单。") % {"unit": helper.name}, field="unit")
    lead = _lead(ticket)
    Assignment.objects.create(
        ticket=ticket,
        unit=helper,
        role=Assignment.Role.ASSIST,
        round=ticket.round,
        instructions=lead.instructions if lead else "",
    )
    _save(ticket)
    event = _event(
        ticket,
        actor,
        "add_assisting",
        unit=helper,
        note=_text(note, "note", _("说明"), required=False),
        assisting=helper.code,
    )
    notifications.on_dispatch(ticket, [helper], event_id=event.pk)
    return ticket


@transaction.atomic
def ticket_decompose(
    *,
    ticket: Ticket,
    actor: User,
    units: Sequence[Unit | str],
    instructions: str,
    assignment_id: int | None = None,
    expected_version: int | None = None,
) -> Ticket:
    """分解/下派: a unit gives sub-tasks to its own stations, teams or villages; its reply waits
    for them."""
    instructions = _text(instructions, "instructions", _("下派要求"))
    targets = _units(units)
    if not targets:
        raise InvalidInput(_("请选择下派的单位。"), field="units")
    ticket = _lock(ticket, expected_version)
    _require_status(ticket, [Status.IN_PROGRESS, Status.DISPATCHED], _("分解下派"))
    part = _assignment_for(ticket, actor, [Assignment.State.SIGNED], _("分解下派"), assignment_id)
    existing = {a.unit_id for a in _active_assignments(ticket) if a.parent_id == part.pk}
    for target in targets:
        if target == part.unit or not target.path.startswith(part.unit.path):
            raise InvalidInput(
                _("只能下派给本单位的下级单位，%(unit)s 不是。") % {"unit": target.name},
                field="units",
            )
        if target.pk in existing:
            raise InvalidInput(_("已下派给 %(unit)s。") % {"unit": target.name}, field="units")
    Assignment.objects.bulk_create(
        [
            Assignment(
                ticket=ticket,
                unit=t,
                role=Assignment.Role.SUBTASK,
                parent=part,
                round=ticket.round,
                instructions=instructions,
            )
            for t in targets
        ]
    )
    _save(ticket)
    event = _event(
        ticket,
        actor,
        "decompose",
        unit=part.unit,
        note=instructions,
        units=[t.code for t in targets],
    )
    notifications.on_dispatch(ticket, targets, event_id=event.pk)
    return ticket
