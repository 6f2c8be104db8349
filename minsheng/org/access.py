"""The signed-in user of a request, as Minsheng's User, behind a role gate: the one helper every
app's views use (org owns users and roles, so it sits below them all)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from minsheng.org.models import User


def current_user(request: HttpRequest, *roles: str) -> User:
    """The signed-in user; with `roles`, refuse (403) anyone who holds none of them."""
    user: User = request.user  # type: ignore[assignment]
    if roles and not user.has_role(*roles):
        raise PermissionDenied
    return user
