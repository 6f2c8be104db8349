"""The township's and the county's oversight of village boards (/villages/oversight/).

- `oversight_township`: every village of a township — last publication, what is late and since
  when, items this quarter, on time this month/quarter, questions asked and answered on time;
- `oversight_area`: per child division of any division above a township (the county's page per
  township, a province's overview per city): the same figures summed;
- `oversight_index`: where the user's oversight starts, and a code box for any division.

Who sees what: a township's reviewers (乡镇村务审核员) their township (a reviewer of a county's
unit, the county); the hotline's leaders, supervisors and administrators everything. Anything
else answers 404. `?format=xlsx` exports the table (minsheng/lib/xlsx.py); the page prints on A4
(the statistics pages' print style). Pages only read: the figures come from
`villages.figures`, the lateness from the clock's facts on the boards.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font

from minsheng.lib.xlsx import append_row, download, workbook_bytes
from minsheng.org.models import LEVEL_DIGITS, Division, Role, User
from minsheng.villages import figures
from minsheng.villages.models import Section
from minsheng.villages.rules import VillageScope, village_scope

# Hotline roles that oversee every village (the hotline's operators and dispatchers do not).
OVERSEERS = (Role.LEADER, Role.SUPERVISOR, Role.ADMINISTRATOR)


def oversight_scope(user: User) -> VillageScope:
    if user.is_active and user.has_role(*OVERSEERS):
        return VillageScope(everything=True)
    return village_scope(user, Role.AFFAIRS_REVIEWER)


def _user(request: HttpRequest) -> tuple[User, VillageScope]:
    user = request.user
    assert isinstance(user, User)
    scope = oversight_scope(user)
    if not scope.everything and not scope.prefixes:
        raise Http404
    return user, scope


def _division(code: str, scope: VillageScope) -> Division:
    """The division named by a 2-, 4-, 6-, 9- or 12-digit code, if the user oversees it."""
    if not code.isdigit() or len(code) not in LEVEL_DIGITS.values():
        raise Http404
    division = Division.objects.filter(code=code.ljust(12, "0")).first()
    if division is None or division.level >= Division.Level.VILLAGE:
        raise Http404
    if not scope.everything and not any(
        division.short_code.startswith(prefix) for prefix in scope.prefixes
    ):
        raise Http404
    return division


def _page_url(division: Division) -> str:
    name = (
        "villages:oversight_township"
        if division.level == Division.Level.TOWNSHIP
        else "villages:oversight_area"
    )
    return reverse(name, args=[division.short_code])


def _crumbs(division: Division, scope: VillageScope) -> list[tuple[str, str]]:
    """The division's ancestors the user oversees, and itself: one query."""
    codes = [
        division.code[: LEVEL_DIGITS[level]].ljust(12, "0")
        for level in range(Division.Level.PROVINCE, division.level + 1)
    ]
    found = {d.code: d for d in Division.objects.filter(code__in=codes)}
    crumbs = []
    for code in codes:
        each = found.get(code)
        if each is None:
            continue
        if scope.everything or any(each.short_code.startswith(p) for p in scope.prefixes):
            crumbs.append((each.name, _page_url(each)))
    return crumbs


def _xlsx(request: HttpRequest) -> bool:
    return request.GET.get("format") == "xlsx"


def _sections(codes: list[str]) -> str:
    labels = dict(Section.choices)
    return "、".join(str(labels.get(code, code)) for code in codes)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Where the user's oversight starts; `?code=` opens any division they oversee."""
    scope = _user(request)[1]
    code = request.GET.get("code", "").strip()
    if code:
        return HttpResponseRedirect(_page_url(_division(code, scope)))
    if scope.everything:
        county = Division.objects.filter(code=settings.MINSHENG_COUNTY_CODE).first()
        if county is None:
            county = Division.objects.filter(level=Division.Level.PROVINCE).order_by("code").first()
        if county is None:
            raise Http404
        return HttpResponseRedirect(_page_url(county))
    return HttpResponseRedirect(_page_url(_division(scope.prefixes[0], scope)))


AREA_COLUMNS = (
    gettext_lazy("村（社区）数"),
    gettext_lazy("逾期村数"),
    gettext_lazy("本月按时公开村数"),
    gettext_lazy("本季度按时公开村数"),
    gettext_lazy("本季度公开事项"),
    gettext_lazy("村均事项"),
    gettext_lazy("本季度质询"),
    gettext_lazy("按时答复"),
    gettext_lazy("本季度决议事项"),
)


