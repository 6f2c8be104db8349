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
from minsheng.tickets import notifications, rules
from minsheng.tickets.actions._steps import (
    _cancel,
    _create_assignments,
    _event,
    _lead,
    _lock,
    _save,
    _text,
    _units,
)
from minsheng.tickets.errors import InvalidInput
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
    ticket = _lock(ticket, expected_version)
    rules.check_dispatch(actor, ticket, rules.Facts(ticket))
    lead = _units([lead_unit])[0]
    assisting = _units(assisting_units)
    instructions = _text(instructions, "instructions", _("办理要求"), required=False)
    old = ticket.status
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
    assignment = rules.check_sign(actor, ticket, rules.Facts(ticket), assignment_id)
    assignment.state = Assignment.State.SIGNED
    assignment.signed_at = timezone.now()
    assignment.signed_by = actor
    assignment.save(update_fields=["state", "signed_at", "signed_by"])
    old = ticket.status
    if assignment.role == Assignment.Role.LEAD:
        ticket.status = Status.IN_PROGRESS
    _save(ticket, "status")
    _event(
        ticket,
        actor,
        "sign",
        old_status=old if old != ticket.status else "",
        unit=assignment.unit,
        public=assignment.role == Assignment.Role.LEAD,
        role=assignment.role,
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
    ticket = _lock(ticket, expected_version)
    assignment = rules.check_return(actor, ticket, rules.Facts(ticket), assignment_id)
    reason = _text(reason, "reason", _("退单理由"))
    assignment.state_before_return = assignment.state
    assignment.state = Assignment.State.RETURN_REQUESTED
    assignment.return_reason = reason
    assignment.save(update_fields=["state", "state_before_return", "return_reason"])
    old = ticket.status
    if assignment.role == Assignment.Role.LEAD:
        ticket.status = Status.RETURNED
        schedule.set_dispatch_deadline(ticket, timezone.now())  # the dispatcher's review
    _save(ticket, "status")
    _event(
        ticket,
        actor,
        "return",
        old_status=old if old != ticket.status else "",
        unit=assignment.unit,
        note=reason,
        role=assignment.role,
    )
    return ticket


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
    """Accept a return and redispatch: a returned lead assignment goes to `lead_unit`; a returned
    assisting assignment is simply withdrawn."""
    ticket = _lock(ticket, expected_version)
    facts = rules.Facts(ticket)
    assignment = rules.check_return_review(actor, ticket, facts, assignment_id)
    note = _text(note, "note", _("审核意见"), required=False)
    lead: Unit | None = None
    if assignment.role == Assignment.Role.LEAD:
        if lead_unit is None:
            raise InvalidInput(_("同意退单时请选择新的主办单位。"), field="lead_unit")
        lead = _units([lead_unit])[0]
        if lead == assignment.unit:
            raise InvalidInput(_("新的主办单位不能是退单的单位。"), field="lead_unit")
    old = ticket.status
    _cancel([assignment])
    data: dict[str, Any] = {"returned_by": assignment.unit.code}
    if lead is not None:
        others = [a for a in facts.assignments if a.pk != assignment.pk]
        if any(a.role == Assignment.Role.ASSIST and a.unit == lead for a in others):
            # The new lead was assisting: its assisting assignment goes, it leads instead.
            _cancel([a for a in others if a.unit == lead])
        Assignment.objects.create(
            ticket=ticket,
            unit=lead,
            role=Assignment.Role.LEAD,
            round=ticket.round,
            instructions=assignment.instructions,
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
        note=note,
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
    ticket = _lock(ticket, expected_version)
    assignment = rules.check_return_review(actor, ticket, rules.Facts(ticket), assignment_id)
    note = _text(note, "note", _("驳回理由"))
    assignment.state = assignment.state_before_return or Assignment.State.PENDING
    assignment.save(update_fields=["state"])
    old = ticket.status
    if assignment.role == Assignment.Role.LEAD:
        ticket.status = (
            Status.IN_PROGRESS if assignment.state == Assignment.State.SIGNED else Status.DISPATCHED
        )
    _save(ticket, "status")
    _event(
        ticket,
        actor,
        "return_refuse",
        old_status=old if old != ticket.status else "",
        unit=assignment.unit,
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
    """改派: the dispatcher moves the lead assignment to another unit."""
    ticket = _lock(ticket, expected_version)
    facts = rules.Facts(ticket)
    rules.check_reassign(actor, ticket, facts)
    lead = _units([lead_unit])[0]
    note = _text(note, "note", _("改派说明"), required=False)
    current = _lead(facts.assignments)
    if current is not None and current.unit == lead:
        raise InvalidInput(_("工单已由该单位主办。"), field="lead_unit")
    old_unit = current.unit.code if current else None
    _cancel([a for a in facts.assignments if a.role == Assignment.Role.LEAD or a.unit == lead])
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
        note=note,
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
    ticket = _lock(ticket, expected_version)
    facts = rules.Facts(ticket)
    rules.check_add_assisting(actor, ticket, facts)
    helper = _units([unit])[0]
    note = _text(note, "note", _("说明"), required=False)
    if any(a.unit == helper and a.role != Assignment.Role.SUBTASK for a in facts.assignments):
        raise InvalidInput(_("%(unit)s 已在承办该工单。") % {"unit": helper.name}, field="unit")
    lead = _lead(facts.assignments)
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
        note=note,
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
    ticket = _lock(ticket, expected_version)
    facts = rules.Facts(ticket)
    assignment = rules.check_decompose(actor, ticket, facts, assignment_id)
    instructions = _text(instructions, "instructions", _("下派要求"))
    targets = _units(units)
    if not targets:
        raise InvalidInput(_("请选择下派的单位。"), field="units")
    existing = {a.unit_id for a in facts.assignments if a.parent_id == assignment.pk}
    for target in targets:
        if target == assignment.unit or not target.path.startswith(assignment.unit.path):
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
                parent=assignment,
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
        unit=assignment.unit,
        note=instructions,
        units=[t.code for t in targets],
    )
    notifications.on_dispatch(ticket, targets, event_id=event.pk)
    return ticket
