"""The acceptance scenario on the demo county, through the real views with the test client:
call → desk → dispatch to 孙口镇 → sign, contact, reply → callback "satisfied" → closed."""

from __future__ import annotations

import re

from django.test import Client

from minsheng.org.demo import seed_demo
from minsheng.tickets.catalogue import load_categories
from minsheng.tickets.models import Category, Status, Ticket
from tests.conftest import PASSWORD

SUNKOU = "410927102000"


def as_user(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD), username
    return client


def post_action(client: Client, number: str, action: str, **data: str) -> None:
    version = Ticket.objects.values_list("version", flat=True).get(number=number)
    response = client.post(f"/tickets/{number}/{action}/", {"version": str(version), **data})
    assert response.status_code == 302, (action, response.content.decode()[:2000])


def test_a_call_from_desk_to_closed(db: None) -> None:
    seed_demo(password=PASSWORD)
    load_categories()  # the hotline tree
    category = Category.objects.get(full_name="市政公用/路灯/路灯不亮")

    # 1. The operator takes the call.
    operator = as_user("operator")
    desk = operator.get("/desk/new?caller=13800000000").content.decode()
    assert 'value="13800000000"' in desk and "孙口镇" in desk
    response = operator.post(
        "/desk/new",
        {
            "title": "村口路灯不亮",
            "description": "孙口镇村口路灯连续三晚不亮，夜间出行不便。",
            "kind": "complaint",
            "urgency": "general",
            "channel": "hotline",
            "citizen_name": "王五",
            "citizen_phone": "13800000000",
            "township": SUNKOU,
            "address": "村口十字路",
            "category": str(category.pk),
            "affected_population": "30",
        },
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/tickets/{ticket.number}/"
    assert ticket.status == Status.NEW and ticket.division_id == SUNKOU
    assert ticket.number in operator.get(response["Location"]).content.decode()

    # 2. The dispatcher sends it to 孙口镇人民政府.
    dispatcher = as_user("dispatcher")
    queue = dispatcher.get("/dispatch/").content.decode()
    assert ticket.number in queue
    post_action(
        dispatcher, ticket.number, "dispatch", lead_unit="sunkou", instructions="请尽快修复"
    )

    # 3. 孙口镇's handler signs, contacts the citizen, replies.
    handler = as_user("h-sunkou")
    assert ticket.number in handler.get("/inbox/").content.decode()
    post_action(handler, ticket.number, "sign")
    post_action(handler, ticket.number, "contact", method="phone", note="已电话联系王五")
    post_action(
        handler, ticket.number, "reply", result="resolved", content="已更换路灯灯泡，恢复照明。"
    )
    assert as_user("h-houmiao").get(f"/tickets/{ticket.number}/").status_code == 404

    # 4. The operator calls back: satisfied, and the ticket closes.
    assert ticket.number in operator.get("/callbacks/").content.decode()
    post_action(
        operator, ticket.number, "callback", reached="yes", resolved="yes", satisfaction="satisfied"
    )
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED and ticket.satisfaction == "satisfied"

    # 5. The page shows every step, in order.
    html = operator.get(f"/tickets/{ticket.number}/").content.decode()
    labels = re.findall(r'class="action-label">([^<]+)<', html)
    assert labels == ["受理", "派单", "签收", "联系诉求人", "答复", "回访"]
    assert "已办结" in html and "孙口镇人民政府" in html and "已更换路灯灯泡" in html
