"""The probe's bad inputs: NUL bytes, deep JSON, oversized bodies — a clear 4xx in the format of
the interface, never a 500 (issue 18, finding 6)."""

from __future__ import annotations

import json

import pytest
from django.test import Client, override_settings

from tests.conftest import People
from tests.tickets.test_views_ticket import login

NUL_PAGES = [
    "/tickets/a%00/",
    "/desk/similar?division=%00",
    "/stats/?unit=%00",
    "/tickets/?words=%00",
    "/tickets/?number=ab%00cd",
    "/deadlines/overdue/?unit=%00",
]


@pytest.mark.parametrize("url", NUL_PAGES)
def test_a_nul_byte_in_a_page_url_is_a_400_page(people: People, client: Client, url: str) -> None:
    login(client, people.operator)
    response = client.get(url)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "请求中含有无效字符" in response.content.decode()


@pytest.mark.parametrize("url", ["/api/v1/tickets/a%00/", "/api/v1/tickets/?unit=%00"])
def test_a_nul_byte_in_an_api_url_is_a_json_400(people: People, client: Client, url: str) -> None:
    login(client, people.operator)
    response = client.get(url)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert response.json()


def test_a_nul_byte_in_a_posted_form_is_refused(people: People, client: Client) -> None:
    login(client, people.operator)
    response = client.post("/desk/new", {"title": "路灯\x00不亮", "description": "x"})
    assert response.status_code == 400


def deep(n: int) -> str:
    return "[" * n + "]" * n


@pytest.mark.parametrize("url", ["/api/v1/tickets/", "/", "/h5/villages/", "/villages/"])
def test_a_nul_byte_in_the_session_cookie_is_no_session(
    people: People, client: Client, url: str
) -> None:
    """A forged session cookie with a NUL is treated as no cookie: PostgreSQL cannot compare
    the key (found by the API's schema fuzzing: a 500)."""
    response = client.get(url, HTTP_COOKIE="sessionid=abcdefgh\x00\x80\x80\x80ijkl; other=a\x00b")
    assert response.status_code < 500
    assert response.status_code in (200, 302, 401, 403)


def test_deeply_nested_json_is_a_json_400(people: People, client: Client) -> None:
    login(client, people.dispatcher)
    response = client.post("/api/v1/tickets/", deep(2000), content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"]


def test_a_nul_inside_json_is_a_json_400(people: People, client: Client) -> None:
    login(client, people.dispatcher)
    body = json.dumps({"title": "a\u0000b", "description": "x", "channel": "phone"})
    response = client.post("/api/v1/tickets/", body, content_type="application/json")
    assert response.status_code == 400
    assert "title" in response.json()["error"]["fields"]


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_an_oversized_api_body_is_a_json_413_or_400(people: People, client: Client) -> None:
    login(client, people.dispatcher)
    body = json.dumps({"title": "x" * 5000})
    response = client.post("/api/v1/tickets/", body, content_type="application/json")
    assert response.status_code in (400, 413)
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"]


QUIRKS = ["١٢", "1_0", "1e1", " NaN", "Infinity", "٣٥.٩"]


@pytest.mark.parametrize("value", QUIRKS)
def test_open311_refuses_numbers_python_would_accept(people: People, value: str) -> None:
    from minsheng.open311.services import client_create

    _client, key = client_create(name="probe")
    response = Client().post(
        "/open311/v2/requests.json",
        {"api_key": key, "service_code": "1", "lat": value, "long": "115.87", "description": "x"},
    )
    assert response.status_code == 400
    assert "lat" in response.content.decode()


@pytest.mark.parametrize("value", QUIRKS)
def test_the_api_refuses_numbers_python_would_accept(
    people: People, client: Client, value: str
) -> None:
    login(client, people.operator)
    body = json.dumps({"title": "路灯", "description": "不亮", "lat": value, "lng": "115.87"})
    response = client.post("/api/v1/tickets/", body, content_type="application/json")
    assert response.status_code == 400
    assert "lat" in response.json()["error"]["fields"]
