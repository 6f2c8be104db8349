"""Who sees and does what in the assistance ledger, written once (docs/assistance.md, "Scope").

- A **station worker** (服务站工作人员) belongs to a village committee (their unit's division is
  the village): they see, keep and reveal that village's people, and run its station.
- A **帮扶专干** of a township's government (unit division = the township) reads every village of
  the township, reveals with a reason, and audits the access log of its villages.
- A **帮扶专干** of a county department reads the people of the categories the department owns
  (settings.MINSHENG_ASSIST_DEPARTMENTS: 残联 → 残疾人 …), wherever they live, and may reveal them.
- **Administrators** do everything; the hotline's **leaders and supervisors** read the figures
  (aggregates) of the whole installation, and no person.
Outside the scope a page answers 404 (a person's existence is not confirmed).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Q

from minsheng.org.models import Division, Role, User, division_code_prefix


def area_q(field: str, prefix: str) -> Q:
    """Rows whose 12-digit code in `field` starts with `prefix`, as an equality (a village) or a
    range (a township, the county): both use a B-tree index, where LIKE 'prefix%' would not
    under a non-C collation."""
    if len(prefix) >= 12:
        return Q(**{field: prefix[:12]})
    pad = 12 - len(prefix)
    return Q(**{f"{field}__gte": prefix + "0" * pad, f"{field}__lte": prefix + "9" * pad})


@dataclass(frozen=True)
class LedgerScope:
    everything: bool = False
    # Village code prefixes (a village's 12 digits, a township's 9).
    prefixes: tuple[str, ...] = ()
    # None: every category; else only people with at least one of these.
    categories: tuple[str, ...] | None = None
    can_write: bool = False
    can_reveal: bool = False

    @property
    def empty(self) -> bool:
        return not self.everything and not self.prefixes and self.categories is None

    def code_q(self, field: str) -> Q:
        """A Q over rows whose village code is in `field`."""
        if self.everything or (self.categories is not None and not self.prefixes):
            return Q()
        if not self.prefixes:
            return Q(pk__in=[])
        q = Q()
        for prefix in self.prefixes:
            q |= area_q(field, prefix)
        return q

    def people_q(self) -> Q:
        """A Q over Person rows."""
        if self.empty:
            return Q(pk__in=[])
        q = self.code_q("village__code")
        if self.categories is not None:
            from minsheng.assistance.models import PersonCategory

            q &= Q(
                Exists(
                    PersonCategory.objects.filter(
                        person=OuterRef("pk"), category__in=self.categories
                    )
                )
            )
        return q

    def covers_code(self, code: str) -> bool:
        """Whether the whole area `code` (a village's or a township's prefix) is in scope."""
        if self.everything:
            return True
        if self.categories is not None:
            return False
        return any(code.startswith(p) for p in self.prefixes)

    def touches_code(self, code: str) -> bool:
        """Whether some of the area `code` is in scope (a township page for a village worker)."""
        if self.everything or self.categories is not None:
            return True
        return any(code.startswith(p) or p.startswith(code) for p in self.prefixes)


NOTHING = LedgerScope()
EVERYTHING = LedgerScope(everything=True, can_write=True, can_reveal=True)


def departments() -> dict[str, tuple[str, ...]]:
    """settings.MINSHENG_ASSIST_DEPARTMENTS parsed: unit code → its categories."""
    mapping: dict[str, tuple[str, ...]] = {}
    for pair in str(settings.MINSHENG_ASSIST_DEPARTMENTS).split(";"):
        code, _sep, cats = pair.partition(":")
        if code.strip() and cats.strip():
            mapping[code.strip()] = tuple(c.strip() for c in cats.split("|") if c.strip())
    return mapping


def ledger_scope(user: User | AnonymousUser) -> LedgerScope:
    """The people `user` may read (and whether they may write and reveal)."""
    if not user.is_authenticated or not user.is_active:
        return NOTHING
    assert isinstance(user, User)
    if user.has_role(Role.ADMINISTRATOR):
        return EVERYTHING
    unit = user.unit
    if unit is None:
        return NOTHING
    division: Division | None = unit.division
    if (
        user.has_role(Role.STATION_WORKER)
        and division is not None
        and division.level == Division.Level.VILLAGE
    ):
        return LedgerScope(prefixes=(division.code,), can_write=True, can_reveal=True)
    if user.has_role(Role.ASSIST_OFFICER):
        owned = departments().get(unit.code)
        if owned is not None:
            return LedgerScope(categories=owned, can_reveal=True)
        if division is not None and division.level == Division.Level.TOWNSHIP:
            prefix = division_code_prefix(division.code, division.level)
            return LedgerScope(prefixes=(prefix,), can_reveal=True)
    return NOTHING


def figures_scope(user: User | AnonymousUser) -> LedgerScope:
    """The areas whose figures (aggregates only) `user` reads: their ledger's, or everything for
    the hotline's leaders and supervisors."""
    scope = ledger_scope(user)
    if (
        scope.empty
        and isinstance(user, User)
        and user.is_active
        and user.has_role(Role.LEADER, Role.SUPERVISOR)
    ):
        return LedgerScope(everything=True)
    return scope


def audits(user: User | AnonymousUser, code: str) -> bool:
    """Whether `user` reads the access log of area `code`: a township's 帮扶专干 (their
    township's villages) and administrators."""
    scope = ledger_scope(user)
    if scope.everything:
        return True
    if scope.categories is not None or scope.can_write:
        return False
    return scope.covers_code(code)


def declares(user: User | AnonymousUser, village_code: str) -> bool:
    """Whether `user` declares (申报) villages as 充分就业社区(村): the 帮扶专干 of the village's
    township (a township's government) and administrators."""
    scope = ledger_scope(user)
    if scope.everything:
        return True
    return (
        scope.categories is None
        and not scope.can_write
        and any(len(p) == 9 for p in scope.prefixes)
        and scope.covers_code(village_code)
    )


def accepts(user: User | AnonymousUser) -> bool:
    """Whether `user` accepts (验收) or returns declarations: the 帮扶专干 of a county unit in
    settings.MINSHENG_ASSIST_ACCEPTING_UNITS (人社局) and administrators."""
    if not user.is_authenticated or not user.is_active:
        return False
    assert isinstance(user, User)
    if user.has_role(Role.ADMINISTRATOR):
        return True
    return (
        user.has_role(Role.ASSIST_OFFICER)
        and user.unit is not None
        and user.unit.code in set(settings.MINSHENG_ASSIST_ACCEPTING_UNITS)
    )
