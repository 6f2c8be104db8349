"""Village affairs' staff pages (back office, /villages/): the clerk's board with its drafts and
published items, the item's page with its edit form, statement editor and files, the reviewers'
queue, and the files of a board (public once published).

Views validate, call one service, and render; every object outside the user's villages is a
404 (`staff_selectors`), and a refusal is shown on the page with its Chinese reason.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from minsheng.lib.xlsx import download
from minsheng.org.access import current_user
from minsheng.org.models import Role, User
from minsheng.villages import staff_selectors
from minsheng.villages.errors import VillageActionError
from minsheng.villages.models import Board, Item, ItemFile, ItemStatus, Section
from minsheng.villages.periods import period_label
from minsheng.villages.rules import village_scope
from minsheng.villages.services import files as file_services
from minsheng.villages.services import finance
from minsheng.villages.services import items as item_services
from minsheng.villages.staff_forms import (
    MORE_ROWS,
    CorrectForm,
    EditItemForm,
    ImportForm,
    NewItemForm,
    ReviewForm,
    UploadForm,
    line_inputs,
    rows_from_post,
    rows_of_statement,
    with_blanks,
)

VERB_LABELS = {
    "drafted": _l("起草"),
    "updated": _l("修改"),
    "submitted": _l("提交审核"),
    "approved": _l("审核通过"),
    "returned": _l("退回"),
    "published": _l("公开"),
    "correction_drafted": _l("发起更正"),
    "corrected": _l("已被更正"),
    "statement_saved": _l("保存收支明细"),
    "statement_imported": _l("从 Excel 导入收支明细"),
    "file_attached": _l("上传附件"),
    "file_removed": _l("删除附件"),
}
STEP_LABELS = {"monitor": _l("村务监督委员会"), "township": _l("乡镇")}

STAFF_ROLES = (Role.VILLAGE_CLERK, Role.VILLAGE_MONITOR, Role.AFFAIRS_REVIEWER, Role.ADMINISTRATOR)


def _staff(request: HttpRequest) -> User:
    return current_user(request, *STAFF_ROLES)


def _board(user: User, code: str) -> Board:
    board = staff_selectors.board_for(user, code)
    if board is None:
        raise Http404("board not found")
    return board


def _item(user: User, pk: int) -> Item:
    item = staff_selectors.item_for(user, pk)
    if item is None:
        raise Http404("item not found")
    return item


def _may_draft(user: User, code: str) -> bool:
    return village_scope(user, Role.VILLAGE_CLERK).covers(code)


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """村务公开: a clerk's (or monitor's) own village, a reviewer's villages, the queue."""
    user = _staff(request)
    boards = list(staff_selectors.boards_in_scope(user)[: staff_selectors.BOARDS_SHOWN + 1])
    if len(boards) == 1 and not user.has_role(Role.AFFAIRS_REVIEWER, Role.ADMINISTRATOR):
        queue_count = staff_selectors.review_queue(user).count()
        if not queue_count:
            return redirect("villages:board", code=boards[0].pk)
    queue = list(staff_selectors.review_queue(user)[: staff_selectors.QUEUE_SHOWN])
    return render(
        request,
        "villages/staff/home.html",
        {
            "boards": boards[: staff_selectors.BOARDS_SHOWN],
            "more_boards": len(boards) > staff_selectors.BOARDS_SHOWN,
            "queue": queue,
        },
    )


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """The reviewers' queue: what waits for this user's approval, oldest first."""
    user = _staff(request)
    rows = list(staff_selectors.review_queue(user)[: staff_selectors.QUEUE_SHOWN])
    return render(request, "villages/staff/queue.html", {"queue": rows})


def _board_page(
    request: HttpRequest,
    user: User,
    board: Board,
    *,
    form: NewItemForm | None = None,
    status: int = 200,
) -> HttpResponse:
    may_draft = _may_draft(user, board.pk)
    context = {
        "board": board,
        "items": staff_selectors.board_items(board),
        "may_draft": may_draft,
        "form": form or NewItemForm(initial={"period_day": timezone.localdate()}),
        "wall": file_services.latest_wall_photo(board),
        "upload_form": UploadForm(),
    }
    return render(request, "villages/staff/board.html", context, status=status)


