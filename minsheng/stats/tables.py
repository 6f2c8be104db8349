"""Tables of figures as the pages, the Excel exports and `manage.py rates` show them.

A `Table` is built once from query rows; the template renders it (every figure a link to the
tickets behind it), `exports.workbook()` writes it, the command prints it — the same numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minsheng.org.models import Division
from minsheng.stats import query
from minsheng.stats.figures import Figures
from minsheng.stats.measures import StrOrPromise
from minsheng.stats.query import Filters, Row

Value = int | Decimal | None


@dataclass(frozen=True)
class Column:
    key: str
    label: StrOrPromise
    value: Callable[[Figures], Value]
    drill: str | None = None  # the measure whose tickets the figure links to
    unit: str = ""  # "%" for rates, "h" for hours


def _count(name: str) -> Callable[[Figures], Value]:
    return lambda f: f[name]


COLUMNS: dict[str, Column] = {
    c.key: c
    for c in (
        Column("received", gettext_lazy("受理量"), _count("received"), "received"),
        Column("resp_due", gettext_lazy("应响应"), _count("resp_due"), "resp_due"),
        Column("resp_late", gettext_lazy("未按时响应"), lambda f: f.resp_late, "resp_late"),
        Column("response_rate", gettext_lazy("响应率"), lambda f: f.response_rate, "resp_due", "%"),
        Column("cb_reached", gettext_lazy("回访成功"), _count("cb_reached"), "cb_reached"),
        Column(
            "resolution_rate",
            gettext_lazy("解决率"),
            lambda f: f.resolution_rate,
            "cb_reached",
            "%",
        ),
        Column(
            "satisfaction_rate",
            gettext_lazy("满意率"),
            lambda f: f.satisfaction_rate,
            "cb_reached",
            "%",
        ),
        Column(
            "cb_unsatisfied", gettext_lazy("不满意"), lambda f: f.cb_unsatisfied, "cb_unsatisfied"
        ),
        Column("composite", gettext_lazy("综合得分"), lambda f: f.composite, None),
        Column("reply_due", gettext_lazy("应答复"), _count("reply_due"), "reply_due"),
        Column("reply_rate", gettext_lazy("按时答复率"), lambda f: f.reply_rate, "reply_due", "%"),
        Column("reply_late", gettext_lazy("超时答复"), lambda f: f.reply_late, "reply_late"),
        Column("closed", gettext_lazy("办结量"), _count("closed"), "closed"),
        Column("resolved", gettext_lazy("解决量"), _count("resolved"), "resolved"),
        Column(
            "avg_handling_hours",
            gettext_lazy("平均办理时长（工作小时）"),
            lambda f: f.avg_handling_hours,
            "handle_n",
            "h",
        ),
        Column("returns", gettext_lazy("退单"), _count("returns"), "returns"),
        Column("reopens", gettext_lazy("重办"), _count("reopens"), "reopens"),
        Column("consult", gettext_lazy("咨询量"), _count("consult"), "consult"),
        Column("direct_rate", gettext_lazy("首呼解决率"), lambda f: f.direct_rate, "consult", "%"),
        Column("merged", gettext_lazy("并单"), _count("merged"), "merged"),
        Column("transferred", gettext_lazy("转警情"), _count("transferred"), "transferred"),
        Column("part", gettext_lazy("参与解决"), _count("part"), "part"),
        Column("share", gettext_lazy("参与占比"), lambda f: f.share, "part", "%"),
    )
}

RANKING = (
    "received",
    "resp_due",
    "response_rate",
    "cb_reached",
    "resolution_rate",
    "satisfaction_rate",
    "composite",
    "reply_rate",
    "closed",
    "resolved",
    "avg_handling_hours",
    "returns",
    "reopens",
    "part",
    "share",
)
OVERVIEW = (
    "received",
    "response_rate",
    "resolution_rate",
    "satisfaction_rate",
    "composite",
    "reply_rate",
    "closed",
    "resolved",
    "avg_handling_hours",
    "returns",
    "reopens",
    "consult",
    "direct_rate",
    "merged",
    "transferred",
)
SERIES = (
    "received",
    "response_rate",
    "resolution_rate",
    "satisfaction_rate",
    "composite",
    "closed",
    "returns",
    "reopens",
)
BREAKDOWN = (
    "received",
    "response_rate",
    "resolution_rate",
    "satisfaction_rate",
    "composite",
    "reply_rate",
    "resolved",
    "part",
    "share",
)


def fmt(value: Value, unit: str = "") -> str:
    if value is None:
        return "—"
    if unit == "%":
        return f"{value}%"
    return str(value)


def drill_url(filters: Filters, extra: dict[str, str], measure: str) -> str:
    params = {**filters.params(), **extra, "m": measure}
    return reverse("stats:tickets") + "?" + urlencode(params)


@dataclass
class TableCell:
    text: str
    value: Value
    url: str = ""


@dataclass
class TableRow:
    label: str
    cells: list[TableCell]
    url: str = ""  # this row's own page (a unit's ranking of its children, a township's villages)
    total: bool = False
    figures: Figures = field(default_factory=Figures)


@dataclass
class Table:
    title: str
    head: str  # first column's heading
    columns: list[Column]
    rows: list[TableRow]
    name: str = ""

    def header(self) -> list[str]:
        return [
            self.head,
            *[str(c.label) + ("（%）" if c.unit == "%" else "") for c in self.columns],
        ]

    def values(self) -> list[list[object]]:
        return [[r.label, *[c.value for c in r.cells]] for r in self.rows]


def build(
    title: str,
    head: str,
    rows: Sequence[Row],
    filters: Filters,
    columns: Sequence[str] = RANKING,
    *,
    total: Row | None = None,
    row_url: Callable[[Row], str] | None = None,
    name: str = "",
    drill: bool = True,
) -> Table:
    cols = [COLUMNS[k] for k in columns]

    def make(row: Row, is_total: bool) -> TableRow:
        cells = []
        for c in cols:
            value = c.value(row.figures)
            url = (
                drill_url(filters, row.params, c.drill)
                if drill and c.drill and value is not None
                else ""
            )
            cells.append(TableCell(fmt(value, c.unit), value, url))
        return TableRow(
            row.label, cells, row_url(row) if row_url and row.params else "", is_total, row.figures
        )

    out = [make(r, False) for r in rows]
    if total is not None:
        out.append(make(total, True))
    return Table(title, head, cols, out, name)


# --- the tables the pages and `manage.py rates` share ----------------------------------------

RowUrl = Callable[[Row], str] | None
CHOICE_COLUMNS = (*BREAKDOWN[:-2], "consult", "direct_rate")


def unit_ranking(f: Filters, total: Figures, row_url: RowUrl = None) -> Table:
    """The scope's children ranked by composite, its own remainder, and its total."""
    rows, own = query.by_unit(f, total)
    scope = f.unit.name if f.unit else _("全部")
    return build(
        _("单位排名"),
        _("单位"),
        ranked(rows) + ([own] if own else []),
        f,
        total=Row("", _("合计（%(scope)s）") % {"scope": scope}, total),
        row_url=row_url,
        name="units",
    )


