"""Intake, and what the hotline finishes on the spot: 受理, 直接答复, 转警情, 告知法定途径."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minsheng.deadlines import schedule
from minsheng.lib.bulk import insert_one
from minsheng.org.models import Division, User
from minsheng.textproc.pii import is_valid_id_number, normalize_phone
from minsheng.tickets import notifications, rules
from minsheng.tickets.actions._steps import (
    _cancel,
    _close,
    _event,
    _lock,
    _save,
    _text,
)
from minsheng.tickets.errors import InvalidInput
from minsheng.tickets.models import (
    Category,
    Channel,
    CloseReason,
    IntakeToken,
    Kind,
    KnowledgeArticle,
    ReplyResult,
    Status,
    Ticket,
    TicketSequence,
    Urgency,
)

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
    address_public: bool = False,
    lat: Decimal | None = None,
    lng: Decimal | None = None,
    affected_population: int = 1,
) -> Ticket:
    rules.require_roles(actor, rules.INTAKE_ROLES, _("受理工单"))
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
        address_public=address_public,
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


@dataclass(frozen=True)
class Intake:
    """What a form's submit did: its ticket, and whether an earlier copy of the same form had
    made it (`repeated`: nothing was written this time)."""

    ticket: Ticket
    repeated: bool


def _fingerprint(fields: dict[str, Any]) -> str:
    """What a form said, as a hash: its values by name (a model instance by its key)."""

    def plain(value: object) -> object:
        return value.pk if isinstance(value, models.Model) else str(value)

    text = json.dumps(fields, sort_keys=True, ensure_ascii=False, default=plain)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _earlier_intake(actor: User, key: uuid.UUID, fingerprint: str) -> Ticket | None:
    """The ticket this form token made before, or None; a refusal when the token came back with
    other content (or from another user) than it made its ticket with."""
    token = IntakeToken.objects.filter(key=key).select_related("ticket").first()
    if token is None:
        return None
    if token.created_by_id != actor.pk:
        raise InvalidInput(_("此表单已由他人提交过，请核对后再次提交。"))
    if token.fingerprint != fingerprint:
        raise InvalidInput(
            _(
                "此表单已受理为工单 %(number)s，所填内容与之不同，未新建工单。"
                "如是另一通来电，请核对后再次提交。"
            )
            % {"number": token.ticket.number}
        )
    return token.ticket


def ticket_intake_answered(
    *, actor: User, answer: str, article: KnowledgeArticle | None = None, **intake: Any
) -> Ticket:
    """受理 and 直接答复 in one step, from the desk: a consultation answered on the spot (from
    the knowledge base) is taken in and closed answered in one transaction, with both timeline
    events (受理, then 直接答复 naming the article), and never waits in the dispatcher's queue.

    Refused before any write, as each of the two would refuse: the hotline's roles, a
    consultation (on the form's `kind`), an answer, then the intake's own checks.
    """
    rules.check_answer_at_intake(actor, str(intake.get("kind", "")))
    answer = _text(answer, "answer", _("答复内容"))
    with transaction.atomic():
        ticket = ticket_intake(actor=actor, **intake)
        return ticket_direct_answer(ticket=ticket, actor=actor, answer=answer, article=article)


def ticket_intake_once(
    *,
    actor: User,
    form_token: uuid.UUID,
    answer: str | None = None,
    article: KnowledgeArticle | None = None,
    **intake: Any,
) -> Intake:
    """受理 from a form that carries a one-time token (the desk, office/desk.py): once per token.

    The first submit takes the call in (`ticket_intake` with `intake`) and keeps the token with
    the ticket, in the intake's transaction. The same form again, with the same content (a
    network retry, a double click), writes nothing and answers the first ticket (`repeated`);
    with other content it is refused (InvalidInput naming that ticket): the form is not another
    call's. Two copies at the same moment: the second's token insert waits for the first's
    commit and fails, its intake (ticket number included) rolls back, and it answers the first's
    ticket. A refused intake keeps no token, so the corrected form may be sent with it again.
    With an `answer` the call is answered and closed at once (`ticket_intake_answered`).
    """
    rules.require_roles(actor, rules.INTAKE_ROLES, _("受理工单"))
    fingerprint = _fingerprint({**intake, "answer": answer, "article": article})
    earlier = _earlier_intake(actor, form_token, fingerprint)
    if earlier is not None:
        return Intake(earlier, repeated=True)
    try:
        with transaction.atomic():
            if answer is None:
                ticket = ticket_intake(actor=actor, **intake)
            else:
                ticket = ticket_intake_answered(
                    actor=actor, answer=answer, article=article, **intake
                )
            insert_one(
                IntakeToken(
                    key=form_token, ticket=ticket, created_by=actor, fingerprint=fingerprint
                )
            )
    except IntegrityError:
        # A copy of this form committed first (the token's unique key): answer its ticket.
        earlier = _earlier_intake(actor, form_token, fingerprint)
        if earlier is None:
            raise
        return Intake(earlier, repeated=True)
    return Intake(ticket, repeated=False)


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
    ticket = _lock(ticket, expected_version)
    rules.check_direct_answer(actor, ticket, rules.Facts(ticket))
    answer = _text(answer, "answer", _("答复内容"))
    old, now = ticket.status, timezone.now()
    ticket.reply_result = ReplyResult.EXPLAINED
    ticket.reply_text = answer
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
    ticket = _lock(ticket, expected_version)
    facts = rules.Facts(ticket)
    rules.check_emergency_transfer(actor, ticket, facts)
    if to not in EMERGENCY_SERVICES:
        raise InvalidInput(_("请选择转接的 110、119、120 或 122。"), field="to")
    note = _text(note, "note", _("说明"), required=False)
    old = ticket.status
    _cancel(facts.assignments)
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
        note=note,
        to=to,
    )
    return ticket


@transaction.atomic
def ticket_legal_channel(
    *, ticket: Ticket, actor: User, channel: str, note: str, expected_version: int | None = None
) -> Ticket:
    """诉讼/仲裁/信访/复议/信息公开 matters: explain the legal channel and close."""
    ticket = _lock(ticket, expected_version)
    rules.check_legal_channel(actor, ticket, rules.Facts(ticket))
    if channel not in LEGAL_CHANNELS:
        raise InvalidInput(_("请选择法定途径。"), field="channel")
    note = _text(note, "note", _("告知内容"))
    old, now = ticket.status, timezone.now()
    ticket.reply_result = ReplyResult.EXPLAINED
    ticket.reply_text = note
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
