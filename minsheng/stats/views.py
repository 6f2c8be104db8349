"""统计 pages: overview, unit ranking, townships and villages, categories, channels and kinds,
trend, the monthly report, and the tickets behind every figure.

Views parse the filters (params.py), ask query.py (the rollups) and render tables built by
tables.py; `?format=xlsx` returns the same tables as a workbook.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minsheng.insight.selectors import hot_issues
from minsheng.lib.pagination import page_number
from minsheng.org.models import Division, Unit, User
from minsheng.stats import drill, exports, query, tables
from minsheng.stats.figures import Figures, change, points
from minsheng.stats.measures import DRILLABLE, label
from minsheng.stats.params import HOTLINE_READERS, Parsed, parse, reader, today
from minsheng.stats.periods import GRAINS, KINDS, Period, default_grain, period_of
from minsheng.tickets.models import Category, Channel, Kind
from minsheng.tickets.selectors import with_titles

ECHARTS = "vendor/echarts/echarts.min.js"
PAGE_SIZE = 50
EXPORT_LIMIT = 10_000
TABS = (
    ("stats:overview", gettext_lazy("概览")),
    ("stats:units", gettext_lazy("单位排名")),
    ("stats:areas", gettext_lazy("乡镇·村")),
    ("stats:categories", gettext_lazy("诉求分类")),
    ("stats:channels", gettext_lazy("渠道·类型")),
    ("stats:trend", gettext_lazy("趋势·同比")),
    ("stats:report", gettext_lazy("月度报告")),
)


def charts_available() -> bool:
    """ECharts comes from npm (`npm ci`); without it the pages show their tables only."""
    return bool(finders.find(ECHARTS))


def _qs(params: dict[str, str]) -> str:
    return urlencode({k: v for k, v in params.items() if v})


def _crumbs(
    unit: Unit | None, root: Unit | None, view: str, f: query.Filters
) -> list[tuple[str, str]]:
    """全部 › 孙口镇人民政府 › 孙口镇执法大队: links up the unit tree, within the reader's scope."""
    base = {k: v for k, v in f.params().items() if k != "unit"}
    out: list[tuple[str, str]] = []
    if root is None:
        out.append(("全部", reverse(view) + "?" + _qs(base)))
    if unit is not None:
        codes = [c for c in unit.path.strip("/").split("/") if c]
        chain = {u.code: u for u in Unit.objects.filter(code__in=codes)}
        for code in codes:
            u = chain.get(code)
            if u is None or (root is not None and not u.path.startswith(root.path)):
                continue
            out.append((u.name, reverse(view) + "?" + _qs({**base, "unit": u.code})))
    return out


def _options(f: query.Filters) -> dict[str, Any]:
    from django.conf import settings

    county = str(settings.MINSHENG_COUNTY_CODE)
    places = list(
        Division.objects.filter(parent_id=county).order_by("code").values_list("code", "name")
    )
    categories = list(
        Category.objects.filter(parent__isnull=True)
        .order_by("full_name")
        .values_list("id", "full_name")
    )
    if f.category is not None:
        categories += list(
            Category.objects.filter(parent=f.category)
            .order_by("full_name")
            .values_list("id", "full_name")
        )
    return {
        "period_kinds": KINDS.items(),
        "places": places,
        "categories": categories,
        "channels": Channel.choices,
        "kinds": Kind.choices,
    }


def _page(request: HttpRequest, view: str) -> tuple[User, Unit | None, Parsed, dict[str, Any]]:
    user, root = reader(request)
    parsed = parse(request.GET, root)
    f = parsed.filters
    params = f.params()
    context: dict[str, Any] = {
        "filters": f,
        "errors": parsed.errors,
        "query": _qs(params),
        "tabs": [(reverse(name), text, name == view) for name, text in TABS],
        "crumbs": _crumbs(f.unit, root, view, f),
        "charts": charts_available(),
        "export_url": reverse(view) + "?" + _qs({**params, "format": "xlsx"}),
        "view": view,
        **_options(f),
    }
    return user, root, parsed, context


def _xlsx(request: HttpRequest) -> bool:
    return request.GET.get("format") == "xlsx"


def _chart(rows: list[tables.TableRow], columns: list[str], labels: list[str] | None = None) -> str:
    """The data a chart draws, for json_script: categories and one series per column."""
    labels = labels or [r.label for r in rows]
    series = []
    for key in columns:
        column = tables.COLUMNS[key]
        series.append(
            {
                "name": str(column.label),
                "data": [
                    None if (v := column.value(r.figures)) is None else float(v) for r in rows
                ],
                "rate": column.unit == "%",
            }
        )
    return json.dumps({"labels": labels, "series": series}, ensure_ascii=False)


