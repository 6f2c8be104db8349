from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from minsheng.portal.board.history import load_history


class Command(BaseCommand):
    help = (
        "Load the demo message board's history (留言板) from messages_with_votes.csv and "
        "messages_with_replies.csv in MINSHENG_TRIAGE_DATA (idempotent; skipped when absent)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--folder",
            type=Path,
            default=None,
            help="the folder of the two files (default: settings.MINSHENG_TRIAGE_DATA)",
        )

    def handle(self, *args: object, **options: object) -> None:
        folder = options["folder"] or Path(settings.MINSHENG_TRIAGE_DATA)
        assert isinstance(folder, Path)
        result = load_history(folder)
        for name in result.missing:
            self.stdout.write(f"留言板历史数据 {folder / name} 不存在，已跳过。")
        self.stdout.write(
            f"留言板历史留言：新导入 {result.created} 条，已有 {result.known} 条，"
            f"无法读取 {result.skipped} 条。"
        )
