"""GET /tickets/ (scope, filters, cursor pagination, query count), POST /tickets/ (intake) and
GET /tickets/{number}/ (detail, confidentiality)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from minsheng.org.models import Division
from minsheng.tickets.models import Category, Ticket
from tests.api.conftest import INTAKE, Apis, error_code
from tests.conftest import People
from tests.factories import dispatched, new_ticket


def _numbers(answer: Any) -> list[str]:
    assert answer.status == 200, answer.body
    return [t["number"] for t in answer.body["results"]]


# --- Scope ----------------------------------------------------------------------------------


def test_units_see_only_tickets_given_to_their_subtree(apis: Apis, people: People) -> None:
    ours = dispatched(people)
    theirs = new_ticket(people)
    assert _numbers(apis.alice.get("tickets/")) == [ours.number]
    assert _numbers(apis.bob.get("tickets/")) == []
    assert set(_numbers(apis.operator.get("tickets/"))) == {ours.number, theirs.number}
    assert apis.bob.get(f"tickets/{ours.number}/").status == 404
    assert error_code(apis.bob.get(f"tickets/{ours.number}/")) == "not_found"


def test_an_unknown_ticket_is_404(apis: Apis) -> None:
    assert apis.operator.get("tickets/991231999999/").status == 404


# --- Filters --------------------------------------------------------------------------------


def test_it_filters_by_status_unit_and_updated_after(apis: Apis, people: People) -> None:
    start = timezone.now()
    with time_machine.travel(start - dt.timedelta(hours=2), tick=False):
        old = new_ticket(people)
    with time_machine.travel(start, tick=False):
        sent = dispatched(people)
    assert _numbers(apis.operator.get("tickets/", {"status": "new"})) == [old.number]
    assert _numbers(apis.operator.get("tickets/", {"unit": "sunkou"})) == [sent.number]
    assert _numbers(apis.operator.get("tickets/", {"unit": "houmiao"})) == []
    after = (start - dt.timedelta(hours=1)).isoformat()
    assert _numbers(apis.operator.get("tickets/", {"updated_after": after})) == [sent.number]


def test_it_filters_by_category_with_its_descendants(apis: Apis, people: People) -> None:
    root = Category.objects.create(name="城乡建设", level=1, full_name="城乡建设")
    leaf = Category.objects.create(name="路灯", level=2, parent=root, full_name="城乡建设/路灯")
    other = Category.objects.create(name="城乡建设局", level=1, full_name="城乡建设局")
    in_root = new_ticket(people, category=root)
    in_leaf = new_ticket(people, category=leaf)
    new_ticket(people, category=other)
    assert set(_numbers(apis.operator.get("tickets/", {"category": root.pk}))) == {
        in_root.number,
        in_leaf.number,
    }
    assert _numbers(apis.operator.get("tickets/", {"category": leaf.pk})) == [in_leaf.number]
    assert _numbers(apis.operator.get("tickets/", {"category": 999999})) == []


def test_it_filters_by_division_prefix(apis: Apis, people: People) -> None:
    county = Division.objects.create(code="410927000000", name="台前县", level=3)
    town = Division.objects.create(code="410927102000", name="孙口镇", level=4, parent=county)
    village = Division.objects.create(code="410927102201", name="孙口村", level=5, parent=town)
    elsewhere = Division.objects.create(code="410927103000", name="侯庙镇", level=4, parent=county)
    in_town = new_ticket(people, division=town)
    in_village = new_ticket(people, division=village)
    in_other = new_ticket(people, division=elsewhere)
    for code in ("410927102000", "410927102"):
        assert set(_numbers(apis.operator.get("tickets/", {"division": code}))) == {
            in_town.number,
            in_village.number,
        }
    assert len(_numbers(apis.operator.get("tickets/", {"division": "410927"}))) == 3
    assert _numbers(apis.operator.get("tickets/", {"division": "410927103"})) == [in_other.number]


@pytest.mark.parametrize(
    "params",
    [
        {"status": "lost"},
        {"category": "abc"},
        {"category": "0"},
        {"category": str(10**30)},
        {"unit": "孙口"},
        {"updated_after": "yesterday"},
        {"updated_after": "0001-01-01T00:00:00"},
        {"updated_after": "9999-12-31T23:59:59-12:00"},
        {"updated_after": "1900-01-01T00:00:00Z"},
        {"division": "41092"},
        {"division": "abc"},
        {"cursor": "not-a-cursor"},
        {"cursor": "MjAyNC0wMS0wMXww"},
        {"page_size": "0"},
        {"page_size": "1000"},
        {"page_size": "1_0"},  # int() reads "1_0" as 10 and "١٢" as 12
        {"page_size": "١٢"},
        {"category": "1_0"},
        {"unit": "a\x00b"},
    ],
)
def test_it_refuses_bad_parameters_with_400(
    apis: Apis, people: People, params: dict[str, str]
) -> None:
    answer = apis.operator.get("tickets/", params)
    assert answer.status == 400, answer.body
    assert error_code(answer) == "invalid"
    assert answer.body["error"]["field"] == next(iter(params))


# --- Cursor pagination ----------------------------------------------------------------------


def test_the_cursor_walks_every_ticket_once_in_update_order(apis: Apis, people: People) -> None:
    start = timezone.now()
    made = []
    for minutes in (5, 4, 3, 2, 1):
        with time_machine.travel(start - dt.timedelta(minutes=minutes), tick=False):
            made.append(new_ticket(people).number)
    with time_machine.travel(start - dt.timedelta(minutes=3), tick=False):
        made.append(
            new_ticket(people).number
        )  # the same updated_at as the third: id breaks the tie
    expected = [t.number for t in Ticket.objects.order_by("updated_at", "id")]

    seen: list[str] = []
    page = apis.operator.get("tickets/", {"page_size": 2})
    pages = 1
    while True:
        seen += _numbers(page)
        if page.body["next_cursor"] is None:
            assert page.body["next"] is None
            break
        assert page.body["next"].startswith("http://testserver/api/v1/tickets/?")
        page = apis.operator.get("tickets/", {"page_size": 2, "cursor": page.body["next_cursor"]})
        pages += 1
    assert seen == expected and sorted(seen) == sorted(made)
    assert pages == 3


def test_a_ticket_that_changes_while_paging_comes_again_at_the_end(
    apis: Apis, people: People
) -> None:
    first, second = new_ticket(people), new_ticket(people)
    page = apis.operator.get("tickets/", {"page_size": 1})
    assert _numbers(page) == [first.number]
    apis.dispatcher.act(first.number, "dispatch", {"lead_unit": "sunkou"})
    rest = apis.operator.get("tickets/", {"page_size": 10, "cursor": page.body["next_cursor"]})
    assert _numbers(rest) == [second.number, first.number]


def test_the_list_costs_a_fixed_number_of_queries(apis: Apis, people: People) -> None:
    """No N+1: category, division and lead unit come in the list's own query."""
    category = Category.objects.create(name="路灯", level=1, full_name="路灯")
    division = Division.objects.create(code="410927102000", name="孙口镇", level=4)
    for _ in range(3):
        dispatched(people, category=category, division=division)
    apis.alice.get("tickets/")  # the token's last use is written once; not part of the count

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            answer = apis.alice.get("tickets/", {"page_size": 50})
        assert answer.status == 200
        return len(queries)

    few = count()
    for _ in range(7):
        dispatched(people, category=category, division=division)
    assert count() == few
    # token + user, roles, the page
    assert few == 3


