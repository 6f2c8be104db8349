"""集中导入's reads: who may upload collected suggestions for which area, the Excel template,
reading an uploaded file into rows, and checking each row — its place matched to a village by
the gazetteer (`insight.places`), its category suggested by the router (`insight.triage.
suggest_many`, the dispatch queue's batch call), open tickets about the same problem (the
duplicate index, `insight.index.similar_open_tickets`, the desk's 内容相似的未办结工单), rows
of the same file saying the same thing, and rows already imported (`IntakeRecord`).

Who: the hotline's desk (operators, dispatchers) and administrators for the county or any of
its townships, as tickets or council suggestions; a township's own staff (`councils.can_run`)
for their township, as suggestions to their council only. A batch outside that is a 404.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from minsheng.governance import councils as council_selectors
from minsheng.governance.models import Council, IntakeBatch, IntakeRecord, IntakeRow
from minsheng.insight.index import similar_open_tickets_many, text_vector
from minsheng.insight.places import gazetteer
from minsheng.insight.triage import suggest_many
from minsheng.lib.xlsx import append_row, workbook_bytes
from minsheng.org.models import Division, Role, User
from minsheng.textproc.pii import normalize_phone
from minsheng.textproc.place import Gazetteer
from minsheng.textproc.similar import QUERY_TERMS, Vector, cosine, signature
from minsheng.tickets.errors import InvalidInput
from minsheng.tickets.models import Category

HOTLINE_ROLES = (Role.ADMINISTRATOR, Role.DISPATCHER, Role.OPERATOR)
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 3000
MAX_TEXT = 2000  # as services.suggestions.MAX_TEXT
MAX_PLACE = 200
MAX_CONTRIBUTOR = 50
SIMILAR_ROW_SCORE = 0.8  # rows of one file this alike are flagged as saying the same thing
ROW_CANDIDATES = 30  # earlier rows compared with each row
DUPLICATE_LIMIT = 3
SHEET = "意见建议"

# The template's columns: (header, required header, what the column holds).
COLUMNS: tuple[tuple[str, bool], ...] = (
    ("序号", False),
    ("村（社区）/地点", True),
    ("意见建议内容", True),
    ("提出人", False),
    ("联系电话", False),
    ("分类", False),
    ("处理方式", False),
)
KEYS = ("seq", "place", "text", "contributor", "phone", "category", "destination")
# Other ways people head the columns, normalised (see `_norm_header`).
ALIASES = {
    "村社区地点": "place",
    "村社区": "place",
    "地点": "place",
    "村": "place",
    "意见建议": "text",
    "内容": "text",
    "意见建议内容": "text",
    "提出人": "contributor",
    "姓名": "contributor",
    "联系电话": "phone",
    "电话": "phone",
    "分类": "category",
    "处理方式": "destination",
    "序号": "seq",
}
DESTINATION_WORDS = {
    "转工单": IntakeRow.Destination.TICKET,
    "工单": IntakeRow.Destination.TICKET,
    "提交议事会": IntakeRow.Destination.COUNCIL,
    "议事会": IntakeRow.Destination.COUNCIL,
    "民生议事会": IntakeRow.Destination.COUNCIL,
    "不导入": IntakeRow.Destination.SKIP,
    "跳过": IntakeRow.Destination.SKIP,
}


# --- Scope --------------------------------------------------------------------------------------


def is_desk(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.has_role(*HOTLINE_ROLES))


def own_councils(user: User) -> list[Council]:
    """The councils a township's own staff run (administrators: every council)."""
    if not user.is_authenticated or not user.is_active:
        return []
    return [c for c in council_selectors.councils_for(user) if council_selectors.can_run(user, c)]


def county() -> Division | None:
    code = str(settings.MINSHENG_COUNTY_CODE)
    return Division.objects.filter(code=code).first()


