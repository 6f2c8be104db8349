"""Writes of the notify app: put notifications in the outbox, write in-app messages, mark read.

The rule every caller follows: call `enqueue` inside the transaction that records the event
(the ticket service's `transaction.atomic`). The outbox row then commits or rolls back with the
event, and nothing is sent before commit: the worker only sees committed rows, and the in-process
nudge is registered with `transaction.on_commit`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import Promise

from minsheng.lib.bulk import insert_rows, insert_unless_exists
from minsheng.notify.channels import deliverable_channels
from minsheng.notify.delivery import nudge
from minsheng.notify.message_templates import render
from minsheng.notify.models import Message, Outbox, OutboxStatus
from minsheng.org.models import User

KEY_MAX = 200


def enqueue(
    *, key: str, channel: str, recipient: str, template: str, context: Mapping[str, Any]
) -> Outbox | None:
    """Add one notification to the outbox, in the caller's transaction.

    `key` makes the call idempotent: a second call with the same key (a replayed event, a sweep
    that runs twice) does nothing and returns None, without breaking the caller's transaction
    (`INSERT … ON CONFLICT DO NOTHING`). Raises ValueError for an unknown channel or template, a
    context the template cannot be filled from, or an empty recipient: those are bugs at the
    call site, better found there than as dead rows later.
    """
    _check_key(key)
    if channel not in deliverable_channels():
        raise ValueError(f"unknown or reserved notify channel {channel!r}")
    if not recipient.strip():
        raise ValueError("a notification needs a recipient")
    values = _jsonable(context)
    render(template, values)  # fail now, at the call site, rather than at delivery
    row = Outbox(
        key=key, channel=channel, recipient=recipient.strip(), template=template, context=values
    )
    if not insert_unless_exists(row):
        return None
    transaction.on_commit(nudge)
    return row


@dataclass(frozen=True)
class Notice:
    """One in-app notification for a group of users (see `notify_users_many`)."""

    key_prefix: str
    users: Sequence[User]
    template: str
    context: Mapping[str, Any]
    url: str = ""


def notify_users(
    *,
    key_prefix: str,
    users: Iterable[User],
    template: str,
    context: Mapping[str, Any],
    url: str = "",
) -> int:
    """Write an in-app message to each active user; returns how many were addressed.

    In-app messages are rows in our own database, not side effects leaving the system, so they
    are written directly in the caller's transaction (no outbox round trip, no worker needed for
    the badge to light up) with one INSERT for all users. Each message's key is
    ``{key_prefix}:user:{id}``; repeating the fan-out adds nothing.
    """
    return notify_users_many(
        [
            Notice(
                key_prefix=key_prefix,
                users=list(users),
                template=template,
                context=context,
                url=url,
            )
        ]
    )


def notify_users_many(notices: Iterable[Notice]) -> int:
    """`notify_users` for many notices at once: one INSERT for all of them.

    The worker's sweep raises thousands of alarms in a batch; a statement per alarm was most of
    its time (docs/benchmarks/sweep.md). Returns how many messages were addressed.
    """
    now = timezone.now()
    rows: list[tuple[int, str, str, str, str, dt.datetime]] = []
    for notice in notices:
        recipients = [user.pk for user in notice.users if user.is_active]
        if not recipients:
            continue
        title, body = render(notice.template, _jsonable(notice.context))
        for user_id in recipients:
            key = f"{notice.key_prefix}:user:{user_id}"
            _check_key(key)
            rows.append((user_id, title, body, notice.url, key, now))
    return insert_rows(
        Message,
        ("user_id", "title", "body", "url", "key", "created_at"),
        rows,
        ignore_conflicts=True,
    )


def message_mark_read(*, user: User, message_id: int) -> Message:
    """Mark the user's message read (Message.DoesNotExist for anyone else's)."""
    message = Message.objects.get(pk=message_id, user=user)
    if message.read_at is None:
        message.read_at = timezone.now()
        Message.objects.filter(pk=message.pk, read_at__isnull=True).update(read_at=message.read_at)
    return message


def message_mark_all_read(*, user: User) -> int:
    return Message.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())


def outbox_retry(*, rows: QuerySet[Outbox]) -> int:
    """Send failed and dead rows again from scratch (the admin's "重新发送")."""
    count = rows.filter(status__in=(OutboxStatus.FAILED, OutboxStatus.DEAD)).update(
        status=OutboxStatus.PENDING,
        attempts=0,
        next_attempt_at=timezone.now(),
        claimed_until=None,
        claimed_by="",
    )
    if count:
        transaction.on_commit(nudge)
    return count


def _check_key(key: str) -> None:
    if not key or len(key) > KEY_MAX:
        raise ValueError(f"a notify key must have 1 to {KEY_MAX} characters, got {len(key)}")


def _jsonable(value: Any) -> Any:
    """Context values as the JSON column can hold them and an SMS can show them.

    Datetimes become local wall-clock text ("11月23日 17:30", with the year when it is not
    this year): templates are plain str.format and citizens read China time, not ISO 8601.
    """
    if isinstance(value, Mapping):
        return {str(name): _jsonable(item) for name, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(item) for item in value]
    if isinstance(value, dt.datetime):
        return _local_datetime_text(value)
    if isinstance(value, dt.date):
        return _date_text(value)
    if isinstance(value, Decimal | UUID | Promise):
        return str(value)
    return value


def _local_datetime_text(value: dt.datetime) -> str:
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{_date_text(local.date())} {local:%H:%M}"


def _date_text(value: dt.date) -> str:
    if value.year != timezone.localdate().year:
        return f"{value.year}年{value.month}月{value.day}日"
    return f"{value.month}月{value.day}日"
