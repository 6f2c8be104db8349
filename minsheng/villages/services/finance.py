"""财务公开 as data: a statement's opening balance, dated income and expense lines, and a closing
balance that must follow from them — typed on the item's page or imported from the Excel
template this module writes, and exported to Excel once published.

Amounts are exact `Decimal`s, read strictly (`lib.numbers.plain_decimal`: no `1_0`, no other
scripts' digits, no exponent). A statement is checked as a whole before anything is written:
every line's faults are named with its line (or Excel row) number, and a statement whose
closing balance is not opening + income − expense is refused with the difference and, where
one can tell, the line at fault (a running balance that stops matching, an amount equal to the
difference, a direction that would explain twice the difference). A refused statement writes
nothing; an accepted one replaces the item's lines in one transaction.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from minsheng.lib.numbers import plain_decimal
from minsheng.lib.xlsx import append_row, workbook_bytes
from minsheng.org.models import User
from minsheng.villages.errors import InvalidInput, StaleItem
from minsheng.villages.models import FinanceLine, FinanceStatement, Item, Section
from minsheng.villages.periods import period_label
from minsheng.villages.services import items as item_services
from minsheng.villages.services.boards import record_event

Income = FinanceLine.Direction.INCOME
Expense = FinanceLine.Direction.EXPENSE

CENT = Decimal("0.01")
# FinanceLine.amount: max_digits 14, decimal_places 2.
AMOUNT_LIMIT = Decimal("1000000000000")
MAX_LINES = 2000
MAX_IMPORT_BYTES = 5 * 1024 * 1024
SUMMARY_MAX = FinanceLine._meta.get_field("summary").max_length or 200
VOUCHER_MAX = FinanceLine._meta.get_field("voucher").max_length or 40
HANDLER_MAX = FinanceLine._meta.get_field("handler").max_length or 40

DIRECTIONS = {
    "收入": Income,
    "收": Income,
    "income": Income,
    "支出": Expense,
    "支": Expense,
    "expense": Expense,
}
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日")

# The template's layout (and the export's: an exported statement imports as it is).
SHEET = "收支明细"
OPENING_LABEL = "期初余额"
CLOSING_LABEL = "期末余额"
HEADER = ("日期", "收支", "摘要", "金额", "凭证号", "经办人", "余额（可不填）")
HEADER_ROW = 4
FIRST_LINE_ROW = HEADER_ROW + 1
MAX_ROWS = FIRST_LINE_ROW + MAX_LINES


class StatementInvalid(InvalidInput):
    """Why a statement is refused: every fault, each naming its line or row."""

    def __init__(self, errors: Sequence[str]) -> None:
        super().__init__("；".join(errors) if len(errors) > 1 else errors[0])
        self.errors = list(errors)


@dataclass
class LineInput:
    """One line as typed or read from Excel; `number` names it in messages (the form's line
    number or the Excel row)."""

    number: int
    date: Any = None
    direction: Any = ""
    summary: Any = ""
    amount: Any = None
    voucher: Any = ""
    handler: Any = ""
    balance: Any = None  # the running balance after the line, where the sheet has one

    def is_blank(self) -> bool:
        return all(
            _text(v) == ""
            for v in (
                self.date,
                self.direction,
                self.summary,
                self.amount,
                self.voucher,
                self.handler,
                self.balance,
            )
        )


@dataclass(frozen=True)
class CleanLine:
    number: int
    date: dt.date
    direction: str
    summary: str
    amount: Decimal
    voucher: str
    handler: str
    balance: Decimal | None


def _text(value: Any) -> str:
    if value is None:
        return ""
    return " ".join(str(value).split())


def _money(value: Any) -> Decimal | None:
    """An amount as typed (text) or read from a cell (number); None if it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        try:
            number = Decimal(repr(value))
        except InvalidOperation:
            return None
    else:
        text = _text(value).replace(",", "").replace("，", "").removeprefix("¥")
        text = text.removesuffix("元")
        parsed = plain_decimal(text)
        if parsed is None:
            return None
        number = parsed
    if not number.is_finite():
        return None
    return number


def _amount_fault(number: Decimal, *, positive: bool) -> str | None:
    if number != number.quantize(CENT):
        return _("最多两位小数")
    if abs(number) >= AMOUNT_LIMIT:
        return _("金额过大")
    if positive and number <= 0:
        return _("金额须大于 0（收入、支出用“收支”一栏区分）")
    return None


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 (a date, no time)
        except ValueError:
            continue
    return None


def _fmt(amount: Decimal) -> str:
    return f"{amount.quantize(CENT):,}"


