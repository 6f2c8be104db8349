"""Items of a board: drafting. (Review, publication and corrections build on these.)"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from minsheng.org.models import User
from minsheng.villages import rules
from minsheng.villages.errors import InvalidInput
from minsheng.villages.models import Board, Item, ItemStatus, PeriodKind, Section
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
