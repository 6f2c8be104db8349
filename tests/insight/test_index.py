"""The duplicate index: maintenance, merge candidates by text, reference answers, the desk."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from minsheng.insight.history import load_reference_cases, parse_time
from minsheng.insight.index import (
    index_missing,
    index_ticket,
    reference_answers,
    similar_open_tickets,
    township_code,
)
from minsheng.insight.models import ReferenceCase, TicketSignature, TicketTerm
from minsheng.org.models import Division
from minsheng.textproc.similar import SIGNATURE_TERMS
from minsheng.tickets import actions
from minsheng.tickets.models import Ticket
from tests.conftest import People
from tests.factories import new_ticket, replied
from tests.insight.conftest import HOUMIAO, SUNKOU, SUNKOU_VILLAGE, indexed_ticket
from tests.tickets.test_views_ticket import login

LIGHTS = "孙口镇铭功路东段路灯连续三晚不亮，夜间出行不便。"
LIGHTS_AGAIN = "铭功路的路灯坏了好几天了，晚上黑漆漆的走路不方便"


def test_index_ticket_files_a_signature_and_its_terms(people: People) -> None:
    ticket = indexed_ticket(people)
    sig = TicketSignature.objects.get(ticket=ticket)
    assert sig.created_at == ticket.created_at and "铭功路" in sig.vector
    terms = TicketTerm.objects.filter(ticket=ticket)
    assert 0 < terms.count() <= SIGNATURE_TERMS
    index_ticket(ticket)  # again: replaced, not doubled
    assert TicketTerm.objects.filter(ticket=ticket).count() == terms.count()
    assert TicketSignature.objects.count() == 1


def test_similar_open_tickets_by_text(people: People, county: dict[str, Division]) -> None:
    same = indexed_ticket(people, description=LIGHTS, division=county[SUNKOU_VILLAGE])
    other = indexed_ticket(people, title="物业乱收费", description="小区物业乱收停车费，每月三百元")
    found = similar_open_tickets(text=LIGHTS_AGAIN, user=people.operator)
    assert [s.ticket for s in found] == [same]
    assert found[0].text_score >= 0.3 and found[0].place == "same"  # no place given: no penalty
    assert other not in [s.ticket for s in similar_open_tickets(text=LIGHTS_AGAIN)]
    assert similar_open_tickets(text="") == [] and similar_open_tickets(text="。。。") == []


def test_the_place_weighs_in(people: People, county: dict[str, Division]) -> None:
    here = indexed_ticket(people, description=LIGHTS, division=county[SUNKOU_VILLAGE])
    there = indexed_ticket(people, description=LIGHTS, division=county[HOUMIAO])
    nowhere = indexed_ticket(people, description=LIGHTS)
    found = similar_open_tickets(text=LIGHTS_AGAIN, division=county[SUNKOU])
    assert [s.ticket for s in found] == [here, nowhere, there]
    assert [s.place for s in found] == ["same", "unknown", "other"]
    scores = [s.score for s in found]
    assert scores == sorted(scores, reverse=True)
    assert township_code(SUNKOU_VILLAGE) == SUNKOU and township_code("410927000000") == ""


def test_closed_merged_old_and_invisible_tickets_are_not_candidates(people: People) -> None:
    done = replied(people, description=LIGHTS)
    actions.ticket_callback(
        ticket=done, actor=people.operator, reached=True, resolved=True, satisfaction="satisfied"
    )
    index_ticket(done)
    master = indexed_ticket(people, description=LIGHTS)
    duplicate = indexed_ticket(people, description=LIGHTS)
    actions.ticket_merge(ticket=duplicate, actor=people.dispatcher, master=master)
    found = [s.ticket for s in similar_open_tickets(text=LIGHTS_AGAIN)]
    assert master in found and duplicate not in found
    assert not Ticket.objects.get(pk=done.pk).is_open and done not in found
    later = timezone.now() + dt.timedelta(days=31)
    assert similar_open_tickets(text=LIGHTS_AGAIN, now=later) == []
    # Bob (侯庙镇) sees no ticket given to 孙口镇; new tickets belong to no unit yet.
    assert similar_open_tickets(text=LIGHTS_AGAIN, user=people.bob) == []
    assert [s.ticket for s in similar_open_tickets(text=LIGHTS_AGAIN, exclude=[master.pk])] == []


def test_index_missing_and_the_command(people: People) -> None:
    tickets = [new_ticket(people, description=f"{LIGHTS}第{n}次") for n in range(3)]
    assert index_missing() == 3 and index_missing() == 0
    out = StringIO()
    call_command("insight_index", "--rebuild", "--batch-size", "2", stdout=out)
    assert "3" in out.getvalue()
    assert set(TicketSignature.objects.values_list("ticket_id", flat=True)) == {
        t.pk for t in tickets
    }
    out = StringIO()
    call_command("insight_index", stdout=out)
    assert "0" in out.getvalue()


def test_reference_cases_load_once_and_answer(db: None) -> None:
    assert load_reference_cases(limit=40) == 40
    assert load_reference_cases(limit=40) == 0
    case = ReferenceCase.objects.order_by("id")[5]
    assert case.reply and case.asked_at is not None and case.vector
    answers = reference_answers(text=case.question, title=case.title)
    assert answers and answers[0].case == case and answers[0].score > 0.9
    assert reference_answers(text="") == []
    out = StringIO()
    call_command("load_reference_cases", "--limit", "50", stdout=out)
    assert "10" in out.getvalue() and ReferenceCase.objects.count() == 50


def test_parse_time() -> None:
    assert parse_time("2019/4/25 9:32:09") == dt.datetime(
        2019, 4, 25, 9, 32, 9, tzinfo=parse_time("2019/1/1").tzinfo
    )  # type: ignore[union-attr]
    assert parse_time("") is None and parse_time("yesterday") is None


def test_closed_tickets_with_replies_are_references(people: People) -> None:
    ticket = replied(people, description=LIGHTS)
    actions.ticket_callback(
        ticket=ticket, actor=people.operator, reached=True, resolved=True, satisfaction="satisfied"
    )
    ticket.refresh_from_db()
    assert not ticket.is_open
    index_ticket(ticket)
    answers = reference_answers(text=LIGHTS_AGAIN, user=people.operator)
    assert answers and answers[0].ticket == ticket and answers[0].reply == "已更换灯泡。"
    assert reference_answers(text=LIGHTS_AGAIN, user=people.bob) == []


@pytest.fixture
def two_tickets(people: People, county: dict[str, Division]) -> tuple[Ticket, Ticket]:
    near = indexed_ticket(people, description=LIGHTS, division=county[SUNKOU_VILLAGE])
    far = indexed_ticket(
        people, title="医保缴费", description="咨询城乡居民医保怎么缴费", division=county[HOUMIAO]
    )
    return near, far


def test_the_desk_adds_text_similar_tickets(
    people: People,
    two_tickets: tuple[Ticket, Ticket],
    client: Client,
    django_assert_max_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    near, far = two_tickets
    login(client, people.operator)
    with django_assert_max_num_queries(12):
        response = client.post(
            "/desk/similar", {"text": LIGHTS_AGAIN, "title": "路灯不亮", "division": HOUMIAO}
        )
    html = response.content.decode()
    text_list, place_list = html.split("同地点近期工单")
    assert "内容相似的未办结工单" in text_list
    assert near.number in text_list and far.number not in text_list
    # The place list beside it is the old one: open tickets of the place, last 7 days.
    assert far.number in place_list and near.number not in place_list
    html = client.get("/desk/similar", {"division": SUNKOU}).content.decode()
    assert near.number in html and "内容相似" not in html
    html = client.get("/desk/similar", {"text": "完全无关：表扬热线态度好"}).content.decode()
    assert "近 30 天没有内容相似的未办结工单" in html
