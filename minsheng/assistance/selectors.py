"""Permission-aware reads of the ledger: every page and export reads through here, so a row
outside the reader's scope is never fetched (the page answers 404 or shows nothing)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from minsheng.assistance import crypto, rules
from minsheng.assistance.models import (
    AccessLog,
    JobPosting,
    Match,
    Person,
    PersonCategory,
    Station,
    TicketLink,
)
from minsheng.org.models import Division, Role, Unit, User, division_code_prefix
from minsheng.tickets import selectors as ticket_selectors
from minsheng.tickets.models import Ticket


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
        .order_by("village_id", "name", "pk")
    )


def with_categories(people: list[Person]) -> list[Person]:
    """Sets `category_names` (a list of str, in the order they were given) on each of a page's
    people, in one query of plain values: a ledger page (or an export) shows ~50 rows with
    their categories, and a prefetch made a model instance per category and a queryset per
    row for the template to iterate (bench/bench_assistance.py)."""
    names: dict[int, list[str]] = {p.pk: [] for p in people}
    if names:
        rows = (
            PersonCategory.objects.filter(person_id__in=list(names))
            .order_by("pk")
            .values_list("person_id", "category")
        )
        for person_id, category in rows:
            names[person_id].append(category)
    for p in people:
        p.category_names = names[p.pk]  # type: ignore[attr-defined]
    return people


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


# --- Tickets linked to ledger entries ----------------------------------------------------------


def mask_name(name: str) -> str:
    """张三丰 → 张**: what the ticket's side shows of a ledger entry."""
    name = name.strip()
    return name[:1] + "*" * max(len(name) - 1, 1) if name else "—"


@dataclass(frozen=True)
class LinkedTicket:
    link: TicketLink
    title: str  # as the user may read it (masked for a unit that does not hold the ticket)


def tickets_of(user: User, person: Person) -> list[LinkedTicket]:
    """The tickets linked to a person's entry (the page of a reader in scope), newest first,
    with their titles as the ticket core lets `user` read them."""
    links = list(
        TicketLink.objects.filter(person=person)
        .select_related("ticket", "recorded_by")
        .order_by("-created_at", "-pk")
    )
    if not links:
        return []
    tickets = [link.ticket for link in links]
    held = ticket_selectors.held_ids(user, tickets)
    return [
        LinkedTicket(link, ticket_selectors.text_for(user, t, holder=t.pk in held).title)
        for link, t in zip(links, tickets, strict=True)
    ]


@dataclass(frozen=True)
class LinkedPerson:
    pk: int
    masked_name: str


@dataclass(frozen=True)
class TicketPanel:
    """The ticket page's 帮扶台账 panel: the entries linked to the ticket that the user may read
    (masked names), and whether they may register the ticket's citizen (write scope over the
    ticket's village)."""

    people: list[LinkedPerson]
    can_register: bool


ASSIST_ROLES = (Role.ADMINISTRATOR, Role.STATION_WORKER, Role.ASSIST_OFFICER)


def ticket_panel(user: User, ticket: Ticket) -> TicketPanel | None:
    """None (and no query) for anyone without a ledger role — the hotline's operators and
    dispatchers, the units' handlers; else one query for the links in scope (and the unit's
    division for `rules.ledger_scope`, unless it is the ticket's village, already read)."""
    if not user.has_role(*ASSIST_ROLES):
        return None
    division = ticket.division
    unit = user.unit if user.unit_id is not None else None
    if (
        unit is not None
        and division is not None
        and unit.division_id == division.pk
        and not Unit.division.is_cached(unit)
    ):
        # The usual case: a village committee's worker on a ticket of its own village. The
        # ticket page has read that village with the ticket: the scope reuses it.
        Unit.division.field.set_cached_value(unit, division)
    scope = rules.ledger_scope(user)
    if scope.empty:
        return None
    can_register = (
        division is not None
        and division.level == Division.Level.VILLAGE
        and scope.can_write
        and scope.covers_code(division.code)
    )
    rows = (
        TicketLink.objects.filter(ticket=ticket)
        .filter(person__in=Person.objects.filter(scope.people_q()).values("pk"))
        .order_by("pk")
        .values_list("person_id", "person__name")
    )
    people = [LinkedPerson(pk, mask_name(name)) for pk, name in rows]
    if not people and not can_register:
        return None
    return TicketPanel(people=people, can_register=can_register)
