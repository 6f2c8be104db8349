"""帮扶台账 over the REST API: read-only, scoped exactly as the pages — a station's token sees
its village's people (masked), never another village's (404 / nothing), nor through a search by
ID number; figures hide small groups from readers of aggregates only."""

from __future__ import annotations

import pytest
from django.test import Client

from minsheng.api.tokens import token_create
from minsheng.assistance.services import people as service
from minsheng.org.models import Role, Unit
from tests.api.conftest import Api
from tests.assistance.helpers import Area, add_person, fake_id, fake_phone, make_area
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def area(db: None) -> Area:
    return make_area()


def api_for(user, client: Client) -> Api:  # type: ignore[no-untyped-def]
    return Api(client, token_create(user=user, name="test")[1])


def test_a_station_token_reads_its_village_masked(area: Area, client: Client) -> None:
    mine = add_person(area.worker1, area.v1, 1, name="演示甲")
    api = api_for(area.worker1, client)
    answer = api.get(f"assistance/areas/{area.v1.code}/people/")
    assert answer.status == 200 and answer.body["count"] == 1
    row = answer.body["results"][0]
    assert row["name"] == "演示甲" and row["village"] == area.v1.code
    assert row["id_number_masked"] == mine.id_mask and row["phone_masked"] == mine.phone_mask
    assert fake_id(1) not in str(answer.body) and fake_phone(1) not in str(answer.body)
    detail = api.get(f"assistance/people/{mine.pk}/")
    assert detail.status == 200 and detail.body["categories"] == ["脱贫户"]
    assert fake_id(1) not in str(detail.body)
    # Found by ID number, however written.
    found = api.get(f"assistance/areas/{area.v1.code}/people/", {"q": fake_id(1).lower()})
    assert found.body["count"] == 1


def test_a_station_token_cannot_see_another_village(area: Area, client: Client) -> None:
    theirs = add_person(area.worker2, area.v2, 2, name="演示乙")
    api = api_for(area.worker1, client)
    assert api.get(f"assistance/areas/{area.v2.code}/people/").status == 404
    assert api.get(f"assistance/people/{theirs.pk}/").status == 404
    assert api.get(f"assistance/areas/{area.v2.code}/figures/").status == 404
    # Through the township: only its own village's people.
    township = api.get(f"assistance/areas/{area.sunkou.code}/people/")
    assert township.status == 200 and township.body["count"] == 0
    by_id = api.get(f"assistance/areas/{area.sunkou.code}/people/", {"q": fake_id(2)})
    assert by_id.body["count"] == 0
    # The same through the pages and the export.
    pages = Client()
    pages.force_login(area.worker1)
    assert pages.get(f"/assistance/p/{theirs.pk}/").status_code == 404
    assert pages.get(f"/assistance/a/{area.v2.code}/").status_code == 404
    assert (
        pages.post(f"/assistance/a/{area.v2.code}/export/", {"purpose": "核对台账数据"}).status_code
        == 404
    )
    # The township's officer reads both villages.
    officer = api_for(area.officer, client)
    assert officer.get(f"assistance/areas/{area.sunkou.code}/people/").body["count"] == 1
    assert officer.get(f"assistance/people/{theirs.pk}/").status == 200


def test_bad_parameters_are_structured_errors(area: Area, client: Client) -> None:
    api = api_for(area.worker1, client)
    bad = api.get(f"assistance/areas/{area.v1.code}/people/", {"page_size": "0"})
    assert bad.status == 400 and bad.body["error"]["code"]
    assert api.get("assistance/areas/999999999999/people/").status == 404
    assert Api(client).get(f"assistance/areas/{area.v1.code}/people/").status == 401


def test_the_figures_hide_small_groups_from_leaders(area: Area, client: Client) -> None:
    person = add_person(area.worker1, area.v1, 1)
    service.employment_add(
        area.worker1, person, employer="扶贫车间", since=person.created_at.date()
    )
    station_figures = api_for(area.worker1, client).get(f"assistance/areas/{area.v1.code}/figures/")
    assert station_figures.status == 200
    assert station_figures.body["people"] == 1 and station_figures.body["employed"] == 1
    hotline = Unit.objects.create(code="hl", name="热线", kind=Unit.Kind.HOTLINE)
    leader = make_user("boss", hotline, Role.LEADER)
    county = api_for(leader, client).get(f"assistance/areas/{area.county.code}/figures/")
    assert county.status == 200 and county.body["people"] is None
    assert api_for(leader, client).get(f"assistance/areas/{area.v1.code}/people/").status == 404
