"""Every change to a ticket: one function each, keyword-only, permission-checked, transactional,
writing its timeline event in the same transaction. Views, APIs, admin actions and the worker
call these; nothing else sets `Ticket.status`.

Concurrency: each action locks the ticket row (`select_for_update`; on SQLite the IMMEDIATE
transaction mode serialises writers instead) and re-reads it, so the state checks see the truth.
Callers that show a page may pass `expected_version`; a page that went stale is refused with
StaleTicket instead of acting on what the user no longer sees. Two dispatchers racing: one wins,
the other gets InvalidTransition ("已派单").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any, NamedTuple

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minsheng.core.bulk import array_literal, insert_one, insert_rows, int_array_literal
from minsheng.deadlines import schedule
from minsheng.deadlines.models import DeadlineAlarm
from minsheng.org.models import HOTLINE_ROLES, Division, Role, Unit, User
from minsheng.org.scoping import scope_for
from minsheng.textproc.pii import is_valid_id_number, normalize_phone
from minsheng.tickets import notifications
from minsheng.tickets.errors import InvalidInput, InvalidTransition, NotAllowed, StaleTicket
from minsheng.tickets.models import (
    OPEN_STATUSES,
    Assignment,
    Attachment,
    Callback,
    Category,
    Channel,
    CloseReason,
    ExtensionRequest,
    Kind,
    KnowledgeArticle,
    Praise,
    ReplyResult,
    Satisfaction,
    Status,
    Supervision,
    Ticket,
    TicketEvent,
    TicketSequence,
    Urgency,
)

INTAKE_ROLES = (Role.OPERATOR, Role.DISPATCHER, Role.ADMINISTRATOR)
DISPATCH_ROLES = (Role.DISPATCHER, Role.ADMINISTRATOR)
CALLBACK_ROLES = (Role.OPERATOR, Role.DISPATCHER, Role.SUPERVISOR, Role.ADMINISTRATOR)
SUPERVISE_ROLES = (Role.SUPERVISOR, Role.ADMINISTRATOR)
UNIT_ACTOR_ROLES = (Role.HANDLER, Role.UNIT_LEADER)

# Display labels (lazy: these dicts are built at import, before any language is active).
EMERGENCY_SERVICES = {
    "110": gettext_lazy("公安报警"),
    "119": gettext_lazy("火警"),
    "120": gettext_lazy("医疗急救"),
    "122": gettext_lazy("交通事故"),
}
LEGAL_CHANNELS = {
    "litigation": gettext_lazy("诉讼"),
    "arbitration": gettext_lazy("仲裁"),
    "petition": gettext_lazy("信访"),
    "review": gettext_lazy("行政复议"),
    "disclosure": gettext_lazy("政府信息公开"),
}
CONTACT_METHODS = {
    "phone": gettext_lazy("电话"),
    "sms": gettext_lazy("短信"),
    "visit": gettext_lazy("上门"),
    "other": gettext_lazy("其他"),
}
MAX_TEXT = 4000
MAX_EXTENSION_DAYS = 30


def max_rounds() -> int:
    return int(settings.MINSHENG_MAX_ROUNDS)


# ---------------------------------------------------------------------------------------------
# Shared steps


def _require_roles(actor: User, roles: Iterable[str], what: str) -> None:
    if not actor.is_active or not actor.has_role(*roles):
        raise NotAllowed(_("您没有权限%(what)s。") % {"what": what})


def _text(
    value: str, field: str, label: str, *, required: bool = True, limit: int = MAX_TEXT
) -> str:
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput(_("请填写%(label)s。") % {"label": label}, field=field)
    if len(value) > limit:
        raise InvalidInput(
            _("%(label)s不能超过 %(limit)s 个字。") % {"label": label, "limit": limit}, field=field
        )
    return value


def _lock(ticket: Ticket, expected_version: int | None) -> Ticket:
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleTicket(
            _("工单 %(number)s 已被他人处理，请刷新页面后再操作。") % {"number": locked.number}
        )
    return locked


def _require_status(ticket: Ticket, allowed: Iterable[str], what: str) -> None:
    if ticket.status not in allowed:
        raise InvalidTransition(
            _("工单当前状态为“%(status)s”，不能%(what)s。")
            % {"status": ticket.get_status_display(), "what": what}
        )


def _event(
    ticket: Ticket,
    actor: User | None,
    action: str,
    *,
    old_status: str = "",
    note: str = "",
    unit: Unit | None = None,
    public: bool = False,
    **data: Any,
) -> TicketEvent:
    event = TicketEvent(
        ticket=ticket,
        actor=actor,
        action=action,
        old_status=old_status,
        new_status=ticket.status if old_status else "",
        note=note,
        unit=unit,
        public=public,
        data=data,
    )
    insert_one(event)
    return event


DEADLINE_FIELDS = (
    "dispatch_started_at",
    "dispatch_due",
    "dispatched_at",
    "sign_due",
    "contact_due",
    "reply_due",
    "callback_due",
    "deadlines_provisional",
    "paused_at",
)


def _next_check(ticket: Ticket) -> dt.datetime | None:
    """The earliest alarm the worker has not raised yet: when it must next look at the ticket."""
    lead = _lead(ticket) if ticket.status in (Status.DISPATCHED, Status.IN_PROGRESS) else None
    fired = set(
        DeadlineAlarm.objects.filter(ticket=ticket, round=ticket.round).values_list(
            "deadline", "level", "due_at"
        )
    )
    return schedule.next_check(ticket, contacted=bool(lead and lead.contacted_at), fired=fired)


def _save(ticket: Ticket, *fields: str) -> None:
    """Every service ends here: version bumped, one UPDATE of the ticket, and the worker's next
    check re-planned (one upsert, which adds no row version when the time stays;
    deadlines.schedule.save_checks)."""
    ticket.version += 1
    ticket.save(update_fields=[*fields, *DEADLINE_FIELDS, "version", "updated_at"])
    schedule.save_checks([(ticket.pk, _next_check(ticket))])


def _active_assignments(ticket: Ticket) -> list[Assignment]:
    return list(
        ticket.assignments.filter(round=ticket.round)
        .exclude(state=Assignment.State.CANCELLED)
        .select_related("unit")
    )


def _lead(ticket: Ticket) -> Assignment | None:
    return next((a for a in _active_assignments(ticket) if a.role == Assignment.Role.LEAD), None)


def actor_parts(actor: User, parts: Iterable[Assignment]) -> list[Assignment]:
    """The parts among `parts` that the actor may act on: handlers and unit leaders act for
    their own unit and for sub-tasks given to units beneath theirs."""
    if not actor.is_active or not actor.has_role(*UNIT_ACTOR_ROLES):
        return []
    scope = scope_for(actor)
    return [a for a in parts if scope.covers_unit_path(a.unit.path)]


def pick_part(actor: User, parts: Iterable[Assignment], states: Sequence[str]) -> Assignment | None:
    """The part an action by `actor` applies to, among parts in `states`: the actor's own unit
    first, then the nearest unit above. Pages use it to offer exactly the actions that work."""
    candidates = [a for a in actor_parts(actor, parts) if a.state in states]
    candidates.sort(key=lambda a: (a.unit_id != actor.unit_id, len(a.unit.path)))
    return candidates[0] if candidates else None


def reply_blocker(ticket: Ticket, part: Assignment, parts: Iterable[Assignment]) -> str | None:
    """Why `part` cannot reply yet (open sub-tasks, citizen not contacted), or None."""
    open_subtasks = [
        a for a in parts if a.parent_id == part.pk and a.state != Assignment.State.REPLIED
    ]
    if open_subtasks:
        return _("下派任务尚未全部答复：%(units)s。") % {
            "units": "、".join(a.unit.name for a in open_subtasks)
        }
    if part.role == Assignment.Role.LEAD and ticket.citizen_phone and part.contacted_at is None:
        return _("请先联系诉求人并登记，再答复。")
    return None


def _assignment_for(
    ticket: Ticket, actor: User, states: Sequence[str], what: str, assignment_id: int | None = None
) -> Assignment:
    """The part of this ticket the actor's unit holds, in one of `states`, or a refusal that
    says why (not a unit user, not your ticket, or your part is in another state)."""
    if not actor.is_active or not actor.has_role(*UNIT_ACTOR_ROLES):
        raise NotAllowed(_("只有承办单位的人员才能%(what)s。") % {"what": what})
    mine = actor_parts(actor, _active_assignments(ticket))
    if assignment_id is not None:
        mine = [a for a in mine if a.pk == assignment_id]
    if not mine:
        raise NotAllowed(_("该工单没有派给您的单位，不能%(what)s。") % {"what": what})
    part = pick_part(actor, mine, states)
    if part is None:
        raise InvalidTransition(
            _("您单位的任务当前为“%(state)s”，不能%(what)s。")
            % {"state": mine[0].get_state_display(), "what": what}
        )
    return part


def _units(codes_or_units: Iterable[Unit | str]) -> list[Unit]:
    units: list[Unit] = []
    for item in codes_or_units:
        unit = (
            item
            if isinstance(item, Unit)
            else Unit.objects.filter(code=item, is_active=True).first()
        )
        if unit is None or not unit.is_active:
            raise InvalidInput(
                _("承办单位 %(code)s 不存在或已停用。") % {"code": item}, field="unit"
            )
        if unit not in units:
            units.append(unit)
    return units


def _create_assignments(
    ticket: Ticket, lead: Unit, assisting: Sequence[Unit], instructions: str
) -> None:
    if lead in assisting:
        raise InvalidInput(_("主办单位不能同时作为协办单位。"), field="assisting_units")
    if lead.kind == Unit.Kind.HOTLINE or any(u.kind == Unit.Kind.HOTLINE for u in assisting):
        raise InvalidInput(_("不能派给热线中心本身。"), field="lead_unit")
    Assignment.objects.bulk_create(
        [
            Assignment(
                ticket=ticket,
                unit=lead,
                role=Assignment.Role.LEAD,
                round=ticket.round,
                instructions=instructions,
            ),
            *[
                Assignment(
                    ticket=ticket,
                    unit=u,
                    role=Assignment.Role.ASSIST,
                    round=ticket.round,
                    instructions=instructions,
                )
                for u in assisting
            ],
        ]
    )
    ticket.lead_unit = lead


def _cancel(assignments: Iterable[Assignment]) -> None:
    ids = [a.pk for a in assignments]
    # Sub-tasks go with the part they were cut from.
    Assignment.objects.filter(pk__in=ids).update(state=Assignment.State.CANCELLED)
    Assignment.objects.filter(parent_id__in=ids).update(state=Assignment.State.CANCELLED)


def _next_number(now: dt.datetime) -> str:
    """YYMMDD + a daily sequence of at least four digits: short enough to read out on the phone.

    One upsert (the day's row created by the first intake, counted up by the others) that
    returns the new count: a single round trip. It locks the day's row until the transaction
    ends, which serialises intakes, so callers take the number as late as they can. Because the
    count is part of the transaction, a failed intake gives its number back: a day's numbers
    stay gapless.
    """
    day = timezone.localtime(now).date()
    table = connection.ops.quote_name(TicketSequence._meta.db_table)
    with connection.cursor() as cursor:
        # Both PostgreSQL and SQLite (3.35+) speak INSERT … ON CONFLICT … RETURNING; the ORM
        # cannot say "+ 1 on conflict" and return the result in one statement.
        cursor.execute(
            f"INSERT INTO {table} (day, last) VALUES (%s, 1) "  # noqa: S608 (our table name)
            f"ON CONFLICT (day) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [day],
        )
        (last,) = cursor.fetchone()
    return f"{day:%y%m%d}{last:04d}"


def _follow_master(master: Ticket, actor: User | None) -> list[Ticket]:
    """Merged tickets follow their master's result (并单): each citizen gets the reply."""
    children = list(Ticket.objects.select_for_update().filter(master=master, status=Status.MERGED))
    for child in children:
        old = child.status
        child.reply_result = master.reply_result
        child.reply_text = master.reply_text
        child.replied_at = master.replied_at
        if master.status == Status.CLOSED:
            child.status = Status.CLOSED
            child.close_reason = CloseReason.MASTER
            child.closed_at = master.closed_at
            child.satisfaction = master.satisfaction
        _save(
            child,
            "reply_result",
            "reply_text",
            "replied_at",
            "status",
            "close_reason",
            "closed_at",
            "satisfaction",
        )
        _event(
            child,
            actor,
            "follow_master",
            old_status=old if child.status != old else "",
            note=_("随主工单 %(number)s 办理结果") % {"number": master.number},
            public=True,
            master=master.number,
        )
    return children


def _close(ticket: Ticket, reason: str, now: dt.datetime) -> None:
    ticket.status = Status.CLOSED
    ticket.close_reason = reason
    ticket.closed_at = now


# ---------------------------------------------------------------------------------------------
# Intake and what the hotline finishes on the spot


def ticket_intake(
    *,
    actor: User,
    channel: str,
    kind: str,
    title: str,
    description: str,
    citizen_name: str = "",
    citizen_phone: str = "",
    citizen_id_number: str = "",
    anonymous: bool = False,
    confidential: bool = False,
    category: Category | None = None,
    urgency: str = Urgency.GENERAL,
    division: Division | None = None,
    address: str = "",
    lat: Decimal | None = None,
    lng: Decimal | None = None,
    affected_population: int = 1,
) -> Ticket:
    _require_roles(actor, INTAKE_ROLES, _("受理工单"))
    if channel not in Channel.values:
        raise InvalidInput(_("渠道无效。"), field="channel")
    if kind not in Kind.values:
        raise InvalidInput(_("诉求类型无效。"), field="kind")
    if urgency not in Urgency.values:
        raise InvalidInput(_("紧急程度无效。"), field="urgency")
    phone = ""
    if citizen_phone.strip():
        phone = normalize_phone(citizen_phone) or ""
        if not phone:
            raise InvalidInput(
                _("联系电话格式不正确：请填写 11 位手机号或带区号的固定电话。"),
                field="citizen_phone",
            )
    id_number = citizen_id_number.strip().upper()
    if id_number and not is_valid_id_number(id_number):
        raise InvalidInput(
            _("身份证号码不正确（位数、出生日期或校验位有误）。"), field="citizen_id_number"
        )
    if (lat is None) != (lng is None):
        raise InvalidInput(_("经纬度需同时填写。"), field="lat")
    if lat is not None and lng is not None and not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise InvalidInput(_("经纬度超出范围。"), field="lat")
    if affected_population < 1:
        raise InvalidInput(_("涉及人数至少为 1。"), field="affected_population")
    now = timezone.now()
    ticket = Ticket(
        channel=channel,
        kind=kind,
        category=category,
        urgency=urgency,
        title=_text(title, "title", _("标题"), limit=200),
        description=_text(description, "description", _("诉求内容")),
        citizen_name=""
        if anonymous
        else _text(citizen_name, "citizen_name", _("诉求人"), required=False, limit=50),
        citizen_phone=phone,
        citizen_id_number=id_number,
        anonymous=anonymous,
        confidential=confidential,
        division=division,
        address=_text(address, "address", _("详细地址"), required=False, limit=200),
        lat=lat,
        lng=lng,
        affected_population=affected_population,
        created_by=actor,
    )
    schedule.set_dispatch_deadline(ticket, now)
    next_check = schedule.next_check(ticket, contacted=False, fired=set())
    # Everything above only reads and checks, so a refusal changes nothing. The writes run in
    # one transaction; without a savepoint of their own, because a caller that nests the intake
    # in its own transaction (Open311: the ticket and its Open311 record) fails as a whole
    # anyway, and a savepoint costs two round trips.
    with transaction.atomic(savepoint=False):
        # The number last: its row lock is held from here until commit (see _next_number).
        ticket.number = _next_number(now)
        insert_one(ticket)
        schedule.save_checks([(ticket.pk, next_check)])
        _event(ticket, actor, "intake", old_status="-", public=True, channel=channel)
        notifications.on_intake(ticket)
    return ticket


@transaction.atomic
def ticket_direct_answer(
    *,
    ticket: Ticket,
    actor: User,
    answer: str,
    article: KnowledgeArticle | None = None,
    expected_version: int | None = None,
) -> Ticket:
    """直接答复: the operator answers a consultation from the knowledge base and closes it."""
    _require_roles(actor, INTAKE_ROLES, _("直接答复"))
    ticket = _lock(ticket, expected_version)
    _require_status(ticket, [Status.NEW], _("直接答复"))
    if ticket.kind != Kind.CONSULTATION:
        raise InvalidTransition(_("只有咨询类诉求可以直接答复办结。"))
    old, now = ticket.status, timezone.now()
    ticket.reply_result = ReplyResult.EXPLAINED
    ticket.reply_text = _text(answer, "answer", _("答复内容"))
    ticket.replied_at = now
    _close(ticket, CloseReason.DIRECT_ANSWER, now)
    _save(ticket, "reply_result", "reply_text", "replied_at", "status", "close_reason", "closed_at")
    _event(
        ticket,
        actor,
        "direct_answer",
        old_status=old,
        note=ticket.reply_text,
        public=True,
        article=article.pk if article else None,
    )
    return ticket


@transaction.atomic
def ticket_emergency_transfer(
    *, ticket: Ticket, actor: User, to: str, note: str = "", expected_version: int | None = None
) -> Ticket:
    """转警情: life, fire, medical and traffic emergencies go to 110/119/120/122 at once."""
    _require_roles(actor, INTAKE_ROLES, _("转警情"))
    if to not in EMERGENCY_SERVICES:
        raise InvalidInput(_("请选择转接的 110、119、120 或 122。"), field="to")
    ticket = _lock(ticket, expected_version)
    _require_status(ticket, [Status.NEW, Status.DISPATCHED, Status.IN_PROGRESS], _("转警情"))
    old = ticket.status
    _cancel(_active_assignments(ticket))
    ticket.status = Status.TRANSFERRED
    ticket.transferred_to = to
    ticket.closed_at = timezone.now()
    _save(ticket, "status", "transferred_to", "closed_at")
    _event(
        ticket,
        actor,
        "emergency_transfer",
        old_status=old,
        public=True,
        note=_text(note, "note", _("说明"), required=False),
        to=to,
    )
    return ticket


@transaction.atomic
def ticket_legal_channel(
    *, ticket: Ticket, actor: User, channel: str, note: str, expected_version: int | None = None
) -> Ticket:
    """诉讼/仲裁/信访/复议/信息公开 matters: explain the legal channel and close."""
    _require_roles(actor, INTAKE_ROLES, _("告知法定途径"))
    if channel not in LEGAL_CHANNELS:
        raise InvalidInput(_("请选择法定途径。"), field="channel")
    ticket = _lock(ticket, expected_version)
    _require_status(ticket, [Status.NEW], _("告知法定途径"))
    old, now = ticket.status, timezone.now()
    ticket.reply_result = ReplyResult.EXPLAINED
    ticket.reply_text = _text(note, "note", _("告知内容"))
    ticket.replied_at = now
    _close(ticket, CloseReason.LEGAL_CHANNEL, now)
    _save(ticket, "reply_result", "reply_text", "replied_at", "status", "close_reason", "closed_at")
    _event(
        ticket,
        actor,
        "legal_channel",
        old_status=old,
        note=ticket.reply_text,
        public=True,
        channel=channel,
    )
    return ticket


# ---------------------------------------------------------------------------------------------
# Dispatch, returns, reassignment


@transaction.atomic
def ticket_dispatch(
    *,
    ticket: Ticket,
    actor: User,
    lead_unit: Unit | str,
    assisting_units: Sequence[Unit | str] = (),
    instructions: str = "",
    expected_version: int | None = None,
) -> Ticket:
    _require_roles(actor, DISPATCH_ROLES, _("派单"))
    lead = _units([lead_unit])[0]
    assisting = _units(assisting_units)
    ticket = _lock(ticket, expected_version)
    _require_status(ticket, [Status.NEW], _("派单"))
    old = ticket.status
    instructions = _text(instructions, "instructions", _("办理要求"), required=False)
    _create_assignments(ticket, lead, assisting, instructions)
    ticket.status = Status.DISPATCHED
    schedule.set_handling_deadlines(ticket, timezone.now())
    _save(ticket, "status", "lead_unit")
    event = _event(
        ticket,
        actor,
        "dispatch",
        old_status=old,
        unit=lead,
        note=instructions,
        public=True,
        lead=lead.code,
        assisting=[u.code for u in assisting],
    )
    notifications.on_dispatch(ticket, [lead, *assisting], event_id=event.pk)
    return ticket


@transaction.atomic
def ticket_sign(
    *,
    ticket: Ticket,
    actor: User,
    assignment_id: int | None = None,
    expected_version: int | None = None,
) -> Ticket:
    ticket = _lock(ticket, expected_version)
    _require_status(ticket, [Status.DISPATCHED, Status.IN_PROGRESS], _("签收"))
    part = _assignment_for(ticket, actor, [Assignment.State.PENDING], _("签收"), assignment_id)
    part.state = Assignment.State.SIGNED
    part.signed_at = timezone.now()
    part.signed_by = actor
    part.save(update_fields=["state", "signed_at", "signed_by"])
    old = ticket.status
    if part.role == Assignment.Role.LEAD:
        ticket.status = Status.IN_PROGRESS
    _save(ticket, "status")
    _event(
        ticket,
        actor,
        "sign",
        old_status=old if old != ticket.status else "",
        unit=part.unit,
        public=part.role == Assignment.Role.LEAD,
        role=part.role,
    )
    return ticket


@transaction.atomic
def ticket_return(
    *,
    ticket: Ticket,
    actor: User,
    reason: str,
    assignment_id: int | None = None,
    expected_version: int | None = None,
) -> Ticket:
    """退单: a unit says the ticket is not theirs; the dispatcher reviews it."""
    reason = _text(reason, "reason", _("退单理由"))
    ticket = _lock(ticket, expected_version)
    _require_status(ticket, [Status.DISPATCHED, Status.IN_PROGRESS], _("退单"))
    part = _assignment_for(
        ticket, actor, [Assignment.State.PENDING, Assignment.State.SIGNED], _("退单"), assignment_id
    )
    if part.role == Assignment.Role.SUBTASK:
        raise InvalidTransition(_("下派任务请与上级单位沟通，不能向热线退单。"))
    part.state_before_return = part.state
    part.state = Assignment.State.RETURN_REQUESTED
    part.return_reason = reason
    part.save(update_fields=["state", "state_before_return", "return_reason"])
    old = ticket.status
    if part.role == Assignment.Role.LEAD:
        ticket.status = Status.RETURNED
        schedule.set_dispatch_deadline(ticket, timezone.now())  # the dispatcher's review
    _save(ticket, "status")
    _event(
        ticket,
        actor,
        "return",
        old_status=old if old != ticket.status else "",
        unit=part.unit,
        note=reason,
        role=part.role,
    )
    return ticket


def _returned_part(ticket: Ticket, assignment_id: int | None) -> Assignment:
    parts = [a for a in _active_assignments(ticket) if a.state == Assignment.State.RETURN_REQUESTED]
    if assignment_id is not None:
        parts = [a for a in parts if a.pk == assignment_id]
    if not parts:
        raise InvalidTransition(_("该工单没有待审核的退单。"))
    parts.sort(key=lambda a: a.role != Assignment.Role.LEAD)
    return parts[0]


@transaction.atomic
def ticket_return_accept(
    *,
    ticket: Ticket,
    actor: User,
    lead_unit: Unit | str | None = None,
    note: str = "",
    assignment_id: int | None = None,
    expected_version: int | None = None,
) -> Ticket:
    """Accept a return and redispatch: a returned lead part goes to `lead_unit`; a returned
    assisting part is simply withdrawn."""
    _require_roles(actor, DISPATCH_ROLES, _("审核退单"))
    ticket = _lock(ticket, expected_version)
    part = _returned_part(ticket, assignment_id)
    old = ticket.status
    _cancel([part])
    data: dict[str, Any] = {"returned_by": part.unit.code}
    if part.role == Assignment.Role.LEAD:
        if lead_unit is None:
            raise InvalidInput(_("同意退单时请选择新的主办单位。"), field="lead_unit")
        lead = _units([lead_unit])[0]
        if lead == part.unit:
            raise InvalidInput(_("新的主办单位不能是退单的单位。"), field="lead_unit")
        assisting = [
            a.unit for a in _active_assignments(ticket) if a.role == Assignment.Role.ASSIST
        ]
        if lead in assisting:
            _cancel([a for a in _active_assignments(ticket) if a.unit == lead])
            assisting.remove(lead)
        Assignment.objects.create(
            ticket=ticket,
            unit=lead,
            role=Assignment.Role.LEAD,
            round=ticket.round,
            instructions=part.instructions,
        )
        ticket.lead_unit = lead
        ticket.status = Status.DISPATCHED
        schedule.set_handling_deadlines(ticket, timezone.now())
        data["lead"] = lead.code
    _save(ticket, "status", "lead_unit")
    event = _event(
        ticket,
        actor,
        "return_accept",
        old_status=old if old != ticket.status else "",
        unit=ticket.lead_unit,
        note=_text(note, "note", _("审核意见"), required=False),
        **data,
    )
    if "lead" in data and ticket.lead_unit is not None:
        notifications.on_dispatch(ticket, [ticket.lead_unit], event_id=event.pk)
    return ticket


@transaction.atomic
def ticket_return_refuse(
    *,
    ticket: Ticket,
    actor: User,
    note: str,
    assignment_id: int | None = None,
    expected_version: int | None = None,
) -> Ticket:
    _require_roles(actor, DISPATCH_ROLES, _("审核退单"))
    note = _text(note, "note", _("驳回理由"))
    ticket = _lock(ticket, expected_version)
    part = _returned_part(ticket, assignment_id)
    part.state = part.state_before_return or Assignment.State.PENDING
    part.save(update_fields=["state"])
    old = ticket.status
    if part.role == Assignment.Role.LEAD:
        ticket.status = (
            Status.IN_PROGRESS if part.state == Assignment.State.SIGNED else Status.DISPATCHED
        )
    _save(ticket, "status")
    _event(
        ticket,
        actor,
        "return_refuse",
        old_status=old if old != ticket.status else "",
        unit=part.unit,
        note=note,
    )
    return ticket


@transaction.atomic
def ticket_reassign(
    *,
    ticket: Ticket,
    actor: User,
    lead_unit: Unit | str,
    note: str = "",
    expected_version: int | None = None,
) -> Ticket:
    """改派: the dispatcher moves the lead part to another unit."""
    _require_roles(actor, DISPATCH_ROLES, _("改派"))
    lead = _units([lead_unit])[0]
    ticket = _lock(ticket, expected_version)
    _require_status(ticket, [Status.DISPATCHED, Status.IN_PROGRESS], _("改派"))
    current = _lead(ticket)
    if current is not None and current.unit == lead:
        raise InvalidInput(_("工单已由该单位主办。"), field="lead_unit")
    old_unit = current.unit.code if current else None
    _cancel(
        [a for a in _active_assignments(ticket) if a.role == Assignment.Role.LEAD or a.unit == lead]
    )
    Assignment.objects.create(
        ticket=ticket,
        unit=lead,
        role=Assignment.Role.LEAD,
        round=ticket.round,
        instructions=current.instructions if current else "",
    )
    old = ticket.status
    ticket.lead_unit = lead
    ticket.status = Status.DISPATCHED
    schedule.set_handling_deadlines(ticket, timezone.now())
    _save(ticket, "status", "lead_unit")
    event = _event(
        ticket,
        actor,
        "reassign",
        old_status=old if old != ticket.status else "",
        unit=lead,
        note=_text(note, "note", _("改派说明"), required=False),
        public=True,
        old_lead=old_unit,
        lead=lead.code,
    )
    notifications.on_dispatch(ticket, [lead], event_id=event.pk)
    return ticket


@transaction.atomic
def ticket_add_assisting(
    *,
    ticket: Ticket,
    actor: User,
    unit: Unit | str,
    note: str = "",
    expected_version: int | None = None,
) -> Ticket:
    _require_roles(actor, DISPATCH_ROLES, _("增加协办单位"))
    helper = _units([unit])[0]
    ticket = _lock(ticket, expected_version)
    _require_status(ticket, [Status.DISPATCHED, Status.IN_PROGRESS], _("增加协办单位"))
    if any(
        a.unit == helper and a.role != Assignment.Role.SUBTASK for a in _active_assignments(ticket)
    ):
        raise InvalidInput(_("%(unit)s 已在承办该工单。") % {"unit": helper.name}, field="unit")
    lead = _lead(ticket)
    Assignment.objects.create(
        ticket=ticket,
        unit=helper,
        role=Assignment.Role.ASSIST,
        round=ticket.round,
        instructions=lead.instructions if lead else "",
    )
    _save(ticket)
    event = _event(
        ticket,
        actor,
        "add_assisting",
        unit=helper,
        note=_text(note, "note", _("说明"), required=False),
        assisting=helper.code,
    )
    notifications.on_dispatch(ticket, [helper], event_id=event.pk)
    return ticket


@transaction.atomic
def ticket_decompose(
    *,
    ticket: Ticket,
    actor: User,
    units: Sequence[Unit | str],
    instructions: str,
    assignment_id: int | None = None,
    expected_version: int | None = None,
) -> Ticket:
    """分解/下派: a unit gives sub-tasks to its own stations, teams or villages; its reply waits
    for them."""
    instructions = _text(instructions, "instructions", _("下派要求"))
    targets = _units(units)
    if not targets:
        raise InvalidInput(_("请选择下派的单位。"), field="units")
    ticket = _lock(ticket, expected_version)
    _require_status(ticket, [Status.IN_PROGRESS, Status.DISPATCHED], _("分解下派"))
    part = _assignment_for(ticket, actor, [Assignment.State.SIGNED], _("分解下派"), assignment_id)
    existing = {a.unit_id for a in _active_assignments(ticket) if a.parent_id == part.pk}
    for target in targets:
        if target == part.unit or not target.path.startswith(part.unit.path):
            raise InvalidInput(
                _("只能下派给本单位的下级单位，%(unit)s 不是。") % {"unit": target.name},
                field="units",
            )
        if target.pk in existing:
            raise InvalidInput(_("已下派给 %(unit)s。") % {"unit": target.name}, field="units")
    Assignment.objects.bulk_create(
        [
            Assignment(
                ticket=ticket,
                unit=t,
                role=Assignment.Role.SUBTASK,
                parent=part,
                round=ticket.round,
                instructions=instructions,
            )
            for t in targets
        ]
    )
    _save(ticket)
    event = _event(
        ticket,
        actor,
        "decompose",
        unit=part.unit,
        note=instructions,
        units=[t.code for t in targets],
    )
    notifications.on_dispatch(ticket, targets, event_id=event.pk)
    return ticket


# ---------------------------------------------------------------------------------------------
# Handling


@transaction.atomic
def ticket_contact(
    *,
    ticket: Ticket,
    actor: User,
    method: str,
    note: str = "",
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Ticket:
    """联系诉求人: the first response, which the response rate counts."""
    if method not in CONTACT_METHODS:
        raise InvalidInput(_("请选择联系方式。"), field="method")
    now = timezone.now()
    at = at or now
    if timezone.is_naive(at) or at > now + dt.timedelta(minutes=5):
        raise InvalidInput(_("联系时间不能晚于当前时间。"), field="at")
    ticket = _lock(ticket, expected_version)
    _require_status(ticket, [Status.IN_PROGRESS], _("登记联系"))
    part = _assignment_for(ticket, actor, [Assignment.State.SIGNED], _("登记联系"))
    if part.contacted_at is None:
        part.contacted_at = at
        part.save(update_fields=["contacted_at"])
    _save(ticket)
    _event(
        ticket,
        actor,
        "contact",
        unit=part.unit,
        note=_text(note, "note", _("联系情况"), required=False),
        method=method,
        at=at.isoformat(),
    )
    return ticket


@transaction.atomic
def ticket_progress(
    *,
    ticket: Ticket,
    actor: User,
    note: str,
    public: bool = False,
    expected_version: int | None = None,
) -> Ticket:
    note = _text(note, "note", _("进展情况"))
    ticket = _lock(ticket, expected_version)
    _require_status(ticket, [Status.IN_PROGRESS], _("填写进展"))
    part = _assignment_for(ticket, actor, [Assignment.State.SIGNED], _("填写进展"))
    _save(ticket)
    _event(ticket, actor, "progress", unit=part.unit, note=note, public=public)
    return ticket


@transaction.atomic
def ticket_extension_request(
    *, ticket: Ticket, actor: User, days: int, reason: str, expected_version: int | None = None
) -> ExtensionRequest:
    reason = _text(reason, "reason", _("延期理由"))
    if not 1 <= days <= MAX_EXTENSION_DAYS:
        raise InvalidInput(
            _("延期天数应在 1 到 %(max)s 天之间。") % {"max": MAX_EXTENSION_DAYS}, field="days"
        )
    ticket = _lock(ticket, expected_version)
    _require_status(ticket, [Status.IN_PROGRESS], _("申请延期"))
    part = _assignment_for(ticket, actor, [Assignment.State.SIGNED], _("申请延期"))
    if part.role != Assignment.Role.LEAD:
        raise NotAllowed(_("只有主办单位可以申请延期。"))
    if ticket.extension_requests.filter(state=ExtensionRequest.State.PENDING).exists():
        raise InvalidTransition(_("已有待审核的延期申请。"))
    request = ExtensionRequest.objects.create(
        ticket=ticket, assignment=part, days=days, reason=reason, requested_by=actor
    )
    _save(ticket)
    _event(ticket, actor, "extension_request", unit=part.unit, note=reason, days=days)
    return request


def _pending_extension(ticket: Ticket) -> ExtensionRequest:
    request = ticket.extension_requests.filter(state=ExtensionRequest.State.PENDING).first()
    if request is None:
        raise InvalidTransition(_("该工单没有待审核的延期申请。"))
    return request


@transaction.atomic
def ticket_extension_decide(
    *,
    ticket: Ticket,
    actor: User,
    approve: bool,
    note: str = "",
    expected_version: int | None = None,
) -> ExtensionRequest:
    """Approve (the reply deadline moves) or refuse a unit's extension request."""
    _require_roles(actor, DISPATCH_ROLES, _("审核延期"))
    note = _text(note, "note", _("审核意见"), required=not approve)
    ticket = _lock(ticket, expected_version)
    request = _pending_extension(ticket)
    request.state = ExtensionRequest.State.APPROVED if approve else ExtensionRequest.State.REFUSED
    request.decided_by, request.decided_at, request.decision_note = actor, timezone.now(), note
    request.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    if approve:
        ticket.extension_days += request.days
        schedule.extend_reply_deadline(ticket, request.days)
    _save(ticket, "extension_days")
    _event(
        ticket,
        actor,
        "extension_approve" if approve else "extension_refuse",
        note=note,
        days=request.days,
    )
    return request


@transaction.atomic
def ticket_reply(
    *,
    ticket: Ticket,
    actor: User,
    result: str,
    content: str,
    assignment_id: int | None = None,
    expected_version: int | None = None,
) -> Ticket:
    """答复: the lead unit's reply moves the ticket to callback; an assisting unit's or a
    sub-task's reply completes that part only."""
    if result not in ReplyResult.values:
        raise InvalidInput(_("请选择办理结果。"), field="result")
    content = _text(content, "content", _("答复内容"))
    ticket = _lock(ticket, expected_version)
    _require_status(ticket, [Status.IN_PROGRESS], _("答复"))
    part = _assignment_for(ticket, actor, [Assignment.State.SIGNED], _("答复"), assignment_id)
    blocker = reply_blocker(ticket, part, _active_assignments(ticket))
    if blocker:
        raise InvalidTransition(blocker)
    is_lead = part.role == Assignment.Role.LEAD
    now = timezone.now()
    part.state, part.reply_result, part.reply_text, part.replied_at = (
        Assignment.State.REPLIED,
        result,
        content,
        now,
    )
    part.save(update_fields=["state", "reply_result", "reply_text", "replied_at"])
    old = ticket.status
    if is_lead:
        ticket.status = Status.REPLIED
        ticket.reply_result, ticket.reply_text, ticket.replied_at = result, content, now
        schedule.set_callback_deadline(ticket, now)
    _save(ticket, "status", "reply_result", "reply_text", "replied_at")
    _event(
        ticket,
        actor,
        "reply",
        old_status=old if old != ticket.status else "",
        unit=part.unit,
        note=content,
        public=is_lead,
        result=result,
        role=part.role,
    )
    if is_lead:
        notifications.on_reply(ticket, _follow_master(ticket, actor))
    return ticket


# ---------------------------------------------------------------------------------------------
# Callback, reopen, close, merge


@transaction.atomic
def ticket_callback(
    *,
    ticket: Ticket,
    actor: User,
    reached: bool,
    resolved: bool | None = None,
    satisfaction: str = "",
    comment: str = "",
    expected_version: int | None = None,
) -> Ticket:
    """回访: a reached citizen who is satisfied or basically satisfied closes the ticket; an
    unsatisfied one leaves it for reopening (重办) or closing by the hotline."""
    _require_roles(actor, CALLBACK_ROLES, _("回访"))
    if reached:
        if resolved is None:
            raise InvalidInput(_("请选择问题是否解决。"), field="resolved")
        if satisfaction not in Satisfaction.values:
            raise InvalidInput(_("请选择满意度。"), field="satisfaction")
    else:
        resolved, satisfaction = None, ""
    comment = _text(comment, "comment", _("回访意见"), required=False)
    ticket = _lock(ticket, expected_version)
    _require_status(ticket, [Status.REPLIED], _("回访"))
    if reached:
        # This callback becomes the round's verdict in place of an earlier reached one.
        Callback.objects.filter(ticket=ticket, round=ticket.round, verdict=True).update(
            verdict=False
        )
    callback = Callback.objects.create(
        ticket=ticket,
        round=ticket.round,
        reached=reached,
        resolved=resolved,
        satisfaction=satisfaction,
        comment=comment,
        by=actor,
        verdict=reached,
    )
    old = ticket.status
    if reached:
        ticket.satisfaction = satisfaction
        if satisfaction != Satisfaction.UNSATISFIED:
            _close(ticket, CloseReason.CALLBACK, timezone.now())
    _save(ticket, "satisfaction", "status", "close_reason", "closed_at")
    _event(
        ticket,
        actor,
        "callback",
        old_status=old if old != ticket.status else "",
        note=comment,
        reached=reached,
        resolved=resolved,
        satisfaction=satisfaction,
    )
    if ticket.status == Status.CLOSED:
        _follow_master(ticket, actor)
    if reached and (satisfaction == Satisfaction.UNSATISFIED or resolved is False):
        notifications.on_unsatisfied(
            ticket, callback_id=callback.pk, resolved=resolved, comment=comment
        )
    return ticket


@transaction.atomic
def ticket_reopen(
    *, ticket: Ticket, actor: User, note: str, expected_version: int | None = None
) -> Ticket:
    """重办: another round for the same units after an unsatisfied callback."""
    _require_roles(actor, CALLBACK_ROLES, _("重办"))
    note = _text(note, "note", _("重办要求"))
    ticket = _lock(ticket, expected_version)
    _require_status(ticket, [Status.REPLIED], _("重办"))
    last = ticket.callbacks.filter(round=ticket.round, reached=True).order_by("-at", "-id").first()
    if last is None or (
        last.satisfaction != Satisfaction.UNSATISFIED and last.resolved is not False
    ):
        raise InvalidTransition(_("只有回访不满意或未解决的工单才能重办。"))
    if ticket.round >= max_rounds():
        raise InvalidTransition(
            _("已办理 %(n)s 轮，达到重办上限，请由热线办结或督办。") % {"n": ticket.round}
        )
    previous = [a for a in _active_assignments(ticket) if a.role != Assignment.Role.SUBTASK]
    old = ticket.status
    ticket.round += 1
    ticket.status = Status.DISPATCHED
    ticket.reply_result, ticket.reply_text, ticket.replied_at = "", "", None
    ticket.satisfaction = ""
    ticket.extension_days = 0
    schedule.set_handling_deadlines(ticket, timezone.now())
    Assignment.objects.bulk_create(
        [
            Assignment(
                ticket=ticket, unit=a.unit, role=a.role, round=ticket.round, instructions=note
            )
            for a in previous
        ]
    )
    _save(
        ticket,
        "round",
        "status",
        "reply_result",
        "reply_text",
        "replied_at",
        "satisfaction",
        "extension_days",
    )
    _event(
        ticket,
        actor,
        "reopen",
        old_status=old,
        unit=ticket.lead_unit,
        note=note,
        public=True,
        round=ticket.round,
    )
    notifications.on_reopen(ticket, note=note)
    return ticket


@transaction.atomic
def ticket_close(
    *, ticket: Ticket, actor: User, note: str, expected_version: int | None = None
) -> Ticket:
    """The hotline closes a replied ticket without a satisfied callback (citizen unreachable after
    attempts, rounds exhausted), saying why."""
    _require_roles(actor, CALLBACK_ROLES, _("办结"))
    note = _text(note, "note", _("办结说明"))
    ticket = _lock(ticket, expected_version)
    _require_status(ticket, [Status.REPLIED], _("办结"))
    old = ticket.status
    _close(ticket, CloseReason.HOTLINE, timezone.now())
    _save(ticket, "status", "close_reason", "closed_at")
    _event(ticket, actor, "close", old_status=old, note=note, public=True)
    _follow_master(ticket, actor)
    return ticket


@transaction.atomic
def ticket_merge(
    *,
    ticket: Ticket,
    actor: User,
    master: Ticket | str,
    note: str = "",
    expected_version: int | None = None,
) -> Ticket:
    """并单: a duplicate follows its master; it is no longer handled on its own."""
    _require_roles(actor, DISPATCH_ROLES + (Role.OPERATOR,), _("并单"))
    master_number = master if isinstance(master, str) else master.number
    master_pk = Ticket.objects.filter(number=master_number).values_list("pk", flat=True).first()
    if master_pk is None:
        raise InvalidInput(
            _("主工单 %(number)s 不存在。") % {"number": master_number}, field="master"
        )
    if master_pk == ticket.pk:
        raise InvalidInput(_("不能与自身并单。"), field="master")
    # Lock both rows in primary-key order so two merges the other way round cannot deadlock.
    locked = {
        t.pk: t
        for t in Ticket.objects.select_for_update()
        .filter(pk__in=sorted([ticket.pk, master_pk]))
        .order_by("pk")
    }
    duplicate, main = locked[ticket.pk], locked[master_pk]
    if expected_version is not None and duplicate.version != expected_version:
        raise StaleTicket(
            _("工单 %(number)s 已被他人处理，请刷新页面后再操作。") % {"number": duplicate.number}
        )
    _require_status(
        duplicate, [Status.NEW, Status.DISPATCHED, Status.IN_PROGRESS, Status.RETURNED], _("并单")
    )
    if main.status not in OPEN_STATUSES:
        raise InvalidTransition(_("主工单 %(number)s 已结束，不能并入。") % {"number": main.number})
    if duplicate.merged_tickets.exists():
        raise InvalidTransition(_("该工单本身是其他工单的主单，不能再并入别的工单。"))
    old = duplicate.status
    _cancel(_active_assignments(duplicate))
    duplicate.status = Status.MERGED
    duplicate.master = main
    _save(duplicate, "status", "master")
    note = _text(note, "note", _("并单说明"), required=False)
    _event(duplicate, actor, "merge", old_status=old, note=note, public=True, master=main.number)
    _save(main)
    _event(main, actor, "merge_in", note=note, merged=duplicate.number)
    return duplicate


# ---------------------------------------------------------------------------------------------
# Supervision and praise


@transaction.atomic
def ticket_supervise(
    *,
    ticket: Ticket,
    actor: User,
    note: str,
    due_at: dt.datetime,
    expected_version: int | None = None,
) -> Supervision:
    """督办: a supervisor's instruction with its own deadline."""
    _require_roles(actor, SUPERVISE_ROLES, _("督办"))
    note = _text(note, "note", _("督办意见"))
    if timezone.is_naive(due_at) or due_at <= timezone.now():
        raise InvalidInput(_("督办期限必须晚于当前时间。"), field="due_at")
    ticket = _lock(ticket, expected_version)
    _require_status(ticket, OPEN_STATUSES, _("督办"))
    supervision = Supervision.objects.create(ticket=ticket, note=note, due_at=due_at, by=actor)
    _save(ticket)
    _event(ticket, actor, "supervise", unit=ticket.lead_unit, note=note, due_at=due_at.isoformat())
    notifications.on_supervise(ticket, note=note, due_at=due_at, supervision_id=supervision.pk)
    return supervision


@transaction.atomic
def ticket_remind(
    *, ticket: Ticket, actor: User, note: str = "", expected_version: int | None = None
) -> Ticket:
    """催办: press the lead unit for progress (a reminder, lighter than 督办)."""
    _require_roles(actor, SUPERVISE_ROLES + (Role.DISPATCHER,), _("催办"))
    note = _text(note, "note", _("催办说明"), required=False, limit=200)
    ticket = _lock(ticket, expected_version)
    _require_status(ticket, [Status.DISPATCHED, Status.IN_PROGRESS], _("催办"))
    _save(ticket)
    event = _event(ticket, actor, "remind", unit=ticket.lead_unit, note=note)
    notifications.on_remind(ticket, note=note, event_id=event.pk)
    return ticket


@transaction.atomic
def unit_praise(
    *, unit: Unit, actor: User, kind: str, note: str, ticket: Ticket | None = None
) -> Praise:
    """表扬/锦旗 recorded for a unit, optionally from the ticket that earned it."""
    _require_roles(actor, HOTLINE_ROLES, _("登记表扬"))
    if kind not in Praise.Kind.values:
        raise InvalidInput(_("请选择表扬形式。"), field="kind")
    praise = Praise.objects.create(
        unit=unit, ticket=ticket, kind=kind, note=_text(note, "note", _("表扬内容")), by=actor
    )
    if ticket is not None:
        locked = _lock(ticket, None)
        _save(locked)
        _event(locked, actor, "praise", unit=unit, note=praise.note, public=True, kind=kind)
    return praise


# ---------------------------------------------------------------------------------------------
# The clock: pausing, and the alarms the worker raises


@transaction.atomic
def ticket_pause(
    *, ticket: Ticket, actor: User, reason: str, expected_version: int | None = None
) -> Ticket:
    """Stop the clock while the unit waits for the citizen (where the policy allows it)."""
    reason = _text(reason, "reason", _("暂停理由"))
    ticket = _lock(ticket, expected_version)
    _require_status(ticket, [Status.IN_PROGRESS], _("暂停计时"))
    part = _assignment_for(ticket, actor, [Assignment.State.SIGNED], _("暂停计时"))
    if part.role != Assignment.Role.LEAD:
        raise NotAllowed(_("只有主办单位可以暂停计时。"))
    if ticket.paused_at is not None:
        raise InvalidTransition(_("工单已在暂停计时中。"))
    if not schedule.ticket_policy(ticket).pause_allowed:
        raise InvalidTransition(_("该类工单的时限规定不允许暂停计时。"))
    ticket.paused_at = timezone.now()
    _save(ticket)
    _event(ticket, actor, "pause", unit=part.unit, note=reason)
    return ticket


@transaction.atomic
def ticket_resume(
    *, ticket: Ticket, actor: User, note: str = "", expected_version: int | None = None
) -> Ticket:
    ticket = _lock(ticket, expected_version)
    if ticket.paused_at is None:
        raise InvalidTransition(_("工单没有暂停计时。"))
    part = _assignment_for(ticket, actor, [Assignment.State.SIGNED], _("恢复计时"))
    paused = timezone.now() - ticket.paused_at
    schedule.shift_for_pause(ticket, paused)
    ticket.paused_at = None
    _save(ticket)
    _event(
        ticket,
        actor,
        "resume",
        unit=part.unit,
        note=_text(note, "note", _("说明"), required=False),
        paused_seconds=int(paused.total_seconds()),
    )
    return ticket


ALARM_ACTIONS = {"warn": "deadline_warn", "overdue": "deadline_overdue", "escalate": "escalate"}


class Alarm(NamedTuple):
    """An alarm a sweep raised (its row is a DeadlineAlarm)."""

    ticket: Ticket
    deadline: str
    level: str
    due_at: dt.datetime


def tickets_raise_alarms(*, tickets: list[Ticket], now: dt.datetime) -> list[Alarm]:
    """The worker's action on a claimed batch: raise every alarm whose time has come (临期 at
    75%, 超期 and 催办 at the deadline, 督办 after the grace) and plan each ticket's next check.

    The caller holds the rows (claimed with SKIP LOCKED, or by a conditional UPDATE) inside its
    transaction. Set-based: a handful of statements per batch, not per ticket, and the alarms,
    events and messages go in as plain tuples (core.bulk.insert_rows), so that a sweep over
    10,000 due tickets stays within seconds (docs/benchmarks.md, issue 4). Alarm rows are
    unique, so a repeat raises nothing.
    """
    if not tickets:
        return []
    by_id = {t.pk: t for t in tickets}
    ids = list(by_id)
    # The current round's lead assignment, compared in Python with the claimed ticket's round
    # (a join back to tickets_ticket for F("ticket__round") cost a quarter of the reads).
    contacted = {
        ticket_id
        for ticket_id, rnd in Assignment.objects.filter(
            ticket_id__in=ids, role=Assignment.Role.LEAD, contacted_at__isnull=False
        )
        .exclude(state=Assignment.State.CANCELLED)
        .values_list("ticket_id", "round")
        if rnd == by_id[ticket_id].round
    }
    fired: dict[int, set[tuple[str, str, dt.datetime]]] = {pk: set() for pk in by_id}
    for ticket_id, deadline, level, due_at, rnd in DeadlineAlarm.objects.filter(
        ticket_id__in=ids
    ).values_list("ticket_id", "deadline", "level", "due_at", "round"):
        if rnd == by_id[ticket_id].round:
            fired[ticket_id].add((deadline, level, due_at))
    grace = schedule.escalation_grace()
    alarms: list[Alarm] = []
    checks: list[tuple[int, dt.datetime | None]] = []
    first_overdue: list[Ticket] = []
    for ticket in tickets:
        done = fired[ticket.pk]
        is_contacted = ticket.pk in contacted
        for live in schedule.live_deadlines(ticket, contacted=is_contacted):
            for level, at in live.alarm_times(grace).items():
                if at > now or (live.name, level, live.due) in done:
                    continue
                done.add((live.name, level, live.due))
                alarms.append(Alarm(ticket, live.name, level, live.due))
                if level == "overdue" and ticket.overdue_at is None:
                    ticket.overdue_at = now
                    first_overdue.append(ticket)
        checks.append(
            (
                ticket.pk,
                schedule.next_check(ticket, contacted=is_contacted, fired=done, grace=grace),
            )
        )
    insert_rows(
        DeadlineAlarm,
        ("ticket_id", "round", "deadline", "level", "due_at"),
        [(a.ticket.pk, a.ticket.round, a.deadline, a.level, a.due_at) for a in alarms],
        ignore_conflicts=True,
    )
    notifications.on_alarms(alarms)
    insert_rows(
        TicketEvent,
        ("ticket_id", "action", "unit_id", "data"),
        [
            (
                a.ticket.pk,
                ALARM_ACTIONS[a.level],
                a.ticket.lead_unit_id,
                {"deadline": a.deadline, "due_at": a.due_at.isoformat()},
            )
            for a in alarms
        ],
    )
    _save_first_overdue(first_overdue)
    schedule.save_checks(checks)
    return alarms


def _save_first_overdue(tickets: list[Ticket]) -> None:
    """Write `overdue_at` on the tickets whose first overdue alarm this sweep raised.

    Nothing else of the ticket changes: an alarm is the clock's doing, not an action on the
    ticket, so neither `version` (a form opened before the alarm stays valid) nor `updated_at`
    (the time of the last action, which the API's `updated_after` and the statistics' watermark
    follow; units' systems hear of their sign, contact and reply deadlines passing by the
    `ticket.overdue` webhook, docs/api.md) moves. With no
    indexed column written, PostgreSQL can update the row in place (HOT) instead of adding an
    entry to each of the ticket's two dozen indexes (docs/benchmarks.md, issue 4).

    On PostgreSQL one UPDATE … FROM unnest(arrays): Django's bulk_update writes a
    `CASE WHEN id = … THEN …` per row, which PostgreSQL plans and evaluates per row.
    """
    if not tickets:
        return
    if connection.vendor != "postgresql":
        Ticket.objects.bulk_update(tickets, ["overdue_at"])
        return
    with connection.cursor() as cursor:
        # The table and column are Django's defaults for Ticket (a test pins them).
        cursor.execute(
            "UPDATE tickets_ticket AS t SET overdue_at = v.ova "
            "FROM unnest(%s::bigint[], %s::timestamptz[]) AS v(id, ova) WHERE t.id = v.id",
            [
                int_array_literal(t.pk for t in tickets),
                array_literal(t.overdue_at for t in tickets),
            ],
        )


# ---------------------------------------------------------------------------------------------
# Attachments

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
# Image types we accept, recognised by their first bytes: a file's name and its declared type
# are whatever the sender says, its content is what it is.
IMAGE_SIGNATURES: tuple[tuple[bytes, int, str, str], ...] = (
    (b"\xff\xd8\xff", 0, "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png", "png"),
    (b"GIF87a", 0, "image/gif", "gif"),
    (b"GIF89a", 0, "image/gif", "gif"),
    (b"WEBP", 8, "image/webp", "webp"),
)


def sniff_image(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) from the file's first bytes, or None if not an accepted image."""
    for signature, offset, content_type, ext in IMAGE_SIGNATURES:
        if head[offset : offset + len(signature)] == signature:
            if content_type == "image/webp" and head[:4] != b"RIFF":
                continue
            return content_type, ext
    return None


@transaction.atomic
def ticket_attach(*, ticket: Ticket, actor: User, upload: Any) -> Attachment:
    """Attach an image (JPEG, PNG, GIF, WebP; at most 10 MB), checked by its content.

    `upload` is a Django UploadedFile (or any File). Hotline staff attach to any ticket; a unit
    attaches to the tickets it holds (photos of the site, of the repair).
    """
    size = int(upload.size or 0)
    if size == 0:
        raise InvalidInput(_("附件是空文件。"), field="attachment")
    if size > MAX_ATTACHMENT_BYTES:
        raise InvalidInput(_("附件不能超过 10 MB。"), field="attachment")
    upload.seek(0)
    kind = sniff_image(upload.read(16))
    upload.seek(0)
    if kind is None:
        raise InvalidInput(_("只能上传 JPG、PNG、GIF 或 WebP 图片。"), field="attachment")
    locked = _lock(ticket, None)
    if not actor.has_role(*HOTLINE_ROLES):
        _assignment_for(
            locked, actor, [s for s in Assignment.State.values if s != "cancelled"], _("上传附件")
        )
    content_type, ext = kind
    original = (getattr(upload, "name", "") or f"image.{ext}").rsplit("/", 1)[-1][:200]
    attachment = Attachment(
        ticket=locked,
        content_type=content_type,
        size=size,
        original_name=original,
        uploaded_by=actor,
    )
    # Stored under a name we choose: never trust a client's file name on disk.
    attachment.file.save(f"{locked.attachments.count() + 1}.{ext}", upload, save=False)
    attachment.save()
    _save(locked)
    _event(locked, actor, "attach", note=original, content_type=content_type, size=size)
    return attachment
