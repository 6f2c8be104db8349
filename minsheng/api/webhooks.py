"""Webhooks: units' own systems hear about their tickets, signed with HMAC-SHA256.

Sending goes through the notify outbox (channel ``webhook``), so an event is queued in the
transaction of the ticket action that caused it and leaves after commit, with notify's retries,
backoff and dead-letter handling. Two halves:

- `webhooks_for_event(unit=…, event=…, payload=…)`: called by the ticket services (inside their
  transaction) when a unit must hear something. It queues one outbox row per active webhook of
  that unit subscribed to the event. The row's body is the JSON envelope, fixed at that moment
  (a retry resends the same bytes, with a fresh timestamp and signature).
- `WebhookChannel`: notify's delivery loop hands it each row. It signs the body and POSTs it.

Each request carries::

    Content-Type: application/json; charset=utf-8
    X-Minsheng-Event: ticket.dispatched
    X-Minsheng-Delivery: <outbox key, the same on every retry of one event>
    X-Minsheng-Timestamp: <Unix seconds when this attempt was signed>
    X-Minsheng-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + raw body)>

The receiver recomputes the HMAC over the timestamp, a dot and the raw body bytes, compares in
constant time, and refuses timestamps older than a few minutes (replay) — `verify_signature`.
The payload carries no personal data of the citizen: the unit's system fetches the ticket with
its token (GET /api/v1/tickets/{number}/), which applies the same confidentiality rules.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import prefetch_related_objects
from django.utils import timezone

from minsheng.api.destinations import allowed_private, is_internal_address, is_internal_host
from minsheng.api.models import Webhook, WebhookEvent
from minsheng.notify.channels import PermanentError, RenderedMessage, TransientError
from minsheng.notify.services import enqueue
from minsheng.org.models import Unit
from minsheng.tickets.models import Ticket

CHANNEL = "webhook"
TEMPLATE = "webhook_event"
KEY_PREFIX = "webhook"
SIGNATURE_HEADER = "X-Minsheng-Signature"
TIMESTAMP_HEADER = "X-Minsheng-Timestamp"
EVENT_HEADER = "X-Minsheng-Event"
DELIVERY_HEADER = "X-Minsheng-Delivery"
DEFAULT_TOLERANCE = 300  # seconds a receiver should accept between signing and receipt


# --- Signing --------------------------------------------------------------------------------


def sign(*, secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode("ascii") + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def verify_signature(
    *,
    secret: str,
    body: bytes,
    timestamp: str,
    signature: str,
    tolerance: int = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> bool:
    """What a receiver does (docs/api.md has the same check as a standalone snippet)."""
    try:
        sent = int(timestamp)
    except ValueError:
        return False
    current = time.time() if now is None else now
    if abs(current - sent) > tolerance:
        return False
    return hmac.compare_digest(sign(secret=secret, timestamp=sent, body=body), signature)


# --- Queueing -------------------------------------------------------------------------------


def ticket_payload(ticket: Ticket, **extra: Any) -> dict[str, Any]:
    """What a webhook says about a ticket: enough to decide to fetch it, nothing personal."""

    def when(value: Any) -> str | None:
        return value.isoformat() if value is not None else None

    return {
        "ticket": {
            "number": ticket.number,
            "title": ticket.title,
            "status": ticket.status,
            "round": ticket.round,
            "urgency": ticket.urgency,
            "category": ticket.category.full_name
            if ticket.category_id and ticket.category
            else None,
            "lead_unit": ticket.lead_unit.code
            if ticket.lead_unit_id and ticket.lead_unit
            else None,
            "sign_due": when(ticket.sign_due),
            "contact_due": when(ticket.contact_due),
            "reply_due": when(ticket.reply_due),
            "version": ticket.version,
            "url": f"/api/v1/tickets/{ticket.number}/",
        },
        **extra,
    }


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def webhooks_for_event(
    *,
    unit: Unit,
    event: str,
    payload: Mapping[str, Any],
    key: str | None = None,
    hooks: Sequence[Webhook] | None = None,
) -> int:
    """Queue `event` for every active webhook of `unit` that subscribed to it; returns how many.

    Call inside the transaction of the action that caused the event. `key` names the event for
    idempotency (e.g. ``f"{ticket.number}:dispatch:{event_id}"``); without it the payload itself
    is the name, so the same payload queued twice is sent once. `hooks`: the unit's active
    webhooks when the caller has already loaded them (a batch of many tickets).
    """
    if event not in WebhookEvent.values:
        raise ValueError(f"unknown webhook event {event!r}")
    if hooks is None:
        hooks = list(Webhook.objects.filter(unit=unit, is_active=True))
    hooks = [h for h in hooks if event in h.events]
    if not hooks:
        return 0
    name = key or hashlib.sha256(_canonical(payload).encode("utf-8")).hexdigest()[:32]
    event_id = hashlib.sha256(f"{event}:{name}".encode()).hexdigest()[:24]
    queued = 0
    for hook in hooks:
        delivery = f"{KEY_PREFIX}:{hook.pk}:{event_id}"
        envelope = {
            "id": delivery,
            "event": event,
            "created_at": timezone.now().isoformat(),
            "unit": unit.code,
            "data": dict(payload),
        }
        row = enqueue(
            key=delivery,
            channel=CHANNEL,
            recipient=hook.url,
            template=TEMPLATE,
            context={"event": event, "body": _canonical(envelope)},
        )
        queued += row is not None
    return queued


# --- Delivery -------------------------------------------------------------------------------


def webhook_id_from_key(key: str) -> int:
    parts = key.split(":")
    if len(parts) < 3 or parts[0] != KEY_PREFIX or not parts[1].isdigit():
        raise PermanentError(f"not a webhook delivery key: {key[:40]!r}")
    return int(parts[1])


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect is answered as the 3xx it is: a misconfigured URL


class InternalAddressRefused(OSError):
    """The webhook's host resolved to an address a webhook must not reach."""


