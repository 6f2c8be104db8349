"""The ticket page (工单详情) and the POST endpoint of every action on it."""

from __future__ import annotations

from itertools import groupby
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minsheng.insight import triage
from minsheng.office.actions import ACTIONS, FORMS, event_label
from minsheng.office.common import suggested_unit
from minsheng.org.access import current_user
from minsheng.org.models import Unit, User
from minsheng.org.scoping import scope_for
from minsheng.tickets import forms, rules, selectors
from minsheng.tickets.errors import StaleTicket, TicketActionError
from minsheng.tickets.models import Assignment, Status, Ticket

PRIMARY_ACTIONS = frozenset(
    {
        "direct_answer",
        "dispatch",
        "return_accept",
        "extension_approve",
        "sign",
        "contact",
        "reply",
        "callback",
    }
)


def _status_label(code: str) -> str:
    return str(Status(code).label) if code in Status.values else ""


def build_form(
    action: str,
    user: User,
    ticket: Ticket,
    facts: rules.Facts,
    data: Any = None,
    lead_unit: Unit | None = None,
) -> forms.ActionForm:
    kwargs: dict[str, Any] = {"ticket": ticket}
    if action == "decompose":
        assignment = rules.pick_assignment(user, facts.active, (Assignment.State.SIGNED,))
        kwargs["parent_unit"] = assignment.unit if assignment else None
    if action == "dispatch" and data is None:
        unit = lead_unit or suggested_unit(ticket.category, ticket.division)
        if unit is not None:
            kwargs["initial"] = {"lead_unit": unit.code}
    return FORMS[action](data, **kwargs)


def _dispatch_suggestion(ticket: Ticket) -> tuple[Unit | None, triage.Triage | None]:
    """The lead unit to pre-select on a new ticket and the classifier's suggestions.

    The catalogue's answer for the category the operator chose comes first; the classifier's
    (智能派单) only fills in when there is none."""
    if ticket.status != Status.NEW:
        return None, None
    suggestions = triage.suggest_for_ticket(ticket)
    unit = suggested_unit(ticket.category, ticket.division) or suggestions.unit
    return unit, suggestions


def ticket_context(
    user: User, ticket: Ticket, bound: tuple[str, forms.ActionForm] | None = None
) -> dict[str, Any]:
    holder = selectors.holds(user, ticket)
    assignments = list(selectors.assignments_of(ticket))
    if not holder:  # a unit the ticket was taken from sees its own part only
        own = scope_for(user)
        assignments = [a for a in assignments if own.covers_unit_path(a.unit.path)]
    facts = rules.Facts(ticket, assignments)
    actions = rules.available_actions(user, ticket, facts)
    lead_unit, suggestions = _dispatch_suggestion(ticket) if "dispatch" in actions else (None, None)
    action_forms = []
    for name in actions:
        form = (
            bound[1]
            if bound and bound[0] == name
            else build_form(name, user, ticket, facts, lead_unit=lead_unit)
        )
        action_forms.append(
            {
                "name": name,
                "spec": ACTIONS[name],
                "form": form,
                "open": bool(bound and bound[0] == name),
            }
        )
    if not bound:
        # Unfold the step the workflow expects next, never a rare one like 转警情.
        primary = next((f for f in action_forms if f["name"] in PRIMARY_ACTIONS), None)
        if primary is not None:
            primary["open"] = True
    events = [
        {
            "event": e,
            "label": event_label(e.action),
            "old": _status_label(e.old_status),
            "new": _status_label(e.new_status),
        }
        for e in selectors.timeline_for(user, ticket, holder=holder)
    ]
    rounds = [(n, list(items)) for n, items in groupby(assignments, key=lambda a: a.round)]
    return {
        "ticket": ticket,
        "citizen": selectors.citizen_for(user, ticket, holder=holder),
        "text": selectors.text_for(user, ticket, holder=holder),
        "rounds": rounds,
        "events": events,
        "action_forms": action_forms,
        "extensions": ticket.extension_requests.select_related(
            "requested_by", "decided_by"
        ).order_by("requested_at"),
        "supervisions": ticket.supervisions.select_related("by").order_by("at"),
        "callbacks": ticket.callbacks.select_related("by").order_by("at"),
        "attachments": ticket.attachments.order_by("uploaded_at"),
        "merged": ticket.merged_tickets.order_by("number"),
        "suggested_unit": lead_unit
        if lead_unit is not None
        else suggested_unit(ticket.category, ticket.division)
        if ticket.status == Status.NEW
        else None,
        "triage": suggestions,
    }


@login_required
def ticket_detail(request: HttpRequest, number: str) -> HttpResponse:
    user = current_user(request)
    ticket = selectors.ticket_for(user, number)
    return render(request, "tickets/ticket_detail.html", ticket_context(user, ticket))


@require_POST
@login_required
def ticket_action(request: HttpRequest, number: str, action: str) -> HttpResponse:
    """Validate the form, call the one service; on refusal show the Chinese reason, change nothing."""
    if action not in ACTIONS:
        raise Http404("unknown action")
    user = current_user(request)
    ticket = selectors.ticket_for(user, number)
    spec = ACTIONS[action]
    facts = rules.Facts(ticket)
    form = build_form(action, user, ticket, facts, request.POST)
    if form.is_valid():
        version = form.cleaned_data.get("version")
        try:
            spec.perform(ticket, user, form.cleaned_data, version)
        except StaleTicket:
            messages.error(request, _("工单已被他人处理，请刷新后查看最新状态再操作。"))
            return redirect("tickets:detail", number=ticket.number)
        except TicketActionError as error:
            messages.error(request, error.message)
            if error.field and error.field in form.fields:
                form.add_error(error.field, error.message)
        else:
            messages.success(request, str(spec.done))
            return redirect("tickets:detail", number=ticket.number)
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for message in errors:
                messages.error(request, f"{label}：{message}" if label else str(message))
    context = ticket_context(user, ticket, bound=(action, form))
    return render(request, "tickets/ticket_detail.html", context, status=400)
