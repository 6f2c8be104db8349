"""`manage.py load_reference_cases [FILE]`: past questions with official replies (idempotent)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minsheng.insight.history import DEMO_SOURCE, REFERENCE_CSV, load_reference_cases


class Command(BaseCommand):
    help = (
        "Load reference cases (id,title,time,text,reply,reply_time CSV; default: the demo slice)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", type=Path, default=REFERENCE_CSV)
        parser.add_argument("--source", default=DEMO_SOURCE)
        parser.add_argument("--limit", type=int)

    def handle(self, *args: object, **options: object) -> None:
        path: Path = options["file"]  # type: ignore[assignment]
        if not path.exists():
            raise CommandError(f"文件不存在：{path}")
        limit: int | None = options["limit"]  # type: ignore[assignment]
        try:
            created = load_reference_cases(path, source=str(options["source"]), limit=limit)
        except (UnicodeDecodeError, OSError, KeyError) as error:
            raise CommandError(f"无法读取 {path}：{error}") from None
        self.stdout.write(f"新增历史答复参考 {created} 条。")
