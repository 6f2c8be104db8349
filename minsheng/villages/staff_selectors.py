"""What the village staff pages read, scoped through `rules.village_scope` (objects outside the
scope are None here and 404 on the page, so codes and ids cannot be probed)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet

from minsheng.org.models import Role, User
from minsheng.villages.models import Board, Event, Item, ItemFile, ItemStatus, ReviewBy
from minsheng.villages.rules import village_scope

PUBLISHED_SHOWN = 20
QUEUE_SHOWN = 100
BOARDS_SHOWN = 100


def board_for(user: User | AnonymousUser, code: str) -> Board | None:
    if not village_scope(user).covers(code):
        return None
    return Board.objects.select_related("village").filter(pk=code).first()


def item_for(user: User | AnonymousUser, pk: int) -> Item | None:
    item = (
        Item.objects.select_related("board__village", "created_by", "supersedes")
        .filter(pk=pk)
        .first()
    )
    if item is None or not village_scope(user).covers(item.board_id):
        return None
    return item


@dataclass
class BoardItems:
    drafts: list[Item]
    returned: list[Item]
    waiting: list[Item]
    published: list[Item]


def board_items(board: Board) -> BoardItems:
    """A board's work in two queries: what is not yet published (a handful), and the latest
    published items with their correction, if any."""
    open_items = list(
        Item.objects.filter(board=board)
        .exclude(status=ItemStatus.PUBLISHED)
        .select_related("created_by")
        .order_by("-updated_at", "-pk")
    )
    published = list(
        Item.objects.filter(board=board, status=ItemStatus.PUBLISHED)
        .select_related("superseded_by")
        .order_by("-published_at", "-pk")[:PUBLISHED_SHOWN]
    )
    return BoardItems(
        drafts=[i for i in open_items if i.status == ItemStatus.DRAFT],
        returned=[i for i in open_items if i.status == ItemStatus.RETURNED],
        waiting=[
            i for i in open_items if i.status in (ItemStatus.SUBMITTED, ItemStatus.PARTLY_APPROVED)
        ],
        published=published,
    )


def review_q(user: User | AnonymousUser) -> Q:
    """Items waiting for this user's approval: a monitor's at the village's first step, a
    township reviewer's at the township's step."""
    monitor = village_scope(user, Role.VILLAGE_MONITOR)
    township = village_scope(user, Role.AFFAIRS_REVIEWER)
    nothing = Q(pk__in=[])
    as_monitor = (
        monitor.boards_q("board__village__code")
        & Q(status=ItemStatus.SUBMITTED)
        & Q(board__review_by__in=[ReviewBy.MONITOR, ReviewBy.BOTH])
        if monitor.everything or monitor.prefixes
        else nothing
    )
    as_township = (
        township.boards_q("board__village__code")
        & (
            Q(status=ItemStatus.PARTLY_APPROVED)
            | Q(status=ItemStatus.SUBMITTED, board__review_by=ReviewBy.TOWNSHIP)
        )
        if township.everything or township.prefixes
        else nothing
    )
    return as_monitor | as_township


def review_queue(user: User | AnonymousUser) -> QuerySet[Item]:
    return (
        Item.objects.filter(review_q(user))
        .exclude(created_by_id=getattr(user, "pk", None))
        .select_related("board__village", "created_by")
        .order_by("updated_at", "pk")
    )


def boards_in_scope(user: User | AnonymousUser) -> QuerySet[Board]:
    scope = village_scope(user)
    if not scope.everything and not scope.prefixes:
        return Board.objects.none()
    return (
        Board.objects.filter(scope.boards_q("village__code"))
        .select_related("village")
        .order_by("village_id")
    )


def item_events(item: Item) -> QuerySet[Event]:
    return (
        Event.objects.filter(subject="item", subject_id=item.pk)
        .select_related("actor")
        .order_by("at", "pk")
    )


def item_files(item: Item) -> list[ItemFile]:
    return list(ItemFile.objects.filter(item=item).order_by("uploaded_at", "pk"))


def may_read_file(user: User | AnonymousUser, row: ItemFile) -> bool:
    """A wall photo and the files of a published item are public; the others only for staff
    of the village's scope."""
    if row.kind == ItemFile.Kind.WALL and row.item_id is None:
        return True
    if row.item is not None and row.item.status == ItemStatus.PUBLISHED:
        return True
    return village_scope(user).covers(row.board_id)
