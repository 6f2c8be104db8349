"""公共设施's staff pages (/facilities/, namespace `facilities`), phones first: the list by
kind, township and status (printable, Excel), a facility's page (open problems, schedules,
rounds, missed rounds), registering and editing, the keeper's round form, the printable sign with
the QR code, the Excel import and the figures. Views validate, call one service, and render."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from openpyxl import Workbook

from minsheng.facilities import figures as figures_module
from minsheng.facilities import importer, qr, rules, selectors
from minsheng.facilities.errors import FacilityError
from minsheng.facilities.forms import FacilityForm, ImportForm, RoundForm, ScheduleForm
from minsheng.facilities.models import (
    BUILTIN_KINDS,
    Facility,
    FacilityPhoto,
    Round,
    Status,
    UpkeepKind,
)
from minsheng.facilities.services import (
    FacilityInput,
    ScheduleInput,
    facility_add_photo,
    facility_create,
    facility_update,
    round_log,
    schedule_save,
    schedule_set_active,
)
from minsheng.facilities.services.upkeep import checklist_for
from minsheng.lib import xlsx
from minsheng.org.access import current_user
from minsheng.org.models import User


def _staff(request: HttpRequest) -> User:
    user = current_user(request)
    if not rules.is_staff(user):
        raise Http404
    return user


def _facility(user: User, pk: int) -> Facility:
    found = selectors.facility(user, pk)
    if found is None:
        raise Http404
    return found


def _refused(form: forms.Form | None, error: FacilityError, request: HttpRequest) -> None:
    field = getattr(error, "field", None)
    if form is not None and field and field in form.fields:
        form.add_error(field, str(error))
    elif form is not None:
        form.add_error(None, str(error))
    else:
        messages.error(request, str(error))


def _filters(request: HttpRequest) -> selectors.Filters:
    def value(name: str, limit: int) -> str:
        return str(request.GET.get(name) or "").strip()[:limit]

    status = value("status", 8)
    township = value("township", 12)
    return selectors.Filters(
        kind=value("kind", 30),
        township=township if township.isascii() and township.isdigit() else "",
        status=status if status in Status.values else "",
        query=value("q", 40),
    )


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The list; ?format=xlsx is its Excel, ?print=1 its printable page."""
    user = _staff(request)
    filters = _filters(request)
    rows = selectors.facilities(user, filters)
    if request.GET.get("format") == "xlsx":
        return _export(rows)
    page = Paginator(rows, selectors.LIST_PAGE).get_page(request.GET.get("page"))
    items = list(page.object_list)
    problems = selectors.open_problem_counts([f.pk for f in items])
    listed = [
        {
            "f": f,
            "township": selectors.township_name(f),
            "place": selectors.place_text(f),
            "keeper": selectors.keeper_text(f),
            "problems": problems.get(f.pk, 0),
        }
        for f in items
    ]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "listed": listed,
        "filters": filters,
        "kinds": selectors.kinds(user),
        "townships": selectors.townships(),
        "statuses": Status.choices,
        "query": query.urlencode(),
        "printing": request.GET.get("print") == "1",
        "can_create": rules.is_admin(user) or user.has_role("handler", "unit_leader"),
    }
    return render(request, "facilities/list.html", context)


def _export(rows: Any) -> HttpResponse:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("公共设施")
    header = [
        "编码",
        "类型",
        "名称",
        "乡镇",
        "村（社区）",
        "地址",
        "管理单位",
        "管理员",
        "开放时间",
        "等级",
        "状态",
    ]
    xlsx.append_row(sheet, header)
    for f in rows[:20_000]:
        village = f.place.name if f.place.parent_id and f.place.level == 5 else ""
        xlsx.append_row(
            sheet,
            [
                f.public_code,
                f.kind,
                f.name,
                selectors.township_name(f),
                village,
                f.address,
                f.owner.name,
                selectors.keeper_text(f),
                f.opening_text(),
                f.standard,
                f.get_status_display(),
            ],
        )
    return xlsx.download(xlsx.workbook_bytes(book), f"公共设施-{xlsx.stamp()}.xlsx")


