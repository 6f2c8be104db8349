"""服务点's pages: the county's coverage, a township's points, the create form (a point without a
place shows its message and writes nothing), a point's page, the entry form (a resent form
records once), the matrix and its Excel; another township's staff get 404; query counts pinned
(the same for one point or ten)."""

from __future__ import annotations

import datetime as dt
import io
import uuid

import pytest
import time_machine
from django.test import Client
from openpyxl import load_workbook

from minsheng.governance.models import ServiceEntry, ServicePoint
from tests.conftest import PASSWORD, People
from tests.governance.council_helpers import SUNKOU, VILLAGE, WHARF, at
from tests.governance.servicepoint_helpers import DAIZHUANG, LIUQIAO, Points, make_points, point

pytestmark = pytest.mark.django_db

HOME = "/governance/points/"
TOWNSHIP = f"/governance/points/t/{SUNKOU}/"
MATRIX = f"/governance/points/t/{SUNKOU}/matrix/"
NEW = f"/governance/points/t/{SUNKOU}/new/"
# session, user, roles, unit; the user's own points; the townships (councils, units in scope);
# the county lines' five (villages, active points, villages served, the register's village counts
# and township figures); the header's unread messages.
HOME_QUERIES = 12
# session, user, roles, unit; the township; scope (council); the points with their units,
# places, campaigns and village counts; this month's totals; can_manage's council; the header's
# unread messages.
TOWNSHIP_QUERIES = 10
# session, user, roles, unit; the township; scope (council); the matrix's five (villages, the
# active points with their units, the villages they serve, the register's village counts and the
# township's figure); the header's unread messages.
MATRIX_QUERIES = 12


@pytest.fixture
def p(people: People) -> Points:
    return make_points(people)


def login(client: Client, username: str) -> Client:
    assert client.login(username=username, password=PASSWORD)
    return client


def _point_form(p: Points, **kw: str | list[str]) -> dict[str, str | list[str]]:
    data: dict[str, str | list[str]] = {
        "name": "孙口村综合服务站",
        "kind": "station",
        "unit": str(p.town.nyfw.pk),
        "place": VILLAGE,
        "address": "孙口村村委会院内",
        "hours": "工作日 8:30—17:30",
        "services": "政策咨询、代办，社保医保",
        "villages": [VILLAGE, WHARF],
    }
    data.update(kw)
    return data


def test_the_township_staff_create_a_point_and_see_it_in_the_matrix(
    client: Client, p: Points
) -> None:
    login(client, "leader-sunkou")
    page = client.get(NEW).content.decode()
    assert "孙口镇农业服务站" in page and "刘桥村委会" in page
    response = client.post(NEW, _point_form(p))
    made = ServicePoint.objects.get()
    assert (
        response.status_code == 302 and response["Location"] == f"/governance/points/p/{made.pk}/"
    )
    assert made.services == ["政策咨询", "代办", "社保医保"] and made.township_id == SUNKOU
    page = client.get(response["Location"]).content.decode()
    assert "服务 2 个村（社区），常住人口 2000 人" in page
    matrix = client.get(MATRIX).content.decode()
    assert 'id="covered">2000<' in matrix
    assert "代庄村委会" in matrix and "刘桥村委会" in matrix


def test_a_point_without_a_place_shows_the_message_and_writes_nothing(
    client: Client, p: Points
) -> None:
    login(client, "leader-sunkou")
    response = client.post(NEW, _point_form(p, place=""))
    assert response.status_code == 200
    assert "请选择服务点所在的乡镇或村（社区）。" in response.content.decode()
    assert not ServicePoint.objects.exists()


