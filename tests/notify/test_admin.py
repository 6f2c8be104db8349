"""Administrators see the outbox, masked, and can send failed or dead rows again."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from minsheng.notify import delivery
from minsheng.notify.models import Outbox
from minsheng.org.models import User
from tests.notify.conftest import MASKED_PHONE, PHONE, Recorder, accepted_sms

CHANGELIST = "/admin/notify/outbox/"


@pytest.fixture
def admin_client_(db: None, client: Client) -> Client:
    User.objects.create_superuser("root", "root@example.com", "pw-for-tests")
    client.login(username="root", password="pw-for-tests")
    return client


def test_the_changelist_shows_recipients_masked(admin_client_: Client) -> None:
    accepted_sms()
    html = admin_client_.get(CHANGELIST).content.decode()
    assert MASKED_PHONE in html and PHONE not in html
    row = Outbox.objects.get()
    detail = admin_client_.get(f"{CHANGELIST}{row.pk}/change/").content.decode()
    assert MASKED_PHONE in detail and PHONE not in detail


def test_it_filters_by_status_and_searches_by_key(admin_client_: Client) -> None:
    accepted_sms(number="2611230001")
    accepted_sms(number="2611230002")
    html = admin_client_.get(CHANGELIST, {"q": "2611230002"}).content.decode()
    assert "ticket:2611230002:accepted:sms" in html
    assert "ticket:2611230001:accepted:sms" not in html
    assert admin_client_.get(CHANGELIST, {"status__exact": "dead"}).status_code == 200


def test_resend_puts_dead_and_failed_rows_back_in_the_queue(
    admin_client_: Client, recorder: Recorder, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    dead, failed, sent = (accepted_sms(number=f"261123000{i}") for i in range(3))
    Outbox.objects.filter(pk=dead.pk).update(status="dead", attempts=8, last_error="HTTP 400")
    Outbox.objects.filter(pk=failed.pk).update(
        status="failed", attempts=2, next_attempt_at=timezone.now() + dt.timedelta(hours=1)
    )
    Outbox.objects.filter(pk=sent.pk).update(status="sent", attempts=1)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_.post(
            CHANGELIST,
            {"action": "resend", "_selected_action": [dead.pk, failed.pk, sent.pk]},
            follow=True,
        )
    assert "已将 2 条失败通知重新加入发送队列" in response.content.decode()
    assert delivery.wakeup.is_set()
    assert dict(Outbox.objects.values_list("pk", "status")) == {
        dead.pk: "pending",
        failed.pk: "pending",
        sent.pk: "sent",
    }
    assert Outbox.objects.get(pk=dead.pk).attempts == 0
    assert delivery.deliver_due(now=timezone.now() + dt.timedelta(seconds=1)) == 2
    assert sorted(recorder.keys) == sorted([dead.key, failed.key])


def test_nobody_adds_outbox_rows_by_hand(admin_client_: Client) -> None:
    assert admin_client_.get(f"{CHANGELIST}add/").status_code == 403


def test_the_message_admin_opens(admin_client_: Client) -> None:
    assert admin_client_.get("/admin/notify/message/").status_code == 200
