"""`manage.py calendar show YEAR` and `manage.py calendar due --from ISO (--working-days N |
--working-hours N | --hours N)`: the same calendar the tickets use, administrators' days included."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minsheng.deadlines.clock import current_calendar, working_hours


def _aware(text: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(
            f"--from {text!r}：不是 ISO-8601 时间，例如 2026-09-30T17:00+08:00"
        ) from None
    if moment.tzinfo is None:
        raise CommandError("--from 需要带时区偏移，例如 2026-09-30T17:00+08:00")
    return moment


def _amount(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise CommandError(f"{text!r} 不是数字") from None
    if value < 0 or not value.is_finite():
        raise CommandError("时长不能为负数")
    return value


class Command(BaseCommand):
    help = "Show a year's holidays and make-up working days, or compute a due time."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        show = sub.add_parser("show", help="list the year's holidays and make-up working days")
        show.add_argument("year", type=int)
        due = sub.add_parser("due", help="compute a due time")
        due.add_argument("--from", dest="start", required=True)
        amounts = due.add_mutually_exclusive_group(required=True)
        amounts.add_argument("--working-days")
        amounts.add_argument("--working-hours")
        amounts.add_argument("--hours")

    def handle(self, *args: object, **options: object) -> None:
        calendar = current_calendar()
        if options["action"] == "show":
            year = int(options["year"])  # type: ignore[call-overload]
            if not 1900 <= year <= 2100:
                raise CommandError("年份应在 1900–2100 之间")
            days = calendar.year_summary(year)
            if not calendar.known_year(year):
                self.stdout.write(f"{year} 年的放假安排尚未发布或未录入：按周末计算（临时）。")
            for day in days:
                kind = "上班（调休）" if day.is_working else "放假"
                source = {
                    "override": "管理员录入",
                    "package": "国务院安排",
                    "weekend_rule": "周末",
                }[day.source]
                self.stdout.write(
                    f"{day.date.isoformat()} {'一二三四五六日'[day.date.weekday()]} {kind} {day.name or ''} [{source}]"
                )
            return
        start = _aware(str(options["start"]))
        if options["working_days"] is not None:
            n = _amount(str(options["working_days"]))
            if n != int(n):
                raise CommandError("--working-days 须为整数")
            due = calendar.add_working_days(start, int(n))
        elif options["working_hours"] is not None:
            due = calendar.add_working_hours(
                start, _amount(str(options["working_hours"])), working_hours()
            )
        else:
            due = calendar.add_hours(start, _amount(str(options["hours"])))
        self.stdout.write(due.at.isoformat())
        if due.provisional:
            # stderr, so that scripts reading stdout get a bare timestamp.
            self.stderr.write(
                "注意：该时限涉及尚未发布放假安排的年份，按周末计算，属临时结果（provisional）。"
            )
