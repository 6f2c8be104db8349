"""充分就业社区(村) creation list: the township declares a qualifying village (a snapshot of its
status), never one below the thresholds; the county's 人社局 accepts or returns; the list page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from minsheng.assistance.errors import InvalidInput, InvalidTransition, NotAllowed
from minsheng.assistance.models import ApplicationStatus, Event, FullEmploymentApplication
from minsheng.assistance.services import full_employment as service
from minsheng.assistance.services import people
from minsheng.org.models import Role, Unit
from tests.assistance.helpers import Area, add_person, make_area
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def area(db: None) -> Area:
    return make_area()


@pytest.fixture
def rsj(area: Area):  # type: ignore[no-untyped-def]
    unit = Unit.objects.create(
        code="tq-rsj",
        name="台前县人力资源和社会保障局",
        kind=Unit.Kind.DEPARTMENT,
        division=area.county,
    )
    return make_user("rsj-officer", unit, Role.ASSIST_OFFICER)


def client_for(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def employ_all(area: Area, n: int = 2) -> None:
    for seq in range(1, n + 1):
        person = add_person(area.worker1, area.v1, seq, household=f"户{seq}")
        people.employment_add(area.worker1, person, employer="扶贫车间", since=timezone.localdate())


YEAR = timezone.localdate().year


def test_a_village_below_the_thresholds_cannot_be_declared(area: Area) -> None:
    employ_all(area, 1)
    add_person(area.worker1, area.v1, 9, household="户9")  # a 零就业家庭
    with pytest.raises(InvalidInput) as refused:
        service.declare(area.officer, area.v1, YEAR)
    assert (
        "未达到充分就业标准" in refused.value.message and "零就业家庭 1 户" in refused.value.message
    )
    with pytest.raises(InvalidInput, match="没有登记劳动力"):
        service.declare(area.officer, area.v2, YEAR)
    assert not FullEmploymentApplication.objects.exists()


def test_declare_accept_and_return(area: Area, rsj) -> None:  # type: ignore[no-untyped-def]
    employ_all(area)
    with pytest.raises(NotAllowed):
        service.declare(area.worker1, area.v1, YEAR)  # a station does not declare
    with pytest.raises(NotAllowed):
        service.declare(area.officer, area.v4, YEAR)  # another township's village
    row = service.declare(area.officer, area.v1, YEAR)
    assert row.status == ApplicationStatus.DECLARED
    assert row.snapshot == {
        "workforce": 2,
        "employed": 2,
        "percent": 100.0,
        "zero_households": 0,
        "threshold": 90,
    }
    with pytest.raises(InvalidTransition, match="已申报"):
        service.declare(area.officer, area.v1, YEAR)
    with pytest.raises(NotAllowed):
        service.accept(area.officer, row)
    with pytest.raises(InvalidInput, match="退回理由"):
        service.send_back(rsj, row, "短")
    service.send_back(rsj, row, "就业证明材料不全")
    row.refresh_from_db()
    assert (row.status, row.return_reason) == (ApplicationStatus.RETURNED, "就业证明材料不全")
    service.declare(area.officer, area.v1, YEAR)  # declared again, the same row
    row.refresh_from_db()
    assert row.status == ApplicationStatus.DECLARED and row.return_reason == ""
    service.accept(rsj, row)
    with pytest.raises(InvalidTransition):
        service.accept(rsj, row)
    verbs = list(
        Event.objects.filter(subject="full_app").order_by("pk").values_list("verb", flat=True)
    )
    assert verbs == ["declared", "returned", "declared", "accepted"]


def test_the_list_page(area: Area, rsj) -> None:  # type: ignore[no-untyped-def]
    employ_all(area)
    url = f"/assistance/a/{area.sunkou.code}/full-employment/"
    officer = client_for(area.officer)
    html = officer.get(url).content.decode()
    assert "孙口村" in html and 'value="declare"' in html
    assert officer.post(url, {"action": "declare", "village": area.v1.code}).status_code == 302
    assert FullEmploymentApplication.objects.get().status == ApplicationStatus.DECLARED
    again = officer.post(url, {"action": "declare", "village": area.v1.code})
    assert again.status_code == 400 and "已申报" in again.content.decode()
    # Not this township's village: 404, nothing declared.
    assert officer.post(url, {"action": "declare", "village": area.v4.code}).status_code == 404
    county = client_for(rsj)
    county_url = f"/assistance/a/{area.county.code}/full-employment/"
    html = county.get(county_url).content.decode()
    assert 'value="accept"' in html and "已申报" in html
    row = FullEmploymentApplication.objects.get()
    for junk in ("abc", "", "9" * 30, "-1"):
        answer = county.post(county_url, {"action": "accept", "application": junk})
        assert answer.status_code == 404, junk
    assert county.post(county_url, {"action": "nothing"}).status_code == 404
    assert county.post(county_url, {"action": "return", "application": row.pk}).status_code == 400
    assert county.post(county_url, {"action": "accept", "application": row.pk}).status_code == 302
    html = county.get(county_url).content.decode()
    assert "验收通过" in html.split('id="applications"')[1]
    # A station worker reads its own village's line only; another township's gets a 404.
    add_person(area.worker2, area.v2, 5)
    mine = client_for(area.worker1).get(url).content.decode()
    assert "孙口村" in mine and "桥北张村" not in mine
    assert "桥北张村" in officer.get(url).content.decode()
    assert client_for(area.worker4).get(url).status_code == 404
    assert (
        client_for(area.worker1)
        .post(url, {"action": "declare", "village": area.v1.code})
        .status_code
        == 400
    )
