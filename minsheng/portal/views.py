"""The citizens' pages (群众端). Plain forms first: reporting and tracking work without
JavaScript; the small scripts only add a filter box and keep a double tap from sending twice.

A proven phone is kept in the session for PHONE_MINUTES; a ticket opened by its number and
query code is remembered in the session too, so the citizen can come back to rate it."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_http_methods, require_POST

from minsheng.org.access import client_address
from minsheng.portal import codes, selectors, services
from minsheng.portal.figures import public_figures
from minsheng.portal.forms import CodeForm, PhoneForm, RateForm, ReportForm, TrackForm
from minsheng.portal.models import PhoneCode
from minsheng.tickets.errors import TicketActionError
from minsheng.tickets.models import Ticket

PHONE_MINUTES = 30
PROVEN = "portal_phone"
OPENED = "portal_numbers"
BIG = "portal_big"


def _proven_phone(request: HttpRequest) -> str | None:
    held = request.session.get(PROVEN)
    if not isinstance(held, dict) or time.time() > float(held.get("until", 0)):
        return None
    return str(held.get("phone") or "") or None


def _prove(request: HttpRequest, phone: str) -> None:
    request.session.cycle_key()  # a new session id once a phone is proven
    request.session[PROVEN] = {"phone": phone, "until": time.time() + PHONE_MINUTES * 60}


def _map() -> dict[str, str] | None:
    """The map's settings for the page, or None where no tile source is configured."""
    tiles = str(settings.MINSHENG_MAP_TILES)
    if not tiles:
        return None
    return {
        "tiles": tiles,
        "subdomains": str(settings.MINSHENG_MAP_SUBDOMAINS),
        "attribution": str(settings.MINSHENG_MAP_ATTRIBUTION),
        "datum": str(settings.MINSHENG_MAP_DATUM),
        "center": str(settings.MINSHENG_MAP_CENTER),
    }


def _context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return {
        "map": _map(),
        "big": request.COOKIES.get(BIG) == "1",
        "phone": _proven_phone(request),
        "demo_sms": settings.NOTIFY_SMS_BACKEND == "log",
        **extra,
    }


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", _context(request))


def figures(request: HttpRequest) -> HttpResponse:
    """数据公开: the month's three rates and the units' ranking, from the statistics."""
    shown = public_figures(request.GET.get("month", "")[:7])
    return render(request, "portal/figures.html", _context(request, figures=shown))


@require_http_methods(["GET"])
def big_text(request: HttpRequest) -> HttpResponse:
    """大字模式 on or off (a cookie), back to the page the citizen came from."""
    back = request.GET.get("next") or reverse("portal:home")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("portal:home")
    response = redirect(back)
    if request.GET.get("on") == "1":
        response.set_cookie(BIG, "1", max_age=365 * 24 * 3600, samesite="Lax")
    else:
        response.delete_cookie(BIG)
    return response


# --- Proving a phone -----------------------------------------------------------------------------


def _after_proving(request: HttpRequest, purpose: str) -> str:
    """Where a proven phone goes on: the report form, one's own tickets, or (to like a message
    of the board, to question an item of a village's board) back to the citizens' page it came
    from."""
    # A report from a facility's QR page (portal/facilities/) comes back to that page.
    if purpose == PhoneCode.Purpose.REPORT and not request.GET.get("next"):
        return reverse("portal:report")
    if purpose in (PhoneCode.Purpose.LIKE, PhoneCode.Purpose.VILLAGE, PhoneCode.Purpose.REPORT):
        back = str(request.GET.get("next") or "")
        if back.startswith(reverse("portal:home")) and url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}
        ):
            return back
        if purpose == PhoneCode.Purpose.VILLAGE:
            return reverse("portal:village_county")
        if purpose == PhoneCode.Purpose.REPORT:
            return reverse("portal:report")
        return reverse("portal:board")
    return reverse("portal:mine")


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest, purpose: str) -> HttpResponse:
    """Two steps on one page: send a code to the number, then type it in."""
    if purpose not in PhoneCode.Purpose.values:
        raise Http404
    after = _after_proving(request, purpose)
    if _proven_phone(request):
        return redirect(after)
    sent = False
    error = ""
    form: PhoneForm = PhoneForm()
    if request.method == "POST":
        if request.POST.get("step") == "send":
            form = PhoneForm(request.POST)
            if form.is_valid():
                try:
                    codes.send_code(
                        phone=form.cleaned_data["phone"],
                        purpose=purpose,
                        address=client_address(request),
                    )
                    sent = True
                    form = CodeForm(initial={"phone": form.cleaned_data["phone"]})
                except codes.Refused as refused:
                    error = str(refused)
        else:
            form = CodeForm(request.POST)
            sent = True
            if form.is_valid():
                try:
                    phone = codes.check_code(
                        phone=form.cleaned_data["phone"],
                        purpose=purpose,
                        code=form.cleaned_data["code"],
                    )
                except codes.Refused as refused:
                    error = str(refused)
                else:
                    _prove(request, phone)
                    return redirect(after)
    status = (
        400 if error or (request.method == "POST" and not form.is_valid() and not sent) else 200
    )
    context = _context(request, form=form, sent=sent, error=error, purpose=purpose)
    return render(request, "portal/verify.html", context, status=status)


