"""How a round ends: 回访, 重办, 热线办结, 并单."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.deadlines import schedule
from minsheng.org.models import User
from minsheng.tickets import notifications, rules
from minsheng.tickets.actions._steps import (
    _cancel,
    _close,
    _event,
    _follow_master,
    _lock,
    _save,
    _text,
)
from minsheng.tickets.errors import InvalidInput, InvalidTransition, StaleTicket
from minsheng.tickets.models import (
    OPEN_STATUSES,
    Assignment,
    Callback,
    CloseReason,
    Satisfaction,
    Status,
    Ticket,
)


@transaction.atomic
def ticket_callback(
    *,
    ticket: Ticket,
    actor: User,
    reached: bool,
    resolved: bool | None = None,
    satisfaction: str = "",
    comment: str = "",
    expected_version: int | None = None,
) -> Ticket:
    """回访: a reached citizen who is satisfied or basically satisfied closes the ticket; an
    unsatisfied one leaves it for reopening (重办) or closing by the hotline."""
    ticket = _lock(ticket, expected_version)
    rules.check_callback(actor, ticket, rules.Facts(ticket))
    if reached:
        if resolved is None:
            raise InvalidInput(_("请选择问题是否解决。"), field="resolved")
        if satisfaction not in Satisfaction.values:
            raise InvalidInput(_("请选择满意度。"), field="satisfaction")
    else:
        resolved, satisfaction = None, ""
    comment = _text(comment, "comment", _("回访意见"), required=False)
    if reached:
        # This callback becomes the round's verdict in place of an earlier reached one.
        Callback.objects.filter(ticket=ticket, round=ticket.round, verdict=True).update(
            verdict=False
        )
    callback = Callback.objects.create(
        ticket=ticket,
        round=ticket.round,
        reached=reached,
        resolved=resolved,
        satisfaction=satisfaction,
        comment=comment,
        by=actor,
        verdict=reached,
    )
    old = ticket.status
    if reached:
        ticket.satisfaction = satisfaction
        if satisfaction != Satisfaction.UNSATISFIED:
            _close(ticket, CloseReason.CALLBACK, timezone.now())
    _save(ticket, "satisfaction", "status", "close_reason", "closed_at")
    _event(
        ticket,
        actor,
        "callback",
        old_status=old if old != ticket.status else "",
        note=comment,
        reached=reached,
        resolved=resolved,
        satisfaction=satisfaction,
    )
    if ticket.status == Status.CLOSED:
        _follow_master(ticket, actor)
    if reached and (satisfaction == Satisfaction.UNSATISFIED or resolved is False):
        notifications.on_unsatisfied(
            ticket, callback_id=callback.pk, resolved=resolved, comment=comment
        )
    return ticket


@transaction.atomic
def ticket_reopen(
    *, ticket: Ticket, actor: User, note: str, expected_version: int | None = None
) -> Ticket:
    """重办: another round for the same units after an unsatisfied callback."""
    ticket = _lock(ticket, expected_version)
    facts = rules.Facts(ticket)
    rules.check_reopen(actor, ticket, facts)
    note = _text(note, "note", _("重办要求"))
    previous = [a for a in facts.assignments if a.role != Assignment.Role.SUBTASK]
    old = ticket.status
    ticket.round += 1
    ticket.status = Status.DISPATCHED
    ticket.reply_result, ticket.reply_text, ticket.replied_at = "", "", None
    ticket.satisfaction = ""
    ticket.extension_days = 0
    schedule.set_handling_deadlines(ticket, timezone.now())
    Assignment.objects.bulk_create(
        [
            Assignment(
                ticket=ticket, unit=a.unit, role=a.role, round=ticket.round, instructions=note
            )
            for a in previous
        ]
    )
    _save(
        ticket,
        "round",
        "status",
        "reply_result",
        "reply_text",
        "replied_at",
        "satisfaction",
        "extension_days",
    )
    _event(
        ticket,
        actor,
        "reopen",
        old_status=old,
        unit=ticket.lead_unit,
        note=note,
        public=True,
        round=ticket.round,
    )
    notifications.on_reopen(ticket, note=note)
    return ticket


@transaction.atomic
def ticket_close(
    *, ticket: Ticket, actor: User, note: str, expected_version: int | None = None
) -> Ticket:
    """The hotline closes a replied ticket without a satisfied callback (citizen unreachable after
    attempts, rounds exhausted), saying why."""
    ticket = _lock(ticket, expected_version)
    rules.check_close(actor, ticket, rules.Facts(ticket))
    note = _text(note, "note", _("办结说明"))
    old = ticket.status
    _close(ticket, CloseReason.HOTLINE, timezone.now())
    _save(ticket, "status", "close_reason", "closed_at")
    _event(ticket, actor, "close", old_status=old, note=note, public=True)
    _follow_master(ticket, actor)
    return ticket


@transaction.atomic
def ticket_merge(
    *,
    ticket: Ticket,
    actor: User,
    master: Ticket | str,
    note: str = "",
    expected_version: int | None = None,
) -> Ticket:
    """并单: a duplicate follows its master; it is no longer handled on its own."""
    # Asked first on what the caller holds, so that no one without the right learns from the
    # answer whether a ticket number exists; asked again below on the locked row.
    rules.check_merge(actor, ticket, rules.Facts(ticket))
    note = _text(note, "note", _("并单说明"), required=False)
    master_number = master if isinstance(master, str) else master.number
    master_pk = Ticket.objects.filter(number=master_number).values_list("pk", flat=True).first()
    if master_pk is None:
        raise InvalidInput(
            _("主工单 %(number)s 不存在。") % {"number": master_number}, field="master"
        )
    if master_pk == ticket.pk:
        raise InvalidInput(_("不能与自身并单。"), field="master")
    # Lock both rows in primary-key order so two merges the other way round cannot deadlock.
    locked = {
        t.pk: t
        for t in Ticket.objects.select_for_update()
        .filter(pk__in=sorted([ticket.pk, master_pk]))
        .order_by("pk")
    }
    duplicate, main = locked[ticket.pk], locked[master_pk]
    if expected_version is not None and duplicate.version != expected_version:
        raise StaleTicket(
            _("工单 %(number)s 已被他人处理，请刷新页面后再操作。") % {"number": duplicate.number}
        )
    facts = rules.Facts(duplicate)
    rules.check_merge(actor, duplicate, facts)
    if main.status not in OPEN_STATUSES:
        raise InvalidTransition(_("主工单 %(number)s 已结束，不能并入。") % {"number": main.number})
    old = duplicate.status
    _cancel(facts.assignments)
    duplicate.status = Status.MERGED
    duplicate.master = main
    _save(duplicate, "status", "master")
    _event(duplicate, actor, "merge", old_status=old, note=note, public=True, master=main.number)
    _save(main)
    _event(main, actor, "merge_in", note=note, merged=duplicate.number)
    return duplicate