def _check_peer(sock: Any) -> None:
    # The address actually connected to, after whatever the name resolved to: a name that
    # resolves to an internal address now (DNS rebinding included) is refused here.
    address = str(sock.getpeername()[0])
    if not allowed_private() and is_internal_address(address):
        sock.close()
        raise InternalAddressRefused(f"refused: the webhook's host resolved to {address}")


class _GuardedHTTPConnection(http.client.HTTPConnection):
    def connect(self) -> None:
        super().connect()
        _check_peer(self.sock)


class _GuardedHTTPSConnection(http.client.HTTPSConnection):
    def connect(self) -> None:
        super().connect()
        _check_peer(self.sock)


class _GuardedHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_GuardedHTTPConnection, req)


class _GuardedHTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_GuardedHTTPSConnection, req)


class WebhookChannel:
    """notify channel for outbox rows of channel ``webhook`` (see docs/api.md, "Webhooks").

    The secret and URL are read from the Webhook row at send time, so a rotated secret or a
    corrected URL applies to retries; a deleted or disabled webhook makes the row dead.
    2xx is delivered; 408, 429, 5xx and network errors are retried; other answers are permanent.
    """

    def __init__(self, *, timeout: float | None = None) -> None:
        self.timeout = float(settings.API_WEBHOOK_TIMEOUT if timeout is None else timeout)
        self.opener = urllib.request.build_opener(
            _NoRedirect(), _GuardedHTTPHandler(), _GuardedHTTPSHandler()
        )

    def request_for(self, message: RenderedMessage, hook: Webhook) -> urllib.request.Request:
        body = message.body.encode("utf-8")
        timestamp = int(time.time())
        return urllib.request.Request(  # noqa: S310 - the model allows http(s) URLs only
            hook.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "User-Agent": "Minsheng-Webhook/1",
                EVENT_HEADER: message.title,
                DELIVERY_HEADER: message.key,
                TIMESTAMP_HEADER: str(timestamp),
                SIGNATURE_HEADER: sign(secret=hook.secret, timestamp=timestamp, body=body),
            },
        )

    def send(self, message: RenderedMessage) -> None:
        hook = Webhook.objects.filter(pk=webhook_id_from_key(message.key)).first()
        if hook is None or not hook.is_active:
            raise PermanentError("webhook deleted or disabled")
        if not hook.url.startswith(("http://", "https://")):
            raise PermanentError("webhook URL is not http(s)")
        if not allowed_private() and is_internal_host(urlsplit(hook.url).hostname or ""):
            raise PermanentError("webhook URL names an internal address")
        request = self.request_for(message, hook)
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                response.read(1024)
        except urllib.error.HTTPError as exc:
            code = exc.code
            if code in (408, 429) or code >= 500:
                raise TransientError(f"webhook answered HTTP {code}") from None
            raise PermanentError(f"webhook refused the event: HTTP {code}") from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, InternalAddressRefused):
                raise PermanentError(str(exc.reason)) from None
            raise TransientError(f"webhook unreachable: {type(exc).__name__}") from None
        except InternalAddressRefused as exc:
            raise PermanentError(str(exc)) from None
        except (http.client.HTTPException, TimeoutError, OSError) as exc:
            raise TransientError(f"webhook unreachable: {type(exc).__name__}") from None


