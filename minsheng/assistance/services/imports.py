"""Excel import of a paper ledger into one village: a template, a preview that names every bad
row and the duplicates, and an import that saves all rows or none.

- The columns are found by their headers (the template's, or the usual variants: 身份证号码,
  公民身份号码, 联系电话 …) in the first rows of the first sheet.
- A bad row (no name, an invalid ID number or phone, an ID number twice in the file, a number
  registered in another village) is named with its line and reason; while any row is bad,
  nothing can be imported.
- A row whose ID number is already in the village's ledger is a duplicate: it is merged (its
  categories added, an empty phone, household or needs filled) only when the user confirms;
  never a second entry.
- ID numbers typed as numbers in Excel have lost their last digits (Excel keeps 15 significant
  digits): such a cell is refused with that reason.
The preview never shows a full ID number or phone: masks only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook

from minsheng.assistance import crypto
from minsheng.assistance.errors import InvalidInput
from minsheng.assistance.models import Person, PersonCategory
from minsheng.assistance.services.people import (
    PersonData,
    _clean_categories,
    check_writes,
    person_create,
    record_event,
)
from minsheng.lib import xlsx
from minsheng.org.models import Division, User
from minsheng.textproc.pii import mask_id_number, mask_phone

MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024
HEADER_SCAN = 10
TEMPLATE_HEADER = ("姓名", "身份证号", "电话", "户", "类别", "登记劳动力", "需求")
ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("姓名",),
    "id_number": ("身份证号", "身份证号码", "公民身份号码", "证件号码"),
    "phone": ("电话", "联系电话", "手机", "手机号", "手机号码"),
    "household": ("户", "户主", "户主姓名", "户号"),
    "categories": ("类别", "帮扶类别", "人员类别"),
    "in_workforce": ("登记劳动力", "劳动力"),
    "needs": ("需求", "帮扶需求"),
}
NO = {"否", "不是", "无", "n", "no", "0"}


@dataclass
class Row:
    line: int
    name: str
    id_mask: str = ""
    phone_mask: str = ""
    categories: list[str] = field(default_factory=list)
    error: str = ""
    duplicate_of: int | None = None  # an entry of the village's ledger, merged on confirmation
    data: PersonData | None = None


@dataclass
class Preview:
    rows: list[Row]

    @property
    def bad(self) -> list[Row]:
        return [r for r in self.rows if r.error]

    @property
    def duplicates(self) -> list[Row]:
        return [r for r in self.rows if r.duplicate_of and not r.error]

    @property
    def new(self) -> list[Row]:
        return [r for r in self.rows if not r.error and not r.duplicate_of]


def template() -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "帮扶台账"
    xlsx.append_row(sheet, TEMPLATE_HEADER)
    xlsx.append_row(
        sheet,
        [
            "演示张三",
            "（18位，文本格式）",
            "13900000000",
            "张三户",
            "脱贫户、残疾人",
            "是",
            "希望就近就业",
        ],
    )
    for column in "BC":
        for cell in sheet[column]:
            cell.number_format = "@"
    return xlsx.workbook_bytes(book)


def _text(value: Any) -> str:
    if value is None:
        return ""
    return str(value).strip()


def _columns(rows: list[tuple[Any, ...]]) -> tuple[int, dict[str, int]]:
    for index, row in enumerate(rows[:HEADER_SCAN]):
        cells = [_text(v).replace(" ", "") for v in row]
        found: dict[str, int] = {}
        for key, names in ALIASES.items():
            for position, cell in enumerate(cells):
                if cell in names:
                    found[key] = position
                    break
        if "name" in found and "id_number" in found:
            return index, found
    raise InvalidInput(
        _("没有找到表头：第一张表的前 10 行中须有“姓名”和“身份证号”两列。"), field="file"
    )


def _read(content: bytes) -> list[tuple[Any, ...]]:
    if len(content) > MAX_BYTES:
        raise InvalidInput(_("文件不能超过 5 MB。"), field="file")
    try:
        return xlsx.read_rows(content)
    except xlsx.UnreadableWorkbook:
        raise InvalidInput(_("无法读取该文件：请上传 Excel（.xlsx）文件。"), field="file") from None


def preview(user: User, village: Division, content: bytes) -> Preview:
    """Every row checked, nothing saved."""
    check_writes(user, village.code)
    rows = _read(content)
    start, columns = _columns(rows)
    body = rows[start + 1 :]
    if len(body) > MAX_ROWS:
        raise InvalidInput(_("一次最多导入 %(n)d 行。") % {"n": MAX_ROWS}, field="file")

    def cell(row: tuple[Any, ...], key: str) -> Any:
        position = columns.get(key)
        return row[position] if position is not None and position < len(row) else None

    result: list[Row] = []
    seen: dict[str, int] = {}
    hashes: dict[int, str] = {}
    for offset, raw in enumerate(body):
        line = start + 2 + offset
        if all(_text(v) == "" for v in raw):
            continue
        name = _text(cell(raw, "name"))
        row = Row(line=line, name=name[:40])
        result.append(row)
        id_cell = cell(raw, "id_number")
        if isinstance(id_cell, int | float):
            row.error = _("身份证号被 Excel 存成了数字，末几位已丢失：请把该列设为文本后重新填写。")
            continue
        if not name or len(name) > 40:
            row.error = _("缺少姓名（或超过 40 个字）。")
            continue
        try:
            number = crypto.normalise_id_number(_text(id_cell))
        except crypto.InvalidIdNumber:
            row.error = _("身份证号无效（位数、出生日期或校验码不对）。")
            continue
        row.id_mask = mask_id_number(number)
        phone = _text(cell(raw, "phone"))
        if phone:
            try:
                phone = crypto.normalise_phone(phone)
            except crypto.InvalidPhone:
                row.error = _("电话号码无效。")
                continue
            row.phone_mask = mask_phone(phone)
        try:
            row.categories = _clean_categories(
                part
                for part in _text(cell(raw, "categories"))
                .replace(",", "、")
                .replace("，", "、")
                .split("、")
            )
        except InvalidInput as error:
            row.error = error.message
            continue
        digest = crypto.id_hash(number)
        if digest in seen:
            row.error = _("与第 %(line)d 行的身份证号重复。") % {"line": seen[digest]}
            continue
        seen[digest] = line
        hashes[line] = digest
        row.data = PersonData(
            name=name,
            id_number=number,
            phone=phone,
            categories=row.categories,
            household=_text(cell(raw, "household"))[:40],
            in_workforce=_text(cell(raw, "in_workforce")).lower() not in NO,
            needs=_text(cell(raw, "needs"))[:500],
        )
    existing = {
        p.id_hash: p
        for p in Person.objects.filter(id_hash__in=list(hashes.values())).only(
            "pk", "id_hash", "village_id"
        )
    }
    for row in result:
        person = existing.get(hashes.get(row.line, ""))
        if person is None or row.error:
            continue
        if person.village_id != village.code:
            row.error = _("此身份证号已在其他村（社区）登记，请联系乡镇帮扶专干核实。")
        else:
            row.duplicate_of = person.pk
    return Preview(rows=result)


def apply(user: User, village: Division, content: bytes, *, merge: bool) -> tuple[int, int]:
    """Import every row, or none: (created, merged). Duplicates need `merge` (the confirmation)."""
    result = preview(user, village, content)
    if result.bad:
        raise InvalidInput(
            _("有 %(n)d 行有错误，没有导入任何数据：请修改后重新上传。") % {"n": len(result.bad)}
        )
    if result.duplicates and not merge:
        raise InvalidInput(
            _("有 %(n)d 人已在台账中：请确认合并后再导入。") % {"n": len(result.duplicates)}
        )
    created = merged = 0
    with transaction.atomic():
        for row in result.rows:
            assert row.data is not None
            if row.duplicate_of is None:
                person_create(user, village, row.data)
                created += 1
                continue
            person = Person.objects.select_for_update().get(pk=row.duplicate_of)
            fields: list[str] = []
            if row.data.phone and not person.phone_cipher:
                person.phone_cipher = crypto.encrypt(row.data.phone)
                person.phone_hash = crypto.phone_hash(row.data.phone)
                person.phone_mask = mask_phone(row.data.phone)
                fields += ["phone_cipher", "phone_hash", "phone_mask"]
            if row.data.needs and not person.needs:
                person.needs = row.data.needs
                fields.append("needs")
            if fields:
                person.save(update_fields=[*fields, "updated_at"])
            have = set(person.categories.values_list("category", flat=True))
            added = [c for c in row.categories if c not in have]
            PersonCategory.objects.bulk_create(
                PersonCategory(person=person, category=c, village_code=village.code) for c in added
            )
            record_event(
                village_code=village.code,
                subject="person",
                subject_id=person.pk,
                verb="merged",
                actor=user,
                data={"fields": fields, "categories": added},
            )
            merged += 1
        record_event(
            village_code=village.code,
            subject="import",
            subject_id=None,
            verb="imported",
            actor=user,
            data={"created": created, "merged": merged},
        )
    return created, merged
