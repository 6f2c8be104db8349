"""话务台: the operator takes a call; the helpers beside the form."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from minsheng.office.desk import match_places
from minsheng.org.models import Division
from minsheng.tickets.models import Category, Status, Ticket
from tests.conftest import People
from tests.factories import new_ticket
from tests.tickets.test_views_ticket import login

COUNTY = "410927000000"


@pytest.fixture
def places(db: None) -> dict[str, Division]:
    """A slice of 台前县: two townships, two villages."""
    rows = [
        ("410000000000", "河南省", 1, None),
        ("410900000000", "濮阳市", 2, "410000000000"),
        (COUNTY, "台前县", 3, "410900000000"),
        ("410927102000", "孙口镇", 4, COUNTY),
        ("410927102201", "前王集村", 5, "410927102000"),
        ("410927105000", "侯庙镇", 4, COUNTY),
        ("410927105202", "侯庙村", 5, "410927105000"),
    ]
    made = {}
    for code, name, level, parent in rows:
        made[name] = Division.objects.create(code=code, name=name, level=level, parent_id=parent)
    return made


def intake_data(**overrides: str) -> dict[str, str]:
    data = {
        "title": "路灯不亮",
        "description": "村口路灯三晚不亮。",
        "kind": "complaint",
        "urgency": "general",
        "channel": "hotline",
        "citizen_name": "李四",
        "citizen_phone": "13900139000",
        "affected_population": "1",
    }
    data.update(overrides)
    return data


def test_only_intake_roles_open_the_desk(people: People, client: Client) -> None:
    login(client, people.alice)
    assert client.get("/desk/new").status_code == 403
    assert client.post("/desk/new", intake_data()).status_code == 403
    assert not Ticket.objects.exists()
    client.logout()
    assert client.get("/desk/new").status_code == 302  # to the login page
    login(client, people.operator)
    html = client.get("/desk/new").content.decode()
    assert "话务台" in html and "智能分类建议" in html and "建议承办单位" in html
    assert "autofocus" in html


def test_the_operator_takes_a_call(
    people: People, places: dict[str, Division], client: Client
) -> None:
    category = Category.objects.create(name="路灯", level=1, full_name="城乡建设/路灯")
    login(client, people.operator)
    response = client.post(
        "/desk/new",
        intake_data(township="410927102000", village="410927102201", category=str(category.pk)),
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/tickets/{ticket.number}/"
    assert ticket.division == places["前王集村"] and ticket.category == category
    assert ticket.status == Status.NEW and ticket.citizen_phone == "13900139000"
    assert ticket.created_by == people.operator


def test_a_township_alone_is_the_place(
    people: People, places: dict[str, Division], client: Client
) -> None:
    login(client, people.operator)
    client.post("/desk/new", intake_data(township="410927105000"))
    assert Ticket.objects.get().division == places["侯庙镇"]


def test_bad_input_shows_chinese_errors_and_saves_nothing(
    people: People, places: dict[str, Division], client: Client
) -> None:
    login(client, people.operator)
    cases = [
        (intake_data(citizen_phone="12345"), "联系电话格式不正确"),
        (intake_data(title=""), "请填写标题"),
        (intake_data(kind=""), "请选择诉求类型"),
        (intake_data(citizen_id_number="410927199901011234"), "身份证号码不正确"),
        (intake_data(affected_population="0"), "涉及人数至少为 1"),
        (intake_data(affected_population="1_0"), "涉及人数应为整数"),  # int() reads 10
        (intake_data(affected_population="١٢"), "涉及人数应为整数"),
        (intake_data(township="410927105000", village="410927102201"), "不属于所选乡镇"),
        (intake_data(village="999999999999"), "村（社区）"),
    ]
    for data, message in cases:
        response = client.post("/desk/new", data)
        html = response.content.decode()
        assert response.status_code == 400, message
        assert message in html, message
        assert 'value="李四"' in html  # what was typed stays in the form
    assert not Ticket.objects.exists()


def test_the_phone_error_lands_on_the_phone_field(people: People, client: Client) -> None:
    login(client, people.operator)
    response = client.post("/desk/new", intake_data(citizen_phone="12345"))
    form = response.context["form"]
    assert (
        "citizen_phone" in form.errors and "联系电话格式不正确" in form.errors["citizen_phone"][0]
    )


def test_the_caller_is_prefilled_with_their_earlier_tickets(people: People, client: Client) -> None:
    earlier = new_ticket(people, title="上次反映的路灯")
    other = new_ticket(people, title="别人的事", citizen_phone="13700137000")
    login(client, people.operator)
    html = client.get("/desk/new?caller=138-0013-8000").content.decode()
    assert 'value="13800138000"' in html
    assert earlier.number in html and "上次反映的路灯" in html
    assert other.number not in html
    html = client.get("/desk/new?caller=not-a-phone").content.decode()
    assert "该号码没有历史工单" not in html  # no caller, no history panel


def test_places_match_names_and_pinyin_initials(
    people: People, places: dict[str, Division], client: Client
) -> None:
    assert [p.name for p in match_places("sk")] == ["孙口镇"]
    assert [p.name for p in match_places("qwj")] == ["前王集村"]
    assert [p.name for p in match_places("侯庙")] == ["侯庙镇", "侯庙村"]
    assert match_places("") == []
    login(client, people.operator)
    html = client.get("/desk/places?q=sk").content.decode()
    assert "孙口镇" in html and 'data-code="410927102000"' in html
    assert "没有匹配" in client.get("/desk/places?q=zzzz").content.decode()


def test_similar_open_tickets_of_the_place_are_merge_candidates(
    people: People, places: dict[str, Division], client: Client
) -> None:
    same = new_ticket(people, title="前王集村路灯", division=places["前王集村"])
    elsewhere = new_ticket(people, title="侯庙村路灯", division=places["侯庙村"])
    login(client, people.operator)
    html = client.get("/desk/similar?division=410927102000").content.decode()
    assert same.number in html and elsewhere.number not in html
    html = client.get("/desk/similar?division=bad&category=x").content.decode()
    assert same.number not in html


def test_the_suggested_unit_slot_answers_without_a_catalogue_entry(
    people: People, client: Client
) -> None:
    login(client, people.operator)
    response = client.get("/desk/unit?category=999&division=1")
    assert response.status_code == 200 and "选择分类与地点后显示" in response.content.decode()


def test_the_callers_history_follows_the_number_as_it_is_typed(
    people: People, client: Client
) -> None:
    earlier = new_ticket(people, title="上次反映的路灯")  # 138 0013 8000
    other = new_ticket(people, title="别人的事", citizen_phone="13700137000")
    login(client, people.operator)
    html = client.post("/desk/caller", {"phone": "138-0013-8000"}).content.decode()
    assert "13800138000" in html and earlier.number in html and "上次反映的路灯" in html
    assert other.number not in html
    html = client.post("/desk/caller", {"phone": "13900139000"}).content.decode()
    assert "该号码没有历史工单" in html and earlier.number not in html
    for partial in ["1380013", "", "not a phone", "1" * 500]:
        response = client.post("/desk/caller", {"phone": partial})
        assert response.status_code == 200
        assert "来电号码的历史工单显示在这里" in response.content.decode()
    # Posted only: a number in a URL would land in the access log.
    assert client.get("/desk/caller?phone=13800138000").status_code == 405


def test_the_callers_history_is_for_the_hotline_only(people: People, client: Client) -> None:
    new_ticket(people)
    assert client.post("/desk/caller", {"phone": "13800138000"}).status_code == 302  # to login
    login(client, people.alice)
    assert client.post("/desk/caller", {"phone": "13800138000"}).status_code == 403


def test_the_callers_history_costs_the_same_queries_for_one_or_many_tickets(
    people: People, client: Client
) -> None:
    login(client, people.operator)
    new_ticket(people)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.post("/desk/caller", {"phone": "13800138000"}).status_code == 200
        return len(captured)

    one = queries()
    for n in range(5):
        new_ticket(people, title=f"第{n}次来电")
    assert queries() == one


def test_the_desk_wires_the_phone_field_to_the_callers_history(
    people: People, client: Client
) -> None:
    login(client, people.operator)
    html = client.get("/desk/new").content.decode()
    assert 'id="caller-slot" data-url="/desk/caller"' in html
    assert "js/desk.js" in html and 'name="citizen_phone"' in html
    script = Path(finders.find("js/desk.js")).read_text(encoding="utf-8")  # type: ignore[arg-type]
    assert 'getElementById("caller-slot")' in script
    assert (
        'phone.addEventListener("input"' in script and 'phone.addEventListener("change"' in script
    )
