"""Open311 GeoReport v2: the client applications allowed to post, their rate windows, the
attributes a service asks for, and what a posted request carried beyond the ticket itself.

A service is a category (诉求分类); its `service_code` is the category's id (see
docs/configuration.md, "Open311"). A service request *is* a ticket: `ServiceRequest` only keeps
the Open311 fields the ticket has no column for (media URL, e-mail, device, address id) and
links the ticket to the client that created it.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from minsheng.tickets.models import Category, Ticket


class ApiClient(models.Model):
    """An application that may POST service requests, known by its API key.

    Only the key's SHA-256 is stored: the key itself is shown once, when it is created
    (`manage.py open311_key create NAME` or the admin). Each client acts through its own
    service account (`user`, role 话务员), so the timeline says which application took a ticket.
    """

    name = models.CharField(_("名称"), max_length=60, unique=True)
    key_hash = models.CharField(_("密钥摘要"), max_length=64, unique=True, editable=False)
    key_prefix = models.CharField(_("密钥前缀"), max_length=8, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="open311_client",
        verbose_name=_("服务账号"),
        editable=False,
    )
    is_active = models.BooleanField(_("启用"), default=True)
    rate_limit_per_minute = models.PositiveIntegerField(
        _("每分钟请求上限"), default=60, help_text=_("0 表示不限制。")
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    class Meta:
        verbose_name = _("Open311 应用")
        verbose_name_plural = _("Open311 应用")
        ordering: ClassVar[list[str]] = ["name"]

    def __str__(self) -> str:
        return self.name


class RateWindow(models.Model):
    """A fixed one-minute window's request count for one client.

    A row in the database rather than Django's cache: the default cache is per process, and the
    limit must hold across every gunicorn worker on every machine. Counting is one conditional
    UPDATE (`count < limit`), so two workers cannot both take the last slot.
    """

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="+")
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["client", "window_start"], name="open311_rate_window_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.client_id} {self.window_start:%H:%M} {self.count}"


class Datatype(models.TextChoices):
    STRING = "string", _("单行文本")
    NUMBER = "number", _("数字")
    DATETIME = "datetime", _("日期时间")
    TEXT = "text", _("多行文本")
    SINGLEVALUELIST = "singlevaluelist", _("单选")
    MULTIVALUELIST = "multivaluelist", _("多选")


LIST_DATATYPES = (Datatype.SINGLEVALUELIST, Datatype.MULTIVALUELIST)


def validate_values(values: Any) -> None:
    """`values` is a list of {"key": str, "name": str} with unique, non-empty keys."""
    if not isinstance(values, list):
        raise ValidationError(_('选项必须是列表，例如 [{"key": "1", "name": "路灯"}]。'))
    keys: set[str] = set()
    for item in values:
        if not isinstance(item, dict) or set(item) != {"key", "name"}:
            raise ValidationError(_("每个选项必须恰好有 key 和 name 两项。"))
        key, name = item["key"], item["name"]
        if (
            not isinstance(key, str)
            or not isinstance(name, str)
            or not key.strip()
            or not name.strip()
        ):
            raise ValidationError(_("选项的 key 和 name 必须是非空文字。"))
        if key in keys:
            raise ValidationError(_("选项的 key 重复：%(key)s") % {"key": key})
        keys.add(key)


class ServiceAttribute(models.Model):
    """An extra question a service asks (GeoReport v2 "service definition" attribute)."""

    category = models.ForeignKey(
        Category,
        on_delete=models.CASCADE,
        related_name="open311_attributes",
        verbose_name=_("分类"),
    )
    code = models.SlugField(_("代码"), max_length=50)
    variable = models.BooleanField(
        _("需要填写"), default=True, help_text=_("不勾选表示仅向用户展示说明文字，不需要填写。")
    )
    datatype = models.CharField(_("类型"), max_length=16, choices=Datatype.choices)
    required = models.BooleanField(_("必填"), default=False)
    order = models.PositiveSmallIntegerField(_("顺序"), default=1)
    description = models.CharField(
        _("问题"), max_length=200, help_text=_("向用户显示的问题，如“路灯编号”。")
    )
    datatype_description = models.CharField(_("填写说明"), max_length=200, blank=True)
    values = models.JSONField(_("选项"), default=list, blank=True, validators=[validate_values])

    class Meta:
        verbose_name = _("服务属性")
        verbose_name_plural = _("服务属性")
        ordering: ClassVar[list[str]] = ["category", "order", "code"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["category", "code"], name="open311_attribute_unique_code"
            )
        ]

    def __str__(self) -> str:
        return f"{self.category} · {self.code}"

    def clean(self) -> None:
        if self.datatype in LIST_DATATYPES and not self.values:
            raise ValidationError({"values": _("单选和多选属性必须有选项。")})
        if self.datatype not in LIST_DATATYPES and self.values:
            raise ValidationError({"values": _("只有单选和多选属性可以有选项。")})
        if self.required and not self.variable:
            raise ValidationError({"required": _("不需要填写的属性不能是必填。")})

    def value_names(self) -> dict[str, str]:
        return {str(v["key"]): str(v["name"]) for v in self.values or [] if isinstance(v, dict)}


class ServiceRequest(models.Model):
    """The Open311 side of a ticket that came in through the API."""

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="open311")
    client = models.ForeignKey(ApiClient, on_delete=models.PROTECT, related_name="requests")
    # What the spec lets a client send and the ticket has no column for. The e-mail is personal
    # data: stored for the hotline, never returned by the API.
    email = models.EmailField(_("电子邮箱"), blank=True)
    device_id = models.CharField(_("设备标识"), max_length=100, blank=True)
    account_id = models.CharField(_("用户账号"), max_length=100, blank=True)
    address_id = models.CharField(_("地址编码"), max_length=100, blank=True)
    media_url = models.URLField(_("图片链接"), max_length=500, blank=True)
    # A client's `Idempotency-Key` header (an extension of the spec, docs/api.md) and the
    # fingerprint of the request it came with: a retry after a lost answer gets the first
    # answer instead of a second ticket.
    idempotency_key = models.CharField(max_length=200, blank=True, editable=False)
    request_hash = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Open311 诉求")
        verbose_name_plural = _("Open311 诉求")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            # Used by the retry's lookup, and what makes two concurrent retries one ticket.
            models.UniqueConstraint(
                fields=["client", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="open311_request_idempotency_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.client_id} → {self.ticket_id}"


class RequestAttributeValue(models.Model):
    """One answered attribute of a posted request; `value` is a string, or a list of keys for a
    multi-value list. `display` is the readable form (option names, not keys)."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="attributes")
    attribute = models.ForeignKey(
        ServiceAttribute, null=True, on_delete=models.SET_NULL, related_name="+"
    )  # kept when the definition is later deleted: the citizen's answer stays
    code = models.CharField(max_length=50)
    value = models.JSONField()
    display = models.TextField()

    class Meta:
        verbose_name = _("属性值")
        verbose_name_plural = _("属性值")
        ordering: ClassVar[list[str]] = ["id"]

    def __str__(self) -> str:
        return f"{self.code}={self.display}"
