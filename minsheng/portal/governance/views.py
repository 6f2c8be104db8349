"""民生实事 for the public (/h5/commitments/): the published lists, and a list's commitments with
their progress bars, works and each work's latest report.

No personal data: neither who reported nor any staff name is shown, and the report's text is
masked (`textproc.pii`: phones, ID numbers …) before it is shown. Lists not published answer 404.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_GET

from minsheng.governance import commitments as progress
from minsheng.governance.models import CommitmentList, ProgressReport
from minsheng.governance.views_commitments import photo_response
from minsheng.portal.views import _context
from minsheng.textproc.pii import mask_pii


def lists(request: HttpRequest) -> HttpResponse:
    rows = list(
        CommitmentList.objects.filter(published=True)
        .select_related("area")
        .order_by("-year", "-id")[:50]
    )
    return render(request, "portal/governance/lists.html", _context(request, lists=rows))


def list_page(request: HttpRequest, pk: int) -> HttpResponse:
    clist = CommitmentList.objects.filter(pk=pk, published=True).select_related("area").first()
    if clist is None:
        raise Http404
    view = progress.load(clist)
    shown = [
        (
            c,
            [(w, mask_pii(w.latest.text) if w.latest is not None else "") for w in c.works],
        )
        for c in view.commitments
    ]
    return render(
        request,
        "portal/governance/list.html",
        _context(
            request,
            view=view,
            figures=view.figures(),
            origins=progress.origin_counts(clist),
            shown=shown,
        ),
    )


@require_GET
def photo(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A report's photo, for anyone, when its list is published (else 404)."""
    report = (
        ProgressReport.objects.filter(pk=pk, work__commitment__clist__published=True)
        .only("id", "photo")
        .first()
    )
    if report is None:
        raise Http404
    response = photo_response(report)
    response["Cache-Control"] = "public, max-age=3600"
    return response
