"""`{% load deadlines %}`: remaining time before a deadline, in Chinese.

    {{ ticket.reply_due|remaining }}        → <span class="remaining soon" …>剩余 3 小时 20 分</span>
    {{ ticket.reply_due|remaining_text }}   → 剩余 3 小时 20 分 / 已超期 5 小时
    {{ ticket.reply_due|remaining_class }}  → overdue / soon / ok ("" without a deadline)
    {{ "reply"|deadline_label }}            → 答复
    {% with d=ticket|current_deadline %}{{ d.label }} {{ d.due|remaining }}{% endwith %}
    {% ticket_deadlines ticket %}           → the ticket page's table of its five deadlines

Spans are natural time (a day is 24 hours), floored to the minute and shown with their two
largest units: "2 天 3 小时", "3 小时 20 分", "20 分", "不足 1 分". "soon" means due within
SOON (the 临期 board's default window).
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from minsheng.deadlines.schedule import live_deadlines
from minsheng.deadlines.selectors import (
    DEADLINE_LABELS,
    UNIT_STATUSES,
    CurrentDeadline,
    current_deadline,
)
from minsheng.tickets.models import Assignment, Ticket

register = template.Library()

SOON = dt.timedelta(hours=24)


def format_span(span: dt.timedelta) -> str:
    """A non-negative span as its two largest units, floored to the minute."""
    minutes = int(span.total_seconds() // 60)
    if minutes < 1:
        return _("不足 1 分")
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        text = _("%(n)s 天") % {"n": days}
        return text + (" " + _("%(n)s 小时") % {"n": hours} if hours else "")
    if hours:
        text = _("%(n)s 小时") % {"n": hours}
        return text + (" " + _("%(n)s 分") % {"n": mins} if mins else "")
    return _("%(n)s 分") % {"n": mins}


def remaining_state(due: dt.datetime | None, now: dt.datetime | None = None) -> str:
    if due is None:
        return ""
    left = due - (now or timezone.now())
    if left < dt.timedelta(0):
        return "overdue"
    return "soon" if left < SOON else "ok"


def remaining_text(due: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """Before the deadline "剩余 2 天 3 小时", after it "已超期 5 小时", without one "—"."""
    if due is None:
        return "—"
    left = due - (now or timezone.now())
    if left < dt.timedelta(0):
        return _("已超期 %(span)s") % {"span": format_span(-left)}
    return _("剩余 %(span)s") % {"span": format_span(left)}


def overdue_hours(due: dt.datetime, now: dt.datetime) -> float:
    """How long past `due` at `now`, in hours (one decimal), for spreadsheets."""
    return round(max((now - due).total_seconds(), 0) / 3600, 1)


def local_text(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"


@register.filter(name="remaining")
def remaining(due: dt.datetime | None) -> SafeString | str:
    if due is None:
        return "—"
    now = timezone.now()
    return format_html(
        '<span class="remaining {}" title="{}">{}</span>',
        remaining_state(due, now),
        _("时限 %(at)s") % {"at": local_text(due)},
        remaining_text(due, now),
    )


register.filter("remaining_text", remaining_text)
register.filter("remaining_class", remaining_state)


@register.filter
def deadline_label(name: str) -> str:
    """dispatch / sign / contact / reply / callback → 派单 / 签收 / …"""
    return str(DEADLINE_LABELS.get(name, name))


@register.filter(name="current_deadline")
def current_deadline_filter(ticket: Ticket) -> CurrentDeadline | None:
    return current_deadline(ticket)


# The ticket page's five deadlines, in the order a ticket meets them.
TICKET_DEADLINES = (
    ("dispatch", "dispatch_due"),
    ("sign", "sign_due"),
    ("contact", "contact_due"),
    ("reply", "reply_due"),
    ("callback", "callback_due"),
)


def _contacted(ticket: Ticket) -> bool:
    return (
        Assignment.objects.filter(
            ticket=ticket, role=Assignment.Role.LEAD, round=ticket.round, contacted_at__isnull=False
        )
        .exclude(state=Assignment.State.CANCELLED)
        .exists()
    )


@register.inclusion_tag("deadlines/_ticket_deadlines.html")
def ticket_deadlines(ticket: Ticket) -> dict[str, Any]:
    """Each deadline with its due time; the ones the ticket is running against now (as the
    worker sees them: schedule.live_deadlines) with their remaining time."""
    paused = ticket.paused_at is not None
    live: set[str] = set()
    if ticket.is_open:
        # While paused nothing is live; show which deadlines the pause is holding.
        running = copy.copy(ticket)
        running.paused_at = None
        contacted = ticket.status in UNIT_STATUSES and _contacted(ticket)
        live = {d.name for d in live_deadlines(running, contacted=contacted)}
    rows = []
    for name, column in TICKET_DEADLINES:
        state = ("paused" if paused else "live") if name in live else "other"
        rows.append(
            {
                "name": name,
                "label": DEADLINE_LABELS[name],
                "due": getattr(ticket, column),
                "state": state,
            }
        )
    return {"ticket": ticket, "rows": rows, "paused": paused}
