"""Small helpers the ticket views share: the signed-in user, role gates, the catalogue."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.urls import reverse

from minsheng.org.models import Division, Unit, User
from minsheng.tickets.catalogue import responsible_unit
from minsheng.tickets.models import Category


def current_user(request: HttpRequest, *roles: str) -> User:
    """The signed-in user; with `roles`, refuse (403) anyone who holds none of them."""
    user: User = request.user  # type: ignore[assignment]
    if roles and not user.has_role(*roles):
        raise PermissionDenied
    return user


def county_code() -> str:
    """The deployment's county (its divisions fill the place pickers)."""
    return str(settings.MINSHENG_COUNTY_CODE)


def suggested_unit(category: Category | None, division: Division | None) -> Unit | None:
    """The dispatch catalogue's answer for this category and place."""
    if category is None:
        return None
    return responsible_unit(category=category, division=division)


def knowledge_search_url() -> str:
    return reverse("knowledge:search")
