"""民生议事会's writes: a township's council, a meeting opened with its drafted agenda, recorded
(chair, attendees, minutes; held: the agenda frozen), and its decisions, each decomposed into work
for the township's units — tickets (channel 议事会) taken in and dispatched through
`minsheng.tickets.actions`, linked to the decision and to the demands it answers.

Each function: lock, check who may (`councils.can_run`), validate everything, then write, with a
`CouncilEvent` in the same transaction. A refusal raises the ticket core's errors with a Chinese
message and has written nothing.

Who takes the work in and dispatches it: the councils' own service account (`council-desk`,
民生议事会交办, operator and dispatcher, no usable password), as the villages' questions do; the
township's secretary who recorded the decision is named in the ticket's description and in the
event. The ticket core takes no explicit deadline: its deadlines follow the deadline policy; the
council's date goes in the dispatch's instructions and on `DecisionWork.due_date`, against which
the agenda judges the work on time or late.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.governance import councils as selectors
from minsheng.governance.models import (
    AgendaItem,
    Council,
    CouncilEvent,
    Decision,
    DecisionWork,
    Meeting,
    Suggestion,
)
from minsheng.org.models import Division, Role, RoleGrant, Unit, User
from minsheng.tickets import actions
from minsheng.tickets.errors import InvalidInput, InvalidTransition, NotAllowed, StaleTicket
from minsheng.tickets.models import Channel, Kind, Ticket

ACCOUNT = "council-desk"
MAX_WORKS = 5
MAX_DEMANDS = 50
MAX_TEXT = 2000
MAX_MINUTES = 20000
MAX_TITLE = 100
MAX_DUE_DAYS = 366

Work = tuple[Unit | int | str, dt.date, str, str]  # (unit, deadline, title, description)


def record_event(
    *,
    council: Council,
    subject: str,
    subject_id: int | None,
    verb: str,
    actor: User | None,
    note: str = "",
    data: dict[str, Any] | None = None,
) -> CouncilEvent:
    return CouncilEvent.objects.create(
        council=council,
        subject=subject,
        subject_id=subject_id,
        verb=verb,
        actor=actor,
        note=note[:500],
        data=data or {},
    )


def council_actor() -> User:
    """The service account that takes a decision's work in and dispatches it."""
    user = User.objects.filter(username=ACCOUNT).first()
    if user is None:
        with transaction.atomic():
            user, created = User.objects.get_or_create(
                username=ACCOUNT, defaults={"display_name": "民生议事会交办"}
            )
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
            for role in (Role.OPERATOR, Role.DISPATCHER):
                RoleGrant.objects.get_or_create(user=user, role=role)
    return user


def _check_run(actor: User, council: Council) -> None:
    if not selectors.can_run(actor, council):
        raise NotAllowed(_("只有本乡镇的工作人员和管理员可以操作民生议事会。"))


# --- Council -----------------------------------------------------------------------------------


@transaction.atomic
def council_create(*, actor: User, division: Division, unit: Unit, weekday: int = 0) -> Council:
    """A township's council (administrators): its division and its government unit."""
    if not actor.has_role(Role.ADMINISTRATOR):
        raise NotAllowed(_("只有管理员可以设立民生议事会。"))
    if division.level != Division.Level.TOWNSHIP:
        raise InvalidInput(_("民生议事会按乡镇设立，请选择乡镇。"), field="division")
    if unit.kind != Unit.Kind.TOWNSHIP:
        raise InvalidInput(_("请选择乡镇人民政府。"), field="unit")
    if not 0 <= weekday <= 6:
        raise InvalidInput(_("例会日无效。"), field="weekday")
    if Council.objects.filter(division=division).exists():
        raise InvalidTransition(_("该乡镇已设立民生议事会。"))
    council = Council.objects.create(division=division, unit=unit, weekday=weekday)
    record_event(
        council=council, subject="council", subject_id=council.pk, verb="created", actor=actor
    )
    return council


# --- Meetings ----------------------------------------------------------------------------------


