"""Villagers' questions (质询/异议) about a published item: each is a ticket on the ticket core,
addressed to the village committee and dispatched straight to it, with the configured answer
deadline; a `Question` row links the item and the ticket.

How the deadline is set, honestly: the ticket core takes its deadlines from the deadline policy
of the ticket's category (deadlines/policy.py), so the questions are filed under their own
category, 村务基层治理/村务管理/村务公开质询, whose policy answers within
MINSHENG_VILLAGE_QUESTION_DAYS natural days (default 5) of the dispatch. The service keeps that
policy equal to the setting (it creates the category and its policy rows the first time, and
puts the setting back should they differ), so the setting is the one place to change it, the
clock's alarms and the statistics see an ordinary ticket, and nothing writes a deadline by hand.

Who acts: the villages' own service account (`village-questions`, 村务公开质询, no usable
password), an operator and dispatcher like the hotline's, so the timeline says who took the
question in and dispatched it. The phone proven by an SMS code is written on the ticket only.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from minsheng.deadlines.models import DeadlinePolicy, TimeUnit
from minsheng.deadlines.policy import DEFAULTS, Span, policy_for
from minsheng.org.models import Division, Role, RoleGrant, Unit, User
from minsheng.textproc.pii import normalize_phone
from minsheng.tickets import actions
from minsheng.tickets.models import Category, Channel, Kind, Ticket, Urgency
from minsheng.villages.errors import InvalidInput, InvalidTransition
from minsheng.villages.models import Item, ItemStatus, Question
from minsheng.villages.selectors import QUESTION_HEADER, village_name
from minsheng.villages.services.boards import record_event

ACCOUNT = "village-questions"
CATEGORY_PATH = ("村务基层治理", "村务管理", "村务公开质询")
MIN_TEXT = 5
MAX_TEXT = 1000
TITLE_CHARS = 30
# 质询 asks for an explanation (咨询); 异议 objects to what was published (投诉).
KIND_WORDS: dict[str, str] = {Question.Kind.QUERY: "质询", Question.Kind.OBJECTION: "异议"}
TICKET_KIND = {Question.Kind.QUERY: Kind.CONSULTATION, Question.Kind.OBJECTION: Kind.COMPLAINT}


def question_actor() -> User:
    """The service account that takes villagers' questions in and dispatches them."""
    user = User.objects.filter(username=ACCOUNT).first()
    if user is None:
        with transaction.atomic():
            user, created = User.objects.get_or_create(
                username=ACCOUNT, defaults={"display_name": "村务公开质询（群众端）"}
            )
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
            for role in (Role.OPERATOR, Role.DISPATCHER):
                RoleGrant.objects.get_or_create(user=user, role=role)
    return user


def answer_days() -> int:
    return int(settings.MINSHENG_VILLAGE_QUESTION_DAYS)


def question_category() -> Category:
    """The questions' category, created with its parents where the tree lacks them."""
    parent: Category | None = None
    for depth in range(1, len(CATEGORY_PATH) + 1):
        full_name = "/".join(CATEGORY_PATH[:depth])
        node = Category.objects.filter(full_name=full_name).first()
        if node is None:
            node = Category.objects.create(
                name=CATEGORY_PATH[depth - 1], parent=parent, level=depth, full_name=full_name
            )
        parent = node
    assert parent is not None
    return parent


def _keep_policy(category: Category) -> None:
    """The category's policies answer within the configured days (read from the per-process
    snapshot of policies: no query unless they must change)."""
    reply = Span(Decimal(answer_days()), TimeUnit.DAYS)
    for kind in TICKET_KIND.values():
        applies = DeadlinePolicy.Applies.CONSULTATION if kind == Kind.CONSULTATION else "general"
        current = policy_for(kind=kind, urgency=Urgency.GENERAL, category_ids=[category.pk])
        if current.reply == reply:
            continue
        base = DEFAULTS[applies]
        DeadlinePolicy.objects.update_or_create(
            applies_to=applies,
            category=category,
            defaults={
                "dispatch_amount": base.dispatch.amount,
                "dispatch_unit": base.dispatch.unit,
                "sign_amount": base.sign.amount,
                "sign_unit": base.sign.unit,
                "contact_amount": base.contact.amount if base.contact else None,
                "contact_unit": base.contact.unit if base.contact else "",
                "reply_amount": reply.amount,
                "reply_unit": reply.unit,
                "callback_amount": base.callback.amount,
                "callback_unit": base.callback.unit,
                "pause_allowed": base.pause_allowed,
            },
        )


