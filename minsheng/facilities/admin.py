"""Admin: facilities, rounds and alarms are read-only (they change through
minsheng/facilities/services only); the inspection checklist is configuration, edited here."""

from django.contrib import admin
from django.http import HttpRequest

from minsheng.facilities.models import (
    ChecklistItem,
    Event,
    Facility,
    FacilityTicket,
    MissedRound,
    Round,
    Schedule,
)


class ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Facility)
class FacilityAdmin(ReadOnly):
    list_display = ("name", "kind", "township_code", "owner", "status", "public_code")
    list_filter = ("kind", "status", "standard")
    search_fields = ("name", "public_code")
    raw_id_fields = ("place", "owner", "keeper_user", "keeper_unit")


@admin.register(Schedule)
class ScheduleAdmin(ReadOnly):
    list_display = ("facility", "kind", "rule", "next_due_at", "check_at", "active")
    raw_id_fields = ("facility",)


@admin.register(Round)
class RoundAdmin(ReadOnly):
    list_display = ("facility", "kind", "done_at", "done_by", "score")
    raw_id_fields = ("facility", "schedule", "done_by")


@admin.register(MissedRound)
class MissedRoundAdmin(ReadOnly):
    list_display = ("facility", "schedule", "due_at", "raised_at", "recipients")
    raw_id_fields = ("facility", "schedule")


@admin.register(FacilityTicket)
class FacilityTicketAdmin(ReadOnly):
    list_display = ("facility", "ticket", "problem", "created_at")
    raw_id_fields = ("facility", "ticket")
    exclude = ("sender",)


@admin.register(Event)
class EventAdmin(ReadOnly):
    list_display = ("facility", "verb", "actor", "at")
    raw_id_fields = ("facility", "actor")


@admin.register(ChecklistItem)
class ChecklistItemAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("text", "kind", "points", "order")
    list_editable = ("points", "order")
