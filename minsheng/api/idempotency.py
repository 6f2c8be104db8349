"""`Idempotency-Key` on POSTs: a retried request gets the first answer and changes nothing.

Contract (docs/api.md, "Idempotency"):

- The key is scoped to the user (all of a user's tokens share it), 1–200 printable ASCII
  characters. The request is fingerprinted by method, path and the body's canonical JSON.
- The record is written in the same transaction as the action. A **successful** (2xx) answer is
  stored and replayed for every repeat with the same fingerprint (header `Idempotent-Replayed:
  true`); nothing is executed again. A **refused** action (400/403/404/409) stores nothing and
  rolls back with the action, so the key is not poisoned: the client may fix the cause and
  retry with the same key.
- The same key with a different method, path or body: 422 `idempotency_key_reused`.
- Two requests with one key at the same time: the second waits on the first's row (PostgreSQL:
  the unique index; SQLite: its single writer) and then replays the first's answer; if it
  cannot wait (SQLite busy timeout) it gets 409 `idempotency_in_progress`.
- Records expire after API_IDEMPOTENCY_HOURS; an expired key is a new key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from minsheng.api.errors import ApiError
from minsheng.api.models import ApiToken, IdempotencyRecord

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEY_MAX = 200


def ttl() -> dt.timedelta:
    return dt.timedelta(hours=settings.API_IDEMPOTENCY_HOURS)


def request_key(request: Request) -> str | None:
    raw = request.headers.get(HEADER)
    if raw is None:
        return None
    key = raw.strip()
    if not key or len(key) > KEY_MAX or not all(" " <= ch <= "~" for ch in key):
        raise ApiError(
            status.HTTP_400_BAD_REQUEST,
            "invalid",
            _("Idempotency-Key 须为 1 到 200 个可打印 ASCII 字符。"),
            field=HEADER,
        )
    return key


def fingerprint(request: Request) -> str:
    body = json.dumps(
        request.data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )
    raw = f"{request.method}\n{request.path}\n{body}"
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def _replay(record: IdempotencyRecord, digest: str) -> Response:
    if record.request_hash != digest:
        raise ApiError(
            status.HTTP_422_UNPROCESSABLE_ENTITY,
            "idempotency_key_reused",
            _("该 Idempotency-Key 已用于另一个请求（方法、路径或内容不同），请换用新的键。"),
            field=HEADER,
        )
    return Response(
        record.response_body, status=record.status_code, headers={REPLAYED_HEADER: "true"}
    )


def _existing(user_id: int, key: str) -> IdempotencyRecord | None:
    record = IdempotencyRecord.objects.filter(user_id=user_id, key=key).first()
    if record is not None and record.created_at < timezone.now() - ttl():
        record.delete()
        return None
    return record


def idempotent(request: Request, execute: Callable[[], Response]) -> Response:
    """Run `execute` once per (user, Idempotency-Key); without the header, just run it."""
    key = request_key(request)
    if key is None:
        return execute()
    digest = fingerprint(request)
    user_id: int = request.user.pk  # type: ignore[assignment]  # views require authentication
    token = request.auth if isinstance(request.auth, ApiToken) else None
    try:
        with transaction.atomic():
            record = _existing(user_id, key)
            if record is not None:
                return _replay(record, digest)
            record = IdempotencyRecord(
                user_id=user_id,
                token=token,
                key=key,
                method=request.method or "",
                path=request.path[:300],
                request_hash=digest,
                status_code=0,
            )
            try:
                with transaction.atomic():
                    record.save(force_insert=True)
            except IntegrityError:
                # A concurrent request with this key committed first: answer as it did.
                return _replay(IdempotencyRecord.objects.get(user_id=user_id, key=key), digest)
            # Refusals raise, which rolls the record back with the action.
            response = execute()
            if not status.is_success(response.status_code):
                transaction.set_rollback(True)
                return response
            record.status_code = response.status_code
            record.response_body = _jsonable(response.data)
            record.save(update_fields=["status_code", "response_body"])
            return response
    except OperationalError as exc:
        if "locked" not in str(exc).lower():
            raise
        raise ApiError(
            status.HTTP_409_CONFLICT,
            "idempotency_in_progress",
            _("使用同一 Idempotency-Key 的请求正在处理中，请稍后重试。"),
            field=HEADER,
        ) from None


def _jsonable(data: Any) -> Any:
    # Serializer output (ReturnDict, OrderedDict, lazy strings) as plain JSON values.
    from rest_framework.utils.encoders import JSONEncoder

    return json.loads(json.dumps(data, cls=JSONEncoder))


def purge_expired(*, now: dt.datetime | None = None) -> int:
    cutoff = (now or timezone.now()) - ttl()
    return IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()[0]
