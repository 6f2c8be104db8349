"""意见建议's writes: a suggestion put before a township's council (from a 走访 visit or a bulk
intake), and its settling — decided on (a decision answers it: `council_decide(suggestions=…)`),
made a ticket, or set aside with a reason.

Each write checks who may, validates everything, then writes, with a `CouncilEvent` in the same
transaction; a refusal raises the ticket core's errors with a Chinese message and writes nothing.
A suggestion with a `reference` (its origin: a visit's need, an import's row) is added once: a
second call with the same reference returns the first row unchanged.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.governance import councils as selectors
from minsheng.governance.models import Council, Suggestion
from minsheng.governance.services.councils import record_event
from minsheng.org.models import Division, Role, User
from minsheng.tickets.errors import InvalidInput, InvalidTransition, NotAllowed
from minsheng.tickets.models import Category, Ticket

MAX_TEXT = 2000
MAX_NOTE = 500
# Who may put a suggestion before any council: the hotline's desk and leaders; the township's
# own staff may for their own council (`councils.can_run`); cadres assigned to a village
# (包村) may through their visit log, whose service checks the assignment and passes
# `checked=True`.
SUGGEST_ROLES = (Role.ADMINISTRATOR, Role.LEADER, Role.DISPATCHER, Role.OPERATOR)


def may_suggest(actor: User, council: Council) -> bool:
    if not actor.is_authenticated or not actor.is_active:
        return False
    return actor.has_role(*SUGGEST_ROLES) or selectors.can_run(actor, council)


def clean_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise InvalidInput(_("请填写意见建议的内容。"), field="text")
    if len(text) > MAX_TEXT:
        raise InvalidInput(_("意见建议不能超过 %(n)s 字。") % {"n": MAX_TEXT}, field="text")
    return text


def check_village(council: Council, village: Division | None) -> None:
    if village is None:
        return
    if not (
        village.code == council.division_id or village.code.startswith(council.division.short_code)
    ):
        raise InvalidInput(_("所选村（社区）不属于本乡镇。"), field="village")


def suggestion_add(
    *,
    actor: User,
    council: Council,
    text: str,
    source: str,
    village: Division | None = None,
    category: Category | None = None,
    contributor: str = "",
    reference: str = "",
    checked: bool = False,
) -> Suggestion:
    """Put a suggestion on the council's next agendas. `checked`: the caller (a visit's
    service) has already checked that the actor may."""
    if not checked and not may_suggest(actor, council):
        raise NotAllowed(_("您无权向该乡镇的民生议事会提交意见建议。"))
    if source not in Suggestion.Source.values:
        raise InvalidInput(_("来源无效。"), field="source")
    text = clean_text(text)
    check_village(council, village)
    reference = (reference or "").strip()[:80]
    if reference:
        found = Suggestion.objects.filter(council=council, reference=reference).first()
        if found is not None:
            return found
    try:
        with transaction.atomic():
            suggestion = Suggestion.objects.create(
                council=council,
                village=village,
                text=text,
                category=category,
                source=source,
                reference=reference,
                contributor=(contributor or "").strip()[:50],
                created_by=actor,
            )
            record_event(
                council=council,
                subject="suggestion",
                subject_id=suggestion.pk,
                verb="suggested",
                actor=actor,
                note=text[:200],
                data={"source": source, "village": village.code if village else ""},
            )
    except IntegrityError:
        # The same origin was added by a concurrent request: return that row.
        return Suggestion.objects.get(council=council, reference=reference)
    return suggestion


def _lock_open(suggestion: Suggestion) -> Suggestion:
    locked = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    if locked.status != Suggestion.Status.OPEN:
        raise InvalidTransition(_("该意见建议已处理。"))
    return locked


@transaction.atomic
def suggestion_decline(*, actor: User, suggestion: Suggestion, note: str) -> Suggestion:
    """The council sets a suggestion aside, saying why."""
    council = Council.objects.select_related("division", "unit").get(pk=suggestion.council_id)
    if not selectors.can_run(actor, council):
        raise NotAllowed(_("只有本乡镇的工作人员和管理员可以操作民生议事会。"))
    note = (note or "").strip()
    if not note:
        raise InvalidInput(_("请说明不予采纳的理由。"), field="note")
    if len(note) > MAX_NOTE:
        raise InvalidInput(_("说明不能超过 %(n)s 字。") % {"n": MAX_NOTE}, field="note")
    locked = _lock_open(suggestion)
    locked.status = Suggestion.Status.DECLINED
    locked.note = note
    locked.settled_at = timezone.now()
    locked.save(update_fields=["status", "note", "settled_at"])
    record_event(
        council=council,
        subject="suggestion",
        subject_id=locked.pk,
        verb="declined",
        actor=actor,
        note=note[:200],
    )
    return locked


def suggestion_ticketed(*, suggestion: Suggestion, ticket: Ticket, actor: User) -> Suggestion:
    """Inside the caller's transaction (a visit's or an import's service that took the ticket
    in): the suggestion became that ticket."""
    locked = _lock_open(suggestion)
    locked.status = Suggestion.Status.TICKET
    locked.ticket = ticket
    locked.settled_at = timezone.now()
    locked.save(update_fields=["status", "ticket", "settled_at"])
    record_event(
        council=Council.objects.get(pk=locked.council_id),
        subject="suggestion",
        subject_id=locked.pk,
        verb="ticketed",
        actor=actor,
        data={"ticket": ticket.number},
    )
    return locked
