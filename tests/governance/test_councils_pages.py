"""民生议事会's pages: the council's home with its figures, the printable agenda, a meeting recorded
and a decision taken through the forms (its work dispatched to the stations), the printable
minutes; another township's staff get 404s; the pages' query counts are pinned."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from minsheng.governance.models import CouncilEvent, DecisionWork, Meeting
from minsheng.governance.services.councils import council_decide, council_meeting_open
from minsheng.tickets.models import Channel, Status, Ticket
from tests.conftest import PASSWORD, People
from tests.governance.council_helpers import SUNKOU, WHARF, Town, at, demand, make_town

pytestmark = pytest.mark.django_db

D = dt.date
HOME = f"/governance/councils/{SUNKOU}/"
# session, user, roles, the user's unit (scope) and the council; the meetings; the figures
# (decisions, works with their tickets, demands answered); the units' participation (the
# statistics' totals, the township's units, their rollups); the header. The same for 1 meeting
# or 4.
HOME_QUERIES = 13
# … the meeting, its agenda lines with their tickets, its decisions with their works, tickets,
# units and demands (prefetched), the decision form's units, the open suggestions. Same for 1 or 4.
MEETING_QUERIES = 15


@pytest.fixture
def town(people: People) -> Town:
    return make_town(people)


def login(client: Client, username: str) -> Client:
    assert client.login(username=username, password=PASSWORD)
    return client


def test_the_secretary_opens_records_and_decides_through_the_pages(
    client: Client, town: Town
) -> None:
    login(client, "leader-sunkou")
    with time_machine.travel(at(2026, 11, 1), tick=False):
        asked = demand(town.people, division=WHARF, title="码头路面坑洼")
    with time_machine.travel(at(2026, 11, 2), tick=False):
        assert client.get("/governance/councils/")["Location"] == HOME
        html = client.get(HOME).content.decode()
        assert "孙口镇民生议事会" in html and "新建会议" in html
        agenda = client.get(f"{HOME}agenda/?date=2026-11-02").content.decode()
        assert "孙码头村委会" in agenda and asked.number in agenda and "@media print" in agenda
        response = client.post(HOME, {"date": "2026-11-02"})
        meeting = Meeting.objects.get()
        url = f"{HOME}meetings/{meeting.pk}/"
        assert response["Location"] == url
        response = client.post(
            url,
            {
                "action": "record",
                "chair": "王书记",
                "attendees": "王书记、各站所负责人",
                "minutes": "研究码头路面。",
                "held": "on",
                "revision": str(meeting.revision),
            },
        )
        assert response.status_code == 302, response.content.decode()[:3000]
        response = client.post(
            url,
            {
                "action": "decide",
                "text": "修补码头路面",
                "demands": asked.number,
                "unit_1": str(town.nyfw.pk),
                "due_1": "2026-11-09",
                "title_1": "修补码头路面坑洼",
                "unit_2": str(town.shsw.pk),
                "due_2": "2026-11-12",
                "title_2": "设置警示标志",
            },
        )
        assert response.status_code == 302, response.content.decode()[:3000]
    works = list(DecisionWork.objects.select_related("ticket").order_by("id"))
    assert [(w.unit, w.due_date) for w in works] == [
        (town.nyfw, D(2026, 11, 9)),
        (town.shsw, D(2026, 11, 12)),
    ]
    assert all(
        w.ticket.channel == Channel.COUNCIL and w.ticket.status == Status.DISPATCHED for w in works
    )
    html = client.get(url).content.decode()
    assert "修补码头路面" in html and works[0].ticket.number in html and "已召开" in html
    minutes = client.get(f"{url}minutes/").content.decode()
    assert "王书记" in minutes and "修补码头路面坑洼" in minutes and "@media print" in minutes
    # The station's handler finds the work in the unit's inbox.
    station = login(Client(), "h-nyfw")
    assert works[0].ticket.number in station.get("/inbox/").content.decode()


def test_a_bad_decision_form_shows_the_reason_and_writes_nothing(
    client: Client, town: Town
) -> None:
    login(client, "leader-sunkou")
    with time_machine.travel(at(2026, 11, 2), tick=False):
        meeting = council_meeting_open(
            actor=town.secretary, council=town.council, date=D(2026, 11, 2)
        )
        url = f"{HOME}meetings/{meeting.pk}/"
        tickets, events = Ticket.objects.count(), CouncilEvent.objects.count()
        for data in (
            {"text": "修路", "unit_1": str(town.nyfw.pk), "title_1": "修路"},  # no deadline
            {"text": "修路", "unit_1": str(town.nyfw.pk), "due_1": "2026-10-01", "title_1": "修路"},
            {"text": "修路", "demands": "20260101-0001"},
            {
                "text": "修路",
                "unit_1": str(town.people.org.houmiao.pk),
                "due_1": "2026-11-09",
                "title_1": "x",
            },
        ):
            response = client.post(url, {"action": "decide", **data})
            assert response.status_code == 200
            assert 'class="error"' in response.content.decode()
    assert (Ticket.objects.count(), CouncilEvent.objects.count()) == (tickets, events)


def test_another_townships_staff_get_404(client: Client, town: Town) -> None:
    with time_machine.travel(at(2026, 11, 2), tick=False):
        meeting = council_meeting_open(actor=town.admin, council=town.council, date=D(2026, 11, 2))
    url = f"{HOME}meetings/{meeting.pk}/"
    login(client, "leader-houmiao")
    for page in (HOME, f"{HOME}agenda/", url, f"{url}minutes/"):
        assert client.get(page).status_code == 404, page
    assert client.post(HOME, {"date": "2026-11-09"}).status_code == 404
    assert client.post(url, {"action": "decide", "text": "x"}).status_code == 404
    # A station's handler reads nothing either; the hotline's leader reads but may not write.
    login(client, "h-nyfw")
    assert client.get(HOME).status_code == 404
    login(client, "lee")
    assert client.get(url).status_code == 200
    assert client.post(url, {"action": "decide", "text": "x"}).status_code == 404
    assert Meeting.objects.count() == 1 and not DecisionWork.objects.exists()


def _decide(town: Town, day: int) -> Meeting:
    with time_machine.travel(at(2026, 11, day), tick=False):
        meeting = council_meeting_open(
            actor=town.admin, council=town.council, date=D(2026, 11, day)
        )
        council_decide(
            actor=town.admin,
            meeting=meeting,
            text="决定",
            demands=[demand(town.people).pk],
            works=[
                (town.nyfw, D(2026, 11, day + 3), "工作一", ""),
                (town.shsw, D(2026, 11, day + 3), "工作二", ""),
            ],
        )
    return meeting


def test_pages_have_pinned_query_counts(
    client: Client, town: Town, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    login(client, "leader-sunkou")
    first = _decide(town, 2)
    with django_assert_max_num_queries(HOME_QUERIES):
        assert client.get(HOME).status_code == 200
    with django_assert_max_num_queries(MEETING_QUERIES):
        assert client.get(f"{HOME}meetings/{first.pk}/").status_code == 200
    for day in (9, 16, 23):
        last = _decide(town, day)
    with django_assert_max_num_queries(HOME_QUERIES):
        assert client.get(HOME).status_code == 200
    with django_assert_max_num_queries(MEETING_QUERIES):
        assert client.get(f"{HOME}meetings/{last.pk}/").status_code == 200
