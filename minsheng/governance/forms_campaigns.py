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
