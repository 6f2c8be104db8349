"""Channels carry one rendered message to one recipient.

A channel's `send` returns when the message is accepted, or raises `PermanentError` (retrying
cannot help: bad number, refused by the gateway, unknown user) or `TransientError` (try again
later: timeout, 5xx, connection refused). Anything else it raises is treated as transient by
the delivery loop, so a bug never silently loses a message; after NOTIFY_MAX_ATTEMPTS the row
is dead and visible in the admin.

Which class serves which outbox channel is chosen by settings (`channel_for`):

========  =====================================================================
outbox    channel
========  =====================================================================
log       LogChannel, always
sms       NOTIFY_SMS_BACKEND: ``log`` → LogChannel, ``http`` → HttpSmsChannel
email     NOTIFY_EMAIL_BACKEND: ``log`` → LogChannel, ``django`` → EmailChannel
          (Django's send_mail through EMAIL_BACKEND)
inapp     InAppChannel (a Message row)
========  =====================================================================

Vendors' SMS gateways (阿里云, 腾讯云, an operator's 短信平台) subclass HttpSmsChannel and
override `request_for` (signing, headers) and `check_response` (vendors that answer 200 with an
error code in the body).
"""

from __future__ import annotations

import http.client
import json
import logging
import smtplib
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import BadHeaderError, send_mail

from minsheng.notify.models import Message, OutboxChannel
from minsheng.textproc.pii import mask_phone, mask_pii

logger = logging.getLogger("minsheng.notify")


class DeliveryError(Exception):
    pass


class PermanentError(DeliveryError):
    """Retrying cannot help; the outbox row becomes dead."""


class TransientError(DeliveryError):
    """Try again later, with backoff."""


@dataclass(frozen=True)
class RenderedMessage:
    key: str
    channel: str
    recipient: str
    title: str
    body: str
    url: str = ""


class Channel(Protocol):
    def send(self, message: RenderedMessage) -> None: ...


def mask_recipient(channel: str, recipient: str) -> str:
    """The recipient as logs and admin pages may show it."""
    if channel == OutboxChannel.SMS:
        return mask_phone(recipient)  # masks blindly even when the value is not a valid phone
    if channel == OutboxChannel.WEBHOOK:
        parts = urlsplit(recipient)
        return f"{parts.scheme}://{parts.hostname or ''}/…"  # paths and queries carry tokens
    return mask_pii(recipient)


class LogChannel:
    """Development default for SMS and e-mail: the message goes to the log, masked."""

    def send(self, message: RenderedMessage) -> None:
        logger.info(
            "notify[%s] to %s: %s | %s",
            message.channel,
            mask_recipient(message.channel, message.recipient),
            mask_pii(message.title),
            mask_pii(message.body),
        )


class EmailChannel:
    """Django's send_mail, so EMAIL_BACKEND / EMAIL_HOST configure it."""

    def send(self, message: RenderedMessage) -> None:
        try:
            send_mail(
                subject=message.title,
                message=message.body,
                from_email=None,  # DEFAULT_FROM_EMAIL
                recipient_list=[message.recipient],
                fail_silently=False,
            )
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, BadHeaderError) as exc:
            raise PermanentError(f"e-mail refused: {exc}") from None
        except (smtplib.SMTPException, OSError) as exc:
            raise TransientError(f"e-mail not sent: {exc}") from None


class HttpSmsChannel:
    """A generic HTTP SMS gateway: POST a JSON body built from NOTIFY_SMS_TEMPLATE.

    NOTIFY_SMS_TEMPLATE is a JSON document whose strings may contain ``{phone}`` and
    ``{text}``; they are replaced inside the parsed document (not in the raw text), so quotes
    or newlines in the message can never break the JSON. 2xx means accepted; 408 and 429 are
    transient (the gateway asks us to come back), any other 4xx permanent; 5xx, timeouts and
    network errors are transient.
    """

    def __init__(
        self, *, url: str | None = None, template: str | None = None, timeout: float | None = None
    ):
        self.url = settings.NOTIFY_SMS_URL if url is None else url
        self.template = parse_sms_template(
            settings.NOTIFY_SMS_TEMPLATE if template is None else template
        )
        self.timeout = float(settings.NOTIFY_SMS_TIMEOUT if timeout is None else timeout)
        check_sms_url(self.url)

    def payload_for(self, message: RenderedMessage) -> Any:
        return _fill(self.template, {"{phone}": message.recipient, "{text}": message.body})

    def request_for(self, message: RenderedMessage) -> urllib.request.Request:
        data = json.dumps(self.payload_for(message), ensure_ascii=False).encode("utf-8")
        return urllib.request.Request(  # noqa: S310 - scheme checked by check_sms_url
            self.url,
            data=data,
            method="POST",
            headers={"Content-Type": "application/json; charset=utf-8"},
        )

    def check_response(self, status: int, body: bytes) -> None:
        """Hook for gateways that report errors inside a 200 answer; raise to refuse."""

    def send(self, message: RenderedMessage) -> None:
        request = self.request_for(message)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                self.check_response(response.status, response.read())
        except urllib.error.HTTPError as exc:
            raise _http_error(exc.code) from None
        except (urllib.error.URLError, http.client.HTTPException, TimeoutError, OSError) as exc:
            # The gateway's host and port are configuration, not personal data.
            raise TransientError(f"SMS gateway unreachable: {type(exc).__name__}: {exc}") from None


