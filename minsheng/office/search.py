"""工单查询: filters, 50 a page, and the same filtered rows as an Excel workbook (台账)."""

from __future__ import annotations

from functools import partial
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from minsheng.lib.pagination import capped_page
from minsheng.lib.xlsx import append_row, download, stamp, workbook_bytes
from minsheng.org.access import current_user
from minsheng.org.models import HOTLINE_ROLES, User
from minsheng.org.scoping import scope_for
from minsheng.textproc.pii import normalize_phone
from minsheng.tickets import selectors
from minsheng.tickets.forms import SearchForm
from minsheng.tickets.models import Ticket

PAGE_SIZE = 50
EXPORT_LIMIT = 10_000
COUNT_CAP = 1000  # results are counted exactly up to this many


def _query(user: User, form: SearchForm) -> tuple[selectors.TicketSearch | None, list[str]]:
    """The search asked for, or None with Chinese messages when a filter is unusable."""
    if not form.is_valid():
        errors = [
            f"{form.fields[f].label}：{e}" if f in form.fields else str(e)
            for f, es in form.errors.items()
            for e in es
        ]
        return None, errors
    data = form.cleaned_data
    phone = ""
    if data["phone"].strip():
        phone = normalize_phone(data["phone"]) or ""
        if not phone:
            return None, [_("联系电话格式不正确。")]
    query = selectors.TicketSearch(
        number=data["number"].strip(),
        phone=phone,
        words=data["words"],
        category_id=data["category"].pk if data["category"] else None,
        unit_id=data["unit"].pk if data["unit"] else None,
        status=data["status"],
        division_code=data["division"],
        created_from=data["created_from"],
        created_to=data["created_to"],
    )
    return query, []


def _filters(request: HttpRequest) -> str:
    return urlencode([(k, v) for k, v in request.GET.items() if k != "page" and v])


@login_required
def search(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    form = SearchForm(request.GET or None)
    query, errors = _query(user, form) if form.is_bound else (selectors.TicketSearch(), [])
    page = None
    rows: list[tuple[Ticket, Any]] = []
    if query is not None:
        # Never an exact COUNT of a huge result (docs/benchmarks/pages.md, item 5): the
        # page shows "超过 1000 件" and next/previous instead of the last page.
        # A unit's scope is a few thousand tickets: counted exactly, and without a LIMIT,
        # which would make PostgreSQL walk all tickets newest-first probing each one.
        cap = COUNT_CAP if scope_for(user).everything else None
        page = capped_page(
            selectors.search_tickets(user, query),
            PAGE_SIZE,
            request.GET.get("page"),
            cap=cap,
            first_ids=partial(selectors.search_ticket_ids, user, query),
        )
        tickets = list(page.object_list)
        held = selectors.held_ids(user, tickets)
        rows = selectors.citizens_for(
            user, selectors.with_titles(user, tickets, held=held), held=held
        )
    context = {
        "form": form,
        "errors": errors,
        "page": page,
        "rows": rows,
        "filters": _filters(request),
        "export_limit": EXPORT_LIMIT,
    }
    return render(request, "tickets/search.html", context, status=400 if errors else 200)


EXPORT_HEADERS = (
    "工单号",
    "受理时间",
    "渠道",
    "诉求类型",
    "分类",
    "标题",
    "区划",
    "主办单位",
    "状态",
    "答复结果",
    "满意度",
)


@login_required
def export(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    form = SearchForm(request.GET)
    query, errors = _query(user, form)
    if query is None:
        return render(
            request, "tickets/search.html", {"form": form, "errors": errors, "rows": []}, status=400
        )
    tickets = selectors.search_tickets(user, query)
    with_phone = user.has_role(*HOTLINE_ROLES)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("工单"))
    headers = [_(h) for h in EXPORT_HEADERS]
    if with_phone:
        headers.insert(3, _("诉求人"))
        headers.insert(4, _("联系电话"))
    append_row(sheet, headers)
    total = tickets.count()
    listed = list(tickets[:EXPORT_LIMIT])
    held = selectors.held_ids(user, listed)
    for t in listed:
        row: list[Any] = [
            t.number,
            timezone.localtime(t.created_at).strftime("%Y-%m-%d %H:%M"),
            t.get_channel_display(),
            t.get_kind_display(),
            t.category.full_name if t.category else "",
            selectors.text_for(user, t, holder=t.pk in held).title,
            t.division.name if t.division else "",
            t.lead_unit.name if t.lead_unit else "",
            t.get_status_display(),
            t.get_reply_result_display(),
            t.get_satisfaction_display(),
        ]
        if with_phone:
            citizen = selectors.citizen_for(user, t)
            row[3:3] = [citizen.name, citizen.phone]
        append_row(sheet, row)
    if total > EXPORT_LIMIT:
        append_row(
            sheet,
            [
                _("仅导出前 %(limit)s 条，共 %(total)s 条；请缩小筛选范围。")
                % {"limit": EXPORT_LIMIT, "total": total}
            ],
        )
    return download(workbook_bytes(workbook), f"tickets-{stamp()}.xlsx")
