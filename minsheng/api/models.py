"""The REST API's own rows: access tokens, idempotency records and units' webhooks.

Tokens are stored hashed: the key is printed once (`manage.py api_token create`) and only its
SHA-256 and first characters are kept, so a database dump does not hand out API access.
"""

from __future__ import annotations

import secrets
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import URLValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from minsheng.api.destinations import validate_webhook_url
from minsheng.org.models import Unit


class ApiToken(models.Model):
    """A key that acts as `user`, with that user's roles and scope."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("用户"),
    )
    name = models.CharField(_("名称"), max_length=100, blank=True)
    key_hash = models.CharField(_("密钥摘要"), max_length=64, unique=True, editable=False)
    key_prefix = models.CharField(_("密钥前缀"), max_length=8, db_index=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    # Written at most once a minute (authentication.py), not on every request.
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")
        ordering: ClassVar[list[str]] = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.key_prefix}… {self.name or self.user}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class IdempotencyRecord(models.Model):
    """The first successful answer to a POST sent with an `Idempotency-Key` header.

    Written in the same transaction as the action it answers: an action that fails leaves no
    record, so the client may retry with the same key; one that succeeds is replayed, never
    repeated (minsheng/api/idempotency.py).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token = models.ForeignKey(
        ApiToken, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    key = models.CharField(_("幂等键"), max_length=200)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=300)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response_body = models.JSONField(encoder=DjangoJSONEncoder, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("幂等记录")
        verbose_name_plural = _("幂等记录")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["user", "key"], name="api_idempotency_user_key")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.key}"


class WebhookEvent(models.TextChoices):
    DISPATCHED = "ticket.dispatched", _("工单派给本单位")
    UNSATISFIED = "ticket.unsatisfied", _("回访不满意")
    OVERDUE = "ticket.overdue", _("工单超期")


def all_events() -> list[str]:
    return list(WebhookEvent.values)


def new_secret() -> str:
    return secrets.token_hex(32)


def validate_events(value: object) -> None:
    if not isinstance(value, list) or not value:
        raise ValidationError(_("请至少选择一个事件。"))
    unknown = [item for item in value if item not in WebhookEvent.values]
    if unknown:
        raise ValidationError(
            _("未知事件：%(events)s。可选：%(known)s。")
            % {"events": ", ".join(map(str, unknown)), "known": ", ".join(WebhookEvent.values)}
        )


class Webhook(models.Model):
    """Where a unit's own system wants to hear about its tickets, signed with `secret`."""

    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="webhooks", verbose_name=_("单位")
    )
    url = models.URLField(
        _("接收地址"),
        max_length=200,
        validators=[URLValidator(schemes=["http", "https"]), validate_webhook_url],
    )
    secret = models.CharField(
        _("签名密钥"),
        max_length=128,
        default=new_secret,
        help_text=_("HMAC-SHA256 签名密钥，请提供给对方系统用于验签。"),
    )
    events = models.JSONField(_("事件"), default=all_events, validators=[validate_events])
    is_active = models.BooleanField(_("启用"), default=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("Webhook")
        verbose_name_plural = _("Webhook")
        ordering: ClassVar[list[str]] = ["unit", "id"]

    def __str__(self) -> str:
        return f"{self.unit} → {self.url}"
