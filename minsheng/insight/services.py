"""Writes of the insight app. One function per action, permission-checked, audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from minsheng.insight.models import InsightAudit, MonthlyTheme
from minsheng.org.models import Role, User
from minsheng.tickets.errors import InvalidInput, NotAllowed
from minsheng.tickets.models import Ticket

THEME_ROLES: tuple[str, ...] = (Role.LEADER, Role.SUPERVISOR, Role.ADMINISTRATOR)
MAX_THEME_TICKETS = 5000
_NUMBERS_IN_AUDIT = 50


@transaction.atomic
def monthly_theme_create(
    *,
    actor: User,
    month: dt.date,
    title: str,
    ticket_ids: Iterable[int],
    description: str = "",
    top_words: str = "",
) -> MonthlyTheme:
    """每月一题: make a group of tickets (a hot issue) the month's theme.

    One theme per month; the month is stored as its first day. Refused (NotAllowed) unless the
    actor is a leader, supervisor or administrator; every creation writes an `InsightAudit` row.
    """
    if not actor.has_role(*THEME_ROLES):
        raise NotAllowed(_("只有领导、督办员或管理员可以设定每月一题。"))
    title = (title or "").strip()
    if not title:
        raise InvalidInput(_("请填写每月一题的题目。"), field="title")
    if len(title) > 200:
        raise InvalidInput(_("题目不能超过 200 字。"), field="title")
    first_day = month.replace(day=1)
    existing = MonthlyTheme.objects.select_for_update().filter(month=first_day).first()
    if existing is not None:
        raise InvalidInput(
            _("%(month)s 已设定每月一题“%(title)s”。")
            % {"month": f"{first_day:%Y-%m}", "title": existing.title},
            field="month",
        )
    wanted = sorted({int(pk) for pk in ticket_ids})
    if len(wanted) > MAX_THEME_TICKETS:
        raise InvalidInput(_("关联工单过多。"), field="tickets")
    tickets = list(Ticket.objects.filter(pk__in=wanted).order_by("pk").values_list("pk", "number"))
    if not tickets:
        raise InvalidInput(_("请至少关联一件工单。"), field="tickets")
    theme = MonthlyTheme.objects.create(
        month=first_day,
        title=title,
        description=(description or "").strip(),
        top_words=(top_words or "").strip()[:200],
        created_by=actor,
    )
    theme.tickets.add(*[pk for pk, _number in tickets])
    InsightAudit.objects.create(
        actor=actor,
        action="monthly_theme_create",
        theme=theme,
        note=_("设定 %(month)s 每月一题：%(title)s（关联工单 %(n)d 件）")
        % {"month": f"{first_day:%Y-%m}", "title": title, "n": len(tickets)},
        data={
            "month": first_day.isoformat(),
            "title": title,
            "tickets": len(tickets),
            "numbers": [number for _pk, number in tickets[:_NUMBERS_IN_AUDIT]],
        },
    )
    return theme
