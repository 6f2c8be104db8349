"""Who may see which units' work — written once, here.

Every permission-aware read (selectors of every app) asks `scope_for(user)` and filters with
`Scope.units_q()`. Hotline roles work for the whole jurisdiction; a unit's handlers and leader see
their unit and its sub-units (stations, teams, villages under a township) and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from minsheng.org.models import HOTLINE_ROLES, UNIT_ROLES, User


@dataclass(frozen=True)
class Scope:
    everything: bool
    unit_paths: tuple[str, ...] = ()

    @property
    def nothing(self) -> bool:
        return not self.everything and not self.unit_paths

    def units_q(self, prefix: str = "") -> Q:
        """A Q over Unit rows, or over a relation to Unit when `prefix` is e.g. 'unit__'."""
        if self.everything:
            return Q()
        if not self.unit_paths:
            return Q(pk__in=[]) if not prefix else Q(**{f"{prefix}pk__in": []})
        q = Q()
        for path in self.unit_paths:
            q |= Q(**{f"{prefix}path__startswith": path})
        return q

    def covers_unit_path(self, path: str) -> bool:
        return self.everything or any(path.startswith(p) for p in self.unit_paths)


NO_SCOPE = Scope(everything=False)


def scope_for(user: User | AnonymousUser) -> Scope:
    if not user.is_authenticated or not user.is_active:
        return NO_SCOPE
    assert isinstance(user, User)
    if user.has_role(*HOTLINE_ROLES):
        return Scope(everything=True)
    if user.has_role(*UNIT_ROLES) and user.unit is not None:
        return Scope(everything=False, unit_paths=(user.unit.path,))
    return NO_SCOPE