def _balance(value: Any, label: str, errors: list[str]) -> Decimal | None:
    if _text(value) == "":
        errors.append(_("请填写%(label)s。") % {"label": label})
        return None
    number = _money(value)
    if number is None:
        errors.append(_("%(label)s不是数字：%(value)s。") % {"label": label, "value": _text(value)})
        return None
    fault = _amount_fault(number, positive=False)
    if fault:
        errors.append(_("%(label)s%(fault)s。") % {"label": label, "fault": fault})
        return None
    return number.quantize(CENT)


def _line(raw: LineInput, item: Item, errors: list[str]) -> CleanLine | None:
    where = _("第 %(n)d 行") % {"n": raw.number}
    faults: list[str] = []
    day = _date(raw.date)
    if _text(raw.date) == "":
        faults.append(_("缺少日期"))
    elif day is None:
        faults.append(
            _("日期无法识别（%(value)s，应为 2026-11-03 这样）") % {"value": _text(raw.date)}
        )
    elif not item.period_start <= day <= item.period_end:
        faults.append(
            _("日期 %(day)s 不在本期 %(start)s 至 %(end)s 内")
            % {
                "day": day.isoformat(),
                "start": item.period_start.isoformat(),
                "end": item.period_end.isoformat(),
            }
        )
    direction = DIRECTIONS.get(_text(raw.direction).lower())
    if _text(raw.direction) == "":
        faults.append(_("缺少收支（收入或支出）"))
    elif direction is None:
        faults.append(
            _("收支应为“收入”或“支出”，不是“%(value)s”") % {"value": _text(raw.direction)}
        )
    summary = _text(raw.summary)
    if not summary:
        faults.append(_("缺少摘要"))
    elif len(summary) > SUMMARY_MAX:
        faults.append(_("摘要超过 %(n)d 个字") % {"n": SUMMARY_MAX})
    amount = _money(raw.amount)
    if _text(raw.amount) == "":
        faults.append(_("缺少金额"))
    elif amount is None:
        faults.append(_("金额不是数字：%(value)s") % {"value": _text(raw.amount)})
    else:
        fault = _amount_fault(amount, positive=True)
        if fault:
            faults.append(fault)
    voucher, handler = _text(raw.voucher), _text(raw.handler)
    if len(voucher) > VOUCHER_MAX:
        faults.append(_("凭证号超过 %(n)d 个字") % {"n": VOUCHER_MAX})
    if len(handler) > HANDLER_MAX:
        faults.append(_("经办人超过 %(n)d 个字") % {"n": HANDLER_MAX})
    balance = None
    if _text(raw.balance) != "":
        balance = _money(raw.balance)
        if balance is None or _amount_fault(balance, positive=False):
            faults.append(_("余额不是有效金额：%(value)s") % {"value": _text(raw.balance)})
            balance = None
    if faults:
        errors.append(f"{where}：{'，'.join(faults)}")
        return None
    assert day is not None and direction is not None and amount is not None
    return CleanLine(
        number=raw.number,
        date=day,
        direction=direction,
        summary=summary,
        amount=amount.quantize(CENT),
        voucher=voucher,
        handler=handler,
        balance=balance.quantize(CENT) if balance is not None else None,
    )


def _signed(line: CleanLine) -> Decimal:
    return line.amount if line.direction == Income else -line.amount


def _balance_faults(opening: Decimal, closing: Decimal, lines: Sequence[CleanLine]) -> list[str]:
    errors: list[str] = []
    running = opening
    for line in lines:
        running += _signed(line)
        if line.balance is not None and line.balance != running:
            errors.append(
                _(
                    "第 %(n)d 行：余额应为 %(expected)s（上一行余额 %(sign)s 本行金额），"
                    "填的是 %(given)s，相差 %(diff)s"
                )
                % {
                    "n": line.number,
                    "expected": _fmt(running),
                    "sign": "+" if line.direction == Income else "−",
                    "given": _fmt(line.balance),
                    "diff": _fmt(line.balance - running),
                }
            )
            return errors  # the first line that stops matching is the one at fault
    income = sum((line.amount for line in lines if line.direction == Income), Decimal(0))
    expense = sum((line.amount for line in lines if line.direction == Expense), Decimal(0))
    expected = opening + income - expense
    if closing == expected:
        return errors
    diff = closing - expected
    message = _(
        "收支不平：期末余额 %(closing)s，而期初余额 %(opening)s + 收入 %(income)s − "
        "支出 %(expense)s = %(expected)s，相差 %(diff)s"
    ) % {
        "closing": _fmt(closing),
        "opening": _fmt(opening),
        "income": _fmt(income),
        "expense": _fmt(expense),
        "expected": _fmt(expected),
        "diff": _fmt(diff),
    }
    hints = []
    for line in lines:
        if line.amount == abs(diff) and (
            (diff > 0 and line.direction == Expense) or (diff < 0 and line.direction == Income)
        ):
            hints.append(
                _("第 %(n)d 行（%(summary)s，%(amount)s）可能多记了")
                % {"n": line.number, "summary": line.summary, "amount": _fmt(line.amount)}
            )
        elif line.amount * 2 == abs(diff) and (
            (diff > 0 and line.direction == Expense) or (diff < 0 and line.direction == Income)
        ):
            hints.append(
                _("第 %(n)d 行（%(summary)s，%(amount)s）的收支方向可能填反了")
                % {"n": line.number, "summary": line.summary, "amount": _fmt(line.amount)}
            )
    if hints:
        message += _("。请核对：%(hints)s") % {"hints": "；".join(hints[:3])}
    errors.append(message)
    return errors


