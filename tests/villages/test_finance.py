"""财务公开 as data: exact amounts, a statement that does not balance is refused with the line
at fault and the difference; the Excel template imports (every bad row named, nothing saved on
any error) and a published statement exports and imports back unchanged."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from minsheng.lib.xlsx import append_row, workbook_bytes
from minsheng.villages.errors import InvalidInput, InvalidTransition, NotAllowed
from minsheng.villages.models import Event, FinanceLine, FinanceStatement, Item
from minsheng.villages.services import finance, items
from minsheng.villages.services.finance import LineInput, StatementInvalid
from tests.villages.board_helpers import World, draft, refreshed, world

__all__ = ["world"]

pytestmark = pytest.mark.django_db


def finance_item(world: World) -> Item:
    return draft(
        world,
        section="finance",
        title="2026年11月财务收支明细",
        kind="month",
        day=dt.date(2026, 11, 1),
        body="",
    )


LINES = [
    ("2026-11-03", "收入", "上级转移支付", "30000.00", "记-01", "张会计"),
    ("2026-11-10", "支出", "保洁员工资（11月）", "2400.00", "记-02", "李文书"),
    ("2026-11-20", "支出", "路灯电费", "385.60", "记-03", "李文书"),
    ("2026-11-25", "收入", "集体土地承包费", "12500.5", "记-04", "张会计"),
]
OPENING = "8650.30"
# 8650.30 + 30000 + 12500.50 - 2400 - 385.60
CLOSING = "48365.20"


def lines(rows=LINES) -> list[LineInput]:  # type: ignore[no-untyped-def]
    return [
        LineInput(
            number=n,
            date=r[0],
            direction=r[1],
            summary=r[2],
            amount=r[3],
            voucher=r[4],
            handler=r[5],
        )
        for n, r in enumerate(rows, start=1)
    ]


def save(world: World, item: Item, opening=OPENING, closing=CLOSING, rows=LINES):  # type: ignore[no-untyped-def]
    return finance.statement_save(
        actor=world.clerk,
        item=item,
        revision=refreshed(item).revision,
        opening=opening,
        closing=closing,
        lines=lines(rows),
    )


def test_a_balanced_statement_is_saved_exactly(world: World) -> None:
    item = finance_item(world)
    statement = save(world, item)
    assert statement.opening_balance == Decimal("8650.30")
    assert statement.closing_balance == Decimal("48365.20")
    saved = list(statement.lines.values_list("position", "direction", "amount", "summary"))
    assert saved == [
        (1, "income", Decimal("30000.00"), "上级转移支付"),
        (2, "expense", Decimal("2400.00"), "保洁员工资（11月）"),
        (3, "expense", Decimal("385.60"), "路灯电费"),
        (4, "income", Decimal("12500.50"), "集体土地承包费"),
    ]
    # Saving again replaces the lines.
    save(world, item, closing="36250.30", rows=LINES[:2])
    assert FinanceLine.objects.count() == 2
    assert Event.objects.filter(subject_id=item.pk, verb="statement_saved").count() == 2


def test_a_statement_that_does_not_balance_names_the_difference_and_the_line(
    world: World,
) -> None:
    item = finance_item(world)
    with pytest.raises(StatementInvalid) as refused:
        save(world, item, closing="48750.80")  # 385.60 too much: 路灯电费 not counted
    message = refused.value.message
    assert "收支不平" in message and "相差 385.60" in message
    assert "第 3 行" in message and "路灯电费" in message
    # A direction typed the wrong way round: twice the amount.
    flipped = [
        *LINES[:2],
        ("2026-11-20", "收入", "路灯电费", "385.60", "记-03", "李文书"),
        LINES[3],
    ]
    with pytest.raises(StatementInvalid) as refused:
        save(world, item, rows=flipped)
    assert "第 3 行" in refused.value.message and "方向" in refused.value.message
    assert "相差 -771.20" in refused.value.message
    assert not FinanceStatement.objects.exists()
    assert not Event.objects.filter(verb__startswith="statement").exists()


def test_each_bad_line_is_named(world: World) -> None:
    item = finance_item(world)
    rows = [
        ("2026-11-03", "收入", "上级转移支付", "30000", "", ""),
        ("2026-10-31", "支出", "保洁员工资", "2400", "", ""),  # before the month
        ("2026-11-12", "支出", "", "-5", "", ""),  # no summary, negative
        ("", "支出", "路灯电费", "1_0", "", ""),  # no date, not a plain number
        ("2026-11-15", "转账", "备用金", "0", "", ""),  # direction, zero
        ("2026-11-16", "支出", "办公用品", "12.345", "", ""),  # three decimals
    ]
    with pytest.raises(StatementInvalid) as refused:
        save(world, item, rows=rows)
    errors = refused.value.errors
    assert len(errors) == 5
    assert errors[0].startswith("第 2 行") and "不在本期 2026-11-01 至 2026-11-30 内" in errors[0]
    assert errors[1].startswith("第 3 行") and "缺少摘要" in errors[1] and "大于 0" in errors[1]
    assert errors[2].startswith("第 4 行") and "缺少日期" in errors[2] and "1_0" in errors[2]
    assert errors[3].startswith("第 5 行") and "收入" in errors[3] and "大于 0" in errors[3]
    assert errors[4].startswith("第 6 行") and "两位小数" in errors[4]
    with pytest.raises(StatementInvalid, match="期初余额"):
        save(world, item, opening="", rows=LINES)
    assert not FinanceStatement.objects.exists()


def test_only_finance_items_of_a_draft_by_its_clerk(world: World) -> None:
    affairs = draft(world)
    with pytest.raises(InvalidInput, match="财务公开"):
        save(world, affairs)
    item = finance_item(world)
    with pytest.raises(NotAllowed):
        finance.statement_save(
            actor=world.clerk2,
            item=item,
            revision=None,
            opening=OPENING,
            closing=CLOSING,
            lines=lines(),
        )
    # A finance item is not submitted without its statement.
    with pytest.raises(InvalidInput, match="收支明细"):
        items.item_submit(actor=world.clerk, item=item)
    save(world, item)
    items.item_submit(actor=world.clerk, item=item)
    items.item_review(actor=world.reviewer, item=item, approve=True)
    with pytest.raises(InvalidTransition):
        save(world, item)


def sheet(
    rows: list[list[object]], *, opening: object = OPENING, closing: object = CLOSING
) -> bytes:
    book = load_workbook(io.BytesIO(finance.template_bytes()))
    ws = book.active
    assert ws is not None
    ws["B1"] = opening
    ws["B2"] = closing
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_excel_import_with_bad_rows_names_each_row_and_saves_nothing(world: World) -> None:
    item = finance_item(world)
    content = sheet(
        [
            [dt.date(2026, 11, 3), "收入", "上级转移支付", 30000, "记-01", "张会计"],
            [dt.date(2026, 12, 1), "支出", "保洁员工资", 2400, "记-02", "李文书"],  # row 6
            [None, None, None, None, None, None],  # a blank row is skipped
            ["2026-11-20", "支出", "路灯电费", "abc", "记-03", "李文书"],  # row 8
            ["2026/11/25", "收入", "集体土地承包费", 12500.5, "记-04", "张会计"],
            ["2026-11-26", "", "会议补贴", 300, "", ""],  # row 10
        ]
    )
    with pytest.raises(StatementInvalid) as refused:
        finance.statement_import(actor=world.clerk, item=item, revision=None, content=content)
    errors = refused.value.errors
    assert [e.split("：")[0] for e in errors] == ["第 6 行", "第 8 行", "第 10 行"]
    assert "2026-12-01" in errors[0] and "abc" in errors[1] and "收支" in errors[2]
    assert not FinanceStatement.objects.exists() and not FinanceLine.objects.exists()
    assert not Event.objects.filter(verb__startswith="statement").exists()


def test_excel_running_balance_names_the_first_row_that_stops_matching(world: World) -> None:
    item = finance_item(world)
    content = sheet(
        [
            ["2026-11-03", "收入", "上级转移支付", 30000, "", "", 38650.30],
            ["2026-11-10", "支出", "保洁员工资", 2400, "", "", 36250.30],
            ["2026-11-20", "支出", "路灯电费", 385.60, "", "", 35964.70],  # should be 35864.70
            ["2026-11-25", "收入", "集体土地承包费", 12500.50, "", "", 48365.20],
        ]
    )
    with pytest.raises(StatementInvalid) as refused:
        finance.statement_import(actor=world.clerk, item=item, revision=None, content=content)
    assert refused.value.errors[0].startswith("第 7 行：余额应为 35,864.70")
    assert "相差 100.00" in refused.value.errors[0]


def test_not_a_template_or_not_excel(world: World) -> None:
    item = finance_item(world)
    with pytest.raises(InvalidInput, match="Excel"):
        finance.statement_import(
            actor=world.clerk, item=item, revision=None, content=b"%PDF-1.4 not a sheet"
        )
    book = Workbook()
    ws = book.active
    assert ws is not None
    append_row(ws, ["日期", "金额"])
    with pytest.raises(InvalidInput, match="模板"):
        finance.statement_import(
            actor=world.clerk, item=item, revision=None, content=workbook_bytes(book)
        )


def test_good_import_round_trips_through_export(world: World) -> None:
    item = finance_item(world)
    content = sheet([[*row] for row in LINES])
    finance.statement_import(actor=world.clerk, item=item, revision=None, content=content)
    statement = FinanceStatement.objects.get(item=item)
    assert statement.closing_balance == Decimal("48365.20")
    assert Event.objects.filter(subject_id=item.pk, verb="statement_imported").exists()
    items.item_submit(actor=world.clerk, item=item)
    items.item_review(actor=world.reviewer, item=item, approve=True)

    exported = finance.export_bytes(refreshed(item))
    ws = load_workbook(io.BytesIO(exported)).active
    assert ws is not None
    assert ws["A1"].value == "期初余额" and Decimal(str(ws["B1"].value)) == Decimal("8650.30")
    assert ws["G8"].value is not None  # the running balance after the last line
    assert Decimal(str(ws["G8"].value)) == Decimal("48365.20")
    # The export imports back into a correction unchanged.
    correction = items.item_correct(actor=world.clerk, item=refreshed(item), correction_note="核对")
    finance.statement_import(actor=world.clerk, item=correction, revision=None, content=exported)
    again = FinanceStatement.objects.get(item=correction)
    fields = ("date", "direction", "summary", "amount", "voucher", "handler")
    assert list(again.lines.values_list(*fields)) == list(statement.lines.values_list(*fields))
    assert (again.opening_balance, again.closing_balance) == (
        statement.opening_balance,
        statement.closing_balance,
    )


def test_a_formula_in_a_summary_is_exported_as_text(world: World) -> None:
    item = finance_item(world)
    rows = [("2026-11-03", "收入", '=HYPERLINK("http://x","y")', "10", "", "")]
    save(world, item, opening="0", closing="10", rows=rows)
    ws = load_workbook(io.BytesIO(finance.export_bytes(item))).active
    assert ws is not None
    assert ws["C5"].data_type == "s"
