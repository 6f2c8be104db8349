"""四议两公开's pages (/villages/matters/): a village's matters, a matter with its steps and the
form of the next one, the village's registers, and the township's overview of its villages'
matters. Views validate, call one service of `services.matters`, and render; a refusal shows the
service's Chinese message (the law's rule and its numbers) and changes nothing."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minsheng.org.access import current_user
from minsheng.org.models import User
from minsheng.tickets.forms import PlainIntegerField
from minsheng.villages import rules
from minsheng.villages import selectors_decisions as selectors
from minsheng.villages.errors import StaleItem, VillageActionError
from minsheng.villages.models import (
    Matter,
    MatterKind,
    MatterStatus,
    RegisterKind,
    Step,
    StepMeeting,
    StepOutcome,
)
from minsheng.villages.services import matters as service

PAGE_SIZE = 50
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


# --- Forms --------------------------------------------------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern); type checks are the service's."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*,application/pdf"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


def _count_field(label: Any, *, required: bool = True) -> PlainIntegerField:
    return PlainIntegerField(
        label=label,
        min_value=0,
        max_value=service.COUNT_MAX,
        required=required,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
    )


class MatterForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("事项名称"), max_length=service.TITLE_MAX)
    kind = forms.ChoiceField(label=gettext_lazy("类别"), choices=MatterKind.choices)
    description = forms.CharField(
        label=gettext_lazy("事项说明"),
        required=False,
        max_length=service.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class StepForm(forms.Form):
    """A meeting of a step: attendance, votes, outcome, minutes, files. The expected numbers are
    not fields: they come from the registers at the meeting's date."""

    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)
    meeting = forms.ChoiceField(
        label=gettext_lazy("会议"), choices=StepMeeting.choices, widget=forms.RadioSelect
    )
    held_on = forms.DateField(label=gettext_lazy("会议日期"), widget=DATE)
    present = _count_field(gettext_lazy("实到人数"))
    households_present = _count_field(gettext_lazy("到会户代表数（村民会议）"), required=False)
    votes_for = _count_field(gettext_lazy("赞成"))
    votes_against = _count_field(gettext_lazy("反对"))
    votes_abstain = _count_field(gettext_lazy("弃权"))
    outcome = forms.ChoiceField(
        label=gettext_lazy("表决结果"), choices=StepOutcome.choices, widget=forms.RadioSelect
    )
    resolution = forms.CharField(
        label=gettext_lazy("决议内容"),
        required=False,
        max_length=service.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    minutes = forms.CharField(
        label=gettext_lazy("会议记录"),
        required=False,
        max_length=service.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    attachments = MultipleFileField(
        label=gettext_lazy("附件（签到表、会议记录、表决票的照片或 PDF）"), required=False
    )

    def __init__(self, *args: Any, number: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.number = number
        meeting = self.fields["meeting"]
        assert isinstance(meeting, forms.ChoiceField)
        meeting.choices = [
            (value, label)
            for value, label in StepMeeting.choices
            if value in service.STEP_MEETINGS[number]
        ]
        if number != 4:
            del self.fields["households_present"]
            del self.fields["resolution"]
        if not self.is_bound:
            meeting.initial = service.STEP_MEETINGS[number][0]
            self.fields["outcome"].initial = StepOutcome.PASSED

    def vote(self) -> service.Vote:
        data = self.cleaned_data
        return service.Vote(
            meeting=data["meeting"],
            held_on=data["held_on"],
            present=data["present"],
            votes_for=data["votes_for"],
            votes_against=data["votes_against"],
            votes_abstain=data["votes_abstain"],
            outcome=data["outcome"],
            households_present=data.get("households_present"),
            resolution=data.get("resolution") or "",
            minutes=data.get("minutes") or "",
        )


class CorrectForm(StepForm):
    reason = forms.CharField(label=gettext_lazy("更正原因"), max_length=service.REASON_MAX)

    field_order = ("reason",)


class ResultForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)
    done_on = forms.DateField(label=gettext_lazy("实施完成日期"), widget=DATE)
    result = forms.CharField(
        label=gettext_lazy("实施结果"),
        max_length=service.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class CountForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("登记项目"), choices=RegisterKind.choices)
    value = PlainIntegerField(
        label=gettext_lazy("人数（户数）"),
        min_value=1,
        max_value=service.COUNT_MAX,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 1}),
    )
    effective_from = forms.DateField(label=gettext_lazy("起算日期"), widget=DATE)
    note = forms.CharField(label=gettext_lazy("说明"), max_length=200, required=False)


class RepresentativeForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("姓名"), max_length=service.NAME_MAX)
    from_date = forms.DateField(label=gettext_lazy("任职起"), widget=DATE)


class RemoveForm(forms.Form):
    representative = forms.IntegerField(widget=forms.HiddenInput)
    until_date = forms.DateField(label=gettext_lazy("离任日期"), widget=DATE)


def _form_errors(request: HttpRequest, form: forms.Form) -> None:
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for message in errors:
            messages.error(request, f"{label}：{message}" if label else str(message))


def _refused(request: HttpRequest, form: forms.Form, error: VillageActionError) -> None:
    messages.error(request, error.message)
    if error.field and error.field in form.fields:
        form.add_error(error.field, error.message)


# --- Pages --------------------------------------------------------------------------------------


def _scope_or_403(user: User) -> rules.VillageScope:
    scope = rules.matters_scope(user)
    if not scope.everything and not scope.prefixes:
        raise PermissionDenied
    return scope


@login_required
def matter_home(request: HttpRequest) -> HttpResponse:
    """A village's clerk lands on their village's matters; a township on its overview."""
    user = current_user(request)
    scope = _scope_or_403(user)
    if not scope.everything and len(scope.prefixes) == 1 and len(scope.prefixes[0]) == 12:
        return redirect("villages:matter_village", code=scope.prefixes[0])
    return redirect("villages:matter_overview")


