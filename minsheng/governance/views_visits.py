"""包村 and 走访's pages (/governance/villages/): a cadre's villages and recent visits, the
phone-first visit form (needs rows, each made a ticket or put before the council), a village's
page (who is responsible for it, its visits), a township's overview (figures, visits per village
per month, the villages not visited this month; printable, Excel) and the township's assignment
management. Views validate, call one service of `services.visits`, and render; a refusal shows
the service's Chinese message and changes nothing. Outside the user's scope: 404."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from minsheng.governance import visits as selectors
from minsheng.governance.models import VillageAssignment, VisitNeed
from minsheng.governance.services import visits as service
from minsheng.lib import xlsx
from minsheng.org.models import Division, Role, User
from minsheng.textproc.pii import mask_phone, mask_pii
from minsheng.tickets.errors import TicketActionError
from minsheng.tickets.forms import LongSelect
from minsheng.tickets.models import Category

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NEED_ROWS = 5  # two shown, three more folded under 更多诉求
SHOWN_ROWS = 2
OUTCOMES = [
    (VisitNeed.Outcome.TICKET, gettext_lazy("转工单")),
    (VisitNeed.Outcome.SUGGESTION, gettext_lazy("提交议事会")),
]


def mask_name(name: str) -> str:
    """张三 → 张*: a citizen's name on staff pages, as the phone is masked."""
    name = (name or "").strip()
    return f"{name[0]}{'*' * max(1, len(name) - 1)}" if name else ""


# --- Forms --------------------------------------------------------------------------------------


def leaf_categories() -> list[tuple[str, str]]:
    rows = Category.objects.filter(is_active=True).exclude(
        pk__in=Category.objects.filter(parent__isnull=False, is_active=True).values("parent_id")
    )
    return [("", "—")] + [(str(pk), name) for pk, name in rows.values_list("pk", "full_name")]


class VisitForm(forms.Form):
    token = forms.UUIDField(widget=forms.HiddenInput)
    village = forms.ChoiceField(label=gettext_lazy("走访村（社区）"), widget=LongSelect())
    date = forms.DateField(label=gettext_lazy("走访日期"), widget=DATE)
    households = forms.IntegerField(
        label=gettext_lazy("走访户数"),
        min_value=0,
        max_value=service.MAX_HOUSEHOLDS,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    note = forms.CharField(
        label=gettext_lazy("走访情况"),
        required=False,
        max_length=service.MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self,
        *args: Any,
        villages: list[tuple[str, str]],
        categories: list[tuple[str, str]],
        **kw: Any,
    ) -> None:
        super().__init__(*args, **kw)
        self.fields["village"].choices = [("", "—"), *villages]  # type: ignore[attr-defined]
        for n in range(1, NEED_ROWS + 1):
            self.fields[f"text_{n}"] = forms.CharField(
                label=gettext_lazy("群众诉求"),
                required=False,
                max_length=service.MAX_TEXT,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[f"outcome_{n}"] = forms.ChoiceField(
                label=gettext_lazy("处理方式"),
                choices=OUTCOMES,
                initial=VisitNeed.Outcome.TICKET,
                widget=forms.RadioSelect,
                required=False,
            )
            self.fields[f"category_{n}"] = forms.ChoiceField(
                label=gettext_lazy("分类（可不选）"),
                choices=categories,
                required=False,
                widget=LongSelect(),
            )
            self.fields[f"name_{n}"] = forms.CharField(
                label=gettext_lazy("群众姓名（可不填）"), required=False, max_length=50
            )
            self.fields[f"phone_{n}"] = forms.CharField(
                label=gettext_lazy("联系电话（可不填）"),
                required=False,
                max_length=20,
                widget=forms.TextInput(attrs={"inputmode": "tel"}),
            )

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "n": n,
                "text": self[f"text_{n}"],
                "outcome": self[f"outcome_{n}"],
                "category": self[f"category_{n}"],
                "name": self[f"name_{n}"],
                "phone": self[f"phone_{n}"],
            }
            for n in range(1, NEED_ROWS + 1)
        ]

    def needs(self) -> list[service.Need]:
        found: list[service.Need] = []
        categories: dict[int, Category] = {}
        wanted = [self.cleaned_data.get(f"category_{n}") for n in range(1, NEED_ROWS + 1)]
        ids = [int(c) for c in wanted if c]
        if ids:
            categories = Category.objects.in_bulk(ids)
        for n in range(1, NEED_ROWS + 1):
            text = (self.cleaned_data.get(f"text_{n}") or "").strip()
            raw = self.cleaned_data.get(f"category_{n}")
            if not text:
                if raw or self.cleaned_data.get(f"name_{n}") or self.cleaned_data.get(f"phone_{n}"):
                    self.add_error(f"text_{n}", _("请填写诉求内容。"))
                continue
            found.append(
                service.Need(
                    text=text,
                    outcome=self.cleaned_data.get(f"outcome_{n}") or VisitNeed.Outcome.TICKET,
                    category=categories.get(int(raw)) if raw else None,
                    citizen_name=self.cleaned_data.get(f"name_{n}") or "",
                    citizen_phone=self.cleaned_data.get(f"phone_{n}") or "",
                )
            )
        return found


