"""The Django admin for the working calendar and the deadline policy.

Administrators keep the calendar current here: when the State Council publishes next year's
holidays (around November) they paste the schedule into 导入全年安排 (one line per date or
date range), or enter days one by one. Every save clears the process's calendar cache at once
(`clock.invalidate`); other processes see the change within clock.CHECK_SECONDS. Saved days
change deadlines computed from then on; deadlines already on tickets stay as they are.

Alarms are the worker's record and are read-only.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import ExtractYear
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minsheng.deadlines import clock
from minsheng.deadlines.models import (
    CalendarDay,
    CalendarYear,
    DeadlineAlarm,
    DeadlinePolicy,
    JobRun,
    TimeUnit,
)
from minsheng.deadlines.policy import DEFAULTS
from minsheng.deadlines.selectors import DEADLINE_LABELS
from minsheng.deadlines.workcalendar import PACKAGE_YEARS

WEEKDAYS = "一二三四五六日"


def _calendar_changed() -> None:
    """Now for this request's own later reads, and again after commit for the next ones (a
    calendar rebuilt between the save and the commit would still hold the old days)."""
    clock.invalidate()
    transaction.on_commit(clock.invalidate)


# --- Calendar days -------------------------------------------------------------------------------


class YearFilter(admin.SimpleListFilter):
    title = gettext_lazy("年份")
    parameter_name = "year"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        years = CalendarDay.objects.dates("date", "year", order="DESC")
        return [(str(d.year), str(d.year)) for d in years]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(date__year=int(value))
        return queryset


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin[CalendarDay]):
    list_display = ("date", "weekday", "kind", "name", "updated_by", "updated_at")
    list_filter = (YearFilter, "is_working")
    search_fields = ("name",)
    ordering = ("date",)
    list_select_related = ("updated_by",)
    fields = ("date", "is_working", "name", "updated_by", "updated_at")
    readonly_fields = ("updated_by", "updated_at")
    change_list_template = "deadlines/admin_calendarday_changelist.html"

    @admin.display(description=gettext_lazy("星期"))
    def weekday(self, obj: CalendarDay) -> str:
        return _("周%(d)s") % {"d": WEEKDAYS[obj.date.weekday()]}

    @admin.display(description=gettext_lazy("安排"), ordering="is_working")
    def kind(self, obj: CalendarDay) -> str:
        return _("上班") if obj.is_working else _("休息")

    def save_model(self, request: HttpRequest, obj: CalendarDay, form: Any, change: bool) -> None:
        obj.updated_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)
        _calendar_changed()

    def delete_model(self, request: HttpRequest, obj: CalendarDay) -> None:
        super().delete_model(request, obj)
        _calendar_changed()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CalendarDay]) -> None:
        super().delete_queryset(request, queryset)
        _calendar_changed()

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="deadlines_calendarday_import",
            )
        ]
        return own + super().get_urls()

    def import_view(self, request: HttpRequest) -> HttpResponse:
        """导入全年安排: paste the State Council's schedule, preview it, save it in one go."""
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        form = ScheduleImportForm(request.POST or None)
        preview: list[ScheduleDay] | None = None
        if request.method == "POST" and form.is_valid():
            days: list[ScheduleDay] = form.cleaned_data["days"]
            if "save" in request.POST:
                saved = import_schedule(
                    year=form.cleaned_data["year"],
                    days=days,
                    replace=form.cleaned_data["replace"],
                    complete=form.cleaned_data["complete"],
                    note=form.cleaned_data["note"],
                    user=request.user,
                )
                self.message_user(
                    request,
                    _("已导入 %(year)s 年的 %(n)s 天日历调整。")
                    % {"year": form.cleaned_data["year"], "n": saved},
                    messages.SUCCESS,
                )
                changelist = reverse("admin:deadlines_calendarday_changelist")
                return HttpResponseRedirect(f"{changelist}?year={form.cleaned_data['year']}")
            preview = days
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("导入全年放假安排"),
            "form": form,
            "preview": preview,
            "example": SCHEDULE_EXAMPLE,
        }
        return TemplateResponse(
            request, "deadlines/admin_import.html", context, status=400 if form.errors else 200
        )


# --- Importing a year's schedule -----------------------------------------------------------------