# --- Reporting -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    phone = _proven_phone(request)
    if phone is None:
        return redirect("portal:verify", purpose=PhoneCode.Purpose.REPORT)
    error = ""
    if request.method == "POST":
        form = ReportForm(request.POST)
        key = str(request.POST.get("submission_key") or "")
        earlier = services.existing(key) if key else None
        if earlier is not None:  # sent again: the first report is the one
            return redirect("portal:receipt", number=earlier.ticket.number)
        if form.is_valid():
            data = form.cleaned_data
            new = services.NewReport(
                phone=phone,
                kind=data["kind"],
                text=data["text"],
                division=data["division"],
                address=data["address"],
                name=data["name"],
                anonymous=data["anonymous"],
                confidential=data["confidential"],
                wants_public=data["wants_public"],
                share_place=data["share_place"],
                lat=data["lat"],
                lng=data["lng"],
                submission_key=data["submission_key"],
                photos=request.FILES.getlist("photos"),
            )
            try:
                receipt, code = services.citizen_report(new)
            except (codes.Refused, TicketActionError) as refused:
                error = str(refused)
            else:
                _open(request, receipt.ticket.number)
                if code is not None:
                    request.session["portal_new_code"] = {receipt.ticket.number: code}
                return redirect("portal:receipt", number=receipt.ticket.number)
    else:
        form = ReportForm()
    status = 400 if request.method == "POST" else 200
    return render(
        request, "portal/report.html", _context(request, form=form, error=error), status=status
    )


def receipt(request: HttpRequest, number: str) -> HttpResponse:
    ticket = _ticket_for(request, number)
    shown = request.session.pop("portal_new_code", {}) or {}
    code = shown.get(number) if isinstance(shown, dict) else None
    return render(request, "portal/receipt.html", _context(request, ticket=ticket, code=code))


# --- Tracking and rating -------------------------------------------------------------------------


def _open(request: HttpRequest, number: str) -> None:
    opened = [n for n in request.session.get(OPENED, []) if n != number][-19:]
    request.session[OPENED] = [*opened, number]


def _ticket_for(request: HttpRequest, number: str) -> Ticket:
    """A ticket the session may read: opened by its query code, or filed under the proven
    phone. 404 otherwise, whether it exists or not."""
    phone = _proven_phone(request)
    allowed = Q(number__in=list(request.session.get(OPENED, [])))
    if phone:
        allowed |= Q(citizen_phone=phone)
    ticket = (
        Ticket.objects.select_related("category", "division").filter(allowed, number=number).first()
    )
    if ticket is None:
        raise Http404
    return ticket


@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    error = ""
    if request.method == "POST":
        form = TrackForm(request.POST)
        if form.is_valid():
            try:
                ticket = selectors.ticket_by_code(
                    form.cleaned_data["number"], form.cleaned_data["code"], client_address(request)
                )
            except codes.Refused as refused:
                error = str(refused)
            else:
                _open(request, ticket.number)
                return redirect("portal:ticket", number=ticket.number)
    else:
        form = TrackForm(initial={"number": request.GET.get("number", "")[:32]})
    status = 400 if request.method == "POST" else 200
    return render(
        request, "portal/track.html", _context(request, form=form, error=error), status=status
    )


def mine(request: HttpRequest) -> HttpResponse:
    phone = _proven_phone(request)
    if phone is None:
        return redirect("portal:verify", purpose=PhoneCode.Purpose.TRACK)
    tickets = list(selectors.tickets_of(phone))
    return render(request, "portal/mine.html", _context(request, tickets=tickets))


@require_http_methods(["GET", "POST"])
def ticket(request: HttpRequest, number: str) -> HttpResponse:
    try:
        found = _ticket_for(request, number)
    except Http404:
        # Not opened on this device (a link from the reply SMS): prove it first. The same
        # answer whether the number exists or not.
        return redirect(f"{reverse('portal:track')}?{urlencode({'number': number[:32]})}")
    error = ""
    form = RateForm()
    if request.method == "POST":
        form = RateForm(request.POST)
        if form.is_valid():
            try:
                services.citizen_rate(
                    ticket=found,
                    resolved=form.cleaned_data["resolved"],
                    satisfaction=form.cleaned_data["satisfaction"],
                    comment=form.cleaned_data["comment"],
                )
            except (codes.Refused, TicketActionError) as refused:
                error = str(refused)
            else:
                return redirect("portal:ticket", number=number)
    view = selectors.citizen_ticket(found)
    status = 400 if request.method == "POST" else 200
    context = _context(request, view=view, form=form, error=error)
    return render(request, "portal/ticket.html", context, status=status)


@require_POST
def leave(request: HttpRequest) -> HttpResponse:
    """退出: forget the proven phone and the opened tickets on this device."""
    for key in (PROVEN, OPENED):
        request.session.pop(key, None)
    return redirect("portal:home")