def test_another_townships_staff_get_404(client: Client, p: Points) -> None:
    made = point(p, "孙口村服务站", [VILLAGE])
    login(client, "bob")  # handler of 侯庙镇
    for url in (
        TOWNSHIP,
        NEW,
        MATRIX,
        f"{MATRIX}export/",
        f"/governance/points/p/{made.pk}/",
        f"/governance/points/p/{made.pk}/edit/",
        f"/governance/points/p/{made.pk}/entry/",
    ):
        assert client.get(url).status_code == 404, url
    response = client.post(f"/governance/points/p/{made.pk}/edit/", _point_form(p, name="改名"))
    assert response.status_code == 404
    assert ServicePoint.objects.get().name == "孙口村服务站"
    # The hotline's operator reads but does not manage: the form is a 404 too.
    client.logout()
    login(client, "olga")
    assert client.get(MATRIX).status_code == 200
    assert client.get(f"/governance/points/p/{made.pk}/edit/").status_code == 404


def test_the_points_staff_record_an_entry_once_through_the_form(client: Client, p: Points) -> None:
    made = point(p, "孙口村服务站", [VILLAGE])
    login(client, "guard-nyfw")  # the 农业服务站's handler: records, does not manage
    url = f"/governance/points/p/{made.pk}/entry/"
    with time_machine.travel(at(2026, 11, 10, 16), tick=False):
        home = client.get(HOME).content.decode()
        assert "孙口村服务站" in home and "记录服务" in home
        assert client.get(url).status_code == 200
        token = str(uuid.uuid4())
        form = {"token": token, "date": "2026-11-10", "service": "代办", "count": "12", "note": ""}
        first = client.post(url, form)
        again = client.post(url, form, follow=True)
        assert first.status_code == 302
        assert "这条服务记录已经保存过了" in again.content.decode()
        assert ServiceEntry.objects.count() == 1
        page = client.get(f"/governance/points/p/{made.pk}/").content.decode()
        assert "2026-11" in page and "代办 12" in page
        bad = client.post(url, {**form, "token": str(uuid.uuid4()), "date": "2026-11-11"})
        assert "服务日期不能晚于今天" in bad.content.decode()
        assert ServiceEntry.objects.count() == 1
        assert client.get(f"/governance/points/p/{made.pk}/edit/").status_code == 404


def test_the_matrix_exports_to_excel(client: Client, p: Points) -> None:
    point(p, "孙口村综合服务站", [VILLAGE, WHARF])
    point(p, "代庄护学岗", [WHARF, DAIZHUANG], unit=p.town.shsw, services=("护学",))
    login(client, "leader-sunkou")
    response = client.get(f"{MATRIX}export/?on=2026-11-10")
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book["服务矩阵"].iter_rows(values_only=True))
    assert rows[0] == (
        "村（社区）",
        "常住人口",
        "服务点数",
        "孙口镇农业服务站",
        "孙口镇社会事务服务站",
    )
    assert rows[2] == ("孙码头村委会", 800, 2, "政策咨询、代办", "护学")
    assert rows[5][:2] == ("覆盖人口", 2500)
    missing = list(book["未覆盖的村"].iter_rows(values_only=True))
    assert missing[1:] == [("刘桥村委会", 300)]
    assert LIUQIAO  # the uncovered village of the fixture


def _grow(p: Points, n: int) -> None:
    for i in range(n):
        made = point(p, f"服务站{i}", [VILLAGE, WHARF, DAIZHUANG][: 1 + i % 3])
        ServiceEntry.objects.create(
            point=made, date=dt.date(2026, 11, 2), service="代办", count=1 + i
        )


def test_the_query_counts_are_pinned(
    client: Client,
    p: Points,
    django_assert_max_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    login(client, "leader-sunkou")
    counts = []
    with time_machine.travel(at(2026, 11, 10, 16), tick=False):
        for n in (1, 9):
            _grow(p, n)
            with django_assert_max_num_queries(HOME_QUERIES):
                assert client.get(HOME).status_code == 200
            with django_assert_max_num_queries(TOWNSHIP_QUERIES):
                assert client.get(TOWNSHIP).status_code == 200
            with django_assert_max_num_queries(MATRIX_QUERIES) as matrix:
                assert client.get(MATRIX).status_code == 200
            counts.append(len(matrix.captured_queries))
    assert counts[0] == counts[1]  # the same for one point or ten
