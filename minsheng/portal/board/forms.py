"""The board's forms: the public list's filters (GET) and the moderators' decisions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from minsheng.portal.board import places
from minsheng.portal.board.selectors import DONE, LIKED, NEWEST, OPEN, BoardQuery
from minsheng.tickets.forms import LongSelect

MAX_WORDS = 50
StrOrPromise = str | Promise


class BoardFilterForm(forms.Form):
    """搜索和筛选 (the selects rendered in Python, as the back office's long ones: Django's
    per-option templates were most of the public list's time; docs/benchmarks/portal.md). An unknown category or township is an error shown on the page (the list is
    then shown unfiltered by it), never a 500."""

    q = forms.CharField(label=_("关键词"), required=False, max_length=MAX_WORDS)
    topic = forms.TypedChoiceField(
        label=_("分类"),
        required=False,
        coerce=int,
        empty_value=None,
        widget=LongSelect,
        error_messages={"invalid_choice": _("没有这个分类，请从列表中选择。")},
    )
    township = forms.ChoiceField(
        label=_("乡镇"),
        required=False,
        widget=LongSelect,
        error_messages={"invalid_choice": _("没有这个乡镇，请从列表中选择。")},
    )
    status = forms.ChoiceField(
        label=_("办理状态"),
        required=False,
        choices=[("", _("全部")), (OPEN, _("办理中")), (DONE, _("已办结"))],
        widget=LongSelect,
        error_messages={"invalid_choice": _("办理状态无效。")},
    )
    order = forms.ChoiceField(
        label=_("排序"),
        required=False,
        choices=[(NEWEST, _("最新")), (LIKED, _("点赞最多"))],
        widget=LongSelect,
        error_messages={"invalid_choice": _("排序方式无效。")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].error_messages["max_length"] = _("关键词请控制在 %(n)s 字以内。") % {
            "n": MAX_WORDS
        }
        _choices(self, _("全部分类"), _("全部乡镇"))

    def query(self) -> BoardQuery:
        """What to show: the valid filters; an invalid one is left out."""
        data = self.cleaned_data if self.is_bound and hasattr(self, "cleaned_data") else {}
        return BoardQuery(
            words=str(data.get("q") or "").strip(),
            topic=data.get("topic"),
            township=data.get("township") or None,
            status=data.get("status") or "",
            order=data.get("order") or NEWEST,
        )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("不予公开的理由"),
        max_length=500,
        widget=forms.TextInput(attrs={"placeholder": _("如：涉及他人隐私、内容与诉求无关")}),
        error_messages={"required": _("请填写不予公开的理由。")},
    )


class EditForm(forms.Form):
    title = forms.CharField(
        label=_("标题"), max_length=200, error_messages={"required": _("标题不能为空。")}
    )
    text = forms.CharField(
        label=_("公开内容"),
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": _("内容不能为空。")},
    )
    topic = forms.TypedChoiceField(
        label=_("分类"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": _("没有这个分类，请从列表中选择。")},
    )
    township = forms.ChoiceField(
        label=_("乡镇"),
        required=False,
        error_messages={"invalid_choice": _("没有这个乡镇，请从列表中选择。")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, _("未分类"), _("未指定乡镇"))


def _choices(form: forms.Form, no_topic: StrOrPromise, no_township: StrOrPromise) -> None:
    """The first-level categories and the townships as the form's choices (from memory)."""
    topic, township = form.fields["topic"], form.fields["township"]
    assert isinstance(topic, forms.ChoiceField) and isinstance(township, forms.ChoiceField)
    topic.choices = [("", no_topic), *((str(t.id), t.name) for t in places.topics())]
    township.choices = [("", no_township), *((t.code, t.name) for t in places.townships())]