def _row_url(view: str, f: query.Filters):  # type: ignore[no-untyped-def]
    def url(row: query.Row) -> str:
        return reverse(view) + "?" + _qs({**f.params(), **row.params})

    return url


# --- pages -------------------------------------------------------------------------------------


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    _user, _root, parsed, context = _page(request, "stats:overview")
    f = parsed.filters
    now, before, last_year = query.totals_with_previous(f)
    cards = []
    for key in tables.OVERVIEW:
        column = tables.COLUMNS[key]
        value, prev, yoy = column.value(now), column.value(before), column.value(last_year)
        delta = points if column.unit == "%" else change
        cards.append(
            {
                "label": column.label,
                "text": tables.fmt(value, column.unit),
                "url": tables.drill_url(f, {}, column.drill)
                if column.drill and value is not None
                else "",
                "mom": delta(value, prev),  # type: ignore[arg-type]
                "yoy": delta(value, yoy),  # type: ignore[arg-type]
                "unit": _("个百分点") if column.unit == "%" else "%",
            }
        )
    grain = default_grain(f.period)
    series = tables.build(
        _("%(grain)s走势") % {"grain": GRAINS[grain]},
        _("时间"),
        query.series(f, grain),
        f,
        tables.SERIES,
        name="series",
    )
    channel = tables.build(
        _("诉求渠道"), _("渠道"), query.by_choice(f, "channel", now), f, tables.BREAKDOWN
    )
    kind = tables.build("诉求类型", _("类型"), query.by_choice(f, "kind", now), f, tables.BREAKDOWN)
    if _xlsx(request):
        summary = tables.build(
            _("概览"), _("范围"), [query.Row("", f.describe(), now)], f, tables.OVERVIEW
        )
        return exports.response("统计概览", f, [summary, series, channel, kind])
    context.update(
        cards=cards,
        previous=f.period.previous(),
        series=series,
        channel=channel,
        kind=kind,
        chart=_chart(series.rows, ["received", "closed"]),
        rate_chart=_chart(series.rows, ["response_rate", "resolution_rate", "satisfaction_rate"]),
    )
    return render(request, "stats/overview.html", context)


@login_required
def units(request: HttpRequest) -> HttpResponse:
    _user, _root, parsed, context = _page(request, "stats:units")
    f = parsed.filters
    total = query.totals(f)
    table = tables.unit_ranking(f, total, _row_url("stats:units", f))
    if _xlsx(request):
        return exports.response("单位排名", f, [table])
    ranked_rows = [r for r in table.rows if not r.total and r.figures.composite is not None]
    context.update(
        table=table,
        chart=_chart(
            ranked_rows, ["composite", "response_rate", "resolution_rate", "satisfaction_rate"]
        ),
    )
    return render(request, "stats/units.html", context)


@login_required
def areas(request: HttpRequest) -> HttpResponse:
    _user, _root, parsed, context = _page(request, "stats:areas")
    f = parsed.filters
    total = query.totals(f)
    villages = tables.is_village_table(f)
    head = tables.area_head(f)
    table = tables.area_ranking(f, total, _row_url("stats:areas", f))
    places, columns, matrix = query.heat(f, villages=villages)
    heat = _heat(f, places, columns, matrix)
    if _xlsx(request):
        return exports.response(
            _("%(head)s统计") % {"head": head},
            f,
            [table, exports.heat_table(_("%(head)s热力表") % {"head": head}, head, heat)],
        )
    context.update(table=table, heat=heat, head=head)
    return render(request, "stats/areas.html", context)


def _heat(
    f: query.Filters,
    places: list[query.Row],
    columns: list[query.Row],
    matrix: dict[tuple[str, str], int],
) -> dict[str, Any]:
    top = max(matrix.values(), default=0)
    rows = []
    for place in places:
        cells = []
        for column in columns:
            n = matrix.get((place.key, column.key), 0)
            level = 0 if not n or not top else min(5, 1 + int(5 * n / (top + 1)))
            url = tables.drill_url(f, {**place.params, **column.params}, "received") if n else ""
            cells.append({"n": n, "level": level, "url": url})
        rows.append({"label": place.label, "cells": cells})
    return {"columns": [c.label for c in columns], "rows": rows}


@login_required
def categories(request: HttpRequest) -> HttpResponse:
    _user, _root, parsed, context = _page(request, "stats:categories")
    f = parsed.filters
    total = query.totals(f)
    table = tables.category_breakdown(f, total, _row_url("stats:categories", f))
    if _xlsx(request):
        return exports.response("诉求分类统计", f, [table])
    top = [r for r in table.rows if not r.total][:10]
    context.update(table=table, chart=_chart(top, ["received"]))
    return render(request, "stats/categories.html", context)


