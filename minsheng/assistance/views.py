"""帮扶台账's pages (/assistance/): an area's ledger (masked, printable, exported with a logged
purpose), a person's page (masked; "查看完整信息" with a reason, logged), add and edit a person
(de-duplicated by the ID number), what is done for a person (visit, measure, certificate,
employment, referral and hire), the station's page, the figures, and the access log.
Views validate, call one service, and render; outside the reader's scope they answer 404."""

from __future__ import annotations

import base64
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font

from minsheng.assistance import crypto, rules, selectors
from minsheng.assistance import figures as figures_module
from minsheng.assistance import forms as f
from minsheng.assistance.errors import AssistanceError, Duplicate, InvalidInput
from minsheng.assistance.models import (
    CATEGORIES,
    ApplicationStatus,
    AttendanceOutcome,
    ChecklistEntry,
    Employment,
    FullEmploymentApplication,
    Match,
    Need,
    Person,
    SixOne,
    StationEvent,
)
from minsheng.assistance.services import events as event_service
from minsheng.assistance.services import full_employment as full_service
from minsheng.assistance.services import imports
from minsheng.assistance.services import links as link_service
from minsheng.assistance.services import people as service
from minsheng.assistance.services import stations as station_service
from minsheng.lib import xlsx
from minsheng.org.access import current_user
from minsheng.org.models import Division, User, division_code_prefix
from minsheng.textproc.pii import mask_phone, mask_pii
from minsheng.tickets import selectors as ticket_selectors

PAGE_SIZE = 50
EXPORT_MAX = 20000


def _refused(request: HttpRequest, form: forms.Form | None, error: AssistanceError) -> None:
    messages.error(request, error.message)
    if form is not None and error.field and error.field in form.fields:
        form.add_error(error.field, error.message)


def _area_or_404(user: User, code: str, *, figures: bool = False) -> Division:
    division = selectors.area(user, code, figures=figures)
    if division is None:
        raise Http404("area not found")
    return division


def _village_or_404(user: User, code: str) -> Division:
    division = _area_or_404(user, code)
    if division.level != Division.Level.VILLAGE:
        raise Http404("not a village")
    return division


def _person_or_404(user: User, pk: int) -> Person:
    person = selectors.person_for(user, pk)
    if person is None:
        raise Http404("person not found")
    return person


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """A station's worker lands on their village's ledger, a township on its figures, a county
    department on its people, leaders on the county's figures."""
    user = current_user(request)
    scope = rules.figures_scope(user)
    if scope.empty:
        raise Http404("no ledger")
    county = str(settings.MINSHENG_COUNTY_CODE)
    if scope.prefixes and len(scope.prefixes) == 1:
        code = scope.prefixes[0].ljust(12, "0")
        if len(scope.prefixes[0]) == 12:
            return redirect("assistance:ledger", code=code)
        return redirect("assistance:figures", code=code)
    if scope.categories is not None:
        return redirect("assistance:ledger", code=county)
    return redirect("assistance:figures", code=county)


def _ledger_rows(request: HttpRequest, user: User, division: Division) -> Any:
    return selectors.people_of(
        user,
        division,
        category=request.GET.get("category", "")[:20],
        query=request.GET.get("q", "")[:40],
    )


@login_required
def ledger(request: HttpRequest, code: str) -> HttpResponse:
    user = current_user(request)
    division = _area_or_404(user, code)
    scope = rules.ledger_scope(user)
    page = Paginator(_ledger_rows(request, user, division), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "division": division,
        "page": page,
        "rows": selectors.with_categories(list(page.object_list)),
        # The person's URL without its id, reversed once rather than once per row.
        "person_url": reverse("assistance:person", args=[0]).removesuffix("0/"),
        "categories": CATEGORIES,
        "category": request.GET.get("category", ""),
        "q": request.GET.get("q", ""),
        "can_write": scope.can_write
        and scope.covers_code(division.code)
        and division.level == Division.Level.VILLAGE,
        "is_village": division.level == Division.Level.VILLAGE,
        "audits": rules.audits(user, division_code_prefix(division.code, division.level)),
        "export_form": f.ExportForm(),
    }
    return render(request, "assistance/ledger.html", context)