SCHEDULE_EXAMPLE = """# 2027 年部分节假日安排（示例）
2027-01-01 元旦 休
2027-02-06~2027-02-13 春节 休
2027-02-14 春节 班
2027-02-20 春节 班
"""

REST_WORDS = frozenset({"休", "休息", "放假", "假"})
WORK_WORDS = frozenset({"班", "上班", "补班", "调休上班", "工作"})
MAX_RANGE_DAYS = 31
_DATE = r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"
_RANGE = re.compile(rf"^{_DATE}(?:\s*(?:~|～|至)\s*{_DATE})?$")


@dataclass(frozen=True)
class ScheduleDay:
    date: dt.date
    is_working: bool
    name: str

    @property
    def weekday(self) -> str:
        return WEEKDAYS[self.date.weekday()]


class ScheduleError(ValueError):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def _date(parts: tuple[str, ...]) -> dt.date:
    return dt.date(int(parts[0]), int(parts[1]), int(parts[2]))


def _parse_line(line: str) -> tuple[list[dt.date], bool, str]:
    """One line → (its dates, is_working, name); ValueError with a Chinese reason."""
    words = line.replace("\u3000", " ").split()
    # Allow "2027-02-06 至 2027-02-13": glue a spaced range back together.
    if len(words) >= 3 and words[1] in ("~", "～", "至"):
        words = [words[0] + words[1] + words[2], *words[3:]]
    if len(words) < 2:
        raise ValueError(_("应为“日期 名称 休/班”，例如 2027-01-01 元旦 休"))
    match = _RANGE.match(words[0])
    if match is None:
        raise ValueError(
            _("日期“%(text)s”格式不正确，应为 2027-01-01 或 2027-02-06~2027-02-13")
            % {"text": words[0]}
        )
    kind = words[-1]
    if kind in REST_WORDS:
        is_working = False
    elif kind in WORK_WORDS:
        is_working = True
    else:
        raise ValueError(_("最后一项应为“休”或“班”，而不是“%(text)s”") % {"text": kind})
    name = " ".join(words[1:-1])
    if len(name) > 40:
        raise ValueError(_("名称不能超过 40 个字"))
    groups = match.groups()
    try:
        start = _date(groups[:3])
        end = _date(groups[3:]) if groups[3] else start
    except ValueError:
        raise ValueError(_("“%(text)s”不是有效的日期") % {"text": words[0]}) from None
    if end < start:
        raise ValueError(_("日期范围的结束早于开始"))
    if (end - start).days >= MAX_RANGE_DAYS:
        raise ValueError(_("一个日期范围不能超过 %(n)s 天") % {"n": MAX_RANGE_DAYS})
    dates = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    return dates, is_working, name


def parse_schedule(text: str, year: int) -> list[ScheduleDay]:
    """The pasted schedule as one entry per date, sorted; ScheduleError lists every bad line.

    Format (documented on the import page): one line per date or date range,
    `2027-01-01 元旦 休`, `2027-02-06~2027-02-13 春节 休`, `2027-02-14 春节 班`; the last word is
    休 (rest) or 班 (working), the name may be left out; `#` starts a comment line. Every date
    must fall in `year`, and no date may appear twice.
    """
    errors: list[str] = []
    seen: dict[dt.date, int] = {}
    days: list[ScheduleDay] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith(("#", "＃")):
            continue
        try:
            dates, is_working, name = _parse_line(line)
        except ValueError as error:
            errors.append(_("第 %(n)s 行：%(error)s。") % {"n": number, "error": error})
            continue
        for date in dates:
            if date.year != year:
                errors.append(
                    _("第 %(n)s 行：%(date)s 不在 %(year)s 年。")
                    % {"n": number, "date": date.isoformat(), "year": year}
                )
                break
            if date in seen:
                errors.append(
                    _("第 %(n)s 行：%(date)s 与第 %(other)s 行重复。")
                    % {"n": number, "date": date.isoformat(), "other": seen[date]}
                )
                break
            seen[date] = number
            days.append(ScheduleDay(date, is_working, name))
    if errors:
        raise ScheduleError(errors)
    if not days:
        raise ScheduleError([_("没有可导入的日期。")])
    return sorted(days, key=lambda d: d.date)


