"""manage.py rates_rebuild — recompute every statistics rollup from the tickets."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from minsheng.stats import rollup


class Command(BaseCommand):
    help = _("从工单重新计算全部统计汇总（单位或工作日历调整后运行）。")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=2000, help=_("每批工单数"))

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        verbosity = int(options.get("verbosity", 1))

        def progress(done: int) -> None:
            if verbosity > 1:
                self.stdout.write(_("  %(n)s 件…") % {"n": done})

        total = rollup.rebuild(batch=options["batch"], progress=progress)
        self.stdout.write(
            _("已重新统计 %(n)s 件工单，用时 %(seconds).1f 秒。")
            % {"n": total, "seconds": time.monotonic() - started}
        )
