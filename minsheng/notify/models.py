"""The outbox (notifications waiting to leave the system) and in-app messages.

The database is the queue: `services.enqueue` writes an `Outbox` row in the caller's
transaction, and `delivery.deliver_due` claims due rows and sends them after commit. A row's
life::

    pending ──claim──► sending ──ok──────────────► sent
       ▲                 │ ├──transient error──► failed ──(next_attempt_at)──► claimed again
       │                 │ └──permanent error / too many attempts──► dead
       │                 └──lease expired (worker died)──► claimed again
       └──────── admin "重新发送" (dead / failed) ◄────────┘
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("失败待重试")
    DEAD = "dead", _("发送失败")


class OutboxChannel(models.TextChoices):
    LOG = "log", _("日志")
    EMAIL = "email", _("电子邮件")
    SMS = "sms", _("短信")
    INAPP = "inapp", _("站内消息")
    WEBHOOK = "webhook", _("Webhook")


# Rows a worker may still have to act on. `sending` is here because a row whose lease expired
# (its worker died between claim and delivery) is due again; the claim sets next_attempt_at to
# the end of the lease, so one index range scan on next_attempt_at finds every kind of due row.
LIVE_STATUSES: tuple[str, ...] = (OutboxStatus.PENDING, OutboxStatus.FAILED, OutboxStatus.SENDING)


class Outbox(models.Model):
    """One notification to one recipient over one channel, sent at most once per key."""

    Status = OutboxStatus
    Channel = OutboxChannel

    key = models.CharField(_("幂等键"), max_length=200, unique=True)
    channel = models.CharField(_("渠道"), max_length=16, choices=OutboxChannel.choices)
    # Phone, e-mail address, user id or URL. Personal data: admin pages and logs show it masked.
    recipient = models.CharField(_("接收方"), max_length=254)
    template = models.CharField(_("消息模板"), max_length=64)
    # Rendered at delivery, so the JSON holds only what the template needs.
    context = models.JSONField(_("模板参数"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    status = models.CharField(
        _("状态"), max_length=16, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    # Claims so far, including the one in progress; a claim counts even if its worker died.
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), default=timezone.now)
    claimed_until = models.DateTimeField(_("租约到期"), null=True, blank=True)
    claimed_by = models.CharField(_("处理进程"), max_length=100, blank=True)
    last_error = models.TextField(_("最近错误"), blank=True)  # masked by mask_pii
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("发件箱")
        verbose_name_plural = _("发件箱")
        ordering: ClassVar[list[str]] = ["-created_at", "-id"]
        indexes: ClassVar[list[models.Index]] = [
            # The worker's due-row lookup: a range scan over live rows only. Sent and dead rows,
            # the vast majority after a while, are not in this index at all.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=LIVE_STATUSES),
                name="notify_outbox_due",
            ),
            # The admin's status filter and the health figures (how many are failing).
            models.Index(fields=["status", "next_attempt_at"], name="notify_outbox_status"),
        ]

    def __str__(self) -> str:
        return self.key


class Message(models.Model):
    """An in-app message (站内消息) shown in the user's inbox and counted in the header badge."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="notify_messages",
    )
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=500, blank=True)
    # Idempotency: the same event fanned out twice, or an outbox row delivered again after a
    # lease expired, still gives one message. NULL for messages written without a key.
    key = models.CharField(_("幂等键"), max_length=200, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("站内消息")
        verbose_name_plural = _("站内消息")
        ordering: ClassVar[list[str]] = ["-created_at", "-id"]
        indexes: ClassVar[list[models.Index]] = [
            # The header badge: COUNT(*) WHERE user_id = ? AND read_at IS NULL.
            models.Index(fields=["user", "read_at"], name="notify_message_unread"),
            # The inbox: newest first per user.
            models.Index(fields=["user", "-created_at"], name="notify_message_inbox"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
