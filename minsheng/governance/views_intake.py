"""集中导入's pages (/governance/intake/): the batches in scope with the upload form and the
template, and a batch's preview — a table (cards on a phone) of its rows, 50 a page, filtered
(all, with errors, needing attention, duplicates, imported before), where the user corrects
each row's village, category and destination, then confirms. Views validate, call one service
of `services.intake`, and render; a refusal shows the service's Chinese message and changes
nothing. A batch outside the user's scope is a 404."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minsheng.governance import intake as selectors
from minsheng.governance.models import IntakeBatch, IntakeRow
from minsheng.governance.services import intake as service
from minsheng.lib.xlsx import download
from minsheng.org.models import Division, User
from minsheng.textproc.pii import mask_phone
from minsheng.tickets.errors import InvalidInput, TicketActionError

PAGE_SIZE = 50
FILTER_LABELS = {
    "all": gettext_lazy("全部"),
    "errors": gettext_lazy("有错误"),
    "attention": gettext_lazy("需核对"),
    "duplicates": gettext_lazy("疑似重复"),
    "already": gettext_lazy("此前已导入"),
}


class UploadForm(forms.Form):
    area = forms.ChoiceField(label=gettext_lazy("县（乡镇）"))
    destination = forms.ChoiceField(
        label=gettext_lazy("未填处理方式的行"),
        choices=[
            (IntakeRow.Destination.TICKET, gettext_lazy("转工单")),
            (IntakeRow.Destination.COUNCIL, gettext_lazy("提交议事会")),
        ],
        required=False,
    )
    file = forms.FileField(
        label=gettext_lazy("Excel 文件（.xlsx）"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def __init__(self, *args: Any, areas: list[Division], desk: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["area"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(a.code, a.name) for a in areas]
        if not desk:
            del self.fields["destination"]


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@login_required
def intake_home(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not selectors.may_use(user):
        raise Http404
    areas = selectors.areas_for(user)
    desk = selectors.is_desk(user)
    form = UploadForm(request.POST or None, request.FILES or None, areas=areas, desk=desk)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        area = next(a for a in areas if a.code == form.cleaned_data["area"])
        name = str(upload.name or "")
        try:
            if not name.lower().endswith(".xlsx"):
                raise InvalidInput(
                    _(
                        "请上传 Excel 文件（.xlsx，用本页提供的模板填写）；不支持 .xls、.csv 等格式。"
                    ),
                    field="file",
                )
            if upload.size is not None and upload.size > selectors.MAX_BYTES:
                raise InvalidInput(_("文件不能超过 5 MB，请分成几个文件上传。"), field="file")
            content = upload.read(selectors.MAX_BYTES + 1)
            batch = service.intake_upload(
                actor=user,
                area=area,
                filename=name,
                content=content,
                default_destination=form.cleaned_data.get("destination")
                or IntakeRow.Destination.TICKET,
            )
        except TicketActionError as error:
            form.add_error("file" if error.field == "file" else None, error.message)
        else:
            messages.success(request, _("文件已读取，请核对预览后确认导入。"))
            return redirect("governance:intake_batch", pk=batch.pk)
    batches = list(selectors.batches_for(user)[:30])
    return render(
        request,
        "governance/intake/home.html",
        {"form": form, "batches": batches, "max_rows": selectors.MAX_ROWS},
    )


@login_required
def intake_template(request: HttpRequest) -> HttpResponse:
    if not selectors.may_use(_user(request)):
        raise Http404
    return download(selectors.template_bytes(), "意见建议导入模板.xlsx")


def _corrections(
    request: HttpRequest,
    rows: list[IntakeRow],
    places: dict[str, str],
    categories: dict[str, int],
) -> dict[int, service.Correction]:
    """What the page's inputs change, row by row; InvalidInput names the row of a bad value."""
    found: dict[int, service.Correction] = {}
    for row in rows:
        if row.outcome or row.bad:
            continue
        place_raw = request.POST.get(f"place-{row.pk}")
        category_raw = request.POST.get(f"category-{row.pk}")
        destination = request.POST.get(f"destination-{row.pk}")
        place: str | None = None
        if place_raw is not None:
            place_raw = place_raw.strip()
            code = places.get(place_raw, place_raw if place_raw in places.values() else None)
            if place_raw and code is None:
                raise InvalidInput(
                    _("第 %(n)s 行：村（社区）“%(place)s”不在列表中，请从列表中选择。")
                    % {"n": row.number, "place": place_raw[:30]},
                    field="place",
                )
            place = code or ""
            if place == (row.village_id or ""):
                place = None
        category: int | None = None
        if category_raw is not None:
            category_raw = category_raw.strip()
            picked = categories.get(category_raw)
            if category_raw and picked is None:
                raise InvalidInput(
                    _("第 %(n)s 行：分类“%(name)s”不存在，请从列表中选择。")
                    % {"n": row.number, "name": category_raw[:30]},
                    field="category",
                )
            category = picked or 0
            if category == (row.category_id or 0):
                category = None
        if destination == row.destination:
            destination = None
        if place is not None or category is not None or destination is not None:
            found[row.pk] = service.Correction(place, category, destination)
    return found


