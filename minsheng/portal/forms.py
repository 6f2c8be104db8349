"""The citizens' forms: plain HTML forms that work without JavaScript."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from minsheng.lib.numbers import plain_decimal
from minsheng.org.models import Division
from minsheng.tickets.forms import pinyin_initials
from minsheng.tickets.models import Kind, Satisfaction

_places: dict[str, tuple[int, list[tuple[str, list[tuple[str, str, str]]]]]] = {}


def _short(name: str) -> str:
    """孙口村委会 → 孙口村, 城东居委会 → 城东社区: what a villager calls the place."""
    if name.endswith("村委会") and len(name) > 3:
        return name[:-3] + "村"
    if name.endswith("居委会") and len(name) > 3:
        return name[:-3] + "社区"
    return name


def place_groups() -> list[tuple[str, list[tuple[str, str, str]]]]:
    """(township, [(code, name, initials)]) of the installation's county: the township itself
    first ("镇上或不确定哪个村"), then its villages; cached until the divisions change."""
    county = str(settings.MINSHENG_COUNTY_CODE)
    rows = Division.objects.filter(
        code__startswith=county[:6], level__gte=Division.Level.TOWNSHIP
    ).exclude(code=county)
    count = rows.count()
    hit = _places.get(county)
    if hit is not None and hit[0] == count:
        return hit[1]
    groups: dict[str, tuple[str, list[tuple[str, str, str]]]] = {}
    for code, name, level in rows.order_by("code").values_list("code", "name", "level"):
        township = code[:9].ljust(12, "0")
        if level == Division.Level.TOWNSHIP:
            groups[code] = (
                name,
                [
                    (
                        code,
                        str(_("%(t)s（镇上或不确定哪个村）") % {"t": name}),
                        pinyin_initials(name),
                    )
                ],
            )
        elif township in groups:
            short = _short(name)
            groups[township][1].append((code, short, pinyin_initials(short)))
    result = list(groups.values())
    _places[county] = (count, result)
    return result


class PlaceSelect(forms.Select):
    """Townships as groups, villages inside, each option with its pinyin initials for the
    filter box (minsheng/static/js/unit_picker.js)."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> Any:
        from django.forms.utils import flatatt
        from django.utils.html import conditional_escape
        from django.utils.safestring import mark_safe

        final = self.build_attrs(self.attrs, attrs)
        final.update(
            {
                "name": name,
                "data-unit-picker": "1",
                "data-filter-label": str(_("输入乡镇或村名、拼音首字母筛选")),
            }
        )
        chosen = str(value or "")
        parts = [f'<option value="">{conditional_escape(_("请选择乡镇和村"))}</option>']
        for township, options in place_groups():
            parts.append(f'<optgroup label="{conditional_escape(township)}">')
            parts.extend(
                f'<option value="{code}"{" selected" if code == chosen else ""} data-py="{py}">{conditional_escape(label)}</option>'
                for code, label, py in options
            )
            parts.append("</optgroup>")
        return mark_safe(f"<select{flatatt(final)}>{''.join(parts)}</select>")  # noqa: S308


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("手机号码"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"inputmode": "tel", "autocomplete": "tel", "placeholder": "11 位手机号"}
        ),
    )


class CodeForm(PhoneForm):
    code = forms.CharField(
        label=_("短信验证码"),
        max_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class ReportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("诉求类型"),
        choices=Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择诉求类型。"), "invalid_choice": _("请选择诉求类型。")},
    )
    text = forms.CharField(
        label=_("请说说遇到的问题"),
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": 2000}),
        error_messages={"required": _("请填写反映的内容。")},
    )
    division = forms.CharField(
        label=_("问题在哪个乡镇、哪个村"), widget=PlaceSelect, required=False
    )
    address = forms.CharField(label=_("详细地点（可不填）"), max_length=200, required=False)
    name = forms.CharField(label=_("您的称呼（可不填）"), max_length=40, required=False)
    anonymous = forms.BooleanField(label=_("匿名（承办单位看不到您的姓名和号码）"), required=False)
    confidential = forms.BooleanField(label=_("保密（举报等不愿让他人知道的事）"), required=False)
    wants_public = forms.BooleanField(label=_("愿意在留言板公开（去掉个人信息后）"), required=False)
    share_place = forms.BooleanField(label=_("使用照片中的位置"), required=False)
    submission_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    # A point tapped on the map (WGS-84; portal_map.js converts from the tiles' datum).
    lat = forms.CharField(widget=forms.HiddenInput, required=False, max_length=20)
    lng = forms.CharField(widget=forms.HiddenInput, required=False, max_length=20)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("submission_key", uuid.uuid4().hex)

    def clean_division(self) -> Division | None:
        code = (self.cleaned_data.get("division") or "").strip()
        if not code:
            return None
        if not (code.isascii() and code.isdigit() and len(code) == 12):
            raise forms.ValidationError(_("请从列表中选择乡镇和村。"))
        division = Division.objects.filter(code=code).first()
        if division is None or not code.startswith(str(settings.MINSHENG_COUNTY_CODE)[:6]):
            raise forms.ValidationError(_("请选择本县的乡镇和村。"))
        return division

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        lat, lng = (str(cleaned.get(k) or "").strip() for k in ("lat", "lng"))
        cleaned["lat"] = cleaned["lng"] = None
        if lat or lng:
            la, ln = plain_decimal(lat), plain_decimal(lng)
            if la is None or ln is None or not (-90 <= la <= 90 and -180 <= ln <= 180):
                raise forms.ValidationError(_("地图上的位置无效，请重新点选。"))
            cleaned["lat"] = la.quantize(Decimal("0.000001"))
            cleaned["lng"] = ln.quantize(Decimal("0.000001"))
        return cleaned

    def clean_submission_key(self) -> str:
        key = str(self.cleaned_data.get("submission_key") or "")
        if not (key.isascii() and key.isalnum() and 16 <= len(key) <= 64):
            raise forms.ValidationError(_("表单已失效，请刷新后重新填写。"))
        return key


class TrackForm(forms.Form):
    number = forms.CharField(label=_("工单号"), max_length=32)
    code = forms.CharField(
        label=_("查询码"), max_length=12, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )


class RateForm(forms.Form):
    resolved = forms.TypedChoiceField(
        label=_("问题解决了吗"),
        choices=[("1", _("已解决")), ("0", _("未解决"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择问题是否解决。")},
    )
    satisfaction = forms.ChoiceField(
        label=_("您对办理结果满意吗"),
        choices=Satisfaction.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择满意程度。")},
    )
    comment = forms.CharField(
        label=_("还想说的话（可不填）"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
