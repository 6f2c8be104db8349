"""The OpenAPI document and the docs pages: valid, complete, and usable without internet."""

from __future__ import annotations

import re
from io import StringIO

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client

from minsheng.api.actions import ACTIONS


def test_the_schema_generates_without_warnings_and_validates() -> None:
    out = StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    schema = yaml.safe_load(out.getvalue())
    assert schema["openapi"].startswith("3.")
    paths = set(schema["paths"])
    assert {
        "/api/v1/units/",
        "/api/v1/categories/",
        "/api/v1/tickets/",
        "/api/v1/tickets/{number}/",
    } <= paths
    for action in ACTIONS:
        assert f"/api/v1/tickets/{{number}}/{action.name}/" in paths
    assert schema["components"]["securitySchemes"]["tokenAuth"] == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": schema["components"]["securitySchemes"]["tokenAuth"]["description"],
    }


def test_the_schema_is_served_without_a_token(client: Client) -> None:
    response = client.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    assert response.json()["info"]["title"].startswith("民生")


@pytest.mark.parametrize("page", ["/api/v1/docs/", "/api/v1/redoc/"])
def test_the_docs_pages_load_nothing_from_outside_the_site(client: Client, page: str) -> None:
    response = client.get(page)
    assert response.status_code == 200
    html = response.content.decode()
    assert not re.search(r"(?i)(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", html), "external URL in page"
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
    assert assets, "the page should load its scripts from /static/"
    for asset in assets:
        assert finders.find(asset.removeprefix("/static/")), f"{asset} is not installed"
    assert "/api/v1/schema/" in html


def test_an_unknown_api_path_answers_in_json(client: Client) -> None:
    response = client.get("/api/v1/nothing/here/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
