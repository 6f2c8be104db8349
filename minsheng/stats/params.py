"""Who may read which figures, and the filters of a statistics URL.

Hotline leaders, supervisors, dispatchers and administrators read everything; a unit's leader
reads their own unit and the units beneath it (never the whole county's totals). A unit outside
the reader's scope answers 404, as everywhere else.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.org.access import current_user
from minsheng.org.models import Division, Role, Unit, User, normalize_division_code
from minsheng.org.scoping import scope_for
from minsheng.stats.periods import KINDS, MAX_DAYS, Period, period_of
from minsheng.stats.query import Filters
from minsheng.tickets.models import Category, Channel, Kind

HOTLINE_READERS = (Role.LEADER, Role.SUPERVISOR, Role.DISPATCHER, Role.ADMINISTRATOR)
READERS = (*HOTLINE_READERS, Role.UNIT_LEADER)


def reader(request: HttpRequest) -> tuple[User, Unit | None]:
    """The signed-in reader and the root of what they may read (None = everything); 403 for
    anyone else."""
    user = current_user(request, *READERS)
    scope = scope_for(user)
    if scope.everything:
        return user, None
    if scope.nothing or user.unit is None:
        raise Http404("no unit")
    return user, user.unit  # scope_for: a unit's people read their unit's subtree


def today() -> dt.date:
    return timezone.localdate()


@dataclass
class Parsed:
    filters: Filters
    errors: list[str] = field(default_factory=list)


def _date(raw: str, label: str, errors: list[str]) -> dt.date | None:
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        errors.append(_("%(label)s格式应为 年-月-日（如 2025-06-30）。") % {"label": label})
        return None


def _month(raw: str, errors: list[str]) -> dt.date | None:
    """A month picker's value, 2025-06, as the month's first day."""
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(f"{raw}-01")
    except ValueError:
        errors.append("月份格式应为 年-月（如 2025-06）。")
        return None


def parse(query: Mapping[str, str], root: Unit | None) -> Parsed:
    """Filters from the query string; bad values are reported in Chinese and left out."""
    errors: list[str] = []
    kind = query.get("period", "month")
    if kind not in KINDS:
        errors.append("统计周期无效，已按月统计。")
        kind = "month"
    start = _date(query.get("from", ""), _("起始日期"), errors)
    end = _date(query.get("to", ""), _("截止日期"), errors)
    anchor = (
        _month(query.get("month", ""), errors)
        or _date(query.get("date", ""), _("日期"), errors)
        or start
        or today()
    )
    if kind == "custom":
        start, end = start or anchor, end or today()
        if end < start:
            errors.append("截止日期早于起始日期，已对调。")
            start, end = end, start
        if (end - start).days >= MAX_DAYS:
            errors.append("自定义时间段最长 5 年，已截短。")
            start = end - dt.timedelta(days=MAX_DAYS - 1)
        period = Period("custom", start, end)
    else:
        period = period_of(kind, anchor)
    period = period.capped(today())

    unit = root
    code = query.get("unit", "")
    if code:
        found = Unit.objects.filter(code=code).first()
        if found is None or (root is not None and not found.path.startswith(root.path)):
            raise Http404("unit not in scope")
        unit = found

    division = None
    if raw := query.get("division", ""):
        try:
            division = Division.objects.filter(code=normalize_division_code(raw)).first()
        except ValueError:
            division = None
        if division is None:
            errors.append("地点（区划代码）不存在，已忽略。")

    category = None
    if raw := query.get("category", ""):
        category = Category.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
        if category is None:
            errors.append("诉求分类不存在，已忽略。")

    channel = query.get("channel", "")
    if channel and channel not in Channel.values:
        errors.append("渠道无效，已忽略。")
        channel = ""
    kind_value = query.get("kind", "")
    if kind_value and kind_value not in Kind.values:
        errors.append("诉求类型无效，已忽略。")
        kind_value = ""
    return Parsed(Filters(period, unit, division, category, channel, kind_value), errors)
