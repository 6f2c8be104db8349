"""Forms of the campaign pages (the services validate again; these only shape input)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

BIG = {"class": "big"}


class EntryForm(forms.Form):
    indicator = forms.TypedChoiceField(label=_("指标"), coerce=int)
    unit = forms.TypedChoiceField(label=_("填报单位"), coerce=int)
    day = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date", **BIG}))
    count = forms.IntegerField(
        label=_("数量"),
        min_value=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", **BIG}),
    )
    village = forms.TypedChoiceField(label=_("村（社区）"), required=False, coerce=str)
    place = forms.CharField(
        label=_("地点"), required=False, max_length=200, widget=forms.TextInput(attrs=BIG)
    )
    note = forms.CharField(
        label=_("备注"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    photo = forms.FileField(
        label=_("现场照片"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )

    def __init__(
        self,
        *args: Any,
        indicators: list[tuple[int, str]],
        units: list[tuple[int, str]],
        villages: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = indicators  # type: ignore[attr-defined]
        self.fields["unit"].choices = units  # type: ignore[attr-defined]
        self.fields["village"].choices = [("", "—"), *villages]  # type: ignore[attr-defined]
        for name in ("indicator", "unit", "village"):
            self.fields[name].widget.attrs.update(BIG)


class InspectionForm(forms.Form):
    indicator = forms.TypedChoiceField(label=_("指标"), coerce=int)
    day = forms.DateField(
        label=_("检查日期"), widget=forms.DateInput(attrs={"type": "date", **BIG})
    )
    place = forms.CharField(label=_("地点"), max_length=200, widget=forms.TextInput(attrs=BIG))
    village = forms.TypedChoiceField(label=_("村（社区）"), required=False, coerce=str)
    checked = forms.IntegerField(
        label=_("抽查点位数"),
        min_value=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", **BIG}),
    )
    passing = forms.IntegerField(
        label=_("达标点位数"),
        min_value=0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", **BIG}),
    )
    note = forms.CharField(
        label=_("备注"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    photo = forms.FileField(
        label=_("现场照片"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )

    def __init__(
        self,
        *args: Any,
        indicators: list[tuple[int, str]],
        villages: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = indicators  # type: ignore[attr-defined]
        self.fields["village"].choices = [("", "—"), *villages]  # type: ignore[attr-defined]
        for name in ("indicator", "village"):
            self.fields[name].widget.attrs.update(BIG)


class CampaignForm(forms.Form):
    """A new campaign: the lead unit is chosen among the units the user may lead for, the
    participating units among the lead unit's sub-units and the townships' governments."""

    name = forms.CharField(label=_("名称"), max_length=100)
    lead_unit = forms.TypedChoiceField(label=_("牵头单位"), coerce=int)
    township = forms.TypedChoiceField(label=_("乡镇（不填为全县）"), required=False, coerce=str)
    starts_on = forms.DateField(label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("结束日期"), widget=forms.DateInput(attrs={"type": "date"}))
    units = forms.TypedMultipleChoiceField(
        label=_("参与单位"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    is_public = forms.BooleanField(label=_("向群众公开进展"), required=False)
    description = forms.CharField(
        label=_("说明"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(
        self,
        *args: Any,
        leads: list[tuple[int, str]],
        townships: list[tuple[str, str]],
        units: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_unit"].choices = leads  # type: ignore[attr-defined]
        self.fields["township"].choices = [("", "—"), *townships]  # type: ignore[attr-defined]
        self.fields["units"].choices = units  # type: ignore[attr-defined]


class IndicatorForm(forms.Form):
    name = forms.CharField(label=_("指标名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类型"))
    baseline = forms.DecimalField(
        label=_("基线（达标率，%）"), required=False, max_digits=5, decimal_places=2
    )
    target = forms.DecimalField(label=_("目标"), max_digits=12, decimal_places=2)
    unit_label = forms.CharField(label=_("计量单位（如 家、处）"), required=False, max_length=16)

    def __init__(self, *args: Any, kinds: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kinds  # type: ignore[attr-defined]


class TagForm(forms.Form):
    numbers = forms.CharField(
        label=_("关联工单（工单号，用逗号或空格分隔）"),
        max_length=2000,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def numbers_list(self) -> list[str]:
        raw = str(self.cleaned_data.get("numbers") or "")
        return [n for n in raw.replace("，", ",").replace("、", ",").replace(",", " ").split() if n]
