from django.contrib import admin

from minsheng.insight.models import InsightAudit, Landmark, MonthlyTheme, ReferenceCase


@admin.register(Landmark)
class LandmarkAdmin(admin.ModelAdmin[Landmark]):
    """Administrators add the roads, estates and markets people name instead of a village."""

    list_display = ("name", "division", "kind", "note", "updated_at")
    list_filter = ("kind",)
    list_select_related = ("division",)
    search_fields = ("name", "division__name", "note")
    raw_id_fields = ("division",)


@admin.register(ReferenceCase)
class ReferenceCaseAdmin(admin.ModelAdmin[ReferenceCase]):
    list_display = ("title", "source", "asked_at", "replied_at")
    list_filter = ("source",)
    search_fields = ("title", "question")
    exclude = ("vector",)


@admin.register(MonthlyTheme)
class MonthlyThemeAdmin(admin.ModelAdmin[MonthlyTheme]):
    list_display = ("month", "title", "created_by", "created_at")
    list_select_related = ("created_by",)
    raw_id_fields = ("tickets",)
    readonly_fields = ("created_by", "created_at")


@admin.register(InsightAudit)
class InsightAuditAdmin(admin.ModelAdmin[InsightAudit]):
    list_display = ("at", "actor", "action", "note")
    list_select_related = ("actor",)
    list_filter = ("action",)

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
