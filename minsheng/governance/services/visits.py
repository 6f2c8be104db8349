"""包村 and 走访's writes: a cadre assigned to a village (and the assignment ended), and a visit
recorded with the needs heard — each need made a ticket (channel 走访) or a suggestion for the
township's council, at the visitor's choice.

Each function checks who may, validates everything, then writes in one transaction with a
`VisitEvent`; a refusal raises the ticket core's errors with a Chinese message and has written
nothing (a visit whose third need is bad records no visit, no ticket, no suggestion).

Who takes a need's ticket in: the visits' own service account (`visit-desk`, 包村走访受理,
operator only, no usable password), since cadres hold no intake role; the visitor is named in
the ticket's description and in the event. The ticket is taken in only: it waits in the
dispatcher's queue like any other call. A need put before the council is a `Suggestion`
(source 走访, reference `visit:<visit id>:<n>`).

A visit form carries a one-time token: the same form sent again (a retry, a double tap) finds
the visit it recorded and writes nothing.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.governance import visits as selectors
from minsheng.governance.models import (
    Council,
    Suggestion,
    VillageAssignment,
    Visit,
    VisitEvent,
    VisitNeed,
)
from minsheng.governance.services.suggestions import suggestion_add
from minsheng.org.models import Division, Role, RoleGrant, User
from minsheng.textproc.pii import normalize_phone
from minsheng.tickets import actions
from minsheng.tickets.errors import InvalidInput, InvalidTransition, NotAllowed
from minsheng.tickets.models import Category, Channel, Kind

ACCOUNT = "visit-desk"
MAX_NEEDS = 10
MAX_TEXT = 2000
MAX_NOTE = 2000
MAX_HOUSEHOLDS = 10000
MAX_DAYS_BACK = 366
MAX_DAYS_AHEAD = 366
TITLE_CHARS = 30


def record_event(
    *,
    township: Division,
    subject: str,
    subject_id: int | None,
    verb: str,
    actor: User | None,
    data: dict[str, Any] | None = None,
) -> VisitEvent:
    return VisitEvent.objects.create(
        township=township,
        subject=subject,
        subject_id=subject_id,
        verb=verb,
        actor=actor,
        data=data or {},
    )


def visit_actor() -> User:
    """The service account that takes visits' needs in as tickets."""
    user = User.objects.filter(username=ACCOUNT).first()
    if user is None:
        with transaction.atomic():
            user, created = User.objects.get_or_create(
                username=ACCOUNT, defaults={"display_name": "包村走访受理"}
            )
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
            RoleGrant.objects.get_or_create(user=user, role=Role.OPERATOR)
    return user


def _name(user: User) -> str:
    return user.display_name or user.username


def _village(village: Division | None) -> tuple[Division, Division]:
    """The village and its township, or a refusal."""
    if village is None or village.level != Division.Level.VILLAGE:
        raise InvalidInput(_("请选择村（社区）。"), field="village")
    township = selectors.township_of(village)
    if township is None:
        raise InvalidInput(_("该村（社区）没有所属乡镇。"), field="village")
    return village, township


def _date(value: Any, field: str, label: str) -> dt.date:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise InvalidInput(_("请填写%(label)s。") % {"label": label}, field=field)
    return value


# --- Assignments --------------------------------------------------------------------------------


def assignment_add(
    *,
    actor: User,
    person: User,
    village: Division,
    duty: str,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
) -> VillageAssignment:
    """Assign a person to a village for a period (administrators; the township's own staff)."""
    village, township = _village(village)
    if not selectors.can_manage(actor, township):
        raise NotAllowed(_("只有本乡镇的工作人员和管理员可以安排包村。"))
    if person is None or not person.is_active:
        raise InvalidInput(_("请选择在岗的包村人员。"), field="person")
    if duty not in VillageAssignment.Duty.values:
        raise InvalidInput(_("请选择包村职责。"), field="duty")
    starts_on = _date(starts_on, "starts_on", _("开始日期"))
    if ends_on is not None:
        ends_on = _date(ends_on, "ends_on", _("结束日期"))
        if ends_on < starts_on:
            raise InvalidInput(_("结束日期不能早于开始日期。"), field="ends_on")
    today = timezone.localdate()
    if abs((starts_on - today).days) > 5 * 366:
        raise InvalidInput(_("开始日期应在五年以内。"), field="starts_on")
    with transaction.atomic():
        # One person's assignments are checked and written one at a time.
        User.objects.select_for_update().filter(pk=person.pk).first()
        overlapping = VillageAssignment.objects.filter(person=person, village=village).filter(
            _overlapping(starts_on, ends_on)
        )
        if overlapping.exists():
            raise InvalidTransition(_("该人员在这一时段已包此村。"))
        assignment = VillageAssignment.objects.create(
            person=person,
            village=village,
            township=township,
            duty=duty,
            starts_on=starts_on,
            ends_on=ends_on,
            created_by=actor,
        )
        record_event(
            township=township,
            subject="assignment",
            subject_id=assignment.pk,
            verb="assigned",
            actor=actor,
            data={
                "person": person.username,
                "village": village.code,
                "duty": duty,
                "starts_on": starts_on.isoformat(),
                "ends_on": ends_on.isoformat() if ends_on else None,
            },
        )
    return assignment


