from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from minsheng.org.forms import AdminSetPasswordForm
from minsheng.org.models import Division, PopulationCount, RoleGrant, Unit, User


@admin.register(Division)
class DivisionAdmin(admin.ModelAdmin[Division]):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")
    raw_id_fields = ("parent",)
    show_full_result_count = False  # the whole country is 665,000 rows


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin[Unit]):
    list_display = ("name", "code", "kind", "parent", "division", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "code", "short_name")
    raw_id_fields = ("parent", "division")
    readonly_fields = ("path",)


class RoleGrantInline(admin.TabularInline[RoleGrant, User]):
    model = RoleGrant
    extra = 1


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
    # A password an administrator sets is temporary: the user changes it at the next login.
    change_password_form = AdminSetPasswordForm
    inlines = (RoleGrantInline,)
    list_display = ("username", "display_name", "unit", "is_active", "last_login")
    list_filter = ("is_active", "roles__role", "unit__kind")
    list_select_related = ("unit",)
    search_fields = ("username", "display_name", "unit__name")
    raw_id_fields = ("unit",)
    fieldsets = (
        *BaseUserAdmin.fieldsets,  # type: ignore[misc]
        (_("民生"), {"fields": ("display_name", "phone", "unit", "must_change_password")}),
    )

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        if not change:  # a new account's first password is the administrator's
            obj.must_change_password = True
        super().save_model(request, obj, form, change)


@admin.register(PopulationCount)
class PopulationCountAdmin(admin.ModelAdmin[PopulationCount]):
    """Counts are recorded, never edited: a correction is a new row (org.population)."""

    list_display = ("division", "population", "households", "effective_from", "source")
    search_fields = ("division__code", "division__name")
    raw_id_fields = ("division",)
    readonly_fields = ("recorded_by", "recorded_at")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: PopulationCount, form: Any, change: bool
    ) -> None:
        obj.recorded_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)