def areas_for(user: User) -> list[Division]:
    """The areas the user may upload for: the county and its townships (the desk), or the
    townships whose council the user runs."""
    if is_desk(user):
        home = county()
        if home is None:
            return []
        townships = Division.objects.filter(parent=home).order_by("code")
        return [home, *townships]
    return [c.division for c in own_councils(user)]


def may_use(user: User) -> bool:
    return is_desk(user) or bool(own_councils(user))


def batches_for(user: User) -> QuerySet[IntakeBatch]:
    batches = IntakeBatch.objects.select_related("area", "created_by")
    if is_desk(user):
        return batches
    codes = [c.division_id for c in own_councils(user)]
    return batches.filter(area_id__in=codes)


def batch_for(user: User, pk: int) -> IntakeBatch | None:
    return batches_for(user).filter(pk=pk).first()


def in_area(area: Division, code: str) -> bool:
    return code.startswith(area.short_code)


def township_of(code: str) -> str:
    """The 12-digit township code of a township or village code ('' above)."""
    if len(code) != 12 or code[6:9] == "000":
        return ""
    return code[:9] + "000"


# --- The template ------------------------------------------------------------------------------


def template_bytes() -> bytes:
    """The Excel template: the header row and two example rows."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SHEET
    append_row(sheet, [name for name, _required in COLUMNS])
    append_row(
        sheet,
        [1, "孙口村", "村东头道路坑洼，雨天积水，建议硬化。", "张某某", "", "", "转工单"],
    )
    append_row(
        sheet, [2, "孙码头村", "建议在村委会旁增设健身器材。", "李某某", "", "", "提交议事会"]
    )
    for column, width in zip("ABCDEFG", (6, 16, 60, 10, 14, 20, 12), strict=True):
        sheet.column_dimensions[column].width = width
    notes = book.create_sheet("填写说明")
    for line in (
        "第 1 行为表头，请勿修改；从第 2 行起每行一条意见建议。",
        "“意见建议内容”必填，不超过 2000 字；“村（社区）/地点”填村名或地点，系统自动匹配到村。",
        "“联系电话”“分类”“处理方式”可不填；处理方式填“转工单”或“提交议事会”。",
        f"每个文件不超过 {MAX_ROWS} 行、5 MB。上传后先预览，确认后才会生成工单或意见建议。",
    ):
        append_row(notes, [line])
    notes.column_dimensions["A"].width = 100
    return workbook_bytes(book)


# --- Reading a file ----------------------------------------------------------------------------


@dataclass
class RawRow:
    number: int
    values: dict[str, str]


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _norm_header(value: Any) -> str:
    text = unicodedata.normalize("NFKC", _cell_text(value))
    return re.sub(r"[\s()（）/、\\*＊]", "", text)


def read_rows(content: bytes) -> list[RawRow]:
    """The data rows of an uploaded file (empty rows left out), each with its Excel row number;
    InvalidInput with a Chinese message when the file is not one we can read."""
    if len(content) > MAX_BYTES:
        raise InvalidInput(_("文件不能超过 5 MB，请分成几个文件上传。"), field="file")
    if not content.startswith(b"PK\x03\x04"):
        raise InvalidInput(
            _("请上传 Excel 文件（.xlsx，用本页提供的模板填写）；不支持 .xls、.csv 等格式。"),
            field="file",
        )
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        raise InvalidInput(
            _("无法读取这个 Excel 文件，请用本页提供的模板填写。"), field="file"
        ) from None
    try:
        sheet = book[SHEET] if SHEET in book.sheetnames else book.worksheets[0]
        iterator = sheet.iter_rows(max_col=12, values_only=True)
        header = next(iterator, None)
        columns: dict[str, int] = {}
        for index, value in enumerate(header or ()):
            key = ALIASES.get(_norm_header(value))
            if key and key not in columns:
                columns[key] = index
        if "text" not in columns or "place" not in columns:
            raise InvalidInput(
                _(
                    "这不是意见建议导入模板：第 1 行应为表头（%(header)s），"
                    "至少要有“村（社区）/地点”和“意见建议内容”两列。请下载模板后填写。"
                )
                % {"header": "、".join(name for name, _required in COLUMNS)},
                field="file",
            )
        rows: list[RawRow] = []
        for number, values in enumerate(iterator, start=2):
            cells = {
                key: _cell_text(values[i]) if i < len(values) else "" for key, i in columns.items()
            }
            if not any(v for k, v in cells.items() if k != "seq"):
                continue
            if len(rows) >= MAX_ROWS:
                raise InvalidInput(
                    _("一个文件最多 %(n)s 行意见建议，请分成几个文件上传。") % {"n": MAX_ROWS},
                    field="file",
                )
            rows.append(RawRow(number, cells))
    # SyntaxError: the XML parser's ParseError, met while iterating a damaged sheet's rows.
    except (KeyError, ValueError, IndexError, zipfile.BadZipFile, OSError, SyntaxError, EOFError):
        raise InvalidInput(
            _("无法读取这个 Excel 文件，请用本页提供的模板填写。"), field="file"
        ) from None
    finally:
        book.close()
    if not rows:
        raise InvalidInput(_("文件中没有意见建议（第 2 行起为数据）。"), field="file")
    return rows


# --- Checking the rows -------------------------------------------------------------------------


def normalise(text: str) -> str:
    """What makes two rows the same: full-width folded, spaces and punctuation ignored."""
    folded = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in folded if ch.isalnum())


def fingerprint(text: str, place: str, contributor: str) -> str:
    key = "\x1f".join(normalise(v) for v in (text, place, contributor))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def reference(fingerprint_: str) -> str:
    return f"import:{fingerprint_}"


def leaf_categories() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True, children__isnull=True).order_by("full_name")


def _category_by_name(name: str, leaves: dict[str, Category]) -> Category | None:
    found = leaves.get(name)
    if found is not None:
        return found
    ends = [c for full, c in leaves.items() if full.rsplit("/", 1)[-1] == name]
    return ends[0] if len(ends) == 1 else None


@dataclass
class Checked:
    """A row as it will be stored in the preview."""

    number: int
    text: str
    place: str
    contributor: str
    phone: str
    fingerprint: str
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    village: Division | None = None
    category: Category | None = None
    destination: str = IntakeRow.Destination.TICKET
    duplicates: list[dict[str, Any]] = field(default_factory=list)
    same_as: int | None = None
    already: IntakeRecord | None = None


def _place(
    names: Gazetteer, area: Division, place: str, text: str, divisions: dict[str, Division]
) -> tuple[Division | None, str, str]:
    """(division, error, note) for a row: the place column first, else the text."""
    source = place or text
    result = names.match(source, limit=5)
    inside = [c for c in result.candidates if in_area(area, c.code)]
    best = result.best
    chosen = None
    if best is not None and in_area(area, best.code):
        chosen = best
    elif inside and (best is None or place):
        chosen = inside[0]
    if chosen is not None:
        division = divisions.get(chosen.code)
        if division is None:
            return None, "", _("未能识别村（社区），请选择。")
        note = "" if place else _("地点由内容识别，请核对。")
        if division.level < Division.Level.VILLAGE and area.code != division.code:
            note = _("只识别到乡镇，请选择村（社区）。")
        return division, "", note
    if best is not None and place:
        return (
            None,
            _("地点“%(place)s”不在%(area)s范围内。") % {"place": place[:30], "area": area.name},
            "",
        )
    return None, "", _("未能识别村（社区），请选择。")


def check_rows(
    rows: Sequence[RawRow],
    *,
    area: Division,
    actor: User,
    council_only: bool,
    default_destination: str,
) -> list[Checked]:
    """Every row read, checked and matched; no writes. A row with errors will not be imported;
    notes are for the user's eyes (place guessed, similar rows, duplicates)."""
    divisions = {
        d.code: d for d in Division.objects.filter(area.subtree_filter()).select_related("parent")
    }
    leaves = {c.full_name: c for c in leaf_categories()}
    names = gazetteer()
    councils = set(
        Council.objects.filter(division__code__startswith=area.short_code).values_list(
            "division_id", flat=True
        )
    )
    checked: list[Checked] = []
    for raw in rows:
        v = raw.values
        text = v.get("text", "")
        place = v.get("place", "")[:MAX_PLACE]
        contributor = v.get("contributor", "")
        row = Checked(
            number=raw.number,
            text=text[: MAX_TEXT * 2],
            place=place,
            contributor=contributor[:MAX_CONTRIBUTOR],
            phone="",
            fingerprint=fingerprint(text, place, contributor),
        )
        if not text:
            row.errors.append(_("意见建议内容为空。"))
        elif len(text) > MAX_TEXT:
            row.errors.append(_("意见建议内容超过 %(n)s 字。") % {"n": MAX_TEXT})
        if len(contributor) > MAX_CONTRIBUTOR:
            row.errors.append(_("提出人超过 %(n)s 字。") % {"n": MAX_CONTRIBUTOR})
        phone = v.get("phone", "")
        if phone:
            normal = normalize_phone(phone)
            if normal is None:
                row.errors.append(_("联系电话格式不正确。"))
            else:
                row.phone = normal
        division, error, note = (
            _place(names, area, place, text, divisions) if text else (None, "", "")
        )
        if error:
            row.errors.append(error)
        if note:
            row.notes.append(note)
        row.village = division
        word = v.get("destination", "")
        destination = default_destination
        if word:
            found = DESTINATION_WORDS.get(normalise(word))
            if found is None:
                row.errors.append(_("处理方式只能填“转工单”或“提交议事会”。"))
            else:
                destination = found
        if council_only and destination == IntakeRow.Destination.TICKET:
            destination = IntakeRow.Destination.COUNCIL
            if word:
                row.notes.append(_("本乡镇导入只能提交议事会。"))
        if destination == IntakeRow.Destination.COUNCIL and not council_only:
            township = township_of(division.code if division else area.code)
            if township not in councils:
                destination = IntakeRow.Destination.TICKET
                row.notes.append(_("该乡镇未设立民生议事会（或未识别村），已改为转工单。"))
        row.destination = destination
        name = v.get("category", "")
        if name:
            row.category = _category_by_name(name, leaves)
            if row.category is None:
                row.notes.append(_("分类“%(name)s”不存在，已按内容建议。") % {"name": name[:30]})
        checked.append(row)
    _suggest_categories([r for r in checked if r.category is None and r.text and not r.errors])
    _find_duplicates(checked, actor=actor)
    for row in checked:
        if row.errors:
            row.destination = IntakeRow.Destination.SKIP
    return checked