class AssignForm(forms.Form):
    person = forms.CharField(label=gettext_lazy("包村人员（用户名）"), max_length=150)
    village = forms.ChoiceField(label=gettext_lazy("村（社区）"))
    duty = forms.ChoiceField(label=gettext_lazy("职责"), choices=VillageAssignment.Duty.choices)
    starts_on = forms.DateField(label=gettext_lazy("开始日期"), widget=DATE)
    ends_on = forms.DateField(label=gettext_lazy("结束日期（可不填）"), widget=DATE, required=False)

    def __init__(self, *args: Any, villages: list[tuple[str, str]], **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["village"].choices = villages  # type: ignore[attr-defined]

    def clean_person(self) -> User:
        username = self.cleaned_data["person"].strip()
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("找不到该用户。"))
        return user


class EndForm(forms.Form):
    assignment = forms.IntegerField(widget=forms.HiddenInput)
    ends_on = forms.DateField(label=gettext_lazy("结束日期"), widget=DATE)


# --- Helpers ------------------------------------------------------------------------------------


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _township(request: HttpRequest, code: str) -> Division:
    township = Division.objects.filter(code=code, level=Division.Level.TOWNSHIP).first()
    if township is None or not selectors.can_read_township(_user(request), township):
        raise Http404
    return township


def _village_choices(user: User) -> list[tuple[str, str]]:
    """The villages the user may log a visit for: those of their assignments (the service
    checks the day), every village for administrators."""
    if user.has_role(Role.ADMINISTRATOR):
        rows = Division.objects.filter(level=Division.Level.VILLAGE).select_related("parent")
        return [(d.code, f"{d.parent.name if d.parent else ''} {d.name}") for d in rows]
    seen: dict[str, str] = {}
    for a in (
        VillageAssignment.objects.filter(person=user)
        .select_related("village", "township")
        .order_by("village_id")
    ):
        seen.setdefault(a.village_id, f"{a.township.name} {a.village.name}")
    return list(seen.items())


def _needs_view(visits: list[Any]) -> list[dict[str, Any]]:
    out = []
    for visit in visits:
        needs = []
        for need in visit.needs.all():
            label, resolved = selectors.need_state(need)
            needs.append(
                {
                    "need": need,
                    "text": mask_pii(need.text),
                    "state": label,
                    "resolved": resolved,
                    "name": mask_name(need.citizen_name),
                    "phone": mask_phone(need.citizen_phone) if need.citizen_phone else "",
                }
            )
        out.append({"visit": visit, "needs": needs})
    return out


# --- Pages --------------------------------------------------------------------------------------