def check_statement(
    item: Item, opening: Any, closing: Any, lines: Iterable[LineInput]
) -> tuple[Decimal, Decimal, list[CleanLine]]:
    """The statement, validated whole; StatementInvalid names every fault."""
    errors: list[str] = []
    if item.section != Section.FINANCE:
        raise InvalidInput(_("只有财务公开的事项有收支明细。"))
    opening_value = _balance(opening, _("期初余额"), errors)
    closing_value = _balance(closing, _("期末余额"), errors)
    clean: list[CleanLine] = []
    count = 0
    for raw in lines:
        if raw.is_blank():
            continue
        count += 1
        if count > MAX_LINES:
            errors.append(_("收支明细不能超过 %(n)d 行。") % {"n": MAX_LINES})
            break
        line = _line(raw, item, errors)
        if line is not None:
            clean.append(line)
    if errors:
        raise StatementInvalid(errors)
    assert opening_value is not None and closing_value is not None
    faults = _balance_faults(opening_value, closing_value, clean)
    if faults:
        raise StatementInvalid(faults)
    return opening_value, closing_value, clean


def _check_editable(actor: User, item: Item) -> None:
    item_services.check_edits(actor, item)


@transaction.atomic
def statement_save(
    *,
    actor: User,
    item: Item,
    revision: int | None,
    opening: Any,
    closing: Any,
    lines: Iterable[LineInput],
    source: str = "form",
) -> FinanceStatement:
    """Replace the statement of a draft (or returned) 财务公开 item, refused whole if any line
    is wrong or it does not balance."""
    item = Item.objects.select_for_update().select_related("board").get(pk=item.pk)
    _check_editable(actor, item)
    if revision is not None and revision != item.revision:
        raise StaleItem(_("这条公开事项已被别人修改，请刷新页面后再操作。"))
    opening_value, closing_value, clean = check_statement(item, opening, closing, lines)
    statement, _created = FinanceStatement.objects.update_or_create(
        item=item,
        defaults={"opening_balance": opening_value, "closing_balance": closing_value},
    )
    FinanceLine.objects.filter(statement=statement).delete()
    FinanceLine.objects.bulk_create(
        FinanceLine(
            statement=statement,
            position=position,
            date=line.date,
            direction=line.direction,
            summary=line.summary,
            amount=line.amount,
            voucher=line.voucher,
            handler=line.handler,
        )
        for position, line in enumerate(clean, start=1)
    )
    item.revision += 1
    item.save(update_fields=["revision", "updated_at"])
    record_event(
        board_id=item.board_id,
        subject="item",
        subject_id=item.pk,
        verb="statement_imported" if source == "excel" else "statement_saved",
        actor=actor,
        data={
            "lines": len(clean),
            "opening": str(opening_value),
            "closing": str(closing_value),
        },
    )
    return statement


# --- Excel ---------------------------------------------------------------------------------


def _sheet_head(sheet: Any, opening: Any, closing: Any) -> None:
    append_row(sheet, [OPENING_LABEL, opening])
    append_row(sheet, [CLOSING_LABEL, closing])
    append_row(
        sheet,
        [
            "填写说明",
            "日期填 2026-11-03 这样的日期；收支填“收入”或“支出”；金额填正数，最多两位小数；"
            "余额可不填，填了则逐行核对。请勿改动前四行的格式。",
        ],
    )
    append_row(sheet, HEADER)
    for column, width in zip("ABCDEFG", (12, 8, 36, 14, 12, 10, 14), strict=True):
        sheet.column_dimensions[column].width = width


