"""The QR page's problem form: a plain form that works without JavaScript."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from minsheng.facilities.models import Problem
from minsheng.facilities.services.reports import MAX_TEXT


class ProblemForm(forms.Form):
    problem = forms.ChoiceField(
        label=_("遇到了什么问题"),
        choices=Problem.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("请选择遇到的问题。"),
            "invalid_choice": _("请选择遇到的问题。"),
        },
    )
    text = forms.CharField(
        label=_("补充说明（可不填）"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": MAX_TEXT}),
        error_messages={"max_length": _("内容太长了，请控制在 %(limit_value)d 字以内。")},
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
