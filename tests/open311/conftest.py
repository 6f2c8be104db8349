"""Fixtures for the Open311 tests: the category tree, a client application with its key, a
service with attributes, and a small HTTP helper that speaks both formats."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from jsonschema import Draft7Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from minsheng.open311.models import ApiClient, ServiceAttribute
from minsheng.open311.services import client_create
from minsheng.tickets.catalogue import MESSAGE_BOARD_CSV, load_categories
from minsheng.tickets.models import Category
from tests.conftest import People

BASE = "/open311/v2/"
SCHEMAS = Path(__file__).resolve().parent / "schemas"
STREET_LIGHT = "城乡建设/城市建设和市政管理/城市公共设施"


def _schema(name: str) -> dict[str, Any]:
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))


REGISTRY: Registry = Registry().with_resources(
    (name, Resource.from_contents(_schema(name), default_specification=DRAFT7))
    for name in (
        "request.json",
        "requests.json",
        "service.json",
        "services.json",
        "service-definition.json",
    )
)


def parse_xml(content: bytes) -> ET.Element:
    """Parse our own response (trusted: the test wrote the data it reads back)."""
    return ET.fromstring(content)  # noqa: S314


def validate(body: Any, schema: str) -> None:
    """Validate against one of the spec's schemas, formats (date-time, uri) included."""
    Draft7Validator(_schema(schema), registry=REGISTRY, format_checker=FormatChecker()).validate(
        body
    )


@dataclass
class Api:
    """Calls /open311/v2/…; `json`/`xml` return the parsed body and check the content type."""

    http: Client
    key: str

    def get(self, path: str, **params: Any) -> Any:
        return self.http.get(BASE + path, params)

    def post(
        self, path: str, data: dict[str, Any] | None = None, *, key: bool = True, **extra: Any
    ) -> Any:
        body = dict(data or {})
        if key:
            body.setdefault("api_key", self.key)
        return self.http.post(BASE + path, body, **extra)

    @staticmethod
    def json(response: Any, status: int = 200) -> Any:
        assert response.status_code == status, response.content.decode()
        assert response["Content-Type"] == "application/json; charset=utf-8"
        return json.loads(response.content.decode("utf-8"))

    @staticmethod
    def xml(response: Any, status: int = 200) -> ET.Element:
        assert response.status_code == status, response.content.decode()
        assert response["Content-Type"] == "text/xml; charset=utf-8"
        assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
        return parse_xml(response.content)

    def errors(self, response: Any, status: int) -> list[dict[str, Any]]:
        """The spec's error list, with every code equal to the HTTP status."""
        body = self.json(response, status)
        assert isinstance(body, list) and body
        for error in body:
            assert set(error) == {"code", "description"}
            assert (
                error["code"] == status
                and isinstance(error["description"], str)
                and error["description"]
            )
        return body

    def xml_errors(self, response: Any, status: int) -> list[ET.Element]:
        root = self.xml(response, status)
        assert root.tag == "errors"
        errors = list(root)
        assert errors and all(e.tag == "error" for e in errors)
        for error in errors:
            assert [child.tag for child in error] == ["code", "description"]
            assert error.findtext("code") == str(status) and error.findtext("description")
        return errors


@pytest.fixture
def categories(db: None) -> None:
    load_categories(MESSAGE_BOARD_CSV)


@pytest.fixture
def street_light(categories: None) -> Category:
    """A service with one attribute of each kind worth testing."""
    category = Category.objects.get(full_name=STREET_LIGHT)
    ServiceAttribute.objects.create(
        category=category,
        code="pole",
        datatype="string",
        required=True,
        order=1,
        description="灯杆编号",
        datatype_description="灯杆上喷涂的编号",
    )
    ServiceAttribute.objects.create(
        category=category,
        code="fault",
        datatype="singlevaluelist",
        required=True,
        order=2,
        description="故障类型",
        values=[
            {"key": "dark", "name": "不亮"},
            {"key": "flicker", "name": "闪烁"},
            {"key": "daylight", "name": "白天亮"},
        ],
    )
    ServiceAttribute.objects.create(
        category=category,
        code="count",
        datatype="number",
        required=False,
        order=3,
        description="不亮的盏数",
    )
    ServiceAttribute.objects.create(
        category=category,
        code="since",
        datatype="datetime",
        required=False,
        order=4,
        description="开始时间",
    )
    ServiceAttribute.objects.create(
        category=category,
        code="nearby",
        datatype="multivaluelist",
        required=False,
        order=5,
        description="附近设施",
        values=[{"key": "school", "name": "学校"}, {"key": "market", "name": "集市"}],
    )
    ServiceAttribute.objects.create(
        category=category,
        code="notice",
        variable=False,
        datatype="text",
        required=False,
        order=6,
        description="紧急情况请拨打 110",
    )
    return category


@pytest.fixture
def app_client(people: People) -> tuple[ApiClient, str]:
    return client_create(name="城管通", rate_limit_per_minute=1000)


@pytest.fixture
def api(app_client: tuple[ApiClient, str], client: Client) -> Api:
    return Api(http=client, key=app_client[1])


def light_report(category: Category, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "service_code": str(category.pk),
        "lat": "35.951234",
        "long": "115.876543",
        "address_string": "孙口镇铭功路东段",
        "description": "铭功路东段路灯连续三晚不亮。夜间出行不便，请尽快修复。",
        "attribute[pole]": "MG-017",
        "attribute[fault]": "dark",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}