@login_required
def channels(request: HttpRequest) -> HttpResponse:
    _user, _root, parsed, context = _page(request, "stats:channels")
    f = parsed.filters
    total = query.totals(f)
    channel = tables.choice_breakdown(f, "channel", total, _row_url("stats:channels", f))
    kind = tables.choice_breakdown(f, "kind", total, _row_url("stats:channels", f))
    if _xlsx(request):
        return exports.response("渠道与诉求类型", f, [channel, kind])
    context.update(channel=channel, kind=kind)
    return render(request, "stats/channels.html", context)


@login_required
def trend(request: HttpRequest) -> HttpResponse:
    _user, _root, parsed, context = _page(request, "stats:trend")
    f = parsed.filters
    grain = request.GET.get("grain") or default_grain(f.period)
    if grain not in GRAINS:
        grain = default_grain(f.period)
    this = query.series(f, grain)
    earlier = query.series(f.with_period(f.period.shifted_years(-1)), grain)
    this_table = tables.build(
        _("本期（%(period)s）") % {"period": f.period.label},
        _("时间"),
        this,
        f,
        tables.SERIES,
        name="this",
    )
    last_f = f.with_period(f.period.shifted_years(-1))
    last_table = tables.build(
        _("上年同期（%(period)s）") % {"period": last_f.period.label},
        _("时间"),
        earlier,
        last_f,
        tables.SERIES,
        name="last",
    )
    compare = _compare(this, earlier)
    if _xlsx(request):
        return exports.response("趋势与同比", f, [this_table, last_table, compare])
    labels = [r.label for r in this]
    context.update(
        grain=grain,
        grains=GRAINS.items(),
        this=this_table,
        last=last_table,
        compare=compare,
        chart=json.dumps(
            {
                "labels": labels,
                "series": [
                    {"name": _("本期受理量"), "data": [r.figures["received"] for r in this]},
                    {
                        "name": _("上年同期受理量"),
                        "data": [r.figures["received"] for r in earlier][: len(labels)],
                    },
                ],
            },
            ensure_ascii=False,
        ),
    )
    return render(request, "stats/trend.html", context)


def _compare(this: list[query.Row], earlier: list[query.Row]) -> tables.Table:
    """受理量 and the three rates, this period against the same period a year before."""
    cols = [
        tables.COLUMNS[k]
        for k in ("received", "response_rate", "resolution_rate", "satisfaction_rate")
    ]
    header = tables.Column("h", "", lambda _: None)
    rows = []
    for now, before in zip(this, earlier, strict=False):
        cells = []
        for c in cols:
            a, b = c.value(now.figures), c.value(before.figures)
            delta = points(a, b) if c.unit == "%" else change(a, b)  # type: ignore[arg-type]
            cells += [
                tables.TableCell(tables.fmt(a, c.unit), a),
                tables.TableCell(tables.fmt(b, c.unit), b),
                tables.TableCell(tables.fmt(delta), delta),
            ]
        rows.append(tables.TableRow(now.label, cells))
    columns = []
    for c in cols:
        suffix = _("（个百分点）") if c.unit == "%" else _("（%）")
        columns += [
            tables.Column(
                c.key, _("%(label)s·本期") % {"label": c.label}, header.value, None, c.unit
            ),
            tables.Column(
                c.key + "_last",
                _("%(label)s·上年同期") % {"label": c.label},
                header.value,
                None,
                c.unit,
            ),
            tables.Column(
                c.key + "_yoy",
                _("%(label)s·同比%(suffix)s") % {"label": c.label, "suffix": suffix},
                header.value,
            ),
        ]
    return tables.Table("同比", _("时间"), columns, rows, "compare")


