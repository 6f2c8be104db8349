"""The incident pages' forms: they parse and shape input; the services validate the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from minsheng.incidents.models import (
    Kind,
    LogKind,
    MachineKind,
    ResourceKind,
    Severity,
)

TIME_FORMAT = "%Y-%m-%dT%H:%M"


class LocalTime(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=TIME_FORMAT)


class RaiseForm(forms.Form):
    kind = forms.ChoiceField(label=_("事件类型"), choices=Kind.choices)
    title = forms.CharField(label=_("事件名称"), max_length=200)
    severity = forms.ChoiceField(label=_("事件等级"), choices=Severity.choices)
    started_at = forms.DateTimeField(label=_("发生时间"), widget=LocalTime())
    villages = forms.MultipleChoiceField(
        label=_("受影响村庄"), choices=(), required=False, widget=forms.CheckboxSelectMultiple
    )
    other_codes = forms.CharField(
        label=_("其他区划代码"), required=False, help_text=_("用空格或逗号分隔")
    )
    population_override = forms.IntegerField(
        label=_("修正影响人数"),
        required=False,
        min_value=0,
        help_text=_("留空则按人口登记计算"),
    )
    tickets = forms.MultipleChoiceField(
        label=_("同一区域同类工单"),
        choices=(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    merge = forms.ChoiceField(
        label=_("同类工单"),
        choices=(("link", _("关联（各自办理）")), ("merge", _("并单到主工单"))),
        initial="link",
        widget=forms.RadioSelect,
    )

    def __init__(
        self,
        *args: Any,
        villages: list[tuple[str, str]],
        tickets: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["villages"].choices = villages  # type: ignore[attr-defined]
        self.fields["tickets"].choices = tickets  # type: ignore[attr-defined]
        if not tickets:
            del self.fields["tickets"]
            del self.fields["merge"]

    def codes(self) -> list[str]:
        extra = self.cleaned_data.get("other_codes") or ""
        parts = extra.replace("，", " ").replace(",", " ").replace("、", " ").split()
        return [*self.cleaned_data.get("villages", []), *parts]


class LogForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=LogKind.choices)
    at = forms.DateTimeField(label=_("时间"), widget=LocalTime())
    text = forms.CharField(
        label=_("内容"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class MobiliseForm(forms.Form):
    resource = forms.ChoiceField(label=_("资源"), choices=())
    task = forms.CharField(label=_("任务"), required=False, max_length=200)

    def __init__(self, *args: Any, resources: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["resource"].choices = resources  # type: ignore[attr-defined]

    def parsed(self) -> tuple[str, int]:
        kind, _sep, pk = str(self.cleaned_data["resource"]).partition(":")
        if kind not in ResourceKind.values or not pk.isdigit():
            raise forms.ValidationError(_("请选择资源。"))
        return kind, int(pk)


class BroadcastForm(forms.Form):
    text = forms.CharField(
        label=_("短信内容"), max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )
    token = forms.CharField(widget=forms.HiddenInput)


class CloseForm(forms.Form):
    restored_at = forms.DateTimeField(
        label=_("恢复时间"),
        required=False,
        widget=LocalTime(),
        help_text=_("留空则取“恢复供水”日志的时间"),
    )
    note = forms.CharField(
        label=_("处置说明"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PhoneAckForm(forms.Form):
    reply_code = forms.CharField(label=_("回复码"), required=False, max_length=6)
    note = forms.CharField(label=_("确认说明"), required=False, max_length=200)


class TeamForm(forms.Form):
    unit = forms.CharField(label=_("所属单位编码"), max_length=50)
    name = forms.CharField(label=_("队伍名称"), max_length=100)
    leader = forms.CharField(label=_("负责人账号"), max_length=150, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)
    members = forms.IntegerField(label=_("人数"), min_value=0, initial=0)


class MachineForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=MachineKind.choices)
    label = forms.CharField(label=_("车牌/型号"), max_length=60)
    count = forms.IntegerField(label=_("数量"), min_value=1, initial=1)
    owner_unit = forms.CharField(label=_("所属单位编码"), max_length=50, required=False)
    owner_company = forms.CharField(label=_("或所属企业"), max_length=100, required=False)
    contact_name = forms.CharField(label=_("联系人"), max_length=50, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=30)


class VolunteerForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.CharField(label=_("联系电话"), max_length=30)
    skills = forms.CharField(label=_("技能"), max_length=200, required=False)
    village = forms.CharField(label=_("所在村区划代码"), max_length=12, required=False)
    group = forms.CharField(label=_("加入志愿队"), max_length=100, required=False)


class SubscriberForm(forms.Form):
    village = forms.CharField(label=_("村区划代码"), max_length=12)
    phone = forms.CharField(label=_("手机号"), max_length=30)
    name = forms.CharField(label=_("姓名"), max_length=50, required=False)
