"""enqueue: the outbox row commits or rolls back with the caller's event, duplicates are
ignored, and the worker is nudged only after commit."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from minsheng.notify import delivery, services
from minsheng.notify.models import Outbox
from tests.notify.conftest import PHONE, Recorder, accepted_sms


class Boom(Exception):
    pass


@pytest.mark.django_db(transaction=True)
def test_it_writes_and_sends_nothing_when_the_transaction_rolls_back(recorder: Recorder) -> None:
    with pytest.raises(Boom), transaction.atomic():
        accepted_sms()
        raise Boom
    assert Outbox.objects.count() == 0
    assert not delivery.wakeup.is_set()
    assert delivery.deliver_due() == 0
    assert recorder.sent == []


@pytest.mark.django_db(transaction=True)
def test_it_is_invisible_to_workers_until_commit(recorder: Recorder) -> None:
    seen_during: list[int] = []

    def worker() -> None:
        try:
            seen_during.append(delivery.deliver_due())
        finally:
            connection.close()

    with transaction.atomic():
        accepted_sms()
        thread = threading.Thread(target=worker)
        thread.start()
        thread.join(timeout=30)
        assert not delivery.wakeup.is_set()
    assert seen_during == [0]
    assert recorder.sent == []
    assert delivery.wakeup.is_set()
    assert delivery.deliver_due() == 1
    assert recorder.keys == ["ticket:2611230001:accepted:sms"]


def test_it_drops_the_nudge_of_a_rolled_back_savepoint(
    db: None, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(Boom),
        transaction.atomic(),
    ):
        accepted_sms()
        raise Boom
    assert callbacks == []
    assert Outbox.objects.count() == 0


def test_it_nudges_the_worker_only_after_commit(
    db: None, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        accepted_sms()
        assert not delivery.wakeup.is_set()
    assert callbacks == [delivery.nudge]
    assert not delivery.wakeup.is_set()
    callbacks[0]()
    assert delivery.wakeup.is_set()


def test_it_keeps_one_row_per_key_and_the_transaction_usable(
    db: None, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        first = accepted_sms()
        again = services.enqueue(
            key=first.key,
            channel="sms",
            recipient="13900139000",
            template="ticket_accepted_sms",
            context={"number": "2611230001"},
        )
        # The duplicate was skipped by the INSERT itself: this transaction still works.
        assert Outbox.objects.filter(key=first.key).count() == 1
    assert again is None
    assert Outbox.objects.get().recipient == PHONE
    assert len(callbacks) == 1


def test_it_stores_the_row_pending_and_due_now(db: None) -> None:
    before = timezone.now()
    row = accepted_sms()
    row.refresh_from_db()
    assert row.status == Outbox.Status.PENDING
    assert row.attempts == 0 and row.claimed_until is None
    assert before <= row.next_attempt_at <= timezone.now()
    assert row.context == {"number": "2611230001"}


def test_it_turns_datetimes_into_china_wall_clock_text(db: None) -> None:
    due = dt.datetime(timezone.now().year, 11, 23, 9, 30, tzinfo=dt.UTC)  # 17:30 in Shanghai
    row = services.enqueue(
        key="ticket:2611230001:dispatch:unit:sunkou:inapp",
        channel="log",
        recipient="sunkou",
        template="ticket_dispatched",
        context={"number": "2611230001", "title": "铭功路路灯不亮", "sign_due": due},
    )
    assert row is not None
    assert row.context["sign_due"] == "11月23日 17:30"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("channel", "fax"),
        ("channel", "pager"),  # an outbox channel nobody registered a sender for
        ("template", "no_such_template"),
        ("context", {}),  # the template needs {number}
        ("recipient", "  "),
        ("key", "k" * 201),
        ("key", ""),
    ],
)
def test_it_refuses_bad_calls_at_the_call_site(db: None, field: str, value: object) -> None:
    arguments: dict[str, object] = {
        "key": "ticket:2611230001:accepted:sms",
        "channel": "sms",
        "recipient": PHONE,
        "template": "ticket_accepted_sms",
        "context": {"number": "2611230001"},
    }
    arguments[field] = value
    with pytest.raises(ValueError):
        services.enqueue(**arguments)  # type: ignore[arg-type]
    assert Outbox.objects.count() == 0
