"""The board's public pages under /h5/board/: the list (search and filters, newest first, a page
at a time), a message with its official reply and the like button (a plain POST form: the
phone is proven first, by the portal's SMS code). Nothing here needs JavaScript."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST

from minsheng.lib.pagination import page_number
from minsheng.portal import views as portal_views
from minsheng.portal.board import places, selectors, services
from minsheng.portal.board.forms import BoardFilterForm
from minsheng.portal.codes import Refused
from minsheng.portal.models import PhoneCode


def _pages(request: HttpRequest, page: selectors.BoardPage) -> dict[str, str]:
    """The previous and next pages' query strings, keeping the filters."""
    kept = [(k, str(v)) for k, v in request.GET.items() if k != "page" and v]
    links = {}
    if page.has_previous:
        links["previous"] = urlencode([*kept, ("page", str(page.number - 1))])
    if page.has_next:
        links["next"] = urlencode([*kept, ("page", str(page.number + 1))])
    return links


@require_GET
def board(request: HttpRequest) -> HttpResponse:
    form = BoardFilterForm(request.GET or None)
    if form.is_bound:
        form.is_valid()
    query = form.query()
    page = selectors.board_page(query, page_number(request.GET.get("page", "1")))
    feeds = []
    if query.township:
        township = places.township(query.township)
        if township is not None:
            feeds.append(
                (township.name, reverse("portal:board_feed_township", args=[township.code]))
            )
    if query.topic is not None:
        topic = places.topic(query.topic)
        if topic is not None:
            feeds.append((topic.name, reverse("portal:board_feed_category", args=[topic.id])))
    filtered = any(request.GET.get(k) for k in ("topic", "township", "status", "order"))
    context = portal_views._context(
        request,
        form=form,
        page=page,
        links=_pages(request, page),
        feeds=feeds,
        filtered=filtered,
    )
    return render(request, "portal/board/list.html", context, status=400 if form.errors else 200)


def _message_page(
    request: HttpRequest, pk: int, *, error: str = "", status: int = 200
) -> HttpResponse:
    message = selectors.board_message(pk)
    phone = portal_views._proven_phone(request)
    context = portal_views._context(
        request,
        message=message,
        liked=selectors.has_liked(pk, phone),
        error=error,
        notice=request.GET.get("liked") == "1",
    )
    return render(request, "portal/board/message.html", context, status=status)


@require_GET
def message(request: HttpRequest, pk: int) -> HttpResponse:
    return _message_page(request, pk)


@require_POST
def like(request: HttpRequest, pk: int) -> HttpResponse:
    """点赞/附议: with a proven phone, once; without one, prove it first and come back."""
    selectors.board_message(pk)  # 404 for what is not public
    phone = portal_views._proven_phone(request)
    here = reverse("portal:board_message", args=[pk])
    if phone is None:
        verify = reverse("portal:verify", args=[PhoneCode.Purpose.LIKE])
        return redirect(f"{verify}?{urlencode({'next': here})}")
    try:
        services.like(message_id=pk, phone=phone)
    except Refused as refused:
        return _message_page(request, pk, error=str(refused), status=400)
    return redirect(f"{here}?liked=1")