def area_ranking(f: Filters, total: Figures, row_url: RowUrl = None) -> Table:
    """Townships, or the villages of the filtered township."""
    villages = is_village_table(f)
    rows = query.by_village(f, total) if villages else query.by_township(f, total)
    head = area_head(f)
    return build(
        _("%(head)s排名") % {"head": head},
        head,
        rows,
        f,
        BREAKDOWN,
        total=Row("", _("合计"), total),
        row_url=None if villages else row_url,
        name="areas",
    )


def is_village_table(f: Filters) -> bool:
    return f.division is not None and f.division.level >= Division.Level.TOWNSHIP


def area_head(f: Filters) -> str:
    return _("村（社区）") if is_village_table(f) else _("乡镇（街道）")


def category_breakdown(f: Filters, total: Figures, row_url: RowUrl = None) -> Table:
    return build(
        _("诉求分类"),
        _("分类"),
        query.by_category(f, total),
        f,
        BREAKDOWN,
        total=Row("", _("合计"), total),
        row_url=row_url,
        name="categories",
    )


def choice_breakdown(f: Filters, field: str, total: Figures, row_url: RowUrl = None) -> Table:
    """By channel (诉求渠道) or kind (诉求类型)."""
    title, head = (_("诉求渠道"), _("渠道")) if field == "channel" else (_("诉求类型"), _("类型"))
    return build(
        title,
        head,
        query.by_choice(f, field, total),
        f,
        CHOICE_COLUMNS,
        total=Row("", _("合计"), total),
        row_url=row_url,
        name=field,
    )


def ranked(rows: list[Row]) -> list[Row]:
    """Best composite first; units with nothing to score after, by volume."""
    return sorted(
        rows,
        key=lambda r: (
            r.figures.composite is None,
            -(r.figures.composite or 0),
            -r.figures["received"],
            r.label,
        ),
    )


def text(table: Table) -> str:
    """A plain-text table for the terminal (CJK characters count two columns)."""
    grid = [table.header(), *[[r.label, *[c.text for c in r.cells]] for r in table.rows]]
    widths = [max(_width(row[i]) for row in grid) for i in range(len(grid[0]))]
    lines = []
    for n, row in enumerate(grid):
        cells = [
            cell + " " * (widths[i] - _width(cell))
            if i == 0
            else " " * (widths[i] - _width(cell)) + cell
            for i, cell in enumerate(row)
        ]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _width(s: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in s)
