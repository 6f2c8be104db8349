"""What a unit sees of a ticket that was taken from it (issue 18 finding 8), and of a
confidential ticket's free text (finding 5): no citizen, masked text, only its own history —
on the ticket page and in the API."""

from __future__ import annotations

import json

from django.test import Client

from minsheng.tickets import actions
from minsheng.tickets.models import Ticket
from tests.api.conftest import Apis
from tests.conftest import People
from tests.factories import dispatched
from tests.tickets.test_views_ticket import login

PHONE = "13912345678"
ID_NUMBER = "110101199003078515"


def reassigned_away(people: People) -> Ticket:
    ticket = dispatched(
        people,
        citizen_name="王建国",
        description=f"王建国反映路灯不亮，回电 {PHONE}，身份证 {ID_NUMBER}。",
    )
    actions.ticket_sign(ticket=ticket, actor=people.alice)
    actions.ticket_progress(ticket=ticket, actor=people.alice, note="已到现场查看")
    return actions.ticket_reassign(
        ticket=ticket, actor=people.dispatcher, lead_unit=people.org.houmiao, note="属侯庙镇"
    )


def test_a_unit_the_ticket_was_reassigned_from_sees_no_citizen(
    people: People, client: Client
) -> None:
    ticket = reassigned_away(people)
    html = login(client, people.alice).get(f"/tickets/{ticket.number}/").content.decode()
    assert PHONE not in html and "13800138000" not in html and ID_NUMBER not in html
    assert "王建国" not in html and "王**" in html
    assert "已到现场查看" in html  # its own part of the history
    assert "属侯庙镇" not in html  # the dispatcher's note to the new unit is not its part


def test_the_new_unit_sees_everything(people: People, client: Client) -> None:
    ticket = reassigned_away(people)
    html = login(client, people.bob).get(f"/tickets/{ticket.number}/").content.decode()
    assert PHONE in html and "王建国" in html


def test_the_api_hides_the_same_from_the_former_unit(people: People, apis: Apis) -> None:
    ticket = reassigned_away(people)
    body = apis.alice.get(f"tickets/{ticket.number}/").body
    flat = json.dumps(body, ensure_ascii=False)
    assert body["citizen"]["hidden"] is True
    assert PHONE not in flat and ID_NUMBER not in flat and "王建国" not in flat
    assert all(e.get("note") != "属侯庙镇" for e in body["timeline"])


def test_a_confidential_tickets_text_is_masked_for_the_unit(
    people: People, client: Client, apis: Apis
) -> None:
    ticket = dispatched(
        people,
        confidential=True,
        citizen_name="李秀英",
        title=f"举报违建 {PHONE}",
        description=f"李秀英举报，电话 {PHONE}，请保密。",
    )
    html = login(client, people.alice).get(f"/tickets/{ticket.number}/").content.decode()
    assert PHONE not in html and "李秀英" not in html
    flat = json.dumps(apis.alice.get(f"tickets/{ticket.number}/").body, ensure_ascii=False)
    assert PHONE not in flat and "李秀英" not in flat
    operator = login(Client(), people.operator).get(f"/tickets/{ticket.number}/")
    assert PHONE in operator.content.decode()  # the hotline reads it as typed


TITLE = f"王建国 {PHONE} 举报邻居"


def test_lists_mask_a_confidential_title_for_the_unit(people: People, client: Client) -> None:
    ticket = dispatched(people, confidential=True, citizen_name="王建国", title=TITLE)
    login(client, people.alice)
    pages = [
        "/inbox/",
        "/tickets/",
        f"/tickets/?number={ticket.number}",
        "/deadlines/due/?hours=720",
    ]
    for url in pages:
        html = client.get(url).content.decode()
        assert ticket.number in html, url
        assert PHONE not in html and "王建国" not in html, url
        assert "王**" in html, url


def test_search_masks_the_title_for_a_former_unit(people: People, client: Client) -> None:
    ticket = reassigned_away(people)
    Ticket.objects.filter(pk=ticket.pk).update(title=TITLE)
    html = login(client, people.alice).get("/tickets/").content.decode()
    assert ticket.number in html
    assert PHONE not in html and "王建国" not in html and "王**" in html
    html = login(client, people.bob).get("/tickets/").content.decode()
    assert PHONE in html and "王建国" in html  # the unit holding it reads it as typed


def test_the_hotline_reads_a_confidential_title_as_typed(people: People, client: Client) -> None:
    dispatched(people, confidential=True, citizen_name="王建国", title=TITLE)
    html = login(client, people.dispatcher).get("/tickets/").content.decode()
    assert TITLE in html
