"""manage.py import_divisions PATH [PATH …] [--within CODE]: load 统计用区划代码 CSV files."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minsheng.org.divisions_import import DivisionImportError, import_divisions
from minsheng.org.models import Division


def positive_int(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"需要正整数：{raw!r}")
    return value


class Command(BaseCommand):
    help = (
        "导入国家统计局统计用区划代码（省、市、县、乡、村五级 CSV，可为 .gz）。"
        "PATH 可以是含 provinces.csv、cities.csv、areas.csv、streets.csv、villages.csv[.gz] "
        "的目录，也可以是单个文件。可重复执行：只写入有变化的行；任何一行有误则整体不导入。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="目录或 CSV 文件")
        parser.add_argument(
            "--within",
            metavar="CODE",
            help="只导入该区划及其全部下级（连同其上级），代码可为 2、4、6、9 或 12 位",
        )
        parser.add_argument(
            "--batch-size", type=positive_int, default=5000, help="每批写入的行数（默认 5000）"
        )

    def handle(
        self,
        *args: object,
        paths: list[Path],
        within: str | None,
        batch_size: int,
        verbosity: int,
        **options: object,
    ) -> None:
        for path in paths:
            if not path.exists():
                raise CommandError(f"路径不存在：{path}")

        started = time.monotonic()
        try:
            result = import_divisions(paths, within=within, batch_size=batch_size)
        except DivisionImportError as exc:
            # CommandError makes manage.py print the message to stderr and exit with status 1,
            # without a traceback.
            raise CommandError(f"导入失败，数据库未作任何修改。{exc}") from exc
        elapsed = time.monotonic() - started

        summary = f"导入完成：新增 {result.created}，更新 {result.updated}，未变 {result.unchanged}"
        if result.skipped:
            summary += f"，与上级代码相同而并入上级 {result.skipped}"
        summary += f"（用时 {elapsed:.1f} 秒）"
        if result.changes == 0:
            summary += "。没有任何变更，数据库未作修改。"
        self.stdout.write(summary)
        if verbosity >= 2:
            for level, counts in result.by_level.items():
                self.stdout.write(
                    f"  {Division.Level(level).label}：新增 {counts.created}，"
                    f"更新 {counts.updated}，未变 {counts.unchanged}"
                )