EXPORT_HEADER = (
    "序号",
    "村（社区）",
    "户",
    "姓名",
    "性别",
    "出生年份",
    "身份证号（脱敏）",
    "电话（脱敏）",
    "类别",
    "登记劳动力",
    "需求",
)


@login_required
def export(request: HttpRequest, code: str) -> HttpResponse:
    """The ledger as Excel, in the paper ledger's columns, masked; the purpose is asked for and
    written to the access log with the number of rows."""
    user = current_user(request)
    division = _area_or_404(user, code)
    form = f.ExportForm(request.POST or None)
    if request.method != "POST" or not form.is_valid():
        if request.method == "POST":
            messages.error(request, _("请写明导出用途（4 至 200 个字）。"))
        return render(
            request,
            "assistance/export.html",
            {"division": division, "form": form},
            status=400 if request.method == "POST" else 200,
        )
    rows = selectors.with_categories(list(_ledger_rows(request, user, division)[:EXPORT_MAX]))
    try:
        service.log_export(user, division.code, form.cleaned_data["purpose"], len(rows))
    except AssistanceError as error:
        _refused(request, form, error)
        return render(
            request, "assistance/export.html", {"division": division, "form": form}, status=400
        )
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("帮扶台账")
    xlsx.append_row(sheet, [_("%(name)s帮扶台账") % {"name": division.name}])
    xlsx.append_row(sheet, EXPORT_HEADER)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for number, person in enumerate(rows, start=1):
        xlsx.append_row(
            sheet,
            [
                number,
                person.village.name,
                person.household.label if person.household else "",
                person.name,
                person.sex,
                person.birth_year,
                person.id_mask,
                person.phone_mask,
                "、".join(person.category_names),  # type: ignore[attr-defined]
                "是" if person.in_workforce else "否",
                person.needs,
            ],
        )
    name = f"{division.name}帮扶台账-{timezone.localdate():%Y%m%d}.xlsx"
    return xlsx.download(xlsx.workbook_bytes(book), name)


@login_required
def person_new(request: HttpRequest, code: str) -> HttpResponse:
    user = current_user(request)
    village = _village_or_404(user, code)
    form = f.PersonForm(request.POST or None)
    duplicate: int | None = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                person = service.person_create(user, village, form.data_object())
            except Duplicate as error:
                _refused(request, form, error)
                duplicate = error.person_id if error.visible else None
            except AssistanceError as error:
                _refused(request, form, error)
            else:
                messages.success(request, _("已登记。"))
                return redirect("assistance:person", pk=person.pk)
        status = 400
    return render(
        request,
        "assistance/person_form.html",
        {"division": village, "form": form, "duplicate": duplicate, "person": None},
        status=status,
    )


@login_required
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    person = _person_or_404(user, pk)
    held = list(person.categories.order_by("pk").values_list("category", flat=True))
    initial = {
        "name": person.name,
        "categories": [c for c in held if c in CATEGORIES],
        "custom_categories": "、".join(c for c in held if c not in CATEGORIES),
        "household": person.household.label if person.household else "",
        "in_workforce": person.in_workforce,
        "needs": person.needs,
    }
    form = f.PersonForm(request.POST or None, initial=initial, editing=True)
    duplicate: int | None = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.data_object()
            try:
                if not data.phone and not request.POST.get("clear_phone"):
                    # The masked phone is never put back in the form: blank keeps it.
                    data.phone = None
                service.person_update(user, person, data)
            except Duplicate as error:
                _refused(request, form, error)
                duplicate = error.person_id if error.visible else None
            except AssistanceError as error:
                _refused(request, form, error)
            else:
                messages.success(request, _("已保存。"))
                return redirect("assistance:person", pk=person.pk)
        status = 400
    return render(
        request,
        "assistance/person_form.html",
        {"division": person.village, "form": form, "duplicate": duplicate, "person": person},
        status=status,
    )


ACTIONS = (
    "visit",
    "assistance",
    "certificate",
    "employment",
    "refer",
    "advance",
    "need",
    "close",
    "link",
)