def _input(form: FacilityForm) -> FacilityInput:
    data = form.cleaned_data
    return FacilityInput(
        kind=form.chosen_kind(),
        name=data["name"],
        place=data["place"],
        owner=data["owner"],
        address=data["address"] or "",
        lat=data["lat"],
        lng=data["lng"],
        keeper_user=data["keeper_user"],
        keeper_unit=data["keeper_unit"],
        all_day=bool(data["all_day"]),
        opens_at=data["opens_at"],
        closes_at=data["closes_at"],
        standard=data["standard"] or "",
        status=data["status"],
        note=data["note"] or "",
    )


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    form = FacilityForm(request.POST or None, user=user, initial={"all_day": True})
    if request.method == "POST" and form.is_valid():
        try:
            facility = facility_create(actor=user, data=_input(form))
        except FacilityError as refused:
            _refused(form, refused, request)
        else:
            messages.success(request, _("设施已登记。"))
            return redirect("facilities:detail", pk=facility.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "facilities/form.html", {"form": form, "facility": None}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _staff(request)
    facility = _facility(user, pk)
    if not rules.may_edit(user, facility.owner):
        raise Http404
    kind_builtin = facility.kind in BUILTIN_KINDS
    initial = {
        "kind": facility.kind if kind_builtin else "__custom__",
        "custom_kind": "" if kind_builtin else facility.kind,
        "name": facility.name,
        "place": facility.place_id,
        "address": facility.address,
        "owner": facility.owner_id,
        "keeper_user": facility.keeper_user_id,
        "keeper_unit": facility.keeper_unit_id,
        "all_day": facility.all_day,
        "opens_at": facility.opens_at,
        "closes_at": facility.closes_at,
        "standard": facility.standard,
        "status": facility.status,
        "lat": facility.lat,
        "lng": facility.lng,
        "note": facility.note,
        "version": facility.version,
    }
    form = FacilityForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            facility_update(
                actor=user,
                facility=facility,
                data=_input(form),
                expected_version=form.cleaned_data["version"],
            )
        except FacilityError as refused:
            _refused(form, refused, request)
        else:
            messages.success(request, _("设施信息已保存。"))
            return redirect("facilities:detail", pk=facility.pk)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "facility": facility}
    return render(request, "facilities/form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _staff(request)
    facility = _facility(user, pk)
    can_edit = rules.may_edit(user, facility.owner)
    schedule_form = ScheduleForm()
    if request.method == "POST" and can_edit:
        action = request.POST.get("action")
        try:
            if action == "schedule":
                schedule_form = ScheduleForm(request.POST)
                if schedule_form.is_valid():
                    d = schedule_form.cleaned_data
                    schedule_save(
                        actor=user,
                        facility=facility,
                        data=ScheduleInput(
                            kind=d["kind"],
                            rule=d["rule"],
                            every_minutes=d["every_minutes"],
                            times=d["times"] or "",
                            weekday=d["weekday"],
                            monthday=d["monthday"],
                            day_from=d["day_from"],
                            day_to=d["day_to"],
                            working_days_only=bool(d["working_days_only"]),
                        ),
                    )
                    messages.success(request, _("计划已保存。"))
                    return redirect("facilities:detail", pk=pk)
            elif action in ("stop", "start"):
                raw = str(request.POST.get("schedule") or "")
                found = (
                    selectors.schedule(facility, int(raw))
                    if raw.isascii() and raw.isdigit()
                    else None
                )
                if found is None:
                    raise Http404
                schedule_set_active(actor=user, schedule=found, active=action == "start")
                messages.success(
                    request, _("计划已启用。") if action == "start" else _("计划已停用。")
                )
                return redirect("facilities:detail", pk=pk)
            elif action == "photo" and request.FILES.get("photo"):
                facility_add_photo(actor=user, facility=facility, upload=request.FILES["photo"])
                messages.success(request, _("照片已添加。"))
                return redirect("facilities:detail", pk=pk)
        except FacilityError as refused:
            _refused(schedule_form if action == "schedule" else None, refused, request)
    context = {
        "f": facility,
        "place": selectors.place_text(facility),
        "keeper": selectors.keeper_text(facility),
        "problems": selectors.open_problems(facility),
        "schedules": selectors.schedules(facility),
        "rounds": selectors.recent_rounds(facility),
        "missed": selectors.recent_missed(facility),
        "photos": list(facility.photos.all()[:12]),
        "can_edit": can_edit,
        "can_log": rules.may_log_round(
            user,
            owner=facility.owner,
            keeper_user_id=facility.keeper_user_id,
            keeper_unit=facility.keeper_unit,
        ),
        "schedule_form": schedule_form,
    }
    return render(request, "facilities/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def round_form(request: HttpRequest, pk: int) -> HttpResponse:
    """The keeper's form at 375 px: a cleaning or an inspection, a note, a photo."""
    user = _staff_or_keeper(request)
    facility = _facility(user, pk)
    kind = str(request.GET.get("kind") or UpkeepKind.CLEANING)
    items = checklist_for(facility.kind)
    form = RoundForm(initial={"kind": kind, "form_token": uuid.uuid4()})
    if request.method == "POST":
        form = RoundForm(request.POST, request.FILES)
        scores: dict[int, int] = {}
        for item in items:
            raw = str(request.POST.get(f"item_{item.pk}") or "")
            if raw.isascii() and raw.isdigit():
                scores[item.pk] = int(raw)
        if form.is_valid():
            d = form.cleaned_data
            try:
                done, repeated = round_log(
                    actor=user,
                    facility=facility,
                    kind=d["kind"],
                    form_token=d["form_token"],
                    note=d["note"] or "",
                    photo=d["photo"],
                    done_at=d["done_at"],
                    scores=scores,
                )
            except FacilityError as refused:
                _refused(form, refused, request)
            else:
                if repeated:
                    messages.info(request, _("这次保洁巡检已登记过，没有重复登记。"))
                else:
                    messages.success(request, _("已登记：%(t)s") % {"t": _local(done.done_at)})
                return redirect("facilities:round", pk=pk)
    context = {
        "f": facility,
        "form": form,
        "items": items,
        "recent": selectors.recent_rounds(facility, 5),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "facilities/round.html", context, status=status)


def _staff_or_keeper(request: HttpRequest) -> User:
    """Keepers may be users without a unit role (a cleaner's account): they see their own."""
    user = current_user(request)
    if not user.is_authenticated:
        raise Http404
    return user


def _local(moment: dt.datetime) -> str:
    return f"{timezone.localtime(moment):%H:%M}"


@login_required
def sign(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable sign (A5/A4): name, kind, the QR code, the keeper's masked phone, 12345."""
    user = _staff(request)
    facility = _facility(user, pk)
    url = qr.public_url(request, facility.public_code)
    size = "a5" if request.GET.get("size") == "a5" else "a4"
    context = {
        "f": facility,
        "url": url,
        "svg": qr.qr_svg(url),
        "contact": selectors.keeper_contact(facility),
        "size": size,
    }
    return render(request, "facilities/sign.html", context)


@login_required
def photo(request: HttpRequest, pk: int) -> FileResponse:
    user = _staff(request)
    found = FacilityPhoto.objects.filter(pk=pk).first()
    if found is None or selectors.facility(user, found.facility_id) is None:
        raise Http404
    response = FileResponse(found.file.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
def round_photo(request: HttpRequest, pk: int) -> FileResponse:
    user = _staff(request)
    found = Round.objects.filter(pk=pk).first()
    if found is None or not found.photo or selectors.facility(user, found.facility_id) is None:
        raise Http404
    response = FileResponse(found.photo.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
def import_template(request: HttpRequest) -> HttpResponse:
    _staff(request)
    return xlsx.download(importer.template(), "公共设施导入模板.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def import_view(request: HttpRequest) -> HttpResponse:
    """Upload: every bad row named; all rows saved, or none."""
    user = _staff(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    result: importer.Result | None = None
    county = str(settings.MINSHENG_COUNTY_CODE)[:6]
    if request.method == "POST" and form.is_valid():
        content = form.cleaned_data["file"].read()
        try:
            result = importer.preview(user, content, county)
            if not result.bad:
                result = importer.apply(user, content, county)
                messages.success(
                    request,
                    _("导入完成：新登记 %(c)d 个，更新 %(u)d 个，未变 %(s)d 个。")
                    % {"c": result.created, "u": result.updated, "s": result.unchanged},
                )
                return redirect("facilities:home")
        except FacilityError as refused:
            _refused(form, refused, request)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "facilities/import.html", {"form": form, "result": result}, status=status
    )


@login_required
def figures(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    start, end = figures_module.period(request.GET.get("from"), request.GET.get("to"))
    data = figures_module.figures(user, start, end)
    if request.GET.get("format") == "xlsx":
        return xlsx.download(figures_module.workbook(data), f"公共设施统计-{xlsx.stamp()}.xlsx")
    context = {"data": data, "start": start, "end": end, "map": figures_module.map_settings()}
    return render(request, "facilities/figures.html", context)
