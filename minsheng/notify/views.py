"""The inbox (站内消息): list, open (marks read, then follows the link), mark all read.

Marking read is a write, so it is a POST (CSRF-protected); opening a message is a small form
whose button posts and is redirected to the message's link.
"""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from minsheng.notify import selectors, services
from minsheng.notify.models import Message
from minsheng.org.models import User

PER_PAGE = 20


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    page = Paginator(selectors.inbox_for(user), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "notify/inbox.html", {"page_obj": page})


@login_required
@require_POST
def open_message(request: HttpRequest, message_id: int) -> HttpResponseRedirect:
    user: User = request.user  # type: ignore[assignment]
    try:
        message = services.message_mark_read(user=user, message_id=message_id)
    except Message.DoesNotExist:
        raise Http404 from None  # someone else's message: as if it did not exist
    return HttpResponseRedirect(_target(request, message))


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    count = services.message_mark_all_read(user=user)
    flash.success(request, _("已将 %(count)d 条消息标为已读。") % {"count": count})
    return redirect("notify:inbox")


def _target(request: HttpRequest, message: Message) -> str:
    """The message's own link when it stays on this site, else back to the inbox page."""
    if message.url and url_has_allowed_host_and_scheme(
        message.url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return message.url
    inbox = reverse("notify:inbox")
    page = request.POST.get("page", "")
    return f"{inbox}?page={page}" if page.isdigit() else inbox
