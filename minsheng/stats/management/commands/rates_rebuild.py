"""manage.py rates_rebuild — recompute every statistics rollup from the tickets."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from minsheng.stats import rollup


class Command(BaseCommand):
    help = "从工单重新计算全部统计汇总（单位或工作日历调整后运行）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=2000, help="每批工单数")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        verbosity = int(options.get("verbosity", 1))

        def progress(done: int) -> None:
            if verbosity > 1:
                self.stdout.write(f"  {done} 件…")

        total = rollup.rebuild(batch=options["batch"], progress=progress)
        self.stdout.write(f"已重新统计 {total} 件工单，用时 {time.monotonic() - started:.1f} 秒。")
