"""专项行动 pages (/governance/campaigns/): the list of campaigns the user sees, a dashboard per
campaign (each indicator's progress and trend, entries by unit and village, the latest entries
and inspections, Excel export), and the phone forms for a team's entry and an inspection.

Views read through minsheng/governance/campaigns.py and write through one service of
minsheng/governance/services/campaigns.py. A campaign the user does not see answers 404.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models.fields.files import FieldFile
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from minsheng.governance import campaigns as selectors
from minsheng.governance.forms_campaigns import (
    CampaignForm,
    EntryForm,
    IndicatorForm,
    InspectionForm,
    TagForm,
)
from minsheng.governance.models import Campaign, Entry, IndicatorKind, Inspection
from minsheng.governance.services import campaigns as services
from minsheng.lib.xlsx import append_row, download, workbook_bytes
from minsheng.org.models import Division, Role, Unit, User
from minsheng.stats.views import charts_available
from minsheng.tickets.errors import TicketActionError


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _campaign(request: HttpRequest, pk: int) -> Campaign:
    campaign = (
        selectors.campaigns_for(_user(request))
        .select_related("lead_unit", "township")
        .filter(pk=pk)
        .first()
    )
    if campaign is None:
        raise Http404
    return campaign


def _villages(campaign: Campaign) -> list[tuple[str, str]]:
    if campaign.township_id is None:
        return []
    return list(
        Division.objects.filter(parent_id=campaign.township_id, level=Division.Level.VILLAGE)
        .order_by("code")
        .values_list("code", "name")
    )


def _today_in(campaign: Campaign) -> dt.date:
    today = timezone.localdate()
    return min(max(today, campaign.starts_on), campaign.ends_on)


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    rows = list(
        selectors.campaigns_for(_user(request))
        .select_related("lead_unit", "township")
        .order_by("-starts_on", "-id")[:200]
    )
    return render(
        request,
        "governance/campaigns/list.html",
        {
            "campaigns": rows,
            "today": timezone.localdate(),
            "may_create": _may_create(_user(request)),
        },
    )


@login_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    campaign = _campaign(request, pk)
    units = selectors.participating_units(campaign)
    progress = selectors.campaign_progress(campaign)
    member = selectors.may_manage(user, campaign) or selectors.own_unit(user, units) is not None
    return render(
        request,
        "governance/campaigns/detail.html",
        {
            "campaign": campaign,
            "units": units,
            "progress": progress,
            "has_counts": any(not p.is_rate for p in progress),
            "has_rates": any(p.is_rate for p in progress),
            "entries": selectors.recent_entries(campaign, 20),
            "inspections": selectors.recent_inspections(campaign, 20),
            "member": member,
            "manage": selectors.may_manage(user, campaign),
            "may_tag": member,  # = selectors.may_tag, from the units read above
            "tag_form": TagForm(),
            "tagged": selectors.tagged_count(campaign),
            "tagged_recent": selectors.tagged_recent(campaign),
            "charts": charts_available(),
            "chart_data": selectors.chart_data(progress),
        },
    )


@login_required
def campaign_export(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    progress = selectors.campaign_progress(campaign)
    book = Workbook(write_only=True)
    summary = book.create_sheet(_("指标进度"))
    append_row(summary, [_("指标"), _("类型"), _("基线"), _("目标"), _("当前"), _("完成度（%）")])
    for p in progress:
        append_row(
            summary,
            [
                p.indicator.name,
                p.indicator.get_kind_display(),
                p.display_baseline,
                p.display_target,
                p.display_value,
                float(p.done),
            ],
        )
    sheet = book.create_sheet(_("台账"))
    append_row(
        sheet, [_("日期"), _("指标"), _("单位"), _("村（社区）"), _("数量"), _("地点"), _("备注")]
    )
    entries = (
        Entry.objects.filter(campaign=campaign)
        .order_by("day", "id")
        .values_list(
            "day", "indicator__name", "unit__name", "village__name", "count", "place", "note"
        )
    )
    for day, indicator, unit, village, count, place, note in entries.iterator(chunk_size=2000):
        append_row(sheet, [day.isoformat(), indicator, unit, village or "", count, place, note])
    checks = book.create_sheet(_("抽查"))
    append_row(
        checks,
        [_("日期"), _("指标"), _("地点"), _("村（社区）"), _("抽查点位"), _("达标点位"), _("备注")],
    )
    rows = (
        Inspection.objects.filter(indicator__campaign=campaign)
        .order_by("day", "id")
        .values_list(
            "day", "indicator__name", "place", "village__name", "checked", "passing", "note"
        )
    )
    for day, indicator, place, village, checked, passing, note in rows.iterator(chunk_size=2000):
        append_row(
            checks, [day.isoformat(), indicator, place, village or "", checked, passing, note]
        )
    name = f"{campaign.name}-{timezone.localtime().strftime('%Y%m%d-%H%M')}.xlsx"
    return download(workbook_bytes(book), name)


def _refused(
    form: EntryForm | InspectionForm | CampaignForm | IndicatorForm | TagForm,
    refused: TicketActionError,
) -> None:
    field = refused.field if refused.field in form.fields else None
    form.add_error(field, refused.message)


@login_required
def entry_new(request: HttpRequest, pk: int) -> HttpResponse:
    """A team member's entry on a count indicator: a phone form (big inputs, the camera)."""
    user = _user(request)
    campaign = _campaign(request, pk)
    indicators = [i for i in campaign.indicators.all() if i.kind == IndicatorKind.COUNT]
    units = selectors.units_for_entry(user, campaign, selectors.participating_units(campaign))
    if not indicators or not units:
        raise Http404
    villages = _villages(campaign)
    indicator_choices = [
        (i.pk, f"{i.name}（{i.unit_label}）" if i.unit_label else i.name) for i in indicators
    ]
    unit_choices = [(u.pk, u.name) for u in units]
    if request.method == "POST":
        form = EntryForm(
            request.POST,
            request.FILES,
            indicators=indicator_choices,
            units=unit_choices,
            villages=villages,
        )
        if form.is_valid():
            data = form.cleaned_data
            village = (
                Division.objects.filter(code=data["village"]).first() if data["village"] else None
            )
            try:
                services.entry_add(
                    actor=user,
                    indicator=next(i for i in indicators if i.pk == data["indicator"]),
                    day=data["day"],
                    unit=next(u for u in units if u.pk == data["unit"]),
                    count=data["count"],
                    place=data["place"],
                    village=village,
                    photo=data["photo"],
                    note=data["note"],
                )
            except TicketActionError as refused:
                _refused(form, refused)
            else:
                messages.success(request, _("已填报：%(n)d。") % {"n": data["count"]})
                return HttpResponseRedirect(reverse("governance:campaign_entry_new", args=[pk]))
    else:
        form = EntryForm(
            initial={"day": _today_in(campaign)},
            indicators=indicator_choices,
            units=unit_choices,
            villages=villages,
        )
    return render(
        request,
        "governance/campaigns/form.html",
        {"campaign": campaign, "form": form, "title": _("填报台账"), "submit": _("提交")},
    )


