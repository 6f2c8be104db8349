"""One error shape for every refusal: ``{"error": {"code", "message", "field", "fields"}}``.

`code` is stable for programs; `message` is Chinese, for people. Ticket services raise
TicketActionError subclasses whose `code` maps to a status here; DRF's own exceptions
(validation, authentication, parsing) are reshaped into the same body.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from minsheng.tickets.errors import TicketActionError

ACTION_STATUS = {
    "invalid": status.HTTP_400_BAD_REQUEST,
    "invalid_state": status.HTTP_409_CONFLICT,
    "conflict": status.HTTP_409_CONFLICT,
    "forbidden": status.HTTP_403_FORBIDDEN,
}


class ApiError(exceptions.APIException):
    """A refusal of the API layer itself (idempotency, bad cursor), with its own code."""

    def __init__(self, status_code: int, code: str, message: str, field: str | None = None):
        super().__init__(detail=message, code=code)
        self.status_code = status_code
        self.error_code = code
        self.message = message
        self.field = field


def error_body(
    code: str, message: str, field: str | None = None, fields: dict[str, list[str]] | None = None
) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message, "field": field}
    if fields:
        error["fields"] = fields
    return {"error": error}


def _messages(detail: Any) -> list[str]:
    if isinstance(detail, dict):
        return [m for value in detail.values() for m in _messages(value)]
    if isinstance(detail, list):
        return [m for value in detail for m in _messages(value)]
    return [str(detail)]


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """{"assisting_units.1": ["…"]} from DRF's nested error detail."""
    if isinstance(detail, dict):
        out: dict[str, list[str]] = {}
        for name, value in detail.items():
            out.update(_flatten(value, f"{prefix}.{name}" if prefix else str(name)))
        return out
    if isinstance(detail, list) and any(isinstance(item, dict | list) for item in detail):
        out = {}
        for index, value in enumerate(detail):
            if value:
                out.update(_flatten(value, f"{prefix}.{index}" if prefix else str(index)))
        return out
    return {prefix or "non_field_errors": _messages(detail)}


def validation_body(detail: Any) -> dict[str, Any]:
    fields = _flatten(detail)
    first = next(iter(fields), None)
    field = None if first in (None, "non_field_errors") else first
    message = fields[first][0] if first is not None and fields[first] else _("请求内容有误。")
    if field is not None:
        message = f"{field}：{message}"
    return error_body("invalid", message, field, fields)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, TicketActionError):
        set_rollback()
        return Response(
            error_body(exc.code, exc.message, exc.field),
            status=ACTION_STATUS.get(exc.code, status.HTTP_400_BAD_REQUEST),
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None  # a bug: let Django answer 500 and log it
    set_rollback()
    headers: dict[str, str] = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header  # type: ignore[attr-defined]
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))  # type: ignore[attr-defined]
    if isinstance(exc, ApiError):
        body = error_body(exc.error_code, exc.message, exc.field)
    elif isinstance(exc, exceptions.ValidationError):
        body = validation_body(exc.detail)
    else:
        body = error_body(_code(exc), _message(exc))
    return Response(body, status=exc.status_code, headers=headers)


CODES: dict[type[exceptions.APIException], str] = {
    exceptions.NotAuthenticated: "unauthenticated",
    exceptions.AuthenticationFailed: "unauthenticated",
    exceptions.PermissionDenied: "forbidden",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.ParseError: "invalid",
    exceptions.Throttled: "throttled",
}

MESSAGES: dict[str, str] = {
    "unauthenticated": "请在请求头中提供有效的令牌：Authorization: Token <密钥>。",
    "forbidden": "您没有权限执行此操作。",
    "method_not_allowed": "不支持该请求方法。",
    "not_acceptable": "只能返回 JSON。",
    "unsupported_media_type": "请求体须为 JSON（Content-Type: application/json）。",
    "invalid": "请求体不是有效的 JSON。",
    "throttled": "请求过于频繁，请稍后再试。",
}


def _code(exc: exceptions.APIException) -> str:
    for cls, code in CODES.items():
        if isinstance(exc, cls):
            return code
    return "error"


def _message(exc: exceptions.APIException) -> str:
    code = _code(exc)
    if code == "unauthenticated" and isinstance(exc, exceptions.AuthenticationFailed):
        return str(exc.detail)  # our own Chinese reason (token revoked, malformed …)
    if code == "not_found":
        return _("未找到，或不在您的权限范围内。")
    return _(MESSAGES[code]) if code in MESSAGES else str(exc.detail)


# --- Schema components ----------------------------------------------------------------------


class ErrorDetailSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(help_text="invalid / invalid_state / conflict / forbidden / …")
    message = serializers.CharField(help_text="中文说明")
    field = serializers.CharField(allow_null=True, help_text="出错的字段（若有）")
    fields = serializers.DictField(  # type: ignore[assignment]  # a payload key named "fields"
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="各字段的错误（请求体校验失败时）",
    )


class ErrorSerializer(serializers.Serializer[Any]):
    error = ErrorDetailSerializer()
