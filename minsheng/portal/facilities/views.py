"""The page a facility's QR code opens (/h5/f/<public code>/): the facility (no staff names, no
phones), and the problem form (脏乱 / 损坏 / 关闭 / 其他, an optional photo, an optional phone proven
by an SMS code). The report becomes a ticket dispatched straight to the owner unit."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from minsheng.facilities import selectors
from minsheng.facilities.models import Facility, Status
from minsheng.org.access import client_address
from minsheng.portal.codes import Refused
from minsheng.portal.facilities.forms import ProblemForm
from minsheng.portal.facilities.services import citizen_facility_report
from minsheng.portal.models import PhoneCode
from minsheng.portal.views import _context, _open, _proven_phone, _ticket_for
from minsheng.tickets.errors import TicketActionError


def _verify_url(request: HttpRequest) -> str:
    return (
        reverse("portal:verify", args=[PhoneCode.Purpose.REPORT])
        + "?"
        + urlencode({"next": f"{request.path}#report"})
    )


@require_http_methods(["GET", "POST"])
def facility(request: HttpRequest, code: str) -> HttpResponse:
    view = selectors.public_view(code[:16])
    if view is None:
        raise Http404
    error = ""
    form = ProblemForm()
    phone = _proven_phone(request)
    if request.method == "POST" and view.status != Status.RETIRED:
        form = ProblemForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            found = Facility.objects.filter(public_code=view.code).first()
            if found is None:
                raise Http404
            try:
                link, _repeated = citizen_facility_report(
                    facility=found,
                    problem=data["problem"],
                    text=data["text"] or "",
                    submission_key=data["submission_key"],
                    phone=phone,
                    address=client_address(request),
                    uploads=request.FILES.getlist("photos"),
                )
            except (Refused, TicketActionError) as refused:
                error = str(refused)
            else:
                _open(request, link.ticket.number)
                return redirect(
                    "portal:facility_receipt", code=view.code, number=link.ticket.number
                )
    context = _context(request, view=view, form=form, error=error, verify_url=_verify_url(request))
    status = 400 if request.method == "POST" else 200
    return render(request, "portal/facilities/facility.html", context, status=status)


def receipt(request: HttpRequest, code: str, number: str) -> HttpResponse:
    """After reporting: the ticket's number (the session opened it, so it can be tracked)."""
    view = selectors.public_view(code[:16])
    if view is None:
        raise Http404
    ticket = _ticket_for(request, number)
    context = _context(request, view=view, ticket=ticket)
    return render(request, "portal/facilities/receipt.html", context)
