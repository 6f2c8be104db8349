"""manage.py rates --from 2025-01-01 --to 2025-06-30 --by unit|township|category

Prints the figures the statistics pages show (the same query and table code) as a table or CSV.
"""

from __future__ import annotations

import csv
import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minsheng.org.models import Division, Unit, normalize_division_code
from minsheng.stats import query, tables
from minsheng.stats.periods import Period
from minsheng.tickets.models import Category, Channel, Kind

BY = ("unit", "township", "village", "category", "channel", "kind")


def _date(raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise CommandError(f"日期格式应为 YYYY-MM-DD：{raw}") from None


class Command(BaseCommand):
    help = "按单位、乡镇、村、分类、渠道或诉求类型输出三率等统计数字（与统计页面一致）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="start", required=True, help="起始日期 YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="截止日期 YYYY-MM-DD（含）")
        parser.add_argument("--by", choices=BY, default="unit")
        parser.add_argument(
            "--unit", default="", help="单位编码：统计该单位及下级，按单位时列出其下级单位"
        )
        parser.add_argument("--division", default="", help="区划代码（县、乡镇或村）")
        parser.add_argument(
            "--category", default="", help="分类编号或完整名称（如 城乡建设/安全生产）"
        )
        parser.add_argument("--channel", default="", choices=["", *Channel.values])
        parser.add_argument("--kind", default="", choices=["", *Kind.values])
        parser.add_argument("--format", choices=("table", "csv"), default="table")

    def handle(self, *args: Any, **options: Any) -> None:
        start, end = _date(options["start"]), _date(options["end"])
        if end < start:
            raise CommandError("截止日期不能早于起始日期。")
        filters = query.Filters(
            Period("custom", start, end),
            unit=self._unit(options["unit"]),
            division=self._division(options["division"]),
            category=self._category(options["category"]),
            channel=options["channel"],
            kind=options["kind"],
        )
        table = by_table(filters, options["by"])
        if options["format"] == "csv":
            writer = csv.writer(self.stdout)
            writer.writerow(table.header())
            for row in table.rows:
                writer.writerow(
                    [row.label, *["" if c.value is None else c.value for c in row.cells]]
                )
        else:
            self.stdout.write(f"{table.title} · {filters.describe()}")
            self.stdout.write(tables.text(table))

    def _unit(self, code: str) -> Unit | None:
        if not code:
            return None
        unit = Unit.objects.filter(code=code).first()
        if unit is None:
            raise CommandError(f"单位 {code} 不存在。")
        return unit

    def _division(self, code: str) -> Division | None:
        if not code:
            return None
        try:
            division = Division.objects.filter(code=normalize_division_code(code)).first()
        except ValueError:
            division = None
        if division is None:
            raise CommandError(f"区划 {code} 不存在。")
        return division

    def _category(self, value: str) -> Category | None:
        if not value:
            return None
        category = (
            Category.objects.filter(pk=int(value)).first()
            if value.isdigit()
            else Category.objects.filter(full_name=value).first()
        )
        if category is None:
            raise CommandError(f"分类 {value} 不存在。")
        return category


def by_table(filters: query.Filters, by: str) -> tables.Table:
    """The table a page shows for this grouping, with the scope's total as the last row."""
    total = query.totals(filters)
    label = filters.unit.name if filters.unit else "全部"
    total_row = query.Row("", f"合计（{label}）", total)
    if by == "unit":
        rows, own = query.by_unit(filters, total)
        rows = tables.ranked(rows) + ([own] if own else [])
        return tables.build("单位排名", "单位", rows, filters, total=total_row)
    if by == "township":
        return tables.build(
            "乡镇排名",
            "乡镇",
            query.by_township(filters, total),
            filters,
            tables.BREAKDOWN,
            total=total_row,
        )
    if by == "village":
        return tables.build(
            "村（社区）",
            "村（社区）",
            query.by_village(filters, total),
            filters,
            tables.BREAKDOWN,
            total=total_row,
        )
    if by == "category":
        return tables.build(
            "诉求分类",
            "分类",
            query.by_category(filters, total),
            filters,
            tables.BREAKDOWN,
            total=total_row,
        )
    title = "诉求渠道" if by == "channel" else "诉求类型"
    return tables.build(
        title,
        title[2:],
        query.by_choice(filters, by, total),
        filters,
        tables.BREAKDOWN,
        total=total_row,
    )
