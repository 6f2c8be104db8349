"""民生实事's staff pages (/governance/commitments/): the lists, a list with each commitment's
progress bar and the figures (Excel export), a commitment with its works and tasks, a work with
its reports and the owner's forms (task progress, status, monthly report).

Seen by the hotline's leaders, supervisors and administrators and by units' handlers and leaders
(commitments are public work; the lists are not scoped). Writes go through
`services.commitments`, which checks who may (the owner unit reports)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from openpyxl import Workbook
from openpyxl.styles import Font

from minsheng.governance import commitments as progress
from minsheng.governance.models import (
    Commitment,
    CommitmentList,
    ProgressReport,
    Task,
    Work,
    WorkStatus,
)
from minsheng.governance.services import commitments as services
from minsheng.lib.xlsx import append_row, download, workbook_bytes
from minsheng.org.models import Role, User
from minsheng.tickets.errors import InvalidInput, TicketActionError
from minsheng.tickets.models import Ticket

VIEWERS = (Role.UNIT_LEADER, Role.HANDLER, Role.LEADER, Role.SUPERVISOR, Role.ADMINISTRATOR)


def _viewer(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not user.has_role(*VIEWERS):
        raise Http404
    return user


def _posted(request: HttpRequest, *names: str) -> dict[str, str]:
    return {name: str(request.POST.get(name, "")) for name in names}


@login_required
@require_http_methods(["GET", "POST"])
def home(request: HttpRequest) -> HttpResponse:
    """Every list, newest year first; administrators create a list here."""
    user = _viewer(request)
    error = ""
    if request.method == "POST":
        try:
            clist = services.list_create(
                actor=user,
                year=request.POST.get("year", ""),
                area_code=request.POST.get("area", ""),
                title=request.POST.get("title", ""),
            )
        except TicketActionError as exc:
            error = exc.message
        else:
            messages.success(request, _("清单已创建。"))
            return HttpResponseRedirect(reverse("governance:commitment_list", args=[clist.pk]))
    lists = list(CommitmentList.objects.select_related("area").order_by("-year", "-id")[:100])
    if len(lists) == 1 and request.method == "GET" and not services.can_manage(user):
        return HttpResponseRedirect(reverse("governance:commitment_list", args=[lists[0].pk]))
    return render(
        request,
        "governance/commitments/home.html",
        {
            "lists": lists,
            "can_manage": services.can_manage(user),
            "error": error,
            "post": _posted(request, "year", "area", "title"),
            "this_year": timezone.localdate().year,
        },
        status=400 if error else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def list_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A list: figures, each commitment's progress bar; administrators add a commitment and
    publish or withdraw the list (POST `action`: commitment, publish)."""
    user = _viewer(request)
    clist = get_object_or_404(CommitmentList.objects.select_related("area"), pk=pk)
    error = ""
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "commitment":
                services.commitment_create(
                    actor=user,
                    clist=clist,
                    title=request.POST.get("title", ""),
                    description=request.POST.get("description", ""),
                    weight=request.POST.get("weight", ""),
                    origin_ticket_ids=_ticket_ids(request.POST.get("origins", "")),
                )
                messages.success(request, _("实事已添加。"))
            elif action == "publish":
                services.list_update(
                    actor=user, clist=clist, published=request.POST.get("published") == "1"
                )
                messages.success(request, _("公开状态已更新。"))
            else:
                raise Http404
        except TicketActionError as exc:
            error = exc.message
        else:
            return HttpResponseRedirect(request.path)
    view = progress.load(clist)
    if request.GET.get("format") == "xlsx":
        return _export(view)
    return render(
        request,
        "governance/commitments/list.html",
        {
            "view": view,
            "figures": view.figures(),
            "origins": progress.origin_counts(clist),
            "export_url": request.path + "?format=xlsx",
            "can_manage": services.can_manage(user),
            "error": error,
            "post": _posted(request, "title", "description", "weight", "origins"),
        },
        status=400 if error else 200,
    )


