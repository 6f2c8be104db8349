"""The morning digest: each unit's due-today and overdue work, as an in-app message to its
handlers and leaders."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Q
from django.utils import timezone

from minsheng.org.models import Role, User
from minsheng.tickets.models import Status, Ticket

OPEN_HANDLING = (Status.DISPATCHED, Status.IN_PROGRESS)


def unit_work_summary(now: dt.datetime) -> dict[int, dict[str, list[str]]]:
    """unit id → {"due_today": [numbers], "overdue": [numbers]} for units' open tickets."""
    end_of_day = timezone.localtime(now).replace(hour=23, minute=59, second=59)
    rows = (
        Ticket.objects.filter(
            status__in=OPEN_HANDLING, lead_unit__isnull=False, paused_at__isnull=True
        )
        .filter(Q(reply_due__lte=end_of_day))
        .values_list("lead_unit_id", "number", "reply_due")
    )
    summary: dict[int, dict[str, list[str]]] = defaultdict(lambda: {"due_today": [], "overdue": []})
    for unit_id, number, reply_due in rows:
        assert reply_due is not None  # filtered above
        summary[unit_id]["overdue" if reply_due < now else "due_today"].append(number)
    return dict(summary)


def send_daily_digest(*, now: dt.datetime) -> int:
    """Queue one message per unit member with work due; returns how many units got one."""
    from minsheng.notify.services import notify_users

    summary = unit_work_summary(now)
    members: dict[int, list[User]] = defaultdict(list)
    for user in User.objects.filter(
        unit_id__in=summary, is_active=True, roles__role__in=[Role.HANDLER, Role.UNIT_LEADER]
    ).distinct():
        assert user.unit_id is not None
        members[user.unit_id].append(user)
    day = timezone.localdate(now).isoformat()
    for unit_id, work in summary.items():
        notify_users(
            key_prefix=f"digest:{day}:unit:{unit_id}",
            users=members.get(unit_id, []),
            template="daily_digest",
            context={
                "date": day,
                "due_today": len(work["due_today"]),
                "overdue": len(work["overdue"]),
                "numbers": "、".join((work["overdue"] + work["due_today"])[:20]),
            },
        )
    return len(summary)
