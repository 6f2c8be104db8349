"""Excel (openpyxl) of every statistics table and of the ticket lists behind the figures."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from minsheng.lib.xlsx import append_row, download, workbook_bytes
from minsheng.stats.query import Filters
from minsheng.stats.tables import Column, Table, TableCell, TableRow
from minsheng.tickets.models import Ticket

BOLD = Font(bold=True)


def _sheet_title(title: str, used: set[str]) -> str:
    name = "".join(ch for ch in title if ch not in "[]:*?/\\")[:28] or _("表")
    candidate, n = name, 2
    while candidate in used:
        candidate, n = f"{name}{n}", n + 1
    used.add(candidate)
    return candidate


def workbook(title: str, filters: Filters, tables: Sequence[Table]) -> Workbook:
    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for table in tables:
        sheet = book.create_sheet(_sheet_title(table.title, used))
        append_row(sheet, [f"{title} · {table.title}"])
        append_row(sheet, [filters.describe()])
        append_row(sheet, table.header())
        for cell in sheet[3]:
            cell.font = BOLD
        for row in table.values():
            append_row(sheet, [_number(v) for v in row])
        sheet.freeze_panes = "B4"
        sheet.column_dimensions["A"].width = 28
        for i in range(2, len(table.columns) + 2):
            sheet.column_dimensions[get_column_letter(i)].width = 12
    return book


def _number(value: Any) -> Any:
    from decimal import Decimal

    return float(value) if isinstance(value, Decimal) else value


def _response(book: Workbook, title: str) -> HttpResponse:
    return download(workbook_bytes(book), f"{title}-{timezone.localdate():%Y%m%d}.xlsx")


def response(title: str, filters: Filters, tables: Sequence[Table]) -> HttpResponse:
    return _response(workbook(title, filters, tables), title)


def heat_table(title: str, head: str, heat: dict[str, Any]) -> Table:
    columns = [Column(str(i), name, lambda _f: None) for i, name in enumerate(heat["columns"])]
    rows = [
        TableRow(r["label"], [TableCell(str(c["n"]), c["n"]) for c in r["cells"]])
        for r in heat["rows"]
    ]
    return Table(title, head, columns, rows)


TICKET_HEADER = (
    gettext_lazy("工单号"),
    gettext_lazy("标题"),
    gettext_lazy("诉求类型"),
    gettext_lazy("渠道"),
    gettext_lazy("分类"),
    gettext_lazy("地点"),
    gettext_lazy("主办单位"),
    gettext_lazy("状态"),
    gettext_lazy("受理时间"),
    gettext_lazy("办结时间"),
)


def tickets_response(title: str, filters: Filters, tickets: Iterable[Ticket]) -> HttpResponse:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _sheet_title(title, set())
    append_row(sheet, [title])
    append_row(sheet, [filters.describe()])
    append_row(sheet, [str(h) for h in TICKET_HEADER])
    for cell in sheet[3]:
        cell.font = BOLD
    for t in tickets:
        append_row(
            sheet,
            [
                t.number,
                t.title,
                t.get_kind_display(),
                t.get_channel_display(),
                t.category.full_name if t.category else "",
                t.division.name if t.division else "",
                t.lead_unit.name if t.lead_unit else "",
                t.get_status_display(),
                timezone.localtime(t.created_at).replace(tzinfo=None),
                timezone.localtime(t.closed_at).replace(tzinfo=None) if t.closed_at else None,
            ],
        )
    return _response(book, title)
