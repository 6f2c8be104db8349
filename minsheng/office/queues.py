"""Work queues: the dispatcher's (派单), a unit's inbox (本单位工单) and callbacks (回访)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from minsheng.insight import triage
from minsheng.office.common import suggested_unit
from minsheng.org.access import current_user
from minsheng.org.models import UNIT_ROLES, Unit, User
from minsheng.tickets import rules, selectors
from minsheng.tickets.catalogue import township_code_for
from minsheng.tickets.models import Assignment, Ticket

QUEUE_LIMIT = 200  # a queue longer than this is a staffing problem, not a paging one


@login_required
def dispatch_queue(request: HttpRequest) -> HttpResponse:
    user = current_user(request, *rules.DISPATCH_ROLES)
    queues = selectors.dispatch_queue(user)
    sections = [
        ("new", _("待派单"), queues["new"]),
        ("returned", _("退单待审"), queues["returned"]),
        ("extensions", _("延期申请"), queues["extensions"]),
    ]
    lists = [list(qs[:QUEUE_LIMIT]) for _key, _title, qs in sections]
    _attach_suggested_units(lists[0])  # the new tickets: where the lead unit will be chosen
    context = {
        "sections": [
            {"key": key, "title": title, "tickets": tickets, "count": qs.count()}
            for (key, title, qs), tickets in zip(sections, lists, strict=True)
        ]
    }
    return render(request, "tickets/dispatch_queue.html", context)


def _attach_suggested_units(tickets: list[Ticket]) -> None:
    """`suggested_unit` on each new ticket: the catalogue's unit for its category, else the
    classifier's (智能派单); the page shows it where the lead unit will be."""
    unknown = [t for t in tickets if t.category_id is None]
    guesses = triage.suggest_many([(t.description, t.title, t.division) for t in unknown])
    by_ticket = {t.pk: g.unit for t, g in zip(unknown, guesses, strict=True)}
    # One catalogue lookup per distinct (category, township), not per ticket.
    catalogue: dict[tuple[int, str | None], Unit | None] = {}
    for ticket in tickets:
        unit = by_ticket.get(ticket.pk)
        if ticket.category_id is not None:
            key = (ticket.category_id, township_code_for(ticket.division))
            if key not in catalogue:
                catalogue[key] = suggested_unit(ticket.category, ticket.division)
            unit = catalogue[key]
        ticket.suggested_unit = unit  # type: ignore[attr-defined]


INBOX_ROWS = 30  # rows per section at first; "显示全部" shows up to QUEUE_LIMIT


def _with_titles(user: User, assignments: list[Assignment]) -> list[Assignment]:
    # Every inbox row is a live assignment of the user's units: the unit holds each ticket.
    tickets = [a.ticket for a in assignments]
    selectors.with_titles(user, tickets, held={t.pk for t in tickets})
    return assignments


@login_required
def unit_inbox(request: HttpRequest) -> HttpResponse:
    user = current_user(request, *UNIT_ROLES)
    inbox = selectors.unit_inbox(user)
    counts = selectors.unit_inbox_counts(user)
    # Four sections of up to 200 rows each took most of the page's time with a big unit
    # (docs/benchmarks/pages.md): each shows its oldest rows (the most urgent) and its
    # count, and one section at a time can be opened in full.
    opened = request.GET.get("show", "")
    titles = [
        ("to_sign", _("待签收")),
        ("in_progress", _("办理中")),
        ("returned", _("退单中")),
        ("subtasks", _("下派任务")),
    ]
    sections = []
    for key, title in titles:
        limit = QUEUE_LIMIT if key == opened else INBOX_ROWS
        sections.append(
            {
                "key": key,
                "title": title,
                "assignments": _with_titles(user, list(inbox[key][:limit])) if counts[key] else [],
                "count": counts[key],
                "limit": limit,
                "more": counts[key] > limit and key != opened,
            }
        )
    return render(request, "tickets/inbox.html", {"sections": sections})


@login_required
def callback_queue(request: HttpRequest) -> HttpResponse:
    user = current_user(request, *rules.CALLBACK_ROLES)
    tickets = selectors.callback_queue(user)
    rows = selectors.citizens_for(user, list(tickets[:QUEUE_LIMIT]))
    return render(request, "tickets/callbacks.html", {"rows": rows, "count": tickets.count()})
