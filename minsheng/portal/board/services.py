"""Changes to the board, each in one transaction: a citizen's report becomes a pending message
(`open_message`, inside the report's transaction), a moderator approves, rejects with a reason
or masks more (`approve`, `reject`, `edit`, each audited by a `MessageDecision`), a proven phone
likes an approved message once (`like`).

What is published is masked when it is written (`tickets.public.public_text`: phones, ID
numbers and the like, and the citizen's own name); an edit is masked again, so an edit can only
hide more. The ticket itself is never changed here."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from minsheng.insight import triage
from minsheng.org.models import User
from minsheng.portal.board import places
from minsheng.portal.codes import Refused
from minsheng.portal.models import MessageDecision, MessageLike, PublicMessage
from minsheng.textproc.pii import mask_pii
from minsheng.tickets import rules
from minsheng.tickets.catalogue import township_code_for
from minsheng.tickets.models import Ticket
from minsheng.tickets.public import public_text

MAX_TITLE = 200
MAX_TEXT = 8000
MAX_REASON = 500
HEADLINE = 30

State = PublicMessage.State


def may_be_public(ticket: Ticket) -> bool:
    """Anonymous and confidential reports never become public messages."""
    return not (ticket.anonymous or ticket.confidential)


def _filed(message: PublicMessage, ticket: Ticket) -> None:
    """Fill the message's category, first level and township from the ticket where it has
    none yet (a moderator's choice stands): the ticket's category and place as filed, else the
    router's suggestion of a category (insight.triage) when it is sure enough."""
    if message.topic_id is None:
        category = ticket.category
        if category is None:
            best = triage.suggest(ticket.description, ticket.title, ticket.division).best
            if best is not None and best.score >= triage.preselect_threshold():
                category = best.leaf or best.category
        topic = places.topic_of(category)
        if topic is not None:
            message.category, message.topic_id = category, topic.id
    if message.township_id is None:
        township = places.township(township_code_for(ticket.division))
        message.township_id = township.code if township else None


def headline(text: str) -> str:
    """A message's title: the first line of its masked text, cut short. Not the ticket's
    title masked: a title cut from the citizen's words may cut a phone number in two, and half
    a number is not recognised by the masking any more."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return first[:HEADLINE] + ("…" if len(first) > HEADLINE else "")


def open_message(ticket: Ticket) -> PublicMessage | None:
    """The pending message of a report whose citizen chose to make it public (called in the
    report's transaction); None for an anonymous or confidential report."""
    if not may_be_public(ticket):
        return None
    text = public_text(ticket.description, ticket)
    category = ticket.category
    topic = places.topic_of(category)
    township = places.township(township_code_for(ticket.division))
    message = PublicMessage(
        ticket=ticket,
        title=headline(text),
        text=text,
        posted_at=ticket.created_at,
        category=category if topic else None,
        topic_id=topic.id if topic else None,
        township_id=township.code if township else None,
    )
    message.save()
    return message


def _moderator(actor: User) -> None:
    rules.require_roles(actor, rules.HOTLINE_STAFF_ROLES, _("审核留言"))


def _locked(message: PublicMessage) -> PublicMessage:
    return (
        PublicMessage.objects.select_for_update(of=("self",))
        .select_related("ticket")
        .get(pk=message.pk)
    )


def _decided(message: PublicMessage, actor: User, action: str, reason: str = "") -> None:
    MessageDecision.objects.create(message=message, action=action, by=actor, reason=reason)


@transaction.atomic
def approve(*, message: PublicMessage, actor: User) -> PublicMessage:
    """公开: a pending (or earlier rejected) message goes public, filed as its ticket is now."""
    _moderator(actor)
    message = _locked(message)
    if message.state == State.APPROVED:
        raise Refused(_("这条留言已经公开了。"))
    ticket = message.ticket
    if ticket is not None:
        if not may_be_public(ticket):
            raise Refused(_("该诉求已标为匿名或保密，不能公开。"))
        _filed(message, ticket)
    message.state = State.APPROVED
    message.rejection_reason = ""
    message.moderated_by = actor
    message.moderated_at = timezone.now()
    message.save()
    _decided(message, actor, MessageDecision.Action.APPROVE)
    return message


@transaction.atomic
def reject(*, message: PublicMessage, actor: User, reason: str) -> PublicMessage:
    """不予公开 (or withdraw a public one), always with a reason."""
    _moderator(actor)
    reason = (reason or "").strip()
    if not reason:
        raise Refused(_("请填写不予公开的理由。"))
    if len(reason) > MAX_REASON:
        raise Refused(_("理由请控制在 %(n)s 字以内。") % {"n": MAX_REASON})
    message = _locked(message)
    if message.state == State.REJECTED:
        raise Refused(_("这条留言已经不予公开了。"))
    message.state = State.REJECTED
    message.rejection_reason = reason
    message.moderated_by = actor
    message.moderated_at = timezone.now()
    message.save(update_fields=["state", "rejection_reason", "moderated_by", "moderated_at"])
    _decided(message, actor, MessageDecision.Action.REJECT, reason)
    return message


def _masked(text: str, ticket: Ticket | None) -> str:
    return public_text(text, ticket) if ticket is not None else mask_pii(text)


@transaction.atomic
def edit(
    *,
    message: PublicMessage,
    actor: User,
    title: str,
    text: str,
    topic: int | None = None,
    township: str | None = None,
) -> PublicMessage:
    """修改公开内容: the moderator's text replaces the published one, masked again (an edit can
    hide more, never reveal), with the category and township the board files it under. The
    ticket keeps the citizen's words."""
    _moderator(actor)
    title, text = (title or "").strip(), (text or "").strip()
    if not title or not text:
        raise Refused(_("标题和内容都不能为空。"))
    if len(title) > MAX_TITLE or len(text) > MAX_TEXT:
        raise Refused(
            _("标题请控制在 %(t)s 字以内，内容在 %(n)s 字以内。") % {"t": MAX_TITLE, "n": MAX_TEXT}
        )
    chosen_topic = places.topic(topic)
    if topic is not None and chosen_topic is None:
        raise Refused(_("没有这个分类，请从列表中选择。"))
    chosen_township = places.township(township)
    if township and chosen_township is None:
        raise Refused(_("没有这个乡镇，请从列表中选择。"))
    message = _locked(message)
    title, text = _masked(title, message.ticket)[:MAX_TITLE], _masked(text, message.ticket)
    filed = (chosen_topic.id if chosen_topic else None, township or None)
    if (title, text, *filed) == (
        message.title,
        message.text,
        message.topic_id,
        message.township_id,
    ):
        return message
    if filed[0] != message.topic_id:
        message.category = None  # the leaf was under the first level that is no more
    message.title, message.text = title, text
    message.topic_id, message.township_id = filed
    message.save(update_fields=["title", "text", "category", "topic", "township"])
    _decided(message, actor, MessageDecision.Action.EDIT)
    return message


def phone_key(phone: str) -> str:
    """The keyed hash a like keeps of the phone (HMAC with SECRET_KEY)."""
    return salted_hmac("minsheng.portal.like", phone, algorithm="sha256").hexdigest()


def like(*, message_id: int, phone: str) -> PublicMessage:
    """点赞/附议 by a proven phone, once per message: Refused for a second like (the unique
    constraint decides, also for two at once) or a message that is not public."""
    key = phone_key(phone)
    with transaction.atomic():
        message = PublicMessage.objects.filter(pk=message_id, state=State.APPROVED).first()
        if message is None:
            raise Refused(_("这条留言不存在或未公开。"))
        try:
            with transaction.atomic():
                MessageLike.objects.create(message=message, phone_hash=key)
        except IntegrityError:
            raise Refused(_("您已经点赞过这条留言了，每个手机号只能点赞一次。")) from None
        PublicMessage.objects.filter(pk=message.pk).update(like_count=F("like_count") + 1)
    message.like_count += 1
    return message