def _act(user: User, person: Person, action: str, form: forms.Form, request: HttpRequest) -> str:
    d = form.cleaned_data
    if action == "visit":
        service.visit_add(user, person, d["visited_on"], d["note"])
        return _("已记录走访。")
    if action == "assistance":
        service.assistance_add(
            user, person, measure=d["measure"], started_on=d["started_on"], note=d["note"]
        )
        return _("已记录帮扶措施。")
    if action == "certificate":
        service.certificate_add(
            user, person, kind=d["kind"], level=d["level"], obtained_on=d["obtained_on"]
        )
        return _("已记录证书。")
    if action == "employment":
        service.employment_add(
            user,
            person,
            employer=d["employer"],
            since=d["since"],
            work=d["work"],
            income_band=d["income_band"],
        )
        return _("已记录就业情况。")
    if action == "refer":
        posting = selectors.open_postings_near(person).filter(pk=d["posting"]).first()
        if posting is None:
            raise Http404("posting not found")
        station_service.match_refer(user, person, posting, d["referred_on"])
        return _("已推荐岗位。")
    if action == "advance":
        match = Match.objects.filter(person=person, pk=d["match"]).select_related("posting").first()
        if match is None:
            raise Http404("match not found")
        station_service.match_advance(user, match, d["status"], d["on"])
        return _("已更新推荐进度。")
    if action == "need":
        service.need_open(user, person, d["text"])
        return _("已记录需求。")
    if action == "link":
        ticket = link_service.find_ticket(user, d["number"])
        if ticket is None:
            raise InvalidInput(_("找不到该工单，或您无权查看。"), field="number")
        assert isinstance(form, f.TicketLinkForm)
        link_service.link_ticket(user, person, ticket, form.consent_object())
        return _("已关联工单。")
    raw = request.POST.get("need", "")
    need = (
        Need.objects.filter(person=person, pk=int(raw)).first()
        if raw.isdigit() and len(raw) < 19
        else None
    )
    if need is None:
        raise Http404("need not found")
    service.need_close(user, need)
    return _("需求已解决。")


def _forms(person: Person, data: Any = None, action: str = "") -> dict[str, forms.Form]:
    postings = [
        (p.pk, f"{p.employer} · {p.title}{'（扶贫车间）' if p.workshop else ''}")
        for p in selectors.open_postings_near(person)[:100]
    ]
    today = timezone.localdate()

    def bound(name: str) -> Any:
        return data if action == name else None

    return {
        "visit": f.VisitForm(bound("visit"), initial={"visited_on": today}),
        "assistance": f.AssistanceForm(bound("assistance"), initial={"started_on": today}),
        "certificate": f.CertificateForm(bound("certificate"), initial={"obtained_on": today}),
        "employment": f.EmploymentForm(bound("employment"), initial={"since": today}),
        "refer": f.ReferForm(bound("refer"), postings=postings, initial={"referred_on": today}),
        "advance": f.AdvanceForm(bound("advance"), initial={"on": today}),
        "need": f.NeedForm(bound("need")),
        "close": forms.Form(bound("close")),
        "link": f.TicketLinkForm(bound("link"), initial={"consent_on": today}),
    }


@login_required
def person(request: HttpRequest, pk: int) -> HttpResponse:
    """A person's page, masked; the worker's forms post here with `action`."""
    user = current_user(request)
    entry = _person_or_404(user, pk)
    scope = rules.ledger_scope(user)
    can_write = scope.can_write and scope.covers_code(entry.village_id)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    all_forms = _forms(entry, request.POST if action else None, action)
    status = 200
    if action:
        if not can_write or action not in ACTIONS:
            raise Http404("not allowed")
        form = all_forms[action]
        if form.is_valid():
            try:
                message = _act(user, entry, action, form, request)
            except AssistanceError as error:
                _refused(request, form, error)
            else:
                messages.success(request, message)
                return redirect("assistance:person", pk=entry.pk)
        else:
            messages.error(request, _("请检查填写的内容。"))
        status = 400
    context = {
        "person": entry,
        "division": entry.village,
        "can_write": can_write,
        "can_reveal": scope.can_reveal,
        "forms": all_forms,
        "reveal_form": f.ReasonForm(),
        "categories": list(entry.categories.order_by("pk")),
        "certificates": list(entry.certificates.order_by("-obtained_on")),
        "assistance": list(entry.assistance.select_related("helper").order_by("-started_on")),
        "visits": list(entry.visits.select_related("by").order_by("-visited_on", "-pk")[:50]),
        "employments": list(Employment.objects.filter(person=entry).order_by("-since")),
        "matches": list(selectors.matches_of(entry)),
        "needs": list(entry.need_rows.order_by("closed_on", "-opened_on")),
        "tickets": selectors.tickets_of(user, entry),
        "revealed": None,
    }
    return render(request, "assistance/person.html", context, status=status)