# --- Intake ---------------------------------------------------------------------------------


def test_an_operator_takes_a_ticket_with_every_field(apis: Apis, people: People) -> None:
    category = Category.objects.create(name="路灯", level=1, full_name="路灯")
    Division.objects.create(code="410927102000", name="孙口镇", level=4)
    body = {
        **INTAKE,
        "kind": "help",
        "category": category.pk,
        "urgency": "utilities",
        "division": "410927102",
        "address": "铭功路东段",
        "lat": 35.9876543,
        "lng": 115.8712345,
        "affected_population": 30,
        "citizen_id_number": "",
        "confidential": True,
    }
    answer = apis.operator.post("tickets/", body)
    assert answer.status == 201, answer.body
    ticket = Ticket.objects.get(number=answer.body["number"])
    assert ticket.category == category and ticket.division_id == "410927102000"
    assert ticket.urgency == "utilities" and ticket.affected_population == 30
    assert str(ticket.lat) == "35.987654" and ticket.confidential
    assert answer.body["citizen"] == {
        "name": "张三",
        "phone": "13800138000",
        "id_number": "",
        "hidden": False,
    }
    assert answer.body["deadlines"]["dispatch_due"] is not None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"kind": "rumour"}, "kind"),
        ({"category": 424242}, "category"),
        ({"division": "999999"}, "division"),
        ({"lat": 91}, "lat"),
        ({"lat": 1e30, "lng": 1}, "lat"),
        ({"lat": "NaN", "lng": 1}, "lat"),
        ({"lat": "3_5.1", "lng": 115}, "lat"),  # Decimal() reads "3_5.1" as 35.1
        ({"lat": "٣٥.١", "lng": 115}, "lat"),
        ({"affected_population": "1_000"}, "affected_population"),
        ({"citizen_phone": "12345"}, "citizen_phone"),
        ({"citizen_id_number": "110101199003071230"}, "citizen_id_number"),
        ({"lat": 35.1}, "lat"),  # without lng
        ({"description": "有\x00空字符"}, "description"),
    ],
)
def test_intake_refuses_bad_fields(apis: Apis, change: dict[str, Any], field: str) -> None:
    answer = apis.operator.post("tickets/", {**INTAKE, **change})
    assert answer.status == 400, answer.body
    assert answer.body["error"]["field"] == field
    assert Ticket.objects.count() == 0


