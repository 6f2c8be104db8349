"""A citizen's hotline ticket linked to their ledger entry, with the citizen's consent recorded;
and a ledger entry opened from a ticket (a call about jobs or hardship, or a need heard on a
visit, which governance makes a ticket of channel 走访).

Which tickets a user may link (docs/assistance.md, "Tickets"): those the ticket core shows
them (`tickets.selectors.tickets_visible_to`: the hotline, the units the ticket was given to),
and those whose place (`Ticket.division`) is a village the user keeps the ledger of — a need
heard in the village reaches its station even before (or without) a dispatch to the village
committee. Writing needs the ledger's write scope over the person's village, as every change
of the ledger does.

Nothing here changes the ticket: no ticket action runs, nothing reaches its timeline; the audit
trail is the ledger's `Event` (the ticket's number and the consent's method, no name)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.assistance import crypto, rules
from minsheng.assistance.errors import Duplicate, InvalidInput, NotAllowed
from minsheng.assistance.models import ConsentMethod, Need, Person, TicketLink
from minsheng.assistance.services.people import (
    PersonData,
    check_writes,
    person_create,
    record_event,
)
from minsheng.org.models import Division, User
from minsheng.tickets import selectors as ticket_selectors
from minsheng.tickets.models import Ticket

NOTE_MAX = 200
NEED_MAX = 300
# Consent older than this is not "recorded" but remembered: ask again.
CONSENT_DAYS_BACK = 366


@dataclass(frozen=True)
class Consent:
    given: bool  # the worker confirms the citizen agreed
    method: str  # ConsentMethod
    on: dt.date
    note: str = ""


def _village_in_write_scope(user: User, ticket: Ticket) -> bool:
    division: Division | None = ticket.division
    if division is None or division.level != Division.Level.VILLAGE:
        return False
    scope = rules.ledger_scope(user)
    return scope.can_write and scope.covers_code(division.code)


def ticket_readable(user: User, ticket: Ticket) -> bool:
    """The module's rule: the ticket core shows it to the user, or it is about a village whose
    ledger the user keeps."""
    if _village_in_write_scope(user, ticket):
        return True
    return ticket_selectors.tickets_visible_to(user).filter(pk=ticket.pk).exists()


def find_ticket(user: User, number: str) -> Ticket | None:
    """The ticket `number` if `user` may link it (None when absent or not theirs: the same
    answer, so a number's existence is not confirmed)."""
    number = number.strip()
    if not number or len(number) > 16:
        return None
    ticket = Ticket.objects.filter(number=number).select_related("division").first()
    if ticket is None or not ticket_readable(user, ticket):
        return None
    return ticket


def check_consent(consent: Consent) -> Consent:
    if not consent.given:
        raise InvalidInput(
            _("关联工单须经本人同意：请确认已征得同意并选择同意方式。"), field="consent"
        )
    if consent.method not in ConsentMethod.values:
        raise InvalidInput(_("请选择同意方式（当面、电话或书面）。"), field="consent_method")
    today = timezone.localdate()
    if consent.on > today:
        raise InvalidInput(_("同意日期不能晚于今天。"), field="consent_on")
    if (today - consent.on).days > CONSENT_DAYS_BACK:
        raise InvalidInput(_("同意日期已超过一年，请重新征得本人同意。"), field="consent_on")
    note = " ".join(consent.note.split())
    if len(note) > NOTE_MAX:
        raise InvalidInput(_("说明最多 200 字。"), field="consent_note")
    return Consent(given=True, method=consent.method, on=consent.on, note=note)


def link_ticket(
    user: User, person: Person, ticket: Ticket, consent: Consent, *, need: str = ""
) -> TicketLink:
    """Link `ticket` to `person`'s entry with the consent recorded; `need` (optional) opens a
    need of the person that names the ticket."""
    check_writes(user, person.village_id)
    if not ticket_readable(user, ticket):
        raise NotAllowed(_("找不到该工单，或您无权查看。"))
    consent = check_consent(consent)
    need = need.strip()
    if len(need) > NEED_MAX:
        raise InvalidInput(_("需求最多 300 字。"), field="needs")
    if TicketLink.objects.filter(person=person, ticket=ticket).exists():
        raise InvalidInput(_("该工单已关联到此帮扶对象。"), field="number")
    with transaction.atomic():
        link = TicketLink.objects.create(
            person=person,
            ticket=ticket,
            village_code=person.village_id,
            consent_method=consent.method,
            consent_on=consent.on,
            consent_note=consent.note,
            recorded_by=user,
        )
        if person.ticket_consent_on is None or consent.on > person.ticket_consent_on:
            Person.objects.filter(pk=person.pk).update(ticket_consent_on=consent.on)
            person.ticket_consent_on = consent.on
        need_row = (
            Need.objects.create(
                person=person, text=need, opened_on=timezone.localdate(), ticket_id=ticket.pk
            )
            if need
            else None
        )
        record_event(
            village_code=person.village_id,
            subject="person",
            subject_id=person.pk,
            verb="ticket_linked",
            actor=user,
            data={
                "ticket": ticket.number,
                "consent": consent.method,
                "need": need_row.pk if need_row else None,
            },
        )
    return link


@dataclass(frozen=True)
class Registered:
    person: Person
    created: bool  # False: the ID number was in the village's ledger already, linked to it
    link: TicketLink


def register_from_ticket(
    user: User,
    ticket: Ticket,
    data: PersonData,
    consent: Consent,
    *,
    use_ticket_phone: bool = False,
) -> Registered:
    """登记到帮扶台账 from a ticket: the person of the ticket's village is created — or found by
    the ID number's keyed hash, never a second entry — and the ticket linked, in one
    transaction. The ticket's phone is taken on the server (it is never put in the form)."""
    division: Division | None = ticket.division
    if division is None or division.level != Division.Level.VILLAGE:
        raise InvalidInput(_("该工单未定位到村（社区），不能登记到帮扶台账。"))
    check_writes(user, division.code)
    if not ticket_readable(user, ticket):
        raise NotAllowed(_("找不到该工单，或您无权查看。"))
    consent = check_consent(consent)
    if use_ticket_phone:
        data.phone = ticket.citizen_phone if not ticket.anonymous else ""
    try:
        digest = crypto.id_hash(data.id_number)
    except crypto.InvalidIdNumber:
        digest = ""
    existing = Person.objects.filter(id_hash=digest).first() if digest else None
    with transaction.atomic():
        if existing is not None:
            if not rules.ledger_scope(user).covers_code(existing.village_id):
                raise Duplicate(
                    _("此身份证号已在其他村（社区）登记，请联系乡镇帮扶专干核实。"),
                    person_id=existing.pk,
                    visible=False,
                )
            person, created = existing, False
            if TicketLink.objects.filter(person=person, ticket=ticket).exists():
                raise Duplicate(
                    _("此人已在台账中，且已关联该工单。"), person_id=person.pk, visible=True
                )
        else:
            needs = data.needs
            data.needs = ""  # the ticket's need is kept as a need row naming the ticket
            person, created = person_create(user, division, data), True
            data.needs = needs
        link = link_ticket(user, person, ticket, consent, need=data.needs[:NEED_MAX])
    return Registered(person=person, created=created, link=link)