@login_required
def reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """查看完整信息: POST with a reason; the full values are in this response only."""
    user = current_user(request)
    entry = _person_or_404(user, pk)
    if request.method != "POST":
        return redirect("assistance:person", pk=entry.pk)
    form = f.ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请写明查看事由（4 至 200 个字）。"))
        return redirect("assistance:person", pk=entry.pk)
    try:
        revealed = service.reveal(user, entry, form.cleaned_data["reason"])
    except AssistanceError as error:
        messages.error(request, error.message)
        return redirect("assistance:person", pk=entry.pk)
    response = render(request, "assistance/revealed.html", {"person": entry, "revealed": revealed})
    response["Cache-Control"] = "no-store"
    return response


@login_required
def station(request: HttpRequest, code: str) -> HttpResponse:
    user = current_user(request)
    village = _village_or_404(user, code)
    scope = rules.ledger_scope(user)
    can_write = scope.can_write and scope.covers_code(village.code)
    current = selectors.station_of(village)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    status = 200
    six = f.SixHasForm(request.POST if action == "six" else None)
    checklist = f.ChecklistForm(
        request.POST if action == "checklist" else None,
        request.FILES if action == "checklist" else None,
        initial={"done_on": timezone.localdate()},
    )
    posting = f.PostingForm(request.POST if action == "posting" else None)
    event_form = f.EventForm(
        request.POST if action == "event" else None, initial={"held_on": timezone.localdate()}
    )
    if action:
        if not can_write:
            raise Http404("not allowed")
        try:
            if action == "create":
                station_service.station_ensure(user, village)
                return redirect("assistance:station", code=village.code)
            if current is None:
                raise Http404("no station")
            if action == "six" and six.is_valid():
                station_service.six_has_set(user, current, six.cleaned_data)
                messages.success(request, _("已保存。"))
                return redirect("assistance:station", code=village.code)
            if action == "checklist" and checklist.is_valid():
                d = checklist.cleaned_data
                station_service.checklist_add(
                    user,
                    current,
                    item=d["item"],
                    done_on=d["done_on"],
                    note=d["note"],
                    attendance=d["attendance"],
                    photo=d["photo"],
                )
                messages.success(request, _("已记录。"))
                return redirect("assistance:station", code=village.code)
            if action == "event" and event_form.is_valid():
                created = event_service.event_create(user, current, **event_form.cleaned_data)
                messages.success(request, _("已记录活动，请登记签到。"))
                return redirect("assistance:event", pk=created.pk)
            if action == "posting" and posting.is_valid():
                station_service.posting_create(user, current, **posting.cleaned_data)
                messages.success(request, _("已发布岗位。"))
                return redirect("assistance:station", code=village.code)
            messages.error(request, _("请检查填写的内容。"))
        except AssistanceError as error:
            target = {
                "six": six,
                "checklist": checklist,
                "posting": posting,
                "event": event_form,
            }.get(action)
            _refused(request, target, error)
        status = 400
    if current is not None and action != "six":
        six = f.SixHasForm.for_station(current)
    today = timezone.localdate()
    facts = (
        figures_module.figures_for(scope, village, today, breakdown=False)
        if current is not None
        else None
    )
    context = {
        "division": village,
        "station": current,
        "can_write": can_write,
        "six": six,
        "checklist_form": checklist,
        "posting_form": posting,
        "entries": list(current.checklist.order_by("-done_on", "-pk")[:30]) if current else [],
        "done_items": set(
            current.checklist.filter(done_on__year=today.year).values_list("item", flat=True)
        )
        if current
        else set(),
        "postings": list(current.postings.order_by("-created_at")[:30]) if current else [],
        "events": list(current.events.order_by("-held_on", "-pk")[:20]) if current else [],
        "event_form": event_form,
        "figures": facts,
        "six_one": [(value, str(label)) for value, label in SixOne.choices],
    }
    return render(request, "assistance/station.html", context, status=status)