def _overlapping(starts_on: dt.date, ends_on: dt.date | None) -> Q:
    """Assignments whose period overlaps [starts_on, ends_on] (open-ended when None)."""
    q = Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on)
    if ends_on is not None:
        q &= Q(starts_on__lte=ends_on)
    return q


def assignment_end(
    *, actor: User, assignment: VillageAssignment, ends_on: dt.date
) -> VillageAssignment:
    """End an assignment on `ends_on` (its last day)."""
    ends_on = _date(ends_on, "ends_on", _("结束日期"))
    township = Division.objects.get(pk=assignment.township_id)
    if not selectors.can_manage(actor, township):
        raise NotAllowed(_("只有本乡镇的工作人员和管理员可以安排包村。"))
    with transaction.atomic():
        locked = VillageAssignment.objects.select_for_update().get(pk=assignment.pk)
        today = timezone.localdate()
        if locked.ends_on is not None and locked.ends_on < today:
            raise InvalidTransition(_("该包村安排已结束。"))
        if ends_on < locked.starts_on:
            raise InvalidInput(_("结束日期不能早于开始日期。"), field="ends_on")
        if (ends_on - today).days > MAX_DAYS_AHEAD:
            raise InvalidInput(_("结束日期应在一年以内。"), field="ends_on")
        previous = locked.ends_on
        locked.ends_on = ends_on
        locked.save(update_fields=["ends_on"])
        record_event(
            township=township,
            subject="assignment",
            subject_id=locked.pk,
            verb="ended",
            actor=actor,
            data={
                "ends_on": ends_on.isoformat(),
                "previous": previous.isoformat() if previous else None,
            },
        )
    return locked


# --- Visits -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Need:
    """A need as the visitor typed it, and what to make of it."""

    text: str
    outcome: str  # VisitNeed.Outcome
    category: Category | None = None
    citizen_name: str = ""
    citizen_phone: str = ""


@dataclass(frozen=True)
class Recorded:
    visit: Visit
    repeated: bool  # an earlier copy of the same form recorded it; nothing written this time


def _check_need(n: int, need: Need, council: Council | None) -> Need:
    text = (need.text or "").strip()
    where = {"n": n}
    if not text:
        raise InvalidInput(_("第 %(n)s 条诉求：请填写内容。") % where, field="needs")
    if len(text) > MAX_TEXT:
        raise InvalidInput(
            _("第 %(n)s 条诉求：内容不能超过 %(max)s 字。") % {**where, "max": MAX_TEXT},
            field="needs",
        )
    if need.outcome not in VisitNeed.Outcome.values:
        raise InvalidInput(_("第 %(n)s 条诉求：请选择转工单或提交议事会。") % where, field="needs")
    if need.outcome == VisitNeed.Outcome.SUGGESTION and council is None:
        raise InvalidInput(
            _("第 %(n)s 条诉求：该乡镇尚未设立民生议事会，请转工单。") % where, field="needs"
        )
    category = need.category
    if category is not None and (
        not category.is_active or Category.objects.filter(parent=category).exists()
    ):
        raise InvalidInput(_("第 %(n)s 条诉求：请选择最末一级的分类。") % where, field="needs")
    name = (need.citizen_name or "").strip()
    if len(name) > 50:
        raise InvalidInput(_("第 %(n)s 条诉求：姓名太长了。") % where, field="needs")
    phone = ""
    if (need.citizen_phone or "").strip():
        phone = normalize_phone(need.citizen_phone) or ""
        if not phone:
            raise InvalidInput(
                _("第 %(n)s 条诉求：联系电话格式不正确（11 位手机号或带区号的固定电话）。") % where,
                field="needs",
            )
    return Need(
        text=text, outcome=need.outcome, category=category, citizen_name=name, citizen_phone=phone
    )


def _earlier(actor: User, token: uuid.UUID | None) -> Visit | None:
    if token is None:
        return None
    found = Visit.objects.filter(token=token).first()
    if found is not None and found.visitor_id != actor.pk:
        raise InvalidInput(_("此表单已由他人提交过，请刷新后重新填写。"))
    return found


