"""专项行动 for the public (/h5/campaigns/): the campaigns made public (`Campaign.is_public`) and
each one's summary — its indicators' progress, the counts by village, how many citizens' tickets
it answers and how many of those are answered.

Aggregates only: no entry's or inspection's note, place text or photo (they are the teams'
working records and may show people), no ticket's number or text, no staff name. A campaign not
public answers 404.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from minsheng.governance import campaigns as selectors
from minsheng.governance.models import Campaign
from minsheng.portal.views import _context


@require_GET
def campaigns(request: HttpRequest) -> HttpResponse:
    rows = list(
        Campaign.objects.filter(is_public=True)
        .select_related("township", "lead_unit")
        .order_by("-starts_on", "-id")[:50]
    )
    return render(
        request,
        "portal/governance/campaigns.html",
        _context(request, campaigns=rows, today=timezone.localdate()),
    )


@require_GET
def campaign(request: HttpRequest, pk: int) -> HttpResponse:
    found = (
        Campaign.objects.filter(pk=pk, is_public=True)
        .select_related("township", "lead_unit")
        .first()
    )
    if found is None:
        raise Http404
    return render(
        request,
        "portal/governance/campaign.html",
        _context(
            request,
            campaign=found,
            progress=selectors.campaign_progress(found),
            tagged=selectors.tagged_count(found),
            today=timezone.localdate(),
        ),
    )