@login_required
def figures(request: HttpRequest, code: str) -> HttpResponse:
    user = current_user(request)
    division = _area_or_404(user, code, figures=True)
    scope = rules.figures_scope(user)
    facts = figures_module.figures_for(scope, division, timezone.localdate())
    # Readers of aggregates only (leaders) never see a group smaller than the minimum.
    aggregates_only = rules.ledger_scope(user).empty
    context = {
        "division": division,
        "figures": facts,
        "min_group": int(settings.MINSHENG_ASSIST_MIN_GROUP) if aggregates_only else 0,
        "threshold": int(settings.MINSHENG_ASSIST_FULL_EMPLOYMENT_PERCENT),
        "stable_months": int(settings.MINSHENG_ASSIST_STABLE_MONTHS),
        "has_ledger": not rules.ledger_scope(user).empty,
    }
    names = dict(
        Division.objects.filter(code__in=[s.code for s in facts.statuses]).values_list(
            "code", "name"
        )
    )
    context["statuses"] = [(s, names.get(s.code, s.code)) for s in facts.statuses]
    return render(request, "assistance/figures.html", context)


@login_required
def access_log(request: HttpRequest, code: str) -> HttpResponse:
    user = current_user(request)
    division = _area_or_404(user, code)
    if not rules.audits(user, division_code_prefix(division.code, division.level)):
        raise Http404("not an auditor")
    page = Paginator(selectors.access_log(user, division), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "assistance/access_log.html", {"division": division, "page": page})