def _http_error(status: int) -> DeliveryError:
    if status in (408, 429) or status >= 500:
        return TransientError(f"SMS gateway answered HTTP {status}")
    return PermanentError(f"SMS gateway refused the message: HTTP {status}")


def _fill(node: Any, replacements: dict[str, str]) -> Any:
    if isinstance(node, str):
        for placeholder, value in replacements.items():
            node = node.replace(placeholder, value)
        return node
    if isinstance(node, list):
        return [_fill(item, replacements) for item in node]
    if isinstance(node, dict):
        return {key: _fill(value, replacements) for key, value in node.items()}
    return node


def parse_sms_template(raw: str) -> Any:
    try:
        template = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ImproperlyConfigured(f"NOTIFY_SMS_TEMPLATE is not valid JSON: {exc}") from None
    if "{phone}" not in raw or "{text}" not in raw:
        raise ImproperlyConfigured("NOTIFY_SMS_TEMPLATE must contain both {phone} and {text}.")
    return template


def check_sms_url(url: str) -> None:
    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
        raise ImproperlyConfigured(
            f"NOTIFY_SMS_URL={url!r} must be an http:// or https:// URL when NOTIFY_SMS_BACKEND=http."
        )


class InAppChannel:
    """Writes a Message row; the outbox key makes a second delivery a no-op."""

    def send(self, message: RenderedMessage) -> None:
        try:
            user_id = int(message.recipient)
        except ValueError:
            raise PermanentError("in-app recipient is not a user id") from None
        from django.contrib.auth import get_user_model

        if not get_user_model().objects.filter(pk=user_id, is_active=True).exists():
            raise PermanentError(f"no active user {user_id}")
        Message.objects.bulk_create(
            [
                Message(
                    user_id=user_id,
                    title=message.title,
                    body=message.body,
                    url=message.url,
                    key=message.key,
                )
            ],
            ignore_conflicts=True,
        )


# Channels that other apps provide (the REST API's webhooks), registered from their
# AppConfig.ready(): notify delivers them without importing the apps above it.
_REGISTERED: dict[str, Callable[[], Channel]] = {}


def register_channel(name: str, factory: Callable[[], Channel]) -> None:
    if name not in OutboxChannel.values:
        raise ValueError(f"unknown outbox channel {name!r}")
    _REGISTERED[name] = factory


def deliverable_channels() -> frozenset[str]:
    """The outbox channels `enqueue` accepts: the built-in ones and the registered ones."""
    return DELIVERABLE_CHANNELS | frozenset(_REGISTERED)


def channel_for(name: str) -> Channel:
    """The channel configured for outbox channel `name`; PermanentError if there is none."""
    if name in _REGISTERED:
        return _REGISTERED[name]()
    if name == OutboxChannel.LOG:
        return LogChannel()
    if name == OutboxChannel.SMS:
        return HttpSmsChannel() if settings.NOTIFY_SMS_BACKEND == "http" else LogChannel()
    if name == OutboxChannel.EMAIL:
        return EmailChannel() if settings.NOTIFY_EMAIL_BACKEND == "django" else LogChannel()
    if name == OutboxChannel.INAPP:
        return InAppChannel()
    raise PermanentError(f"no channel configured for {name!r}")


# The built-in outbox channels; the webhook channel needs its sender registered.
DELIVERABLE_CHANNELS = frozenset(
    {OutboxChannel.LOG, OutboxChannel.SMS, OutboxChannel.EMAIL, OutboxChannel.INAPP}
)
