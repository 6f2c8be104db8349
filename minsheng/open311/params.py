"""Reading and checking the parameters of an Open311 call.

Whatever a client sends — bytes that are not UTF-8, a parameter given twice, a number with a
hundred digits, a date in the year 1 — ends as an `Open311Error` (a list of code and
description, HTTP 400/403/404/429), never as an exception the server did not expect.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.http import HttpRequest, QueryDict
from django.utils import timezone

from minsheng.lib.strictnum import is_plain_decimal

MAX_RANGE = dt.timedelta(days=90)
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
MAX_PAGE = 10_000
MAX_IDS = 200
# Characters dropped from text a client sends: C0 controls other than tab and newlines, which
# no citizen means to type and which XML could not carry back out.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class Open311Error(Exception):
    """One or more errors answered as the spec's list of {code, description}."""

    def __init__(self, status: int, *descriptions: str) -> None:
        super().__init__("; ".join(descriptions))
        self.status = status
        self.errors = [(status, d) for d in descriptions]


def bad_request(*descriptions: str) -> Open311Error:
    return Open311Error(400, *descriptions)


def _is_utf8(raw: bytes) -> bool:
    try:
        unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def request_params(request: HttpRequest) -> QueryDict:
    """The call's parameters: the query string for GET, the form for POST.

    Django decodes what is not UTF-8 with replacement characters; a client that sends such
    bytes gets a 400 instead of a ticket full of "�".
    """
    raw_query = request.META.get("QUERY_STRING", "")
    if not _is_utf8(
        raw_query.encode("latin-1", "replace") if isinstance(raw_query, str) else raw_query
    ):
        raise bad_request("参数不是有效的 UTF-8 编码。")
    if request.method == "POST":
        content_type = request.content_type or ""
        if content_type == "application/x-www-form-urlencoded" and not _is_utf8(request.body):
            raise bad_request("参数不是有效的 UTF-8 编码。")
        data = request.POST
    else:
        data = request.GET
    for key, values in data.lists():
        if "\ufffd" in key or any("\ufffd" in v for v in values):
            raise bad_request("参数不是有效的 UTF-8 编码。")
    return data


class Params:
    """Typed, checked access to one call's parameters."""

    def __init__(self, data: QueryDict) -> None:
        self.data = data

    def text(self, name: str, *, max_length: int, required: bool = False, label: str = "") -> str:
        """One value, stripped of control characters and blanks; "" when absent."""
        values = self.data.getlist(name)
        if len(values) > 1:
            raise bad_request(f"参数 {name} 只能出现一次。")
        value = _CONTROL.sub("", values[0]).strip() if values else ""
        if required and not value:
            raise bad_request(f"缺少参数 {name}{label}。")
        if len(value) > max_length:
            raise bad_request(f"参数 {name} 不能超过 {max_length} 个字符。")
        return value

    def texts(self, name: str, *, max_length: int) -> list[str]:
        """Every value of a repeatable parameter, control characters removed, blanks dropped."""
        values = [_CONTROL.sub("", v).strip() for v in self.data.getlist(name)]
        if any(len(v) > max_length for v in values):
            raise bad_request(f"参数 {name} 不能超过 {max_length} 个字符。")
        return [v for v in values if v]

    def comma_list(self, name: str, *, max_items: int = MAX_IDS) -> list[str]:
        raw = self.text(name, max_length=max_items * 33)
        items = [item.strip() for item in raw.split(",") if item.strip()]
        if len(items) > max_items:
            raise bad_request(f"参数 {name} 最多 {max_items} 项。")
        return list(dict.fromkeys(items))

    def integer(self, name: str, *, default: int, minimum: int, maximum: int) -> int:
        raw = self.text(name, max_length=12)
        if not raw:
            return default
        if not raw.isascii() or not raw.isdigit():
            raise bad_request(f"参数 {name} 必须是整数。")
        value = int(raw)
        if not minimum <= value <= maximum:
            raise bad_request(f"参数 {name} 应在 {minimum} 到 {maximum} 之间。")
        return value

    def boolean(self, name: str) -> bool:
        raw = self.text(name, max_length=8).lower()
        if raw in ("", "false", "0", "no"):
            return False
        if raw in ("true", "1", "yes"):
            return True
        raise bad_request(f"参数 {name} 只能是 true 或 false。")

    def datetime(self, name: str) -> dt.datetime | None:
        raw = self.text(name, max_length=40)
        return parse_datetime(raw, name) if raw else None

    def coordinate(self, name: str, *, limit: int) -> Decimal | None:
        raw = self.text(name, max_length=40)
        if not raw:
            return None
        try:
            if not is_plain_decimal(raw):  # Decimal() reads "1_0" and "١٢" too
                raise InvalidOperation
            value = Decimal(raw)
        except InvalidOperation:
            raise bad_request(f"参数 {name} 必须是数字（WGS84 经纬度）。") from None
        if not value.is_finite() or not -limit <= value <= limit:
            raise bad_request(f"参数 {name} 超出范围（-{limit} 到 {limit}）。")
        return value.quantize(Decimal("0.000001"))

    def jurisdiction(self) -> None:
        """`jurisdiction_id` is accepted everywhere; when the deployment names its own, another
        one is refused rather than silently answered for the wrong place."""
        given = self.text("jurisdiction_id", max_length=100)
        ours = settings.OPEN311_JURISDICTION_ID
        if given and ours and given != ours:
            raise bad_request(f"jurisdiction_id 无效：本接口只服务 {ours}。")


def parse_datetime(raw: str, name: str) -> dt.datetime:
    """ISO 8601 (`2024-05-01T08:00:00+08:00`, `…Z`, or a date); no offset means local time."""
    try:
        value = dt.datetime.fromisoformat(raw)
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        # Years near 1 or 9999 overflow once moved to UTC; refuse them here, not in the database.
        value.astimezone(dt.UTC)
    except (ValueError, OverflowError):
        raise bad_request(
            f"参数 {name} 不是有效的 ISO 8601 日期时间，例如 2024-05-01T08:00:00+08:00。"
        ) from None
    return value


def check_range(start: dt.datetime | None, end: dt.datetime | None, names: Iterable[str]) -> None:
    first, second = names
    if start is not None and end is not None:
        if start > end:
            raise bad_request(f"{first} 不能晚于 {second}。")
        if end - start > MAX_RANGE:
            raise bad_request(f"{first} 与 {second} 相差不能超过 90 天。")
