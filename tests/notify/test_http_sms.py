"""The generic HTTP SMS adapter against a real HTTP server on 127.0.0.1: 2xx is sent, 4xx is
permanent (except 408/429), 5xx and timeouts are transient."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.utils import timezone

from minsheng.notify import delivery
from minsheng.notify.channels import (
    HttpSmsChannel,
    PermanentError,
    RenderedMessage,
    TransientError,
)
from minsheng.notify.models import Outbox
from tests.notify.conftest import PHONE, accepted_sms


@dataclass
class Gateway:
    url: str
    status: int = 200
    delay: float = 0.0
    requests: list[dict[str, object]] = field(default_factory=list)


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    state = Gateway(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            state.requests.append(
                {
                    "path": self.path,
                    "content_type": self.headers["Content-Type"],
                    "json": json.loads(self.rfile.read(length).decode("utf-8")),
                }
            )
            if state.delay:
                time.sleep(state.delay)
            try:
                self.send_response(state.status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"code": 0}')
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client timed out and hung up, as the timeout test intends

        def log_message(self, format: str, *args: object) -> None:
            pass  # keep the test output clean

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}/sms/send"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@pytest.fixture
def http_sms(settings, gateway: Gateway) -> Gateway:  # type: ignore[no-untyped-def]
    settings.NOTIFY_SMS_BACKEND = "http"
    settings.NOTIFY_SMS_URL = gateway.url
    settings.NOTIFY_SMS_TEMPLATE = (
        '{"account": "tq12345", "mobile": "{phone}", "content": "{text}", "tags": ["{phone}"]}'
    )
    settings.NOTIFY_SMS_TIMEOUT = 5
    return gateway


def message(text: str = "您反映的问题已受理。【12345热线】") -> RenderedMessage:
    return RenderedMessage(key="k", channel="sms", recipient=PHONE, title="t", body=text)


def test_it_posts_the_filled_template_and_a_200_is_sent(db: None, http_sms: Gateway) -> None:
    row = accepted_sms()
    now = timezone.now() + dt.timedelta(seconds=1)
    assert delivery.deliver_due(now=now) == 1
    row.refresh_from_db()
    assert row.status == Outbox.Status.SENT
    (request,) = http_sms.requests
    assert request["path"] == "/sms/send"
    assert request["content_type"] == "application/json; charset=utf-8"
    assert request["json"] == {
        "account": "tq12345",
        "mobile": PHONE,
        "content": "您反映的问题已受理，工单号2611230001，可凭手机号查询进度。【12345热线】",
        "tags": [PHONE],
    }


def test_quotes_and_newlines_in_the_text_cannot_break_the_json(http_sms: Gateway) -> None:
    text = '他说："路灯\n不亮"} {phone}'  # a placeholder inside the text stays text
    HttpSmsChannel().send(message(text))
    assert http_sms.requests[0]["json"]["content"] == text  # type: ignore[index]


def test_a_400_is_a_permanent_failure_and_the_row_is_dead(db: None, http_sms: Gateway) -> None:
    http_sms.status = 400
    with pytest.raises(PermanentError, match="HTTP 400"):
        HttpSmsChannel().send(message())
    row = accepted_sms()
    delivery.deliver_due(now=timezone.now() + dt.timedelta(seconds=1))
    row.refresh_from_db()
    assert row.status == Outbox.Status.DEAD and row.attempts == 1
    assert "HTTP 400" in row.last_error


@pytest.mark.parametrize("status", [503, 500, 429, 408])
def test_a_5xx_or_a_please_retry_is_transient_and_retried(
    db: None, http_sms: Gateway, status: int
) -> None:
    http_sms.status = status
    row = accepted_sms()
    now = timezone.now() + dt.timedelta(seconds=1)
    delivery.deliver_due(now=now)
    row.refresh_from_db()
    assert row.status == Outbox.Status.FAILED and row.attempts == 1
    assert f"HTTP {status}" in row.last_error
    http_sms.status = 200
    assert delivery.deliver_due(now=row.next_attempt_at) == 1
    assert len(http_sms.requests) == 2


def test_a_timeout_is_transient(http_sms: Gateway) -> None:
    http_sms.delay = 1.0
    with pytest.raises(TransientError, match="unreachable"):
        HttpSmsChannel(timeout=0.2).send(message())


def test_a_closed_port_is_transient(gateway: Gateway) -> None:
    url = gateway.url.replace("/sms/send", "")
    dead = HttpSmsChannel(
        url=url.rsplit(":", 1)[0] + ":1/", template='{"p": "{phone}", "t": "{text}"}'
    )
    with pytest.raises(TransientError):
        dead.send(message())


@pytest.mark.parametrize(
    ("url", "template"),
    [
        ("", '{"p": "{phone}", "t": "{text}"}'),
        ("file:///etc/passwd", '{"p": "{phone}", "t": "{text}"}'),
        ("http://127.0.0.1/", "not json"),
        ("http://127.0.0.1/", '{"p": "{phone}"}'),  # no {text}
    ],
)
def test_a_bad_gateway_configuration_fails_loudly(settings, url: str, template: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ImproperlyConfigured):
        HttpSmsChannel(url=url, template=template)
    settings.NOTIFY_SMS_BACKEND = "http"
    settings.NOTIFY_SMS_URL = url
    settings.NOTIFY_SMS_TEMPLATE = template
    with pytest.raises(SystemCheckError, match="notify.E001"):
        call_command("check")
