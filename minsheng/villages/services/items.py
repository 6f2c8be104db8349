"""Items of a board: drafting, editing, review, publication and corrections.

draft/returned --submit--> submitted --approve--> published (review_by monitor or township)
submitted --approve (monitor)--> partly --approve (township)--> published (review_by both)
submitted/partly --return (with a note)--> returned
published --correct--> a new draft (version n+1, supersedes the published one)
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.org.models import User
from minsheng.villages import rules
from minsheng.villages.errors import InvalidInput, InvalidTransition, NotAllowed, StaleItem
from minsheng.villages.models import (
    Board,
    FinanceLine,
    FinanceStatement,
    Item,
    ItemFile,
    ItemStatus,
    PeriodKind,
    ReviewBy,
    Section,
)
from minsheng.villages.periods import period_bounds
from minsheng.villages.services.boards import record_event

TITLE_MAX = Item._meta.get_field("title").max_length or 200


def _validated(
    *, section: str, title: str, period_kind: str, period_day: dt.date
) -> tuple[str, dt.date, dt.date]:
    title = " ".join(title.split())
    if section not in Section.values:
        raise InvalidInput(_("请选择公开栏目。"), field="section")
    if not title:
        raise InvalidInput(_("请填写标题。"), field="title")
    if len(title) > TITLE_MAX:
        raise InvalidInput(_("标题不能超过 %(n)d 个字。") % {"n": TITLE_MAX}, field="title")
    if period_kind not in PeriodKind.values:
        raise InvalidInput(_("请选择公开周期。"), field="period_kind")
    start, end = period_bounds(period_kind, period_day)
    return title, start, end


def _board(village_code: str) -> Board:
    board = Board.objects.filter(pk=village_code).first()
    if board is None:
        raise InvalidInput(_("没有这个村的公开栏。"), field="village")
    return board


def create_draft(
    *,
    village_code: str,
    section: str,
    title: str,
    period_kind: str,
    period_day: dt.date,
    body: str,
    actor: User | None,
) -> Item:
    """A draft item, without asking who may draft: for services that publish on the village's
    behalf (四议两公开's 决议公开 and 实施结果公开). Pages call `item_draft`."""
    title, start, end = _validated(
        section=section, title=title, period_kind=period_kind, period_day=period_day
    )
    board = _board(village_code)
    with transaction.atomic():
        item = Item.objects.create(
            board=board,
            section=section,
            title=title,
            period_kind=period_kind,
            period_start=start,
            period_end=end,
            body=body.strip(),
            status=ItemStatus.DRAFT,
            created_by=actor if actor is not None and actor.pk else None,
        )
        record_event(
            board_id=board.pk, subject="item", subject_id=item.pk, verb="drafted", actor=actor
        )
    return item


def item_draft(
    *,
    actor: User,
    village_code: str,
    section: str,
    title: str,
    period_kind: str,
    period_day: dt.date,
    body: str = "",
) -> Item:
    """A village clerk drafts an item of their village's board."""
    rules.check_drafts(actor, village_code)
    return create_draft(
        village_code=village_code,
        section=section,
        title=title,
        period_kind=period_kind,
        period_day=period_day,
        body=body,
        actor=actor,
    )


# --- Editing, review, publication and corrections (the board's staff side) -------------------

REVIEW_NOTE_MAX = 500
CORRECTION_NOTE_MAX = Item._meta.get_field("correction_note").max_length or 300
BODY_MAX = 20_000
EDITABLE = (ItemStatus.DRAFT, ItemStatus.RETURNED)
WAITING = (ItemStatus.SUBMITTED, ItemStatus.PARTLY_APPROVED)


def min_display_days() -> int:
    return int(getattr(settings, "MINSHENG_VILLAGE_MIN_DISPLAY_DAYS", 5))


def _locked(item: Item) -> Item:
    """The item's row, locked for this transaction (and with its board)."""
    return Item.objects.select_for_update().select_related("board").get(pk=item.pk)


def _check_revision(item: Item, revision: int | None) -> None:
    if revision is not None and revision != item.revision:
        raise StaleItem(_("这条公开事项已被别人修改，请刷新页面后再操作。"))


def _bump(item: Item, *fields: str) -> None:
    item.revision += 1
    item.save(update_fields=[*fields, "revision", "updated_at"])


def _window(
    display_from: dt.date | None, display_until: dt.date | None
) -> tuple[dt.date | None, dt.date | None]:
    """A display window as typed on a draft: both or neither, in order, at least the minimum."""
    if display_from is None and display_until is None:
        return None, None
    if display_from is None or display_until is None:
        raise InvalidInput(_("请同时填写公示起止日期，或都不填（发布时自动按规定天数公示）。"))
    days = (display_until - display_from).days + 1
    if days < min_display_days():
        raise InvalidInput(
            _("公示期不能少于 %(n)d 天（%(start)s 至 %(end)s 只有 %(days)d 天）。")
            % {
                "n": min_display_days(),
                "start": display_from.isoformat(),
                "end": display_until.isoformat(),
                "days": max(days, 0),
            },
            field="display_until",
        )
    return display_from, display_until


def check_edits(actor: User | AnonymousUser, item: Item) -> None:
    """Who may change an item's content now: its village's clerk, while a draft or returned."""
    rules.check_drafts(actor, item.board_id)
    if item.status not in EDITABLE:
        raise InvalidTransition(_("只有草稿或退回的公开事项可以修改；已公开的请发起更正。"))


@transaction.atomic
def item_update(
    *,
    actor: User,
    item: Item,
    revision: int,
    title: str,
    body: str,
    period_kind: str,
    period_day: dt.date,
    display_from: dt.date | None = None,
    display_until: dt.date | None = None,
) -> Item:
    """The clerk edits a draft (or a returned item). The section never changes (a finance
    statement belongs to 财务公开)."""
    item = _locked(item)
    check_edits(actor, item)
    _check_revision(item, revision)
    title, start, end = _validated(
        section=item.section, title=title, period_kind=period_kind, period_day=period_day
    )
    body = body.strip()
    if len(body) > BODY_MAX:
        raise InvalidInput(_("内容不能超过 %(n)d 个字。") % {"n": BODY_MAX}, field="body")
    window = _window(display_from, display_until)
    span = _statement_span(item)
    if span is not None and not (start <= span[0] and span[1] <= end):
        raise InvalidInput(
            _("收支明细中有日期不在新的所属期间内，请先修改收支明细。"), field="period_kind"
        )
    item.title, item.body, item.period_kind = title, body, period_kind
    item.period_start, item.period_end = start, end
    item.display_from, item.display_until = window
    _bump(
        item,
        "title",
        "body",
        "period_kind",
        "period_start",
        "period_end",
        "display_from",
        "display_until",
    )
    record_event(
        board_id=item.board_id, subject="item", subject_id=item.pk, verb="updated", actor=actor
    )
    return item


def _statement_span(item: Item) -> tuple[dt.date, dt.date] | None:
    """The first and the last date of the item's statement lines (None without lines)."""
    dates = list(FinanceLine.objects.filter(statement__item=item).values_list("date", flat=True))
    return (min(dates), max(dates)) if dates else None


@transaction.atomic
def item_submit(*, actor: User, item: Item, revision: int | None = None) -> Item:
    """The clerk sends a draft (or a returned item, edited) for review."""
    item = _locked(item)
    rules.check_drafts(actor, item.board_id)
    if item.status not in EDITABLE:
        raise InvalidTransition(_("只有草稿或退回的公开事项可以提交审核。"))
    _check_revision(item, revision)
    if item.section == Section.FINANCE and not hasattr(item, "statement"):
        raise InvalidInput(_("财务公开须先填写收支明细（期初余额、收支明细、期末余额）。"))
    if not item.body and item.section != Section.FINANCE and not item.files.exists():
        raise InvalidInput(_("请填写公开内容或上传附件后再提交。"), field="body")
    item.status = ItemStatus.SUBMITTED
    _bump(item, "status")
    record_event(
        board_id=item.board_id, subject="item", subject_id=item.pk, verb="submitted", actor=actor
    )
    return item


def reviewer_step(item: Item, board: Board) -> str | None:
    """Whose approval the item waits for: "monitor", "township", or None (not waiting)."""
    if item.status == ItemStatus.SUBMITTED:
        return "township" if board.review_by == ReviewBy.TOWNSHIP else "monitor"
    if item.status == ItemStatus.PARTLY_APPROVED:
        return "township"
    return None


def check_reviews(actor: User | AnonymousUser, item: Item) -> str:
    """Who may approve or return the item now (the step whose turn it is); returns the step."""
    step = reviewer_step(item, item.board)
    if step is None:
        raise InvalidTransition(_("这条公开事项不在待审核状态。"))
    if step == "monitor":
        rules.check_reviews_as_monitor(actor, item.board_id)
    else:
        rules.check_reviews_as_township(actor, item.board_id)
    if item.created_by_id is not None and item.created_by_id == getattr(actor, "pk", None):
        raise NotAllowed(_("不能审核自己起草的公开事项。"))
    return step


@transaction.atomic
def item_review(
    *,
    actor: User,
    item: Item,
    approve: bool,
    note: str = "",
    revision: int | None = None,
    now: dt.datetime | None = None,
) -> Item:
    """Approve or return (退回, with a note). The village's setting says who reviews: the
    村务监督委员会, the township, or both — the monitor first, then the township. The last
    approval publishes the item."""
    item = _locked(item)
    step = check_reviews(actor, item)
    _check_revision(item, revision)
    note = " ".join(note.split())
    if len(note) > REVIEW_NOTE_MAX:
        raise InvalidInput(
            _("审核意见不能超过 %(n)d 个字。") % {"n": REVIEW_NOTE_MAX}, field="note"
        )
    if not approve:
        if not note:
            raise InvalidInput(_("退回时请写明理由。"), field="note")
        item.status = ItemStatus.RETURNED
        _bump(item, "status")
        record_event(
            board_id=item.board_id,
            subject="item",
            subject_id=item.pk,
            verb="returned",
            actor=actor,
            note=note,
            data={"step": step},
        )
        return item
    record_event(
        board_id=item.board_id,
        subject="item",
        subject_id=item.pk,
        verb="approved",
        actor=actor,
        note=note,
        data={"step": step},
    )
    if step == "monitor" and item.board.review_by == ReviewBy.BOTH:
        item.status = ItemStatus.PARTLY_APPROVED
        _bump(item, "status")
        return item
    _publish(item, actor=actor, now=now or timezone.now())
    return item


def _publish(item: Item, *, actor: User | None, now: dt.datetime) -> None:
    today = timezone.localdate(now)
    minimum = min_display_days()
    start = max(item.display_from or today, today)
    until = max(item.display_until or start, start + dt.timedelta(days=minimum - 1))
    item.status = ItemStatus.PUBLISHED
    item.published_at = now
    item.display_from, item.display_until = start, until
    _bump(item, "status", "published_at", "display_from", "display_until")
    # The clock (villages/clock.py) recomputes the board's lateness at its next pass.
    Board.objects.filter(pk=item.board_id).update(
        last_published_at=Greatest(Coalesce("last_published_at", Value(now)), Value(now)),
        next_check_at=now,
    )
    record_event(
        board_id=item.board_id,
        subject="item",
        subject_id=item.pk,
        verb="published",
        actor=actor,
        data={"display_from": start.isoformat(), "display_until": until.isoformat()},
    )
    original = item.supersedes
    if original is not None:
        record_event(
            board_id=item.board_id,
            subject="item",
            subject_id=original.pk,
            verb="corrected",
            actor=actor,
            note=item.correction_note,
            data={"by": item.pk, "version": item.version},
        )


@transaction.atomic
def item_correct(*, actor: User, item: Item, correction_note: str) -> Item:
    """A published item is never edited: its correction is a new draft, version n+1, that
    `supersedes` it, with its content, statement and files copied for the clerk to fix. When
    the correction is published, the original stays readable, marked corrected by it."""
    item = _locked(item)
    rules.check_drafts(actor, item.board_id)
    if item.status != ItemStatus.PUBLISHED:
        raise InvalidTransition(_("只有已公开的事项可以更正；草稿请直接修改。"))
    if Item.objects.filter(supersedes=item).exists():
        raise InvalidTransition(_("这条公开事项已有更正版本，请在更正版本上继续修改。"))
    note = " ".join(correction_note.split())
    if not note:
        raise InvalidInput(_("请写明更正说明（更正了什么、为什么）。"), field="correction_note")
    if len(note) > CORRECTION_NOTE_MAX:
        raise InvalidInput(
            _("更正说明不能超过 %(n)d 个字。") % {"n": CORRECTION_NOTE_MAX},
            field="correction_note",
        )
    correction = Item.objects.create(
        board=item.board,
        section=item.section,
        title=item.title,
        period_kind=item.period_kind,
        period_start=item.period_start,
        period_end=item.period_end,
        body=item.body,
        status=ItemStatus.DRAFT,
        supersedes=item,
        version=item.version + 1,
        correction_note=note,
        created_by=actor,
    )
    statement = FinanceStatement.objects.filter(item=item).first()
    if statement is not None:
        copy = FinanceStatement.objects.create(
            item=correction,
            opening_balance=statement.opening_balance,
            closing_balance=statement.closing_balance,
        )
        FinanceLine.objects.bulk_create(
            FinanceLine(
                statement=copy,
                position=line.position,
                date=line.date,
                direction=line.direction,
                summary=line.summary,
                amount=line.amount,
                voucher=line.voucher,
                handler=line.handler,
            )
            for line in statement.lines.all()
        )
    ItemFile.objects.bulk_create(
        ItemFile(
            board_id=f.board_id,
            item=correction,
            kind=f.kind,
            file=f.file.name,
            content_type=f.content_type,
            size=f.size,
            original_name=f.original_name,
            uploaded_by=f.uploaded_by,
        )
        for f in item.files.all()
    )
    record_event(
        board_id=item.board_id,
        subject="item",
        subject_id=correction.pk,
        verb="correction_drafted",
        actor=actor,
        note=note,
        data={"supersedes": item.pk, "version": correction.version},
    )
    return correction


def correction_of(item: Item) -> Item | None:
    """The published correction of `item` (the board shows "已更正" and when), or None."""
    return (
        Item.objects.filter(supersedes=item, status=ItemStatus.PUBLISHED)
        .only("pk", "published_at", "version", "correction_note", "supersedes_id")
        .first()
    )
