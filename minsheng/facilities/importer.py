"""Excel import of the registry: a template, every bad row named (its line and the reason), and
an import that saves all rows or none (one transaction).

The columns are found by their headers in the first rows of the first sheet. A row is matched to
a facility already registered by its code (编码, the QR's public code) when given, else by
(township, name): importing the same file again changes nothing new (each row updates the
facility it made). Each row goes through the same services as the form (`facility_create`,
`facility_update`), so it is validated the same way and writes its audit event."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from openpyxl import Workbook

from minsheng.facilities import rules
from minsheng.facilities.errors import FacilityError, InvalidInput
from minsheng.facilities.models import Facility, Standard, Status
from minsheng.facilities.services import (
    FacilityInput,
    facility_create,
    facility_update,
    township_of,
)
from minsheng.facilities.services.registry import unchanged, validate
from minsheng.lib import xlsx
from minsheng.org.models import Division, Unit, User

MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024
HEADER_SCAN = 10
TEMPLATE_HEADER = (
    "编码",
    "类型",
    "名称",
    "乡镇",
    "村（社区）",
    "地址",
    "管理单位",
    "管理员账号",
    "管理班组",
    "开放时间",
    "等级",
    "状态",
    "纬度",
    "经度",
)
ALIASES: dict[str, tuple[str, ...]] = {
    "code": ("编码", "设施编码", "二维码编码"),
    "kind": ("类型", "设施类型"),
    "name": ("名称", "设施名称"),
    "township": ("乡镇", "乡镇（街道）", "乡镇街道"),
    "village": ("村（社区）", "村", "社区", "村社区"),
    "address": ("地址", "详细地址"),
    "owner": ("管理单位", "责任单位", "管理单位编码"),
    "keeper_user": ("管理员账号", "管理员", "管理人账号"),
    "keeper_unit": ("管理班组", "管理班组编码"),
    "hours": ("开放时间",),
    "standard": ("等级", "评定等级"),
    "status": ("状态",),
    "lat": ("纬度",),
    "lng": ("经度",),
}
STATUS_WORDS = {str(label): value for value, label in Status.choices} | {
    "在用": Status.IN_USE,
    "维修关闭": Status.REPAIR,
    "维修": Status.REPAIR,
    "停用": Status.RETIRED,
}


@dataclass
class Row:
    line: int
    name: str = ""
    error: str = ""
    data: FacilityInput | None = None
    existing: Facility | None = None


@dataclass
class Result:
    rows: list[Row] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def bad(self) -> list[Row]:
        return [r for r in self.rows if r.error]


def template() -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "公共设施"
    xlsx.append_row(sheet, TEMPLATE_HEADER)
    xlsx.append_row(
        sheet,
        [
            "",
            "公厕",
            "示例镇政府东公厕",
            "孙口镇",
            "",
            "镇政府东侧 50 米",
            "（单位编码，如 sunkou）",
            "（账号，如 h-sunkou）",
            "",
            "06:00-22:00",
            "",
            "在用",
            "",
            "",
        ],
    )
    return xlsx.workbook_bytes(book)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.time):
        return f"{value:%H:%M}"
    return " ".join(str(value).split())


def _read(content: bytes) -> list[tuple[Any, ...]]:
    if len(content) > MAX_BYTES:
        raise InvalidInput(_("文件不能超过 5 MB。"), field="file")
    try:
        return xlsx.read_rows(content)
    except xlsx.UnreadableWorkbook:
        raise InvalidInput(_("无法读取该文件：请上传 Excel（.xlsx）文件。"), field="file") from None


def _columns(rows: list[tuple[Any, ...]]) -> tuple[int, dict[str, int]]:
    for index, row in enumerate(rows[:HEADER_SCAN]):
        cells = [_text(v).replace(" ", "") for v in row]
        found: dict[str, int] = {}
        for key, names in ALIASES.items():
            for position, cell in enumerate(cells):
                if cell in names:
                    found[key] = position
                    break
        if "name" in found and "kind" in found:
            return index, found
    raise InvalidInput(
        _("没有找到表头：第一张表的前 10 行中须有“类型”和“名称”两列。"), field="file"
    )


def _hours(text: str) -> tuple[bool, dt.time | None, dt.time | None]:
    compact = text.replace(" ", "").replace("：", ":").replace("—", "-").replace("～", "-")
    compact = compact.replace("~", "-").replace("至", "-")
    if not compact or compact in ("24小时", "全天", "24h", "24H"):
        return True, None, None
    start, sep, end = compact.partition("-")
    try:
        if not sep:
            raise ValueError
        opens = dt.time.fromisoformat(start.zfill(5))
        closes = dt.time.fromisoformat(end.zfill(5))
    except ValueError:
        raise InvalidInput(_("开放时间写成“06:00-22:00”或“24小时”。")) from None
    return False, opens, closes


def _decimal(text: str, label: str) -> Decimal | None:
    if not text:
        return None
    if not text.replace(".", "", 1).replace("-", "", 1).isdigit() or not text.isascii():
        raise InvalidInput(_("%(f)s不是数字。") % {"f": label})
    try:
        return Decimal(text)
    except InvalidOperation:
        raise InvalidInput(_("%(f)s不是数字。") % {"f": label}) from None


class _Lookups:
    """The county's townships and villages, the units and the accounts: read once per file."""

    def __init__(self, county: str) -> None:
        divisions = Division.objects.filter(
            code__startswith=county,
            level__in=(Division.Level.TOWNSHIP, Division.Level.VILLAGE),
        ).only("code", "name", "level", "parent_id")
        self.townships: dict[str, Division] = {}
        self.villages: dict[tuple[str, str], Division] = {}
        for d in divisions:
            if d.level == Division.Level.TOWNSHIP:
                self.townships[d.name] = d
            else:
                self.villages[(d.code[:9], d.name)] = d
        self.units: dict[str, Unit] = {}
        for unit in Unit.objects.filter(is_active=True):
            self.units[unit.code] = unit
            self.units.setdefault(unit.name, unit)

    def user(self, username: str) -> User | None:
        return User.objects.filter(username=username, is_active=True).first()


