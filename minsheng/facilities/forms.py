"""The staff pages' forms: they validate the shape of the input; the services decide."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from minsheng.facilities import rules
from minsheng.facilities.models import BUILTIN_KINDS, Rule, Standard, Status, UpkeepKind
from minsheng.org.models import UNIT_ROLES, Division, Unit, User
from minsheng.org.scoping import scope_for

CUSTOM = "__custom__"


class PlaceChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        if obj.level == Division.Level.VILLAGE:
            return f"　{obj.name}"
        return str(obj.name)


class UserChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        unit = obj.unit.short_name or obj.unit.name if obj.unit else ""
        return f"{obj.display_name or obj.username}（{unit}）"


def _units_for(user: User) -> Any:
    units = Unit.objects.filter(is_active=True).order_by("path")
    if rules.is_admin(user):
        return units
    return units.filter(scope_for(user).units_q())


class FacilityForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"))
    custom_kind = forms.CharField(label=_("其他类型（自定义）"), max_length=30, required=False)
    name = forms.CharField(label=_("名称"), max_length=100)
    place = PlaceChoice(
        queryset=Division.objects.none(), label=_("所在乡镇或村（社区）"), required=False
    )
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    owner = forms.ModelChoiceField(queryset=Unit.objects.none(), label=_("管理单位"))
    keeper_user = UserChoice(
        queryset=User.objects.none(), label=_("管理员（个人）"), required=False
    )
    keeper_unit = forms.ModelChoiceField(
        queryset=Unit.objects.none(), label=_("或管理班组"), required=False
    )
    all_day = forms.BooleanField(label=_("24小时开放"), required=False)
    opens_at = forms.TimeField(
        label=_("开放时间"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    closes_at = forms.TimeField(
        label=_("关闭时间"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    standard = forms.ChoiceField(
        label=_("等级（A级旅游厕所）"), choices=Standard.choices, required=False
    )
    status = forms.ChoiceField(label=_("状态"), choices=Status.choices)
    lat = forms.DecimalField(label=_("纬度"), max_digits=9, decimal_places=6, required=False)
    lng = forms.DecimalField(label=_("经度"), max_digits=9, decimal_places=6, required=False)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kinds = [(k, k) for k in BUILTIN_KINDS]
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = [*kinds, (CUSTOM, _("其他（自定义）"))]
        county = str(settings.MINSHENG_COUNTY_CODE)[:6]
        place = self.fields["place"]
        assert isinstance(place, forms.ModelChoiceField)
        place.queryset = Division.objects.filter(
            code__startswith=county,
            level__in=(Division.Level.TOWNSHIP, Division.Level.VILLAGE),
        ).order_by("code")
        units = _units_for(user)
        for name in ("owner", "keeper_unit"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = units
        keeper = self.fields["keeper_user"]
        assert isinstance(keeper, forms.ModelChoiceField)
        keeper.queryset = (
            User.objects.filter(is_active=True, unit__in=units, roles__role__in=UNIT_ROLES)
            .select_related("unit")
            .distinct()
            .order_by("unit__path", "username")
        )

    def chosen_kind(self) -> str:
        kind = str(self.cleaned_data.get("kind") or "")
        return str(self.cleaned_data.get("custom_kind") or "") if kind == CUSTOM else kind


class ScheduleForm(forms.Form):
    kind = forms.ChoiceField(label=_("类别"), choices=UpkeepKind.choices)
    rule = forms.ChoiceField(label=_("频次"), choices=Rule.choices)
    every_minutes = forms.IntegerField(
        label=_("间隔（分钟）"), required=False, min_value=15, max_value=1440
    )
    times = forms.CharField(label=_("时间（如 08:00,12:00）"), required=False, max_length=200)
    weekday = forms.IntegerField(
        label=_("每周星期几（1—7）"), required=False, min_value=1, max_value=7
    )
    monthday = forms.IntegerField(
        label=_("每月几号（1—28）"), required=False, min_value=1, max_value=28
    )
    day_from = forms.TimeField(
        label=_("每天自"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    day_to = forms.TimeField(
        label=_("每天至"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    working_days_only = forms.BooleanField(
        label=_("仅工作日（节假日、调休按工作日历）"), required=False
    )


class RoundForm(forms.Form):
    kind = forms.ChoiceField(label=_("类别"), choices=UpkeepKind.choices)
    done_at = forms.DateTimeField(
        label=_("完成时间（不填为现在）"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    note = forms.CharField(
        label=_("情况说明"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    photo = forms.FileField(
        label=_("照片（可选）"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )
    form_token = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel 文件（.xlsx）"))
