"""GET requests and requests/{id}: tickets as public service requests, filtered and paged."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from minsheng.open311.models import ApiClient
from minsheng.tickets import actions
from minsheng.tickets.models import Category, Ticket
from tests import factories
from tests.conftest import People
from tests.open311.conftest import Api, light_report, validate

pytestmark = pytest.mark.django_db
CHINA = dt.timezone(dt.timedelta(hours=8))


def ids(body: list[dict[str, Any]]) -> list[str]:
    return [item["service_request_id"] for item in body]


def at(days_ago: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days_ago)


def ticket_at(people: People, when: dt.datetime, **overrides: Any) -> Ticket:
    with time_machine.travel(when, tick=False):
        return factories.new_ticket(people, **overrides)


def test_a_request_shows_the_ticket_in_open311_terms(
    api: Api, people: People, street_light: Category
) -> None:
    posted = api.json(
        api.post(
            "requests.json", light_report(street_light, media_url="https://img.example.com/1.jpg")
        )
    )
    number = posted[0]["service_request_id"]
    ticket = actions.ticket_dispatch(
        ticket=Ticket.objects.get(number=number),
        actor=people.dispatcher,
        lead_unit=people.org.sunkou,
    )
    [body] = api.json(api.get(f"requests/{number}.json"))
    validate([body], "requests.json")
    assert body == {
        "service_request_id": number,
        "status": "open",
        "status_notes": None,
        "service_name": "城市建设和市政管理/城市公共设施",
        "service_code": str(street_light.pk),
        "description": ticket.description,
        "agency_responsible": "孙口镇人民政府",
        "service_notice": None,
        "requested_datetime": timezone.localtime(ticket.created_at).isoformat(timespec="seconds"),
        "updated_datetime": timezone.localtime(ticket.updated_at).isoformat(timespec="seconds"),
        "expected_datetime": timezone.localtime(ticket.reply_due).isoformat(timespec="seconds"),
        # Not marked a public place: no address as given, coordinates to about 100 m
        # (tests/open311/test_privacy.py, "place").
        "address": None,
        "address_id": None,
        "zipcode": None,
        "lat": 35.951,
        "long": 115.877,
        "media_url": "https://img.example.com/1.jpg",
    }
    assert body["requested_datetime"].endswith("+08:00")
    assert ticket.reply_due is not None
    assert dt.datetime.fromisoformat(body["expected_datetime"]) == ticket.reply_due.replace(
        microsecond=0
    )


def test_the_xml_request_uses_the_spec_element_names(api: Api, people: People) -> None:
    ticket = factories.new_ticket(people)
    root = api.xml(api.get(f"requests/{ticket.number}.xml"))
    assert root.tag == "service_requests"
    [request] = root
    assert request.tag == "request"
    assert [c.tag for c in request] == [
        "service_request_id",
        "status",
        "status_notes",
        "service_name",
        "service_code",
        "description",
        "agency_responsible",
        "service_notice",
        "requested_datetime",
        "updated_datetime",
        "expected_datetime",
        "address",
        "address_id",
        "zipcode",
        "lat",
        "long",
        "media_url",
    ]
    assert request.findtext("service_request_id") == ticket.number
    assert request.findtext("status") == "open" and request.findtext("status_notes") == ""


def test_status_maps_to_open_and_closed(api: Api, people: People) -> None:
    new = factories.new_ticket(people)
    replied = factories.replied(people)
    closed = actions.ticket_callback(
        ticket=factories.replied(people),
        actor=people.operator,
        reached=True,
        resolved=True,
        satisfaction="satisfied",
    )
    transferred = actions.ticket_emergency_transfer(
        ticket=factories.new_ticket(people), actor=people.operator, to="119"
    )
    master = factories.dispatched(people)
    merged = actions.ticket_merge(
        ticket=factories.new_ticket(people), actor=people.dispatcher, master=master
    )
    statuses = {item["service_request_id"]: item for item in api.json(api.get("requests.json"))}
    assert {
        n: statuses[n]["status"] for n in (new.number, replied.number, master.number, merged.number)
    } == dict.fromkeys((new.number, replied.number, master.number, merged.number), "open")
    assert statuses[closed.number]["status"] == "closed"
    assert statuses[closed.number]["status_notes"] == "已更换灯泡。"
    assert statuses[transferred.number]["status"] == "closed"
    assert statuses[transferred.number]["status_notes"] == "已转 119 处理。"
    assert statuses[merged.number]["status_notes"] == "与其他相同诉求合并办理。"
    # The merged ticket closes with its master.
    actions.ticket_reply(
        ticket=actions.ticket_contact(
            ticket=actions.ticket_sign(ticket=master, actor=people.alice),
            actor=people.alice,
            method="phone",
        ),
        actor=people.alice,
        result="resolved",
        content="已修复。",
    )
    actions.ticket_callback(
        ticket=master, actor=people.operator, reached=True, resolved=True, satisfaction="satisfied"
    )
    [after] = api.json(api.get(f"requests/{merged.number}.json"))
    assert after["status"] == "closed" and after["status_notes"] == "已修复。"

    assert set(ids(api.json(api.get("requests.json", status="closed")))) == {
        closed.number,
        transferred.number,
        master.number,
        merged.number,
    }
    assert set(ids(api.json(api.get("requests.json", status="open")))) == {
        new.number,
        replied.number,
    }
    assert len(api.json(api.get("requests.json", status="open,closed"))) == 6


def test_a_ticket_without_category_still_validates(api: Api, people: People) -> None:
    ticket = factories.new_ticket(people)
    [body] = api.json(api.get(f"requests/{ticket.number}.json"))
    validate([body], "requests.json")
    assert body["service_code"] == "" and body["service_name"] is None and body["lat"] is None


def test_the_default_window_is_the_last_90_days_newest_first(api: Api, people: People) -> None:
    old = ticket_at(people, at(120))
    middle = ticket_at(people, at(30))
    recent = ticket_at(people, at(1))
    body = api.json(api.get("requests.json"))
    validate(body, "requests.json")
    assert ids(body) == [recent.number, middle.number]
    # Asking for it by number finds the old one: service_request_id overrides the dates.
    assert ids(
        api.json(api.get("requests.json", service_request_id=f"{old.number},{recent.number},nope"))
    ) == [
        recent.number,
        old.number,
    ]


def test_start_and_end_dates_choose_the_requested_window(api: Api, people: People) -> None:
    old = ticket_at(people, at(120))
    middle = ticket_at(people, at(30))
    ticket_at(people, at(1))
    start = (at(125)).astimezone(CHINA).isoformat(timespec="seconds")
    end = (at(40)).astimezone(CHINA).isoformat(timespec="seconds")
    assert ids(api.json(api.get("requests.json", start_date=start, end_date=end))) == [old.number]
    # Only a start: 90 days from it. Only an end: 90 days up to it. "Z" and dates work too.
    assert ids(api.json(api.get("requests.json", start_date=start))) == [old.number]
    assert ids(
        api.json(api.get("requests.json", end_date=at(10).strftime("%Y-%m-%dT%H:%M:%SZ")))
    ) == [middle.number]
    assert middle.number in ids(
        api.json(api.get("requests.json", start_date=at(60).date().isoformat()))
    )


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            {"start_date": "2024-01-01T00:00:00+08:00", "end_date": "2024-06-01T00:00:00+08:00"},
            "相差不能超过 90 天",
        ),
        (
            {"start_date": "2024-02-01T00:00:00Z", "end_date": "2024-01-01T00:00:00Z"},
            "start_date 不能晚于 end_date",
        ),
        ({"start_date": "yesterday"}, "start_date 不是有效的 ISO 8601"),
        ({"end_date": "2024-13-01"}, "end_date 不是有效的 ISO 8601"),
        ({"start_date": "0001-01-01T00:00:00+14:00"}, "start_date 不是有效的 ISO 8601"),
        (
            {"updated_after": "2024-02-01", "updated_before": "2024-01-01"},
            "updated_after 不能晚于 updated_before",
        ),
        ({"updated_after": "2024-02-30"}, "updated_after 不是有效的 ISO 8601"),
        ({"status": "pending"}, "status 只能是 open 或 closed"),
        ({"status": "open,closed,open,x"}, "status 最多 2 项"),
        ({"service_code": "abc"}, "service_code 无效"),
        ({"service_code": "1,2,-3"}, "service_code 无效"),
        ({"page": "0"}, "page 应在 1 到 10000 之间"),
        ({"page": "10001"}, "page 应在 1 到 10000 之间"),
        ({"page": "9" * 200}, "page 不能超过 12 个字符"),
        ({"page": "-1"}, "page 必须是整数"),
        ({"page_size": "201"}, "page_size 应在 1 到 200 之间"),
        ({"page_size": "五十"}, "page_size 必须是整数"),
        ({"extensions": "maybe"}, "extensions 只能是 true 或 false"),
        (
            {"service_request_id": ",".join(str(n) for n in range(201))},
            "service_request_id 最多 200 项",
        ),
        ({"jurisdiction_id": "elsewhere"}, "jurisdiction_id 无效"),
    ],
)
def test_bad_query_parameters_are_400(
    api: Api, people: People, settings: Any, params: dict[str, str], expected: str
) -> None:
    settings.OPEN311_JURISDICTION_ID = "taiqian.gov.cn"
    [error] = api.errors(api.get("requests.json", **params), 400)
    assert expected in error["description"], error
    api.xml_errors(api.get("requests.xml", **params), 400)


def test_filters_by_service_code(api: Api, people: People, street_light: Category) -> None:
    other = Category.objects.get(full_name="城乡建设/安全生产/事故处理")
    lit = factories.new_ticket(people, category=street_light)
    factories.new_ticket(people, category=other)
    assert ids(api.json(api.get("requests.json", service_code=str(street_light.pk)))) == [
        lit.number
    ]
    assert (
        len(api.json(api.get("requests.json", service_code=f"{street_light.pk},{other.pk}"))) == 2
    )
    assert api.json(api.get("requests.json", service_code="999999")) == []


def test_updated_after_and_before_find_recently_changed_tickets(api: Api, people: People) -> None:
    old = ticket_at(people, at(200))
    ticket_at(people, at(100))
    with time_machine.travel(at(2), tick=False):
        actions.ticket_dispatch(ticket=old, actor=people.dispatcher, lead_unit=people.org.sunkou)
    since = at(3).isoformat()
    # No requested-date window when only the updated window is given: the 200-day-old ticket
    # changed two days ago, and a syncing client must see it.
    assert ids(api.json(api.get("requests.json", updated_after=since))) == [old.number]
    assert old.number not in ids(api.json(api.get("requests.json", updated_before=since)))
    assert ids(api.json(api.get("requests.json", updated_after=at(1).isoformat()))) == []


def test_pages(api: Api, people: People) -> None:
    numbers = [ticket_at(people, at(10 - i)).number for i in range(5)]
    newest_first = list(reversed(numbers))
    assert ids(api.json(api.get("requests.json", page_size="2"))) == newest_first[:2]
    assert ids(api.json(api.get("requests.json", page_size="2", page="3"))) == newest_first[4:]
    assert api.json(api.get("requests.json", page_size="2", page="4")) == []
    assert ids(api.json(api.get("requests.json"))) == newest_first


def test_the_default_page_holds_50(api: Api, people: People) -> None:
    for _ in range(51):
        factories.new_ticket(people)
    assert len(api.json(api.get("requests.json"))) == 50
    assert len(api.json(api.get("requests.json", page="2"))) == 1


def test_extensions_add_the_public_notes(api: Api, people: People) -> None:
    ticket = factories.replied(people)
    [body] = api.json(api.get(f"requests/{ticket.number}.json", extensions="true"))
    validate([body], "requests.json")
    notes = body["notes"]
    assert [n["type"] for n in notes] == ["intake", "dispatch", "sign", "reply"]
    assert [n["summary"] for n in notes] == ["受理", "派单", "签收", "答复"]
    assert notes[1]["description"] == "交由孙口镇人民政府办理。"
    assert notes[3]["description"] == "已更换灯泡。"
    assert notes[0]["description"] is None
    assert all(n["datetime"].endswith("+08:00") for n in notes)
    # Internal events (contact with the citizen) are not public.
    assert "contact" not in [n["type"] for n in notes]
    [plain] = api.json(api.get(f"requests/{ticket.number}.json"))
    assert "notes" not in plain

    root = api.xml(api.get("requests.xml", extensions="true"))
    notes_xml = root[0].find("notes")
    assert notes_xml is not None and [n.tag for n in notes_xml] == ["note"] * 4
    assert [c.tag for c in notes_xml[0]] == ["datetime", "type", "summary", "description"]


def test_the_list_costs_one_query_and_two_with_notes_however_many_tickets(
    api: Api,
    people: People,
    street_light: Category,
    app_client: tuple[ApiClient, str],
    django_assert_num_queries: Any,
) -> None:
    for _ in range(2):
        api.post("requests.json", light_report(street_light))
        factories.replied(people, category=street_light)
    with django_assert_num_queries(1):
        small = api.json(api.get("requests.json"))
    with django_assert_num_queries(2):
        api.json(api.get("requests.json", extensions="true"))
    for _ in range(4):
        api.post("requests.json", light_report(street_light))
        factories.replied(people, category=street_light)
    with django_assert_num_queries(1):
        large = api.json(api.get("requests.json"))
    with django_assert_num_queries(2):
        with_notes = api.json(api.get("requests.json", extensions="true"))
    assert len(large) == 3 * len(small) == 12
    assert all(item["notes"] for item in with_notes)
    with django_assert_num_queries(2):
        api.get(f"requests/{large[0]['service_request_id']}.json", extensions="true")


def test_confidential_tickets_are_never_public(api: Api, people: People) -> None:
    secret = factories.new_ticket(people, confidential=True)
    assert api.json(api.get("requests.json")) == []
    assert api.json(api.get("requests.json", service_request_id=secret.number)) == []
    api.errors(api.get(f"requests/{secret.number}.json"), 404)


@pytest.mark.parametrize("number", ["2405010001", "x" * 100, "%00", "中文"])
def test_an_unknown_request_is_404_in_both_formats(api: Api, people: People, number: str) -> None:
    api.errors(api.get(f"requests/{number}.json"), 404)
    api.xml_errors(api.get(f"requests/{number}.xml"), 404)


def test_tokens_are_never_issued_so_every_token_is_404(api: Api, people: People) -> None:
    [error] = api.errors(api.get("tokens/12345.json"), 404)
    assert "service_request_id" in error["description"]
    api.xml_errors(api.get("tokens/abc.xml"), 404)


@pytest.mark.parametrize(
    "path", ["requests", "requests.csv", "services.html", "nothing.json", "requests/1/2.json"]
)
def test_unknown_paths_are_404_in_the_spec_format(api: Api, path: str) -> None:
    api.errors(api.get(path), 404)
    api.errors(api.post(path, {}), 404)


def test_unknown_xml_paths_answer_in_xml(api: Api) -> None:
    api.xml_errors(api.get("nothing.xml"), 404)
