"""`manage.py hotspots --since DATE [--until DATE]`: the period's hot issues (热点), as text."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from minsheng.insight.selectors import hot_issues


def _date(raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise CommandError(f"日期格式应为 YYYY-MM-DD：{raw!r}") from None


class Command(BaseCommand):
    help = "List hot issues (groups of tickets about the same problem) created in a period."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", required=True, type=_date, help="first day, YYYY-MM-DD")
        parser.add_argument("--until", type=_date, help="last day (default: today)")
        parser.add_argument("--by-place", action="store_true", help="group each township apart")
        parser.add_argument("--min-size", type=int, default=3)
        parser.add_argument("--limit", type=int, default=20)

    def handle(self, *args: object, **options: object) -> None:
        since: dt.date = options["since"]  # type: ignore[assignment]
        until: dt.date = options["until"] or timezone.localdate()  # type: ignore[assignment]
        if since > until:
            raise CommandError("--since 晚于 --until。")
        found = hot_issues(
            since=since,
            until=until,
            by_place=bool(options["by_place"]),
            min_size=max(int(options["min_size"]), 2),  # type: ignore[call-overload]
            limit=max(int(options["limit"]), 1),  # type: ignore[call-overload]
        )
        self.stdout.write(
            f"{since} 至 {until}：分析工单 {found.considered} 件，热点 {len(found.issues)} 个。"
        )
        if found.truncated:
            self.stdout.write("（工单过多，只分析了最近的部分。）")
        for issue in found.issues:
            place = f"{issue.place.name}({issue.place_count})" if issue.place else "—"
            span = f"{timezone.localtime(issue.first_at):%m-%d}—{timezone.localtime(issue.last_at):%m-%d}"
            self.stdout.write(
                f"{issue.rank}. {issue.label}｜{issue.count} 件｜{place}｜{span}｜"
                f"关键词：{'、'.join(issue.top_words)}｜示例：{' '.join(t.number for t in issue.examples)}"
            )