def _snapshot(meeting: Meeting, agenda: selectors.Agenda) -> int:
    """Replace the meeting's agenda lines with the drafted agenda's."""
    meeting.agenda_items.all().delete()
    rows: list[AgendaItem] = []
    kind = AgendaItem.Kind

    def add(k: str, label: str, count: int = 1, ticket_id: int | None = None, **data: Any) -> None:
        rows.append(
            AgendaItem(
                meeting=meeting,
                kind=k,
                position=len(rows),
                label=label[:300],
                count=count,
                ticket_id=ticket_id,
                data=data,
            )
        )

    for g in agenda.groups:
        add(
            kind.NEW_DEMANDS,
            f"{g.village or '乡镇'} · {g.category}",
            g.count,
            numbers=list(g.numbers),
        )
    for h in agenda.hot:
        add(kind.HOT_SPOT, h.label, h.count, ids=list(h.ticket_ids))
    for t in agenda.overdue:
        add(kind.OVERDUE, f"{t.number} {t.title}", 1, t.pk)
    for t in agenda.unsatisfied:
        add(kind.UNSATISFIED, f"{t.number} {t.title}", 1, t.pk)
    for r in agenda.repeat:
        last = r.last_ticket
        add(
            kind.REPEAT_CALLER,
            f"{r.phone} · {r.count}",
            r.count,
            last.pk if last else None,
            phone=r.phone,
        )
    for c in agenda.carry:
        w = c.work
        add(
            kind.CARRY_OVER,
            f"{w.ticket.number} {w.ticket.title}",
            1,
            w.ticket_id,
            state=c.state,
            unit=w.unit.name,
            due=w.due_date.isoformat(),
            meeting=w.decision.meeting.date.isoformat(),
        )
    for t in agenda.questions:
        add(kind.QUESTION, f"{t.number} {t.title}", 1, t.pk)
    for sug in agenda.suggestions:
        place = sug.village.name if sug.village else ""
        add(
            kind.SUGGESTION,
            f"{place} · {sug.text}" if place else sug.text,
            1,
            suggestion=sug.pk,
            source=sug.get_source_display(),
        )
    AgendaItem.objects.bulk_create(rows)
    return len(rows)


def council_meeting_open(*, actor: User, council: Council, date: dt.date) -> Meeting:
    """A meeting on `date` (draft), with its agenda drafted from the tickets since the last
    meeting and stored as a snapshot."""
    _check_run(actor, council)
    if not isinstance(date, dt.date):
        raise InvalidInput(_("请填写会议日期。"), field="date")
    today = timezone.localdate()
    if abs((date - today).days) > MAX_DUE_DAYS:
        raise InvalidInput(_("会议日期应在一年以内。"), field="date")
    with transaction.atomic():
        Council.objects.select_for_update().filter(pk=council.pk).first()
        if Meeting.objects.filter(council=council, date=date).exists():
            raise InvalidTransition(_("这一天已有会议。"))
        since, until = selectors.agenda_period(council, date)
        agenda = selectors.draft_agenda(council, since=since, until=until)
        meeting = Meeting.objects.create(council=council, date=date, since=since)
        lines = _snapshot(meeting, agenda)
        record_event(
            council=council,
            subject="meeting",
            subject_id=meeting.pk,
            verb="opened",
            actor=actor,
            note=date.isoformat(),
            data={"since": since.isoformat(), "lines": lines},
        )
    return meeting


def _lock_meeting(meeting: Meeting, expected_revision: int | None) -> Meeting:
    locked = (
        Meeting.objects.select_for_update()
        .select_related("council__division", "council__unit")
        .filter(pk=meeting.pk)
        .first()
    )
    if locked is None:
        raise InvalidTransition(_("会议不存在。"))
    if expected_revision is not None and locked.revision != expected_revision:
        raise StaleTicket(_("会议记录已被他人修改，请刷新后重试。"))
    return locked