@login_required
def matter_village(request: HttpRequest, code: str) -> HttpResponse:
    """A village's matters, newest first, and (for its clerk) the form that opens one."""
    user = current_user(request)
    board = selectors.board_for(user, code)
    if board is None:
        raise Http404("village not found")
    can_record = rules.can_record_matters(user, code)
    form = MatterForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not can_record:
            raise Http404("village not found")
        if form.is_valid():
            try:
                matter = service.matter_open(actor=user, village_code=code, **form.cleaned_data)
            except VillageActionError as error:
                _refused(request, form, error)
            else:
                messages.success(request, _("已新建事项，请记录第一步：村党组织提议。"))
                return redirect("villages:matter_detail", pk=matter.pk)
        else:
            _form_errors(request, form)
        status = 400
    page = Paginator(selectors.matters_of(user, village_code=code), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    now = timezone.now()
    rows = [(m, service.is_stuck(m, now)) for m in page.object_list]
    context = {
        "board": board,
        "page": page,
        "rows": rows,
        "stuck_days": service.stuck_days(),
        "can_record": can_record,
        "form": form,
    }
    return render(request, "villages/matters/village.html", context, status=status)


def _corrected_by(step: Step) -> Step | None:
    try:
        return step.corrected_by
    except Step.DoesNotExist:
        return None


def _correct_form(step: Step, matter: Matter) -> CorrectForm:
    return CorrectForm(
        number=step.number,
        prefix=f"c{step.pk}",
        initial={
            "revision": matter.revision,
            "meeting": step.meeting,
            "held_on": step.held_on,
            "present": step.present,
            "households_present": step.households_present,
            "votes_for": step.votes_for,
            "votes_against": step.votes_against,
            "votes_abstain": step.votes_abstain,
            "outcome": step.outcome,
            "resolution": step.resolution,
            "minutes": step.minutes,
        },
    )


@login_required
def matter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A matter: its steps (corrections shown with what they correct), the registers' numbers
    for the next meeting, and the clerk's forms (next step, corrections, the result)."""
    user = current_user(request)
    matter = selectors.matter_for(user, pk)
    if matter is None:
        raise Http404("matter not found")
    can_record = rules.can_record_matters(user, matter.board_id)
    number = matter.next_step
    step_form: StepForm | None = None
    result_form: ResultForm | None = None
    bound_correct: CorrectForm | None = None
    status = 200
    if request.method == "POST":
        if not can_record:
            raise Http404("matter not found")
        action = request.POST.get("action", "")
        try:
            if action == "step" and number <= 4:
                step_form = StepForm(request.POST, request.FILES, number=number)
                if step_form.is_valid():
                    revision = step_form.cleaned_data.get("revision")
                    step = service.step_record(
                        actor=user,
                        matter_id=matter.pk,
                        number=number,
                        vote=step_form.vote(),
                        files=step_form.cleaned_data.get("attachments") or [],
                        revision=revision,
                    )
                    messages.success(
                        request,
                        _("已记录%(step)s：%(outcome)s。")
                        % {
                            "step": service.step_name(step.number),
                            "outcome": step.get_outcome_display(),
                        },
                    )
                    return redirect("villages:matter_detail", pk=matter.pk)
                _form_errors(request, step_form)
            elif action == "correct":
                step_id = request.POST.get("step_id", "")
                original = (
                    Step.objects.filter(matter=matter, pk=int(step_id)).first()
                    if step_id.isascii() and step_id.isdigit()
                    else None
                )
                if original is None:
                    raise Http404("step not found")
                bound_correct = CorrectForm(
                    request.POST, request.FILES, number=original.number, prefix=f"c{original.pk}"
                )
                if bound_correct.is_valid():
                    service.step_correct(
                        actor=user,
                        step_id=original.pk,
                        reason=bound_correct.cleaned_data["reason"],
                        vote=bound_correct.vote(),
                        files=bound_correct.cleaned_data.get("attachments") or [],
                        revision=bound_correct.cleaned_data.get("revision"),
                    )
                    messages.success(request, _("已记录更正，原记录保留。"))
                    return redirect("villages:matter_detail", pk=matter.pk)
                _form_errors(request, bound_correct)
            elif action == "result":
                result_form = ResultForm(request.POST)
                if result_form.is_valid():
                    service.matter_record_result(
                        actor=user,
                        matter_id=matter.pk,
                        result=result_form.cleaned_data["result"],
                        done_on=result_form.cleaned_data["done_on"],
                        revision=result_form.cleaned_data.get("revision"),
                    )
                    messages.success(request, _("已记录实施结果，并起草了实施结果公开。"))
                    return redirect("villages:matter_detail", pk=matter.pk)
                _form_errors(request, result_form)
            else:
                raise Http404("unknown action")
        except StaleItem as error:
            messages.error(request, error.message)
            return redirect("villages:matter_detail", pk=matter.pk)
        except VillageActionError as error:
            form = step_form or bound_correct or result_form
            assert form is not None
            _refused(request, form, error)
        status = 400
    today = timezone.localdate()
    steps = selectors.steps_of(matter)
    registers = selectors.registers_of(matter.board_id, today)
    if step_form is None and number <= 4:
        step_form = StepForm(number=number, initial={"revision": matter.revision, "held_on": today})
    if result_form is None and matter.status == MatterStatus.DECIDED:
        result_form = ResultForm(initial={"revision": matter.revision, "done_on": today})
    entries = []
    for step in steps:
        corrected_by = _corrected_by(step)
        form = None
        if can_record and corrected_by is None:
            if bound_correct is not None and bound_correct.prefix == f"c{step.pk}":
                form = bound_correct
            else:
                form = _correct_form(step, matter)
        entries.append({"step": step, "corrected_by": corrected_by, "correct_form": form})
    context = {
        "matter": matter,
        "board": matter.board,
        "entries": entries,
        "number": number,
        "next_name": service.step_name(number) if number <= 4 else "",
        "step_form": step_form if can_record else None,
        "result_form": result_form if can_record else None,
        "can_record": can_record,
        "registers": registers,
        "stuck": service.is_stuck(matter),
        "stuck_days": service.stuck_days(),
    }
    return render(request, "villages/matters/detail.html", context, status=status)


@login_required
def matter_registers(request: HttpRequest, code: str) -> HttpResponse:
    """The village's registers: each count with its history, the 村民代表 roster; the clerk
    records new counts and members joining or leaving (nothing is edited in place)."""
    user = current_user(request)
    board = selectors.board_for(user, code)
    if board is None:
        raise Http404("village not found")
    can_record = rules.can_record_matters(user, code)
    today = timezone.localdate()
    count_form = CountForm(initial={"effective_from": today})
    rep_form = RepresentativeForm(initial={"from_date": today})
    status = 200
    if request.method == "POST":
        if not can_record:
            raise Http404("village not found")
        action = request.POST.get("action", "")
        bound: forms.Form
        try:
            if action == "count":
                bound = count_form = CountForm(request.POST)
                if bound.is_valid():
                    service.register_count_set(actor=user, village_code=code, **bound.cleaned_data)
                    messages.success(request, _("已登记。"))
                    return redirect("villages:matter_registers", code=code)
            elif action == "rep_add":
                bound = rep_form = RepresentativeForm(request.POST)
                if bound.is_valid():
                    service.representative_add(actor=user, village_code=code, **bound.cleaned_data)
                    messages.success(request, _("已登记村民代表。"))
                    return redirect("villages:matter_registers", code=code)
            elif action == "rep_remove":
                bound = RemoveForm(request.POST)
                if bound.is_valid():
                    rep_id = bound.cleaned_data["representative"]
                    if not board.representatives.filter(pk=rep_id).exists():
                        raise Http404("representative not found")
                    service.representative_remove(
                        actor=user,
                        representative_id=rep_id,
                        until_date=bound.cleaned_data["until_date"],
                    )
                    messages.success(request, _("已登记离任。"))
                    return redirect("villages:matter_registers", code=code)
            else:
                raise Http404("unknown action")
            _form_errors(request, bound)
        except VillageActionError as error:
            _refused(request, bound, error)
        status = 400
    registers = selectors.registers_of(code, today)
    context = {
        "board": board,
        "registers": registers,
        "can_record": can_record,
        "count_form": count_form,
        "rep_form": rep_form,
        "today": today,
    }
    return render(request, "villages/matters/registers.html", context, status=status)


class OverviewForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("进度"),
        required=False,
        choices=[("", gettext_lazy("全部"))] + list(MatterStatus.choices),
    )
    stuck = forms.BooleanField(label=gettext_lazy("只看停滞的事项"), required=False)


