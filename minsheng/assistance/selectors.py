"""Permission-aware reads of the ledger: every page and export reads through here, so a row
outside the reader's scope is never fetched (the page answers 404 or shows nothing)."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from minsheng.assistance import crypto, rules
from minsheng.assistance.models import (
    AccessLog,
    JobPosting,
    Match,
    Person,
    PersonCategory,
    Station,
)
from minsheng.org.models import Division, User, division_code_prefix


def area(user: User, code: str, *, figures: bool = False) -> Division | None:
    """The division `code` (a village, a township, the county) if the user reads any of it."""
    scope = rules.figures_scope(user) if figures else rules.ledger_scope(user)
    if scope.empty or not code.isdigit():
        return None
    division = Division.objects.filter(code=code.ljust(12, "0")).first()
    if division is None or division.level < Division.Level.COUNTY:
        return None
    if not scope.touches_code(division_code_prefix(division.code, division.level)):
        return None
    return division


def people_of(
    user: User, division: Division, *, category: str = "", query: str = ""
) -> QuerySet[Person]:
    """The ledger of an area, by village and name; `query` is a name (contains) or an ID number
    (found by its keyed hash, however it is written)."""
    scope = rules.ledger_scope(user)
    rows = Person.objects.filter(
        scope.people_q(),
        rules.area_q("village__code", division_code_prefix(division.code, division.level)),
    )
    if category:
        rows = rows.filter(categories__category=category)
    query = query.strip()
    if query:
        try:
            rows = rows.filter(id_hash=crypto.id_hash(query))
        except crypto.InvalidIdNumber:
            rows = rows.filter(name__contains=query)
    return (
        rows.select_related("village", "household")
        .defer("id_cipher", "phone_cipher", "id_hash", "phone_hash")
        .prefetch_related(Prefetch("categories", queryset=PersonCategory.objects.order_by("pk")))
        .order_by("village_id", "name", "pk")
    )


def person_for(user: User, pk: int) -> Person | None:
    scope = rules.ledger_scope(user)
    return (
        Person.objects.filter(scope.people_q(), pk=pk)
        .select_related("village", "household")
        .first()
    )


def open_postings_near(person: Person) -> QuerySet[JobPosting]:
    """Open postings of the stations of the person's township."""
    return JobPosting.objects.filter(
        rules.area_q("village_code", person.village_id[:9]), is_open=True
    ).order_by("-created_at")


def matches_of(person: Person) -> QuerySet[Match]:
    return Match.objects.filter(person=person).select_related("posting").order_by("-referred_on")


def station_of(village: Division) -> Station | None:
    return Station.objects.filter(village=village).first()


def access_log(user: User, division: Division) -> QuerySet[AccessLog]:
    if not rules.audits(user, division_code_prefix(division.code, division.level)):
        return AccessLog.objects.none()
    return (
        AccessLog.objects.filter(
            scope_code__startswith=division_code_prefix(division.code, division.level)
        )
        .select_related("actor", "person")
        .order_by("-at")
    )