@login_required
def inspection_new(request: HttpRequest, pk: int) -> HttpResponse:
    """An inspection of a rate indicator: n of N points passing, where, with a photo."""
    user = _user(request)
    campaign = _campaign(request, pk)
    indicators = [i for i in campaign.indicators.all() if i.kind == IndicatorKind.RATE]
    if not indicators or not selectors.can_inspect(user, campaign):
        raise Http404
    indicator_choices = [(i.pk, i.name) for i in indicators]
    villages = _villages(campaign)
    if request.method == "POST":
        form = InspectionForm(
            request.POST, request.FILES, indicators=indicator_choices, villages=villages
        )
        if form.is_valid():
            data = form.cleaned_data
            village = (
                Division.objects.filter(code=data["village"]).first() if data["village"] else None
            )
            try:
                services.inspection_record(
                    actor=user,
                    indicator=next(i for i in indicators if i.pk == data["indicator"]),
                    day=data["day"],
                    place=data["place"],
                    checked=data["checked"],
                    passing=data["passing"],
                    village=village,
                    photo=data["photo"],
                    note=data["note"],
                )
            except TicketActionError as refused:
                _refused(form, refused)
            else:
                messages.success(
                    request,
                    _("已记录抽查：%(n)d / %(total)d 个点位达标。")
                    % {"n": data["passing"], "total": data["checked"]},
                )
                return HttpResponseRedirect(reverse("governance:campaign_detail", args=[pk]))
    else:
        form = InspectionForm(
            initial={"day": _today_in(campaign)}, indicators=indicator_choices, villages=villages
        )
    return render(
        request,
        "governance/campaigns/form.html",
        {"campaign": campaign, "form": form, "title": _("记录抽查"), "submit": _("保存")},
    )


