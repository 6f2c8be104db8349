"""Reading the rollups: the one computation behind the pages, the exports and `manage.py rates`.

Which cube answers (models.py):
- only unit and period asked → `UnitDay` (counts already rolled up to every ancestor): a scope's
  figures are the rows of one unit id, a ranking the rows of its children's ids;
- any of division, category, channel or kind asked, or a grouping by them → `Cell`: attributed
  counts are summed over the scope's subtree (`unit_id IN (subtree)`), participation is read at
  the scope's own unit id.
Every function here is a handful of queries, whatever the number of rows it groups.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from django.db.models import Q, QuerySet, Subquery, Sum
from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from minsheng.org.models import Division, Unit
from minsheng.stats.figures import Figures
from minsheng.stats.measures import LEAD_MEASURES, NAMES
from minsheng.stats.models import Cell, UnitDay
from minsheng.stats.periods import Period, bucket, bucket_label, buckets
from minsheng.tickets.models import Category, Channel, Kind

TOWNSHIP_DIGITS = 9


@dataclass(frozen=True)
class Filters:
    period: Period
    unit: Unit | None = None  # the scope: this unit and its subtree; None = everything
    division: Division | None = None  # county, township or village: the place and below
    category: Category | None = None  # this category and below
    channel: str = ""
    kind: str = ""

    @property
    def start(self) -> dt.date:
        return self.period.start

    @property
    def end(self) -> dt.date:
        return self.period.end

    @property
    def fine(self) -> bool:
        return bool(self.division or self.category or self.channel or self.kind)

    def with_period(self, period: Period) -> Filters:
        return replace(self, period=period)

    def params(self) -> dict[str, str]:
        """The query string that reproduces these filters (pages, drill-downs, exports)."""
        out = {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "period": self.period.kind,
        }
        if self.unit:
            out["unit"] = self.unit.code
        if self.division:
            out["division"] = self.division.code
        if self.category:
            out["category"] = str(self.category.pk)
        if self.channel:
            out["channel"] = self.channel
        if self.kind:
            out["kind"] = self.kind
        return out

    def describe(self) -> str:
        parts = [self.period.label]
        if self.unit:
            parts.append(self.unit.name)
        if self.division:
            parts.append(self.division.name)
        if self.category:
            parts.append(self.category.full_name)
        if self.channel:
            parts.append(str(Channel(self.channel).label))
        if self.kind:
            parts.append(str(Kind(self.kind).label))
        return " · ".join(parts)


@dataclass
class Row:
    key: str
    label: str
    figures: Figures
    params: dict[str, str] = field(default_factory=dict)  # filters that narrow to this row
    note: str = ""


# --- building blocks ---------------------------------------------------------------------------


def _sums(names: Iterable[str] = NAMES) -> dict[str, Sum]:
    return {n: Sum(n) for n in names}


def _subtree_ids(unit: Unit) -> QuerySet[Unit, Any]:
    return Unit.objects.filter(path__startswith=unit.path).values("id")


def category_ids(category: Category) -> list[int]:
    """The category and all below it (the tree is small: one query)."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent in Category.objects.values_list("id", "parent_id"):
        children[parent].append(pk)
    out, todo = [], [category.pk]
    while todo:
        pk = todo.pop()
        out.append(pk)
        todo.extend(children.get(pk, ()))
    return out


def _cells(f: Filters) -> QuerySet[Cell]:
    qs = Cell.objects.filter(day__gte=f.start, day__lte=f.end)
    if f.division:
        qs = qs.filter(division__startswith=f.division.short_code)
    if f.category:
        qs = qs.filter(category_id__in=category_ids(f.category))
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.unit:
        qs = qs.filter(unit_id__in=Subquery(_subtree_ids(f.unit)))
    return qs


def _cell_sums(f: Filters) -> dict[str, Any]:
    """Attributed counts summed over the scope; `part` read at the scope's own unit. Without
    a scope every resolved ticket is one everybody took part in: `_with_part` copies it."""
    sums: dict[str, Any] = _sums(LEAD_MEASURES)
    if f.unit:
        sums["part"] = Sum("part", filter=Q(unit_id=f.unit.pk))
    return sums


