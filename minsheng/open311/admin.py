"""Admin for Open311: client applications (create with a key shown once, revoke), the
attributes each service asks for, and the posted requests (read-only)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from minsheng.open311 import services
from minsheng.open311.models import (
    ApiClient,
    RequestAttributeValue,
    ServiceAttribute,
    ServiceRequest,
)


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin[ApiClient]):
    list_display = (
        "name",
        "key_prefix",
        "is_active",
        "rate_limit_per_minute",
        "created_at",
        "last_used_at",
    )
    list_filter = ("is_active",)
    search_fields = ("name", "key_prefix")
    readonly_fields = ("key_prefix", "user", "created_at", "last_used_at")
    actions = ("revoke",)

    def get_fields(self, request: HttpRequest, obj: ApiClient | None = None) -> Any:
        if obj is None:  # a new client: the key, account and dates come from client_issue
            return ["name", "rate_limit_per_minute", "note"]
        return [
            "name",
            "key_prefix",
            "is_active",
            "rate_limit_per_minute",
            "note",
            "user",
            "created_at",
            "last_used_at",
        ]

    def save_model(self, request: HttpRequest, obj: ApiClient, form: Any, change: bool) -> None:
        if not change:
            key = services.client_issue(client=obj)
            messages.warning(
                request,
                _("应用“%(name)s”的 API 密钥（只显示这一次，请立即复制保存）：%(key)s")
                % {"name": obj.name, "key": key},
            )
            return
        super().save_model(request, obj, form, change)
        if "is_active" in form.changed_data:
            services.client_set_active(client=obj, active=obj.is_active)

    @admin.action(description=_("停用所选应用（密钥立即失效）"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiClient]) -> None:
        for client in queryset:
            services.client_revoke(client=client)
        self.message_user(request, _("已停用 %(n)s 个应用。") % {"n": queryset.count()})


@admin.register(ServiceAttribute)
class ServiceAttributeAdmin(admin.ModelAdmin[ServiceAttribute]):
    list_display = ("category", "code", "description", "datatype", "required", "order")
    list_select_related = ("category",)
    list_filter = ("datatype", "required")
    search_fields = ("category__full_name", "code", "description")
    autocomplete_fields = ("category",)


class AttributeValueInline(admin.TabularInline[RequestAttributeValue, ServiceRequest]):
    model = RequestAttributeValue
    fields = ("code", "display")
    readonly_fields = ("code", "display")
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ServiceRequest)
class ServiceRequestAdmin(admin.ModelAdmin[ServiceRequest]):
    """Read-only: a posted request is a ticket, changed only through the ticket services."""

    list_display = ("ticket", "client", "created_at")
    list_select_related = ("ticket", "client")
    list_filter = ("client",)
    search_fields = ("ticket__number",)
    inlines = (AttributeValueInline,)
    show_full_result_count = False
    fields = (
        "ticket",
        "client",
        "email",
        "device_id",
        "account_id",
        "address_id",
        "media_url",
        "created_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