def _serve(photo: FieldFile) -> HttpResponseBase:
    """A stored photo, through the web server when it is configured to (MINSHENG_SENDFILE)."""
    mode = settings.MINSHENG_SENDFILE
    if mode == "x-accel-redirect":
        response: HttpResponseBase = HttpResponse()
        response["X-Accel-Redirect"] = f"{settings.MINSHENG_SENDFILE_PREFIX}{photo.name}"
    elif mode == "x-sendfile":
        response = HttpResponse()
        response["X-Sendfile"] = photo.path
    else:
        try:
            response = FileResponse(photo.open("rb"))
        except FileNotFoundError:
            raise Http404("photo missing") from None
    response["Content-Type"] = "image/jpeg"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
def photo(request: HttpRequest, pk: int, kind: str, row: int) -> HttpResponseBase:
    """An entry's or an inspection's photo, for those who see the campaign; else 404."""
    campaign = _campaign(request, pk)
    found: Entry | Inspection | None
    if kind == "entry":
        found = Entry.objects.filter(pk=row, campaign=campaign).first()
    else:
        found = Inspection.objects.filter(pk=row, indicator__campaign=campaign).first()
    if found is None or not found.photo:
        raise Http404
    return _serve(found.photo)


# --- setting a campaign up, tagging tickets --------------------------------------------------


def _may_create(user: User) -> bool:
    if not user.is_active:
        return False
    if user.has_role(Role.ADMINISTRATOR):
        return True
    return user.unit is not None and selectors.can_create_campaign(user, user.unit)


def _leads(user: User) -> list[Unit]:
    """The units the user may create a campaign for: administrators any active unit above the
    villages; a unit leader the own unit."""
    if user.is_active and user.has_role(Role.ADMINISTRATOR):
        return list(
            Unit.objects.filter(is_active=True)
            .exclude(kind__in=(Unit.Kind.VILLAGE, Unit.Kind.HOTLINE))
            .order_by("path")[:500]
        )
    if user.unit is not None and selectors.can_create_campaign(user, user.unit):
        return [user.unit]
    return []


def _participants(leads: list[Unit]) -> list[Unit]:
    """Who may take part: an administrator's choice is any of the units that may lead; a unit
    leader's is the own unit's sub-units (stations, teams, village committees) and every
    township's government (a county department's campaign runs through the townships)."""
    if len(leads) != 1:
        return leads
    lead = leads[0]
    found = {
        u.pk: u
        for u in Unit.objects.filter(is_active=True, kind=Unit.Kind.TOWNSHIP).order_by("path")
    }
    for u in Unit.objects.filter(is_active=True, path__startswith=lead.path).order_by("path")[:300]:
        found.setdefault(u.pk, u)
    found.pop(lead.pk, None)
    return sorted(found.values(), key=lambda u: u.path)


