"""The citizens' side keeps only what proving a phone and finding one's ticket need: the SMS
codes (hashed), the receipt of each report (its query code, hashed; the submission's key that
makes a resent form one ticket) and failed lookups (for the lockout). The ticket itself, its
photos and its timeline are the ticket core's, written by its services.

The public message board (留言板) keeps its messages as published: `PublicMessage` (the text
masked when it was written, never the ticket's own text), `MessageLike` (one per phone, the
phone as a keyed hash only) and `MessageDecision` (the moderators' audit)."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from minsheng.org.models import Division
from minsheng.tickets.models import Category, Ticket


class PhoneCode(models.Model):
    """One SMS code sent to a phone: valid CODE_MINUTES, used once, a few tries."""

    class Purpose(models.TextChoices):
        REPORT = "report", _("反映诉求")
        TRACK = "track", _("查询诉求")
        LIKE = "like", _("点赞附议")
        VILLAGE = "village", _("村务质询")  # a question about a village board's item

    phone = models.CharField(max_length=20)
    purpose = models.CharField(max_length=10, choices=Purpose.choices)
    code_hash = models.CharField(max_length=64)
    address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    tries = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("短信验证码")
        verbose_name_plural = _("短信验证码")
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["phone", "created_at"], name="portal_code_phone"),
            models.Index(fields=["address", "created_at"], name="portal_code_address"),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} {self.created_at:%Y-%m-%d %H:%M}"


class Receipt(models.Model):
    """What a citizen's report left on the citizens' side: how to find it again."""

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="receipt")
    query_hash = models.CharField(max_length=64)
    submission_key = models.CharField(max_length=64, unique=True)
    wants_public = models.BooleanField(_("愿意公开"), default=False)
    # The configured sensitive words the report contained ("" for none): such a report is never
    # published without a moderator (MINSHENG_SENSITIVE_ACTION=hold).
    screened = models.CharField(_("敏感词"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("群众端受理回执")
        verbose_name_plural = _("群众端受理回执")

    def __str__(self) -> str:
        return self.ticket.number


class LookupFailure(models.Model):
    """A wrong query code: tries are limited per ticket number and per address."""

    number = models.CharField(max_length=32)
    address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["number", "at"], name="portal_fail_number"),
            models.Index(fields=["address", "at"], name="portal_fail_address"),
        ]

    def __str__(self) -> str:
        return self.number


# --- The public message board (留言板) ------------------------------------------------------------


class PublicMessage(models.Model):
    """A public message (留言): a citizen's report that they chose to make public, as published
    (masked when it was made; a moderator may mask more by editing it, never the ticket), or a
    message of the demo history (no ticket). Only approved messages are public."""

    class State(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已公开")
        REJECTED = "rejected", _("未通过")

    # One message per report; null for the demo history (`source` says where it came from).
    ticket = models.OneToOneField(
        Ticket, null=True, blank=True, on_delete=models.CASCADE, related_name="public_message"
    )
    source = models.CharField(max_length=40, null=True, blank=True, unique=True)
    title = models.CharField(_("标题"), max_length=200)
    text = models.TextField(_("留言内容"))
    # The ticket's category as filed (a leaf) and its first level, which the board filters by;
    # the township (乡镇) of the ticket's place — the board never shows more of the place.
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    topic = models.ForeignKey(
        Category,
        verbose_name=_("分类"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # portal_board_topic serves it
    )
    township = models.ForeignKey(
        Division,
        verbose_name=_("乡镇"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # portal_board_township serves it
    )
    posted_at = models.DateTimeField(_("留言时间"))
    state = models.CharField(
        _("审核状态"), max_length=10, choices=State.choices, default=State.PENDING
    )
    rejection_reason = models.TextField(_("不予公开的理由"), blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # no query asks for a moderator's messages
    )
    moderated_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    like_count = models.PositiveIntegerField(_("点赞数"), default=0)
    # The demo history's official reply; a ticket's reply is read from the ticket.
    reply_text = models.TextField(_("答复内容"), blank=True)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("留言")
        verbose_name_plural = _("留言")
        indexes: ClassVar[list[models.Index]] = [
            # The board's list, newest first (board/selectors.py `board_page`), and the same
            # per first-level category and per township (the filters and the Atom feeds).
            models.Index(
                models.F("posted_at").desc(),
                models.F("id").desc(),
                condition=models.Q(state="approved"),
                name="portal_board_list",
            ),
            models.Index(
                "topic",
                models.F("posted_at").desc(),
                condition=models.Q(state="approved"),
                name="portal_board_topic",
            ),
            models.Index(
                "township",
                models.F("posted_at").desc(),
                condition=models.Q(state="approved"),
                name="portal_board_township",
            ),
            # The board's "most liked" order.
            models.Index(
                models.F("like_count").desc(),
                models.F("id").desc(),
                condition=models.Q(state="approved"),
                name="portal_board_liked",
            ),
            # The moderation queue: pending messages, oldest first.
            models.Index(
                fields=["created_at"],
                condition=models.Q(state="pending"),
                name="portal_board_pending",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class MessageLike(models.Model):
    """点赞/附议: one per phone and message. The phone is kept as a keyed hash only (HMAC with
    the installation's secret key): enough to refuse a second like, useless to anyone else."""

    message = models.ForeignKey(
        PublicMessage,
        on_delete=models.CASCADE,
        related_name="likes",
        db_index=False,  # portal_like_once (message, phone_hash) serves it
    )
    phone_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("点赞")
        verbose_name_plural = _("点赞")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["message", "phone_hash"], name="portal_like_once")
        ]

    def __str__(self) -> str:
        return f"{self.message_id}"


class MessageDecision(models.Model):
    """A moderator's decision on a message (the audit): approved, rejected with its reason, or
    the published text edited (masked more). Append-only."""

    class Action(models.TextChoices):
        APPROVE = "approve", _("公开")
        REJECT = "reject", _("不予公开")
        EDIT = "edit", _("修改公开内容")

    message = models.ForeignKey(PublicMessage, on_delete=models.CASCADE, related_name="decisions")
    action = models.CharField(_("操作"), max_length=10, choices=Action.choices)
    reason = models.TextField(_("理由"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("留言审核记录")
        verbose_name_plural = _("留言审核记录")

    def __str__(self) -> str:
        return f"{self.action} {self.at:%Y-%m-%d %H:%M}"