def _ticket_ids(text: str) -> list[int]:
    """Origin tickets typed as their numbers (工单号), separated by spaces or commas."""
    numbers = [n for n in text.replace("，", " ").replace(",", " ").split() if n]
    if not numbers:
        return []
    if len(numbers) > services.ORIGINS_MAX:
        raise InvalidInput(_("来源诉求太多。"), field="origins")
    found = dict(Ticket.objects.filter(number__in=numbers).values_list("number", "pk"))
    missing = [n for n in numbers if n not in found]
    if missing:
        raise InvalidInput(
            _("没有这些工单：%(numbers)s") % {"numbers": "、".join(missing[:5])}, field="origins"
        )
    return list(found.values())


def _export(view: progress.ListView) -> HttpResponse:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("民生实事")
    append_row(sheet, [view.clist.title])
    append_row(
        sheet,
        [_("截至 %(day)s；总体进度 %(p)s%%") % {"day": timezone.localdate(), "p": view.shown}],
    )
    header = [
        _("序号"),
        _("实事"),
        _("实事进度（%）"),
        _("项目"),
        _("责任单位"),
        _("预算（万元）"),
        _("计划完工"),
        _("实际完工"),
        _("状态"),
        _("项目进度（%）"),
        _("最近月报"),
    ]
    append_row(sheet, header)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for c in view.commitments:
        if not c.works:
            append_row(sheet, [c.commitment.position, c.commitment.title, float(c.shown)])
        for w in c.works:
            append_row(
                sheet,
                [
                    c.commitment.position,
                    c.commitment.title,
                    float(c.shown),
                    w.work.title,
                    w.work.owner.name,
                    float(w.work.budget) if w.work.budget is not None else None,
                    w.work.planned_end,
                    w.work.actual_end,
                    str(w.work.get_status_display()),
                    float(w.shown),
                    f"{w.latest.month:%Y-%m} {w.latest.text}" if w.latest else "",
                ],
            )
    sheet.column_dimensions["B"].width = 24
    sheet.column_dimensions["D"].width = 24
    return download(workbook_bytes(book), f"{view.clist.title}-{timezone.localdate():%Y%m%d}.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def commitment_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A commitment, its works and their tasks; administrators add a work."""
    user = _viewer(request)
    clist = get_object_or_404(CommitmentList.objects.select_related("area"), commitments__pk=pk)
    error = ""
    if request.method == "POST" and request.POST.get("action") == "edit":
        commitment = get_object_or_404(Commitment, pk=pk)
        try:
            services.commitment_update(
                actor=user,
                commitment=commitment,
                title=request.POST.get("title", ""),
                description=request.POST.get("description", ""),
                weight=request.POST.get("weight", "") or None,
                origin_ticket_ids=_ticket_ids(request.POST.get("origins", "")),
            )
        except TicketActionError as exc:
            error = exc.message
        else:
            messages.success(request, _("已保存。"))
            return HttpResponseRedirect(request.path)
    elif request.method == "POST":
        commitment = get_object_or_404(Commitment, pk=pk)
        try:
            services.work_create(
                actor=user,
                commitment=commitment,
                title=request.POST.get("title", ""),
                owner=request.POST.get("owner", ""),
                budget=request.POST.get("budget", ""),
                planned_start=request.POST.get("planned_start", ""),
                planned_end=request.POST.get("planned_end", ""),
                weight=request.POST.get("weight", ""),
            )
        except TicketActionError as exc:
            error = exc.message
        else:
            messages.success(request, _("项目已添加。"))
            return HttpResponseRedirect(request.path)
    view = progress.load(clist, commitment_id=pk)
    item = view.commitments[0]
    origins = list(item.commitment.origin_tickets.order_by("id").values_list("id", "number"))
    return render(
        request,
        "governance/commitments/commitment.html",
        {
            "clist": clist,
            "item": item,
            "origins": origins,
            "reporting": {w.work.pk for w in item.works if services.can_report(user, w.work)},
            "can_manage": services.can_manage(user),
            "error": error,
            "post": _posted(
                request,
                "action",
                "title",
                "owner",
                "budget",
                "planned_start",
                "planned_end",
                "weight",
            ),
        },
        status=400 if error else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def work_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A work: its tasks, status and reports; the owner's forms (POST `action`: task, status,
    report). Each form calls one service; a refusal is shown above the forms."""
    user = _viewer(request)
    work = get_object_or_404(Work.objects.select_related("owner", "commitment__clist"), pk=pk)
    errors: dict[str, str] = {}
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "report":
                services.report_progress(
                    actor=user,
                    work=work,
                    month=request.POST.get("month", ""),
                    percent=request.POST.get("percent", ""),
                    text=request.POST.get("text", ""),
                    photo=request.FILES.get("photo"),
                )
                messages.success(request, _("进展已报送。"))
            elif action == "task":
                raw = str(request.POST.get("task", ""))
                task = get_object_or_404(
                    Task, pk=int(raw) if raw.isascii() and raw.isdigit() else 0, work=work
                )
                services.task_progress(
                    actor=user, task=task, progress=request.POST.get("progress", "")
                )
                messages.success(request, _("任务进度已更新。"))
            elif action == "new_task":
                services.task_create(
                    actor=user,
                    work=work,
                    title=request.POST.get("title", ""),
                    weight=request.POST.get("weight", ""),
                    planned_on=request.POST.get("planned_on", ""),
                )
                messages.success(request, _("任务已添加。"))
            elif action == "status":
                services.work_update(actor=user, work=work, status=request.POST.get("status", ""))
                messages.success(request, _("项目状态已更新。"))
            else:
                raise Http404
        except TicketActionError as exc:
            errors[action or ""] = exc.message
        else:
            return HttpResponseRedirect(request.path)
    clist = work.commitment.clist
    view = progress.load(clist, commitment_id=work.commitment_id)
    item = next(w for w in view.commitments[0].works if w.work.pk == work.pk)
    reports = list(work.reports.select_related("reported_by").order_by("-month", "-id")[:24])
    context: dict[str, Any] = {
        "clist": clist,
        "commitment": work.commitment,
        "item": item,
        "reports": reports,
        "errors": errors,
        "post": request.POST if request.method == "POST" else {},
        "can_report": services.can_report(user, work),
        "can_update": services.can_update_work(user, work),
        "can_manage": services.can_manage(user),
        "statuses": WorkStatus.choices,
        "this_month": timezone.localdate().strftime("%Y-%m"),
    }
    return render(
        request,
        "governance/commitments/work.html",
        context,
        status=400 if errors else 200,
    )


def photo_response(report: ProgressReport) -> HttpResponseBase:
    """A report's photo (a JPEG re-encoded without metadata by the service), streamed or handed
    to the web server like every attachment (MINSHENG_SENDFILE)."""
    if not report.photo:
        raise Http404("no photo")
    mode = settings.MINSHENG_SENDFILE
    response: HttpResponseBase
    if mode == "x-accel-redirect":
        response = HttpResponse()
        response["X-Accel-Redirect"] = f"{settings.MINSHENG_SENDFILE_PREFIX}{report.photo.name}"
    elif mode == "x-sendfile":
        response = HttpResponse()
        response["X-Sendfile"] = report.photo.path
    else:
        try:
            response = FileResponse(report.photo.open("rb"))
        except FileNotFoundError:
            raise Http404("file missing") from None
    response["Content-Type"] = "image/jpeg"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def report_photo(request: HttpRequest, pk: int) -> HttpResponseBase:
    _viewer(request)
    report = get_object_or_404(ProgressReport, pk=pk)
    response = photo_response(report)
    response["Cache-Control"] = "private, max-age=3600"
    return response
