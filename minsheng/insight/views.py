"""热点 and 每月一题 pages for the hotline's leaders, supervisors and administrators."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minsheng.insight import selectors, services
from minsheng.org.models import User
from minsheng.tickets.errors import TicketActionError

DEFAULT_DAYS = 30
MAX_PERIOD_DAYS = 366


def _reader(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not user.has_role(*selectors.READER_ROLES):
        raise PermissionDenied
    return user


def _date(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((raw or "").strip())
    except ValueError:
        return None


def _period(request: HttpRequest) -> tuple[dt.date, dt.date, list[str]]:
    today = timezone.localdate()
    errors: list[str] = []
    until = _date(request.GET.get("until")) or today
    since = _date(request.GET.get("since")) or until - dt.timedelta(days=DEFAULT_DAYS - 1)
    if (request.GET.get("since") and _date(request.GET.get("since")) is None) or (
        request.GET.get("until") and _date(request.GET.get("until")) is None
    ):
        errors.append(_("日期格式应为 年-月-日，例如 2026-11-01；已按默认范围显示。"))
    if since > until:
        errors.append(_("开始日期晚于结束日期，已对调。"))
        since, until = until, since
    if (until - since).days >= MAX_PERIOD_DAYS:
        errors.append(_("时间范围最长一年，已从结束日期向前截取。"))
        since = until - dt.timedelta(days=MAX_PERIOD_DAYS - 1)
    return since, until, errors


@login_required
def hotspots(request: HttpRequest) -> HttpResponse:
    _reader(request)
    since, until, errors = _period(request)
    by_place = request.GET.get("by_place") == "1"
    found = selectors.hot_issues(since=since, until=until, by_place=by_place)
    context = {
        "found": found,
        "errors": errors,
        "by_place": by_place,
        "month": until.strftime("%Y-%m"),
        "can_set_theme": request.user.has_role(*services.THEME_ROLES),  # type: ignore[union-attr]
    }
    return render(request, "insight/hotspots.html", context)


@login_required
@require_POST
def theme_create(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    back = {k: request.POST[k] for k in ("since", "until", "by_place") if request.POST.get(k)}
    month = _date(f"{request.POST.get('month', '').strip()}-01")
    ids = [
        int(part) for part in request.POST.get("tickets", "").split(",") if part.strip().isdigit()
    ]
    if month is None:
        messages.error(request, _("请选择月份（年-月）。"))
        return redirect(_hotspots_url(back))
    try:
        theme = services.monthly_theme_create(
            actor=user,
            month=month,
            title=request.POST.get("title", ""),
            description=request.POST.get("description", ""),
            top_words=request.POST.get("top_words", ""),
            ticket_ids=ids,
        )
    except TicketActionError as error:
        messages.error(request, error.message)
        return redirect(_hotspots_url(back))
    messages.success(request, _("已设为 %(month)s 每月一题。") % {"month": f"{theme.month:%Y-%m}"})
    return redirect("insight:theme_detail", pk=theme.pk)


def _hotspots_url(params: dict[str, str]) -> str:
    url = reverse("insight:hotspots")
    return f"{url}?{urlencode(params)}" if params else url


@login_required
def themes(request: HttpRequest) -> HttpResponse:
    _reader(request)
    return render(request, "insight/themes.html", {"themes": selectors.monthly_themes()})


@login_required
def theme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _reader(request)
    theme = get_object_or_404(selectors.monthly_themes(), pk=pk)
    context = {"theme": theme, "tickets": selectors.theme_tickets(theme)[:500]}
    return render(request, "insight/theme_detail.html", context)