@login_required
@require_GET
def board(request: HttpRequest, code: str) -> HttpResponse:
    user = _staff(request)
    return _board_page(request, user, _board(user, code))


@login_required
@require_POST
def item_new(request: HttpRequest, code: str) -> HttpResponse:
    user = _staff(request)
    board = _board(user, code)
    form = NewItemForm(request.POST)
    if not form.is_valid():
        return _board_page(request, user, board, form=form, status=400)
    data = form.cleaned_data
    try:
        item = item_services.item_draft(
            actor=user,
            village_code=board.pk,
            section=data["section"],
            title=data["title"],
            period_kind=data["period_kind"],
            period_day=data["period_day"],
            body=data["body"],
        )
    except VillageActionError as refused:
        form.add_error(None, refused.message)
        return _board_page(request, user, board, form=form, status=400)
    messages.success(request, _("草稿已保存，可继续编辑、上传附件后提交审核。"))
    return redirect("villages:item_edit", pk=item.pk)


@login_required
@require_POST
def wall(request: HttpRequest, code: str) -> HttpResponse:
    user = _staff(request)
    board = _board(user, code)
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            file_services.wall_photo(actor=user, board=board, upload=form.cleaned_data["file"])
        except VillageActionError as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, _("公开栏实景照片已上传。"))
    else:
        messages.error(request, _("请选择要上传的照片。"))
    return redirect("villages:board", code=board.pk)


def _item_context(user: User, item: Item) -> dict[str, Any]:
    statement = finance.statement_for(item)
    step = item_services.reviewer_step(item, item.board)
    may_review = False
    if step is not None:
        try:
            item_services.check_reviews(user, item)
            may_review = True
        except VillageActionError:
            may_review = False
    may_draft = _may_draft(user, item.board_id)
    correction = Item.objects.filter(supersedes=item).first()
    events = list(staff_selectors.item_events(item))
    return_note = ""
    for event in events:
        label = str(VERB_LABELS.get(event.verb, event.verb))
        step_label = STEP_LABELS.get(str(event.data.get("step", "")))
        event.verb_label = f"{step_label}{label}" if step_label else label  # type: ignore[attr-defined]
        if event.verb == "returned":
            return_note = event.note
    return {
        "item": item,
        "board": item.board,
        "period": period_label(item.period_kind, item.period_start),
        "statement": statement,
        "totals": finance.totals(statement) if statement else None,
        "files": staff_selectors.item_files(item),
        "events": events,
        "return_note": return_note,
        "editable": may_draft and item.status in item_services.EDITABLE,
        "may_review": may_review,
        "step": step,
        "may_correct": may_draft and item.status == ItemStatus.PUBLISHED and correction is None,
        "correction": correction,
        "review_form": ReviewForm(initial={"revision": item.revision}),
        "correct_form": CorrectForm(),
    }


@login_required
@require_GET
def item(request: HttpRequest, pk: int) -> HttpResponse:
    user = _staff(request)
    return render(request, "villages/staff/item.html", _item_context(user, _item(user, pk)))


