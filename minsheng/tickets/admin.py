"""The Django admin for the tickets app.

Categories, the dispatch catalogue and the knowledge base are reference data that
administrators maintain here. Tickets, assignments and timeline events are shown read-only: the
one way to change a ticket is through minsheng.tickets.actions, which checks permissions and
writes the timeline; an admin form would bypass both.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from minsheng.org.models import Division
from minsheng.tickets.catalogue import SEPARATOR
from minsheng.tickets.knowledge import search_text_for
from minsheng.tickets.models import (
    Assignment,
    CatalogueEntry,
    Category,
    KnowledgeArticle,
    Ticket,
    TicketEvent,
)


class CategoryForm(forms.ModelForm[Category]):
    class Meta:
        model = Category
        fields = ("name", "parent", "is_active", "synonyms")
        widgets: ClassVar[dict[str, Any]] = {"synonyms": forms.Textarea(attrs={"rows": 3})}

    def clean_synonyms(self) -> str:
        """One "|"-separated list (also accepted: full-width ｜, commas, 、 and new lines);
        a pattern "灯+黑" needs two parts; "~医院" marks a setting word (full-width ～ too)."""
        raw: str = (self.cleaned_data.get("synonyms") or "").replace("～", "~")
        for mark in ("｜", ",", "，", "、", "\n"):
            raw = raw.replace(mark, "|")
        terms = list(dict.fromkeys(t.strip() for t in raw.split("|") if t.strip()))
        for term in terms:
            parts = [p for p in term.split("+") if p.strip()]
            if "+" in term and len(parts) < 2:
                raise forms.ValidationError(
                    _("“%(t)s”：组合词要用“+”连接两个词，如“灯+黑”。") % {"t": term}
                )
            if len(term.replace("+", "")) > 12:
                raise forms.ValidationError(_("“%(t)s”：每个说法最多 12 个字。") % {"t": term})
        return "|".join(terms)

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        if SEPARATOR in name:
            raise forms.ValidationError(_("分类名称不能含“/”。"))
        return name

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        parent, name = cleaned.get("parent"), cleaned.get("name")
        node = parent
        while node is not None and self.instance.pk is not None:
            if node.pk == self.instance.pk:
                raise forms.ValidationError({"parent": _("上级分类不能是本分类或其下级分类。")})
            node = node.parent
        if name:
            full_name = f"{parent.full_name}{SEPARATOR}{name}" if parent else name
            clash = Category.objects.filter(full_name=full_name).exclude(pk=self.instance.pk)
            if clash.exists():
                raise forms.ValidationError(_("已有同名分类：%(name)s") % {"name": full_name})
        return cleaned


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin[Category]):
    form = CategoryForm
    list_display = ("full_name", "level", "is_active", "synonyms")
    list_filter = ("level", "is_active")
    search_fields = ("full_name",)
    raw_id_fields = ("parent",)
    readonly_fields = ("level", "full_name")

    def save_model(self, request: HttpRequest, obj: Category, form: Any, change: bool) -> None:
        # level and full_name follow from the tree; a rename or move rewrites the subtree's
        # full names, which the catalogue lookup relies on. Rare, so a loop is fine.
        obj.level = obj.parent.level + 1 if obj.parent else 1
        old_full_name = obj.full_name
        obj.full_name = f"{obj.parent.full_name}{SEPARATOR}{obj.name}" if obj.parent else obj.name
        super().save_model(request, obj, form, change)
        if change and old_full_name and old_full_name != obj.full_name:
            self._rename_subtree(obj)

    def _rename_subtree(self, node: Category) -> None:
        for child in Category.objects.filter(parent=node):
            child.level = node.level + 1
            child.full_name = f"{node.full_name}{SEPARATOR}{child.name}"
            child.save(update_fields=["level", "full_name"])
            self._rename_subtree(child)


class CatalogueEntryForm(forms.ModelForm[CatalogueEntry]):
    class Meta:
        model = CatalogueEntry
        fields = ("category", "township", "unit", "to_township", "note")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("to_township") and cleaned.get("unit") is not None:
            self.add_error("unit", _("选择“属地乡镇”时不填责任单位。"))
        if not cleaned.get("to_township") and cleaned.get("unit") is None:
            self.add_error("unit", _("请选择责任单位，或勾选“属地乡镇”。"))
        return cleaned

    def clean_township(self) -> Division | None:
        township: Division | None = self.cleaned_data.get("township")
        if township is not None and township.level != Division.Level.TOWNSHIP:
            raise forms.ValidationError(_("请选择乡镇（街道）级区划，或留空表示全县默认。"))
        return township


@admin.register(CatalogueEntry)
class CatalogueEntryAdmin(admin.ModelAdmin[CatalogueEntry]):
    form = CatalogueEntryForm
    list_display = ("category", "township", "unit", "to_township", "note")
    list_select_related = ("category", "township", "unit")
    list_filter = ("category__level", "unit__kind")
    search_fields = ("category__full_name", "unit__name", "unit__code", "township__name")
    autocomplete_fields = ("category", "unit")
    raw_id_fields = ("township",)  # 41,000 townships nationwide: no select box


@admin.register(KnowledgeArticle)
class KnowledgeArticleAdmin(admin.ModelAdmin[KnowledgeArticle]):
    list_display = ("title", "category", "source", "valid_from", "valid_to", "updated_at")
    list_select_related = ("category",)
    list_filter = ("valid_to",)
    search_fields = ("title",)
    autocomplete_fields = ("category",)
    readonly_fields = ("updated_by", "updated_at")

    def save_model(
        self, request: HttpRequest, obj: KnowledgeArticle, form: Any, change: bool
    ) -> None:
        # The admin bypasses the services; keep the index and the editor right all the same.
        obj.search_text = search_text_for(title=obj.title, body=obj.body)
        obj.updated_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    """Viewable by those with the view permission; nobody adds, changes or deletes here."""

    show_full_result_count = False  # counting millions of tickets on every page is not free

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline[Any, Any]):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AssignmentInline(ReadOnlyInline):
    model = Assignment
    fk_name = "ticket"
    fields = readonly_fields = ("unit", "role", "round", "state", "signed_at", "replied_at")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Assignment]:
        return super().get_queryset(request).select_related("unit")


class TicketEventInline(ReadOnlyInline):
    model = TicketEvent
    fields = readonly_fields = ("at", "action", "actor", "unit", "old_status", "new_status", "note")

    def get_queryset(self, request: HttpRequest) -> QuerySet[TicketEvent]:
        return super().get_queryset(request).select_related("actor", "unit")


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    list_display = ("number", "title", "status", "lead_unit", "created_at")
    list_select_related = ("lead_unit",)
    list_filter = ("status", "kind", "channel", "urgency")
    search_fields = ("=number", "title")
    inlines = (AssignmentInline, TicketEventInline)


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "unit", "role", "round", "state", "created_at")
    list_select_related = ("ticket", "unit")
    list_filter = ("role", "state")
    search_fields = ("=ticket__number", "unit__name")


@admin.register(TicketEvent)
class TicketEventAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "at", "action", "actor", "unit")
    list_select_related = ("ticket", "actor", "unit")
    list_filter = ("action",)
    search_fields = ("=ticket__number",)
