"""The ledger's forms (the services validate again; a form only shapes the input)."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from minsheng.assistance.models import (
    CATEGORIES,
    ConsentMethod,
    EventKind,
    IncomeBand,
    MatchStatus,
    Measure,
    SixOne,
    Station,
)
from minsheng.assistance.services.links import Consent
from minsheng.assistance.services.people import PersonData

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SEPARATORS = re.compile(r"[,，、;；\s]+")


class PersonForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=40)
    id_number = forms.CharField(
        label=_("身份证号"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    phone = forms.CharField(
        label=_("电话"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
    )
    categories = forms.MultipleChoiceField(
        label=_("类别"),
        choices=[(c, c) for c in CATEGORIES],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    custom_categories = forms.CharField(
        label=_("其他类别（用顿号分隔）"), max_length=100, required=False
    )
    household = forms.CharField(label=_("户（户主姓名或户号）"), max_length=40, required=False)
    in_workforce = forms.BooleanField(label=_("计入登记劳动力"), required=False, initial=True)
    needs = forms.CharField(
        label=_("需求"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            field = self.fields["id_number"]
            field.required = False
            field.label = _("身份证号（更正时填写，留空不变）")

    def data_object(self) -> PersonData:
        d = self.cleaned_data
        custom = [c for c in SEPARATORS.split(d.get("custom_categories") or "") if c]
        return PersonData(
            name=d["name"],
            id_number=d.get("id_number") or "",
            phone=d.get("phone") or "",
            categories=[*d.get("categories", []), *custom],
            household=d.get("household") or "",
            in_workforce=bool(d.get("in_workforce")),
            needs=d.get("needs") or "",
        )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("查看事由"), min_length=4, max_length=200)


class ExportForm(forms.Form):
    purpose = forms.CharField(label=_("导出用途"), min_length=4, max_length=200)


class VisitForm(forms.Form):
    visited_on = forms.DateField(label=_("走访日期"), widget=DATE)
    note = forms.CharField(
        label=_("走访情况"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class AssistanceForm(forms.Form):
    measure = forms.ChoiceField(label=_("帮扶措施"), choices=Measure.choices)
    started_on = forms.DateField(label=_("开始日期"), widget=DATE)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)


class CertificateForm(forms.Form):
    kind = forms.CharField(label=_("证书名称"), max_length=60)
    level = forms.CharField(label=_("等级"), max_length=20, required=False)
    obtained_on = forms.DateField(label=_("取得日期"), widget=DATE)


class EmploymentForm(forms.Form):
    employer = forms.CharField(label=_("就业单位"), max_length=80)
    since = forms.DateField(label=_("就业起始日期"), widget=DATE)
    work = forms.CharField(label=_("工种"), max_length=40, required=False)
    income_band = forms.ChoiceField(
        label=_("月收入"), choices=[("", "—"), *IncomeBand.choices], required=False
    )


class ReferForm(forms.Form):
    posting = forms.TypedChoiceField(label=_("岗位"), coerce=int)
    referred_on = forms.DateField(label=_("推荐日期"), widget=DATE)

    def __init__(self, *args: Any, postings: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["posting"].choices = postings  # type: ignore[attr-defined]


class AdvanceForm(forms.Form):
    match = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(
        label=_("改为"),
        choices=[
            (MatchStatus.INTERVIEWED, MatchStatus.INTERVIEWED.label),
            (MatchStatus.HIRED, MatchStatus.HIRED.label),
            (MatchStatus.DECLINED, MatchStatus.DECLINED.label),
        ],
    )
    on = forms.DateField(label=_("日期"), widget=DATE)


class NeedForm(forms.Form):
    text = forms.CharField(label=_("新的需求"), max_length=300)


class SixHasForm(forms.Form):
    has_site = forms.BooleanField(label=_("有阵地"), required=False)
    has_organisation = forms.BooleanField(label=_("有组织"), required=False)
    has_staff = forms.BooleanField(label=_("有人员"), required=False)
    has_measures = forms.BooleanField(label=_("有措施"), required=False)
    has_jobs = forms.BooleanField(label=_("有岗位"), required=False)
    has_policy = forms.BooleanField(label=_("有政策"), required=False)

    @classmethod
    def for_station(cls, station: Station, data: Any = None) -> SixHasForm:
        return cls(data, initial={f: getattr(station, f) for f in Station.SIX_HAS})


class ChecklistForm(forms.Form):
    item = forms.ChoiceField(label=_("“六个一”事项"), choices=SixOne.choices)
    done_on = forms.DateField(label=_("完成日期"), widget=DATE)
    attendance = forms.IntegerField(
        label=_("参加人数"), min_value=0, max_value=100000, required=False
    )
    note = forms.CharField(label=_("说明"), max_length=300, required=False)
    photo = forms.FileField(
        label=_("佐证照片（签到表、现场）"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )


class PostingForm(forms.Form):
    employer = forms.CharField(label=_("用工单位"), max_length=80)
    title = forms.CharField(label=_("岗位"), max_length=60)
    pay = forms.CharField(label=_("工资待遇"), max_length=60)
    place = forms.CharField(label=_("工作地点"), max_length=80)
    headcount = forms.IntegerField(label=_("招聘人数"), min_value=1, max_value=9999)
    workshop = forms.BooleanField(label=_("扶贫车间"), required=False)
    piece_rate = forms.BooleanField(label=_("计件工资"), required=False)


class ConsentFields(forms.Form):
    """The citizen's consent to a ticket link (the service refuses without it, in Chinese)."""

    consent = forms.BooleanField(label=_("已征得本人同意关联工单"), required=False)
    consent_method = forms.ChoiceField(
        label=_("同意方式"), choices=[("", "—"), *ConsentMethod.choices], required=False
    )
    consent_on = forms.DateField(label=_("同意日期"), widget=DATE)
    consent_note = forms.CharField(label=_("说明（可不填）"), max_length=200, required=False)

    def consent_object(self) -> Consent:
        d = self.cleaned_data
        return Consent(
            given=bool(d.get("consent")),
            method=d.get("consent_method") or "",
            on=d["consent_on"],
            note=d.get("consent_note") or "",
        )


class TicketLinkForm(ConsentFields):
    number = forms.CharField(
        label=_("工单号"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    field_order = ("number", "consent_method", "consent_on", "consent_note", "consent")


class FromTicketForm(PersonForm, ConsentFields):
    """登记到帮扶台账 from a ticket: the person's fields (prefilled from the ticket) and the
    consent. The ticket's phone is never put in the form: a box asks to use it."""

    use_ticket_phone = forms.BooleanField(label=_("使用工单中的联系电话"), required=False)


class EventForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=EventKind.choices)
    held_on = forms.DateField(label=_("日期"), widget=DATE)
    title = forms.CharField(label=_("名称"), max_length=80)
    place = forms.CharField(label=_("地点"), max_length=80)
    employers = forms.CharField(label=_("参会用工单位（招聘活动）"), max_length=300, required=False)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)