def _with_part(row: dict[str, Any], f: Filters) -> dict[str, Any]:
    if not f.unit:
        row["part"] = row.get("resolved") or 0
    return row


def _unit_days(f: Filters) -> QuerySet[UnitDay]:
    return UnitDay.objects.filter(day__gte=f.start, day__lte=f.end)


# --- figures of one scope ----------------------------------------------------------------------


def totals(f: Filters) -> Figures:
    if f.fine:
        return Figures.of(_with_part(_cells(f).aggregate(**_cell_sums(f)), f))
    unit_id = f.unit.pk if f.unit else 0
    return Figures.of(_unit_days(f).filter(unit_id=unit_id).aggregate(**_sums()))


def totals_with_previous(f: Filters) -> tuple[Figures, Figures, Figures]:
    """This period, the one before, and the same period a year earlier."""
    return (
        totals(f),
        totals(f.with_period(f.period.previous())),
        totals(f.with_period(f.period.shifted_years(-1))),
    )


# --- rankings and breakdowns -------------------------------------------------------------------


def ranked_units(scope: Unit | None) -> list[Unit]:
    """The units ranked under a scope: its children, or the top-level units for everything."""
    units = Unit.objects.exclude(kind=Unit.Kind.HOTLINE)
    units = units.filter(parent=scope) if scope else units.filter(parent__isnull=True)
    return list(units.order_by("path"))


def by_unit(f: Filters, base: Figures | None = None) -> tuple[list[Row], Row | None]:
    """Each child of the scope with its subtree's figures, and the scope's own remainder
    (本级: counts attributed to the scope unit itself, or for everything to no unit)."""
    base = base or totals(f)
    children = ranked_units(f.unit)
    figures: dict[int, Figures] = {}
    if not f.fine:
        rows = (
            _unit_days(f)
            .filter(unit_id__in=[u.pk for u in children])
            .values("unit_id")
            .annotate(**_sums())
            .order_by()
        )
        figures = {r["unit_id"]: Figures.of(r, base["part"]) for r in rows}
    else:
        figures = _fine_by_child(f, children, base["part"])
    out = [
        Row(u.code, u.name, figures.get(u.pk) or Figures(part_base=base["part"]), {"unit": u.code})
        for u in children
    ]
    rest = Figures(
        {n: base[n] - sum(r.figures[n] for r in out) for n in LEAD_MEASURES}, base["part"]
    )
    own = None
    if not rest.empty:
        label = (
            _("%(unit)s（本级）") % {"unit": f.unit.name} if f.unit else _("热线直接办理及未派单")
        )
        own = Row(f.unit.code if f.unit else "", label, rest, {})
    return out, own


def _fine_by_child(f: Filters, children: list[Unit], part_base: int) -> dict[int, Figures]:
    """Cell rows grouped by unit, then folded into the child of the scope each unit is under."""
    child_by_id = {u.pk: u for u in children}
    scope_units = (
        Unit.objects.filter(path__startswith=f.unit.path) if f.unit else Unit.objects.all()
    )
    owner: dict[int, int] = {}
    by_path = {u.path: u.pk for u in children}
    for pk, path in scope_units.values_list("id", "path"):
        for child_path, child_id in by_path.items():
            if path.startswith(child_path):
                owner[pk] = child_id
                break
    sums: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(NAMES, 0))
    rows = _cells(f).values("unit_id").annotate(**_sums()).order_by()
    for r in rows:
        child = owner.get(r["unit_id"])
        if child is None:
            continue
        target = sums[child]
        for n in LEAD_MEASURES:
            target[n] += r[n] or 0
        if r["unit_id"] in child_by_id:
            target["part"] = r["part"] or 0
    return {pk: Figures.of(counts, part_base) for pk, counts in sums.items()}


