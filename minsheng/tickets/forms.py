"""Forms of the back-office ticket screens.

Forms only parse what the browser sent; every business rule (required texts, phone and ID
formats, who may do what) lives in minsheng.tickets.actions, whose `TicketActionError.field`
is mapped back onto these fields. Free-text fields are therefore `required=False`: the service
says "请填写…" in one place for the web, the API and the worker alike.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Iterable
from typing import Any, ClassVar

from django import forms
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import format_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from pypinyin import Style, lazy_pinyin

from minsheng.lib.numbers import is_plain_integer
from minsheng.org.models import Division, Unit
from minsheng.tickets.actions import CONTACT_METHODS, EMERGENCY_SERVICES, LEGAL_CHANNELS
from minsheng.tickets.models import (
    Category,
    Channel,
    Kind,
    Praise,
    ReplyResult,
    Satisfaction,
    Status,
    Ticket,
    Urgency,
)

TEXTAREA = forms.Textarea(attrs={"rows": 3})
EMPTY = ("", "——")


def _typed_field(form: forms.BaseForm, name: str) -> Any:
    """A bound field's Field, typed loosely: django-stubs types `fields` as plain Field."""
    return form.fields[name]


class PlainIntegerField(forms.IntegerField):
    """An integer typed in ASCII digits: ``int()`` would also read "1_0" and "١٢"."""

    def to_python(self, value: Any) -> int | None:
        if isinstance(value, str) and value.strip() and not is_plain_integer(value):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


def dispatchable_units() -> Any:
    """Every unit a ticket may go to: active, and never the hotline centre itself."""
    return Unit.objects.filter(is_active=True).exclude(kind=Unit.Kind.HOTLINE).order_by("path")


Option = tuple[str, str]  # (value, label), both HTML-escaped


def _escaped(choices: Iterable[tuple[Any, Any]]) -> tuple[Option, ...]:
    return tuple(
        (conditional_escape("" if value is None else str(value)), conditional_escape(str(label)))
        for value, label in choices
    )


