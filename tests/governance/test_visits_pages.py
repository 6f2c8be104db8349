"""包村 and 走访's pages: a cadre's villages, the visit form (needs made tickets or suggestions,
a resent form records nothing twice, a refusal shows its message and writes nothing), a
village's page with who is responsible and its visits (phones masked), the township's overview
with its Excel, the assignments' management; 404 outside the user's scope; query counts pinned
(the same for one visit or ten)."""

from __future__ import annotations

import datetime as dt
import io
import uuid

import pytest
import time_machine
from django.test import Client
from openpyxl import load_workbook

from minsheng.governance.models import Suggestion, VillageAssignment, Visit, VisitNeed
from minsheng.governance.services.visits import Need, visit_record
from minsheng.tickets.models import Channel, Ticket
from tests.conftest import PASSWORD, People
from tests.governance.council_helpers import HOUMIAO, SUNKOU, at
from tests.governance.visit_helpers import Field, make_field

pytestmark = pytest.mark.django_db

D = dt.date
HOME = "/governance/villages/"
NEW = "/governance/villages/visits/new/"
TOWNSHIP = f"/governance/villages/t/{SUNKOU}/"
# session, user, roles, unit; the assignments; the recent visits; the townships (councils, units
# in scope); the township lines (villages, visits, needs); the header.
HOME_QUERIES = 12
# session, user, roles, unit; the village, its township; scope (council); responsible; the
# assignments; the visits with their needs, tickets, suggestions and categories; the header.
VILLAGE_QUERIES = 15
# session, user, roles, unit; the township; scope (council); the overview's four (villages with
# their last visits, visits per village per month, who is responsible, the needs' figures);
# can_manage's council; the header.
TOWNSHIP_QUERIES = 12


@pytest.fixture
def field(people: People) -> Field:
    return make_field(people)


def login(client: Client, username: str) -> Client:
    assert client.login(username=username, password=PASSWORD)
    return client


def _form(f: Field, token: str, **kw: str) -> dict[str, str]:
    data = {
        "token": token,
        "village": f.village.code,
        "date": "2026-11-10",
        "households": "15",
        "note": "入户走访",
        "text_1": "村东头机井坏了，浇地困难",
        "outcome_1": "ticket",
        "name_1": "李四",
        "phone_1": "13900001111",
        "text_2": "建议在村小学门口设置减速带",
        "outcome_2": "suggestion",
    }
    data.update(kw)
    return data


def test_a_cadre_records_a_visit_with_two_needs_through_the_form(
    client: Client, field: Field
) -> None:
    f = field
    login(client, "cadre-wang")
    with time_machine.travel(at(2026, 11, 10, 16), tick=False):
        home = client.get(HOME).content.decode()
        assert "孙口村委会" in home and "孙码头村委会" in home and "记录走访" in home
        page = client.get(f"{NEW}?village={f.wharf.code}").content.decode()
        assert f'<option value="{f.wharf.code}" selected>' in page and "提交议事会" in page
        token = str(uuid.uuid4())
        response = client.post(NEW, _form(f, token))
        assert response["Location"] == f"/governance/villages/v/{f.village.code}/"
        again = client.post(NEW, _form(f, token), follow=True)
        assert "没有重复记录" in again.content.decode()
    visit = Visit.objects.get()
    assert (visit.visitor_id, visit.households, visit.date) == (f.cadre.pk, 15, D(2026, 11, 10))
    ticket = Ticket.objects.get()
    assert ticket.channel == Channel.VISIT and "走访人：王干部" in ticket.description
    assert Suggestion.objects.get().source == Suggestion.Source.VISIT
    with time_machine.travel(at(2026, 11, 10, 17), tick=False):
        html = client.get(f"/governance/villages/v/{f.village.code}/").content.decode()
    assert "王干部" in html and "包村领导" in html and ticket.number in html
    assert (
        "139****1111" in html and "13900001111" not in html and "李*" in html and "李四" not in html
    )


def test_a_refused_form_shows_the_message_and_writes_nothing(client: Client, field: Field) -> None:
    f = field
    login(client, "cadre-wang")
    with time_machine.travel(at(2026, 11, 10, 16), tick=False):
        response = client.post(NEW, _form(f, str(uuid.uuid4()), phone_2="12345"))
        assert response.status_code == 200
        assert "第 2 条诉求：联系电话格式不正确" in response.content.decode()
        # A name without the need's text.
        response = client.post(NEW, _form(f, str(uuid.uuid4()), text_2="", name_2="王五"))
        assert "请填写诉求内容" in response.content.decode()
        # A village the cadre is not assigned to is not even offered.
        response = client.post(NEW, _form(f, str(uuid.uuid4()), village="410927101201"))
        assert response.status_code == 200
    assert (Visit.objects.count(), Ticket.objects.count(), Suggestion.objects.count()) == (0, 0, 0)