def _grouped(f: Filters, *group: str, **annotations: Any) -> list[dict[str, Any]]:
    qs = _cells(f)
    if annotations:
        qs = qs.annotate(**annotations)
    return [_with_part(r, f) for r in qs.values(*group).annotate(**_cell_sums(f)).order_by()]


def _fold(rows: Iterable[Mapping[str, Any]], key: str, part_base: int) -> dict[Any, Figures]:
    out: dict[Any, Figures] = {}
    for r in rows:
        figures = Figures.of(r, part_base)
        out[r[key]] = out[r[key]] + figures if r[key] in out else figures
    return out


def by_township(f: Filters, base: Figures | None = None) -> list[Row]:
    base = base or totals(f)
    grouped = _fold(_grouped(f, "t", t=Substr("division", 1, TOWNSHIP_DIGITS)), "t", base["part"])
    names = _division_names(t.ljust(12, "0") for t in grouped if t)
    rows = []
    for t, figures in grouped.items():
        code = t.ljust(12, "0") if t else ""
        label = names.get(code, _("未填写地点") if not t else f"（{code}）")
        rows.append(Row(code, label, figures, {"division": code} if code else {}))
    return sorted(rows, key=lambda r: r.key or "~")


def by_village(f: Filters, base: Figures | None = None) -> list[Row]:
    """Each division under the filtered place (villages under a township)."""
    base = base or totals(f)
    grouped = _fold(_grouped(f, "division"), "division", base["part"])
    names = _division_names(c for c in grouped if c)
    rows = [
        Row(
            code,
            names.get(code, code or _("未填写地点")),
            figures,
            {"division": code} if code else {},
        )
        for code, figures in grouped.items()
    ]
    return sorted(rows, key=lambda r: r.key or "~")


def _division_names(codes: Iterable[str]) -> dict[str, str]:
    return dict(Division.objects.filter(code__in=list(codes)).values_list("code", "name"))


def _category_owner(parent: Category | None) -> tuple[dict[int, int], dict[int, Category]]:
    """Each category id → the child of `parent` (or top-level category) it falls under."""
    nodes = {c.pk: c for c in Category.objects.all()}
    heads = {pk: c for pk, c in nodes.items() if c.parent_id == (parent.pk if parent else None)}
    owner: dict[int, int] = {}
    for pk, node in nodes.items():
        current: Category | None = node
        while current is not None and current.pk not in heads:
            current = nodes.get(current.parent_id) if current.parent_id else None
        if current is not None:
            owner[pk] = current.pk
    return owner, heads


def by_category(f: Filters, base: Figures | None = None) -> list[Row]:
    """Each child of the filtered category (top-level categories when none is filtered)."""
    base = base or totals(f)
    owner, heads = _category_owner(f.category)
    grouped: dict[int, Figures] = {}
    for cat, figures in _fold(_grouped(f, "category_id"), "category_id", base["part"]).items():
        head = owner.get(cat, 0)
        if f.category and cat == f.category.pk:
            head = cat  # tickets filed under the node itself, not a child
        grouped[head] = grouped[head] + figures if head in grouped else figures
    rows = []
    for head, figures in grouped.items():
        node = heads.get(head) or (f.category if f.category and head == f.category.pk else None)
        label = (
            (_("%(name)s（本级）") % {"name": node.name} if node is f.category else node.name)
            if node
            else _("未分类")
        )
        rows.append(Row(str(head), label, figures, {"category": str(head)} if node else {}))
    return sorted(rows, key=lambda r: -r.figures["received"])


def by_choice(f: Filters, field_name: str, base: Figures | None = None) -> list[Row]:
    """By channel or kind (诉求渠道 / 诉求类型)."""
    base = base or totals(f)
    choices = dict(Channel.choices if field_name == "channel" else Kind.choices)
    grouped = _fold(_grouped(f, field_name), field_name, base["part"])
    return [
        Row(value, str(choices.get(value, value)), grouped[value], {field_name: value})
        for value in choices
        if value in grouped
    ]


