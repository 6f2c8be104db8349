"""Small helpers the ticket views share: the county, the catalogue, links."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from minsheng.org.models import Division, Unit
from minsheng.tickets.catalogue import Decision, dispatch_decision, responsible_unit
from minsheng.tickets.models import Category


def county_code() -> str:
    """The deployment's county (its divisions fill the place pickers)."""
    return str(settings.MINSHENG_COUNTY_CODE)


def suggested_unit(category: Category | None, division: Division | None) -> Unit | None:
    """The dispatch catalogue's answer for this category and place."""
    if category is None:
        return None
    return responsible_unit(category=category, division=division)


def catalogue_decision(category: Category | None, division: Division | None) -> Decision | None:
    """The catalogue's answer with its reason in words, for the desk's unit panel."""
    if category is None:
        return None
    return dispatch_decision(category=category, division=division)


def knowledge_search_url() -> str:
    return reverse("knowledge:search")