@login_required
def intake_batch(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    batch = selectors.batch_for(user, pk)
    if batch is None:
        raise Http404
    show = request.GET.get("show", "all")
    if show not in FILTER_LABELS:
        show = "all"
    paginator = Paginator(selectors.filtered_rows(batch, show), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    rows: list[IntakeRow] = list(page.object_list)
    open_ = batch.status == IntakeBatch.Status.PREVIEW
    place_list = selectors.place_choices(batch.area) if open_ else []
    category_list = (
        list(selectors.leaf_categories().values_list("full_name", "id")) if open_ else []
    )
    error = ""
    if request.method == "POST":
        if not open_:
            messages.info(request, _("这个批次已确认导入。"))
            return redirect("governance:intake_batch", pk=batch.pk)
        try:
            corrections = _corrections(request, rows, dict(place_list), dict(category_list))
            if corrections:
                service.intake_correct(actor=user, batch=batch, corrections=corrections)
            if "confirm" in request.POST:
                counts = service.intake_confirm(actor=user, batch=batch)
                messages.success(
                    request,
                    _(
                        "已导入：转工单 %(t)s 件，提交议事会 %(c)s 条；此前已导入 %(a)s 条，未导入 %(s)s 条。"
                    )
                    % {
                        "t": counts.get("ticket", 0),
                        "c": counts.get("council", 0),
                        "a": counts.get("already", 0),
                        "s": counts.get("skipped", 0),
                    },
                )
                return redirect("governance:intake_batch", pk=batch.pk)
        except TicketActionError as failure:
            error = failure.message
        else:
            messages.success(request, _("修改已保存。"))
            query = request.GET.urlencode()
            url = reverse("governance:intake_batch", kwargs={"pk": batch.pk})
            return redirect(f"{url}?{query}" if query else url)
    labels = {code: label for label, code in place_list}
    category_names = {cid: name for name, cid in category_list}
    for row in rows:
        row.place_value = labels.get(row.village_id or "", "")  # type: ignore[attr-defined]
        if not row.place_value and row.village is not None:  # type: ignore[attr-defined]
            row.place_value = selectors.place_label(row.village)  # type: ignore[attr-defined]
        row.category_value = (  # type: ignore[attr-defined]
            category_names.get(row.category_id or 0, "")
            or (row.category.full_name if row.category else "")
        )
        row.masked_phone = mask_phone(row.phone) if row.phone else ""  # type: ignore[attr-defined]
    context = {
        "batch": batch,
        "open": open_,
        "summary": selectors.summary(batch),
        "rows": rows,
        "page": page,
        "show": show,
        "filters": list(FILTER_LABELS.items()),
        "places": place_list,
        "categories": category_list,
        "destinations": [
            (value, label)
            for value, label in IntakeRow.Destination.choices
            if not (batch.council_only and value == IntakeRow.Destination.TICKET)
        ],
        "error": error,
    }
    return render(request, "governance/intake/batch.html", context)