# --- Ready-made hooks for the ticket services -----------------------------------------------


def on_dispatch(ticket: Ticket, units: list[Unit], *, event_id: int) -> int:
    """Each unit that was just given an assignment on the ticket (派单, 改派, 增加协办, 下派)."""
    return sum(
        webhooks_for_event(
            unit=unit,
            event=WebhookEvent.DISPATCHED,
            payload=ticket_payload(ticket),
            key=f"{ticket.number}:dispatch:{event_id}",
        )
        for unit in units
    )


def on_unsatisfied(ticket: Ticket, *, callback_id: int, resolved: bool | None, comment: str) -> int:
    """The callback found the citizen unsatisfied: the lead unit hears it."""
    if ticket.lead_unit is None:
        return 0
    payload = ticket_payload(ticket, callback={"resolved": resolved, "comment": comment[:500]})
    return webhooks_for_event(
        unit=ticket.lead_unit,
        event=WebhookEvent.UNSATISFIED,
        payload=payload,
        key=f"{ticket.number}:callback:{callback_id}",
    )


def on_overdue(items: Sequence[tuple[Ticket, str, Any]]) -> int:
    """Deadlines of lead units (签收/联系/答复) that passed, a sweep batch of (ticket, deadline,
    due_at) at a time: the units' webhooks are read with one query for the whole batch."""
    unit_ids = {ticket.lead_unit_id for ticket, _, _ in items if ticket.lead_unit_id}
    if not unit_ids:
        return 0
    by_unit: dict[int, list[Webhook]] = {}
    for hook in Webhook.objects.filter(unit_id__in=unit_ids, is_active=True):
        by_unit.setdefault(hook.unit_id, []).append(hook)
    # The sweep claims tickets without their unit and category (worker.loop.CLAIM_FIELDS):
    # load them here, one query each, for the tickets that have a hook.
    prefetch_related_objects(
        list({t.pk: t for t, _, _ in items if t.lead_unit_id in by_unit}.values()),
        "lead_unit",
        "category",
    )
    queued = 0
    for ticket, deadline, due_at in items:
        hooks = by_unit.get(ticket.lead_unit_id or 0)
        if not hooks or ticket.lead_unit is None:
            continue
        due = due_at.isoformat() if hasattr(due_at, "isoformat") else str(due_at)
        queued += webhooks_for_event(
            unit=ticket.lead_unit,
            event=WebhookEvent.OVERDUE,
            payload=ticket_payload(ticket, deadline={"name": deadline, "due_at": due}),
            key=f"{ticket.number}:overdue:{ticket.round}:{deadline}:{due}",
            hooks=hooks,
        )
    return queued