@login_required
def photo(request: HttpRequest, pk: int) -> FileResponse:
    """A "六个一" evidence photo, for whoever reads its village's station."""
    user = current_user(request)
    entry = ChecklistEntry.objects.filter(pk=pk).select_related("station").first()
    if entry is None or not entry.photo or selectors.area(user, entry.station.village_id) is None:
        raise Http404("photo not found")
    if rules.ledger_scope(user).categories is not None:
        raise Http404("photo not found")
    response = FileResponse(entry.photo.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


IMPORT_SESSION = "assistance_import"


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("台账文件（Excel .xlsx）"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )


@login_required
def import_template(request: HttpRequest, code: str) -> HttpResponse:
    user = current_user(request)
    _village_or_404(user, code)
    return xlsx.download(imports.template(), "帮扶台账导入模板.xlsx")


@login_required
def import_ledger(request: HttpRequest, code: str) -> HttpResponse:
    """Upload → preview (bad rows named, duplicates shown, nothing saved) → confirm. Between the
    two steps the file waits in the session encrypted under the ledger's key."""
    user = current_user(request)
    village = _village_or_404(user, code)
    scope = rules.ledger_scope(user)
    if not (scope.can_write and scope.covers_code(village.code)):
        raise Http404("not allowed")
    form = ImportForm(request.POST or None, request.FILES or None)
    preview: imports.Preview | None = None
    status = 200
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if action == "preview":
        if form.is_valid():
            content = form.cleaned_data["file"].read(imports.MAX_BYTES + 1)
            try:
                preview = imports.preview(user, village, content)
            except AssistanceError as error:
                _refused(request, form, error)
                status = 400
            else:
                request.session[IMPORT_SESSION] = {
                    "village": village.code,
                    "file": crypto.encrypt(base64.b64encode(content).decode("ascii")),
                }
        else:
            status = 400
    elif action == "confirm":
        stored = request.session.get(IMPORT_SESSION) or {}
        if stored.get("village") != village.code:
            messages.error(request, _("请重新上传文件。"))
            return redirect("assistance:import", code=village.code)
        content = base64.b64decode(crypto.decrypt(stored["file"]))
        try:
            created, merged = imports.apply(
                user, village, content, merge=bool(request.POST.get("merge"))
            )
        except AssistanceError as error:
            messages.error(request, error.message)
            preview = imports.preview(user, village, content)
            status = 400
        else:
            del request.session[IMPORT_SESSION]
            messages.success(
                request,
                _("已导入：新登记 %(c)d 人，合并 %(m)d 人。") % {"c": created, "m": merged},
            )
            return redirect("assistance:ledger", code=village.code)
    context = {"division": village, "form": form, "preview": preview}
    return render(request, "assistance/import.html", context, status=status)


@login_required
def from_ticket(request: HttpRequest, number: str) -> HttpResponse:
    """登记到帮扶台账 from a ticket (a call about jobs or hardship, or a visit's need): the form
    prefilled from the ticket — the citizen's name (not for an anonymous or confidential
    ticket), the village, the need — with the consent required. Saving creates the person (or
    finds the village's entry by the ID number's hash) and links the ticket. 404 unless the
    user keeps the ledger of the ticket's village."""
    user = current_user(request)
    ticket = link_service.find_ticket(user, number)
    village = ticket.division if ticket is not None else None
    if ticket is None or village is None or village.level != Division.Level.VILLAGE:
        raise Http404("ticket not found")
    scope = rules.ledger_scope(user)
    if not (scope.can_write and scope.covers_code(village.code)):
        raise Http404("not allowed")
    text = ticket_selectors.text_for(user, ticket)
    withheld = ticket.anonymous or ticket.confidential
    initial = {
        "name": "" if withheld else ticket.citizen_name,
        "needs": mask_pii(ticket.title)[:300],
        "consent_on": timezone.localdate(),
        "in_workforce": True,
    }
    form = f.FromTicketForm(request.POST or None, initial=initial)
    form.fields["id_number"].help_text = ""
    duplicate: int | None = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                done = link_service.register_from_ticket(
                    user,
                    ticket,
                    form.data_object(),
                    form.consent_object(),
                    use_ticket_phone=bool(form.cleaned_data.get("use_ticket_phone"))
                    and not withheld,
                )
            except Duplicate as error:
                _refused(request, form, error)
                duplicate = error.person_id if error.visible else None
            except AssistanceError as error:
                _refused(request, form, error)
            else:
                messages.success(
                    request,
                    _("已登记并关联工单。")
                    if done.created
                    else _("此人已在台账中：已将工单关联到已有记录。"),
                )
                return redirect("assistance:person", pk=done.person.pk)
        else:
            messages.error(request, _("请检查填写的内容。"))
        status = 400
    context = {
        "division": village,
        "ticket": ticket,
        "title": text.title,
        "form": form,
        "duplicate": duplicate,
        "ticket_phone": "" if withheld else mask_phone(ticket.citizen_phone),
        "panel": selectors.ticket_panel(user, ticket),
    }
    return render(request, "assistance/from_ticket.html", context, status=status)


@login_required
def event(request: HttpRequest, pk: int) -> HttpResponse:
    """A training or recruitment event and its roll: the village's people, each 到场 / 缺席 /
    not listed, with the outcome; printable as the sign-in sheet (签到表)."""
    user = current_user(request)
    row = StationEvent.objects.filter(pk=pk).select_related("station").first()
    scope = rules.ledger_scope(user)
    if (
        row is None
        or scope.categories is not None
        or selectors.area(user, row.village_code) is None
    ):
        raise Http404("event not found")
    village = _village_or_404(user, row.village_code)
    can_write = scope.can_write and scope.covers_code(village.code)
    people = list(selectors.people_of(user, village)[: event_service.ROLL_MAX])
    status = 200
    if request.method == "POST":
        if not can_write:
            raise Http404("not allowed")
        posted: list[event_service.RollLine] = []
        for person in people:
            state = request.POST.get(f"state_{person.pk}", "")
            if state in ("in", "out"):
                posted.append(
                    event_service.RollLine(
                        person.pk,
                        attended=state == "in",
                        outcome=request.POST.get(f"outcome_{person.pk}", "")[:12],
                    )
                )
        try:
            attended = event_service.roll_set(user, row, posted)
        except AssistanceError as error:
            messages.error(request, error.message)
            status = 400
        else:
            messages.success(request, _("已保存签到：到场 %(n)d 人。") % {"n": attended})
            return redirect("assistance:event", pk=row.pk)
    roll = {a.person_id: a for a in row.roll.all()}
    lines = [(p, roll.get(p.pk)) for p in people]
    context = {
        "division": village,
        "event": row,
        "can_write": can_write,
        "lines": lines,
        "listed": [(p, a) for p, a in lines if a is not None],
        "attended": sum(1 for a in roll.values() if a.attended),
        "outcomes": AttendanceOutcome.choices,
    }
    return render(request, "assistance/event.html", context, status=status)


@login_required
def full_employment(request: HttpRequest, code: str) -> HttpResponse:
    """充分就业社区(村) creation list of a township or the county for a year: each village's
    status now (computed from its whole ledger), its application (申报 → 验收通过 / 退回); the
    township's 帮扶专干 declares, the county's (人社局) accepts or returns."""
    user = current_user(request)
    division = _area_or_404(user, code, figures=True)
    if division.level > Division.Level.TOWNSHIP:
        raise Http404("not an area")
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        year = today.year
    if not 2000 <= year <= today.year:
        year = today.year
    prefix = division_code_prefix(division.code, division.level)
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "declare":
                village = Division.objects.filter(
                    rules.area_q("code", prefix),
                    code=request.POST.get("village", ""),
                    level=Division.Level.VILLAGE,
                ).first()
                if village is None:
                    raise Http404("village not found")
                full_service.declare(user, village, today.year)
                messages.success(request, _("已申报：%(name)s。") % {"name": village.name})
            elif action in ("accept", "return"):
                raw = request.POST.get("application", "")
                row = (
                    FullEmploymentApplication.objects.filter(
                        rules.area_q("village_id", prefix), pk=int(raw)
                    ).first()
                    if raw.isdigit() and len(raw) < 19
                    else None
                )
                if row is None:
                    raise Http404("application not found")
                if action == "accept":
                    full_service.accept(user, row)
                    messages.success(request, _("已验收通过。"))
                else:
                    full_service.send_back(user, row, request.POST.get("reason", "")[:400])
                    messages.success(request, _("已退回。"))
            else:
                raise Http404("unknown action")
        except AssistanceError as error:
            messages.error(request, error.message)
            status = 400
        else:
            return redirect(f"{request.path}?year={today.year if action == 'declare' else year}")
    villages = list(
        Division.objects.filter(rules.area_q("code", prefix), level=Division.Level.VILLAGE)
        .order_by("code")
        .values_list("code", "name")
    )
    statuses = {s.code: s for s in figures_module.village_statuses(rules.EVERYTHING, prefix)}
    applications = {
        a.village_id: a
        for a in FullEmploymentApplication.objects.filter(
            rules.area_q("village_id", prefix), year=year
        ).select_related("declared_by", "decided_by")
    }
    # The statuses are the whole villages' (a declaration is about the village): the area's
    # readers, the accepting county unit and the readers of aggregates (masked below the
    # minimum group) see every line; a station on its township's list, its own village only.
    scope = rules.ledger_scope(user)
    every_line = scope.empty or scope.covers_code(prefix) or rules.accepts(user)

    def sees(village_code: str) -> bool:
        return every_line or scope.covers_code(village_code)

    rows = [
        {
            "code": code,
            "name": name,
            "status": statuses.get(code),
            "application": applications.get(code),
            "declares": year == today.year and rules.declares(user, code),
        }
        for code, name in villages
        if (code in statuses or code in applications) and sees(code)
    ]
    aggregates_only = rules.ledger_scope(user).empty
    context = {
        "division": division,
        "year": year,
        "this_year": year == today.year,
        "rows": rows,
        "declared": sum(1 for a in applications.values() if a.status == ApplicationStatus.DECLARED),
        "accepted": sum(1 for a in applications.values() if a.status == ApplicationStatus.ACCEPTED),
        "accepts": rules.accepts(user),
        "min_group": int(settings.MINSHENG_ASSIST_MIN_GROUP) if aggregates_only else 0,
        "threshold": int(settings.MINSHENG_ASSIST_FULL_EMPLOYMENT_PERCENT),
    }
    return render(request, "assistance/full_employment.html", context, status=status)
