"""重大突发事件's pages (/incidents/): the list, raising from a ticket, an incident's page
(situation log first, mobilise, acknowledge, broadcast, tickets, close), the roster of
resources and the notice register, and the figures with Excel. Views validate, call one
service, and render; refusals are shown in Chinese, never a 500."""

from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from minsheng.incidents import figures as figures_module
from minsheng.incidents import forms as f
from minsheng.incidents import rules, selectors, services
from minsheng.incidents.errors import IncidentError
from minsheng.incidents.models import (
    Incident,
    IncidentStatus,
    Machine,
    Mobilisation,
    NoticeSubscriber,
    ResourceKind,
    Team,
    Volunteer,
    VolunteerGroup,
)
from minsheng.incidents.phones import shown
from minsheng.lib import xlsx
from minsheng.org.access import current_user
from minsheng.org.models import Division, Unit, User
from minsheng.tickets.selectors import ticket_for


def _refused(request: HttpRequest, form: forms.Form | None, error: IncidentError) -> None:
    messages.error(request, error.message)
    if form is not None and error.field and error.field in form.fields:
        form.add_error(error.field, error.message)


def _reader(request: HttpRequest) -> User:
    return current_user(request, *rules.READ_ROLES)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    return render(
        request,
        "incidents/index.html",
        {
            "incidents": selectors.open_first(user),
            "can_raise": rules.can_raise(user),
            "is_commander": rules.is_commander(user),
        },
    )


def _village_choices(ticket: Any) -> tuple[list[tuple[str, str]], list[str]]:
    """The villages of the ticket's township (its own village ticked)."""
    division = ticket.division
    if division is None:
        return [], []
    township = division if division.level <= Division.Level.TOWNSHIP else division.parent
    if township is None:
        return [(division.code, division.name)], [division.code]
    villages = Division.objects.filter(parent=township).order_by("code")
    choices = [(d.code, d.name) for d in villages]
    initial = [division.code] if division.level == Division.Level.VILLAGE else []
    return choices, initial


