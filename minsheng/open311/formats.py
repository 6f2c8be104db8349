"""The two output formats of GeoReport v2: JSON and XML, from the same Python values.

Every response body is a dict (one object, e.g. a service definition) or a list (services,
requests, errors). XML names follow the spec: the root (`services`, `service_requests`,
`service_definition`, `discovery`, `errors`), list items (`service`, `request`, `error`,
`attribute`, `value`, `endpoint`, `format`, `note`), and one element per field, empty for a
null. Text goes through ElementTree, which escapes markup; characters XML 1.0 cannot carry at
all (most C0 controls) are dropped, since an escaped form does not exist for them.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from typing import Any

from django.http import HttpResponse

FORMATS = ("json", "xml")
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'

# The element name of one item of each list, by the list's own name.
ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "notes": "note",
}

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _append(parent: ET.Element, name: str, value: Any) -> None:
    element = ET.SubElement(parent, name)
    _fill(element, name, value)


def _fill(element: ET.Element, name: str, value: Any) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _append(element, key, item)
    elif isinstance(value, list | tuple):
        item_name = ITEM_NAMES.get(name, "item")
        for item in value:
            _append(element, item_name, item)
    else:
        element.text = xml_text(value)


def to_xml(root: str, body: dict[str, Any] | list[Any]) -> bytes:
    element = ET.Element(root)
    _fill(element, root, body)
    return XML_DECLARATION + ET.tostring(element, encoding="unicode").encode("utf-8")


def to_json(body: dict[str, Any] | list[Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def render(
    body: dict[str, Any] | list[Any], fmt: str, *, root: str, status: int = 200
) -> HttpResponse:
    content = to_xml(root, body) if fmt == "xml" else to_json(body)
    response = HttpResponse(
        content, status=status, content_type=CONTENT_TYPES.get(fmt, CONTENT_TYPES["json"])
    )
    # Public data for any web page to read (city portals embed the feed).
    response["Access-Control-Allow-Origin"] = "*"
    return response


def render_errors(errors: list[tuple[int, str]], fmt: str, *, status: int) -> HttpResponse:
    body = [{"code": code, "description": description} for code, description in errors]
    return render(body, fmt, root="errors", status=status)
