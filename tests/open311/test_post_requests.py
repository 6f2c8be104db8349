"""POST requests: a posted form becomes a ticket through ticket_intake, or a clear 400/403."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from minsheng.open311.models import ApiClient, RequestAttributeValue, ServiceRequest
from minsheng.org.models import Division
from minsheng.tickets.models import Category, Ticket, TicketEvent
from tests.open311.conftest import Api, light_report

pytestmark = pytest.mark.django_db


def created(api: Api, data: dict[str, Any]) -> Ticket:
    body = api.json(api.post("requests.json", data))
    [item] = body
    assert set(item) == {"service_request_id", "service_notice", "account_id"}
    assert item["account_id"] is None and item["service_request_id"] in item["service_notice"]
    return Ticket.objects.select_related("open311").get(number=item["service_request_id"])


def test_a_posted_request_becomes_an_open311_ticket(
    api: Api, street_light: Category, app_client: tuple[ApiClient, str]
) -> None:
    data = light_report(
        street_light,
        first_name="三",
        last_name="张",
        phone="138 0013 8000",
        email="zhang@example.com",
        device_id="device-1",
        account_id="acct-9",
        media_url="https://img.example.com/1.jpg",
        **{
            "attribute[count]": "3",
            "attribute[nearby][]": ["school", "market"],
            "attribute[since]": "2024-05-01T19:00:00+08:00",
        },
    )
    ticket = created(api, data)
    client = app_client[0]
    assert ticket.channel == "open311" and ticket.kind == "complaint" and ticket.status == "new"
    assert ticket.category == street_light
    assert ticket.title == "铭功路东段路灯连续三晚不亮"
    assert ticket.citizen_name == "张三" and ticket.citizen_phone == "13800138000"
    assert ticket.address == "孙口镇铭功路东段"
    assert (ticket.lat, ticket.lng) == (Decimal("35.951234"), Decimal("115.876543"))
    assert ticket.created_by == client.user
    assert ticket.description.startswith(
        "铭功路东段路灯连续三晚不亮。夜间出行不便，请尽快修复。\n\n【属性】\n"
    )
    assert "灯杆编号：MG-017" in ticket.description and "故障类型：不亮" in ticket.description
    assert "附近设施：学校、集市" in ticket.description and "不亮的盏数：3" in ticket.description
    record = ticket.open311
    assert (record.client, record.email, record.device_id, record.account_id, record.media_url) == (
        client,
        "zhang@example.com",
        "device-1",
        "acct-9",
        "https://img.example.com/1.jpg",
    )
    values = {v.code: v.value for v in RequestAttributeValue.objects.filter(request=record)}
    assert values == {
        "pole": "MG-017",
        "fault": "dark",
        "count": "3",
        "nearby": ["school", "market"],
        "since": "2024-05-01T19:00:00+08:00",
    }
    intake = TicketEvent.objects.get(ticket=ticket, action="intake")
    assert intake.actor == client.user and intake.data == {"channel": "open311"}
    client.refresh_from_db()
    assert client.last_used_at is not None


def test_the_xml_response_names_the_request(api: Api, street_light: Category) -> None:
    root = api.xml(api.post("requests.xml", light_report(street_light)))
    assert root.tag == "service_requests"
    [request] = root
    assert request.tag == "request"
    assert [c.tag for c in request] == ["service_request_id", "service_notice", "account_id"]
    assert Ticket.objects.filter(number=request.findtext("service_request_id")).exists()


def test_the_ticket_kind_is_a_setting(api: Api, street_light: Category, settings: Any) -> None:
    settings.OPEN311_TICKET_KIND = "report"
    assert created(api, light_report(street_light)).kind == "report"


@pytest.mark.parametrize(
    ("description", "title"),
    [
        ("路灯不亮", "路灯不亮"),
        ("  路灯不亮！请修。", "路灯不亮"),
        ("Street light out. Please fix", "Street light out"),
        (
            "铭功路东段自南向北第三根至第九根路灯，连续三个晚上都不亮，附近是学校和集市，孩子们晚上放学回家时路上一片漆黑很不安全，请尽快派人修理。",
            "铭功路东段自南向北第三根至第九根路灯，连续三个晚上都不亮，附近是学校和集市，孩子们晚上放学回家时路上一片漆黑很不安全",
        ),
        ("甲" * 100, "甲" * 59 + "…"),
        ("", "城市公共设施"),
    ],
)
def test_the_title_is_the_first_sentence_within_60_characters(
    api: Api, street_light: Category, description: str, title: str
) -> None:
    ticket = created(api, light_report(street_light, description=description))
    assert ticket.title == title and len(ticket.title) <= 60


def test_a_request_without_description_or_answers_still_says_what_it_is(
    api: Api, categories: None
) -> None:
    leaf = Category.objects.get(full_name="城乡建设/安全生产/事故处理")
    ticket = created(api, {"service_code": str(leaf.pk), "address_string": "孙口镇"})
    assert ticket.description == "（通过应用反映“安全生产/事故处理”，未填写描述。）"
    assert ticket.title == "事故处理"


def test_address_id_is_a_division_code(api: Api, street_light: Category) -> None:
    Division.objects.create(code="410927102000", name="孙口镇", level=4)
    Division.objects.create(
        code="410927102201", name="孙口村委会", level=5, parent_id="410927102000"
    )
    ticket = created(
        api,
        light_report(
            street_light, lat=None, long=None, address_string=None, address_id="410927102201"
        ),
    )
    assert ticket.division_id == "410927102201" and ticket.lat is None
    assert ticket.open311.address_id == "410927102201"
    body = api.json(
        api.post("requests.json", light_report(street_light, address_id="410927999999")), 400
    )
    assert "address_id" in body[0]["description"]


def test_location_may_be_an_address_alone(api: Api, street_light: Category) -> None:
    ticket = created(api, light_report(street_light, lat=None, long=None))
    assert ticket.address == "孙口镇铭功路东段" and ticket.lat is None


def post_errors(api: Api, data: dict[str, Any], status: int = 400) -> list[str]:
    descriptions = [
        e["description"]
        for e in api.errors(api.post("requests.json", data, key="api_key" not in data), status)
    ]
    api.xml_errors(api.post("requests.xml", data, key="api_key" not in data), status)
    return descriptions


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"service_code": None}, "缺少参数 service_code"),
        ({"service_code": "999999"}, "service_code 999999 不存在"),
        ({"service_code": "abc"}, "service_code abc 不存在"),
        ({"lat": None, "long": None, "address_string": None}, "缺少位置"),
        ({"long": None}, "lat 和 long 需同时提供"),
        ({"lat": "91"}, "lat 超出范围"),
        ({"long": "-180.5"}, "long 超出范围"),
        ({"lat": "NaN"}, "lat 必须是数字"),
        ({"lat": "Infinity"}, "lat 必须是数字"),
        ({"lat": "北纬35度"}, "lat 必须是数字"),
        ({"description": "长" * 4001}, "description 不能超过 4000 个字符"),
        ({"description": "长" * 3990}, "description 与属性合计不能超过 4000 个字符"),
        ({"phone": "12345"}, "phone 格式不正确"),
        ({"phone": "138001380001"}, "phone 格式不正确"),
        ({"email": "not-an-email"}, "email 格式不正确"),
        ({"media_url": "javascript:alert(1)"}, "media_url 必须是 http 或 https 链接"),
        ({"media_url": "ftp://example.com/a.jpg"}, "media_url 必须是 http 或 https 链接"),
        ({"address_string": "路" * 201}, "address_string 不能超过 200 个字符"),
        ({"first_name": "名" * 26}, "first_name 不能超过 25 个字符"),
        ({"attribute[pole]": None}, "缺少必填属性 attribute[pole]"),
        ({"attribute[pole]": "  "}, "缺少必填属性 attribute[pole]"),
        ({"attribute[fault]": "broken"}, "属性 fault（故障类型）的选项无效"),
        ({"attribute[fault]": ["dark", "flicker"]}, "属性 fault（故障类型）只能有一个值"),
        ({"attribute[count]": "three"}, "属性 count（不亮的盏数）必须是数字"),
        ({"attribute[count]": "1e5"}, "属性 count（不亮的盏数）必须是数字"),
        ({"attribute[since]": "yesterday"}, "attribute[since] 不是有效的 ISO 8601 日期时间"),
        (
            {"attribute[nearby][]": ["school", "hospital"]},
            "属性 nearby（附近设施）的选项无效：hospital",
        ),
        ({"jurisdiction_id": "elsewhere.gov.cn"}, None),
    ],
)
def test_bad_parameters_are_400_with_a_clear_description(
    api: Api, street_light: Category, settings: Any, overrides: dict[str, Any], expected: str | None
) -> None:
    settings.OPEN311_JURISDICTION_ID = "taiqian.gov.cn"
    descriptions = post_errors(api, light_report(street_light, **overrides))
    assert any((expected or "jurisdiction_id 无效") in d for d in descriptions), descriptions
    assert not Ticket.objects.exists()


def test_every_problem_is_reported_at_once(api: Api, street_light: Category) -> None:
    descriptions = post_errors(
        api,
        light_report(
            street_light,
            phone="123",
            email="x",
            **{"attribute[pole]": None, "attribute[fault]": "no"},
        ),
    )
    assert len(descriptions) == 4


def test_the_matching_jurisdiction_and_unknown_attributes_are_accepted(
    api: Api, street_light: Category, settings: Any
) -> None:
    settings.OPEN311_JURISDICTION_ID = "taiqian.gov.cn"
    ticket = created(
        api,
        light_report(
            street_light, jurisdiction_id="taiqian.gov.cn", **{"attribute[colour]": "red"}
        ),
    )
    assert not RequestAttributeValue.objects.filter(request__ticket=ticket, code="colour").exists()


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        (None, "缺少 api_key"),
        ("", "缺少 api_key"),
        ("wrong-key", "api_key 无效"),
        ("k" * 5000, "api_key 无效"),
    ],
)
def test_a_missing_or_wrong_key_is_403(
    api: Api, street_light: Category, key: str | None, expected: str
) -> None:
    data = light_report(street_light)
    if key is not None:
        data["api_key"] = key
    else:
        data["api_key"] = []  # sends no api_key at all
    assert expected in post_errors(api, data, 403)[0]
    assert not Ticket.objects.exists()


def test_a_revoked_key_is_403(
    api: Api, street_light: Category, app_client: tuple[ApiClient, str]
) -> None:
    from minsheng.open311.services import client_revoke

    client_revoke(client=app_client[0])
    assert (
        "api_key 无效"
        in post_errors(api, {**light_report(street_light), "api_key": app_client[1]}, 403)[0]
    )


def test_the_key_is_checked_before_the_parameters(api: Api, categories: None) -> None:
    assert "api_key 无效" in post_errors(api, {"api_key": "nope"}, 403)[0]


def test_nothing_is_half_written_when_intake_refuses(
    api: Api, street_light: Category, app_client: tuple[ApiClient, str]
) -> None:
    from minsheng.org.models import RoleGrant

    RoleGrant.objects.filter(user=app_client[0].user).delete()  # the service account lost its role
    descriptions = post_errors(api, light_report(street_light), 403)
    assert "受理工单" in descriptions[0]
    assert not Ticket.objects.exists() and not ServiceRequest.objects.exists()


def test_only_get_and_post_are_allowed(api: Api, street_light: Category) -> None:
    response = api.http.put("/open311/v2/requests.json")
    api.errors(response, 405)
    assert response["Allow"] == "GET, HEAD, POST"
    api.errors(api.post("services.json", {}), 405)
    api.xml_errors(api.post("discovery.xml", {}), 405)