def committee_for(village: Division) -> Unit | None:
    """The village committee (a unit of kind village serving the village); else the township's
    government (kind township, serving the village's township)."""
    unit = (
        Unit.objects.filter(kind=Unit.Kind.VILLAGE, division=village, is_active=True)
        .order_by("path")
        .first()
    )
    if unit is None and village.parent_id:
        unit = (
            Unit.objects.filter(
                kind=Unit.Kind.TOWNSHIP, division_id=village.parent_id, is_active=True
            )
            .order_by("path")
            .first()
        )
    return unit


def _title(text: str) -> str:
    first = text.strip().splitlines()[0] if text.strip() else ""
    return first[:TITLE_CHARS] + ("…" if len(first) > TITLE_CHARS else "")


def question_ask(*, item: Item, kind: str, text: str, phone: str) -> Question:
    """A villager's 质询 or 异议 about a published item, from a phone proven by an SMS code:
    a ticket to the village committee, dispatched to it, answered within the configured days.
    Refused (nothing written) for an item not published, a bad kind, text or phone, or a
    village without a committee or township to answer."""
    if kind not in Question.Kind.values:
        raise InvalidInput(_("请选择质询或异议。"), field="kind")
    text = text.strip()
    if len(text) < MIN_TEXT:
        raise InvalidInput(
            _("请把问题写清楚一些（至少 %(n)s 个字）。") % {"n": MIN_TEXT}, field="text"
        )
    if len(text) > MAX_TEXT:
        raise InvalidInput(_("内容太长了，请控制在 %(n)s 字以内。") % {"n": MAX_TEXT}, field="text")
    number = normalize_phone(phone or "") or ""
    if not (len(number) == 11 and number.startswith("1") and number.isdigit()):
        raise InvalidInput(_("请填写 11 位手机号码。"), field="phone")
    current = Item.objects.select_related("board__village").filter(pk=item.pk).first()
    if current is None or current.status != ItemStatus.PUBLISHED:
        raise InvalidTransition(_("只能对已公开的事项提出质询。"))
    village = current.board.village
    unit = committee_for(village)
    if unit is None:
        raise InvalidTransition(_("这个村还没有可以答复质询的村委会或乡镇，请拨打 12345。"))
    # The account, the category and its policy: configuration, made once and kept.
    actor = question_actor()
    category = question_category()
    _keep_policy(category)
    with transaction.atomic():
        locked = Item.objects.select_for_update().filter(pk=item.pk).first()
        if locked is None or locked.status != ItemStatus.PUBLISHED:
            raise InvalidTransition(_("只能对已公开的事项提出质询。"))
        # Stored text is Chinese whatever the page's language: it is the ticket's content.
        label = KIND_WORDS[kind]
        header = (
            QUESTION_HEADER.format(kind=label) + f"{village_name(village.name)}「{locked.title}」"
        )
        ticket: Ticket = actions.ticket_intake(
            actor=actor,
            channel=Channel.H5,
            kind=TICKET_KIND[Question.Kind(kind)],
            title=_title(text),
            description=f"{header}\n{text}",
            citizen_phone=number,
            category=category,
            division=village,
        )
        ticket = actions.ticket_dispatch(
            ticket=ticket,
            actor=actor,
            lead_unit=unit,
            instructions=f"村民对本村公开事项的{label}，请在 {answer_days()} 日内答复。",
        )
        question = Question.objects.create(item=locked, ticket=ticket, kind=kind)
        record_event(
            board_id=locked.board_id,
            subject="item",
            subject_id=locked.pk,
            verb="questioned",
            actor=actor,
            note=ticket.number,
            data={"ticket": ticket.number, "kind": kind, "unit": unit.code},
        )
    return question