@login_required
def campaign_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    leads = _leads(user)
    if not leads:
        raise Http404
    townships = list(
        Division.objects.filter(level=Division.Level.TOWNSHIP)
        .order_by("code")
        .values_list("code", "name")[:200]
    )
    units = _participants(leads)
    kwargs = {
        "leads": [(u.pk, u.name) for u in leads],
        "townships": townships,
        "units": [(u.pk, u.name) for u in units],
    }
    if request.method == "POST":
        form = CampaignForm(request.POST, **kwargs)  # type: ignore[arg-type]
        if form.is_valid():
            data = form.cleaned_data
            by_pk = {u.pk: u for u in (*leads, *units)}
            township = (
                Division.objects.filter(code=data["township"]).first() if data["township"] else None
            )
            try:
                campaign = services.campaign_create(
                    actor=user,
                    data=services.CampaignInput(
                        name=data["name"],
                        starts_on=data["starts_on"],
                        ends_on=data["ends_on"],
                        lead_unit=by_pk[data["lead_unit"]],
                        units=tuple(by_pk[pk] for pk in data["units"]),
                        township=township,
                        is_public=data["is_public"],
                        description=data["description"],
                    ),
                )
            except TicketActionError as refused:
                _refused(form, refused)
            else:
                messages.success(request, _("专项行动已创建，请设置指标。"))
                return HttpResponseRedirect(
                    reverse("governance:campaign_indicator_new", args=[campaign.pk])
                )
    else:
        initial = {"lead_unit": leads[0].pk, "starts_on": timezone.localdate()}
        if leads[0].kind == Unit.Kind.TOWNSHIP and leads[0].division_id:
            initial["township"] = leads[0].division_id
        form = CampaignForm(initial=initial, **kwargs)  # type: ignore[arg-type]
    return render(
        request,
        "governance/campaigns/new.html",
        {"form": form, "title": _("新建专项行动"), "submit": _("创建")},
    )


@login_required
def indicator_new(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    campaign = _campaign(request, pk)
    if not selectors.may_manage(user, campaign):
        raise Http404
    kinds = [(str(v), str(label)) for v, label in IndicatorKind.choices]
    if request.method == "POST":
        form = IndicatorForm(request.POST, kinds=kinds)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.indicator_add(
                    actor=user,
                    campaign=campaign,
                    name=data["name"],
                    kind=data["kind"],
                    target=data["target"],
                    baseline=data["baseline"],
                    unit_label=data["unit_label"],
                )
            except TicketActionError as refused:
                _refused(form, refused)
            else:
                messages.success(request, _("指标已添加。"))
                return HttpResponseRedirect(reverse("governance:campaign_indicator_new", args=[pk]))
    else:
        form = IndicatorForm(kinds=kinds)
    return render(
        request,
        "governance/campaigns/form.html",
        {
            "campaign": campaign,
            "form": form,
            "title": _("添加指标"),
            "submit": _("添加"),
            "indicators": list(campaign.indicators.order_by("position")),
        },
    )


@login_required
def tickets_tag(request: HttpRequest, pk: int) -> HttpResponse:
    """POST: tag tickets (numbers) to the campaign, or untag one (`untag`)."""
    user = _user(request)
    campaign = _campaign(request, pk)
    if request.method != "POST" or not selectors.may_tag(user, campaign):
        raise Http404
    untag = request.POST.get("untag", "").strip()
    try:
        if untag:
            services.campaign_untag_ticket(actor=user, campaign=campaign, number=untag)
            messages.success(request, _("已取消关联：%(n)s。") % {"n": untag})
        else:
            form = TagForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("请填写工单编号。"))
            else:
                added = services.campaign_tag_tickets(
                    actor=user, campaign=campaign, numbers=form.numbers_list()
                )
                messages.success(request, _("已关联 %(n)d 件工单。") % {"n": added})
    except TicketActionError as refused:
        messages.error(request, refused.message)
    return HttpResponseRedirect(reverse("governance:campaign_detail", args=[pk]) + "#tickets")
