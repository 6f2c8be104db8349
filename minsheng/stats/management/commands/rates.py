"""manage.py rates --from 2025-01-01 --to 2025-06-30 --by unit|township|category

Prints the figures the statistics pages show (the same query and table code) as a table or CSV.
"""

from __future__ import annotations

import csv
import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from minsheng.org.models import Division, Unit, normalize_division_code
from minsheng.stats import query, tables
from minsheng.stats.periods import Period
from minsheng.tickets.models import Category, Channel, Kind

BY = ("unit", "township", "village", "category", "channel", "kind")


def _date(raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise CommandError(_("日期格式应为 YYYY-MM-DD：%(raw)s") % {"raw": raw}) from None


class Command(BaseCommand):
    help = _("按单位、乡镇、村、分类、渠道或诉求类型输出三率等统计数字（与统计页面一致）。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="start", required=True, help=_("起始日期 YYYY-MM-DD"))
        parser.add_argument("--to", dest="end", required=True, help=_("截止日期 YYYY-MM-DD（含）"))
        parser.add_argument("--by", choices=BY, default="unit")
        parser.add_argument(
            "--unit", default="", help=_("单位编码：统计该单位及下级，按单位时列出其下级单位")
        )
        parser.add_argument("--division", default="", help=_("区划代码（县、乡镇或村）"))
        parser.add_argument(
            "--category", default="", help=_("分类编号或完整名称（如 城乡建设/安全生产）")
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
            raise CommandError(_("单位 %(code)s 不存在。") % {"code": code})
        return unit

    def _division(self, code: str) -> Division | None:
        if not code:
            return None
        try:
            division = Division.objects.filter(code=normalize_division_code(code)).first()
        except ValueError:
            division = None
        if division is None:
            raise CommandError(_("区划 %(code)s 不存在。") % {"code": code})
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
            raise CommandError(_("分类 %(value)s 不存在。") % {"value": value})
        return category


def by_table(filters: query.Filters, by: str) -> tables.Table:
    """The table the page shows for this grouping (tables.py builds both), total row last."""
    total = query.totals(filters)
    if by == "unit":
        return tables.unit_ranking(filters, total)
    if by in ("township", "village"):
        if by == "village" and not tables.is_village_table(filters):
            raise CommandError("按村统计时请用 --division 指定乡镇。")
        return tables.area_ranking(filters, total)
    if by == "category":
        return tables.category_breakdown(filters, total)
    return tables.choice_breakdown(filters, by, total)