def heat(f: Filters, *, villages: bool) -> tuple[list[Row], list[Row], dict[tuple[str, str], int]]:
    """Places × top-level categories, counting tickets received (the heat table)."""
    owner, heads = _category_owner(None)
    place = "division" if villages else "t"
    annotations = {} if villages else {"t": Substr("division", 1, TOWNSHIP_DIGITS)}
    qs = _cells(f)
    if annotations:
        qs = qs.annotate(**annotations)
    rows = qs.values(place, "category_id").annotate(n=Sum("received")).order_by()
    matrix: dict[tuple[str, str], int] = defaultdict(int)
    places: set[str] = set()
    used: set[int] = set()
    for r in rows:
        if not r["n"]:
            continue
        code = (r[place] or "").ljust(12, "0") if r[place] else ""
        head = owner.get(r["category_id"], 0)
        matrix[(code, str(head))] += r["n"]
        places.add(code)
        used.add(head)
    names = _division_names(c for c in places if c)
    place_rows = sorted(
        (
            Row(c, names.get(c, c or _("未填写地点")), Figures(), {"division": c} if c else {})
            for c in places
        ),
        key=lambda r: r.key or "~",
    )
    columns = [
        Row(
            str(pk),
            heads[pk].name if pk in heads else _("未分类"),
            Figures(),
            {"category": str(pk)} if pk in heads else {},
        )
        for pk in sorted(used, key=lambda pk: (pk == 0, heads[pk].full_name if pk in heads else ""))
    ]
    return place_rows, columns, dict(matrix)


# --- over time ---------------------------------------------------------------------------------


def series(f: Filters, grain: str) -> list[Row]:
    """The figures of each day, week or month of the period."""
    if f.fine:
        rows = _grouped(f, "day")
        part_base = 0
    else:
        unit_id = f.unit.pk if f.unit else 0
        rows = list(
            _unit_days(f).filter(unit_id=unit_id).values("day").annotate(**_sums()).order_by()
        )
        part_base = 0
    grouped: dict[dt.date, Figures] = {}
    for r in rows:
        key = bucket(r["day"], grain)
        figures = Figures.of(r, part_base)
        grouped[key] = grouped[key] + figures if key in grouped else figures
    out = []
    for start in buckets(f.start, f.end, grain):
        end = _bucket_end(start, grain, f.end)
        figures = grouped.get(start) or Figures()
        figures.part_base = figures["part"]
        out.append(
            Row(
                start.isoformat(),
                bucket_label(start, grain),
                figures,
                {
                    "from": max(start, f.start).isoformat(),
                    "to": end.isoformat(),
                    "period": "custom",
                },
            )
        )
    return out


def _bucket_end(start: dt.date, grain: str, limit: dt.date) -> dt.date:
    from minsheng.stats.periods import add_months

    if grain == "month":
        end = add_months(start, 1) - dt.timedelta(days=1)
    elif grain == "week":
        end = start + dt.timedelta(days=6)
    else:
        end = start
    return min(end, limit)


def overdue_units(f: Filters, limit: int = 10) -> list[Row]:
    """The units that were late themselves (replies and responses past their deadline, as the
    lead unit) in the period, worst first."""
    rows = (
        _cells(f).exclude(unit_id=0).values("unit_id").annotate(**_sums(LEAD_MEASURES)).order_by()
    )
    late = {
        r["unit_id"]: Figures.of(r)
        for r in rows
        if (r["reply_due"] or 0) - (r["reply_ok"] or 0) + (r["resp_due"] or 0) - (r["resp_ok"] or 0)
        > 0
    }
    units = Unit.objects.in_bulk(list(late))
    out = [
        Row(
            units[pk].code,
            units[pk].name,
            figures,
            {"unit": units[pk].code},
            note=str(figures.reply_late + figures.resp_late),
        )
        for pk, figures in late.items()
        if pk in units
    ]
    out.sort(key=lambda r: (-int(r.note), r.label))
    return out[:limit]