def test_outside_the_scope_is_404(client: Client, field: Field, people: People) -> None:
    f = field
    login(client, "leader-houmiao")
    for url in (
        f"/governance/villages/v/{f.village.code}/",
        TOWNSHIP,
        f"{TOWNSHIP}export/",
        f"{TOWNSHIP}assignments/",
        f"/governance/villages/t/{f.village.code}/",  # a village is not a township
    ):
        assert client.get(url).status_code == 404, url
    assert client.get(f"/governance/villages/t/{HOUMIAO}/").status_code == 200
    # A cadre reads the villages assigned to them, not the township's overview.
    login(client, "cadre-wang")
    assert client.get(f"/governance/villages/v/{f.village.code}/").status_code == 200
    assert client.get(TOWNSHIP).status_code == 404
    # Station staff may not manage the township's assignments.
    login(client, "h-nyfw")
    assert client.get(f"{TOWNSHIP}assignments/").status_code == 404


def test_the_secretary_manages_assignments(client: Client, field: Field) -> None:
    f = field
    login(client, "leader-sunkou")
    url = f"{TOWNSHIP}assignments/"
    with time_machine.travel(at(2026, 11, 10), tick=False):
        assert "新增包村安排" in client.get(url).content.decode()
        response = client.post(
            url,
            {
                "action": "assign",
                "person": "lee",
                "village": f.wharf.code,
                "duty": "leader",
                "starts_on": "2026-11-10",
            },
        )
        assert response["Location"] == url
        refused = client.post(
            url,
            {
                "action": "assign",
                "person": "nobody",
                "village": f.wharf.code,
                "duty": "leader",
                "starts_on": "2026-11-10",
            },
        )
        assert "找不到该用户" in refused.content.decode()
        response = client.post(
            url, {"action": "end", "assignment": f.a_wharf.pk, "ends_on": "2026-11-09"}
        )
        assert response["Location"] == url
    f.a_wharf.refresh_from_db()
    assert f.a_wharf.ends_on == D(2026, 11, 9)
    assert VillageAssignment.objects.filter(person=f.county, village=f.wharf).exists()


def _visits(f: Field, n: int) -> None:
    for i in range(n):
        with time_machine.travel(at(2026, 11, 1 + i, 16), tick=False):
            visit_record(
                actor=f.cadre,
                village=f.village if i % 2 else f.wharf,
                date=D(2026, 11, 1 + i),
                households=3,
                needs=[
                    Need(
                        f"诉求{i}，电话13900001111",
                        VisitNeed.Outcome.TICKET,
                        citizen_phone="13900001111",
                    ),
                    Need(f"建议{i}", VisitNeed.Outcome.SUGGESTION),
                ],
            )


@pytest.mark.parametrize("visits", [1, 10])
def test_query_counts_are_pinned(
    client: Client,
    field: Field,
    visits: int,
    django_assert_max_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    f = field
    _visits(f, visits)
    with time_machine.travel(at(2026, 11, 20), tick=False):
        login(client, "cadre-wang")
        with django_assert_max_num_queries(HOME_QUERIES):
            assert client.get(HOME).status_code == 200
        login(client, "leader-sunkou")
        with django_assert_max_num_queries(VILLAGE_QUERIES):
            assert client.get(f"/governance/villages/v/{f.wharf.code}/").status_code == 200
        with django_assert_max_num_queries(TOWNSHIP_QUERIES):
            html = client.get(f"{TOWNSHIP}?month=2026-11").content.decode()
        assert "@media print" in html and "本月未走访的村" in html


def test_the_township_overview_and_its_excel(client: Client, field: Field) -> None:
    f = field
    _visits(f, 1)  # 孙码头村 on 11-01; 孙口村 not this month
    login(client, "leader-sunkou")
    with time_machine.travel(at(2026, 11, 20), tick=False):
        html = client.get(TOWNSHIP).content.decode()
        response = client.get(f"{TOWNSHIP}export/?month=2026-11")
    table = html.split('id="not-visited"')[1].split("</table>")[0]
    assert "孙口村委会" in table and "孙码头村委会" not in table
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["各村走访", "本月未走访", "收集的诉求"]
    rows = list(book["各村走访"].iter_rows(values_only=True))
    assert rows[0][2:8] == ("2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11")
    wharf = next(r for r in rows if r[0] == "孙码头村委会")
    assert wharf[7] == 1 and wharf[8] == 3
    missing = [r[0] for r in book["本月未走访"].iter_rows(values_only=True)][1:]
    assert missing == ["孙口村委会"]
    needs = list(book["收集的诉求"].iter_rows(values_only=True))[1:]
    assert [r[3] for r in needs] == ["诉求0，电话139****1111", "建议0"]
    assert "13900001111" not in str(needs)
