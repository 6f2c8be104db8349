"""The delivery loop wakes when nudged after commit, and the command sends once on request."""

from __future__ import annotations

import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from minsheng.notify import delivery
from minsheng.notify.models import Outbox
from tests.notify.conftest import Recorder, accepted_sms


@pytest.mark.django_db(transaction=True)
def test_the_loop_delivers_what_a_commit_nudges_it_about(recorder: Recorder) -> None:
    stop = threading.Event()
    delivered = threading.Event()
    original = recorder.send

    def send(message):  # type: ignore[no-untyped-def]
        original(message)
        delivered.set()

    recorder.send = send  # type: ignore[method-assign]

    def loop() -> None:
        try:
            # A poll interval far longer than the test: only the nudge can wake it in time.
            delivery.run_loop(stop=stop, poll_seconds=600, worker_id="loop")
        finally:
            connection.close()

    thread = threading.Thread(target=loop)
    thread.start()
    try:
        with transaction.atomic():
            accepted_sms()
        assert delivered.wait(timeout=60)
    finally:
        stop.set()
        delivery.nudge()
        thread.join(timeout=60)
    assert not thread.is_alive()
    assert Outbox.objects.get().status == Outbox.Status.SENT


def test_the_command_delivers_once(db: None, recorder: Recorder) -> None:
    accepted_sms()
    out = StringIO()
    call_command("deliver_notifications", "--once", stdout=out)
    assert out.getvalue().strip() == "sent 1"
    assert len(recorder.sent) == 1


def test_a_lease_too_short_for_the_gateway_timeout_fails_the_checks(settings) -> None:  # type: ignore[no-untyped-def]
    from django.core.management.base import SystemCheckError

    settings.NOTIFY_LEASE_SECONDS = 30
    settings.NOTIFY_SMS_TIMEOUT = 10
    with pytest.raises(SystemCheckError, match="notify.E002"):
        call_command("check")