@login_required
def visits_home(request: HttpRequest) -> HttpResponse:
    """我的包村: the cadre's villages and recent visits; the townships the user may read."""
    user = _user(request)
    today = timezone.localdate()
    month = selectors.month_start(today)
    townships = selectors.townships_for(user)
    context = {
        "assignments": selectors.my_assignments(user, today),
        "visits": selectors.recent_visits(user),
        "lines": selectors.township_lines(townships, month),
        "month": month,
        "can_record": user.has_role(Role.ADMINISTRATOR)
        or VillageAssignment.objects.filter(person=user).exists(),
    }
    return render(request, "governance/visits/home.html", context)


@login_required
def visit_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    villages = _village_choices(user)
    categories = leaf_categories()
    if request.method == "POST":
        form = VisitForm(request.POST, villages=villages, categories=categories)
        needs = form.needs() if form.is_valid() else []
        if form.is_valid():  # needs() may add errors to the rows
            data = form.cleaned_data
            village = Division.objects.filter(code=data["village"]).first()
            try:
                done = service.visit_record(
                    actor=user,
                    village=village,  # type: ignore[arg-type]
                    date=data["date"],
                    households=data["households"],
                    note=data["note"],
                    needs=needs,
                    token=data["token"],
                )
            except TicketActionError as error:
                form.add_error(None, error.message)
            else:
                if done.repeated:
                    messages.info(request, _("这次走访已经记录过了，没有重复记录。"))
                else:
                    tickets = sum(1 for n in needs if n.outcome == VisitNeed.Outcome.TICKET)
                    messages.success(
                        request,
                        _("走访已记录：%(t)s 条诉求转为工单，%(s)s 条提交议事会。")
                        % {"t": tickets, "s": len(needs) - tickets},
                    )
                return redirect("governance:visits_village", code=done.visit.village_id)
    else:
        chosen = request.GET.get("village", "")
        form = VisitForm(
            villages=villages,
            categories=categories,
            initial={
                "token": uuid.uuid4(),
                "date": timezone.localdate(),
                "village": chosen if any(c == chosen for c, _l in villages) else "",
            },
        )
    rows = form.rows()
    context = {
        "form": form,
        "shown": rows[:SHOWN_ROWS],
        "more": rows[SHOWN_ROWS:],
        "has_villages": bool(villages),
    }
    return render(request, "governance/visits/form.html", context)


