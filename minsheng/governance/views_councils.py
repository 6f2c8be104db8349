"""民生议事会's pages (/governance/councils/): the councils in scope, a council's home (figures,
meetings, the form that opens the next one), the drafted agenda (printable), a meeting (its
record, its frozen agenda, its decisions and the decision form) and its printable minutes.
Views validate, call one service of `services.councils`, and render; a refusal shows the
service's Chinese message and changes nothing. A council outside the user's scope is a 404."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minsheng.governance import councils as selectors
from minsheng.governance.models import AgendaItem, Council, Meeting, Suggestion
from minsheng.governance.services import councils as service
from minsheng.governance.services import suggestions as suggestion_service
from minsheng.org.models import User
from minsheng.tickets.errors import InvalidInput, TicketActionError
from minsheng.tickets.models import Ticket

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
WORK_ROWS = 3


# --- Forms --------------------------------------------------------------------------------------


class OpenForm(forms.Form):
    date = forms.DateField(label=gettext_lazy("会议日期"), widget=DATE)


class RecordForm(forms.Form):
    chair = forms.CharField(label=gettext_lazy("主持人"), max_length=50, required=False)
    attendees = forms.CharField(
        label=gettext_lazy("参会人员"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    minutes = forms.CharField(
        label=gettext_lazy("会议纪要"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    held = forms.BooleanField(label=gettext_lazy("会议已召开（议题定稿）"), required=False)
    revision = forms.IntegerField(widget=forms.HiddenInput)


class DecisionForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("决定事项"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    demands = forms.CharField(
        label=gettext_lazy("回应的诉求（工单号，用逗号或空格分隔）"),
        required=False,
        max_length=2000,
    )

    def __init__(
        self, *args: Any, council: Council, pending: list[Suggestion], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if pending:
            self.fields["suggestions"] = forms.MultipleChoiceField(
                label=gettext_lazy("回应的意见建议"),
                required=False,
                widget=forms.CheckboxSelectMultiple,
                choices=[(str(s.pk), suggestion_label(s)) for s in pending],
            )
        units = [("", "—")] + [(str(u.pk), u.name) for u in selectors.township_units(council)]
        for n in range(1, WORK_ROWS + 1):
            self.fields[f"unit_{n}"] = forms.ChoiceField(
                label=gettext_lazy("承办单位"), choices=units, required=False
            )
            self.fields[f"due_{n}"] = forms.DateField(
                label=gettext_lazy("完成期限"), required=False, widget=DATE
            )
            self.fields[f"title_{n}"] = forms.CharField(
                label=gettext_lazy("工作内容"), required=False, max_length=100
            )

    def rows(self) -> list[list[forms.BoundField]]:
        return [
            [self[f"unit_{n}"], self[f"due_{n}"], self[f"title_{n}"]]
            for n in range(1, WORK_ROWS + 1)
        ]

    def works(self) -> list[service.Work]:
        found: list[service.Work] = []
        for n in range(1, WORK_ROWS + 1):
            unit, due, title = (self.cleaned_data.get(f"{k}_{n}") for k in ("unit", "due", "title"))
            if not (unit or due or title):
                continue
            if not unit:
                self.add_error(f"unit_{n}", _("请选择承办单位。"))
                continue
            if not due:
                self.add_error(f"due_{n}", _("请填写完成期限。"))
                continue
            found.append((str(unit), due, str(title or ""), ""))
        return found


class DeclineForm(forms.Form):
    suggestion = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=gettext_lazy("不予采纳的理由"), max_length=500)


def suggestion_label(s: Suggestion) -> str:
    place = f"{s.village.name} · " if s.village else ""
    return f"#{s.pk} {place}{s.text[:80]}"


def demand_ids(council: Council, raw: str) -> list[int]:
    """Ticket numbers typed by people → ids of the township's tickets (unknown ones raise)."""
    numbers = [n for n in raw.replace("，", ",").replace(",", " ").split() if n]
    if not numbers:
        return []
    found = dict(
        Ticket.objects.filter(selectors.township_q(council), number__in=numbers).values_list(
            "number", "pk"
        )
    )
    missing = [n for n in numbers if n not in found]
    if missing:
        raise InvalidInput(
            _("工单 %(ids)s 不是本乡镇的诉求。") % {"ids": "、".join(missing)}, field="demands"
        )
    return [found[n] for n in numbers]


# --- Helpers ------------------------------------------------------------------------------------


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _council(request: HttpRequest, code: str) -> Council:
    council = selectors.council_for(_user(request), code)
    if council is None:
        raise Http404
    return council


def _meeting(council: Council, pk: int) -> Meeting:
    meeting = selectors.meeting_for(council, pk)
    if meeting is None:
        raise Http404
    return meeting


def _next_date(council: Council) -> dt.date:
    today = timezone.localdate()
    return today + dt.timedelta(days=(council.weekday - today.weekday()) % 7)


def _agenda_groups(items: list[AgendaItem]) -> list[tuple[str, list[AgendaItem]]]:
    by_kind: dict[str, list[AgendaItem]] = {}
    for item in items:
        by_kind.setdefault(item.kind, []).append(item)
    return [(str(label), by_kind.get(kind, [])) for kind, label in AgendaItem.Kind.choices]


# --- Pages --------------------------------------------------------------------------------------


