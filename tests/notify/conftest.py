"""Fixtures for the notify tests: a recording channel in place of the real ones, a clean
wake-up flag, and a helper to put rows in the outbox."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from minsheng.notify import channels, delivery, services
from minsheng.notify.channels import Channel, PermanentError, RenderedMessage, TransientError
from minsheng.notify.models import Outbox

PHONE = "13800138000"
MASKED_PHONE = "138****8000"


@dataclass
class Recorder:
    """Stands in for every channel: records what it is asked to send, or fails on request."""

    sent: list[RenderedMessage] = field(default_factory=list)
    fail_with: Exception | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def send(self, message: RenderedMessage) -> None:
        if self.fail_with is not None:
            raise self.fail_with
        with self.lock:
            self.sent.append(message)

    @property
    def keys(self) -> list[str]:
        return [message.key for message in self.sent]

    def transient(self) -> None:
        self.fail_with = TransientError("gateway busy")

    def permanent(self) -> None:
        self.fail_with = PermanentError("number does not exist")


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    rec = Recorder()

    def channel_for(name: str) -> Channel:
        return rec

    monkeypatch.setattr(channels, "channel_for", channel_for)
    return rec


@pytest.fixture(autouse=True)
def clear_wakeup() -> Iterator[None]:
    delivery.wakeup.clear()
    yield
    delivery.wakeup.clear()


def accepted_sms(number: str = "2611230001", phone: str = PHONE, **kwargs: object) -> Outbox:
    """Enqueue the intake SMS for ticket `number` (inside whatever transaction is open)."""
    row = services.enqueue(
        key=f"ticket:{number}:accepted:sms",
        channel="sms",
        recipient=phone,
        template="ticket_accepted_sms",
        context={"number": number},
        **kwargs,  # type: ignore[arg-type]
    )
    assert row is not None
    return row
