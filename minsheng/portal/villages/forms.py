"""The question form (我要质询): a plain form that works without JavaScript."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from minsheng.villages.models import Question
from minsheng.villages.services.questions import MAX_TEXT, MIN_TEXT


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("类型"),
        choices=Question.Kind.choices,
        widget=forms.RadioSelect,
        initial=Question.Kind.QUERY,
        error_messages={
            "required": _("请选择质询或异议。"),
            "invalid_choice": _("请选择质询或异议。"),
        },
    )
    text = forms.CharField(
        label=_("您的问题或意见"),
        min_length=MIN_TEXT,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": MAX_TEXT}),
        error_messages={
            "required": _("请填写您的问题。"),
            "min_length": _("请把问题写清楚一些（至少 %(limit_value)d 个字）。"),
            "max_length": _("内容太长了，请控制在 %(limit_value)d 字以内。"),
        },
    )
    submission_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("submission_key", uuid.uuid4().hex)

    def clean_submission_key(self) -> str:
        key = str(self.cleaned_data.get("submission_key") or "")
        if not (key.isascii() and key.isalnum() and 16 <= len(key) <= 64):
            raise forms.ValidationError(_("表单已失效，请刷新后重新填写。"))
        return key
