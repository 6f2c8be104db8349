"""Read-only admin: village affairs change through minsheng/villages/services only."""

from django.contrib import admin
from django.http import HttpRequest

from minsheng.villages.models import Board, Event, Item


class ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Board)
class BoardAdmin(ReadOnly):
    list_display = (
        "village",
        "township_code",
        "frequent_finance",
        "review_by",
        "last_published_at",
    )
    search_fields = ("village__code", "village__name")


@admin.register(Item)
class ItemAdmin(ReadOnly):
    list_display = ("title", "board", "section", "status", "version", "published_at")
    list_filter = ("section", "status")
    raw_id_fields = ("board", "supersedes")


@admin.register(Event)
class EventAdmin(ReadOnly):
    list_display = ("board", "subject", "subject_id", "verb", "actor", "at")
    raw_id_fields = ("board",)


# --- 四议两公开 (decisions): read-only, written by villages/services/matters.py ---

from minsheng.villages.models import Matter, RegisterCount, Representative, Step  # noqa: E402


@admin.register(Matter)
class MatterAdmin(ReadOnly):
    list_display = ("title", "board", "kind", "status", "step_since", "created_at")
    list_filter = ("kind", "status")
    raw_id_fields = ("board", "resolution_item", "result_item")


@admin.register(Step)
class StepAdmin(ReadOnly):
    list_display = ("matter", "number", "meeting", "held_on", "present", "expected", "outcome")
    list_filter = ("number", "outcome")
    raw_id_fields = ("matter", "corrects")


@admin.register(RegisterCount)
class RegisterCountAdmin(ReadOnly):
    list_display = ("board", "kind", "value", "effective_from", "recorded_at")
    list_filter = ("kind",)
    raw_id_fields = ("board",)


@admin.register(Representative)
class RepresentativeAdmin(ReadOnly):
    list_display = ("name", "board", "from_date", "until_date")
    raw_id_fields = ("board",)


# --- The law's deadlines (villages/clock.py) ---------------------------------------------------
from minsheng.villages.models import ClockNotice  # noqa: E402


@admin.register(ClockNotice)
class ClockNoticeAdmin(ReadOnly):
    list_display = ("board", "section", "kind", "period_start", "due_on", "recipients", "sent_at")
    list_filter = ("kind", "section")
    search_fields = ("board__village__code",)
    raw_id_fields = ("board",)
