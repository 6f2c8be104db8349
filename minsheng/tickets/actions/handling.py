"""What a unit does while it handles a ticket: 联系, 进展, 延期, 答复, and pausing the clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minsheng.deadlines import schedule
from minsheng.org.models import User
from minsheng.tickets import notifications, rules
from minsheng.tickets.actions._steps import (
    MAX_EXTENSION_DAYS,
    _event,
    _follow_master,
    _lock,
    _save,
    _text,
)
from minsheng.tickets.actions.attachments import prepare_photos, store_photos
from minsheng.tickets.errors import InvalidInput, InvalidTransition
from minsheng.tickets.models import (
    Assignment,
    ExtensionRequest,
    ReplyResult,
    Status,
    Ticket,
)

# Display labels (lazy: built at import, before any language is active).
CONTACT_METHODS = {
    "phone": gettext_lazy("电话"),
    "sms": gettext_lazy("短信"),
    "visit": gettext_lazy("上门"),
    "other": gettext_lazy("其他"),
}


def _photo_count(prepared: Sequence[object]) -> dict[str, Any]:
    """The event's note of its photos (none: nothing, as before photos existed)."""
    return {"photos": len(prepared)} if prepared else {}


@transaction.atomic
def ticket_contact(
    *,
    ticket: Ticket,
    actor: User,
    method: str,
    note: str = "",
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Ticket:
    """联系诉求人: the first response, which the response rate counts."""
    ticket = _lock(ticket, expected_version)
    assignment = rules.check_contact(actor, ticket, rules.Facts(ticket))
    if method not in CONTACT_METHODS:
        raise InvalidInput(_("请选择联系方式。"), field="method")
    now = timezone.now()
    at = at or now
    if timezone.is_naive(at) or at > now + dt.timedelta(minutes=5):
        raise InvalidInput(_("联系时间不能晚于当前时间。"), field="at")
    note = _text(note, "note", _("联系情况"), required=False)
    if assignment.contacted_at is None:
        assignment.contacted_at = at
        assignment.save(update_fields=["contacted_at"])
    _save(ticket)
    _event(
        ticket,
        actor,
        "contact",
        unit=assignment.unit,
        note=note,
        method=method,
        at=at.isoformat(),
    )
    return ticket


@transaction.atomic
def ticket_progress(
    *,
    ticket: Ticket,
    actor: User,
    note: str,
    public: bool = False,
    photos: Sequence[Any] = (),
    keep_location: bool = False,
    position: tuple[Decimal, Decimal] | None = None,
    taken: Sequence[dt.datetime | None] = (),
    expected_version: int | None = None,
) -> Ticket:
    """办理进展, with photos of the site (before the work: `stage` before) taken on the phone;
    each photo is checked and cleaned before anything is written (prepare_photos)."""
    ticket = _lock(ticket, expected_version)
    assignment = rules.check_progress(actor, ticket, rules.Facts(ticket))
    note = _text(note, "note", _("进展情况"))
    prepared = prepare_photos(photos, keep_location=keep_location)
    _save(ticket)
    event = _event(
        ticket,
        actor,
        "progress",
        unit=assignment.unit,
        note=note,
        public=public,
        **_photo_count(prepared),
    )
    if prepared:
        store_photos(
            ticket,
            actor,
            event,
            prepared,
            stage="before",
            place=position if keep_location else None,
            taken=taken,
        )
    return ticket


@transaction.atomic
def ticket_extension_request(
    *, ticket: Ticket, actor: User, days: int, reason: str, expected_version: int | None = None
) -> ExtensionRequest:
    ticket = _lock(ticket, expected_version)
    assignment = rules.check_extension_request(actor, ticket, rules.Facts(ticket))
    reason = _text(reason, "reason", _("延期理由"))
    if not 1 <= days <= MAX_EXTENSION_DAYS:
        raise InvalidInput(
            _("延期天数应在 1 到 %(max)s 天之间。") % {"max": MAX_EXTENSION_DAYS}, field="days"
        )
    request = ExtensionRequest.objects.create(
        ticket=ticket, assignment=assignment, days=days, reason=reason, requested_by=actor
    )
    _save(ticket)
    _event(ticket, actor, "extension_request", unit=assignment.unit, note=reason, days=days)
    return request


@transaction.atomic
def ticket_extension_decide(
    *,
    ticket: Ticket,
    actor: User,
    approve: bool,
    note: str = "",
    expected_version: int | None = None,
) -> ExtensionRequest:
    """Approve (the reply deadline moves) or refuse a unit's extension request."""
    ticket = _lock(ticket, expected_version)
    request = rules.check_extension_decide(actor, ticket, rules.Facts(ticket))
    note = _text(note, "note", _("审核意见"), required=not approve)
    request.state = ExtensionRequest.State.APPROVED if approve else ExtensionRequest.State.REFUSED
    request.decided_by, request.decided_at, request.decision_note = actor, timezone.now(), note
    request.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    if approve:
        ticket.extension_days += request.days
        schedule.extend_reply_deadline(ticket, request.days)
    _save(ticket, "extension_days")
    _event(
        ticket,
        actor,
        "extension_approve" if approve else "extension_refuse",
        note=note,
        days=request.days,
    )
    return request


@transaction.atomic
def ticket_reply(
    *,
    ticket: Ticket,
    actor: User,
    result: str,
    content: str,
    assignment_id: int | None = None,
    photos: Sequence[Any] = (),
    keep_location: bool = False,
    position: tuple[Decimal, Decimal] | None = None,
    taken: Sequence[dt.datetime | None] = (),
    expected_version: int | None = None,
) -> Ticket:
    """答复: the lead unit's reply moves the ticket to callback; an assisting unit's or a
    sub-task's reply completes that assignment only. Photos sent with it show the site after
    the work (`stage` after)."""
    ticket = _lock(ticket, expected_version)
    assignment = rules.check_reply(actor, ticket, rules.Facts(ticket), assignment_id)
    if result not in ReplyResult.values:
        raise InvalidInput(_("请选择办理结果。"), field="result")
    content = _text(content, "content", _("答复内容"))
    prepared = prepare_photos(photos, keep_location=keep_location)
    is_lead = assignment.role == Assignment.Role.LEAD
    now = timezone.now()
    assignment.state, assignment.reply_result, assignment.reply_text, assignment.replied_at = (
        Assignment.State.REPLIED,
        result,
        content,
        now,
    )
    assignment.save(update_fields=["state", "reply_result", "reply_text", "replied_at"])
    old = ticket.status
    if is_lead:
        ticket.status = Status.REPLIED
        ticket.reply_result, ticket.reply_text, ticket.replied_at = result, content, now
        schedule.set_callback_deadline(ticket, now)
    _save(ticket, "status", "reply_result", "reply_text", "replied_at")
    event = _event(
        ticket,
        actor,
        "reply",
        old_status=old if old != ticket.status else "",
        unit=assignment.unit,
        note=content,
        public=is_lead,
        result=result,
        role=assignment.role,
        **_photo_count(prepared),
    )
    if prepared:
        store_photos(
            ticket,
            actor,
            event,
            prepared,
            stage="after",
            place=position if keep_location else None,
            taken=taken,
        )
    if is_lead:
        notifications.on_reply(ticket, _follow_master(ticket, actor))
    return ticket


@transaction.atomic
def ticket_pause(
    *, ticket: Ticket, actor: User, reason: str, expected_version: int | None = None
) -> Ticket:
    """Stop the clock while the unit waits for the citizen (where the policy allows it)."""
    ticket = _lock(ticket, expected_version)
    assignment = rules.check_pause(actor, ticket, rules.Facts(ticket))
    reason = _text(reason, "reason", _("暂停理由"))
    if not schedule.ticket_policy(ticket).pause_allowed:
        raise InvalidTransition(_("该类工单的时限规定不允许暂停计时。"))
    ticket.paused_at = timezone.now()
    _save(ticket)
    _event(ticket, actor, "pause", unit=assignment.unit, note=reason)
    return ticket


@transaction.atomic
def ticket_resume(
    *, ticket: Ticket, actor: User, note: str = "", expected_version: int | None = None
) -> Ticket:
    ticket = _lock(ticket, expected_version)
    assignment = rules.check_resume(actor, ticket, rules.Facts(ticket))
    note = _text(note, "note", _("说明"), required=False)
    paused_at = ticket.paused_at
    if paused_at is None:  # check_resume refuses it; said again for the type checker
        raise InvalidTransition(_("工单没有暂停计时。"))
    paused = timezone.now() - paused_at
    schedule.shift_for_pause(ticket, paused)
    ticket.paused_at = None
    _save(ticket)
    _event(
        ticket,
        actor,
        "resume",
        unit=assignment.unit,
        note=note,
        paused_seconds=int(paused.total_seconds()),
    )
    return ticket