def test_intake_is_the_hotlines_job(apis: Apis) -> None:
    answer = apis.alice.post("tickets/", INTAKE)
    assert answer.status == 403
    assert error_code(answer) == "forbidden"
    assert "受理工单" in answer.body["error"]["message"]


@pytest.mark.parametrize("raw", ["{not json", "[1, 2]", '"text"', "null", '{"title": "\\ud800"}'])
def test_intake_refuses_bodies_that_are_not_an_object(apis: Apis, raw: str) -> None:
    answer = apis.operator.post("tickets/", raw=raw)
    assert answer.status == 400, answer.body
    assert error_code(answer) == "invalid"


# --- Detail ---------------------------------------------------------------------------------


def test_the_detail_has_parts_timeline_and_deadlines(apis: Apis, people: People) -> None:
    ticket = dispatched(people)
    answer = apis.alice.get(f"tickets/{ticket.number}/")
    assert answer.status == 200
    body = answer.body
    assert body["number"] == ticket.number and body["status"] == "dispatched"
    assert body["lead_unit"] == "sunkou" and body["version"] == ticket.version
    assert [a["unit"] for a in body["assignments"]] == ["sunkou"]
    assert body["assignments"][0]["state"] == "pending"
    assert [e["action"] for e in body["timeline"]] == ["intake", "dispatch"]
    assert body["timeline"][1]["actor"] == "dora" and body["timeline"][1]["unit"] == "sunkou"
    assert set(body["deadlines"]) >= {"sign_due", "contact_due", "reply_due", "callback_due"}
    assert body["deadlines"]["reply_due"] is not None
    assert body["citizen"] == {
        "name": "张三",
        "phone": "13800138000",
        "id_number": "",
        "hidden": False,
    }


def test_a_confidential_citizen_is_hidden_from_units(apis: Apis, people: People) -> None:
    ticket = dispatched(people, confidential=True, citizen_id_number="11010519491231002X")
    unit_view = apis.alice.get(f"tickets/{ticket.number}/").body["citizen"]
    assert unit_view == {"name": "（保密）", "phone": "", "id_number": "", "hidden": True}
    hotline_view = apis.operator.get(f"tickets/{ticket.number}/").body["citizen"]
    assert hotline_view["phone"] == "13800138000" and not hotline_view["hidden"]
    assert hotline_view["id_number"] == "11010519491231002X"


def test_units_see_a_masked_id_number(apis: Apis, people: People) -> None:
    ticket = dispatched(people, citizen_id_number="11010519491231002X")
    citizen = apis.alice.get(f"tickets/{ticket.number}/").body["citizen"]
    assert citizen["id_number"] == "1101**********002X"