def _area_values(f: figures.Figures) -> list[Any]:
    return [
        f.villages,
        f.late,
        f.on_time_month,
        f.on_time_quarter,
        f.items_quarter,
        f.items_per_village,
        f.questions,
        f.answered_on_time,
        f.matters_decided,
    ]


@login_required
def area(request: HttpRequest, code: str) -> HttpResponse:
    """A county's page (per township), a city's or a province's overview (per child)."""
    scope = _user(request)[1]
    division = _division(code, scope)
    if division.level == Division.Level.TOWNSHIP:
        return HttpResponseRedirect(_page_url(division))
    windows = figures.Windows.at()
    rows = figures.by_child(division, windows)
    total = figures.total(r.figures for r in rows)
    child = Division.Level(figures.child_level(division.level)).label
    title = _("%(name)s村务公开监督") % {"name": division.name}
    if _xlsx(request):
        return _export(
            title,
            windows,
            [str(child), *[str(c) for c in AREA_COLUMNS]],
            [[r.name, *_area_values(r.figures)] for r in rows]
            + [[_("合计"), *_area_values(total)]],
        )
    return render(
        request,
        "villages/oversight/area.html",
        {
            "title": title,
            "division": division,
            "child": child,
            "rows": [(r, _page_url_for(r.code, r.level), _area_values(r.figures)) for r in rows],
            "total": total,
            "total_values": _area_values(total),
            "columns": AREA_COLUMNS,
            "windows": windows,
            "crumbs": _crumbs(division, scope),
            "export_url": request.path + "?format=xlsx",
        },
    )


def _page_url_for(code: str, level: int) -> str:
    name = (
        "villages:oversight_township"
        if level == Division.Level.TOWNSHIP
        else "villages:oversight_area"
    )
    return reverse(name, args=[code[: LEVEL_DIGITS[level]]])


VILLAGE_COLUMNS = (
    gettext_lazy("最近公开"),
    gettext_lazy("逾期栏目"),
    gettext_lazy("逾期起"),
    gettext_lazy("本季度公开事项"),
    gettext_lazy("本月按时"),
    gettext_lazy("本季度按时"),
    gettext_lazy("本季度质询"),
    gettext_lazy("按时答复"),
)


@login_required
def township(request: HttpRequest, code: str) -> HttpResponse:
    """Every village of a township: what is late and since when."""
    scope = _user(request)[1]
    division = _division(code, scope)
    if division.level != Division.Level.TOWNSHIP:
        return HttpResponseRedirect(_page_url(division))
    windows = figures.Windows.at()
    rows = figures.by_village(division, windows)
    total = figures.total(r.figures for r in rows)
    title = _("%(name)s各村村务公开") % {"name": division.name}
    yes, no = _("是"), _("否")
    if _xlsx(request):
        return _export(
            title,
            windows,
            [_("村（社区）"), *[str(c) for c in VILLAGE_COLUMNS]],
            [
                [
                    r.name,
                    timezone.localtime(r.last_published_at).date() if r.last_published_at else "",
                    _sections(r.late_sections),
                    r.late_since or "",
                    r.figures.items_quarter,
                    yes if r.figures.on_time_month else no,
                    yes if r.figures.on_time_quarter else no,
                    r.figures.questions,
                    r.figures.answered_on_time,
                ]
                for r in rows
            ],
        )
    return render(
        request,
        "villages/oversight/township.html",
        {
            "title": title,
            "division": division,
            "rows": [(r, _sections(r.late_sections)) for r in rows],
            "total": total,
            "columns": VILLAGE_COLUMNS,
            "windows": windows,
            "crumbs": _crumbs(division, scope),
            "export_url": request.path + "?format=xlsx",
        },
    )


def _export(
    title: str, windows: figures.Windows, header: list[str], rows: list[list[Any]]
) -> HttpResponse:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("村务公开")
    append_row(sheet, [title])
    append_row(
        sheet,
        [
            _("截至 %(day)s；本季度自 %(start)s")
            % {"day": windows.today, "start": windows.quarter_start}
        ],
    )
    append_row(sheet, header)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for row in rows:
        append_row(sheet, [float(v) if hasattr(v, "quantize") else v for v in row])
    sheet.column_dimensions["A"].width = 24
    return download(workbook_bytes(book), f"{title}-{timezone.localdate():%Y%m%d}.xlsx")