def preview(actor: User, content: bytes, county: str) -> Result:
    """Every row read and validated; nothing written."""
    rows = _read(content)
    header, columns = _columns(rows)
    body = rows[header + 1 :]
    if len(body) > MAX_ROWS:
        raise InvalidInput(_("一次最多导入 %(n)d 行。") % {"n": MAX_ROWS}, field="file")
    look = _Lookups(county)
    result = Result()
    seen: dict[tuple[str, str], int] = {}
    codes = {
        _text(r[columns["code"]])
        for r in body
        if "code" in columns and columns["code"] < len(r) and _text(r[columns["code"]])
    }
    by_code = {f.public_code: f for f in Facility.objects.filter(public_code__in=codes)}
    for offset, raw in enumerate(body):
        line = header + 2 + offset

        def cell(key: str, raw: tuple[Any, ...] = raw) -> str:
            position = columns.get(key)
            return _text(raw[position]) if position is not None and position < len(raw) else ""

        if not any(_text(v) for v in raw):
            continue
        row = Row(line=line, name=cell("name"))
        result.rows.append(row)
        try:
            row.data, row.existing = _row(actor, cell, look, by_code)
            assert row.data.place is not None
            key = (township_of(row.data.place), row.data.name)
            if key in seen:
                raise InvalidInput(_("与第 %(n)d 行是同一乡镇的同名设施。") % {"n": seen[key]})
            seen[key] = line
        except FacilityError as refused:
            row.error = str(refused)
    return result