def _text(value: str, field: str, label: str, limit: int, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput(_("请填写%(label)s。") % {"label": label}, field=field)
    if len(value) > limit:
        raise InvalidInput(
            _("%(label)s太长了（最多 %(n)s 字）。") % {"label": label, "n": limit}, field=field
        )
    return value


@transaction.atomic
def council_meeting_record(
    *,
    actor: User,
    meeting: Meeting,
    chair: str,
    attendees: str,
    minutes: str,
    held: bool = False,
    expected_revision: int | None = None,
) -> Meeting:
    """The meeting's chair, attendees and minutes; `held` marks it held, when its agenda is
    drafted once more and frozen (a held meeting's agenda never changes again)."""
    locked = _lock_meeting(meeting, expected_revision)
    _check_run(actor, locked.council)
    chair = _text(chair, "chair", _("主持人"), 50, required=held)
    attendees = _text(attendees, "attendees", _("参会人员"), 2000, required=held)
    minutes = _text(minutes, "minutes", _("会议纪要"), MAX_MINUTES, required=False)
    becomes_held = held and locked.status == Meeting.Status.DRAFT
    if not held and locked.status == Meeting.Status.HELD:
        raise InvalidTransition(_("会议已召开，不能改回筹备中。"))
    locked.chair, locked.attendees, locked.minutes = chair, attendees, minutes
    locked.revision += 1
    fields = ["chair", "attendees", "minutes", "revision"]
    if becomes_held:
        locked.status = Meeting.Status.HELD
        locked.held_at = timezone.now()
        fields += ["status", "held_at"]
        agenda = selectors.draft_agenda(locked.council, since=locked.since, until=locked.date)
        _snapshot(locked, agenda)
    locked.save(update_fields=fields)
    record_event(
        council=locked.council,
        subject="meeting",
        subject_id=locked.pk,
        verb="held" if becomes_held else "recorded",
        actor=actor,
        note=chair,
    )
    return locked


# --- Decisions ----------------------------------------------------------------------------------


def _unit(value: Unit | int | str, allowed: dict[int, Unit]) -> Unit:
    if isinstance(value, Unit):
        pk: int | None = value.pk
    else:
        try:
            pk = int(value)
        except (TypeError, ValueError):
            pk = next((u.pk for u in allowed.values() if u.code == value), None)
    if pk is None or pk not in allowed:
        raise InvalidInput(_("只能交办给本乡镇的站所、执法队和村委会。"), field="works")
    return allowed[pk]


def council_decide(
    *,
    actor: User,
    meeting: Meeting,
    text: str,
    demands: Sequence[int] = (),
    works: Sequence[Work] = (),
    suggestions: Sequence[int] = (),
) -> Decision:
    """A decision of the meeting: its text, the demands (the township's tickets) it answers, and
    its work — each a ticket (channel 议事会) taken in and dispatched to a unit of the township,
    due on the given date."""
    council = Council.objects.select_related("division", "unit").get(pk=meeting.council_id)
    _check_run(actor, council)
    text = _text(text, "text", _("决定事项"), MAX_TEXT)
    # The demands: distinct ids of the township's tickets.
    demand_ids: list[int] = []
    for raw in demands:
        try:
            pk = int(raw)
        except (TypeError, ValueError):
            raise InvalidInput(_("诉求工单编号无效。"), field="demands") from None
        if pk not in demand_ids:
            demand_ids.append(pk)
    if len(demand_ids) > MAX_DEMANDS:
        raise InvalidInput(
            _("一项决定最多关联 %(n)s 件诉求。") % {"n": MAX_DEMANDS}, field="demands"
        )
    found = dict(
        Ticket.objects.filter(selectors.township_q(council), pk__in=demand_ids).values_list(
            "pk", "number"
        )
    )
    missing = [pk for pk in demand_ids if pk not in found]
    if missing:
        raise InvalidInput(
            _("工单 %(ids)s 不是本乡镇的诉求。") % {"ids": ", ".join(map(str, missing))},
            field="demands",
        )
    # The suggestions (走访 and collected) it answers: open ones of this council.
    suggestion_ids: list[int] = []
    for raw in suggestions:
        try:
            pk = int(raw)
        except (TypeError, ValueError):
            raise InvalidInput(_("意见建议编号无效。"), field="suggestions") from None
        if pk not in suggestion_ids:
            suggestion_ids.append(pk)
    if len(suggestion_ids) > MAX_DEMANDS:
        raise InvalidInput(
            _("一项决定最多关联 %(n)s 条意见建议。") % {"n": MAX_DEMANDS}, field="suggestions"
        )
    open_ids = set(
        Suggestion.objects.filter(
            council=council, pk__in=suggestion_ids, status=Suggestion.Status.OPEN
        ).values_list("pk", flat=True)
    )
    missing = [pk for pk in suggestion_ids if pk not in open_ids]
    if missing:
        raise InvalidInput(
            _("意见建议 %(ids)s 不是本乡镇待议的意见建议。")
            % {"ids": ", ".join(map(str, missing))},
            field="suggestions",
        )
    # The works, checked whole before anything is written.
    if len(works) > MAX_WORKS:
        raise InvalidInput(_("一项决定最多交办 %(n)s 项工作。") % {"n": MAX_WORKS}, field="works")
    allowed = {u.pk: u for u in selectors.township_units(council)}
    checked: list[tuple[Unit, dt.date, str, str]] = []
    for number, (unit_value, due, title, description) in enumerate(works, 1):
        unit = _unit(unit_value, allowed)
        if not isinstance(due, dt.date):
            raise InvalidInput(
                _("第 %(n)s 项工作：请填写完成期限。") % {"n": number}, field="works"
            )
        if due < meeting.date or (due - meeting.date).days > MAX_DUE_DAYS:
            raise InvalidInput(
                _("第 %(n)s 项工作：完成期限应在会议之后一年以内。") % {"n": number},
                field="works",
            )
        title = _text(title, "works", _("工作标题"), MAX_TITLE)
        description = _text(description, "works", _("工作要求"), MAX_TEXT, required=False)
        checked.append((unit, due, title, description))
    desk = council_actor()
    with transaction.atomic():
        locked = _lock_meeting(meeting, None)
        decision = Decision.objects.create(meeting=locked, text=text, created_by=actor)
        if demand_ids:
            decision.demands.set(demand_ids)
        if suggestion_ids:
            Suggestion.objects.filter(pk__in=suggestion_ids, status=Suggestion.Status.OPEN).update(
                status=Suggestion.Status.DECIDED, decision=decision, settled_at=timezone.now()
            )
        made = []
        for unit, due, title, description in checked:
            header = (
                f"【民生议事会交办】{council.division.name} {locked.date:%Y-%m-%d} 会议决定：{text}"
            )
            body = "\n".join(
                part
                for part in (
                    header,
                    description,
                    f"完成期限：{due:%Y-%m-%d}",
                    f"记录人：{actor.display_name or actor.username}",
                )
                if part
            )
            ticket = actions.ticket_intake(
                actor=desk,
                channel=Channel.COUNCIL,
                kind=Kind.HELP,
                title=title,
                description=body,
                division=council.division,
            )
            ticket = actions.ticket_dispatch(
                ticket=ticket,
                actor=desk,
                lead_unit=unit,
                instructions=f"民生议事会交办，请于 {due:%Y-%m-%d} 前办结并答复。",
            )
            DecisionWork.objects.create(decision=decision, ticket=ticket, unit=unit, due_date=due)
            made.append({"ticket": ticket.number, "unit": unit.code, "due": due.isoformat()})
        record_event(
            council=council,
            subject="decision",
            subject_id=decision.pk,
            verb="decided",
            actor=actor,
            note=text[:200],
            data={
                "meeting": locked.pk,
                "demands": [found[pk] for pk in demand_ids],
                "suggestions": suggestion_ids,
                "works": made,
            },
        )
    return decision