def _suggest_categories(rows: Sequence[Checked]) -> None:
    triages = suggest_many([(r.text[:MAX_TEXT], "", r.village) for r in rows], k=1)
    for row, triage in zip(rows, triages, strict=True):
        best = triage.best
        if best is not None:
            row.category = best.leaf or best.category


def _alike_row(
    vector: Vector, postings: dict[str, list[int]], vectors: dict[int, Vector]
) -> int | None:
    """The earlier row of the file most like this one (cosine ≥ SIMILAR_ROW_SCORE), among the
    `ROW_CANDIDATES` rows sharing the most signature terms with it (as the duplicate index
    ranks its candidates)."""
    hits = Counter(chain.from_iterable(postings.get(t, ()) for t in signature(vector, QUERY_TERMS)))
    best, best_score = None, SIMILAR_ROW_SCORE
    for number, _count in hits.most_common(ROW_CANDIDATES):
        score = cosine(vector, vectors[number])
        if score >= best_score:
            best, best_score = number, score
    return best


def _find_duplicates(rows: Sequence[Checked], *, actor: User) -> None:
    """Rows already imported, the same row twice in the file, alike rows, open tickets."""
    records = {
        r.fingerprint: r
        for r in IntakeRecord.objects.filter(
            fingerprint__in=[row.fingerprint for row in rows]
        ).select_related("ticket", "suggestion")
    }
    seen: dict[str, int] = {}
    postings: dict[str, list[int]] = {}  # signature term → earlier rows (their numbers)
    vectors: dict[int, Vector] = {}
    looked: list[tuple[Checked, Vector]] = []
    for row in rows:
        if not row.text or row.errors:
            continue
        record = records.get(row.fingerprint)
        if record is not None:
            row.already = record
            row.destination = IntakeRow.Destination.SKIP
            continue
        if row.fingerprint in seen:
            row.same_as = seen[row.fingerprint]
            row.destination = IntakeRow.Destination.SKIP
            row.notes.append(_("与第 %(n)s 行重复，不再导入。") % {"n": row.same_as})
            continue
        seen[row.fingerprint] = row.number
        vector = text_vector(row.text[:MAX_TEXT])
        alike = _alike_row(vector, postings, vectors)
        if alike is not None:
            row.notes.append(_("与第 %(n)s 行内容相似。") % {"n": alike})
        vectors[row.number] = vector
        for term in signature(vector):
            postings.setdefault(term, []).append(row.number)
        looked.append((row, vector))
    found = similar_open_tickets_many(
        [(vector, row.village) for row, vector in looked], user=actor, limit=DUPLICATE_LIMIT
    )
    for (row, _vector), similar in zip(looked, found, strict=True):
        row.duplicates = [
            {"id": s.ticket.pk, "number": s.ticket.number, "score": s.score} for s in similar
        ]