@transaction.atomic
def import_schedule(
    *, year: int, days: list[ScheduleDay], replace: bool, complete: bool, note: str, user: Any
) -> int:
    """Write the year's days (all or nothing); with `complete`, declare the year entered."""
    if replace:
        CalendarDay.objects.filter(date__year=year).delete()
    for day in days:
        CalendarDay.objects.update_or_create(
            date=day.date,
            defaults={"is_working": day.is_working, "name": day.name, "updated_by": user},
        )
    if complete:
        CalendarYear.objects.update_or_create(year=year, defaults={"note": note})
    _calendar_changed()
    return len(days)


class ScheduleImportForm(forms.Form):
    year = forms.IntegerField(
        label=gettext_lazy("年份"),
        min_value=2000,
        max_value=2100,
        error_messages={
            "required": gettext_lazy("请填写年份。"),
            "invalid": gettext_lazy("年份应为四位数字。"),
            "min_value": gettext_lazy("年份应在 2000–2100 之间。"),
            "max_value": gettext_lazy("年份应在 2000–2100 之间。"),
        },
    )
    text = forms.CharField(
        label=gettext_lazy("放假安排"),
        widget=forms.Textarea(attrs={"rows": 16, "cols": 60, "style": "font-family:monospace"}),
        error_messages={"required": gettext_lazy("请粘贴放假安排。")},
    )
    replace = forms.BooleanField(
        label=gettext_lazy("先清除该年已有的日历调整"), required=False, initial=True
    )
    complete = forms.BooleanField(
        label=gettext_lazy("这是该年的全部安排（标记为已录入全年安排，该年时限不再“待定”）"),
        required=False,
        initial=True,
    )
    note = forms.CharField(
        label=gettext_lazy("依据"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("如：国办发明电〔2026〕X号"),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        year, text = cleaned.get("year"), cleaned.get("text")
        if year and text:
            try:
                cleaned["days"] = parse_schedule(text, year)
            except ScheduleError as error:
                for message in error.errors:
                    self.add_error("text", message)
        return cleaned


# --- Complete years ------------------------------------------------------------------------------


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin[CalendarYear]):
    list_display = ("year", "note", "days_entered", "in_package")
    ordering = ("-year",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[CalendarYear]:
        days = (
            CalendarDay.objects.annotate(y=ExtractYear("date"))
            .filter(y=OuterRef("year"))
            .order_by()
            .values("y")
            .annotate(n=Count("pk"))
            .values("n")
        )
        years: QuerySet[CalendarYear] = (
            super()
            .get_queryset(request)
            .annotate(days_entered=Subquery(days, output_field=IntegerField()))
        )
        return years

    @admin.display(description=gettext_lazy("已录入天数"), ordering="days_entered")
    def days_entered(self, obj: CalendarYear) -> int:
        return getattr(obj, "days_entered", 0) or 0

    @admin.display(description=gettext_lazy("日历包已含该年"), boolean=True)
    def in_package(self, obj: CalendarYear) -> bool:
        return obj.year in PACKAGE_YEARS

    def save_model(self, request: HttpRequest, obj: CalendarYear, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        _calendar_changed()

    def delete_model(self, request: HttpRequest, obj: CalendarYear) -> None:
        super().delete_model(request, obj)
        _calendar_changed()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CalendarYear]) -> None:
        super().delete_queryset(request, queryset)
        _calendar_changed()


# --- Deadline policy -----------------------------------------------------------------------------

SPANS = ("dispatch", "sign", "contact", "reply", "callback")
SPAN_LABELS = {
    "dispatch": gettext_lazy("派单时限"),
    "sign": gettext_lazy("签收时限"),
    "contact": gettext_lazy("联系时限"),
    "reply": gettext_lazy("答复时限"),
    "callback": gettext_lazy("回访时限"),
}


def readable_span(amount: Decimal | None, unit: str) -> str:
    """24.00, "hours" → "24 自然小时"; no amount → "—"."""
    if amount is None or not unit:
        return "—"
    number = format(amount.normalize(), "f")
    return f"{number} {TimeUnit(unit).label}" if unit in TimeUnit.values else f"{number} {unit}"


def _defaults_text() -> str:
    lines = []
    for key, policy in DEFAULTS.items():
        spans = []
        for name in SPANS:
            span = getattr(policy, name)
            spans.append(
                f"{DEADLINE_LABELS[name]} "
                + (readable_span(span.amount, span.unit) if span else "—")
            )
        lines.append(f"{DeadlinePolicy.Applies(key).label}：" + "，".join(spans))
    return "；".join(lines)


class DeadlinePolicyForm(forms.ModelForm[DeadlinePolicy]):
    class Meta:
        model = DeadlinePolicy
        fields = (
            "applies_to",
            "category",
            *(f"{name}_{part}" for name in SPANS for part in ("amount", "unit")),
            "pause_allowed",
        )
        labels: ClassVar[dict[str, Any]] = {f"{name}_unit": gettext_lazy("单位") for name in SPANS}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name in SPANS:
            amount: Decimal | None = cleaned.get(f"{name}_amount")
            unit: str = cleaned.get(f"{name}_unit") or ""
            label = SPAN_LABELS[name]
            if f"{name}_amount" in self.errors or f"{name}_unit" in self.errors:
                continue  # already told (e.g. required, or not a number)
            if name == "contact" and amount is None and not unit:
                continue  # no contact deadline (as for consultations)
            if amount is None:
                self.add_error(f"{name}_amount", _("请填写%(label)s。") % {"label": label})
                continue
            if not unit:
                self.add_error(f"{name}_unit", _("请选择%(label)s的单位。") % {"label": label})
                continue
            if amount <= 0:
                self.add_error(f"{name}_amount", _("%(label)s必须大于 0。") % {"label": label})
            elif unit == TimeUnit.WORKING_DAYS and amount != amount.to_integral_value():
                self.add_error(
                    f"{name}_amount",
                    _("%(label)s按工作日计时须为整数；不足一天请改用工作小时。") % {"label": label},
                )
        return cleaned


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(admin.ModelAdmin[DeadlinePolicy]):
    form = DeadlinePolicyForm
    list_display = (
        "__str__",
        "span_dispatch",
        "span_sign",
        "span_contact",
        "span_reply",
        "span_callback",
        "pause_allowed",
    )
    list_filter = ("applies_to",)
    list_select_related = ("category",)
    autocomplete_fields = ("category",)
    search_fields = ("category__full_name",)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        return (
            (
                None,
                {
                    "fields": ("applies_to", "category", "pause_allowed"),
                    "description": _(
                        "按紧急程度（可细到诉求分类）设定时限；最具体的一条生效，未设定的使用内置默认值。"
                        "修改只影响此后派单、改派、重办时计算的时限。"
                    ),
                },
            ),
            (
                _("时限"),
                {
                    "fields": tuple((f"{n}_amount", f"{n}_unit") for n in SPANS),
                    "description": _("联系时限可留空（不设）。按工作日计时须为整数。内置默认值：")
                    + _defaults_text(),
                },
            ),
        )

    def _span(self, obj: DeadlinePolicy, name: str) -> str:
        return readable_span(getattr(obj, f"{name}_amount"), getattr(obj, f"{name}_unit"))

    @admin.display(description=gettext_lazy("派单"))
    def span_dispatch(self, obj: DeadlinePolicy) -> str:
        return self._span(obj, "dispatch")

    @admin.display(description=gettext_lazy("签收"))
    def span_sign(self, obj: DeadlinePolicy) -> str:
        return self._span(obj, "sign")

    @admin.display(description=gettext_lazy("联系"))
    def span_contact(self, obj: DeadlinePolicy) -> str:
        return self._span(obj, "contact")

    @admin.display(description=gettext_lazy("答复"))
    def span_reply(self, obj: DeadlinePolicy) -> str:
        return self._span(obj, "reply")

    @admin.display(description=gettext_lazy("回访"))
    def span_callback(self, obj: DeadlinePolicy) -> str:
        return self._span(obj, "callback")


# --- The worker's records (read-only) ------------------------------------------------------------


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DeadlineAlarm)
class DeadlineAlarmAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "deadline_label", "level", "due_at", "round", "created_at")
    list_select_related = ("ticket",)
    list_filter = ("level", "deadline")
    search_fields = ("=ticket__number",)
    ordering = ("-created_at", "-pk")

    @admin.display(description=gettext_lazy("环节"), ordering="deadline")
    def deadline_label(self, obj: DeadlineAlarm) -> str:
        return str(DEADLINE_LABELS.get(obj.deadline, obj.deadline))


@admin.register(JobRun)
class JobRunAdmin(ReadOnlyAdmin):
    list_display = ("name", "key", "started_at", "finished_at")
    list_filter = ("name",)
    ordering = ("-started_at",)
