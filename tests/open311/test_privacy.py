"""No personal data in any public response: not the reporter's phone, e-mail, name or ID
number, neither from the structured fields nor from the free text."""

from __future__ import annotations

from typing import Any

import pytest

from minsheng.tickets import actions
from minsheng.tickets.models import Category, Ticket
from tests.conftest import People
from tests.open311.conftest import Api, light_report, parse_xml

pytestmark = pytest.mark.django_db

PHONE, EMAIL, ID_NUMBER, NAME = "13912345678", "wangxm@example.com", "11010519491231002X", "王小明"
LANDLINE = "0393-5123456"
SECRETS = (PHONE, "139 1234 5678", EMAIL, ID_NUMBER, NAME, LANDLINE, "5123456", "wangxm")
MASKED = ("139****5678", "w***@example.com", "1101**********002X", "王**")


def public_bodies(api: Api, number: str) -> list[str]:
    """Every public representation of the ticket, in both formats, with and without notes."""
    bodies = []
    for fmt in ("json", "xml"):
        for params in ({}, {"extensions": "true"}):
            for path in (f"requests/{number}.{fmt}", f"requests.{fmt}"):
                response = api.get(path, **params)
                assert response.status_code == 200
                bodies.append(response.content.decode("utf-8"))
    return bodies


def test_nothing_personal_leaves_through_open311(
    api: Api, people: People, street_light: Category
) -> None:
    description = (
        f"我叫{NAME}，电话 {PHONE}，身份证 {ID_NUMBER}，邮箱 {EMAIL}。铭功路路灯不亮，"
        f"也可打我家座机 {LANDLINE}。"
    )
    data = light_report(
        street_light,
        description=description,
        first_name="小明",
        last_name="王",
        phone=PHONE,
        email=EMAIL,
        address_string=f"孙口镇铭功路 {NAME}家门口",
        **{"attribute[pole]": f"联系 {PHONE}"},
    )
    number = api.json(api.post("requests.json", data))[0]["service_request_id"]
    ticket = Ticket.objects.get(number=number)
    assert ticket.citizen_phone == PHONE and ticket.citizen_name == NAME  # the hotline has them

    ticket = actions.ticket_dispatch(
        ticket=ticket, actor=people.dispatcher, lead_unit=people.org.sunkou
    )
    ticket = actions.ticket_sign(ticket=ticket, actor=people.alice)
    ticket = actions.ticket_progress(
        ticket=ticket, actor=people.alice, public=True, note=f"已与{NAME}（{PHONE}）约定明早查看。"
    )
    ticket = actions.ticket_contact(
        ticket=ticket, actor=people.alice, method="phone", note=f"拨打 {PHONE}"
    )
    actions.ticket_reply(
        ticket=ticket,
        actor=people.alice,
        result="resolved",
        content=f"{NAME}您好：路灯已修复。如有问题请联系 {EMAIL} 或 {PHONE}。",
    )

    bodies = public_bodies(api, number)
    for body in bodies:
        for secret in SECRETS:
            assert secret not in body, (secret, body[:300])
    joined = "\n".join(bodies)
    for masked in MASKED:
        assert masked in joined, masked
    assert "0393-****3456" in joined
    assert "王**您好：路灯已修复" in joined  # the reply is the status note, masked


def test_reporter_fields_never_appear_even_when_not_in_the_text(
    api: Api, street_light: Category
) -> None:
    data = light_report(
        street_light,
        first_name="小明",
        last_name="王",
        phone=PHONE,
        email=EMAIL,
        device_id="imei-1",
        account_id="acct-7",
    )
    number = api.json(api.post("requests.json", data))[0]["service_request_id"]
    for body in public_bodies(api, number):
        for secret in (*SECRETS, "imei-1", "acct-7"):
            assert secret not in body
    [item] = api.json(api.get(f"requests/{number}.json", extensions="true"))
    assert not {"email", "phone", "first_name", "last_name", "device_id", "account_id"} & set(item)


def test_a_mask_never_pushes_the_description_over_4000(api: Api, people: People) -> None:
    from tests import factories

    # Short e-mails get longer when masked (a@b.cn → a***@b.cn).
    text = ("a@b.cn " * 571)[:3997]
    ticket = factories.new_ticket(people, description=text)
    [item] = api.json(api.get(f"requests/{ticket.number}.json"))
    assert len(item["description"]) == 4000 and item["description"].endswith("…")
    assert "a@b.cn" not in item["description"]


def test_control_characters_are_dropped_and_markup_is_escaped(
    api: Api, people: People, street_light: Category
) -> None:
    data: dict[str, Any] = light_report(
        street_light, description="路灯<b>不亮</b> & \x01\x0b坏了 ]]> \"'"
    )
    number = api.json(api.post("requests.json", data))[0]["service_request_id"]
    assert Ticket.objects.get(number=number).description.startswith(
        "路灯<b>不亮</b> & 坏了 ]]> \"'"
    )
    from tests import factories

    raw = factories.new_ticket(people, description="热线录入\x02的\x1f控制符<x>")
    for n in (number, raw.number):
        response = api.get(f"requests/{n}.xml")
        root = parse_xml(response.content)
        text = root[0].findtext("description") or ""
        assert "<b>" in text or "<x>" in text
    assert "控制符<x>" in (
        parse_xml(api.get(f"requests/{raw.number}.xml").content)[0].findtext("description") or ""
    )


def test_the_place_of_a_home_is_published_as_its_village_and_about_100_m(
    api: Api, people: People
) -> None:
    from decimal import Decimal

    from minsheng.org.models import Division

    village = Division.objects.create(
        code="410927105201", name="孙口村委会", level=Division.Level.VILLAGE
    )
    ticket = actions.ticket_intake(
        actor=people.operator,
        channel="hotline",
        kind="complaint",
        title="门前污水外溢",
        description="家门口下水道堵塞。",
        division=village,
        address="孙口镇孙口村3组12号",
        lat=Decimal("35.951234"),
        lng=Decimal("115.876543"),
    )
    [body] = api.json(api.get(f"requests/{ticket.number}.json"))
    assert body["address"] == "孙口村委会" and "12号" not in str(body)
    assert (body["lat"], body["long"]) == (35.951, 115.877)


def test_a_public_place_marked_by_the_operator_is_published_as_given(
    api: Api, people: People
) -> None:
    from decimal import Decimal

    ticket = actions.ticket_intake(
        actor=people.operator,
        channel="hotline",
        kind="complaint",
        title="路灯不亮",
        description="铭功路东段路灯不亮。",
        address="孙口镇铭功路东段",
        address_public=True,
        lat=Decimal("35.951234"),
        lng=Decimal("115.876543"),
    )
    [body] = api.json(api.get(f"requests/{ticket.number}.json"))
    assert body["address"] == "孙口镇铭功路东段"
    assert (body["lat"], body["long"]) == (35.951234, 115.876543)
