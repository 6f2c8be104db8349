"""Webhooks: signing and verification, queueing through the notify outbox, and delivery to a
real HTTP server on 127.0.0.1.

The API registers its webhook sender with notify and subscribes to the ticket events in
ApiConfig.ready(); the ticket services publish those events inside their transactions.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from minsheng.api import webhooks
from minsheng.api.models import Webhook
from minsheng.api.webhooks import (
    WebhookChannel,
    sign,
    ticket_payload,
    verify_signature,
    webhooks_for_event,
)
from minsheng.notify import channels, delivery
from minsheng.notify.channels import PermanentError, RenderedMessage, TransientError
from minsheng.notify.models import Outbox
from minsheng.tickets import actions
from minsheng.tickets.models import Ticket
from tests.conftest import People
from tests.factories import dispatched, in_progress, replied

SECRET = "s3cret-for-tests"


@pytest.fixture(autouse=True)
def local_receivers_allowed(settings: Any) -> None:
    """The receivers here listen on 127.0.0.1, which webhooks refuse unless allowed
    (tests/api/test_webhook_destinations.py tests the refusal)."""
    settings.API_WEBHOOK_ALLOW_PRIVATE = True


@pytest.fixture
def registered() -> None:
    """The API registers its sender with notify and subscribes to the ticket events at start-up
    (ApiConfig.ready); the tests that deliver rely on that real registration."""
    assert "webhook" in channels.deliverable_channels()
    assert isinstance(channels.channel_for("webhook"), WebhookChannel)


@dataclass
class Receiver:
    url: str
    status: int = 200
    location: str = ""
    requests: list[dict[str, Any]] = field(default_factory=list)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            state.requests.append(
                {
                    "path": self.path,
                    "headers": dict(self.headers.items()),
                    "body": self.rfile.read(length),
                }
            )
            self.send_response(state.status)
            if state.location:
                self.send_header("Location", state.location)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/12345"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    yield state
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


# --- Signing --------------------------------------------------------------------------------


def test_a_signature_verifies_and_anything_changed_does_not() -> None:
    body = b'{"event":"ticket.dispatched"}'
    now = int(time.time())
    signature = sign(secret=SECRET, timestamp=now, body=body)
    assert signature.startswith("sha256=") and len(signature) == 7 + 64
    assert verify_signature(secret=SECRET, body=body, timestamp=str(now), signature=signature)
    assert not verify_signature(
        secret=SECRET, body=body + b" ", timestamp=str(now), signature=signature
    )
    assert not verify_signature(secret="other", body=body, timestamp=str(now), signature=signature)
    assert not verify_signature(
        secret=SECRET, body=body, timestamp=str(now + 1), signature=signature
    )
    assert not verify_signature(secret=SECRET, body=body, timestamp="soon", signature=signature)


def test_an_old_signature_is_refused_as_a_replay() -> None:
    body, then = b"{}", int(time.time()) - 600
    signature = sign(secret=SECRET, timestamp=then, body=body)
    assert not verify_signature(secret=SECRET, body=body, timestamp=str(then), signature=signature)
    assert verify_signature(
        secret=SECRET, body=body, timestamp=str(then), signature=signature, now=then + 10
    )


# --- Queueing -------------------------------------------------------------------------------


def test_without_webhooks_nothing_is_queued(people: People) -> None:
    ticket = dispatched(people)
    count = webhooks_for_event(
        unit=people.org.sunkou, event="ticket.dispatched", payload=ticket_payload(ticket)
    )
    assert count == 0 and not Outbox.objects.filter(channel="webhook").exists()


def test_each_subscribed_active_webhook_of_the_unit_gets_one_row(
    people: People, registered: None
) -> None:
    org = people.org
    ticket = dispatched(people)  # before any webhook exists: nothing queued for it
    wanted = Webhook.objects.create(
        unit=org.sunkou, url="https://sunkou.example/hook", events=["ticket.dispatched"]
    )
    Webhook.objects.create(
        unit=org.sunkou, url="https://sunkou.example/late", events=["ticket.overdue"]
    )
    Webhook.objects.create(unit=org.sunkou, url="https://sunkou.example/off", is_active=False)
    Webhook.objects.create(unit=org.houmiao, url="https://houmiao.example/hook")
    payload = ticket_payload(ticket)
    assert (
        webhooks_for_event(unit=org.sunkou, event="ticket.dispatched", payload=payload, key="e-1")
        == 1
    )
    row = Outbox.objects.get(channel="webhook")
    assert row.recipient == wanted.url and row.key.startswith(f"webhook:{wanted.pk}:")
    envelope = json.loads(row.context["body"])
    assert envelope["event"] == "ticket.dispatched" and envelope["unit"] == "sunkou"
    assert envelope["id"] == row.key
    assert envelope["data"]["ticket"]["number"] == ticket.number
    # The same event again (a replayed sweep, a retried action) queues nothing.
    assert (
        webhooks_for_event(unit=org.sunkou, event="ticket.dispatched", payload=payload, key="e-1")
        == 0
    )
    assert Outbox.objects.filter(channel="webhook").count() == 1


def test_an_unknown_event_is_a_bug_at_the_call_site(people: People) -> None:
    with pytest.raises(ValueError, match="unknown webhook event"):
        webhooks_for_event(unit=people.org.sunkou, event="ticket.exploded", payload={})


def test_the_ticket_services_tell_the_units_system_without_personal_data(
    people: People, registered: None
) -> None:
    hook = Webhook.objects.create(unit=people.org.sunkou, url="https://sunkou.example/hook")
    Webhook.objects.create(unit=people.org.houmiao, url="https://houmiao.example/hook")
    ticket = replied(people)  # dispatched to 孙口镇 through the services
    actions.ticket_callback(
        ticket=ticket,
        actor=people.operator,
        reached=True,
        resolved=False,
        satisfaction="unsatisfied",
        comment="没修好",
    )
    late = in_progress(people, title="另一处路灯不亮")
    assert late.reply_due is not None
    actions.tickets_raise_alarms(
        tickets=[Ticket.objects.get(pk=late.pk)], now=late.reply_due + dt.timedelta(days=30)
    )
    rows = Outbox.objects.filter(channel="webhook", recipient=hook.url)
    events = sorted(json.loads(r.context["body"])["event"] for r in rows)
    # Two dispatches, one unsatisfied callback, and the late ticket's passed unit deadlines.
    assert events[:2] == ["ticket.dispatched", "ticket.dispatched"]
    assert events.count("ticket.unsatisfied") == 1 and "ticket.overdue" in events
    assert not Outbox.objects.filter(channel="webhook", recipient__contains="houmiao").exists()
    for row in rows:
        assert "13800138000" not in row.context["body"] and "张三" not in row.context["body"]
    # The same alarms raised again (a second worker, a replayed sweep) queue nothing more.
    count = rows.count()
    actions.tickets_raise_alarms(
        tickets=[Ticket.objects.get(pk=late.pk)], now=late.reply_due + dt.timedelta(days=30)
    )
    assert Outbox.objects.filter(channel="webhook", recipient=hook.url).count() == count


def test_the_ready_made_hooks_name_each_event_once(people: People) -> None:
    ticket = dispatched(people)
    assert webhooks.on_dispatch(ticket, [people.org.sunkou], event_id=7) == 0  # no webhook yet
    Webhook.objects.create(unit=people.org.sunkou, url="https://sunkou.example/hook")
    assert webhooks.on_dispatch(ticket, [people.org.sunkou, people.org.houmiao], event_id=7) == 1
    assert webhooks.on_dispatch(ticket, [people.org.sunkou], event_id=7) == 0  # same event
    assert webhooks.on_overdue([(ticket, "sign", ticket.sign_due)]) == 1
    # A batch: the same overdue again adds nothing; another deadline of it is a new event.
    batch = [(ticket, "sign", ticket.sign_due), (ticket, "reply", ticket.reply_due)]
    assert webhooks.on_overdue(batch) == 1


def test_a_webhook_must_name_known_events_and_an_http_url(people: People) -> None:
    with pytest.raises(ValidationError) as error:
        Webhook(unit=people.org.sunkou, url="ftp://example.org/x", events=["nope"]).full_clean()
    assert set(error.value.message_dict) == {"url", "events"}
    hook = Webhook(unit=people.org.sunkou, url="https://example.org/x")
    hook.full_clean()
    assert hook.events == ["ticket.dispatched", "ticket.unsatisfied", "ticket.overdue"]
    assert len(hook.secret) == 64


# --- Delivery -------------------------------------------------------------------------------


def test_the_worker_delivers_a_signed_event(
    people: People, registered: None, receiver: Receiver
) -> None:
    hook = Webhook.objects.create(unit=people.org.sunkou, url=receiver.url, secret=SECRET)
    ticket = dispatched(people)  # the dispatch service queues the event itself
    delivery.deliver_due()  # the citizen's acceptance SMS goes too, to the log
    assert Outbox.objects.get(channel="webhook").status == "sent"

    [request] = receiver.requests
    headers = request["headers"]
    assert request["path"] == "/hooks/12345"
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert headers["X-Minsheng-Event"] == "ticket.dispatched"
    assert headers["X-Minsheng-Delivery"].startswith(f"webhook:{hook.pk}:")
    assert verify_signature(
        secret=SECRET,
        body=request["body"],
        timestamp=headers["X-Minsheng-Timestamp"],
        signature=headers["X-Minsheng-Signature"],
    )
    envelope = json.loads(request["body"])
    assert envelope["data"]["ticket"]["number"] == ticket.number
    assert envelope["data"]["ticket"]["url"] == f"/api/v1/tickets/{ticket.number}/"


def _message(hook: Webhook) -> RenderedMessage:
    return RenderedMessage(
        key=f"webhook:{hook.pk}:abc",
        channel="webhook",
        recipient=hook.url,
        title="ticket.overdue",
        body='{"event":"ticket.overdue"}',
    )


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (500, TransientError),
        (503, TransientError),
        (429, TransientError),
        (408, TransientError),
        (400, PermanentError),
        (410, PermanentError),
        (302, PermanentError),
    ],
)
def test_the_receivers_answer_decides_retry_or_give_up(
    people: People, receiver: Receiver, status: int, error: type[Exception]
) -> None:
    receiver.status = status
    receiver.location = receiver.url + "/moved" if status == 302 else ""
    hook = Webhook.objects.create(unit=people.org.sunkou, url=receiver.url, secret=SECRET)
    with pytest.raises(error):
        WebhookChannel().send(_message(hook))
    assert len(receiver.requests) == 1  # a redirect is not followed


def test_an_unreachable_receiver_is_retried(people: People) -> None:
    hook = Webhook.objects.create(unit=people.org.sunkou, url="http://127.0.0.1:9/none")
    with pytest.raises(TransientError):
        WebhookChannel(timeout=2).send(_message(hook))


def test_a_disabled_or_deleted_webhook_is_given_up(people: People, receiver: Receiver) -> None:
    hook = Webhook.objects.create(unit=people.org.sunkou, url=receiver.url, is_active=False)
    with pytest.raises(PermanentError):
        WebhookChannel().send(_message(hook))
    message = _message(hook)
    hook.delete()
    with pytest.raises(PermanentError):
        WebhookChannel().send(message)
    with pytest.raises(PermanentError):
        WebhookChannel().send(
            RenderedMessage(key="sms:1", channel="webhook", recipient="x", title="t", body="{}")
        )
    assert receiver.requests == []


def test_a_rotated_secret_applies_to_the_next_attempt(people: People, receiver: Receiver) -> None:
    hook = Webhook.objects.create(unit=people.org.sunkou, url=receiver.url, secret="old")
    message = _message(hook)
    Webhook.objects.filter(pk=hook.pk).update(secret="new")
    WebhookChannel().send(message)
    headers = receiver.requests[0]["headers"]
    assert verify_signature(
        secret="new",
        body=receiver.requests[0]["body"],
        timestamp=headers["X-Minsheng-Timestamp"],
        signature=headers["X-Minsheng-Signature"],
    )
