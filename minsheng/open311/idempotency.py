"""`Idempotency-Key` on `POST requests`: an extension of GeoReport v2 (docs/api.md).

A citizens' app that lost the answer to a POST (a dropped mobile connection) and posts again
would otherwise file a second ticket. With the header, the first request's ticket number is
answered again (`Idempotent-Replayed: true`) and nothing is filed; the same key with a
different request is refused (422). Keys are the client's own: one client cannot replay
another's. A request refused for its content stores nothing, so a fixed retry may reuse its
key. The record is the ticket's Open311 row itself, written in the intake's transaction.
"""

from __future__ import annotations

import hashlib

from django.http import HttpRequest

from minsheng.open311.models import ApiClient, ServiceRequest
from minsheng.open311.params import Params, bad_request

IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEY_MAX = 200
# Not part of what the request says: the key authenticates, it does not describe.
UNSIGNED = frozenset({"api_key"})


def idempotency_key(request: HttpRequest) -> str:
    """The header's key, or "" without one; 1–200 printable ASCII characters."""
    raw = request.headers.get(IDEMPOTENCY_HEADER)
    if raw is None:
        return ""
    key = raw.strip()
    if not key or len(key) > KEY_MAX or not all(" " <= ch <= "~" for ch in key):
        raise bad_request(f"{IDEMPOTENCY_HEADER} 须为 1 到 {KEY_MAX} 个可打印 ASCII 字符。")
    return key


def request_fingerprint(request: HttpRequest, params: Params) -> str:
    """The request's path and parameters, in a canonical order, hashed."""
    pairs = sorted(
        (name, value)
        for name, values in params.data.lists()
        if name not in UNSIGNED
        for value in values
    )
    text = "\n".join([request.path, *(f"{name}={value}" for name, value in pairs)])
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def first_request(client: ApiClient, key: str) -> ServiceRequest | None:
    return (
        ServiceRequest.objects.filter(client=client, idempotency_key=key)
        .select_related("ticket")
        .only("request_hash", "ticket__number")
        .first()
    )
