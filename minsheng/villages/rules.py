"""Who may do what with village affairs, written once.

A user's villages follow from their unit's division: a clerk (村干部) or a 村务监督委员 belongs
to a village committee whose division is the village; a township's reviewer (乡镇村务审核员)
belongs to the township's government, whose division is the township — its villages are the
division's subtree. Hotline administrators see every village; nobody else sees any in the
back office (the boards themselves are public, read through the portal).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q
from django.utils.translation import gettext as _

from minsheng.org.models import Division, Role, User, division_code_prefix
from minsheng.villages.errors import NotAllowed


@dataclass(frozen=True)
class VillageScope:
    everything: bool
    # Code prefixes of the divisions the user works for ("410927102" for a township's 9 digits,
    # the full 12 for one village).
    prefixes: tuple[str, ...] = ()

    def boards_q(self, field: str = "village__code") -> Q:
        """A Q over Board rows (or a relation to them through `field`)."""
        if self.everything:
            return Q()
        if not self.prefixes:
            return Q(pk__in=[])
        q = Q()
        for prefix in self.prefixes:
            q |= Q(**{f"{field}__startswith": prefix})
        return q

    def covers(self, village_code: str) -> bool:
        return self.everything or any(village_code.startswith(p) for p in self.prefixes)


NO_VILLAGES = VillageScope(everything=False)


def _division_of(user: User) -> Division | None:
    unit = user.unit
    return unit.division if unit is not None else None


def village_scope(user: User | AnonymousUser, *roles: str) -> VillageScope:
    """The villages `user` works for in any of `roles` (all village roles when none given)."""
    if not user.is_authenticated or not user.is_active:
        return NO_VILLAGES
    assert isinstance(user, User)
    if user.has_role(Role.ADMINISTRATOR):
        return VillageScope(everything=True)
    wanted = roles or (Role.VILLAGE_CLERK, Role.VILLAGE_MONITOR, Role.AFFAIRS_REVIEWER)
    if not user.has_role(*wanted):
        return NO_VILLAGES
    division = _division_of(user)
    if division is None:
        return NO_VILLAGES
    if division.level == Division.Level.VILLAGE and user.has_role(
        *(set(wanted) & {Role.VILLAGE_CLERK, Role.VILLAGE_MONITOR})
    ):
        return VillageScope(everything=False, prefixes=(division.code,))
    if division.level < Division.Level.VILLAGE and user.has_role(
        *(set(wanted) & {Role.AFFAIRS_REVIEWER})
    ):
        return VillageScope(
            everything=False, prefixes=(division_code_prefix(division.code, division.level),)
        )
    return NO_VILLAGES


def check_drafts(user: User | AnonymousUser, village_code: str) -> None:
    """Only the village's own clerks draft and correct its items (an administrator may too)."""
    if not village_scope(user, Role.VILLAGE_CLERK).covers(village_code):
        raise NotAllowed(_("只有本村的村干部可以起草本村的公开事项。"))


def check_reviews_as_monitor(user: User | AnonymousUser, village_code: str) -> None:
    if not village_scope(user, Role.VILLAGE_MONITOR).covers(village_code):
        raise NotAllowed(_("只有本村的村务监督委员会成员可以审核。"))


def check_reviews_as_township(user: User | AnonymousUser, village_code: str) -> None:
    if not village_scope(user, Role.AFFAIRS_REVIEWER).covers(village_code):
        raise NotAllowed(_("只有本乡镇的村务审核员可以审核本乡镇各村的公开事项。"))


# --- 四议两公开 (decisions) ---


def check_records_matters(user: User | AnonymousUser, village_code: str) -> None:
    """Only the village's own clerks record its matters, their steps and its registers (an
    administrator may too)."""
    if not village_scope(user, Role.VILLAGE_CLERK).covers(village_code):
        raise NotAllowed(_("只有本村的村干部可以记录本村的四议两公开事项和村情登记。"))


def can_record_matters(user: User | AnonymousUser, village_code: str) -> bool:
    """What a page asks before it shows the recording forms (the same rule)."""
    return village_scope(user, Role.VILLAGE_CLERK).covers(village_code)


def matters_scope(user: User | AnonymousUser) -> VillageScope:
    """The villages whose matters `user` reads: a village's clerks and 村务监督委员 their village,
    a township's reviewers every village of the township, administrators all; the hotline's
    leaders and supervisors read all (as they read the boards' oversight), and write nothing."""
    if isinstance(user, User) and user.is_active and user.has_role(Role.LEADER, Role.SUPERVISOR):
        return VillageScope(everything=True)
    return village_scope(user)