# --- The preview --------------------------------------------------------------------------------

FILTERS = ("all", "errors", "attention", "duplicates", "already")


def filtered_rows(batch: IntakeBatch, which: str) -> QuerySet[IntakeRow]:
    rows = batch.rows.select_related("village__parent", "category", "ticket", "suggestion")
    if which == "errors":
        return rows.filter(bad=True)
    if which == "attention":
        return rows.filter(bad=False, attention=True)
    if which == "duplicates":
        return rows.filter(duplicate=True)
    if which == "already":
        return rows.filter(outcome=IntakeRow.Outcome.ALREADY)
    return rows


@dataclass(frozen=True)
class Summary:
    rows: int
    errors: int
    already: int
    duplicates: int
    tickets: int
    council: int
    skipped: int


def summary(batch: IntakeBatch) -> Summary:
    """The preview's counts, in one query."""
    counts = batch.rows.aggregate(
        rows=Count("id"),
        errors=Count("id", filter=Q(bad=True)),
        already=Count("id", filter=Q(outcome=IntakeRow.Outcome.ALREADY)),
        duplicates=Count("id", filter=Q(duplicate=True)),
        tickets=Count(
            "id", filter=Q(bad=False, outcome="", destination=IntakeRow.Destination.TICKET)
        ),
        council=Count(
            "id", filter=Q(bad=False, outcome="", destination=IntakeRow.Destination.COUNCIL)
        ),
    )
    skipped = counts["rows"] - counts["tickets"] - counts["council"]
    return Summary(skipped=skipped, **counts)


def place_label(division: Division) -> str:
    if division.level >= Division.Level.VILLAGE and division.parent is not None:
        return f"{division.parent.name} · {division.name}"
    return division.name


def place_choices(area: Division) -> list[tuple[str, str]]:
    """(label, code) of the area's townships and villages, for the preview's list."""
    rows = Division.objects.filter(area.subtree_filter(), level__gte=Division.Level.TOWNSHIP)
    return [(place_label(d), d.code) for d in rows.select_related("parent").order_by("code")]
