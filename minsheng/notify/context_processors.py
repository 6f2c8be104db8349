from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from minsheng.notify.selectors import unread_count

BADGE_MAX = 99


@dataclass(frozen=True)
class UnreadBadge:
    count: int

    @property
    def label(self) -> str:
        return f"{BADGE_MAX}+" if self.count > BADGE_MAX else str(self.count)


def unread(request: HttpRequest) -> dict[str, object]:
    """`notify_unread` for the header badge: lazy, so pages that do not show it (the admin, a
    bare partial) run no query, and the ones that do run one COUNT however often they read it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"notify_unread": SimpleLazyObject(lambda: UnreadBadge(unread_count(user)))}