@login_required
def raise_incident(request: HttpRequest) -> HttpResponse:
    user = current_user(request, *rules.RAISE_ROLES)
    number = (request.GET.get("ticket") or request.POST.get("ticket") or "").strip()
    if not number:
        raise Http404("no ticket")
    ticket = ticket_for(user, number)
    existing = selectors.open_incident_of(ticket)
    if existing is not None:
        # Someone raised it first: show theirs rather than offer a second one.
        messages.warning(
            request,
            _("该工单已属于处置中的事件“%(title)s”，未重复启动。") % {"title": existing.title},
        )
        return redirect("incidents:detail", existing.pk)
    villages, initial = _village_choices(ticket)
    candidates = selectors.candidate_tickets(ticket)
    choices = [(t.number, f"{t.number} {t.title}") for t in candidates]
    form = f.RaiseForm(
        request.POST or None,
        villages=villages,
        tickets=choices,
        initial={
            "title": ticket.title[:200],
            "started_at": timezone.localtime(ticket.created_at).strftime(f.TIME_FORMAT),
            "villages": initial,
            "severity": "4",
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        picked = [t for t in candidates if t.number in set(data.get("tickets") or [])]
        try:
            raised = services.incident_raise(
                actor=user,
                tickets=[ticket, *picked],
                kind=data["kind"],
                title=data["title"],
                severity=data["severity"],
                started_at=data["started_at"],
                villages=form.codes(),
                population_override=data.get("population_override"),
                merge=data.get("merge") == "merge",
            )
        except IncidentError as error:
            _refused(request, form, error)
        else:
            if raised.created:
                messages.success(request, _("已启动重大突发事件。"))
            else:
                messages.warning(
                    request,
                    _("该工单已属于处置中的事件“%(title)s”，未重复启动。")
                    % {"title": raised.incident.title},
                )
            return redirect("incidents:detail", raised.incident.pk)
    return render(request, "incidents/raise.html", {"form": form, "ticket": ticket})


def _resource_choices() -> list[tuple[str, Any]]:
    teams = [
        (f"team:{t.pk}", f"{t.unit.name} {t.name}")
        for t in Team.objects.filter(is_active=True).select_related("unit")
    ]
    machines = [
        (f"machine:{m.pk}", f"{m.owner} {m.get_kind_display()} {m.label} ×{m.count}")
        for m in Machine.objects.filter(is_active=True).select_related("owner_unit")
    ]
    groups = [(f"group:{g.pk}", str(g)) for g in VolunteerGroup.objects.all()]
    people = [
        (f"volunteer:{v.pk}", f"{v.name}（{v.skills}）" if v.skills else v.name)
        for v in Volunteer.objects.filter(is_active=True)[:500]
    ]
    return [
        ("", "——"),
        (_("队伍"), teams),
        (_("车辆机械"), machines),
        (_("志愿服务队"), groups),
        (_("志愿者"), people),
    ]


def _detail_forms(request: HttpRequest, incident: Incident, action: str) -> dict[str, forms.Form]:
    post = request.POST if request.method == "POST" else None
    now = timezone.localtime().strftime(f.TIME_FORMAT)
    return {
        "log": f.LogForm(post if action == "log" else None, initial={"at": now}),
        "mobilise": f.MobiliseForm(
            post if action == "mobilise" else None, resources=_resource_choices()
        ),
        "broadcast": f.BroadcastForm(
            post if action == "broadcast" else None,
            initial={
                "token": secrets.token_urlsafe(16),
                "text": f"【{incident.title}】",
            },
        ),
        "close": f.CloseForm(
            post if action == "close" else None,
            initial={
                "restored_at": timezone.localtime(incident.restored_at).strftime(f.TIME_FORMAT)
                if incident.restored_at
                else ""
            },
        ),
        "ack": f.PhoneAckForm(post if action == "ack_phone" else None),
    }


def _act(
    request: HttpRequest, user: User, incident: Incident, action: str, forms_: dict[str, forms.Form]
) -> str | None:
    """Run the posted action; a message for the user on success, None when refused/invalid."""
    if action == "log":
        form = forms_["log"]
        if form.is_valid():
            d = form.cleaned_data
            services.log_add(
                incident=incident, actor=user, kind=d["kind"], at=d["at"], text=d["text"]
            )
            return _("已记录态势。")
    elif action == "mobilise":
        form = forms_["mobilise"]
        if form.is_valid():
            try:
                kind, pk = form.parsed()  # type: ignore[attr-defined]
            except forms.ValidationError as error:
                form.add_error("resource", error)
                return None
            done = services.incident_mobilise(
                incident=incident,
                actor=user,
                kind=kind,
                resource_id=pk,
                task=form.cleaned_data["task"],
            )
            if not done.created:
                return _("该资源已调度，未重复通知。")
            return _("已调度，发出通知 %(n)s 条。") % {"n": done.mobilisation.notified}
    elif action in ("ack", "ack_phone"):
        mobilisation = Mobilisation.objects.filter(
            incident=incident, pk=request.POST.get("mobilisation") or 0
        ).first()
        if mobilisation is None:
            raise Http404("no such assignment")
        form = forms_["ack"]
        if action == "ack" or form.is_valid():
            services.mobilisation_ack(
                mobilisation=mobilisation,
                actor=user,
                by_phone=action == "ack_phone",
                note=form.cleaned_data.get("note", "") if action == "ack_phone" else "",
                reply_code=form.cleaned_data.get("reply_code", "") if action == "ack_phone" else "",
            )
            return _("已确认。")
    elif action == "broadcast":
        form = forms_["broadcast"]
        if form.is_valid():
            sent = services.broadcast_send(
                incident=incident,
                actor=user,
                text=form.cleaned_data["text"],
                token=form.cleaned_data["token"],
            )
            if not sent.created:
                return _("该短信已发送过，未重复发送。")
            return _("已排队发送 %(n)s 条短信。") % {"n": sent.broadcast.recipients}
    elif action == "link":
        main = services.main_ticket(incident)
        wanted = set(request.POST.getlist("tickets"))
        codes = [d.code for d in incident.divisions.all()]
        picked = [
            t
            for t in (selectors.candidate_tickets(main, codes=codes) if main else [])
            if t.number in wanted
        ]
        if picked:
            n = services.incident_link_tickets(
                incident=incident,
                actor=user,
                tickets=picked,
                merge=request.POST.get("merge") == "merge",
            )
            return _("已关联 %(n)s 件工单。") % {"n": n}
        messages.error(request, _("请选择至少一件工单。"))
        return None
    elif action == "close":
        form = forms_["close"]
        if form.is_valid():
            services.incident_close(
                incident=incident,
                actor=user,
                restored_at=form.cleaned_data["restored_at"],
                note=form.cleaned_data["note"],
            )
            return _("事件已结束，处置总结已生成。")
    else:
        raise Http404("unknown action")
    messages.error(request, _("请检查填写的内容。"))
    return None


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)  # readers, and the leaders of its teams (selectors)
    incident = selectors.incident_for(user, pk)
    if incident is None:
        raise Http404("incident not found")
    action = request.POST.get("action", "") if request.method == "POST" else ""
    forms_ = _detail_forms(request, incident, action)
    if request.method == "POST":
        try:
            done = _act(request, user, incident, action, forms_)
        except IncidentError as error:
            form = forms_.get("ack" if action.startswith("ack") else action)
            _refused(request, form, error)
        else:
            if done is not None:
                messages.success(request, done)
                return redirect("incidents:detail", incident.pk)
    is_commander = rules.is_commander(user)
    mobilisations = list(incident.mobilisations.all())
    leaders = dict(
        Team.objects.filter(
            pk__in=[m.resource_id for m in mobilisations if m.kind == ResourceKind.TEAM]
        ).values_list("pk", "leader_id")
    )
    for m in mobilisations:
        m.can_ack_inapp = (  # type: ignore[attr-defined]
            m.acked_at is None
            and m.kind == ResourceKind.TEAM
            and leaders.get(m.resource_id) == user.pk
            and incident.status == IncidentStatus.OPEN
        )
    broadcasts = [(b, selectors.delivery_counts(b)) for b in incident.broadcasts.all()]
    candidates: list[Any] = []
    if is_commander and incident.status == IncidentStatus.OPEN:
        main = next((link.ticket for link in incident.links.all() if not link.merged), None)
        if main is not None:
            codes = [d.code for d in incident.divisions.all()]
            candidates = selectors.candidate_tickets(main, codes=codes)
    subscribers = NoticeSubscriber.objects.filter(services.live_subscribers(incident)).count()
    return render(
        request,
        "incidents/detail.html",
        {
            "incident": incident,
            "forms": forms_,
            "is_commander": is_commander,
            "is_open": incident.status == IncidentStatus.OPEN,
            "mobilisations": mobilisations,
            "broadcasts": broadcasts,
            "subscribers": subscribers,
            "used": services.resources_used(incident),
            "candidates": candidates,
        },
    )


def _unit(code: str, field: str) -> Unit:
    unit = Unit.objects.filter(code=code.strip()).first()
    if unit is None:
        raise IncidentError(_("单位编码 %(code)s 不存在。") % {"code": code}, field=field)
    return unit


def _division(code: str, field: str, *, required: bool) -> Division | None:
    code = (code or "").strip()
    if not code:
        if required:
            raise IncidentError(_("请填写村区划代码。"), field=field)
        return None
    found = Division.objects.filter(code=code).first()
    if found is None:
        raise IncidentError(_("行政区划 %(code)s 不存在。") % {"code": code}, field=field)
    return found


def _roster_act(request: HttpRequest, user: User, action: str, form: forms.Form) -> str:
    d = form.cleaned_data
    if action == "team":
        leader = None
        if d["leader"]:
            leader = User.objects.filter(username=d["leader"].strip()).first()
            if leader is None:
                raise IncidentError(
                    _("账号 %(name)s 不存在。") % {"name": d["leader"]}, field="leader"
                )
        services.team_save(
            actor=user,
            unit=_unit(d["unit"], "unit"),
            name=d["name"],
            leader=leader,
            phone=d["phone"],
            members=d["members"],
        )
        return _("已登记队伍。")
    if action == "machine":
        owner = _unit(d["owner_unit"], "owner_unit") if d["owner_unit"].strip() else None
        services.machine_save(
            actor=user,
            kind=d["kind"],
            label=d["label"],
            owner_unit=owner,
            owner_company=d["owner_company"],
            contact_name=d["contact_name"],
            phone=d["phone"],
            count=d["count"],
        )
        return _("已登记车辆机械。")
    if action == "volunteer":
        groups = []
        if d["group"].strip():
            groups = [services.group_save(actor=user, name=d["group"])]
        services.volunteer_save(
            actor=user,
            name=d["name"],
            phone=d["phone"],
            skills=d["skills"],
            village=_division(d["village"], "village", required=False),
            groups=groups,
        )
        return _("已登记志愿者。")
    village = _division(d["village"], "village", required=True)
    assert village is not None
    _row, created = services.subscriber_add(
        actor=user, village=village, phone=d["phone"], name=d["name"]
    )
    return _("已登记。") if created else _("该手机号已登记。")


ROSTER_FORMS: dict[str, type[forms.Form]] = {
    "team": f.TeamForm,
    "machine": f.MachineForm,
    "volunteer": f.VolunteerForm,
    "subscriber": f.SubscriberForm,
}


@login_required
def roster(request: HttpRequest) -> HttpResponse:
    """应急资源: teams, machines, volunteers and groups; phones masked but to commanders."""
    user = _reader(request)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if action == "import":
        upload = request.FILES.get("file")
        try:
            n = services.volunteers_import(actor=user, content=upload.read() if upload else b"")
        except IncidentError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("已导入 %(n)s 名志愿者。") % {"n": n})
        return redirect("incidents:roster")
    if action and action not in ROSTER_FORMS:
        raise Http404("unknown action")
    bound = {
        name: cls(request.POST if name == action else None) for name, cls in ROSTER_FORMS.items()
    }
    if action:
        form = bound[action]
        if form.is_valid():
            try:
                done = _roster_act(request, user, action, form)
            except IncidentError as error:
                _refused(request, form, error)
            else:
                messages.success(request, done)
                return redirect("incidents:roster")
        else:
            messages.error(request, _("请检查填写的内容。"))
    teams = [(t, shown(t.phone, user)) for t in Team.objects.select_related("unit", "leader")]
    machines = [(m, shown(m.phone, user)) for m in Machine.objects.select_related("owner_unit")]
    volunteers = [
        (v, shown(v.phone, user)) for v in Volunteer.objects.select_related("village")[:500]
    ]
    groups = VolunteerGroup.objects.prefetch_related("members")
    subscribed = (
        NoticeSubscriber.objects.filter(opted_out_at__isnull=True)
        .values("village__name")
        .order_by("village__name")
    )
    from django.db.models import Count

    by_village = subscribed.annotate(n=Count("id"))[:100]
    return render(
        request,
        "incidents/roster.html",
        {
            "teams": teams,
            "machines": machines,
            "volunteers": volunteers,
            "groups": groups,
            "by_village": by_village,
            "forms": bound,
            "can_write": rules.is_commander(user),
        },
    )


@login_required
def figures(request: HttpRequest) -> HttpResponse:
    _reader(request)
    rows = figures_module.figures()
    if request.GET.get("format") == "xlsx":
        book = Workbook(write_only=True)
        sheet = book.create_sheet(_("突发事件统计"))
        xlsx.append_row(
            sheet,
            [
                _("事件类型"),
                _("事件数"),
                _("已结束"),
                _("恢复用时中位数（小时）"),
                _("调度队伍"),
                _("车辆机械"),
                _("志愿者"),
                _("影响人数"),
            ],
        )
        for r in rows:
            xlsx.append_row(
                sheet,
                [
                    r.label,
                    r.total,
                    r.closed,
                    r.median_hours,
                    r.teams,
                    r.machines,
                    r.volunteers,
                    r.people,
                ],
            )
        return xlsx.download(xlsx.workbook_bytes(book), f"{_('突发事件统计')}-{xlsx.stamp()}.xlsx")
    return render(
        request,
        "incidents/figures.html",
        {"rows": rows, "median": figures_module.overall_median_hours(rows)},
    )
