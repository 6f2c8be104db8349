"""Admin for the REST API: tokens (create with the key shown once, revoke), units' webhooks and
the idempotency records (read-only, for support)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from minsheng.api import tokens
from minsheng.api.models import ApiToken, IdempotencyRecord, Webhook


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = ("key_prefix", "name", "user", "created_at", "last_used_at", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    search_fields = ("key_prefix", "name", "user__username")
    raw_id_fields = ("user",)
    actions = ("revoke",)

    def get_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> Any:
        if obj is None:
            return ["user", "name"]
        return ["user", "name", "key_prefix", "created_at", "last_used_at", "revoked_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> Any:
        if obj is None:
            return []
        return ["user", "key_prefix", "created_at", "last_used_at", "revoked_at"]

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        token, key = tokens.token_create(user=obj.user, name=obj.name)
        obj.pk = token.pk  # so the admin's "added" message and redirect find the row
        messages.warning(
            request,
            _("令牌 %(prefix)s… 的密钥（只显示这一次，请立即复制保存）：%(key)s")
            % {"prefix": token.key_prefix, "key": key},
        )

    @admin.action(description=_("吊销所选令牌"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        count = 0
        for token in queryset.filter(revoked_at__isnull=True):
            tokens.token_revoke(token=token)
            count += 1
        self.message_user(request, _("已吊销 %(n)d 个令牌。") % {"n": count})


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin[Webhook]):
    list_display = ("unit", "url", "events", "is_active", "created_at")
    list_filter = ("is_active",)
    search_fields = ("unit__code", "unit__name", "url")
    raw_id_fields = ("unit",)


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(admin.ModelAdmin[IdempotencyRecord]):
    list_display = ("key", "user", "method", "path", "status_code", "created_at")
    search_fields = ("key", "user__username", "path")
    readonly_fields = (
        "user",
        "token",
        "key",
        "method",
        "path",
        "request_hash",
        "status_code",
        "response_body",
        "created_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
