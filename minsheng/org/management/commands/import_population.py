"""manage.py import_population FILE.csv --date YYYY-MM-DD [--source TEXT]: record 常住人口.

The CSV has a header with `code` (2–12-digit division code), `population` and optionally
`households`; every row is checked before any is written (org.population.record_population).
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minsheng.lib.numbers import is_plain_integer
from minsheng.org.models import normalize_division_code
from minsheng.org.population import CountRow, PopulationError, record_population


def _count(text: str) -> int:
    if not is_plain_integer(text):
        raise ValueError(f"不是整数：{text!r}")
    return int(text)


class Command(BaseCommand):
    help = "导入各行政区划的常住人口（CSV：code, population[, households]），任何一行有误则整体不导入。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, metavar="FILE")
        parser.add_argument("--date", required=True, help="起算日期，如 2026-01-01")
        parser.add_argument("--source", default="", help="数据来源，如 第七次人口普查")

    def handle(self, *args: object, **options: object) -> None:
        path = options["path"]
        assert isinstance(path, Path)
        try:
            effective_from = dt.date.fromisoformat(str(options["date"]))
        except ValueError as exc:
            raise CommandError(f"日期格式应为 YYYY-MM-DD：{options['date']!r}") from exc
        rows: list[CountRow] = []
        try:
            with path.open(encoding="utf-8-sig", newline="") as handle:
                for line, record in enumerate(csv.DictReader(handle), start=2):
                    try:
                        code = normalize_division_code(record.get("code") or "")
                        population = _count(record.get("population") or "")
                        raw_households = (record.get("households") or "").strip()
                        households = _count(raw_households) if raw_households else None
                    except ValueError as exc:
                        raise CommandError(f"第 {line} 行有误：{exc}") from exc
                    rows.append(CountRow(code, population, households))
        except OSError as exc:
            raise CommandError(f"无法读取 {path}：{exc.strerror}") from exc
        try:
            written = record_population(
                rows, effective_from=effective_from, source=str(options["source"])
            )
        except PopulationError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"已登记 {written} 个行政区划的人口。")
