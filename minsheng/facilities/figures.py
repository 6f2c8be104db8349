"""公共设施's figures: facilities by kind and standard, rounds done against rounds scheduled in a
period (the schedules' due rounds counted by the same rules as the clock, timing.dues_on), missed
rounds, and the QR problems with their time to fix (from the linked tickets' closing)."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count
from django.utils import timezone
from openpyxl import Workbook

from minsheng.facilities import clock, rules
from minsheng.facilities.models import (
    Facility,
    FacilityTicket,
    MissedRound,
    Problem,
    Round,
    Schedule,
    Status,
    UpkeepKind,
)
from minsheng.facilities.timing import dues_on
from minsheng.lib import xlsx
from minsheng.org.models import User

MAX_DAYS = 92


def period(raw_from: object, raw_to: object) -> tuple[dt.date, dt.date]:
    """The period asked for (ISO dates), else the last 30 days; at most MAX_DAYS."""
    today = timezone.localdate()

    def parse(raw: object) -> dt.date | None:
        try:
            return dt.date.fromisoformat(str(raw)) if raw else None
        except ValueError:
            return None

    end = parse(raw_to) or today
    start = parse(raw_from) or end - dt.timedelta(days=29)
    if start > end:
        start, end = end, start
    if (end - start).days >= MAX_DAYS:
        start = end - dt.timedelta(days=MAX_DAYS - 1)
    return start, end


@dataclass
class Figures:
    total: int = 0
    by_kind: list[tuple[str, int]] = field(default_factory=list)
    by_standard: list[tuple[str, int]] = field(default_factory=list)
    by_status: list[tuple[str, int]] = field(default_factory=list)
    scheduled: dict[str, int] = field(default_factory=dict)
    done: dict[str, int] = field(default_factory=dict)
    missed: int = 0
    problems: int = 0
    problems_closed: int = 0
    problems_open: int = 0
    fix_hours_median: float | None = None
    fix_hours_mean: float | None = None
    by_problem: list[tuple[str, int]] = field(default_factory=list)
    points: list[tuple[str, float, float]] = field(default_factory=list)


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = clock.tz()
    return (
        dt.datetime.combine(start, dt.time(), tz),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tz),
    )


def figures(user: User, start: dt.date, end: dt.date) -> Figures:
    visible = Facility.objects.filter(rules.visible_q(user))
    out = Figures()
    out.total = visible.count()
    out.by_kind = list(visible.values_list("kind").annotate(n=Count("id")).order_by("-n", "kind"))
    out.by_standard = list(
        visible.exclude(standard="")
        .values_list("standard")
        .annotate(n=Count("id"))
        .order_by("standard")
    )
    statuses = dict(visible.values_list("status").annotate(n=Count("id")))
    out.by_status = [(str(label), statuses.get(value, 0)) for value, label in Status.choices]
    begin, finish = _bounds(start, end)
    tz = clock.tz()
    scheduled: Counter[str] = Counter()
    for schedule in Schedule.objects.filter(
        facility__in=visible, active=True, facility__status="in_use"
    ).select_related("facility"):
        spec = clock.schedule_spec(schedule)
        hours = clock.facility_hours(schedule.facility)
        day = start
        while day <= end:
            if not spec.working_days_only or clock.working_day(day):
                scheduled[schedule.kind] += len(dues_on(spec, hours, day, tz))
            day += dt.timedelta(days=1)
    out.scheduled = {k: scheduled.get(k, 0) for k in UpkeepKind.values}
    done = dict(
        Round.objects.filter(facility__in=visible, done_at__gte=begin, done_at__lt=finish)
        .values_list("kind")
        .annotate(n=Count("id"))
    )
    out.done = {k: done.get(k, 0) for k in UpkeepKind.values}
    out.missed = MissedRound.objects.filter(
        facility__in=visible, due_at__gte=begin, due_at__lt=finish
    ).count()
    links = FacilityTicket.objects.filter(
        facility__in=visible, created_at__gte=begin, created_at__lt=finish
    ).values_list("problem", "ticket__created_at", "ticket__closed_at")
    fix_hours: list[float] = []
    problems: Counter[str] = Counter()
    for problem, created, closed in links:
        out.problems += 1
        problems[problem] += 1
        if closed is not None:
            out.problems_closed += 1
            fix_hours.append((closed - created).total_seconds() / 3600)
    out.problems_open = out.problems - out.problems_closed
    if fix_hours:
        out.fix_hours_median = round(statistics.median(fix_hours), 1)
        out.fix_hours_mean = round(statistics.fmean(fix_hours), 1)
    labels = dict(Problem.choices)
    out.by_problem = [(str(labels.get(p, p)), n) for p, n in problems.most_common()]
    if map_settings() is not None:
        out.points = [
            (name, float(lat), float(lng))
            for name, lat, lng in visible.exclude(lat=None).values_list("name", "lat", "lng")[:2000]
            if lat is not None and lng is not None
        ]
    return out


def map_settings() -> dict[str, str] | None:
    """The portal's map tiles (MINSHENG_MAP_TILES), or None: then the figures are a list."""
    tiles = str(settings.MINSHENG_MAP_TILES)
    if not tiles:
        return None
    return {
        "tiles": tiles,
        "subdomains": str(settings.MINSHENG_MAP_SUBDOMAINS),
        "attribution": str(settings.MINSHENG_MAP_ATTRIBUTION),
        "center": str(settings.MINSHENG_MAP_CENTER),
    }


def workbook(data: Figures) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("公共设施统计")
    xlsx.append_row(sheet, ["类型", "数量"])
    for kind, n in data.by_kind:
        xlsx.append_row(sheet, [kind, n])
    xlsx.append_row(sheet, [])
    xlsx.append_row(sheet, ["等级", "数量"])
    for standard, n in data.by_standard:
        xlsx.append_row(sheet, [standard, n])
    xlsx.append_row(sheet, [])
    xlsx.append_row(sheet, ["类别", "应完成", "已登记"])
    for kind, label in (("cleaning", "保洁"), ("inspection", "巡检")):
        xlsx.append_row(sheet, [label, data.scheduled.get(kind, 0), data.done.get(kind, 0)])
    xlsx.append_row(sheet, ["漏检告警", data.missed])
    xlsx.append_row(sheet, [])
    xlsx.append_row(sheet, ["问题反映", data.problems])
    xlsx.append_row(sheet, ["已办结", data.problems_closed])
    xlsx.append_row(sheet, ["办结用时中位数（小时）", data.fix_hours_median])
    return xlsx.workbook_bytes(book)


__all__ = ["Figures", "figures", "map_settings", "period", "workbook"]
