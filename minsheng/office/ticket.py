"""The ticket page (工单详情) and the POST endpoint of every action on it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from itertools import groupby
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minsheng.assistance import selectors as assistance_selectors
from minsheng.insight import triage
from minsheng.office.actions import ACTIONS, FORMS, event_label
from minsheng.org.access import current_user
from minsheng.org.models import Unit, User
from minsheng.org.scoping import scope_for
from minsheng.tickets import actions as ticket_actions
from minsheng.tickets import forms, rules, selectors
from minsheng.tickets.catalogue import dispatch_decision
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
    files: Any = None,
) -> forms.ActionForm:
    kwargs: dict[str, Any] = {"ticket": ticket}
    if action == "decompose":
        assignment = rules.pick_assignment(user, facts.active, (Assignment.State.SIGNED,))
        kwargs["parent_unit"] = assignment.unit if assignment else None
    if action == "dispatch" and data is None and lead_unit is not None:
        kwargs["initial"] = {"lead_unit": lead_unit.code}
    return FORMS[action](data, files, **kwargs)


@dataclass(frozen=True)
class DispatchHint:
    """What the dispatcher's form proposes for a new ticket, and why."""

    unit: Unit | None  # the unit shown as the suggestion
    why: str
    preselect: bool  # whether the form selects it (else the dispatcher chooses)
    triage: triage.Triage | None


def dispatch_hint(ticket: Ticket) -> DispatchHint:
    """The catalogue's answer for the category the operator chose comes first (a person chose
    the category: the form pre-selects its unit); else 智能派单's best unit, pre-selected only
    when it is sure enough (settings.MINSHENG_TRIAGE_PRESELECT)."""
    suggestions = triage.suggest_for_ticket(ticket)
    if ticket.category is not None:
        decision = dispatch_decision(category=ticket.category, division=ticket.division)
        if decision.unit is not None:
            return DispatchHint(decision.unit, decision.why, True, suggestions)
    best = suggestions.best_unit
    if best is None:
        return DispatchHint(None, "", False, suggestions)
    return DispatchHint(best.unit, best.why, suggestions.confident, suggestions)


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
    hint = (
        dispatch_hint(ticket)
        if "dispatch" in actions and ticket.status == Status.NEW
        else DispatchHint(None, "", False, None)
    )
    lead_unit = hint.unit if hint.preselect else None
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
        # Once the unit has reached the citizen, the next step is the reply, not another call.
        mine = rules.pick_assignment(user, facts.active, (Assignment.State.SIGNED,))
        done = {"contact"} if mine is not None and mine.contacted_at is not None else set()
        primary = next(
            (f for f in action_forms if f["name"] in PRIMARY_ACTIONS - done),
            None,
        )
        if primary is not None:
            primary["open"] = True
            primary["next"] = True  # on a phone it comes first (tickets.css)
    attachments = list(ticket.attachments.order_by("uploaded_at", "pk"))
    # Photos are served to those who hold the ticket (office/attachments.py): only they see
    # the thumbnails; the rest see the list of names as before.
    photos = [a for a in attachments if a.thumbnail] if holder else []
    by_event: dict[int, list[Any]] = {}
    for photo in photos:
        if photo.event_id is not None:
            by_event.setdefault(photo.event_id, []).append(photo)
    events = [
        {
            "event": e,
            "label": event_label(e.action),
            "old": _status_label(e.old_status),
            "new": _status_label(e.new_status),
            "photos": by_event.get(e.pk, []),
        }
        for e in selectors.timeline_for(user, ticket, holder=holder)
    ]
    contact_form = build_form("contact", user, ticket, facts) if "contact" in actions else None
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
        "attachments": [a for a in attachments if a not in photos],
        "photos": photos,
        "contact_form": contact_form,
        "holder": holder,
        "merged": ticket.merged_tickets.order_by("number"),
        "suggested_unit": hint.unit,
        "suggestion_why": hint.why,
        "suggestion_preselected": hint.preselect,
        "triage": hint.triage,
        # 帮扶台账: linked entries (masked names) and 登记到帮扶台账, for its workers in scope only
        # (no query for anyone without a ledger role).
        "assistance_panel": assistance_selectors.ticket_panel(user, ticket),
    }


def done_redirect(ticket: Ticket, token: uuid.UUID | None) -> HttpResponse:
    """Back to the ticket page, saying which form went through (`done`): the phone's copy of
    that form's text (static/js/phone.js) is then forgotten."""
    url = reverse("tickets:detail", args=[ticket.number])
    if token is not None:
        url += "?" + urlencode({"done": str(token)})
    return HttpResponseRedirect(url)


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
    form = build_form(action, user, ticket, facts, request.POST, files=request.FILES)
    if form.is_valid():
        version = form.cleaned_data.get("version")
        token = form.cleaned_data.get("form_token")
        try:
            if token is None:
                spec.perform(ticket, user, form.cleaned_data, version)
                repeated = False
            else:
                repeated = ticket_actions.ticket_action_once(
                    ticket=ticket,
                    actor=user,
                    action=action,
                    form_token=token,
                    perform=lambda: spec.perform(ticket, user, form.cleaned_data, version),
                )
        except StaleTicket:
            messages.error(request, _("工单已被他人处理，请刷新后查看最新状态再操作。"))
            return redirect("tickets:detail", number=ticket.number)
        except TicketActionError as error:
            messages.error(request, error.message)
            if error.field and error.field in form.fields:
                form.add_error(error.field, error.message)
        else:
            if repeated:
                messages.info(request, _("该表单已提交过，本次未重复记录。"))
            else:
                messages.success(request, str(spec.done))
            return done_redirect(ticket, token)
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for message in errors:
                messages.error(request, f"{label}：{message}" if label else str(message))
    context = ticket_context(user, ticket, bound=(action, form))
    return render(request, "tickets/ticket_detail.html", context, status=400)
