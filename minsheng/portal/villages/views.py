"""村务公开 on the phone (/h5/villages/): the county's townships and a search by village name or
pinyin initials, a township's supervision overview, a village's board, an item with its finance
statement and the villagers' questions, the question form (我要质询) and a printable poster
with the board's QR code. Reads go through `villages.selectors`; a question is one service
(`services.villager_ask`)."""

from __future__ import annotations

import dataclasses
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from minsheng.portal.codes import Refused
from minsheng.portal.models import PhoneCode
from minsheng.portal.services import screen
from minsheng.portal.views import _context, _open, _proven_phone, _ticket_for
from minsheng.portal.villages import poster as qr
from minsheng.portal.villages.forms import QuestionForm
from minsheng.portal.villages.services import villager_ask
from minsheng.tickets.errors import TicketActionError
from minsheng.villages import selectors
from minsheng.villages.services.questions import answer_days

NEW_CODE = "portal_new_code"


def county(request: HttpRequest) -> HttpResponse:
    """County → townships, with the search by village name or pinyin initials (skc → 孙口村)."""
    query = str(request.GET.get("q") or "").strip()[:20]
    context = _context(
        request,
        townships=selectors.county_overview(),
        query=query,
        hits=selectors.find_villages(query) if query else None,
    )
    return render(request, "portal/villages/county.html", context)


def township(request: HttpRequest, township_code: str) -> HttpResponse:
    """Every village of a township: its last publication and what is late (实时监督)."""
    view = selectors.township_view(township_code)
    if view is None:
        raise Http404
    rows = [(r, selectors.late_text(r.late, r.late_since)) for r in view.rows]
    return render(request, "portal/villages/township.html", _context(request, view=view, rows=rows))


def board(request: HttpRequest, village_code: str) -> HttpResponse:
    raw = str(request.GET.get("year") or "")
    year = int(raw) if raw.isascii() and raw.isdigit() and len(raw) == 4 else None
    view = selectors.board_view(village_code, year=year)
    if view is None:
        raise Http404
    context = _context(request, view=view, late=selectors.late_text(view.late, view.late_since))
    return render(request, "portal/villages/board.html", context)


def _shown(view: selectors.ItemView) -> selectors.ItemView:
    """Questions whose text holds a configured sensitive word are listed without their text
    (taken in under MINSHENG_SENSITIVE_ACTION=hold, never published unseen)."""
    found = screen()
    view.questions = [
        dataclasses.replace(q, text="") if q.text and found.find(q.text) else q
        for q in view.questions
    ]
    return view


def _verify_url(request: HttpRequest) -> str:
    back = f"{request.path}#ask"
    return (
        reverse("portal:verify", args=[PhoneCode.Purpose.VILLAGE]) + "?" + urlencode({"next": back})
    )


@require_http_methods(["GET", "POST"])
def item(request: HttpRequest, village_code: str, item_id: int) -> HttpResponse:
    """An item of the board; its question form posts here."""
    phone = _proven_phone(request)
    error = ""
    form = QuestionForm()
    if request.method == "POST":
        if phone is None:  # the phone is proven first, then the question is written
            return redirect(_verify_url(request))
        form = QuestionForm(request.POST)
        found = selectors.published_item(village_code, item_id)
        if found is None:
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            try:
                receipt, code = villager_ask(
                    item=found,
                    kind=data["kind"],
                    text=data["text"],
                    phone=phone,
                    submission_key=data["submission_key"],
                )
            except (Refused, TicketActionError) as refused:
                error = str(refused)
            else:
                number = receipt.ticket.number
                _open(request, number)
                if code is not None:
                    request.session[NEW_CODE] = {number: code}
                return redirect(
                    "portal:village_receipt",
                    village_code=village_code,
                    item_id=item_id,
                    number=number,
                )
    view = selectors.item_view(village_code, item_id)
    if view is None:
        raise Http404
    context = _context(
        request,
        view=_shown(view),
        form=form,
        error=error,
        verify_url=_verify_url(request),
        days=answer_days(),
        now=timezone.now(),
    )
    status = 400 if request.method == "POST" else 200
    return render(request, "portal/villages/item.html", context, status=status)


def receipt(request: HttpRequest, village_code: str, item_id: int, number: str) -> HttpResponse:
    """After asking: the ticket number and, once, the query code (as the report's receipt)."""
    ticket = _ticket_for(request, number)
    view = selectors.board_view_header(village_code)
    if view is None:
        raise Http404
    shown = request.session.pop(NEW_CODE, {}) or {}
    code = shown.get(number) if isinstance(shown, dict) else None
    context = _context(request, ticket=ticket, code=code, view=view, item_id=item_id)
    return render(request, "portal/villages/receipt.html", context)


def poster(request: HttpRequest, village_code: str) -> HttpResponse:
    """A printable A4 poster for the physical board: the village, its township, and a QR code
    of the board's address, drawn here."""
    view = selectors.board_view_header(village_code)
    if view is None:
        raise Http404
    url = qr.board_url(request, village_code)
    context = _context(request, view=view, url=url, svg=qr.qr_svg(url))
    return render(request, "portal/villages/poster.html", context)


def poster_png(request: HttpRequest, village_code: str) -> HttpResponse:
    """The poster's QR code as a PNG image."""
    if selectors.board_view_header(village_code) is None:
        raise Http404
    response = HttpResponse(
        qr.qr_png(qr.board_url(request, village_code)), content_type="image/png"
    )
    response["Content-Disposition"] = f'inline; filename="board-{village_code}.png"'
    return response
