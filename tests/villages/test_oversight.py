"""The township's and the county's oversight pages: what is late and since when, the figures,
who sees which township, pinned query counts, the Excel export."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from minsheng.org.models import Division
from minsheng.villages import clock, figures
from minsheng.villages.models import Board, Question
from minsheng.villages.services.boards import ensure_boards
from tests.conftest import PASSWORD, People
from tests.factories import new_ticket
from tests.villages.clock_helpers import V1, V2, County, at, make_county, publish

pytestmark = pytest.mark.django_db

D = dt.date
NOW = at(2026, 12, 6, 12)
# session, user, roles, the reviewer's unit and its division (village_scope), the page's
# division, its crumbs, then the figures: boards, missed deadlines, items, questions, matters decided; the badge.
TOWNSHIP_QUERIES = 13
# A leader: session, user, roles, the page's division; the figures: boards with their missed
# deadlines (one statement), items, questions, matters decided, the child divisions' names; the crumbs; the
# header's unit; the badge.
AREA_QUERIES = 12


@pytest.fixture
def county(people: People) -> County:
    with time_machine.travel(NOW, tick=False):
        c = make_county(now=at(2026, 12, 6))
        # 桥北张村 published Q3 on time and one item this quarter; the others nothing.
        publish(V2, "affairs", "quarter", D(2026, 8, 1), published_at=at(2026, 10, 9))
        item = publish(V2, "finance", "quarter", D(2026, 8, 1), published_at=at(2026, 10, 9))
        publish(V2, "other", "immediate", D(2026, 11, 3), published_at=at(2026, 11, 3))
        Board.objects.update(next_check_at=at(2026, 12, 6))
        clock.sweep_boards(now=at(2026, 12, 6))
        # Two villagers' questions on 桥北张村's statement: one answered in time, one late.
        for replied_at in (at(2026, 12, 2), at(2026, 12, 9)):
            ticket = new_ticket(people)
            type(ticket).objects.filter(pk=ticket.pk).update(
                reply_due=at(2026, 12, 5), replied_at=replied_at
            )
            Question.objects.create(item=item, ticket=ticket, kind="query")
    return c


def login(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def get(client: Client, url: str):  # type: ignore[no-untyped-def]
    with time_machine.travel(NOW, tick=False):
        return client.get(url)


def test_the_township_sees_every_village_what_is_late_and_since_when(county: County) -> None:
    page = get(login(county.reviewer), "/villages/oversight/township/410927102/")
    assert page.status_code == 200
    html = page.content.decode()
    for name in ("孙口村", "桥北张村", "刘楼村"):
        assert name in html
    assert "侯庙村" not in html
    assert "2026-10-10" in html  # 孙口村 late since Q3's deadline
    assert "村务公开、财务公开" in html
    assert "2026-11-03" in html  # 桥北张村's last publication


def test_the_figures(county: County) -> None:
    w = figures.Windows.at(D(2026, 12, 6))
    rows = {r.code: r for r in figures.by_village(Division.objects.get(pk="410927102000"), w)}
    late, good = rows[V1].figures, rows[V2].figures
    assert (late.late, late.on_time_month, late.on_time_quarter) == (1, 0, 0)
    assert (good.late, good.on_time_month, good.on_time_quarter) == (0, 1, 1)
    assert (good.items_quarter, good.questions, good.answered, good.answered_on_time) == (
        3,
        2,
        2,
        1,
    )
    per_township = {
        r.name: r.figures for r in figures.by_child(Division.objects.get(pk="410927000000"), w)
    }
    sunkou = per_township["孙口镇"]
    assert (sunkou.villages, sunkou.late, sunkou.on_time_quarter) == (3, 2, 1)
    assert sunkou.items_per_village == figures.Decimal("1.0")
    assert per_township["侯庙镇"].villages == 1
    # A village that missed this quarter's deadline but has published since: not late now,
    # still not on time this quarter; on time this month (no deadline of December missed).
    with time_machine.travel(at(2026, 12, 7), tick=False):
        publish(V1, "affairs", "quarter", D(2026, 8, 1), published_at=at(2026, 12, 7))
        publish(V1, "finance", "quarter", D(2026, 8, 1), published_at=at(2026, 12, 7))
    clock.sweep_boards(now=at(2026, 12, 7, 1))
    v1 = next(
        r.figures
        for r in figures.by_village(Division.objects.get(pk="410927102000"), w)
        if r.code == V1
    )
    assert (v1.late, v1.on_time_month, v1.on_time_quarter) == (0, 1, 0)


def test_a_reviewer_sees_only_their_township(county: County) -> None:
    client = login(county.reviewer)
    assert get(client, "/villages/oversight/township/410927103/").status_code == 404
    assert get(client, "/villages/oversight/area/410927/").status_code == 404
    assert get(client, "/villages/oversight/area/41/").status_code == 404
    assert get(client, "/villages/oversight/township/4109271/").status_code == 404
    index = get(client, "/villages/oversight/")
    assert index.status_code == 302
    assert index["Location"] == "/villages/oversight/township/410927102/"
    assert get(client, "/villages/oversight/?code=410927103").status_code == 404


def test_hotline_leaders_see_everything_and_others_nothing(county: County, people: People) -> None:
    leader = login(people.org.leader)
    index = get(leader, "/villages/oversight/")
    assert index["Location"] == "/villages/oversight/area/410927/"
    page = get(leader, "/villages/oversight/area/410927/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "孙口镇" in html and "侯庙镇" in html
    assert 'href="/villages/oversight/township/410927102/"' in html
    province = get(leader, "/villages/oversight/area/41/")
    assert province.status_code == 200
    assert "濮阳市" in province.content.decode()
    assert get(leader, "/villages/oversight/?code=410927102")["Location"].endswith(
        "/township/410927102/"
    )
    assert get(login(people.supervisor), "/villages/oversight/area/41/").status_code == 200
    for user in (people.operator, people.alice, county.clerk1):
        assert get(login(user), "/villages/oversight/").status_code == 404
        assert get(login(user), "/villages/oversight/area/410927/").status_code == 404


def _more_villages(count: int) -> None:
    for n in range(count):
        Division.objects.create(
            code=f"4109271023{n:02d}", name=f"新村{n}", level=5, parent_id="410927102000"
        )
    ensure_boards()


def test_the_pages_query_counts_are_pinned_and_do_not_grow(county: County, people: People) -> None:
    reviewer, leader = login(county.reviewer), login(people.org.leader)

    def count(client: Client, url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert get(client, url).status_code == 200
        return len(queries)

    township = count(reviewer, "/villages/oversight/township/410927102/")
    area = count(leader, "/villages/oversight/area/410927/")
    assert township == TOWNSHIP_QUERIES
    assert area == AREA_QUERIES
    _more_villages(12)
    clock.sweep_boards(now=at(2026, 12, 6, 12))
    assert count(reviewer, "/villages/oversight/township/410927102/") == township
    assert count(leader, "/villages/oversight/area/410927/") == area


def test_the_tables_export_to_excel(county: County, people: People) -> None:
    response = get(login(county.reviewer), "/villages/oversight/township/410927102/?format=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[2][0] == "村（社区）"
    body = {r[0]: r for r in rows[3:]}
    assert body["孙口村"][2] == "村务公开、财务公开"
    assert body["桥北张村"][4] == 3
    response = get(login(people.org.leader), "/villages/oversight/area/410927/?format=xlsx")
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[2][0] == "乡级"
    names = [r[0] for r in rows[3:]]
    assert names == ["孙口镇", "侯庙镇", "合计"]
    assert rows[-1][1] == 4  # villages in total
