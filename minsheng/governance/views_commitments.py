"""民生实事's staff pages (/governance/commitments/): the lists, a list with each commitment's
progress bar and the figures (Excel export), a commitment with its works and tasks, a work with
its reports and the owner's forms (task progress, status, monthly report).

Seen by the hotline's leaders, supervisors and administrators and by units' handlers and leaders
(commitments are public work; the lists are not scoped). Writes go through
`services.commitments`, which checks who may (the owner unit reports)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from openpyxl import Workbook
from openpyxl.styles import Font

from minsheng.governance import commitments as progress
from minsheng.governance.models import CommitmentList, Task, Work, WorkStatus
from minsheng.governance.services import commitments as services
from minsheng.lib.xlsx import append_row, download, workbook_bytes
from minsheng.org.models import Role, User
from minsheng.tickets.errors import TicketActionError

VIEWERS = (Role.UNIT_LEADER, Role.HANDLER, Role.LEADER, Role.SUPERVISOR, Role.ADMINISTRATOR)


def _viewer(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not user.has_role(*VIEWERS):
        raise Http404
    return user


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Every list, newest year first."""
    user = _viewer(request)
    lists = list(CommitmentList.objects.select_related("area").order_by("-year", "-id")[:100])
    if len(lists) == 1:
        return HttpResponseRedirect(f"{lists[0].pk}/")
    return render(
        request,
        "governance/commitments/home.html",
        {"lists": lists, "can_manage": services.can_manage(user)},
    )


@login_required
def list_page(request: HttpRequest, pk: int) -> HttpResponse:
    _viewer(request)
    clist = get_object_or_404(CommitmentList.objects.select_related("area"), pk=pk)
    view = progress.load(clist)
    if request.GET.get("format") == "xlsx":
        return _export(view)
    return render(
        request,
        "governance/commitments/list.html",
        {"view": view, "figures": view.figures(), "export_url": request.path + "?format=xlsx"},
    )


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
def commitment_page(request: HttpRequest, pk: int) -> HttpResponse:
    user = _viewer(request)
    clist = get_object_or_404(CommitmentList.objects.select_related("area"), commitments__pk=pk)
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
        },
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
                task = get_object_or_404(Task, pk=request.POST.get("task") or 0, work=work)
                services.task_progress(
                    actor=user, task=task, progress=request.POST.get("progress", "")
                )
                messages.success(request, _("任务进度已更新。"))
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
        "statuses": WorkStatus.choices,
        "this_month": timezone.localdate().strftime("%Y-%m"),
    }
    return render(
        request,
        "governance/commitments/work.html",
        context,
        status=400 if errors else 200,
    )
