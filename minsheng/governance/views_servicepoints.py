"""服务点 and 服务矩阵's pages (/governance/points/): the county's townships with their coverage,
a township's points, a point's page (villages served, population, service per month), the
create / edit form, the phone-first entry form (one-time token), and the township's matrix
(printable, Excel). Views validate, call one service of `services.servicepoints`, and render; a
refusal shows the service's Chinese message and changes nothing. Outside the user's scope: 404."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from minsheng.governance import servicepoints as selectors
from minsheng.governance.models import Campaign, ServicePoint, ServicePointVillage
from minsheng.governance.services import servicepoints as service
from minsheng.lib import xlsx
from minsheng.org.models import Division, Role, Unit, User
from minsheng.tickets.errors import TicketActionError

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SPLIT = re.compile(r"[\s,，、;；]+")
MY_POINTS = 50
MAX_COUNT = service.MAX_COUNT
MAX_NOTE = service.MAX_NOTE


# --- Forms --------------------------------------------------------------------------------------


class PointForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("服务点名称"), max_length=100)
    kind = forms.ChoiceField(label=gettext_lazy("类型"), choices=ServicePoint.Kind.choices)
    kind_label = forms.CharField(
        label=gettext_lazy("自定义类型（类型为“其他”时填写）"), max_length=20, required=False
    )
    unit = forms.ChoiceField(label=gettext_lazy("服务单位"))
    place = forms.ChoiceField(label=gettext_lazy("所在乡镇或村（社区）"), required=False)
    address = forms.CharField(label=gettext_lazy("地址"), max_length=200, required=False)
    hours = forms.CharField(
        label=gettext_lazy("服务时间"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("如：工作日 8:30—12:00、14:30—17:30"),
    )
    services = forms.CharField(
        label=gettext_lazy("服务内容（用顿号或逗号分隔）"),
        max_length=500,
        widget=forms.TextInput(attrs={"placeholder": "政策咨询、代办"}),
    )
    whole_township = forms.BooleanField(label=gettext_lazy("服务全乡镇所有村"), required=False)
    villages = forms.MultipleChoiceField(
        label=gettext_lazy("服务的村（社区）"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    campaign = forms.ChoiceField(label=gettext_lazy("所属专项行动（可不选）"), required=False)
    starts_on = forms.DateField(label=gettext_lazy("开始日期"), widget=DATE, required=False)
    ends_on = forms.DateField(label=gettext_lazy("结束日期"), widget=DATE, required=False)

    def __init__(
        self,
        *args: Any,
        units: list[tuple[str, str]],
        places: list[tuple[str, str]],
        villages: list[tuple[str, str]],
        campaigns: list[tuple[str, str]],
        **kw: Any,
    ) -> None:
        super().__init__(*args, **kw)
        self.fields["unit"].choices = [("", "—"), *units]  # type: ignore[attr-defined]
        self.fields["place"].choices = [("", "—"), *places]  # type: ignore[attr-defined]
        self.fields["villages"].choices = villages  # type: ignore[attr-defined]
        self.fields["campaign"].choices = [("", "—"), *campaigns]  # type: ignore[attr-defined]

    def to_input(self) -> service.PointInput:
        data = self.cleaned_data
        codes = [data.get("place") or "", *(data.get("villages") or [])]
        divisions = Division.objects.in_bulk([c for c in codes if c])
        unit = Unit.objects.filter(pk=data["unit"]).first() if data.get("unit") else None
        campaign = (
            Campaign.objects.filter(pk=data["campaign"]).first() if data.get("campaign") else None
        )
        return service.PointInput(
            unit=unit,
            kind=data["kind"],
            kind_label=data.get("kind_label") or "",
            name=data["name"],
            place=divisions.get(data.get("place") or ""),
            address=data.get("address") or "",
            hours=data.get("hours") or "",
            services=[s for s in SPLIT.split(data.get("services") or "") if s],
            villages=[divisions[c] for c in data.get("villages") or [] if c in divisions],
            whole_township=bool(data.get("whole_township")),
            campaign=campaign,
            starts_on=data.get("starts_on"),
            ends_on=data.get("ends_on"),
        )


class EntryForm(forms.Form):
    token = forms.UUIDField(widget=forms.HiddenInput)
    date = forms.DateField(label=gettext_lazy("服务日期"), widget=DATE)
    service = forms.ChoiceField(label=gettext_lazy("服务内容"))
    count = forms.IntegerField(
        label=gettext_lazy("服务人次（户数）"),
        min_value=1,
        max_value=MAX_COUNT,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    note = forms.CharField(
        label=gettext_lazy("备注（可不填）"),
        required=False,
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, services: list[str], **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["service"].choices = [(s, s) for s in services]  # type: ignore[attr-defined]


# --- Helpers ------------------------------------------------------------------------------------


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _township(request: HttpRequest, code: str) -> Division:
    township = Division.objects.filter(code=code, level=Division.Level.TOWNSHIP).first()
    if township is None or not selectors.can_read_township(_user(request), township):
        raise Http404
    return township


def _point(request: HttpRequest, pk: int) -> ServicePoint:
    """The point, if the user may read its township or record at it; else 404."""
    point = (
        ServicePoint.objects.select_related("unit", "place", "township", "campaign")
        .filter(pk=pk)
        .first()
    )
    user = _user(request)
    if point is None or not (
        selectors.can_read_township(user, point.township) or selectors.can_record(user, point)
    ):
        raise Http404
    return point


def _parse_day(raw: str | None) -> dt.date:
    try:
        return dt.date.fromisoformat((raw or "").strip())
    except ValueError:
        return timezone.localdate()


def _form_choices(user: User, township: Division) -> dict[str, list[tuple[str, str]]]:
    gov = selectors.township_unit(township)
    units_q = Q(path__startswith=gov.path) if gov is not None else Q(pk__in=[])
    if user.has_role(Role.ADMINISTRATOR):
        units_q |= Q(kind=Unit.Kind.DEPARTMENT)
    units = [
        (str(pk), name)
        for pk, name in Unit.objects.filter(units_q, is_active=True)
        .order_by("path")
        .values_list("pk", "name")
    ]
    villages = [(v.code, v.name) for v in selectors.villages_of(township)]
    campaigns = [
        (str(pk), name)
        for pk, name in Campaign.objects.filter(Q(township=township) | Q(township__isnull=True))
        .order_by("-starts_on", "-id")
        .values_list("pk", "name")[:50]
    ]
    return {
        "units": units,
        "places": [(township.code, township.name), *villages],
        "villages": villages,
        "campaigns": campaigns,
    }


def _initial(point: ServicePoint) -> dict[str, Any]:
    return {
        "name": point.name,
        "kind": point.kind,
        "kind_label": point.kind_label,
        "unit": str(point.unit_id),
        "place": point.place_id,
        "address": point.address,
        "hours": point.hours,
        "services": "、".join(point.services or []),
        "whole_township": point.whole_township,
        "villages": list(
            ServicePointVillage.objects.filter(point=point).values_list("village_id", flat=True)
        ),
        "campaign": str(point.campaign_id or ""),
        "starts_on": point.starts_on,
        "ends_on": point.ends_on,
    }


def _save_point(
    request: HttpRequest, township: Division, point: ServicePoint | None
) -> HttpResponse:
    user = _user(request)
    if not selectors.can_manage(user, township):
        raise Http404
    choices = _form_choices(user, township)
    if request.method == "POST":
        form = PointForm(request.POST, **choices)
        if form.is_valid():
            try:
                if point is None:
                    saved = service.point_create(actor=user, data=form.to_input())
                else:
                    saved = service.point_update(actor=user, point=point, data=form.to_input())
            except TicketActionError as error:
                if error.field and error.field in form.fields:
                    form.add_error(error.field, error.message)
                else:
                    form.add_error(None, error.message)
            else:
                messages.success(request, _("服务点已保存。"))
                return redirect("governance:point_page", pk=saved.pk)
    elif point is not None:
        form = PointForm(initial=_initial(point), **choices)
    else:
        form = PointForm(**choices)
    context = {"township": township, "point": point, "form": form}
    return render(request, "governance/points/form.html", context)


# --- Pages --------------------------------------------------------------------------------------


@login_required
def points_home(request: HttpRequest) -> HttpResponse:
    """服务点: the user's own unit's points (to record service), and the townships the user may
    read with their coverage (the county's view of the matrix)."""
    user = _user(request)
    today = timezone.localdate()
    mine: list[ServicePoint] = []
    if user.unit is not None:
        mine = list(
            ServicePoint.objects.filter(
                selectors.active_q(today), unit__path__startswith=user.unit.path
            )
            .select_related("township")
            .order_by("township_id", "name")[:MY_POINTS]
        )
    townships = selectors.townships_for(user)
    lines = selectors.county_lines(townships, today)
    context = {
        "mine": mine,
        "lines": lines,
        "today": today,
        "covered": sum(line.covered_population for line in lines),
        "total": sum(line.total_population or 0 for line in lines),
        "uncovered": sum(line.uncovered_villages for line in lines),
    }
    return render(request, "governance/points/home.html", context)


@login_required
def township_points(request: HttpRequest, code: str) -> HttpResponse:
    township = _township(request, code)
    context = {
        "township": township,
        "lines": selectors.township_points(township),
        "can_manage": selectors.can_manage(_user(request), township),
    }
    return render(request, "governance/points/township.html", context)


@login_required
def point_new(request: HttpRequest, code: str) -> HttpResponse:
    return _save_point(request, _township(request, code), None)


@login_required
def point_edit(request: HttpRequest, pk: int) -> HttpResponse:
    point = _point(request, pk)
    return _save_point(request, point.township, point)


@login_required
def point_page(request: HttpRequest, pk: int) -> HttpResponse:
    point = _point(request, pk)
    user = _user(request)
    today = timezone.localdate()
    context = {
        "point": point,
        "served": selectors.served(point, today),
        "active": selectors.is_active(point, today),
        "months": selectors.monthly_totals(point),
        "entries": selectors.recent_entries(point),
        "can_manage": selectors.can_manage(user, point.township),
        "can_record": selectors.can_record(user, point),
    }
    return render(request, "governance/points/point.html", context)


@login_required
def entry_new(request: HttpRequest, pk: int) -> HttpResponse:
    """The phone form for the point's staff: a day, a service, how many."""
    point = _point(request, pk)
    user = _user(request)
    if not selectors.can_record(user, point):
        raise Http404
    services = list(point.services or []) or [point.kind_name]
    if request.method == "POST":
        form = EntryForm(request.POST, services=services)
        if form.is_valid():
            data = form.cleaned_data
            try:
                done = service.entry_record(
                    actor=user,
                    point=point,
                    date=data["date"],
                    service=data["service"],
                    count=data["count"],
                    note=data["note"],
                    token=data["token"],
                )
            except TicketActionError as error:
                if error.field and error.field in form.fields:
                    form.add_error(error.field, error.message)
                else:
                    form.add_error(None, error.message)
            else:
                if done.repeated:
                    messages.info(request, _("这条服务记录已经保存过了，没有重复记录。"))
                else:
                    messages.success(
                        request,
                        _("已记录：%(s)s %(n)s 人次。")
                        % {"s": done.entry.service, "n": done.entry.count},
                    )
                return redirect("governance:point_page", pk=point.pk)
    else:
        form = EntryForm(
            services=services,
            initial={"token": uuid.uuid4(), "date": timezone.localdate()},
        )
    return render(request, "governance/points/entry.html", {"point": point, "form": form})


@login_required
def matrix_page(request: HttpRequest, code: str) -> HttpResponse:
    township = _township(request, code)
    m = selectors.matrix(township, _parse_day(request.GET.get("on")))
    return render(request, "governance/points/matrix.html", {"township": township, "m": m})


@login_required
def matrix_export(request: HttpRequest, code: str) -> HttpResponse:
    """The matrix as Excel: 服务矩阵 (villages × units, the services in each cell, each village's
    population) and 未覆盖的村."""
    township = _township(request, code)
    m = selectors.matrix(township, _parse_day(request.GET.get("on")))
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("服务矩阵"))
    xlsx.append_row(
        sheet,
        [_("村（社区）"), _("常住人口"), _("服务点数"), *[name for _pk, name in m.units]],
    )
    for r in m.rows:
        xlsx.append_row(
            sheet,
            [
                r.village.name,
                r.population if r.population is not None else "",
                r.points,
                *["、".join(cell) for cell in r.cells],
            ],
        )
    xlsx.append_row(sheet, [_("覆盖人口"), m.covered_population, m.points])
    xlsx.append_row(sheet, [_("总人口"), m.total_population or ""])
    missing = book.create_sheet(_("未覆盖的村"))
    xlsx.append_row(missing, [_("村（社区）"), _("常住人口")])
    for r in m.uncovered:
        xlsx.append_row(missing, [r.village.name, r.population if r.population is not None else ""])
    name = f"{township.name}服务矩阵{m.on:%Y-%m-%d}-{xlsx.stamp()}.xlsx"
    return xlsx.download(xlsx.workbook_bytes(book), name)