def _edit_page(
    request: HttpRequest,
    user: User,
    item: Item,
    *,
    form: EditItemForm | None = None,
    rows: list[dict[str, str]] | None = None,
    opening: str | None = None,
    closing: str | None = None,
    statement_errors: list[str] | None = None,
    import_errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    context = _item_context(user, item)
    if not context["editable"]:
        raise Http404("not editable")
    statement = context["statement"]
    context.update(
        {
            "form": form or EditItemForm.for_item(item),
            "is_finance": item.section == Section.FINANCE,
            "rows": rows if rows is not None else with_blanks(rows_of_statement(statement)),
            "opening": opening
            if opening is not None
            else (f"{statement.opening_balance:.2f}" if statement else ""),
            "closing": closing
            if closing is not None
            else (f"{statement.closing_balance:.2f}" if statement else ""),
            "statement_errors": statement_errors or [],
            "import_errors": import_errors or [],
            "upload_form": UploadForm(),
            "import_form": ImportForm(initial={"revision": item.revision}),
        }
    )
    return render(request, "villages/staff/edit.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _staff(request)
    item = _item(user, pk)
    if request.method != "POST":
        return _edit_page(request, user, item)
    form = EditItemForm(request.POST)
    if not form.is_valid():
        return _edit_page(request, user, item, form=form, status=400)
    data = form.cleaned_data
    try:
        item_services.item_update(
            actor=user,
            item=item,
            revision=data["revision"],
            title=data["title"],
            body=data["body"],
            period_kind=data["period_kind"],
            period_day=data["period_day"],
            display_from=data["display_from"],
            display_until=data["display_until"],
        )
    except VillageActionError as refused:
        form.add_error(None, refused.message)
        return _edit_page(request, user, item, form=form, status=400)
    messages.success(request, _("已保存。"))
    return redirect("villages:item_edit", pk=item.pk)


@login_required
@require_POST
def statement(request: HttpRequest, pk: int) -> HttpResponse:
    """The statement editor: save the rows, or add blank rows (no JavaScript needed)."""
    user = _staff(request)
    item = _item(user, pk)
    rows = rows_from_post(request.POST)
    opening = str(request.POST.get("opening", ""))
    closing = str(request.POST.get("closing", ""))
    if "more" in request.POST:
        return _edit_page(
            request,
            user,
            item,
            rows=rows + with_blanks([], MORE_ROWS),
            opening=opening,
            closing=closing,
        )
    try:
        revision = int(str(request.POST.get("revision", "")))
    except ValueError:
        revision = -1
    try:
        finance.statement_save(
            actor=user,
            item=item,
            revision=revision,
            opening=opening,
            closing=closing,
            lines=line_inputs(rows),
        )
    except finance.StatementInvalid as refused:
        return _edit_page(
            request,
            user,
            item,
            rows=rows,
            opening=opening,
            closing=closing,
            statement_errors=refused.errors,
            status=400,
        )
    except VillageActionError as refused:
        return _edit_page(
            request,
            user,
            item,
            rows=rows,
            opening=opening,
            closing=closing,
            statement_errors=[refused.message],
            status=400,
        )
    messages.success(request, _("收支明细已保存，收支平衡。"))
    return redirect("villages:item_edit", pk=item.pk)


@login_required
@require_POST
def statement_import(request: HttpRequest, pk: int) -> HttpResponse:
    user = _staff(request)
    item = _item(user, pk)
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _edit_page(
            request, user, item, import_errors=[_("请选择要导入的 Excel 文件。")], status=400
        )
    upload = form.cleaned_data["file"]
    content = upload.read(finance.MAX_IMPORT_BYTES + 1)
    try:
        finance.statement_import(
            actor=user, item=item, revision=form.cleaned_data["revision"], content=content
        )
    except finance.StatementInvalid as refused:
        return _edit_page(request, user, item, import_errors=refused.errors, status=400)
    except VillageActionError as refused:
        return _edit_page(request, user, item, import_errors=[refused.message], status=400)
    messages.success(request, _("已从 Excel 导入收支明细，收支平衡。"))
    return redirect("villages:item_edit", pk=item.pk)


@require_GET
def statement_template(request: HttpRequest) -> HttpResponse:
    return download(finance.template_bytes(), "财务收支明细模板.xlsx")


@require_GET
def statement_export(request: HttpRequest, pk: int) -> HttpResponse:
    """A statement as Excel: anyone's once published; before that only the village's staff."""
    item = Item.objects.select_related("board__village").filter(pk=pk).first()
    if item is None or not hasattr(item, "statement"):
        raise Http404("statement not found")
    if item.status != ItemStatus.PUBLISHED and not village_scope(request.user).covers(
        item.board_id
    ):
        raise Http404("statement not found")
    name = f"{item.board.village.name}-{period_label(item.period_kind, item.period_start)}-财务公开"
    if item.version > 1:
        name += f"-第{item.version}版"
    return download(finance.export_bytes(item), f"{name}.xlsx")


@login_required
@require_POST
def item_submit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _staff(request)
    item = _item(user, pk)
    try:
        revision = int(str(request.POST.get("revision", "")))
    except ValueError:
        revision = -1
    try:
        item_services.item_submit(actor=user, item=item, revision=revision)
    except VillageActionError as refused:
        messages.error(request, refused.message)
        return redirect("villages:item", pk=item.pk)
    messages.success(request, _("已提交审核。"))
    return redirect("villages:item", pk=item.pk)


@login_required
@require_POST
def item_review(request: HttpRequest, pk: int) -> HttpResponse:
    user = _staff(request)
    item = _item(user, pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("审核意见无效，请重试。"))
        return redirect("villages:item", pk=item.pk)
    approve = form.cleaned_data["decision"] == "approve"
    try:
        item = item_services.item_review(
            actor=user,
            item=item,
            approve=approve,
            note=form.cleaned_data["note"],
            revision=form.cleaned_data["revision"],
        )
    except VillageActionError as refused:
        messages.error(request, refused.message)
        return redirect("villages:item", pk=item.pk)
    if item.status == ItemStatus.PUBLISHED:
        messages.success(request, _("审核通过，已公开：%(title)s") % {"title": item.title})
    elif item.status == ItemStatus.PARTLY_APPROVED:
        messages.success(request, _("审核通过，待乡镇审核：%(title)s") % {"title": item.title})
    else:
        messages.success(request, _("已退回：%(title)s") % {"title": item.title})
    if request.POST.get("from") == "queue":
        return redirect("villages:queue")
    return redirect("villages:item", pk=item.pk)


@login_required
@require_POST
def item_correct(request: HttpRequest, pk: int) -> HttpResponse:
    user = _staff(request)
    item = _item(user, pk)
    form = CorrectForm(request.POST)
    note = form.cleaned_data["correction_note"] if form.is_valid() else ""
    try:
        correction = item_services.item_correct(actor=user, item=item, correction_note=note)
    except VillageActionError as refused:
        messages.error(request, refused.message)
        return redirect("villages:item", pk=item.pk)
    messages.success(
        request, _("已生成更正稿（第 %(v)d 版），修改后提交审核。") % {"v": correction.version}
    )
    return redirect("villages:item_edit", pk=correction.pk)


@login_required
@require_POST
def item_attach(request: HttpRequest, pk: int) -> HttpResponse:
    user = _staff(request)
    item = _item(user, pk)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("请选择要上传的文件。"))
        return redirect("villages:item_edit", pk=item.pk)
    try:
        file_services.item_attach(actor=user, item=item, upload=form.cleaned_data["file"])
    except VillageActionError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("附件已上传。"))
    return redirect("villages:item_edit", pk=item.pk)


