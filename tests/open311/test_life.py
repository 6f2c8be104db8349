"""Acceptance: a whole ticket life driven through the interfaces. An app posts through Open311;
the hotline and the unit work the ticket (here through the ticket services, which every
interface calls); the app sees it closed, with the reply as the status notes."""

from __future__ import annotations

import pytest

from minsheng.tickets import actions
from minsheng.tickets.models import Category, Ticket
from tests.conftest import People
from tests.open311.conftest import Api, light_report, validate

pytestmark = pytest.mark.django_db


def test_a_ticket_from_post_to_closed(api: Api, people: People, street_light: Category) -> None:
    posted = api.json(api.post("requests.json", light_report(street_light, phone="13800138000")))
    number = posted[0]["service_request_id"]

    [seen] = api.json(api.get(f"requests/{number}.json"))
    assert (seen["status"], seen["agency_responsible"], seen["status_notes"]) == (
        "open",
        None,
        None,
    )

    ticket = Ticket.objects.get(number=number)
    ticket = actions.ticket_dispatch(
        ticket=ticket, actor=people.dispatcher, lead_unit=people.org.sunkou
    )
    [seen] = api.json(api.get(f"requests/{number}.json"))
    assert (seen["status"], seen["agency_responsible"]) == ("open", "孙口镇人民政府")
    assert seen["expected_datetime"] is not None

    ticket = actions.ticket_sign(ticket=ticket, actor=people.alice)
    ticket = actions.ticket_contact(
        ticket=ticket, actor=people.alice, method="phone", note="已电话联系"
    )
    ticket = actions.ticket_reply(
        ticket=ticket,
        actor=people.alice,
        result="resolved",
        content="经查为线路老化，已于今日更换，路灯恢复照明。",
    )
    [seen] = api.json(api.get(f"requests/{number}.json"))
    assert seen["status"] == "open"  # replied, awaiting the callback
    assert seen["status_notes"] == "经查为线路老化，已于今日更换，路灯恢复照明。"

    actions.ticket_callback(
        ticket=ticket, actor=people.operator, reached=True, resolved=True, satisfaction="satisfied"
    )
    body = api.json(api.get("requests.json", service_request_id=number, extensions="true"))
    validate(body, "requests.json")
    [seen] = body
    assert seen["status"] == "closed"
    assert seen["status_notes"] == "经查为线路老化，已于今日更换，路灯恢复照明。"
    assert seen["updated_datetime"] >= seen["requested_datetime"]
    assert [n["summary"] for n in seen["notes"]] == ["受理", "派单", "签收", "答复"]
    assert number in [
        r["service_request_id"] for r in api.json(api.get("requests.json", status="closed"))
    ]

    root = api.xml(api.get(f"requests/{number}.xml"))
    assert root[0].findtext("status") == "closed"
    assert root[0].findtext("status_notes") == "经查为线路老化，已于今日更换，路灯恢复照明。"


def test_an_unsatisfied_callback_reopens_and_the_app_sees_it_open_again(
    api: Api, people: People, street_light: Category
) -> None:
    number = api.json(api.post("requests.json", light_report(street_light)))[0][
        "service_request_id"
    ]
    ticket = actions.ticket_dispatch(
        ticket=Ticket.objects.get(number=number),
        actor=people.dispatcher,
        lead_unit=people.org.sunkou,
    )
    ticket = actions.ticket_sign(ticket=ticket, actor=people.alice)
    ticket = actions.ticket_reply(
        ticket=ticket, actor=people.alice, result="resolved", content="已修复。"
    )
    ticket = actions.ticket_callback(
        ticket=ticket,
        actor=people.operator,
        reached=True,
        resolved=False,
        satisfaction="unsatisfied",
    )
    actions.ticket_reopen(ticket=ticket, actor=people.operator, note="群众反映仍不亮")
    [seen] = api.json(api.get(f"requests/{number}.json", extensions="true"))
    assert seen["status"] == "open" and seen["status_notes"] is None
    assert [n["type"] for n in seen["notes"]][-1] == "reopen"
    assert seen["notes"][-1]["description"] is None  # the reopen instructions are internal


def test_a_ticket_life_driven_only_through_the_apis(
    api: Api, people: People, street_light: Category
) -> None:
    """The same life with every step through an interface: Open311 in and out, the REST API
    (/api/v1/tickets/{number}/{action}/) for the hotline's and the unit's steps."""
    import json

    from django.test import Client

    from minsheng.api.tokens import token_create

    def act(user: object, number: str, action: str, body: dict[str, object]) -> dict[str, object]:
        key = token_create(user=user)[1]  # type: ignore[arg-type]
        response = Client().post(
            f"/api/v1/tickets/{number}/{action}/",
            json.dumps(body),
            content_type="application/json",
            headers={"Authorization": f"Token {key}"},
        )
        assert response.status_code == 200, (action, response.content.decode())
        return json.loads(response.content)  # type: ignore[no-any-return]

    number = api.json(api.post("requests.json", light_report(street_light, phone="13800138000")))[
        0
    ]["service_request_id"]
    assert (
        act(people.dispatcher, number, "dispatch", {"lead_unit": "sunkou"})["status"]
        == "dispatched"
    )
    [seen] = api.json(api.get(f"requests/{number}.json"))
    assert (seen["status"], seen["agency_responsible"]) == ("open", "孙口镇人民政府")
    act(people.alice, number, "sign", {})
    act(people.alice, number, "contact", {"method": "phone", "note": "已电话联系"})
    act(people.alice, number, "reply", {"result": "resolved", "content": "路灯已修复，恢复照明。"})
    closed = act(
        people.operator,
        number,
        "callback",
        {"reached": True, "resolved": True, "satisfaction": "satisfied"},
    )
    assert closed["status"] == "closed"

    [seen] = api.json(api.get(f"requests/{number}.json", extensions="true"))
    validate([seen], "requests.json")
    assert seen["status"] == "closed" and seen["status_notes"] == "路灯已修复，恢复照明。"
    assert [n["type"] for n in seen["notes"]] == ["intake", "dispatch", "sign", "reply"]