def _row(
    actor: User, cell: Any, look: _Lookups, by_code: dict[str, Facility]
) -> tuple[FacilityInput, Facility | None]:
    township_name = cell("township")
    if not township_name:
        raise InvalidInput(_("没有填写乡镇：没有位置的设施不能登记。"))
    township = look.townships.get(township_name)
    if township is None:
        raise InvalidInput(_("本县没有名为“%(n)s”的乡镇。") % {"n": township_name})
    place = township
    village_name = cell("village")
    if village_name:
        found = look.villages.get((township.code[:9], village_name))
        if found is None:
            raise InvalidInput(
                _("%(t)s没有名为“%(v)s”的村（社区）。") % {"t": township.name, "v": village_name}
            )
        place = found
    owner_key = cell("owner")
    owner = look.units.get(owner_key) if owner_key else None
    if owner is None:
        raise InvalidInput(
            _("管理单位“%(u)s”不存在（填写单位编码或全称）。") % {"u": owner_key or "—"}
        )
    if not rules.may_write_for(actor, owner):
        raise InvalidInput(_("不能登记%(u)s管理的设施。") % {"u": owner.name})
    keeper_user = None
    if cell("keeper_user"):
        keeper_user = look.user(cell("keeper_user"))
        if keeper_user is None:
            raise InvalidInput(_("管理员账号“%(u)s”不存在。") % {"u": cell("keeper_user")})
    keeper_unit = None
    if cell("keeper_unit"):
        keeper_unit = look.units.get(cell("keeper_unit"))
        if keeper_unit is None:
            raise InvalidInput(_("管理班组“%(u)s”不存在。") % {"u": cell("keeper_unit")})
    all_day, opens, closes = _hours(cell("hours"))
    standard = cell("standard").upper()
    if standard not in Standard.values:
        raise InvalidInput(_("等级只能是 A、AA、AAA 或不填。"))
    status_text = cell("status")
    status = STATUS_WORDS.get(status_text, "") if status_text else Status.IN_USE
    if not status:
        raise InvalidInput(_("状态只能是 在用、维修关闭 或 停用。"))
    data = validate(
        FacilityInput(
            kind=cell("kind"),
            name=cell("name"),
            place=place,
            owner=owner,
            address=cell("address"),
            lat=_decimal(cell("lat"), _("纬度")),
            lng=_decimal(cell("lng"), _("经度")),
            keeper_user=keeper_user,
            keeper_unit=keeper_unit,
            all_day=all_day,
            opens_at=opens,
            closes_at=closes,
            standard=standard,
            status=status,
        )
    )
    code = cell("code")
    existing: Facility | None = None
    if code:
        existing = by_code.get(code)
        if existing is None:
            raise InvalidInput(_("编码“%(c)s”不存在（新设施不填编码）。") % {"c": code})
    else:
        assert data.place is not None
        existing = (
            Facility.objects.select_related("place", "owner", "keeper_user", "keeper_unit")
            .filter(Q(township_code=township_of(data.place)), name=data.name)
            .first()
        )
    if existing is not None and not rules.may_edit(actor, existing.owner):
        raise InvalidInput(_("不能修改%(u)s管理的设施。") % {"u": existing.owner.name})
    return data, existing


def apply(actor: User, content: bytes, county: str) -> Result:
    """Import every row, or none: refused (InvalidInput naming the rows) while any is bad."""
    result = preview(actor, content, county)
    if result.bad:
        raise InvalidInput(
            "；".join(
                _("第 %(n)d 行：%(e)s") % {"n": r.line, "e": r.error} for r in result.bad[:20]
            )
        )
    if not result.rows:
        raise InvalidInput(_("文件中没有数据行。"), field="file")
    with transaction.atomic():
        for row in result.rows:
            assert row.data is not None
            try:
                if row.existing is None:
                    facility_create(actor=actor, data=row.data)
                    result.created += 1
                elif unchanged(row.existing, row.data):
                    result.unchanged += 1  # nothing to write, no event: a re-import is quiet
                else:
                    row.data.note = row.data.note or row.existing.note
                    facility_update(actor=actor, facility=row.existing, data=row.data)
                    result.updated += 1
            except FacilityError as refused:
                # Found only while writing (another row of this file took the name): the whole
                # file rolls back, and the row is named.
                raise InvalidInput(
                    _("第 %(n)d 行：%(e)s") % {"n": row.line, "e": str(refused)}
                ) from None
    return result
