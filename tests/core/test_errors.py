"""Error answers in the format of the interface asked, Chinese for people."""

from __future__ import annotations

from django.test import Client

from tests.conftest import People
from tests.tickets.test_views_ticket import login


def test_a_missing_page_is_a_chinese_page_in_the_site_frame(people: People, client: Client) -> None:
    login(client, people.operator)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "页面不存在" in html and "回到首页" in html and "<nav" in html


def test_a_missing_api_url_is_a_json_error(client: Client) -> None:
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_missing_open311_url_is_an_open311_error_list(client: Client) -> None:
    response = client.get("/open311/v2/nothing.xml")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/xml") or "xml" in response["Content-Type"]
    assert b"<errors>" in response.content
