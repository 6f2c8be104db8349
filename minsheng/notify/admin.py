"""Administrators see every notification, and above all the dead ones (permanent failures),
and can send failed or dead ones again. Recipients and contexts are shown masked."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from minsheng.notify import services
from minsheng.notify.channels import mask_recipient
from minsheng.notify.models import Message, Outbox
from minsheng.textproc.pii import mask_pii


@admin.register(Outbox)
class OutboxAdmin(admin.ModelAdmin[Outbox]):
    list_display = (
        "key",
        "channel",
        "masked_recipient",
        "template",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "short_error",
    )
    list_filter = ("status", "channel")
    search_fields = ("key",)
    date_hierarchy = "created_at"
    actions = ("resend",)
    # Personal data (recipient, context) only through their masked read-outs.
    fields = (
        "key",
        "channel",
        "masked_recipient",
        "template",
        "masked_context",
        "status",
        "attempts",
        "next_attempt_at",
        "claimed_until",
        "claimed_by",
        "last_error",
        "created_at",
        "sent_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # rows come from events, never by hand

    @admin.display(description=_("接收方"))
    def masked_recipient(self, row: Outbox) -> str:
        return mask_recipient(row.channel, row.recipient)

    @admin.display(description=_("模板参数"))
    def masked_context(self, row: Outbox) -> str:
        return mask_pii(json.dumps(row.context, ensure_ascii=False, indent=1))

    @admin.display(description=_("最近错误"))
    def short_error(self, row: Outbox) -> str:
        return row.last_error[:80]

    @admin.action(description=_("重新发送"), permissions=("change",))
    def resend(self, request: HttpRequest, queryset: QuerySet[Outbox]) -> None:
        count = services.outbox_retry(rows=queryset)
        self.message_user(
            request,
            gettext("已将 %(count)d 条失败通知重新加入发送队列。") % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin[Message]):
    list_display = ("title", "user", "created_at", "read_at")
    list_filter = (("read_at", admin.EmptyFieldListFilter),)
    search_fields = ("title", "user__username", "key")
    raw_id_fields = ("user",)
    list_select_related = ("user",)
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("key", "created_at") if obj else ()
