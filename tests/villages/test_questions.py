"""Villagers' questions (质询/异议): from a proven phone, a question about a published item is a
ticket dispatched straight to the village committee, with the configured answer deadline; the
committee's reply (through tickets.actions) appears under the item; what is refused writes
nothing."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import quote

import pytest
from django.test import Client

from minsheng.notify.models import Outbox
from minsheng.org.models import Role, Unit
from minsheng.portal.models import Receipt
from minsheng.tickets import actions
from minsheng.tickets.models import Channel, Kind, Status, Ticket
from minsheng.villages.errors import InvalidInput, InvalidTransition
from minsheng.villages.models import Event, Item, Question
from minsheng.villages.services import items
from minsheng.villages.services.questions import question_ask
from tests.conftest import make_user
from tests.villages.public_helpers import SUNKOU, VILLAGE, WHARF, committee, places, published

pytestmark = pytest.mark.django_db

PHONE = "13912345678"


def last_code(phone: str) -> str:
    row = Outbox.objects.filter(recipient=phone, template="portal_code_sms").order_by("-id").first()
    assert row is not None, "no code was sent"
    return str(row.context["code"])


def prove(client: Client, phone: str = PHONE, next_url: str = "") -> str:
    """Prove the phone as a villager does on /h5/verify/village/; returns where it went on."""
    url = "/h5/verify/village/" + (f"?next={quote(next_url)}" if next_url else "")
    response = client.post(url, {"step": "send", "phone": phone})
    assert response.status_code == 200, response.content.decode()[:500]
    response = client.post(url, {"step": "check", "phone": phone, "code": last_code(phone)})
    assert response.status_code == 302, response.content.decode()[:2000]
    return str(response["Location"])


def ask(client: Client, item: Item, text: str, kind: str = "query", key: str = "k" * 32):  # type: ignore[no-untyped-def]
    return client.post(
        f"/h5/villages/{VILLAGE}/items/{item.pk}/",
        {"kind": kind, "text": text, "submission_key": key},
    )


@pytest.fixture
def board_item(db: None) -> Item:
    places()
    return published("2026年11月财务收支", section="finance", body="本月收支如下。")


def test_a_question_is_a_ticket_to_the_village_committee(client: Client, board_item: Item) -> None:
    unit = committee()
    item_url = f"/h5/villages/{VILLAGE}/items/{board_item.pk}/"
    html = client.get(item_url).content.decode()
    assert "我要质询" in html and "/h5/verify/village/?next=" in html
    # Asking before the phone is proven goes to the proof first, and back here after it.
    response = ask(client, board_item, "修路的钱花到哪里去了？")
    assert response.status_code == 302 and response["Location"].startswith("/h5/verify/village/")
    assert prove(client, next_url=f"{item_url}#ask") == f"{item_url}#ask"
    assert 'name="text"' in client.get(item_url).content.decode()

    response = ask(
        client, board_item, "村道路灯维修花了1280元，换了几盏灯？请说明。", kind="objection"
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    ticket = Ticket.objects.get()
    assert response["Location"] == f"{item_url}receipt/{ticket.number}/"
    receipt = client.get(response["Location"]).content.decode()
    assert ticket.number in receipt and "查询码" in receipt and "返回公开事项" in receipt

    assert ticket.channel == Channel.H5 and ticket.kind == Kind.COMPLAINT
    assert ticket.status == Status.DISPATCHED and ticket.lead_unit == unit
    assert ticket.citizen_phone == PHONE
    assert ticket.division_id == VILLAGE
    assert ticket.category is not None
    assert ticket.category.full_name == "村务基层治理/村务管理/村务公开质询"
    assert ticket.title == "村道路灯维修花了1280元，换了几盏灯？请说明。"
    assert "孙口村" in ticket.description and "2026年11月财务收支" in ticket.description
    assert "换了几盏灯" in ticket.description and "异议" in ticket.description
    # The answer deadline: 5 days from the dispatch.
    assert ticket.dispatched_at is not None and ticket.reply_due is not None
    assert ticket.reply_due - ticket.dispatched_at == dt.timedelta(days=5)
    question = Question.objects.get()
    assert question.item == board_item and question.ticket == ticket
    assert question.kind == "objection"
    event = Event.objects.get(verb="questioned")
    assert event.subject_id == board_item.pk and event.data["ticket"] == ticket.number
    assert PHONE not in str(event.data) and PHONE not in event.note
    assert Receipt.objects.filter(ticket=ticket).exists()
    assert Outbox.objects.filter(template="portal_receipt_sms", recipient=PHONE).exists()

    # Under the item: the question, waiting for its answer; the phone nowhere.
    page = client.get(item_url).content.decode()
    due = ticket.reply_due.astimezone(dt.timezone(dt.timedelta(hours=8))).date()
    assert f"待答复，答复期限 {due.isoformat()}" in page
    assert "换了几盏灯" in page and ticket.number in page
    assert PHONE not in re.sub(r"\s", "", page)
    # The ticket is the citizen's like a report: in 我的诉求 and trackable.
    assert ticket.number in client.get("/h5/mine/").content.decode()


def test_the_committees_reply_appears_under_the_item(client: Client, board_item: Item) -> None:
    unit = committee()
    handler = make_user("cun-handler", unit, Role.HANDLER)
    question = question_ask(
        item=board_item, kind="query", text="本月保洁员工资发给了谁？", phone=PHONE
    )
    ticket = actions.ticket_sign(ticket=question.ticket, actor=handler)
    ticket = actions.ticket_contact(ticket=ticket, actor=handler, method="phone", note="已电话联系")
    actions.ticket_reply(
        ticket=ticket,
        actor=handler,
        result="explained",
        content="保洁员工资按月发放给本村两名保洁员，如有疑问请致电 13800138000 村委会。",
    )
    page = client.get(f"/h5/villages/{VILLAGE}/items/{board_item.pk}/").content.decode()
    assert "村委会答复" in page and "按月发放给本村两名保洁员" in page
    assert "13800138000" not in page  # the reply is masked as the public reads it
    assert "待答复" not in page
    assert "本月保洁员工资发给了谁" in page


def test_without_a_village_committee_the_township_answers(board_item: Item) -> None:
    township = Unit.objects.create(
        code="tq-sunkou", name="孙口镇人民政府", kind=Unit.Kind.TOWNSHIP, division_id=SUNKOU
    )
    Unit.objects.create(  # a station of the township serves the same division: not it
        code="tq-sunkou-nyz", name="孙口镇农业服务中心", kind=Unit.Kind.STATION, division_id=SUNKOU
    )
    question = question_ask(item=board_item, kind="query", text="这笔钱是哪里来的？", phone=PHONE)
    assert question.ticket.lead_unit == township
    assert question.ticket.kind == Kind.CONSULTATION


def test_the_answer_deadline_follows_the_setting(board_item: Item, settings) -> None:  # type: ignore[no-untyped-def]
    committee()
    first = question_ask(item=board_item, kind="query", text="第一个问题问一下。", phone=PHONE)
    settings.MINSHENG_VILLAGE_QUESTION_DAYS = 7
    second = question_ask(item=board_item, kind="objection", text="第二个问题问一下。", phone=PHONE)
    for question, days in ((first, 5), (second, 7)):
        t = question.ticket
        assert t.reply_due is not None and t.dispatched_at is not None
        assert t.reply_due - t.dispatched_at == dt.timedelta(days=days)


def test_an_unpublished_item_is_refused(client: Client) -> None:
    places()
    committee()
    draft = items.create_draft(
        village_code=VILLAGE,
        section="affairs",
        title="草稿",
        period_kind="month",
        period_day=dt.date(2026, 11, 1),
        body="",
        actor=None,
    )
    with pytest.raises(InvalidTransition, match="只能对已公开的事项提出质询"):
        question_ask(item=draft, kind="query", text="这是什么草稿？", phone=PHONE)
    prove(client)
    assert ask(client, draft, "这是什么草稿？").status_code == 404
    assert not Ticket.objects.exists() and not Question.objects.exists()


def test_a_bad_phone_code_or_text_is_refused_in_chinese_and_saves_nothing(
    client: Client, board_item: Item
) -> None:
    committee()
    response = client.post("/h5/verify/village/", {"step": "send", "phone": "12345"})
    assert response.status_code == 400 and "请填写 11 位手机号码。" in response.content.decode()
    client.post("/h5/verify/village/", {"step": "send", "phone": PHONE})
    wrong = "000000" if last_code(PHONE) != "000000" else "111111"
    response = client.post("/h5/verify/village/", {"step": "check", "phone": PHONE, "code": wrong})
    assert response.status_code == 400 and "验证码不正确" in response.content.decode()
    # Still not proven: the question goes to the proof, nothing is taken.
    response = ask(client, board_item, "修路的钱花到哪里去了？")
    assert response.status_code == 302 and "/h5/verify/village/" in response["Location"]
    with pytest.raises(InvalidInput, match="请填写 11 位手机号码"):
        question_ask(item=board_item, kind="query", text="修路的钱花到哪里去了？", phone="110")
    with pytest.raises(InvalidInput, match="请选择质询或异议"):
        question_ask(item=board_item, kind="praise", text="修路的钱花到哪里去了？", phone=PHONE)
    client.post("/h5/verify/village/", {"step": "check", "phone": PHONE, "code": last_code(PHONE)})
    response = ask(client, board_item, "钱？")
    assert response.status_code == 400 and "至少 5 个字" in response.content.decode()
    response = ask(client, board_item, "长" * 1001)
    assert response.status_code == 400 and "1000 字以内" in response.content.decode()
    assert not Ticket.objects.exists() and not Question.objects.exists()
    assert not Event.objects.filter(verb="questioned").exists()


def test_a_resent_form_is_one_question(client: Client, board_item: Item) -> None:
    committee()
    prove(client)
    first = ask(client, board_item, "修路的钱花到哪里去了？", key="a" * 32)
    again = ask(client, board_item, "修路的钱花到哪里去了？", key="a" * 32)
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    assert Ticket.objects.count() == Question.objects.count() == 1


def test_a_question_with_a_sensitive_word_is_held_or_refused(
    client: Client, board_item: Item, settings
) -> None:  # type: ignore[no-untyped-def]
    committee()
    settings.MINSHENG_SENSITIVE_WORDS = ["赌博"]
    prove(client)
    assert (
        ask(client, board_item, "村干部晚上在村委会赌博，钱从哪来？", key="b" * 32).status_code
        == 302
    )
    page = client.get(f"/h5/villages/{VILLAGE}/items/{board_item.pk}/").content.decode()
    assert "赌博" not in page and "内容待核实" in page
    settings.MINSHENG_SENSITIVE_ACTION = "refuse"
    response = ask(client, board_item, "村里有人赌博，村委会管不管？", key="c" * 32)
    assert response.status_code == 400 and "不宜使用的词语" in response.content.decode()
    assert Question.objects.count() == 1


def test_questions_are_per_item_and_per_village(client: Client, board_item: Item) -> None:
    committee()
    committee(WHARF)
    other = published("孙码头村财务", village=WHARF, section="finance")
    question_ask(item=board_item, kind="query", text="孙口村的问题一个。", phone=PHONE)
    question_ask(item=other, kind="query", text="孙码头村的问题一个。", phone=PHONE)
    page = client.get(f"/h5/villages/{VILLAGE}/items/{board_item.pk}/").content.decode()
    assert "孙口村的问题一个" in page and "孙码头村的问题一个" not in page
    assert Ticket.objects.get(village_question__item=other).lead_unit.division_id == WHARF  # type: ignore[union-attr]
