"""Permission-aware reads of organisation data. Every query is scoped through scoping.scope_for."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.http import Http404

from minsheng.org.models import Division, Unit, User
from minsheng.org.scoping import scope_for


def units_visible_to(user: User) -> QuerySet[Unit]:
    return _with_members(Unit.objects.filter(scope_for(user).units_q()))


def _with_members(units: QuerySet[Unit]) -> QuerySet[Unit]:
    return (
        units.select_related("division", "parent")
        .annotate(member_count=Count("members", distinct=True))
        .order_by("path")
    )


def unit_for(user: User, code: str) -> Unit:
    """One unit, or 404 when it does not exist or lies outside the user's scope.

    Outside-scope units answer 404, not 403, so a handler cannot probe which codes exist.
    """
    # Everyone may open their own unit (the home page links it), whatever their roles' scope:
    # a village clerk or a station worker has no ticket scope but still belongs somewhere.
    own = user.unit_id is not None and user.unit is not None and user.unit.code == code
    units = units_visible_to(user) if not own else _with_members(Unit.objects.filter(code=code))
    try:
        return units.get(code=code)
    except Unit.DoesNotExist:
        raise Http404("unit not found") from None


def unit_members(unit: Unit) -> QuerySet[User]:
    return unit.members.filter(is_active=True).prefetch_related("roles").order_by("username")


def division_children(division: Division | None) -> QuerySet[Division]:
    if division is None:
        return Division.objects.filter(level=Division.Level.PROVINCE).order_by("code")
    return division.children.order_by("code")


def division_ancestors(division: Division) -> list[Division]:
    """Root first. Codes are prefixes of each other, so one query fetches the whole chain."""
    from minsheng.org.models import LEVEL_DIGITS

    codes = [
        division.code[: LEVEL_DIGITS[level]].ljust(12, "0") for level in range(1, division.level)
    ]
    return list(Division.objects.filter(code__in=codes).order_by("level"))


@dataclass(frozen=True)
class UnitOverview:
    unit: Unit | None
    units_in_scope: int
    sub_units: list[Unit]


def unit_overview_for(user: User) -> UnitOverview:
    units = units_visible_to(user)
    sub_units: list[Unit] = []
    if user.unit_id:
        sub_units = list(units.filter(parent_id=user.unit_id))
    return UnitOverview(unit=user.unit, units_in_scope=units.count(), sub_units=sub_units)
