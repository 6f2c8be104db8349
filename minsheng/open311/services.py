"""Every write of the Open311 app: API clients (create, revoke, authenticate, count against the
rate limit) and posting a service request, which takes the ticket in through
`minsheng.tickets.actions.ticket_intake` — the one way a ticket comes to exist.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from minsheng.lib.bulk import insert_one
from minsheng.lib.compiled import CompiledQuery
from minsheng.lib.keys import command_line_safe_key
from minsheng.open311.models import (
    ApiClient,
    RateWindow,
    RequestAttributeValue,
    ServiceAttribute,
    ServiceRequest,
)
from minsheng.org.models import Division, Role, RoleGrant, User, roles_joined
from minsheng.tickets.actions import ticket_intake
from minsheng.tickets.models import Category, Channel, Ticket

KEY_PREFIX_LENGTH = 8
MAX_KEY_LENGTH = 200


class ClientError(ValueError):
    """A client cannot be created or changed; the message says why (in Chinese)."""


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def client_create(
    *, name: str, rate_limit_per_minute: int | None = None, note: str = ""
) -> tuple[ApiClient, str]:
    """A new client and its key. The key is returned once and stored only as its SHA-256."""
    name = name.strip()
    if not name or len(name) > 60:
        raise ClientError("应用名称不能为空，且不超过 60 个字。")
    if ApiClient.objects.filter(name=name).exists():
        raise ClientError(f"已有名为“{name}”的应用。")
    limit = (
        settings.OPEN311_RATE_LIMIT_PER_MINUTE
        if rate_limit_per_minute is None
        else rate_limit_per_minute
    )
    if limit < 0:
        raise ClientError("每分钟请求上限不能为负数。")
    client = ApiClient(name=name, rate_limit_per_minute=limit, note=note)
    return client, client_issue(client=client)


@transaction.atomic
def client_issue(*, client: ApiClient) -> str:
    """Give a new, unsaved client its service account and key, save it, return the key.

    The client acts through its own service account: an operator (话务员, the role allowed to
    take tickets in) that cannot log in (no usable password), named after the client on the
    timeline. Revoking the client deactivates the account too.
    """
    user = User(
        username=f"open311-{uuid.uuid4().hex[:12]}", display_name=f"{client.name}（Open311）"[:40]
    )
    user.set_unusable_password()
    user.save()
    RoleGrant.objects.create(user=user, role=Role.OPERATOR)
    key = command_line_safe_key()
    client.key_hash = hash_key(key)
    client.key_prefix = key[:KEY_PREFIX_LENGTH]
    client.user = user
    client.save()
    return key


@transaction.atomic
def client_set_active(*, client: ApiClient, active: bool) -> ApiClient:
    """Switch a client off (revoke: its key stops working at once, its service account too) or
    back on."""
    ApiClient.objects.filter(pk=client.pk).update(is_active=active)
    User.objects.filter(pk=client.user_id).update(is_active=active)
    client.is_active = active
    return client


def client_revoke(*, client: ApiClient) -> ApiClient:
    return client_set_active(client=client, active=False)


_CLIENT_FIELDS = tuple(f.attname for f in ApiClient._meta.concrete_fields)
_USER_FIELDS = tuple(f.attname for f in User._meta.concrete_fields)

# The key lookup runs on every POST: compiled once (`CompiledQuery`), it costs the process a
# fifth of the CPU the queryset did (docs/benchmarks/open311.md). The client, its service
# account and the account's roles (every POST checks them) in one row.
_KEY_LOOKUP = CompiledQuery(
    lambda key_hash: (
        ApiClient.objects.filter(key_hash=key_hash, is_active=True)
        .annotate(user_roles=roles_joined("user"))
        .order_by()
        .values_list(*_CLIENT_FIELDS, *(f"user__{name}" for name in _USER_FIELDS), "user_roles")[:1]
    ),
    arity=1,
)


def client_authenticate(key: str) -> ApiClient | None:
    """The active client holding this key, or None. The lookup is by the key's hash, so the
    comparison leaks nothing about stored keys through timing."""
    if not key or len(key) > MAX_KEY_LENGTH:
        return None
    rows = _KEY_LOOKUP.rows(hash_key(key))
    if not rows:
        return None
    row = rows[0]
    split = len(_CLIENT_FIELDS)
    client = ApiClient.from_db("default", _CLIENT_FIELDS, row[:split])
    user = User.from_db("default", _USER_FIELDS, row[split:-1])
    if not user.is_active:
        return None
    client.user = user
    user.prime_roles(row[-1])
    return client


LAST_USED_RESOLUTION = dt.timedelta(minutes=1)
# A process takes slots from a client's minute window in blocks of 1 % of the limit, so a
# client allowed thousands of calls a minute costs a window UPDATE per block instead of per call.
# Limits under 200 a minute go one slot at a time: exactly as many calls as the limit, never more.
LEASE_SHARE = 100
_leases: dict[tuple[int, str, dt.datetime], int] = {}
_leases_lock = threading.Lock()


def _touch(client: ApiClient, now: dt.datetime) -> None:
    """Note that the client is alive, at most once a minute; the client row as read by the
    key lookup says whether a minute has passed, so most calls write nothing."""
    if client.last_used_at is not None and now - client.last_used_at < LAST_USED_RESOLUTION:
        return
    ApiClient.objects.filter(pk=client.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
    ).update(last_used_at=now)
    client.last_used_at = now


def lease_size(limit: int) -> int:
    return max(1, limit // LEASE_SHARE)


def rate_limit_take(*, client: ApiClient, now: dt.datetime | None = None) -> bool:
    """Count one call in the client's current minute; False when the minute is full.

    A fixed window in the database, so the limit holds across processes and machines. A
    process takes `lease_size(limit)` slots of the window at once and hands them out itself
    (`_leases`), so the window's `count` is the slots taken, and the calls never exceed the
    limit. Slots a process took and did not use by the end of the minute are lost: with
    several processes, a busy client may be refused up to (processes - 1) leases before its
    limit.
    """
    limit = client.rate_limit_per_minute
    now = now or timezone.now()
    _touch(client, now)
    if limit == 0:
        return True
    start = now.replace(second=0, microsecond=0)
    # The key hash in the key: ids are reused when a test database rolls back, keys never.
    lease = (client.pk, client.key_hash, start)
    with _leases_lock:
        if _leases.get(lease, 0) > 0:
            _leases[lease] -= 1
            return True
    taken = _take_slots(client, start, limit)
    if not taken:
        return False
    with _leases_lock:
        for old in [key for key in _leases if key[2] < start]:
            del _leases[old]
        _leases[lease] = _leases.get(lease, 0) + taken - 1
    return True


def _take_slots(client: ApiClient, start: dt.datetime, limit: int) -> int:
    """Take up to a lease of slots from the minute's window row; how many were taken.

    The count rises only under the condition `count + n <= limit`, in one UPDATE, so concurrent
    calls cannot overshoot. The window row is created by the first call of each minute; a second
    creator loses on the unique constraint and counts through the UPDATE instead. Windows older
    than a few minutes are pruned when a new one starts.
    """
    size = lease_size(limit)
    window = RateWindow.objects.filter(client=client, window_start=start)
    with transaction.atomic():
        if window.filter(count__lte=limit - size).update(count=F("count") + size):
            return size
        try:
            with transaction.atomic():
                RateWindow.objects.create(client=client, window_start=start, count=size)
        except IntegrityError:  # the minute's row exists: nearly full, or just created by another
            # Whatever is left, one slot at a time.
            return int(bool(window.filter(count__lt=limit).update(count=F("count") + 1)))
        RateWindow.objects.filter(
            client=client, window_start__lt=start - dt.timedelta(minutes=5)
        ).delete()
        return size


@dataclass(frozen=True)
class AttributeAnswer:
    attribute: ServiceAttribute
    value: str | list[str]
    display: str


@dataclass(frozen=True)
class NewRequest:
    """A posted request, checked (see intake.py), ready to become a ticket."""

    client: ApiClient
    category: Category
    title: str
    description: str
    citizen_name: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    address_id: str = ""
    division: Division | None = None
    lat: Decimal | None = None
    lng: Decimal | None = None
    device_id: str = ""
    account_id: str = ""
    media_url: str = ""
    answers: list[AttributeAnswer] = field(default_factory=list)
    idempotency_key: str = ""
    request_hash: str = ""


@transaction.atomic
def service_request_create(*, new: NewRequest) -> Ticket:
    """POST requests: one ticket (channel open311), its Open311 record and its attribute
    answers, in one transaction — all of it or nothing. With an idempotency key, a concurrent
    request that committed the same key first makes this one fail whole (IntegrityError on
    the record's unique key), ticket number included; the caller answers as the first did."""
    ticket = ticket_intake(
        actor=new.client.user,
        channel=Channel.OPEN311,
        kind=settings.OPEN311_TICKET_KIND,
        title=new.title,
        description=new.description,
        citizen_name=new.citizen_name,
        citizen_phone=new.phone,
        category=new.category,
        division=new.division,
        address=new.address,
        lat=new.lat,
        lng=new.lng,
    )
    record = ServiceRequest(
        ticket=ticket,
        client=new.client,
        email=new.email,
        device_id=new.device_id,
        account_id=new.account_id,
        address_id=new.address_id,
        media_url=new.media_url,
        idempotency_key=new.idempotency_key,
        request_hash=new.request_hash,
    )
    insert_one(record)
    values: list[Any] = [
        RequestAttributeValue(
            request=record,
            attribute=a.attribute,
            code=a.attribute.code,
            value=a.value,
            display=a.display,
        )
        for a in new.answers
    ]
    RequestAttributeValue.objects.bulk_create(values)
    return ticket