class OptionsCache:
    """A long select's escaped options, kept per process and language.

    Building the search form's ~1,000 options (two queries, a model instance per row, escaping)
    cost most of the form's time on every request (docs/benchmarks/pages.md). Saving or
    deleting a category or unit clears every cache of this process at once (signals below);
    other processes see such a change within `ttl` seconds. Validation is unaffected: the
    field still checks a submitted value against its queryset.
    """

    ttl = 60.0

    def __init__(self) -> None:
        self._entries: dict[str, tuple[float, tuple[Option, ...]]] = {}
        ALL_OPTIONS_CACHES.append(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> OptionsCache:
        return self  # forms deep-copy their widgets; the cache is shared on purpose

    def get(self, choices: Iterable[tuple[Any, Any]]) -> tuple[Option, ...]:
        """The cached options, or `choices` (iterated only on a miss) escaped and cached."""
        key = get_language() or ""
        now = time.monotonic()
        hit = self._entries.get(key)
        if hit is not None and now - hit[0] < self.ttl:
            return hit[1]
        options = _escaped(choices)
        self._entries[key] = (now, options)
        return options

    def clear(self) -> None:
        self._entries.clear()


ALL_OPTIONS_CACHES: list[OptionsCache] = []


def clear_options_caches(**_kwargs: Any) -> None:
    for cache in ALL_OPTIONS_CACHES:
        cache.clear()
    _picker_cache.clear()


class LongSelect(forms.Select):
    """A <select> rendered in Python instead of one template per option.

    The desk and the search form offer ~650 categories and ~450 units; Django's per-option
    templates cost 150–250 ms on every request (docs/benchmarks/pages.md). Single choice,
    no option groups: that is all these fields need. With an `OptionsCache` the options are
    built once per process instead of once per request.
    """

    def __init__(self, *args: Any, options_cache: OptionsCache | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.options_cache = options_cache

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        chosen = {conditional_escape(v) for v in self.format_value(value)}
        options = (
            self.options_cache.get(self.choices)
            if self.options_cache is not None
            else _escaped(self.choices)
        )
        html = "".join(
            f'<option value="{key}"{" selected" if key in chosen else ""}>{label}</option>'
            for key, label in options
        )
        return mark_safe(f"<select{flatatt(final)}>{html}</select>")  # noqa: S308


def pinyin_initials(name: str) -> str:
    """孙口镇人民政府 → skzrmzf: what a dispatcher types to find a unit by its sound."""
    return "".join(lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore")).lower()


_GROUP_ORDER = {Unit.Kind.DEPARTMENT: 0, Unit.Kind.COMPANY: 1}


class UnitPicker(forms.Select):
    """The units a ticket may go to, grouped as a dispatcher thinks of them — 县直部门, 公共服务企业,
    then each township with its stations, teams and villages — each option carrying its pinyin
    initials (`data-py`) for the filter box that minsheng/static/js/unit_picker.js puts above
    it: "skz" or "孙口" finds 孙口镇人民政府. Rendered in Python (like LongSelect) from one
    query; the options are cached per process like the other long selects."""

    def __init__(self, *args: Any, multiple: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.allow_multiple_selected = multiple

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        if self.allow_multiple_selected:
            return data.getlist(name) if hasattr(data, "getlist") else data.get(name)
        return super().value_from_datadict(data, files, name)

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        final["data-unit-picker"] = "1"
        final["data-filter-label"] = str(_("输入单位名称或拼音首字母筛选"))
        if self.allow_multiple_selected:
            final["multiple"] = True
        chosen = {conditional_escape(v) for v in self.format_value(value)}
        parts = [] if self.allow_multiple_selected else ['<option value="">---------</option>']
        for group, options in unit_picker_groups():
            parts.append(f'<optgroup label="{group}">')
            parts.extend(
                f'<option value="{code}"{" selected" if code in chosen else ""} data-py="{py}">'
                f"{label}</option>"
                for code, label, py in options
            )
            parts.append("</optgroup>")
        return mark_safe(f"<select{flatatt(final)}>{''.join(parts)}</select>")  # noqa: S308


_picker_cache: dict[str, tuple[float, list[tuple[str, list[tuple[str, str, str]]]]]] = {}


def unit_picker_groups() -> list[tuple[str, list[tuple[str, str, str]]]]:
    """(group label, [(code, name, initials)]) of the dispatchable units, escaped; cached for
    OptionsCache.ttl seconds and cleared with the other option caches when a unit is saved."""
    key = get_language() or ""
    now = time.monotonic()
    hit = _picker_cache.get(key)
    if hit is not None and now - hit[0] < OptionsCache.ttl:
        return hit[1]
    units = list(
        dispatchable_units()
        .select_related("division")
        .only("code", "name", "kind", "path", "division__name", "division__level")
    )
    roots = {u.path.strip("/").split("/")[0]: u for u in units if u.path.strip("/").count("/") == 0}
    groups: dict[tuple[int, str], list[tuple[str, str, str]]] = {}
    for unit in units:
        root = roots.get(unit.path.strip("/").split("/")[0], unit)
        if root.kind == Unit.Kind.TOWNSHIP:
            label = root.division.name if root.division is not None else root.name
            order = 2
        else:
            order = _GROUP_ORDER.get(root.kind, 3)
            label = str(Unit.Kind(root.kind).label) if order < 3 else str(_("其他单位"))
        groups.setdefault((order, label), []).append(
            (
                conditional_escape(unit.code),
                conditional_escape(unit.name),
                pinyin_initials(unit.name),
            )
        )
    result: list[tuple[str, list[tuple[str, str, str]]]] = [
        (conditional_escape(label), options)
        for (_o, label), options in sorted(
            groups.items(), key=lambda item: (item[0][0], pinyin_initials(item[0][1]))
        )
    ]
    _picker_cache[key] = (now, result)
    return result


class UnitChoiceField(forms.ModelChoiceField[Unit]):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class UnitMultipleChoiceField(forms.ModelMultipleChoiceField[Unit]):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


# --- Intake (the operator desk) ----------------------------------------------------------------


class IntakeForm(forms.Form):
    """话务台. Shortcut digits in the kind labels let the operator pick by typing 1–6."""

    title = forms.CharField(label=_("标题"), required=False, max_length=200)
    description = forms.CharField(
        label=_("诉求内容"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    kind = forms.ChoiceField(
        label=_("诉求类型"),
        choices=[
            EMPTY,
            *[(v, format_lazy("{} {}", i, label)) for i, (v, label) in enumerate(Kind.choices, 1)],
        ],
        error_messages={"required": _("请选择诉求类型。"), "invalid_choice": _("诉求类型无效。")},
    )
    urgency = forms.ChoiceField(
        label=_("紧急程度"), choices=Urgency.choices, initial=Urgency.GENERAL
    )
    channel = forms.ChoiceField(label=_("渠道"), choices=Channel.choices, initial=Channel.HOTLINE)
    citizen_name = forms.CharField(label=_("诉求人"), required=False, max_length=50)
    citizen_phone = forms.CharField(label=_("联系电话"), required=False, max_length=30)
    citizen_id_number = forms.CharField(label=_("身份证号"), required=False, max_length=20)
    anonymous = forms.BooleanField(label=_("匿名"), required=False)
    confidential = forms.BooleanField(label=_("保密（对承办单位隐藏身份）"), required=False)
    township = forms.ChoiceField(label=_("乡镇（街道）"), required=False)
    village = forms.ChoiceField(label=_("村（社区）"), required=False)
    address = forms.CharField(label=_("详细地址"), required=False, max_length=200)
    address_public = forms.BooleanField(
        label=_("地址为公共场所（道路、市场、学校门口等，可公开）"), required=False
    )
    category = forms.ModelChoiceField(
        label=_("诉求分类"),
        queryset=Category.objects.none(),
        widget=LongSelect,
        required=False,
        error_messages={"invalid_choice": _("诉求分类无效。")},
    )
    affected_population = PlainIntegerField(
        label=_("涉及人数"),
        initial=1,
        min_value=1,
        max_value=1_000_000,
        error_messages={"invalid": _("涉及人数应为整数。"), "min_value": _("涉及人数至少为 1。")},
    )

    def __init__(self, *args: Any, places: PlaceChoices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.places = places
        _typed_field(self, "township").choices = [EMPTY, *places.townships]
        _typed_field(self, "village").choices = [EMPTY, *places.villages]
        _typed_field(self, "category").queryset = Category.objects.filter(
            is_active=True, children__isnull=True
        ).order_by("full_name")
        self.fields["title"].widget.attrs.update(autofocus=True, accesskey="t")
        self.fields["citizen_phone"].widget.attrs.update(inputmode="tel", autocomplete="off")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        township, village = data.get("township"), data.get("village")
        if township and village and not village.startswith(township[:9]):
            self.add_error("village", _("所选村（社区）不属于所选乡镇。"))
        return data

    @property
    def division_code(self) -> str:
        return self.cleaned_data.get("village") or self.cleaned_data.get("township") or ""


class PlaceChoices:
    """The county's townships, and its villages grouped by township, for the two selects."""

    def __init__(self, townships: list[Division], villages: list[Division]) -> None:
        self.townships: list[tuple[str, str]] = [(d.code, d.name) for d in townships]
        names = dict(self.townships)
        groups: dict[str, list[tuple[str, str]]] = {}
        for v in villages:
            groups.setdefault(v.code[:9].ljust(12, "0"), []).append((v.code, v.name))
        self.villages: list[tuple[str, Any]] = [
            (names.get(code, code), options) for code, options in groups.items()
        ]


# --- Ticket actions ----------------------------------------------------------------------------


class ActionForm(forms.Form):
    """Every action form carries the version of the ticket the page showed, and a one-time
    token of its own (`actions.ticket_action_once`: a resent form records nothing twice)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    form_token = forms.UUIDField(
        widget=forms.HiddenInput,
        required=False,
        error_messages={"invalid": _("表单已失效，请刷新页面后重新填写。")},
    )

    def __init__(self, *args: Any, ticket: Ticket, **kwargs: Any) -> None:
        self.ticket = ticket
        initial = kwargs.setdefault("initial", {})
        initial["version"] = ticket.version
        initial.setdefault("form_token", uuid.uuid4())
        super().__init__(*args, **kwargs)


class PhotoInput(forms.ClearableFileInput):
    """Several photos at once, from the camera (static/js/photos.js compresses them first)."""

    allow_multiple_selected = True
    template_name = "django/forms/widgets/file.html"  # no "clear" checkbox


class PhotosField(forms.FileField):
    """The uploaded files, as a list; what they are is the service's to check, by content
    (actions.prepare_photos), so that the page and the API say the same."""

    def __init__(self, **kwargs: Any) -> None:
        attrs = {
            "accept": "image/*",
            "capture": "environment",
            "multiple": True,
            "data-photos": "1",
        }
        kwargs.setdefault("widget", PhotoInput(attrs=attrs))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else [data]
        return [f for f in files if f]


MAX_PHOTO_TIMES = 20


class PhotoFormMixin(forms.Form):
    """Photos with a progress note or a reply, and the handler's choice about location."""

    photos = PhotosField(label=_("照片（可多张）"))
    keep_location = forms.BooleanField(label=_("记录拍摄位置"), required=False)
    latitude = forms.DecimalField(
        widget=forms.HiddenInput, required=False, max_digits=9, decimal_places=6
    )
    longitude = forms.DecimalField(
        widget=forms.HiddenInput, required=False, max_digits=9, decimal_places=6
    )

    # When each photo was taken, as the phone's files say (ms since the epoch, comma-separated,
    # in the photos' order): the phone's compression drops the camera's EXIF time.
    photo_times = forms.CharField(widget=forms.HiddenInput, required=False, max_length=400)

    def clean_photo_times(self) -> list[dt.datetime | None]:
        now = timezone.now()
        times: list[dt.datetime | None] = []
        for raw in str(self.cleaned_data.get("photo_times") or "").split(",")[:MAX_PHOTO_TIMES]:
            moment = None
            if raw.strip().isascii() and raw.strip().isdigit():
                try:
                    moment = dt.datetime.fromtimestamp(int(raw.strip()) / 1000, tz=dt.UTC)
                except (OverflowError, OSError, ValueError):
                    moment = None
            # A clock far off (or a file copied years ago) says nothing about the photo.
            if moment is not None and not now - dt.timedelta(
                days=366
            ) <= moment <= now + dt.timedelta(minutes=5):
                moment = None
            times.append(moment)
        return times

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["taken"] = data.get("photo_times") or []
        lat, lng = data.get("latitude"), data.get("longitude")
        data["position"] = (
            (lat, lng)
            if data.get("keep_location")
            and lat is not None
            and lng is not None
            and -90 <= lat <= 90
            and -180 <= lng <= 180
            else None
        )
        return data


class EmptyActionForm(ActionForm):
    pass


class NoteForm(ActionForm):
    note = forms.CharField(label=_("说明"), required=False, widget=TEXTAREA)


class RequiredNoteForm(NoteForm):
    pass


class DirectAnswerForm(ActionForm):
    answer = forms.CharField(label=_("答复内容"), required=False, widget=TEXTAREA)


class EmergencyTransferForm(ActionForm):
    to = forms.ChoiceField(
        label=_("转接"),
        choices=[EMPTY, *[(k, format_lazy("{} {}", k, v)) for k, v in EMERGENCY_SERVICES.items()]],
        required=False,
    )
    note = forms.CharField(label=_("说明"), required=False, widget=TEXTAREA)


class LegalChannelForm(ActionForm):
    channel = forms.ChoiceField(
        label=_("法定途径"), choices=[EMPTY, *LEGAL_CHANNELS.items()], required=False
    )
    note = forms.CharField(label=_("告知内容"), required=False, widget=TEXTAREA)


class DispatchForm(ActionForm):
    lead_unit = UnitChoiceField(
        label=_("主办单位"), queryset=Unit.objects.none(), to_field_name="code", widget=UnitPicker
    )
    assisting_units = UnitMultipleChoiceField(
        label=_("协办单位"),
        queryset=Unit.objects.none(),
        to_field_name="code",
        required=False,
        widget=UnitPicker(multiple=True, attrs={"size": 5}),
    )
    instructions = forms.CharField(label=_("办理要求"), required=False, widget=TEXTAREA)

    def __init__(self, *args: Any, ticket: Ticket, **kwargs: Any) -> None:
        super().__init__(*args, ticket=ticket, **kwargs)
        _typed_field(self, "lead_unit").queryset = dispatchable_units()
        _typed_field(self, "assisting_units").queryset = dispatchable_units()


class ReturnForm(ActionForm):
    reason = forms.CharField(label=_("退单理由"), required=False, widget=TEXTAREA)


class ReturnAcceptForm(ActionForm):
    lead_unit = UnitChoiceField(
        label=_("新的主办单位"),
        queryset=Unit.objects.none(),
        to_field_name="code",
        required=False,
        widget=UnitPicker,
    )
    note = forms.CharField(label=_("审核意见"), required=False, widget=TEXTAREA)

    def __init__(self, *args: Any, ticket: Ticket, **kwargs: Any) -> None:
        super().__init__(*args, ticket=ticket, **kwargs)
        _typed_field(self, "lead_unit").queryset = dispatchable_units()


class ReassignForm(ReturnAcceptForm):
    def __init__(self, *args: Any, ticket: Ticket, **kwargs: Any) -> None:
        super().__init__(*args, ticket=ticket, **kwargs)
        self.fields["lead_unit"].required = True
        self.fields["note"].label = _("改派说明")


class AddAssistingForm(ActionForm):
    unit = UnitChoiceField(
        label=_("协办单位"), queryset=Unit.objects.none(), to_field_name="code", widget=UnitPicker
    )
    note = forms.CharField(label=_("说明"), required=False, widget=TEXTAREA)

    def __init__(self, *args: Any, ticket: Ticket, **kwargs: Any) -> None:
        super().__init__(*args, ticket=ticket, **kwargs)
        _typed_field(self, "unit").queryset = dispatchable_units()


class DecomposeForm(ActionForm):
    units = UnitMultipleChoiceField(
        label=_("下派给"),
        queryset=Unit.objects.none(),
        to_field_name="code",
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )
    instructions = forms.CharField(label=_("下派要求"), required=False, widget=TEXTAREA)

    def __init__(
        self, *args: Any, ticket: Ticket, parent_unit: Unit | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, ticket=ticket, **kwargs)
        units = Unit.objects.none()
        if parent_unit is not None:
            units = (
                Unit.objects.filter(is_active=True, path__startswith=parent_unit.path)
                .exclude(pk=parent_unit.pk)
                .order_by("path")
            )
        _typed_field(self, "units").queryset = units


class ContactForm(ActionForm):
    method = forms.ChoiceField(
        label=_("联系方式"), choices=list(CONTACT_METHODS.items()), initial="phone", required=False
    )
    note = forms.CharField(label=_("联系情况"), required=False, widget=TEXTAREA)


class ProgressForm(ActionForm, PhotoFormMixin):
    note = forms.CharField(label=_("进展情况"), required=False, widget=TEXTAREA)
    public = forms.BooleanField(label=_("对诉求人公开"), required=False)
    photos = PhotosField(label=_("现场照片（整改前，可多张）"))
    field_order = ("note", "public", "photos", "keep_location")


class ExtensionRequestForm(ActionForm):
    days = PlainIntegerField(
        label=_("延期天数"),
        min_value=1,
        max_value=30,
        error_messages={"required": _("请填写延期天数。"), "invalid": _("延期天数应为整数。")},
    )
    reason = forms.CharField(label=_("延期理由"), required=False, widget=TEXTAREA)


class ReplyForm(ActionForm, PhotoFormMixin):
    result = forms.ChoiceField(
        label=_("办理结果"), choices=[EMPTY, *ReplyResult.choices], required=False
    )
    content = forms.CharField(
        label=_("答复内容"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    photos = PhotosField(label=_("整改后照片（可多张）"))
    field_order = ("result", "content", "photos", "keep_location")


class CallbackForm(ActionForm):
    reached = forms.ChoiceField(
        label=_("是否联系上"), choices=[("yes", _("已联系上")), ("no", _("未联系上"))]
    )
    resolved = forms.ChoiceField(
        label=_("是否解决"),
        choices=[("", "——"), ("yes", _("已解决")), ("no", _("未解决"))],
        required=False,
    )
    satisfaction = forms.ChoiceField(
        label=_("满意度"), choices=[EMPTY, *Satisfaction.choices], required=False
    )
    comment = forms.CharField(label=_("回访意见"), required=False, widget=TEXTAREA)

    # The service's keywords take booleans, as the API's body does.
    def clean_reached(self) -> bool:
        return bool(self.cleaned_data["reached"] == "yes")

    def clean_resolved(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.cleaned_data["resolved"])


class MergeForm(ActionForm):
    master = forms.CharField(label=_("主工单号"), required=False, max_length=16)
    note = forms.CharField(label=_("并单说明"), required=False, widget=TEXTAREA)


class SuperviseForm(ActionForm):
    note = forms.CharField(label=_("督办意见"), required=False, widget=TEXTAREA)
    due_at = forms.DateTimeField(
        label=_("督办期限"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={"required": _("请填写督办期限。"), "invalid": _("督办期限格式不正确。")},
    )


class PraiseForm(ActionForm):
    kind = forms.ChoiceField(label=_("形式"), choices=Praise.Kind.choices)
    note = forms.CharField(label=_("表扬内容"), required=False, widget=TEXTAREA)


# --- Search ------------------------------------------------------------------------------------


class SearchForm(forms.Form):
    number = forms.CharField(label=_("工单号"), required=False, max_length=16)
    phone = forms.CharField(label=_("联系电话"), required=False, max_length=30)
    words = forms.CharField(label=_("关键词"), required=False, max_length=100)
    category = forms.ModelChoiceField(
        label=_("分类"),
        queryset=Category.objects.none(),
        widget=LongSelect(options_cache=OptionsCache()),
        required=False,
        error_messages={"invalid_choice": _("分类无效。")},
    )
    unit = UnitChoiceField(
        label=_("主办单位"),
        queryset=Unit.objects.none(),
        widget=LongSelect(options_cache=OptionsCache()),
        to_field_name="code",
        required=False,
        error_messages={"invalid_choice": _("承办单位无效。")},
    )
    status = forms.ChoiceField(
        label=_("状态"),
        choices=[("", _("全部")), *Status.choices],
        required=False,
        error_messages={"invalid_choice": _("状态无效。")},
    )
    division = forms.CharField(label=_("区划代码"), required=False, max_length=12)
    created_from = forms.DateField(
        label=_("受理日期自"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("日期格式不正确，应为 2025-01-31。")},
    )
    created_to = forms.DateField(
        label=_("至"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("日期格式不正确，应为 2025-01-31。")},
    )

    FILTER_FIELDS: ClassVar[tuple[str, ...]] = (
        "number",
        "phone",
        "words",
        "category",
        "unit",
        "status",
        "division",
        "created_from",
        "created_to",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _typed_field(self, "category").queryset = Category.objects.filter(
            children__isnull=True
        ).order_by("full_name")
        _typed_field(self, "unit").queryset = dispatchable_units()
        self.fields["number"].widget.attrs.update(autofocus=True)

    def clean_division(self) -> str:
        code = self.cleaned_data.get("division", "").strip()
        if code and (not code.isdigit() or len(code) not in (6, 9, 12)):
            raise forms.ValidationError(_("区划代码应为 6、9 或 12 位数字。"))
        return code.ljust(12, "0") if code else ""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("created_from"), data.get("created_to")
        if start and end and start > end:
            self.add_error("created_to", _("结束日期不能早于开始日期。"))
        return data