@login_required
def report(request: HttpRequest) -> HttpResponse:
    """The monthly report (月度报告): prints to PDF from the browser."""
    user, root, parsed, context = _page(request, "stats:report")
    f = parsed.filters
    if f.period.kind != "month":
        f = f.with_period(period_of("month", f.start).capped(today()))
    now, before, last_year = query.totals_with_previous(f)
    summary_rows = [
        query.Row("now", _("本月（%(period)s）") % {"period": f.period.label}, now),
        query.Row(
            "mom",
            _("上月（%(period)s）") % {"period": f.period.previous().label},
            before,
            _period_params(f.period.previous()),
        ),
        query.Row(
            "yoy",
            _("上年同月（%(period)s）") % {"period": f.period.shifted_years(-1).label},
            last_year,
            _period_params(f.period.shifted_years(-1)),
        ),
    ]
    summary = tables.build(
        _("主要指标"), _("期间"), summary_rows, f, tables.OVERVIEW, name="summary"
    )
    unit_rows, _own = query.by_unit(f, now)
    ranking = tables.build(
        _("单位综合排名"),
        _("单位"),
        tables.ranked(unit_rows),
        f,
        (
            "received",
            "response_rate",
            "resolution_rate",
            "satisfaction_rate",
            "composite",
            "reply_rate",
            "returns",
            "reopens",
            "share",
        ),
        name="ranking",
    )
    top_categories = tables.build(
        _("诉求分类前十"),
        _("分类"),
        query.by_category(f, now)[:10],
        f,
        ("received", "resolved", "resolution_rate", "satisfaction_rate"),
        name="categories",
    )
    overdue = tables.build(
        _("超期较多的单位"),
        _("单位"),
        query.overdue_units(f),
        f,
        ("resp_due", "resp_late", "reply_due", "reply_late", "reopens"),
        name="overdue",
    )
    hot = _hot_issues(user, f) if root is None else None
    if _xlsx(request):
        return exports.response("月度报告", f, [summary, ranking, top_categories, overdue])
    context.update(
        summary=summary,
        ranking=ranking,
        top_categories=top_categories,
        overdue=overdue,
        hot=hot,
        now_figures=now,
        month=f.period,
    )
    return render(request, "stats/report.html", context)


def _period_params(period: Period) -> dict[str, str]:
    return {"from": period.start.isoformat(), "to": period.end.isoformat(), "period": period.kind}


def _hot_issues(user: User, f: query.Filters) -> Any:
    """热点 of the month (minsheng.insight), for the hotline's readers."""
    if not user.has_role(*HOTLINE_READERS):
        return None
    return hot_issues(since=f.start, until=f.end, limit=5).issues


# --- the tickets behind a figure ---------------------------------------------------------------

SIBLINGS: dict[str, tuple[str, ...]] = {
    "resp": ("resp_due", "resp_ok", "resp_late"),
    "reply": ("reply_due", "reply_ok", "reply_late"),
    "cb": (
        "cb_reached",
        "cb_resolved",
        "cb_unresolved",
        "cb_satisfied",
        "cb_basic",
        "cb_unsatisfied",
    ),
    "closed": ("closed", "resolved", "handle_n", "part"),
    "consult": ("consult", "direct"),
}


def _figure(measure: str, figures: Figures) -> int:
    if measure == "resp_late":
        return figures.resp_late
    if measure == "reply_late":
        return figures.reply_late
    if measure == "cb_unresolved":
        return figures["cb_reached"] - figures["cb_resolved"]
    if measure == "cb_unsatisfied":
        return figures.cb_unsatisfied
    return figures[measure]


@login_required
def tickets(request: HttpRequest) -> HttpResponse:
    user, _root, parsed, context = _page(request, "stats:tickets")
    f = parsed.filters
    measure = request.GET.get("m", "received")
    if measure not in DRILLABLE:
        measure = "received"
        parsed.errors.append("统计项无效，已列出受理的工单。")
    figure = _figure(measure, query.totals(f))
    listed = drill.tickets_behind(user, measure, f, expected=figure).select_related(
        "category", "division", "lead_unit"
    )
    if _xlsx(request):
        return exports.tickets_response(
            _("%(measure)s工单") % {"measure": label(measure)}, f, listed[:EXPORT_LIMIT]
        )
    page = page_number(request.GET.get("page", "1"))
    # No COUNT(*) over a large period: one row more than a page tells whether there is a next.
    rows = list(listed[(page - 1) * PAGE_SIZE : page * PAGE_SIZE + 1])
    params = {**f.params(), "m": measure}
    group = next((g for g in SIBLINGS.values() if measure in g), (measure,))
    context.update(
        measure=measure,
        measure_label=label(measure),
        figure=figure,
        rows=with_titles(user, rows[:PAGE_SIZE]),
        page=page,
        prev_url=f"?{_qs({**params, 'page': str(page - 1)})}" if page > 1 else "",
        next_url=f"?{_qs({**params, 'page': str(page + 1)})}" if len(rows) > PAGE_SIZE else "",
        siblings=[(label(m), f"?{_qs({**f.params(), 'm': m})}", m == measure) for m in group],
        export_url=reverse("stats:tickets") + "?" + _qs({**params, "format": "xlsx"}),
        export_limit=EXPORT_LIMIT,
        back_url=reverse("stats:overview") + "?" + _qs(f.params()),
    )
    return render(request, "stats/tickets.html", context)