@login_required
def council_list(request: HttpRequest) -> HttpResponse:
    found = list(selectors.councils_for(_user(request)))
    if len(found) == 1:
        return redirect("governance:council_home", code=found[0].division_id)
    return render(request, "governance/councils/list.html", {"councils": found})


@login_required
def council_home(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    council = _council(request, code)
    can_run = selectors.can_run(user, council)
    form = OpenForm(request.POST or None, initial={"date": _next_date(council)})
    if request.method == "POST":
        if not can_run:
            raise Http404
        if form.is_valid():
            try:
                meeting = service.council_meeting_open(
                    actor=user, council=council, date=form.cleaned_data["date"]
                )
            except TicketActionError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("已新建会议并生成议题。"))
                return redirect("governance:council_meeting", code=code, pk=meeting.pk)
    context = {
        "council": council,
        "can_run": can_run,
        "form": form,
        "meetings": list(selectors.meetings(council)[:50]),
        "figures": selectors.figures(council),
        "participation": selectors.participation(council),
    }
    return render(request, "governance/councils/home.html", context)


@login_required
def council_agenda(request: HttpRequest, code: str) -> HttpResponse:
    """The agenda as drafted now for a meeting on `date` (default: the next meeting day)."""
    council = _council(request, code)
    try:
        until = dt.date.fromisoformat(request.GET.get("date", "").strip())
    except ValueError:
        until = _next_date(council)
    since, until = selectors.agenda_period(council, until)
    agenda = selectors.draft_agenda(council, since=since, until=until)
    return render(
        request, "governance/councils/agenda.html", {"council": council, "agenda": agenda}
    )


@login_required
def council_meeting(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    user = _user(request)
    council = _council(request, code)
    meeting = _meeting(council, pk)
    can_run = selectors.can_run(user, council)
    record = RecordForm(
        initial={
            "chair": meeting.chair,
            "attendees": meeting.attendees,
            "minutes": meeting.minutes,
            "held": meeting.status == Meeting.Status.HELD,
            "revision": meeting.revision,
        }
    )
    pending = list(selectors.open_suggestions(council)) if can_run else []
    decide = DecisionForm(council=council, pending=pending)
    if request.method == "POST":
        if not can_run:
            raise Http404
        action = request.POST.get("action")
        if action == "record":
            record = RecordForm(request.POST)
            if record.is_valid():
                data = record.cleaned_data
                try:
                    service.council_meeting_record(
                        actor=user,
                        meeting=meeting,
                        chair=data["chair"],
                        attendees=data["attendees"],
                        minutes=data["minutes"],
                        held=data["held"],
                        expected_revision=data["revision"],
                    )
                except TicketActionError as error:
                    record.add_error(None, error.message)
                else:
                    messages.success(request, _("会议记录已保存。"))
                    return redirect("governance:council_meeting", code=code, pk=pk)
        elif action == "decide":
            decide = DecisionForm(request.POST, council=council, pending=pending)
            if decide.is_valid():
                works = decide.works()
                if decide.is_valid():
                    try:
                        service.council_decide(
                            actor=user,
                            meeting=meeting,
                            text=decide.cleaned_data["text"],
                            demands=demand_ids(council, decide.cleaned_data["demands"]),
                            works=works,
                            suggestions=[
                                int(x) for x in decide.cleaned_data.get("suggestions") or []
                            ],
                        )
                    except TicketActionError as error:
                        decide.add_error(None, error.message)
                    else:
                        messages.success(request, _("决定已记录，交办工单已派发。"))
                        return redirect("governance:council_meeting", code=code, pk=pk)
        elif action == "decline":
            decline = DeclineForm(request.POST)
            if decline.is_valid():
                target = Suggestion.objects.filter(
                    council=council,
                    status=Suggestion.Status.OPEN,
                    pk=decline.cleaned_data["suggestion"],
                ).first()
                if target is None:
                    messages.error(request, _("该意见建议已处理或不存在。"))
                else:
                    try:
                        suggestion_service.suggestion_decline(
                            actor=user, suggestion=target, note=decline.cleaned_data["note"]
                        )
                    except TicketActionError as error:
                        messages.error(request, error.message)
                    else:
                        messages.success(request, _("已记录不予采纳。"))
                        return redirect("governance:council_meeting", code=code, pk=pk)
            else:
                messages.error(request, _("请说明不予采纳的理由。"))
    items = list(meeting.agenda_items.select_related("ticket").order_by("position"))
    decisions = selectors.decisions_of(meeting)
    today = timezone.localdate()
    context = {
        "council": council,
        "meeting": meeting,
        "can_run": can_run,
        "record": record,
        "decide": decide,
        "pending": pending,
        "agenda": _agenda_groups(items),
        "decisions": [
            (
                d,
                [
                    (w, selectors.STATE_LABELS[selectors.work_state(w, today)])
                    for w in d.works.all()
                ],
            )
            for d in decisions
        ],
    }
    return render(request, "governance/councils/meeting.html", context)


@login_required
def council_minutes(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    council = _council(request, code)
    meeting = _meeting(council, pk)
    items = list(meeting.agenda_items.select_related("ticket").order_by("position"))
    context = {
        "council": council,
        "meeting": meeting,
        "agenda": _agenda_groups(items),
        "decisions": selectors.decisions_of(meeting),
    }
    return render(request, "governance/councils/minutes.html", context)
