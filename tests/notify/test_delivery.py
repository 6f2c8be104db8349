"""deliver_due: claims due rows, sends them, records sent / failed (with backoff) / dead;
a lease that expires makes a row due again, and it is delivered once more, exactly once."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from minsheng.notify import delivery, services
from minsheng.notify.models import Message, Outbox
from minsheng.textproc.pii import id_check_character
from tests.conftest import Org
from tests.notify.conftest import MASKED_PHONE, PHONE, Recorder, accepted_sms

Status = Outbox.Status


def later(seconds: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(seconds=seconds)


def fresh(row: Outbox) -> Outbox:
    row.refresh_from_db()
    return row


def test_it_sends_pending_rows_through_the_log_channel_and_marks_them_sent(
    db: None, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="minsheng.notify")
    row = accepted_sms()
    now = later(1)
    assert delivery.deliver_due(now=now, worker_id="w1") == 1
    row = fresh(row)
    assert row.status == Status.SENT
    assert row.sent_at == now and row.attempts == 1
    assert row.claimed_until is None and row.last_error == ""
    assert "您反映的问题已受理，工单号2611230001，可凭手机号查询进度。【12345热线】" in caplog.text
    assert delivery.deliver_due(now=later(2)) == 0  # sent rows are never sent again


def test_it_never_logs_a_phone_or_an_id_number_unmasked(
    db: None, caplog: pytest.LogCaptureFixture, recorder: Recorder
) -> None:
    caplog.set_level(logging.INFO, logger="minsheng.notify")
    first17 = "41092719900101123"
    id_number = first17 + id_check_character(first17)
    services.enqueue(
        key=f"ticket:2611230002:reply:{PHONE}:sms",  # a careless key holding the phone
        channel="sms",
        recipient=PHONE,
        template="ticket_replied_sms",
        context={"number": "2611230002", "reply": f"已核实身份证 {id_number}，回电 {PHONE}。"},
    )
    recorder.fail_with = RuntimeError(f"gateway rejected {PHONE} for {id_number}")
    delivery.deliver_due(now=later(1))
    row = Outbox.objects.get()
    assert row.status == Status.FAILED
    # The real log channel on the same row, after the retry delay.
    from minsheng.notify import channels

    channels.LogChannel().send(delivery._render(row))
    for text in (caplog.text, row.last_error):
        assert PHONE not in text and id_number not in text
    assert MASKED_PHONE in caplog.text and MASKED_PHONE in row.last_error
    assert "4109**********" in caplog.text


def test_it_retries_a_transient_failure_with_backoff(db: None, recorder: Recorder) -> None:
    row = accepted_sms()
    recorder.transient()
    now = later(1)
    assert delivery.deliver_due(now=now) == 0
    row = fresh(row)
    assert row.status == Status.FAILED and row.attempts == 1
    assert row.next_attempt_at == now + dt.timedelta(minutes=1)
    assert row.claimed_until is None and "gateway busy" in row.last_error

    assert delivery.deliver_due(now=now + dt.timedelta(seconds=59)) == 0  # not yet due
    recorder.fail_with = None
    assert delivery.deliver_due(now=now + dt.timedelta(seconds=60)) == 1
    row = fresh(row)
    assert row.status == Status.SENT and row.attempts == 2
    assert recorder.keys == [row.key]


def test_the_backoff_doubles_from_one_minute_up_to_six_hours(settings) -> None:  # type: ignore[no-untyped-def]
    waits = [delivery.backoff(attempts).total_seconds() for attempts in range(1, 12)]
    assert waits[:4] == [60, 120, 240, 480]
    assert waits[-1] == 6 * 3600 and max(waits) == 6 * 3600
    assert waits == sorted(waits)


def test_a_permanent_failure_is_dead_after_one_try(db: None, recorder: Recorder) -> None:
    row = accepted_sms()
    recorder.permanent()
    assert delivery.deliver_due(now=later(1)) == 0
    row = fresh(row)
    assert row.status == Status.DEAD and row.attempts == 1
    assert "number does not exist" in row.last_error
    assert delivery.deliver_due(now=later(10 * 86400)) == 0
    assert fresh(row).attempts == 1


def test_it_gives_up_after_max_attempts(db: None, recorder: Recorder, settings) -> None:  # type: ignore[no-untyped-def]
    settings.NOTIFY_MAX_ATTEMPTS = 3
    row = accepted_sms()
    recorder.transient()
    now = later(1)
    for attempt in (1, 2, 3):
        delivery.deliver_due(now=now)
        row = fresh(row)
        assert row.attempts == attempt
        now = row.next_attempt_at
    assert row.status == Status.DEAD
    assert delivery.deliver_due(now=now + dt.timedelta(days=30)) == 0
    assert fresh(row).attempts == 3


def test_an_unexpected_exception_is_retried_not_lost(db: None, recorder: Recorder) -> None:
    row = accepted_sms()
    recorder.fail_with = RuntimeError("bug in a vendor adapter")
    delivery.deliver_due(now=later(1))
    row = fresh(row)
    assert row.status == Status.FAILED
    assert row.last_error == "RuntimeError: bug in a vendor adapter"


def test_a_row_its_template_cannot_render_is_dead(db: None, recorder: Recorder) -> None:
    row = Outbox.objects.create(
        key="broken", channel="sms", recipient=PHONE, template="ticket_accepted_sms", context={}
    )
    delivery.deliver_due(now=later(1))
    row = fresh(row)
    assert row.status == Status.DEAD and "number" in row.last_error
    assert recorder.sent == []


def test_it_leaves_rows_that_are_not_yet_due(db: None, recorder: Recorder) -> None:
    row = accepted_sms()
    Outbox.objects.filter(pk=row.pk).update(next_attempt_at=later(3600))
    assert delivery.deliver_due(now=later(1)) == 0
    assert fresh(row).status == Status.PENDING


def test_it_claims_at_most_limit_rows_oldest_first(db: None, recorder: Recorder) -> None:
    rows = [accepted_sms(number=f"261123000{i}") for i in range(1, 4)]
    for i, row in enumerate(rows):
        Outbox.objects.filter(pk=row.pk).update(next_attempt_at=later(-10 + i))
    assert delivery.deliver_due(now=later(1), limit=2) == 2
    assert recorder.keys == [rows[0].key, rows[1].key]
    assert delivery.deliver_due(now=later(1), limit=2) == 1


def test_an_expired_lease_is_delivered_again_exactly_once(
    db: None, recorder: Recorder, settings
) -> None:  # type: ignore[no-untyped-def]
    row = accepted_sms()
    t0 = later(1)
    # A worker claims the row and dies before sending it.
    (claimed,) = delivery.claim_due(now=t0, limit=10, worker_id="dead-worker")
    assert fresh(row).status == Status.SENDING
    assert fresh(row).claimed_until == t0 + dt.timedelta(seconds=settings.NOTIFY_LEASE_SECONDS)

    assert delivery.deliver_due(now=t0 + dt.timedelta(minutes=4)) == 0  # lease still held
    expired = t0 + dt.timedelta(seconds=settings.NOTIFY_LEASE_SECONDS + 1)
    assert delivery.deliver_due(now=expired, worker_id="w2") == 1
    assert delivery.deliver_due(now=expired + dt.timedelta(hours=1)) == 0
    assert recorder.keys == [row.key]
    row = fresh(row)
    assert row.status == Status.SENT and row.attempts == 2 and row.claimed_by == "w2"

    # The first worker comes back to life: its late verdict must not overwrite the delivery.
    delivery._record_failure(claimed, error="late", now=expired)
    assert fresh(row).status == Status.SENT


def test_a_round_that_outlives_its_lease_hands_back_the_rest_unsent(
    db: None, recorder: Recorder, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.NOTIFY_LEASE_SECONDS = 300
    settings.NOTIFY_SMS_TIMEOUT = 10
    t0 = later(1)
    rows = [accepted_sms(number=f"261123000{i}") for i in range(1, 4)]
    with time_machine.travel(t0, tick=False) as traveller:
        # Each send takes 200 s: the second still starts inside the lease, the third would not.
        recorder.send = lambda message: (recorder.sent.append(message), traveller.shift(200))  # type: ignore[method-assign,assignment,func-returns-value]
        assert delivery.deliver_due() == 2
    assert recorder.keys == [rows[0].key, rows[1].key]
    last = fresh(rows[2])
    assert last.status == Status.PENDING and last.attempts == 0 and last.claimed_until is None
    assert delivery.deliver_due(now=t0 + dt.timedelta(seconds=401)) == 1


def test_the_inapp_channel_writes_one_message_even_when_delivered_twice(org: Org, settings) -> None:  # type: ignore[no-untyped-def]
    row = services.enqueue(
        key="ticket:2611230001:dispatch:user:alice:inapp",
        channel="inapp",
        recipient=str(org.alice.pk),
        template="ticket_dispatched",
        context={
            "number": "2611230001",
            "title": "铭功路路灯不亮",
            "sign_due": "11月24日 09:00",
            "url": "/tickets/2611230001/",
        },
    )
    assert row is not None
    t0 = later(1)
    delivery.claim_due(now=t0, limit=10, worker_id="killed-after-sending")
    # Pretend the killed worker had already written the message before dying.
    from minsheng.notify.channels import InAppChannel

    InAppChannel().send(delivery._render(fresh(row)))
    assert (
        delivery.deliver_due(now=t0 + dt.timedelta(seconds=settings.NOTIFY_LEASE_SECONDS + 1)) == 1
    )
    message = Message.objects.get()
    assert message.user == org.alice and message.url == "/tickets/2611230001/"
    assert message.title == "新工单 2611230001"
    assert message.body == "新工单 2611230001：铭功路路灯不亮，请于 11月24日 09:00 前签收"


def test_an_inapp_row_for_a_missing_user_is_dead(db: None) -> None:
    services.enqueue(
        key="k",
        channel="inapp",
        recipient="999999",
        template="callback_due",
        context={"number": "2611230001", "title": "t", "due": "明天"},
    )
    delivery.deliver_due(now=later(1))
    assert Outbox.objects.get().status == Status.DEAD
    assert Message.objects.count() == 0


def test_the_email_channel_uses_djangos_mail(db: None, settings, mailoutbox) -> None:  # type: ignore[no-untyped-def]
    settings.NOTIFY_EMAIL_BACKEND = "django"
    services.enqueue(
        key="ticket:2611230001:overdue:email",
        channel="email",
        recipient="duty@sunkou.gov.cn",
        template="deadline_overdue",
        context={
            "number": "2611230001",
            "title": "铭功路路灯不亮",
            "stage": "答复",
            "due": "11月23日 17:30",
        },
    )
    assert delivery.deliver_due(now=later(1)) == 1
    (sent,) = mail.outbox
    assert sent.to == ["duty@sunkou.gov.cn"]
    assert sent.subject == "超期提醒：工单 2611230001"
    assert "答复时限 11月23日 17:30 已过" in sent.body