@login_required
def village_page(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    village = Division.objects.filter(code=code, level=Division.Level.VILLAGE).first()
    township = selectors.township_of(village) if village is not None else None
    unit = selectors.township_unit(township) if township is not None else None
    if (
        village is None
        or township is None
        or not selectors.can_read_village(user, village, township, unit)
    ):
        raise Http404
    today = timezone.localdate()
    context = {
        "village": village,
        "township": township,
        "responsible": selectors.responsible_for(village, today),
        "assignments": selectors.assignments_of_village(village),
        "visits": _needs_view(selectors.visits_of_village(village)),
        "can_record": user.has_role(Role.ADMINISTRATOR)
        or selectors.assigned_on(user, village, today),
        "can_read_township": selectors.can_read_township(user, township, unit),
        "today": today,
    }
    return render(request, "governance/visits/village.html", context)


@login_required
def township_page(request: HttpRequest, code: str) -> HttpResponse:
    township = _township(request, code)
    month = selectors.parse_month(request.GET.get("month"))
    context = {
        "township": township,
        "o": selectors.overview(township, month),
        "prev": selectors.previous_months(month, 2)[0],
        "next": selectors.next_month(month),
        "can_manage": selectors.can_manage(_user(request), township),
    }
    return render(request, "governance/visits/township.html", context)


@login_required
def township_export(request: HttpRequest, code: str) -> HttpResponse:
    """The overview as Excel: each village's visits per month, the villages not visited in the
    month, the month's needs and what became of them (no citizen's name or phone)."""
    township = _township(request, code)
    month = selectors.parse_month(request.GET.get("month"))
    o = selectors.overview(township, month)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("各村走访"))
    xlsx.append_row(
        sheet,
        [
            _("村（社区）"),
            _("包村人员"),
            *[f"{m:%Y-%m}" for m in o.months],
            _("本月走访户数"),
            _("最近走访"),
        ],
    )
    for r in o.rows:
        xlsx.append_row(
            sheet,
            [
                r.village.name,
                "、".join(f"{a.person}（{a.get_duty_display()}）" for a in r.responsible),
                *r.months,
                r.households,
                r.last.isoformat() if r.last else "",
            ],
        )
    xlsx.append_row(
        sheet,
        [
            _("合计"),
            "",
            *[sum(r.months[i] for r in o.rows) for i in range(len(o.months))],
            o.households,
            "",
        ],
    )
    missing = book.create_sheet(_("本月未走访"))
    xlsx.append_row(missing, [_("村（社区）"), _("包村人员"), _("最近走访")])
    for r in o.not_visited:
        xlsx.append_row(
            missing,
            [
                r.village.name,
                "、".join(str(a.person) for a in r.responsible),
                r.last.isoformat() if r.last else "",
            ],
        )
    needs_sheet = book.create_sheet(_("收集的诉求"))
    xlsx.append_row(
        needs_sheet,
        [
            _("走访日期"),
            _("村（社区）"),
            _("走访人"),
            _("诉求"),
            _("处理方式"),
            _("工单号"),
            _("办理状态"),
            _("已解决"),
        ],
    )
    end = selectors.next_month(month)
    for need in (
        VisitNeed.objects.filter(township=township, date__gte=month, date__lt=end)
        .select_related("visit__village", "visit__visitor", "ticket", "suggestion")
        .order_by("visit__date", "visit_id", "position")
    ):
        label, resolved = selectors.need_state(need)
        xlsx.append_row(
            needs_sheet,
            [
                need.visit.date.isoformat(),
                need.visit.village.name,
                str(need.visit.visitor),
                mask_pii(need.text),
                need.get_outcome_display(),
                need.ticket.number if need.ticket else "",
                label,
                _("是") if resolved else _("否"),
            ],
        )
    name = f"{township.name}走访{month:%Y-%m}-{xlsx.stamp()}.xlsx"
    return xlsx.download(xlsx.workbook_bytes(book), name)


@login_required
def assignments_page(request: HttpRequest, code: str) -> HttpResponse:
    user = _user(request)
    township = _township(request, code)
    can_manage = selectors.can_manage(user, township)
    villages = [(v.code, v.name) for v in selectors.villages_of(township)]
    form = AssignForm(villages=villages, initial={"starts_on": timezone.localdate()})
    if request.method == "POST":
        if not can_manage:
            raise Http404
        action = request.POST.get("action")
        if action == "assign":
            form = AssignForm(request.POST, villages=villages)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    service.assignment_add(
                        actor=user,
                        person=data["person"],
                        village=Division.objects.get(code=data["village"]),
                        duty=data["duty"],
                        starts_on=data["starts_on"],
                        ends_on=data["ends_on"],
                    )
                except TicketActionError as error:
                    form.add_error(None, error.message)
                else:
                    messages.success(request, _("包村安排已保存。"))
                    return redirect("governance:visits_assignments", code=code)
        elif action == "end":
            end = EndForm(request.POST)
            if end.is_valid():
                target = VillageAssignment.objects.filter(
                    township=township, pk=end.cleaned_data["assignment"]
                ).first()
                if target is None:
                    raise Http404
                try:
                    service.assignment_end(
                        actor=user, assignment=target, ends_on=end.cleaned_data["ends_on"]
                    )
                except TicketActionError as error:
                    messages.error(request, error.message)
                else:
                    messages.success(request, _("已结束该包村安排。"))
                    return redirect("governance:visits_assignments", code=code)
            else:
                messages.error(request, _("请填写结束日期。"))
    today = timezone.localdate()
    rows = list(selectors.assignments_of_township(township)[:500])
    context = {
        "township": township,
        "can_manage": can_manage,
        "form": form,
        "current": [a for a in rows if a.ends_on is None or a.ends_on >= today],
        "ended": [a for a in rows if a.ends_on is not None and a.ends_on < today],
        "today": today,
    }
    return render(request, "governance/visits/assignments.html", context)
