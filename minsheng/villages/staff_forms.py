"""Forms of the village staff pages (the services validate again; these only shape input)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from minsheng.villages.models import Item, PeriodKind, Section
from minsheng.villages.services.finance import LineInput

BLANK_ROWS = 5
MORE_ROWS = 5
MAX_FORM_ROWS = 300


class ItemForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=200)
    period_kind = forms.ChoiceField(label=_("公开周期"), choices=PeriodKind.choices)
    period_day = forms.DateField(
        label=_("所属期间内的任一天"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("如 2026 年 11 月的月度公开，选 11 月的任一天。"),
    )
    body = forms.CharField(
        label=_("内容"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )


class NewItemForm(ItemForm):
    section = forms.ChoiceField(label=_("栏目"), choices=Section.choices)
    field_order = ("section", "title", "period_kind", "period_day", "body")


class EditItemForm(ItemForm):
    display_from = forms.DateField(
        label=_("公示起"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    display_until = forms.DateField(
        label=_("公示止"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("可不填：发布之日起按规定天数公示。"),
    )
    revision = forms.IntegerField(widget=forms.HiddenInput)

    @classmethod
    def for_item(cls, item: Item) -> EditItemForm:
        return cls(
            initial={
                "title": item.title,
                "period_kind": item.period_kind,
                "period_day": item.period_start,
                "body": item.body,
                "display_from": item.display_from,
                "display_until": item.display_until,
                "revision": item.revision,
            }
        )


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        choices=(("approve", pgettext_lazy("review", "通过")), ("return", _("退回")))
    )
    note = forms.CharField(label=_("审核意见"), required=False, max_length=500)
    revision = forms.IntegerField(widget=forms.HiddenInput)


class CorrectForm(forms.Form):
    correction_note = forms.CharField(label=_("更正说明"), max_length=300)


class UploadForm(forms.Form):
    file = forms.FileField(label=_("文件"))


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel 文件"))
    revision = forms.IntegerField(widget=forms.HiddenInput)


FIELDS = ("date", "direction", "summary", "amount", "voucher", "handler")


def rows_from_post(data: Any) -> list[dict[str, str]]:
    """The statement editor's rows as typed (`date-1`, `direction-1`, … up to `rows`)."""
    try:
        count = int(str(data.get("rows", "0")))
    except ValueError:
        count = 0
    count = max(0, min(count, MAX_FORM_ROWS))
    return [{f: str(data.get(f"{f}-{n}", "")) for f in FIELDS} for n in range(1, count + 1)]


def line_inputs(rows: list[dict[str, str]]) -> list[LineInput]:
    return [LineInput(number=n, **row) for n, row in enumerate(rows, start=1)]


def rows_of_statement(statement: Any) -> list[dict[str, str]]:
    if statement is None:
        return []
    return [
        {
            "date": line.date.isoformat(),
            "direction": line.direction,
            "summary": line.summary,
            "amount": f"{line.amount:.2f}",
            "voucher": line.voucher,
            "handler": line.handler,
        }
        for line in statement.lines.all()
    ]


def with_blanks(rows: list[dict[str, str]], blanks: int = BLANK_ROWS) -> list[dict[str, str]]:
    kept = [r for r in rows if any(v.strip() for v in r.values())]
    room = max(0, MAX_FORM_ROWS - len(kept))
    return kept + [dict.fromkeys(FIELDS, "") for _ in range(min(blanks, room))]
