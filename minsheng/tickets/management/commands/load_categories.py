"""manage.py load_categories [--path CSV] [--message-board] [--merge-synonyms]: load the
3-level category tree (诉求分类): the hotline tree by default, the message board's on request."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minsheng.tickets.catalogue import (
    HOTLINE_TAXONOMY_CSV,
    MESSAGE_BOARD_CSV,
    TaxonomyError,
    load_categories,
)
from minsheng.tickets.models import Category


class Command(BaseCommand):
    help = (
        "导入三级诉求分类（CSV 列：level1,level2,level3[,synonyms]）。默认导入随系统提供的"
        "热线分类表；可重复执行，已有分类保持不变。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--path",
            type=Path,
            default=None,
            metavar="CSV",
            help=f"分类表（默认 {HOTLINE_TAXONOMY_CSV}）",
        )
        parser.add_argument(
            "--message-board",
            action="store_true",
            help=f"导入政务留言板的分类表 {MESSAGE_BOARD_CSV}",
        )
        parser.add_argument(
            "--merge-synonyms", action="store_true", help="为已有分类补充分类表中的同义词"
        )

    def handle(
        self,
        *args: object,
        path: Path | None,
        message_board: bool,
        merge_synonyms: bool,
        **options: object,
    ) -> None:
        if path is not None and message_board:
            raise CommandError("--path 与 --message-board 只能选一个。")
        if message_board:
            path = MESSAGE_BOARD_CSV
        if path is not None and not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        try:
            created = load_categories(path, merge_synonyms=merge_synonyms)
        except (TaxonomyError, UnicodeDecodeError) as exc:
            raise CommandError(f"导入失败，数据库未作任何修改。{exc}") from exc
        self.stdout.write(
            f"诉求分类已导入：新增 {created} 个，现有 {Category.objects.count()} 个。"
        )