def template_bytes() -> bytes:
    """The blank template the item's page offers for download."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SHEET
    _sheet_head(sheet, None, None)
    return workbook_bytes(book)


def export_bytes(item: Item) -> bytes:
    """A statement as Excel, in the template's layout (it imports as it is), with the item's
    facts on a second sheet."""
    statement = FinanceStatement.objects.get(item=item)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SHEET
    _sheet_head(sheet, statement.opening_balance, statement.closing_balance)
    running = statement.opening_balance
    for line in statement.lines.all():
        running += line.amount if line.direction == Income else -line.amount
        append_row(
            sheet,
            [
                line.date,
                str(line.get_direction_display()),
                line.summary,
                line.amount,
                line.voucher,
                line.handler,
                running,
            ],
        )
        sheet.cell(row=sheet.max_row, column=1).number_format = "yyyy-mm-dd"
    for row in range(1, sheet.max_row + 1):
        for column in (2, 4, 7):
            cell = sheet.cell(row=row, column=column)
            if isinstance(cell.value, Decimal):
                cell.number_format = "#,##0.00"
    facts = book.create_sheet("公开事项")
    board = item.board
    append_row(facts, ["村（社区）", board.village.name])
    append_row(facts, ["标题", item.title])
    append_row(facts, ["所属期间", period_label(item.period_kind, item.period_start)])
    append_row(facts, ["版本", item.version])
    if item.published_at:
        append_row(facts, ["公开时间", item.published_at.date().isoformat()])
    if item.correction_note:
        append_row(facts, ["更正说明", item.correction_note])
    return workbook_bytes(book)


def read_workbook(content: bytes) -> tuple[Any, Any, list[LineInput]]:
    """The opening, the closing and the lines of a filled-in template; InvalidInput if the file
    is not one."""
    if len(content) > MAX_IMPORT_BYTES:
        raise InvalidInput(_("Excel 文件不能超过 5 MB。"), field="file")
    if not content.startswith(b"PK\x03\x04"):
        raise InvalidInput(_("请上传 Excel 文件（.xlsx，用本页提供的模板）。"), field="file")
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        raise InvalidInput(
            _("无法读取这个 Excel 文件，请用本页提供的模板填写。"), field="file"
        ) from None
    try:
        sheet = book[SHEET] if SHEET in book.sheetnames else book.worksheets[0]
        rows = list(sheet.iter_rows(min_row=1, max_row=MAX_ROWS, max_col=7, values_only=True))
    # SyntaxError: the XML parser's ParseError, met while iterating a damaged sheet's rows.
    except (KeyError, ValueError, IndexError, zipfile.BadZipFile, OSError, SyntaxError, EOFError):
        raise InvalidInput(
            _("无法读取这个 Excel 文件，请用本页提供的模板填写。"), field="file"
        ) from None
    finally:
        book.close()

    def cell(row: int, column: int) -> Any:
        if row > len(rows):
            return None
        values = rows[row - 1]
        return values[column] if column < len(values) else None

    header = tuple(_text(cell(HEADER_ROW, c)) for c in range(6))
    if (
        _text(cell(1, 0)) != OPENING_LABEL
        or _text(cell(2, 0)) != CLOSING_LABEL
        or header != HEADER[:6]
    ):
        raise InvalidInput(
            _(
                "这不是本系统的收支明细模板：第 1、2 行应为“期初余额”“期末余额”，"
                "第 4 行应为表头（%(header)s）。请下载模板后填写。"
            )
            % {"header": "、".join(HEADER)},
            field="file",
        )
    lines = [
        LineInput(
            number=number,
            date=cell(number, 0),
            direction=cell(number, 1),
            summary=cell(number, 2),
            amount=cell(number, 3),
            voucher=cell(number, 4),
            handler=cell(number, 5),
            balance=cell(number, 6),
        )
        for number in range(FIRST_LINE_ROW, len(rows) + 1)
    ]
    return cell(1, 1), cell(2, 1), lines


def statement_import(
    *, actor: User, item: Item, revision: int | None, content: bytes
) -> FinanceStatement:
    """Import a filled-in template into a draft's statement: every bad row is named with its
    Excel row number, and nothing is saved unless every row is right and the whole balances."""
    _check_editable(actor, item)
    opening, closing, lines = read_workbook(content)
    return statement_save(
        actor=actor,
        item=item,
        revision=revision,
        opening=opening,
        closing=closing,
        lines=lines,
        source="excel",
    )


def statement_for(item: Item) -> FinanceStatement | None:
    return FinanceStatement.objects.filter(item=item).prefetch_related("lines").first()


def totals(statement: FinanceStatement) -> dict[str, Decimal]:
    lines = list(statement.lines.all())
    return {
        "income": sum((x.amount for x in lines if x.direction == Income), Decimal(0)),
        "expense": sum((x.amount for x in lines if x.direction == Expense), Decimal(0)),
    }