def visit_record(
    *,
    actor: User,
    village: Division,
    date: dt.date,
    households: int,
    note: str = "",
    needs: Sequence[Need] = (),
    token: uuid.UUID | None = None,
) -> Recorded:
    """Record a visit by `actor` (who must hold an assignment covering the village on that day,
    or be an administrator) and turn each need into a ticket or a suggestion."""
    earlier = _earlier(actor, token)
    if earlier is not None:
        return Recorded(earlier, repeated=True)
    village, township = _village(village)
    date = _date(date, "date", _("走访日期"))
    today = timezone.localdate()
    if date > today:
        raise InvalidInput(_("走访日期不能晚于今天。"), field="date")
    if (today - date).days > MAX_DAYS_BACK:
        raise InvalidInput(_("只能补记一年以内的走访。"), field="date")
    if not (
        actor.is_authenticated
        and actor.is_active
        and (actor.has_role(Role.ADMINISTRATOR) or selectors.assigned_on(actor, village, date))
    ):
        raise NotAllowed(_("您在走访当日没有包这个村，不能记录走访。"))
    if isinstance(households, bool) or not isinstance(households, int):
        raise InvalidInput(_("请填写走访户数。"), field="households")
    if not 0 <= households <= MAX_HOUSEHOLDS:
        raise InvalidInput(
            _("走访户数应在 0 到 %(n)s 之间。") % {"n": MAX_HOUSEHOLDS}, field="households"
        )
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise InvalidInput(_("走访情况不能超过 %(n)s 字。") % {"n": MAX_NOTE}, field="note")
    if len(needs) > MAX_NEEDS:
        raise InvalidInput(_("一次走访最多记录 %(n)s 条诉求。") % {"n": MAX_NEEDS}, field="needs")
    council = Council.objects.filter(division=township).select_related("division").first()
    checked = [_check_need(n, need, council) for n, need in enumerate(needs, 1)]
    desk = visit_actor() if any(n.outcome == VisitNeed.Outcome.TICKET for n in checked) else None
    try:
        with transaction.atomic():
            visit = Visit.objects.create(
                visitor=actor,
                village=village,
                township=township,
                date=date,
                households=households,
                note=note,
                token=token,
            )
            made = [
                _make_need(visit, n, need, actor=actor, desk=desk, council=council)
                for n, need in enumerate(checked, 1)
            ]
            record_event(
                township=township,
                subject="visit",
                subject_id=visit.pk,
                verb="recorded",
                actor=actor,
                data={
                    "village": village.code,
                    "date": date.isoformat(),
                    "households": households,
                    "needs": made,
                },
            )
    except IntegrityError:
        # The same form, sent twice at once: the other copy recorded it.
        again = _earlier(actor, token)
        if again is None:
            raise
        return Recorded(again, repeated=True)
    return Recorded(visit, repeated=False)


def _make_need(
    visit: Visit,
    n: int,
    need: Need,
    *,
    actor: User,
    desk: User | None,
    council: Council | None,
) -> dict[str, Any]:
    row = VisitNeed(
        visit=visit,
        township=visit.township,
        date=visit.date,
        position=n,
        text=need.text,
        category=need.category,
        citizen_name=need.citizen_name,
        citizen_phone=need.citizen_phone,
        outcome=need.outcome,
    )
    village = visit.village
    if need.outcome == VisitNeed.Outcome.TICKET:
        assert desk is not None
        title = need.text if len(need.text) <= TITLE_CHARS else need.text[:TITLE_CHARS] + "…"
        header = (
            f"【包村走访】{visit.township.name}{village.name} {visit.date:%Y-%m-%d} "
            f"走访人：{_name(actor)}"
        )
        row.ticket = actions.ticket_intake(
            actor=desk,
            channel=Channel.VISIT,
            kind=Kind.HELP,
            title=title,
            description=f"{header}\n{need.text}",
            citizen_name=need.citizen_name,
            citizen_phone=need.citizen_phone,
            category=need.category,
            division=village,
        )
        row.save()
        return {"n": n, "outcome": need.outcome, "ticket": row.ticket.number}
    assert council is not None
    suggestion = suggestion_add(
        actor=actor,
        council=council,
        text=need.text,
        source=Suggestion.Source.VISIT,
        village=village,
        category=need.category,
        contributor=need.citizen_name,
        reference=f"visit:{visit.pk}:{n}",
        checked=True,
    )
    row.suggestion = suggestion
    row.save()
    return {"n": n, "outcome": need.outcome, "suggestion": suggestion.pk}
