"""The handler's phone pages without a browser (issue 23): the inbox's one-tap 签收, the
citizen's number as a tel: link with the contact prompt only where a contact may be recorded,
the keyboard hints marked for hiding on touch screens."""

from __future__ import annotations

import re

from django.test import Client

from minsheng.tickets.models import Assignment, TicketEvent
from tests.conftest import People
from tests.factories import dispatched, in_progress, new_ticket
from tests.tickets.test_views_ticket import login


def test_the_inbox_signs_with_one_tap(people: People) -> None:
    ticket = dispatched(people)
    client = login(Client(), people.alice)
    html = client.get("/inbox/").content.decode()
    assert "更新于" in html and 'class="refresh"' in html
    sign = re.search(
        rf'<form method="post" action="/tickets/{ticket.number}/sign/" class="quick-sign">(.*?)</form>',
        html,
        re.S,
    )
    assert sign is not None and f'name="version" value="{ticket.version}"' in sign.group(1)
    response = client.post(f"/tickets/{ticket.number}/sign/", {"version": str(ticket.version)})
    assert response.status_code == 302
    assert Assignment.objects.get(ticket=ticket).state == Assignment.State.SIGNED
    # The signed ticket has left the 待签收 section: no 签收 button any more.
    assert "quick-sign" not in client.get("/inbox/").content.decode()


def test_the_number_is_a_tel_link_with_the_contact_prompt(people: People) -> None:
    ticket = in_progress(people)
    client = login(Client(), people.alice)
    html = client.get(f"/tickets/{ticket.number}/").content.decode()
    assert 'href="tel:13800138000"' in html and 'data-contact="contact-confirm"' in html
    prompt = re.search(r'<form[^>]*id="contact-confirm".*?</form>', html, re.S)
    assert prompt is not None and 'name="method" value="phone"' in prompt.group(0)
    assert 'class="keyhint"' in html  # hidden by the CSS on touch screens
    token = re.search(r'name="form_token" value="([0-9a-f-]+)"', prompt.group(0)).group(1)  # type: ignore[union-attr]
    client.post(
        f"/tickets/{ticket.number}/contact/",
        {
            "version": str(ticket.version),
            "form_token": token,
            "method": "phone",
            "note": "电话联系",
        },
    )
    assert TicketEvent.objects.filter(ticket=ticket, action="contact").count() == 1


def test_no_prompt_where_no_contact_may_be_recorded(people: People) -> None:
    ticket = new_ticket(people)  # not dispatched: the operator sees the number, calls nobody here
    client = login(Client(), people.operator)
    html = client.get(f"/tickets/{ticket.number}/").content.decode()
    assert 'href="tel:13800138000"' in html and "contact-confirm" not in html
    hidden = dispatched(people, confidential=True)
    html = login(Client(), people.alice).get(f"/tickets/{hidden.number}/").content.decode()
    assert "tel:" not in html  # a confidential citizen's number is not shown to the unit