@login_required
@require_POST
def item_detach(request: HttpRequest, pk: int, file_id: int) -> HttpResponse:
    user = _staff(request)
    item = _item(user, pk)
    try:
        file_services.item_detach(actor=user, item=item, file_id=file_id)
    except VillageActionError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("附件已删除。"))
    return redirect("villages:item_edit", pk=item.pk)


@require_GET
def file(request: HttpRequest, pk: int) -> HttpResponseBase:
    """/villages/files/<id>/: a wall photo or a published item's file for anyone; the files of
    an unpublished item only for the village's staff; else 404."""
    row = ItemFile.objects.select_related("item").filter(pk=pk).first()
    if row is None or not staff_selectors.may_read_file(request.user, row):
        raise Http404("file not found")
    response = _serve(row)
    response["Content-Type"] = row.content_type
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(row.original_name)}"
    response["X-Content-Type-Options"] = "nosniff"
    public = row.item_id is None or (
        row.item is not None and row.item.status == ItemStatus.PUBLISHED
    )
    response["Cache-Control"] = "public, max-age=3600" if public else "private, max-age=3600"
    return response


def _serve(row: ItemFile) -> HttpResponseBase:
    mode = settings.MINSHENG_SENDFILE
    if mode == "x-accel-redirect":
        response = HttpResponse()
        response["X-Accel-Redirect"] = f"{settings.MINSHENG_SENDFILE_PREFIX}{row.file.name}"
        return response
    if mode == "x-sendfile":
        response = HttpResponse()
        response["X-Sendfile"] = row.file.path
        return response
    try:
        return FileResponse(row.file.open("rb"))
    except FileNotFoundError:
        raise Http404("file missing") from None
