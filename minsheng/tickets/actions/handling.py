"""What a unit does while it handles a ticket: 联系, 进展, 延期, 答复, and pausing the clock."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minsheng.deadlines import schedule
from minsheng.org.models import User
from minsheng.tickets import notifications
from minsheng.tickets.actions._steps import (
    DISPATCH_ROLES,
    MAX_EXTENSION_DAYS,
    _active_assignments,
    _assignment_for,
    _event,
    _follow_master,
    _lock,
    _require_roles,
    _require_status,
    _save,
    _text,
    reply_blocker,
)
from minsheng.tickets.errors import InvalidInput, InvalidTransition, NotAllowed
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
    if method not in CONTACT_METHODS:
        raise InvalidInput(_("请选择联系方式。"), field="method")
    now = timezone.now()
    at = at or now
    if timezone.is_naive(at) or at > now + dt.timedelta(minutes=5):
        raise InvalidInput(_("联系时间不能晚于当前时间。"), field="at")
    ticket = _lock(ticket, expected_version)
    _require_status(ticket, [Status.IN_PROGRESS], _("登记联系"))
    part = _assignment_for(ticket, actor, [Assignment.State.SIGNED], _("登记联系"))
    if part.contacted_at is None:
        part.contacted_at = at
        part.save(update_fields=["contacted_at"])
    _save(ticket)
    _event(
        ticket,
        actor,
        "contact",
        unit=part.unit,
        note=_text(note, "note", _("联系情况"), required=False),
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
    expected_version: int | None = None,
) -> Ticket:
    note = _text(note, "note", _("进展情况"))
    ticket = _lock(ticket, expected_version)
    _require_status(ticket, [Status.IN_PROGRESS], _("填写进展"))
    part = _assignment_for(ticket, actor, [Assignment.State.SIGNED], _("填写进展"))
    _save(ticket)
    _event(ticket, actor, "progress", unit=part.unit, note=note, public=public)
    return ticket


@transaction.atomic
def ticket_extension_request(
    *, ticket: Ticket, actor: User, days: int, reason: str, expected_version: int | None = None
) -> ExtensionRequest:
    reason = _text(reason, "reason", _("延期理由"))
    if not 1 <= days <= MAX_EXTENSION_DAYS:
        raise InvalidInput(
            _("延期天数应在 1 到 %(max)s 天之间。") % {"max": MAX_EXTENSION_DAYS}, field="days"
        )
    ticket = _lock(ticket, expected_version)
    _require_status(ticket, [Status.IN_PROGRESS], _("申请延期"))
    part = _assignment_for(ticket, actor, [Assignment.State.SIGNED], _("申请延期"))
    if part.role != Assignment.Role.LEAD:
        raise NotAllowed(_("只有主办单位可以申请延期。"))
    if ticket.extension_requests.filter(state=ExtensionRequest.State.PENDING).exists():
        raise InvalidTransition(_("已有待审核的延期申请。"))
    request = ExtensionRequest.objects.create(
        ticket=ticket, assignment=part, days=days, reason=reason, requested_by=actor
    )
    _save(ticket)
    _event(ticket, actor, "extension_request", unit=part.unit, note=reason, days=days)
    return request


def _pending_extension(ticket: Ticket) -> ExtensionRequest:
    request = ticket.extension_requests.filter(state=ExtensionRequest.State.PENDING).first()
    if request is None:
        raise InvalidTransition(_("该工单没有待审核的延期申请。"))
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
    _require_roles(actor, DISPATCH_ROLES, _("审核延期"))
    note = _text(note, "note", _("审核意见"), required=not approve)
    ticket = _lock(ticket, expected_version)
    request = _pending_extension(ticket)
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
    expected_version: int | None = None,
) -> Ticket:
    """答复: the lead unit's reply moves the ticket to callback; an assisting unit's or a
    sub-task's reply completes that part only."""
    if result not in ReplyResult.values:
        raise InvalidInput(_("请选择办理结果。"), field="result")
    content = _text(content, "content", _("答复内容"))
    ticket = _lock(ticket, expected_version)
    _require_status(ticket, [Status.IN_PROGRESS], _("答复"))
    part = _assignment_for(ticket, actor, [Assignment.State.SIGNED], _("答复"), assignment_id)
    blocker = reply_blocker(ticket, part, _active_assignments(ticket))
    if blocker:
        raise InvalidTransition(blocker)
    is_lead = part.role == Assignment.Role.LEAD
    now = timezone.now()
    part.state, part.reply_result, part.reply_text, part.replied_at = (
        Assignment.State.REPLIED,
        result,
        content,
        now,
    )
    part.save(update_fields=["state", "reply_result", "reply_text", "replied_at"])
    old = ticket.status
    if is_lead:
        ticket.status = Status.REPLIED
        ticket.reply_result, ticket.reply_text, ticket.replied_at = result, content, now
        schedule.set_callback_deadline(ticket, now)
    _save(ticket, "status", "reply_result", "reply_text", "replied_at")
    _event(
        ticket,
        actor,
        "reply",
        old_status=old if old != ticket.status else "",
        unit=part.unit,
        note=content,
        public=is_lead,
        result=result,
        role=part.role,
    )
    if is_lead:
        notifications.on_reply(ticket, _follow_master(ticket, actor))
    return ticket


@transaction.atomic
def ticket_pause(
    *, ticket: Ticket, actor: User, reason: str, expected_version: int | None = None
) -> Ticket:
    """Stop the clock while the unit waits for the citizen (where the policy allows it)."""
    reason = _text(reason, "reason", _("暂停理由"))
    ticket = _lock(ticket, expected_version)
    _require_status(ticket, [Status.IN_PROGRESS], _("暂停计时"))
    part = _assignment_for(ticket, actor, [Assignment.State.SIGNED], _("暂停计时"))
    if part.role != Assignment.Role.LEAD:
        raise NotAllowed(_("只有主办单位可以暂停计时。"))
    if ticket.paused_at is not None:
        raise InvalidTransition(_("工单已在暂停计时中。"))
    if not schedule.ticket_policy(ticket).pause_allowed:
        raise InvalidTransition(_("该类工单的时限规定不允许暂停计时。"))
    ticket.paused_at = timezone.now()
    _save(ticket)
    _event(ticket, actor, "pause", unit=part.unit, note=reason)
    return ticket


@transaction.atomic
def ticket_resume(
    *, ticket: Ticket, actor: User, note: str = "", expected_version: int | None = None
) -> Ticket:
    ticket = _lock(ticket, expected_version)
    if ticket.paused_at is None:
        raise InvalidTransition(_("工单没有暂停计时。"))
    part = _assignment_for(ticket, actor, [Assignment.State.SIGNED], _("恢复计时"))
    paused = timezone.now() - ticket.paused_at
    schedule.shift_for_pause(ticket, paused)
    ticket.paused_at = None
    _save(ticket)
    _event(
        ticket,
        actor,
        "resume",
        unit=part.unit,
        note=_text(note, "note", _("说明"), required=False),
        paused_seconds=int(paused.total_seconds()),
    )
    return ticket
