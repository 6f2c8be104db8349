"""Webhooks never reach this machine or the intranet unless the deployment allows it (SSRF,
issue 18 finding 13): refused when saved, and refused when the worker connects."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from minsheng.api.destinations import is_internal_address, is_internal_host
from minsheng.api.models import Webhook
from minsheng.api.webhooks import WebhookChannel
from minsheng.notify.channels import PermanentError, RenderedMessage
from tests.conftest import People

INTERNAL = [
    "http://127.0.0.1:5432/",
    "http://localhost/hook",
    "http://api.localhost/hook",
    "http://10.1.2.3/hook",
    "http://172.16.0.9/hook",
    "http://192.168.1.1/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://100.64.0.1/",
    "http://0.0.0.0/",
    "http://[::1]/hook",
    "http://[fe80::1]/hook",
    "http://[fd00::1]/hook",
    "http://[::ffff:127.0.0.1]/hook",
]


@pytest.mark.parametrize("url", INTERNAL)
def test_an_internal_address_is_refused_when_saved(people: People, url: str) -> None:
    with pytest.raises(ValidationError) as error:
        Webhook(unit=people.org.sunkou, url=url).full_clean()
    assert "内网" in str(error.value.message_dict["url"])


@pytest.mark.parametrize("url", INTERNAL)
def test_allowed_by_the_deployment_it_is_kept(people: People, url: str, settings: Any) -> None:
    settings.API_WEBHOOK_ALLOW_PRIVATE = True
    Webhook(unit=people.org.sunkou, url=url).full_clean()


@pytest.mark.parametrize("address", ["8.8.8.8", "2400:3200::1", "114.114.114.114"])
def test_public_addresses_are_not_internal(address: str) -> None:
    assert not is_internal_address(address)
    assert not is_internal_host(address)


@pytest.fixture
def local_server() -> Iterator[tuple[str, list[str]]]:
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"localhost:{server.server_address[1]}", hits
    server.shutdown()
    server.server_close()


def message_for(hook: Webhook) -> RenderedMessage:
    return RenderedMessage(
        channel="webhook",
        recipient=hook.url,
        title="ticket.dispatched",
        body="{}",
        key=f"webhook:{hook.pk}:x",
    )


def test_a_row_saved_without_validation_is_still_refused_by_the_worker(
    people: People, local_server: tuple[str, list[str]]
) -> None:
    # objects.create skips the validators (a row written before they existed, a script).
    host, hits = local_server
    hook = Webhook.objects.create(unit=people.org.sunkou, url=f"http://{host}/hook")
    with pytest.raises(PermanentError, match="internal"):
        WebhookChannel(timeout=5).send(message_for(hook))
    assert hits == []


def test_the_connection_guard_reads_the_connected_address(
    people: People, local_server: tuple[str, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A public-looking name whose resolution lands on 127.0.0.1 (DNS rebinding).
    host, hits = local_server
    port = host.split(":")[1]
    real = __import__("socket").getaddrinfo

    def rebinding(name: str, *args: Any, **kwargs: Any) -> Any:
        return real("127.0.0.1" if name == "hooks.example.com" else name, *args, **kwargs)

    monkeypatch.setattr("socket.getaddrinfo", rebinding)
    hook = Webhook.objects.create(
        unit=people.org.sunkou, url=f"http://hooks.example.com:{port}/hook"
    )
    with pytest.raises(PermanentError, match="resolved to 127.0.0.1"):
        WebhookChannel(timeout=5).send(message_for(hook))
    assert hits == []
