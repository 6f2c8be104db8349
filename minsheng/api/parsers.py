"""The API's JSON parser: DRF's, with nesting refused as a 400 instead of a 500.

Nesting deeper than Python's recursion limit (`[[[[…` 2,000 deep) makes `json.loads` raise
RecursionError, which DRF does not catch; far less than that is already no body of this API.
(A NUL character inside a string is the serializers' to refuse, field by field: DRF's
CharField does.)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

# Far beyond any request body of this API (the deepest is a list inside an object).
MAX_DEPTH = 32


class SafeJSONParser(JSONParser):
    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(_("请求体嵌套过深。")) from exc
        check_json(data)
        return data


def check_json(data: Any) -> None:
    """Refuse a parsed body nested deeper than MAX_DEPTH."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > MAX_DEPTH:
                raise ParseError(_("请求体嵌套过深。"))
            items = value.items() if isinstance(value, dict) else enumerate(value)
            stack.extend((item, depth + 1) for _key, item in items)