@login_required
def matter_overview(request: HttpRequest) -> HttpResponse:
    """Every matter of the township's villages (or the county's, for an administrator) with its
    step and whether it is stuck; the stuck ones alone, oldest first, on request."""
    user = current_user(request)
    _scope_or_403(user)
    form = OverviewForm(request.GET or None)
    status = ""
    stuck_only = False
    if form.is_valid():
        status = form.cleaned_data["status"] or ""
        stuck_only = form.cleaned_data["stuck"]
    cutoff = service.stuck_before()
    rows = selectors.matters_of(user, status=status, stuck_before=cutoff if stuck_only else None)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    entries = [(m, service.is_stuck(m, now)) for m in page.object_list]
    query = urlencode([(k, v) for k, v in request.GET.items() if k != "page" and v])
    context = {
        "form": form,
        "page": page,
        "entries": entries,
        "query": query,
        "stuck_days": service.stuck_days(),
    }
    return render(request, "villages/matters/overview.html", context)


@login_required
def matter_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A step's file, to those who read the matter (404 otherwise)."""
    user = current_user(request)
    row = selectors.step_file_for(user, pk)
    if row is None:
        raise Http404("file not found")
    try:
        response = FileResponse(row.file.open("rb"))
    except FileNotFoundError:
        raise Http404("file missing") from None
    response["Content-Type"] = row.content_type
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(row.original_name)}"
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
