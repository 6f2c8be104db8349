"""留言审核: the hotline staff's queue of public messages (back office, /board/moderate/).
Pending messages oldest first; approve, reject with a reason, or edit the published text to
mask more; every decision is recorded with who and when (MessageDecision)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from minsheng.lib.pagination import page_number
from minsheng.org.access import current_user
from minsheng.org.models import User
from minsheng.portal.board import selectors, services
from minsheng.portal.board.forms import EditForm, RejectForm
from minsheng.portal.codes import Refused
from minsheng.portal.models import PublicMessage
from minsheng.tickets.errors import TicketActionError
from minsheng.tickets.rules import HOTLINE_STAFF_ROLES

State = PublicMessage.State


def _moderator(request: HttpRequest) -> User:
    return current_user(request, *HOTLINE_STAFF_ROLES)


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    _moderator(request)
    state = request.GET.get("state", State.PENDING)
    if state not in State.values:
        state = State.PENDING
    number = page_number(request.GET.get("page", "1"))
    rows, has_next = selectors.queue(state, number)
    context = {
        "rows": rows,
        "state": state,
        "states": State.choices,
        "pending": selectors.pending_count(),
        "number": number,
        "previous": urlencode({"state": state, "page": str(number - 1)}) if number > 1 else "",
        "next": urlencode({"state": state, "page": str(number + 1)}) if has_next else "",
        "reject_form": RejectForm(),
    }
    return render(request, "portal/board/moderate.html", context)


def _detail(
    request: HttpRequest,
    message: PublicMessage,
    *,
    edit_form: EditForm | None = None,
    reject_form: RejectForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {
        "message": message,
        "ticket_private": message.ticket is not None and not services.may_be_public(message.ticket),
        "edit_form": edit_form
        or EditForm(
            initial={
                "title": message.title,
                "text": message.text,
                "topic": message.topic_id,
                "township": message.township_id,
            }
        ),
        "reject_form": reject_form or RejectForm(),
        "decisions": list(selectors.decisions(message)),
        "error": error,
    }
    return render(request, "portal/board/moderate_message.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One message: its published text, editable (修改公开内容), and its decisions."""
    user = _moderator(request)
    message = selectors.for_moderation(pk)
    if request.method != "POST":
        return _detail(request, message)
    form = EditForm(request.POST)
    if not form.is_valid():
        return _detail(request, message, edit_form=form, status=400)
    try:
        services.edit(
            message=message,
            actor=user,
            title=form.cleaned_data["title"],
            text=form.cleaned_data["text"],
            topic=form.cleaned_data["topic"],
            township=form.cleaned_data["township"] or None,
        )
    except (Refused, TicketActionError) as refused:
        return _detail(request, message, edit_form=form, error=str(refused), status=400)
    messages.success(request, _("公开内容已保存。"))
    return redirect("board:message", pk=pk)


def _back(request: HttpRequest, pk: int) -> str:
    """Back to the queue when the decision was taken there, else to the message."""
    if request.POST.get("from") == "queue":
        return reverse("board:queue")
    return reverse("board:message", args=[pk])


@login_required
@require_POST
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    user = _moderator(request)
    message = selectors.for_moderation(pk)
    try:
        services.approve(message=message, actor=user)
    except (Refused, TicketActionError) as refused:
        return _detail(request, message, error=str(refused), status=400)
    messages.success(request, _("留言已公开：%(title)s") % {"title": message.title})
    return redirect(_back(request, pk))


@login_required
@require_POST
def reject(request: HttpRequest, pk: int) -> HttpResponse:
    user = _moderator(request)
    message = selectors.for_moderation(pk)
    form = RejectForm(request.POST)
    if not form.is_valid():
        return _detail(request, message, reject_form=form, status=400)
    try:
        services.reject(message=message, actor=user, reason=form.cleaned_data["reason"])
    except (Refused, TicketActionError) as refused:
        return _detail(request, message, reject_form=form, error=str(refused), status=400)
    messages.success(request, _("留言不予公开：%(title)s") % {"title": message.title})
    return redirect(_back(request, pk))
