"""The deadline boards: 临期工单, 超期工单 (with its Excel 台账) and 督办.

Views validate, call one selector or service and render; what is listed and for whom lives in
minsheng.deadlines.selectors, what 督办 and 催办 do in minsheng.tickets.actions.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from minsheng.deadlines import selectors
from minsheng.deadlines.clock import current_calendar
from minsheng.lib.xlsx import append_row, download, stamp, workbook_bytes
from minsheng.org.access import current_user
from minsheng.org.models import Role, Unit, User
from minsheng.tickets import forms as ticket_forms
from minsheng.tickets import rules
from minsheng.tickets.action_table import BY_NAME, TicketAction
from minsheng.tickets.errors import StaleTicket, TicketActionError
from minsheng.tickets.models import Status, Ticket
from minsheng.tickets.selectors import ticket_for, with_titles
from minsheng.tickets.templatetags.deadlines import local_text, overdue_hours, remaining_text

BOARD_ROLES = (
    Role.HANDLER,
    Role.UNIT_LEADER,
    Role.DISPATCHER,
    Role.SUPERVISOR,
    Role.LEADER,
    Role.ADMINISTRATOR,
)
PAGE_SIZE = 50
DEFAULT_HOURS = 24
MAX_HOURS = 24 * 30
EXPORT_LIMIT = 10_000
REMIND_STATUSES = (Status.DISPATCHED, Status.IN_PROGRESS)


def _page(request: HttpRequest, rows: Any) -> Any:
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    user = request.user
    if isinstance(user, User):  # titles masked for a unit as on its ticket pages
        rows = list(page.object_list)
        with_titles(user, [getattr(r, "ticket", r) for r in rows])  # a Supervision's ticket
        page.object_list = rows
    return page


def _filters(request: HttpRequest) -> str:
    """The query string without the page, for the pager's and the export's links."""
    return urlencode([(k, v) for k, v in request.GET.items() if k != "page" and v])


def _errors(form: forms.Form) -> list[str]:
    return [
        f"{form.fields[f].label}：{e}" if f in form.fields else str(e)
        for f, es in form.errors.items()
        for e in es
    ]


# --- 临期 ----------------------------------------------------------------------------------------


class DueForm(forms.Form):
    hours = forms.IntegerField(
        label=gettext_lazy("时间范围（小时）"),
        required=False,
        min_value=1,
        max_value=MAX_HOURS,
        error_messages={
            "invalid": gettext_lazy("请输入整数小时数。"),
            "min_value": gettext_lazy("时间范围至少 1 小时。"),
            "max_value": gettext_lazy("时间范围最多 720 小时（30 天）。"),
        },
    )


@login_required
def due(request: HttpRequest) -> HttpResponse:
    user = current_user(request, *BOARD_ROLES)
    form = DueForm(request.GET or None)
    hours, errors = DEFAULT_HOURS, []
    if form.is_bound:
        if form.is_valid():
            hours = form.cleaned_data["hours"] or DEFAULT_HOURS
        else:
            errors = _errors(form)
    page = _page(request, selectors.due_soon(user, now=timezone.now(), hours=hours))
    context = {
        "form": form,
        "hours": hours,
        "errors": errors,
        "page": page,
        "filters": _filters(request),
    }
    return render(request, "deadlines/due.html", context, status=400 if errors else 200)


# --- 超期 ----------------------------------------------------------------------------------------


def _overdue_unit(request: HttpRequest, user: User) -> tuple[Unit | None, list[str]]:
    code = request.GET.get("unit", "").strip()
    if not code:
        return None, []
    unit = selectors.unit_in_scope(user, code)
    if unit is None:
        return None, [_("单位“%(code)s”不存在或不在您的查看范围内。") % {"code": code}]
    return unit, []


@login_required
def overdue(request: HttpRequest) -> HttpResponse:
    user = current_user(request, *BOARD_ROLES)
    unit, errors = _overdue_unit(request, user)
    now = timezone.now()
    context = {
        "unit": unit,
        "errors": errors,
        "by_unit": selectors.overdue_by_unit(selectors.overdue(user, now=now)),
        "page": _page(request, selectors.overdue(user, now=now, unit=unit)),
        "filters": _filters(request),
        "export_limit": EXPORT_LIMIT,
    }
    return render(request, "deadlines/overdue.html", context, status=400 if errors else 200)


EXPORT_HEADERS = (
    gettext_lazy("工单号"),
    gettext_lazy("标题"),
    gettext_lazy("主办单位"),
    gettext_lazy("状态"),
    gettext_lazy("超期环节"),
    gettext_lazy("时限"),
    gettext_lazy("超期时长"),
    gettext_lazy("超期小时数"),
    gettext_lazy("时限待定"),
    gettext_lazy("受理时间"),
)


def overdue_workbook(tickets: Any, now: dt.datetime, total: int) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("超期工单"))
    append_row(sheet, EXPORT_HEADERS)
    for t in tickets[:EXPORT_LIMIT]:
        append_row(
            sheet,
            [
                t.number,
                t.title,
                t.lead_unit.name if t.lead_unit else "",
                t.get_status_display(),
                str(selectors.DEADLINE_LABELS.get(t.current_name, "")),
                local_text(t.current_due),
                remaining_text(t.current_due, now),
                overdue_hours(t.current_due, now),
                _("是") if t.deadlines_provisional else "",
                local_text(t.created_at),
            ],
        )
    if total > EXPORT_LIMIT:
        append_row(
            sheet,
            [
                _("仅导出前 %(limit)s 条，共 %(total)s 条；请按单位筛选。")
                % {"limit": EXPORT_LIMIT, "total": total}
            ],
        )
    return workbook_bytes(workbook)


def redirect_with_errors(request: HttpRequest, errors: list[str]) -> HttpResponse:
    for error in errors:
        messages.error(request, error)
    return redirect("deadlines:overdue")


@login_required
def overdue_export(request: HttpRequest) -> HttpResponse:
    user = current_user(request, *BOARD_ROLES)
    unit, errors = _overdue_unit(request, user)
    if errors:
        return redirect_with_errors(request, errors)
    now = timezone.now()
    tickets = selectors.overdue(user, now=now, unit=unit)
    return download(overdue_workbook(tickets, now, tickets.count()), f"overdue-{stamp()}.xlsx")


# --- 督办 ----------------------------------------------------------------------------------------

SUPERVISION_TABS = {
    "escalated": gettext_lazy("待督办"),
    "supervisions": gettext_lazy("督办记录"),
}


@login_required
def supervision(request: HttpRequest) -> HttpResponse:
    user = current_user(request, *rules.SUPERVISE_ROLES)
    tab = request.GET.get("tab", "escalated")
    if tab not in SUPERVISION_TABS:
        tab = "escalated"
    rows: Any
    if tab == "escalated":
        rows = selectors.escalated(user, now=timezone.now())
    else:
        rows = selectors.open_supervisions(user)
    context = {
        "tab": tab,
        "tabs": SUPERVISION_TABS,
        "page": _page(request, rows),
        "filters": _filters(request),
    }
    return render(request, "deadlines/supervision.html", context)


def _supervise_form(ticket: Ticket, data: Any = None) -> ticket_forms.SuperviseForm:
    initial = {}
    if data is None:
        # A day's work by default: the next working day at the same time.
        initial["due_at"] = current_calendar().add_working_days(timezone.now(), 1).at
    return ticket_forms.SuperviseForm(data, ticket=ticket, initial=initial)


def _remind_form(ticket: Ticket, data: Any = None) -> ticket_forms.NoteForm:
    form = ticket_forms.NoteForm(data, ticket=ticket)
    form.fields["note"].label = _("催办说明")
    return form


def _run(
    request: HttpRequest, form: forms.Form, action: TicketAction, user: User, ticket: Ticket
) -> HttpResponse | None:
    """Call the action's service (the one action table's entry); on success redirect to the
    board, on refusal put its Chinese reason on the form and return None (the caller re-renders
    with status 400)."""
    if not form.is_valid():
        return None
    try:
        action.perform(ticket, user, form.cleaned_data, form.cleaned_data.get("version"))
    except StaleTicket:
        messages.error(request, _("工单已被他人处理，请刷新后查看最新状态再操作。"))
        return redirect("deadlines:supervise", number=ticket.number)
    except TicketActionError as error:
        field = error.field if error.field in form.fields else None
        form.add_error(field, error.message)
        return None
    done = (
        _("已督办工单 %(number)s。") if action.name == "supervise" else _("已催办工单 %(number)s。")
    )
    messages.success(request, done % {"number": ticket.number})
    return redirect("deadlines:supervision")


@login_required
def supervise(request: HttpRequest, number: str) -> HttpResponse:
    """One ticket's 督办 and 催办 forms; reassigning is on the ticket page (the dispatcher's)."""
    user = current_user(request, *rules.SUPERVISE_ROLES)
    ticket = ticket_for(user, number)
    supervise_form, remind_form = _supervise_form(ticket), _remind_form(ticket)
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "supervise":
        supervise_form = _supervise_form(ticket, request.POST)
        response = _run(request, supervise_form, BY_NAME["supervise"], user, ticket)
    elif action == "remind":
        remind_form = _remind_form(ticket, request.POST)
        response = _run(request, remind_form, BY_NAME["remind"], user, ticket)
    elif action is not None:
        messages.error(request, _("未知的操作。"))
        response = None
    else:
        response = None
    if response is not None:
        return response
    context = {
        "ticket": ticket,
        "supervise_form": supervise_form,
        "remind_form": remind_form,
        "can_remind": ticket.status in REMIND_STATUSES,
        "supervisions": ticket.supervisions.select_related("by").order_by("at"),
    }
    return render(request, "deadlines/supervise.html", context, status=400 if action else 200)
