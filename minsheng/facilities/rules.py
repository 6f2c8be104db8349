"""Who sees and does what with facilities, written once.

- The hotline's roles (operator, dispatcher, supervisor, leader) and administrators read every
  facility; administrators change any.
- A unit's handlers and leaders read and keep the facilities their unit (or a unit under it)
  owns or keeps as a team, and register new ones for such a unit.
- The keeper (a person) logs rounds on the facilities they keep, as does the staff of the
  keeper team and of the owner unit.
Outside the scope a page answers 404 (a facility's existence is not confirmed).
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from minsheng.org.models import HOTLINE_ROLES, UNIT_ROLES, Role, Unit, User
from minsheng.org.scoping import scope_for


def is_staff(user: User | AnonymousUser) -> bool:
    """Anybody who may open the facilities' pages at all."""
    if not user.is_authenticated or not user.is_active:
        return False
    assert isinstance(user, User)
    return user.has_role(*HOTLINE_ROLES, *UNIT_ROLES, Role.ADMINISTRATOR) or bool(user.is_superuser)


def is_admin(user: User) -> bool:
    return bool(user.is_superuser) or user.has_role(Role.ADMINISTRATOR)


def reads_everything(user: User) -> bool:
    return is_admin(user) or scope_for(user).everything


def visible_q(user: User | AnonymousUser) -> Q:
    """A Q over Facility rows the user may read."""
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    assert isinstance(user, User)
    if not is_staff(user):
        return Q(keeper_user=user)  # a keeper without a unit role: their own facilities
    if reads_everything(user):
        return Q()
    scope = scope_for(user)
    return scope.units_q("owner__") | scope.units_q("keeper_unit__") | Q(keeper_user=user)


def may_write_for(user: User, unit: Unit) -> bool:
    """Whether the user may register and change facilities owned by `unit`."""
    if is_admin(user):
        return True
    if not user.has_role(*UNIT_ROLES) or user.unit is None:
        return False
    return scope_for(user).covers_unit_path(unit.path)


def may_edit(user: User, owner: Unit) -> bool:
    return may_write_for(user, owner)


def may_log_round(
    user: User, *, owner: Unit, keeper_user_id: int | None, keeper_unit: Unit | None
) -> bool:
    """The keeper, the staff of the keeper team or of the owner unit, an administrator."""
    if is_admin(user) or (keeper_user_id is not None and keeper_user_id == user.pk):
        return True
    if not user.has_role(*UNIT_ROLES) or user.unit is None:
        return False
    scope = scope_for(user)
    return scope.covers_unit_path(owner.path) or (
        keeper_unit is not None and scope.covers_unit_path(keeper_unit.path)
    )
