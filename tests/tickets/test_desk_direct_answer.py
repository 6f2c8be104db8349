"""直接答复 at the desk: a consultation answered from the knowledge base is taken in and closed
in one step (actions.ticket_intake_answered), without passing through the dispatcher's queue;
the knowledge base's results offer "插入答复" to put an article's text into the answer."""

from __future__ import annotations

import html as html_lib
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from minsheng.deadlines.models import DeadlineCheck
from minsheng.tickets import actions, selectors
from minsheng.tickets.errors import InvalidInput, NotAllowed
from minsheng.tickets.knowledge import article_create
from minsheng.tickets.models import (
    CloseReason,
    IntakeToken,
    KnowledgeArticle,
    ReplyResult,
    Status,
    Ticket,
    TicketEvent,
)
from tests.conftest import People
from tests.tickets.test_desk_idempotency import desk_form
from tests.tickets.test_views_ticket import login

BODY = "城乡居民医保每年9月至12月集中缴费，可通过微信“河南税务”或到村卫生室代缴。"
CALL = {
    "channel": "hotline",
    "kind": "consultation",
    "title": "医保怎么缴费",
    "description": "咨询明年城乡居民医保在哪里缴费。",
    "citizen_name": "王五",
    "citizen_phone": "13700137000",
}


@pytest.fixture
def article(people: People) -> KnowledgeArticle:
    return article_create(actor=people.operator, title="城乡居民医保缴费", body=BODY)


def test_a_consultation_is_taken_in_and_closed_answered_in_one_step(
    people: People, article: KnowledgeArticle
) -> None:
    ticket = actions.ticket_intake_answered(
        actor=people.operator, answer=BODY, article=article, **CALL
    )
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED and ticket.close_reason == CloseReason.DIRECT_ANSWER
    assert ticket.reply_text == BODY and ticket.reply_result == ReplyResult.EXPLAINED
    assert ticket.lead_unit is None and not ticket.assignments.exists()
    events = list(TicketEvent.objects.filter(ticket=ticket).order_by("id"))
    assert [e.action for e in events] == ["intake", "direct_answer"]
    assert events[1].data["article"] == article.pk and events[1].actor == people.operator
    assert events[1].old_status == Status.NEW and events[1].new_status == Status.CLOSED
    # Never in the dispatcher's queue, and the clock has nothing left to watch.
    queue = selectors.dispatch_queue(people.dispatcher)
    assert all(ticket not in list(tickets) for tickets in queue.values())
    assert not DeadlineCheck.objects.filter(ticket=ticket).exists()


@pytest.mark.parametrize(
    ("actor", "change", "error", "field"),
    [
        ("operator", {"kind": "complaint"}, InvalidInput, "kind"),
        ("operator", {"answer": "  "}, InvalidInput, "answer"),
        ("operator", {"title": ""}, InvalidInput, "title"),
        ("alice", {}, NotAllowed, None),
    ],
)
def test_a_refused_answer_at_intake_writes_nothing(
    people: People, actor: str, change: dict[str, str], error: type[Exception], field: str | None
) -> None:
    fields = {**CALL, "answer": BODY, **change}
    with CaptureQueriesContext(connection) as captured, pytest.raises(error) as refused:
        actions.ticket_intake_answered(actor=getattr(people, actor), **fields)  # type: ignore[arg-type]
    assert getattr(refused.value, "field", None) == field
    writes = [q["sql"] for q in captured if q["sql"].split()[0] in ("INSERT", "UPDATE", "DELETE")]
    assert writes == [] and not Ticket.objects.exists()


def test_the_knowledge_base_offers_its_text_to_the_desks_answer(
    people: People, article: KnowledgeArticle, client: Client
) -> None:
    login(client, people.operator)
    html = client.get("/kb/search/", {"q": "医保缴费", "insert": "1"}).content.decode()
    assert "插入答复" in html and f'data-article="{article.pk}"' in html
    text = html_lib.unescape(html.split('data-text="', 1)[1].split('"', 1)[0])
    assert text == BODY
    plain = client.get("/kb/search/", {"q": "医保缴费"}).content.decode()
    assert article.title in plain and "插入答复" not in plain  # elsewhere: links only


def test_the_desk_answers_and_closes_a_consultation(
    people: People, article: KnowledgeArticle, client: Client
) -> None:
    login(client, people.operator)
    data = {
        **desk_form(client),
        **CALL,
        "answer": BODY,
        "article": str(article.pk),
        "direct_answer": "1",
    }
    response = client.post("/desk/new", data, follow=True)
    ticket = Ticket.objects.get()
    assert response.redirect_chain == [(f"/tickets/{ticket.number}/", 302)]
    assert f"已直接答复并办结，工单号 {ticket.number}" in response.content.decode()
    assert ticket.status == Status.CLOSED and ticket.reply_text == BODY
    assert list(ticket.events.order_by("id").values_list("action", flat=True)) == [
        "intake",
        "direct_answer",
    ]
    # The same form resent: the first ticket, nothing written again.
    again = client.post("/desk/new", data)
    assert again.status_code == 302 and again["Location"] == f"/tickets/{ticket.number}/"
    assert Ticket.objects.count() == 1 and IntakeToken.objects.get().ticket == ticket


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kind": "complaint"}, "只有咨询类诉求可以直接答复办结"),
        ({"answer": ""}, "请填写答复内容"),
        ({"article": "999999"}, "知识库条目无效"),
        ({"article": "x"}, "知识库条目无效"),
        # An answer typed but 受理 pressed: not dropped silently.
        ({"direct_answer": ""}, "咨询请点击“直接答复并办结”"),
    ],
)
def test_a_refused_desk_answer_says_why_and_saves_nothing(
    people: People, client: Client, change: dict[str, str], message: str
) -> None:
    login(client, people.operator)
    data = {**desk_form(client), **CALL, "answer": BODY, "direct_answer": "1", **change}
    if change.get("direct_answer") == "":
        del data["direct_answer"]
    response = client.post("/desk/new", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Ticket.objects.exists()


def test_the_desk_wires_the_answer(people: People, client: Client) -> None:
    login(client, people.operator)
    html = client.get("/desk/new").content.decode()
    assert 'name="answer"' in html and 'name="article"' in html
    assert 'name="direct_answer"' in html and "直接答复并办结" in html
    script = Path(finders.find("js/desk.js")).read_text(encoding="utf-8")  # type: ignore[arg-type]
    assert "?insert=1&q=" in script and "button.kb-insert" in script
