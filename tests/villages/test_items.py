"""Drafting, review and publication of board items: who reviews follows the village's setting
(monitor / township / both, the monitor first); a refusal writes nothing; a published item is
never edited — a correction is a new version, and the original stays readable, marked."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from minsheng.villages.errors import InvalidInput, InvalidTransition, NotAllowed, StaleItem
from minsheng.villages.models import Board, Event, Item, ItemStatus, ReviewBy
from minsheng.villages.services import items
from tests.villages.board_helpers import V1, V2, World, draft, refreshed, set_review_by, world

__all__ = ["world"]

pytestmark = pytest.mark.django_db


def verbs(item: Item) -> list[str]:
    return list(
        Event.objects.filter(subject="item", subject_id=item.pk)
        .order_by("pk")
        .values_list("verb", flat=True)
    )


def test_township_review_publishes_with_the_minimum_display_window(world: World) -> None:
    item = draft(world)
    items.item_submit(actor=world.clerk, item=item, revision=item.revision)
    assert refreshed(item).status == ItemStatus.SUBMITTED
    # The default setting is the township: the monitor may not approve.
    with pytest.raises(NotAllowed):
        items.item_review(actor=world.monitor, item=item, approve=True)
    # Nor may the other township's reviewer.
    with pytest.raises(NotAllowed):
        items.item_review(actor=world.reviewer_other, item=item, approve=True)
    now = timezone.now()
    published = items.item_review(actor=world.reviewer, item=item, approve=True, now=now)
    assert published.status == ItemStatus.PUBLISHED
    assert published.published_at == now
    today = timezone.localdate(now)
    assert published.display_from == today
    assert published.display_until == today + dt.timedelta(days=4)  # 5 days, Shandong's rule
    board = Board.objects.get(pk=V1)
    assert board.last_published_at == now and board.next_check_at == now
    assert verbs(item) == ["drafted", "submitted", "approved", "published"]


def test_monitor_review_alone(world: World) -> None:
    set_review_by(V1, ReviewBy.MONITOR)
    item = draft(world)
    items.item_submit(actor=world.clerk, item=item)
    with pytest.raises(NotAllowed):
        items.item_review(actor=world.reviewer, item=item, approve=True)
    with pytest.raises(NotAllowed):  # another village's monitor
        items.item_review(actor=world.monitor2, item=item, approve=True)
    items.item_review(actor=world.monitor, item=item, approve=True)
    assert refreshed(item).status == ItemStatus.PUBLISHED


def test_both_monitor_first_then_township(world: World) -> None:
    set_review_by(V1, ReviewBy.BOTH)
    item = draft(world)
    items.item_submit(actor=world.clerk, item=item)
    # The township cannot jump the monitor's step.
    with pytest.raises(NotAllowed):
        items.item_review(actor=world.reviewer, item=item, approve=True)
    items.item_review(actor=world.monitor, item=item, approve=True, note="内容属实")
    assert refreshed(item).status == ItemStatus.PARTLY_APPROVED
    assert Board.objects.get(pk=V1).last_published_at is None
    with pytest.raises(NotAllowed):  # the monitor's step is done
        items.item_review(actor=world.monitor, item=item, approve=True)
    items.item_review(actor=world.reviewer, item=item, approve=True)
    assert refreshed(item).status == ItemStatus.PUBLISHED
    assert verbs(item) == ["drafted", "submitted", "approved", "approved", "published"]
    steps = [
        e.data.get("step")
        for e in Event.objects.filter(subject_id=item.pk, verb="approved").order_by("pk")
    ]
    assert steps == ["monitor", "township"]


def test_return_needs_a_note_and_the_clerk_edits_and_resubmits(world: World) -> None:
    item = draft(world)
    items.item_submit(actor=world.clerk, item=item)
    before = Event.objects.count()
    with pytest.raises(InvalidInput, match="理由"):
        items.item_review(actor=world.reviewer, item=item, approve=False, note="  ")
    assert Event.objects.count() == before and refreshed(item).status == ItemStatus.SUBMITTED
    items.item_review(actor=world.reviewer, item=item, approve=False, note="请补充低保户名单")
    item = refreshed(item)
    assert item.status == ItemStatus.RETURNED
    items.item_update(
        actor=world.clerk,
        item=item,
        revision=item.revision,
        title=item.title,
        body=item.body + "\n名单附后。",
        period_kind="quarter",
        period_day=dt.date(2026, 11, 5),
    )
    items.item_submit(actor=world.clerk, item=item)
    assert refreshed(item).status == ItemStatus.SUBMITTED
    event = Event.objects.get(subject_id=item.pk, verb="returned")
    assert event.note == "请补充低保户名单" and event.actor == world.reviewer


def test_a_stale_form_is_refused_and_writes_nothing(world: World) -> None:
    item = draft(world)
    old = item.revision
    items.item_update(
        actor=world.clerk,
        item=item,
        revision=old,
        title="新标题",
        body="正文",
        period_kind="quarter",
        period_day=dt.date(2026, 11, 5),
    )
    before = (Event.objects.count(), refreshed(item).title, refreshed(item).revision)
    with pytest.raises(StaleItem):
        items.item_update(
            actor=world.clerk,
            item=item,
            revision=old,
            title="另一个标题",
            body="正文",
            period_kind="quarter",
            period_day=dt.date(2026, 11, 5),
        )
    after = (Event.objects.count(), refreshed(item).title, refreshed(item).revision)
    assert before == after


def test_refusals_leave_nothing(world: World) -> None:
    item = draft(world)
    snapshot = lambda: (  # noqa: E731
        Event.objects.count(),
        Item.objects.count(),
        tuple(Item.objects.values_list("status", "revision", "title")),
    )
    before = snapshot()
    # Another village's clerk may neither edit nor submit; the reviewer may not review a draft.
    with pytest.raises(NotAllowed):
        items.item_update(
            actor=world.clerk2,
            item=item,
            revision=item.revision,
            title="x",
            body="",
            period_kind="month",
            period_day=dt.date(2026, 11, 5),
        )
    with pytest.raises(NotAllowed):
        items.item_submit(actor=world.clerk2, item=item)
    with pytest.raises(InvalidTransition):
        items.item_review(actor=world.reviewer, item=item, approve=True)
    # A display window shorter than the minimum is refused with a clear message.
    with pytest.raises(InvalidInput, match="不能少于 5 天"):
        items.item_update(
            actor=world.clerk,
            item=item,
            revision=item.revision,
            title="标题",
            body="",
            period_kind="quarter",
            period_day=dt.date(2026, 11, 5),
            display_from=dt.date(2026, 12, 7),
            display_until=dt.date(2026, 12, 9),
        )
    with pytest.raises(InvalidTransition):  # only published items are corrected
        items.item_correct(actor=world.clerk, item=item, correction_note="x")
    assert snapshot() == before


def test_the_clerk_does_not_approve_his_own_draft(world: World) -> None:
    item = draft(world)
    items.item_submit(actor=world.admin, item=item)
    with pytest.raises(NotAllowed):
        items.item_review(actor=world.clerk, item=item, approve=True)
    # An administrator who drafted an item does not approve it either.
    own = items.item_draft(
        actor=world.admin,
        village_code=V2,
        section="other",
        title="通知",
        period_kind="immediate",
        period_day=dt.date(2026, 12, 1),
        body="停水通知",
    )
    items.item_submit(actor=world.admin, item=own)
    with pytest.raises(NotAllowed, match="自己起草"):
        items.item_review(actor=world.admin, item=own, approve=True)


def test_a_longer_display_window_is_kept(world: World) -> None:
    item = draft(world)
    today = timezone.localdate()
    items.item_update(
        actor=world.clerk,
        item=item,
        revision=item.revision,
        title=item.title,
        body=item.body,
        period_kind="quarter",
        period_day=dt.date(2026, 11, 5),
        display_from=today,
        display_until=today + dt.timedelta(days=29),
    )
    items.item_submit(actor=world.clerk, item=item)
    items.item_review(actor=world.reviewer, item=item, approve=True)
    item = refreshed(item)
    assert (item.display_from, item.display_until) == (today, today + dt.timedelta(days=29))


def test_correction_after_publication(world: World) -> None:
    item = draft(world)
    items.item_submit(actor=world.clerk, item=item)
    items.item_review(actor=world.reviewer, item=item, approve=True)
    original = refreshed(item)
    with pytest.raises(InvalidInput, match="更正说明"):
        items.item_correct(actor=world.clerk, item=original, correction_note=" ")
    with pytest.raises(NotAllowed):
        items.item_correct(actor=world.clerk2, item=original, correction_note="改")
    # A published item is never edited in place.
    with pytest.raises(InvalidTransition):
        items.item_update(
            actor=world.clerk,
            item=original,
            revision=original.revision,
            title="改标题",
            body="",
            period_kind="quarter",
            period_day=dt.date(2026, 11, 5),
        )
    correction = items.item_correct(
        actor=world.clerk, item=original, correction_note="新增低保户应为 3 户"
    )
    assert correction.status == ItemStatus.DRAFT
    assert correction.supersedes_id == original.pk and correction.version == 2
    assert correction.body == original.body and correction.title == original.title
    with pytest.raises(InvalidTransition):  # one correction at a time
        items.item_correct(actor=world.clerk, item=original, correction_note="再改")
    assert items.correction_of(original) is None  # not yet published
    items.item_update(
        actor=world.clerk,
        item=correction,
        revision=refreshed(correction).revision,
        title=correction.title,
        body="低保评议结果：经村民代表会议评议，新增低保户 3 户。",
        period_kind="quarter",
        period_day=dt.date(2026, 11, 5),
    )
    items.item_submit(actor=world.clerk, item=correction)
    items.item_review(actor=world.reviewer, item=correction, approve=True)
    # The original is intact and still published, marked corrected by the newer one and when.
    kept = refreshed(original)
    assert kept.status == ItemStatus.PUBLISHED
    assert kept.body == original.body and kept.published_at == original.published_at
    newer = items.correction_of(kept)
    assert newer is not None and newer.pk == correction.pk and newer.published_at is not None
    assert Event.objects.filter(subject_id=original.pk, verb="corrected").get().data == {
        "by": correction.pk,
        "version": 2,
    }
