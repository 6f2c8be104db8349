"""The desk form is taken in once: a one-time token rendered into each form is kept with the
ticket it made (tickets.IntakeToken), so a resent form (a network retry, a double click) leads
to that ticket instead of a second one, also when the copies arrive at the same moment."""

from __future__ import annotations

import re
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from minsheng.tickets import actions
from minsheng.tickets.errors import InvalidInput, NotAllowed
from minsheng.tickets.models import IntakeToken, Ticket, TicketEvent
from tests.conftest import People, make_user, run_together
from tests.tickets.test_views_desk import intake_data
from tests.tickets.test_views_ticket import login

TOKEN_RE = re.compile(r'name="form_token" value="([0-9a-f-]{36})"')


def token_of(html: str) -> str:
    match = TOKEN_RE.search(html)
    assert match, "the desk form carries no token"
    return match.group(1)


def desk_form(client: Client) -> dict[str, str]:
    """What the desk's form posts: the call, and the token the page rendered."""
    return intake_data(form_token=token_of(client.get("/desk/new").content.decode()))


def test_every_form_shown_has_a_token_of_its_own(people: People, client: Client) -> None:
    login(client, people.operator)
    first, second = desk_form(client)["form_token"], desk_form(client)["form_token"]
    assert first != second
    refused = client.post("/desk/new", intake_data(form_token=first, citizen_phone="12345"))
    assert refused.status_code == 400
    assert token_of(refused.content.decode()) not in (first, second)


def test_the_same_form_sent_twice_makes_one_ticket(people: People, client: Client) -> None:
    login(client, people.operator)
    data = desk_form(client)
    first = client.post("/desk/new", data)
    again = client.post("/desk/new", data, follow=True)
    ticket = Ticket.objects.get()
    assert first.status_code == 302 and first["Location"] == f"/tickets/{ticket.number}/"
    assert again.redirect_chain == [(f"/tickets/{ticket.number}/", 302)]
    assert "该表单已受理过" in again.content.decode() and "未重复建单" in again.content.decode()
    assert IntakeToken.objects.get().ticket == ticket
    assert TicketEvent.objects.filter(action="intake").count() == 1
    # The repeat took no number: the day's numbers stay gapless.
    client.post("/desk/new", desk_form(client))
    latest = Ticket.objects.exclude(pk=ticket.pk).get()
    assert int(latest.number) == int(ticket.number) + 1


def test_a_changed_form_under_an_old_token_is_refused_not_answered(
    people: People, client: Client
) -> None:
    login(client, people.operator)
    data = desk_form(client)
    client.post("/desk/new", data)
    first = Ticket.objects.get()
    # Back in the browser, another call typed over the old form, sent with its old token.
    changed = {**data, "title": "停水", "description": "前王集村停水两天。"}
    response = client.post("/desk/new", changed)
    html = response.content.decode()
    assert response.status_code == 400
    assert f"此表单已受理为工单 {first.number}" in html and "未新建工单" in html
    assert 'value="停水"' in html  # what was typed stays
    assert Ticket.objects.count() == 1
    # The form shown again has a token of its own: sending it takes the new call in.
    response = client.post("/desk/new", {**changed, "form_token": token_of(html)})
    assert response.status_code == 302
    assert Ticket.objects.filter(title="停水").exists() and Ticket.objects.count() == 2


def test_a_refused_form_keeps_no_token(people: People, client: Client) -> None:
    login(client, people.operator)
    data = desk_form(client)
    assert client.post("/desk/new", {**data, "citizen_phone": "12345"}).status_code == 400
    assert not IntakeToken.objects.exists()
    # The corrected form under the same token is taken in.
    assert client.post("/desk/new", data).status_code == 302
    assert Ticket.objects.count() == 1


def test_a_mangled_token_is_a_chinese_error(people: People, client: Client) -> None:
    login(client, people.operator)
    for token in ["not-a-uuid", "x" * 500, "'; DROP TABLE tickets_ticket; --"]:
        response = client.post("/desk/new", intake_data(form_token=token))
        assert response.status_code == 400
        assert "表单已失效，请核对后重新提交" in response.content.decode()
    assert not Ticket.objects.exists()
    # A page without a token (from before tokens) still takes the call in.
    assert client.post("/desk/new", intake_data()).status_code == 302


def test_a_token_is_its_operators_own(people: People, client: Client) -> None:
    login(client, people.operator)
    data = desk_form(client)
    client.post("/desk/new", data)
    other = Client()
    login(other, make_user("olive", people.org.hotline, "operator"))
    response = other.post("/desk/new", data)
    assert response.status_code == 400 and "此表单已由他人提交过" in response.content.decode()
    assert Ticket.objects.count() == 1


def test_a_refused_intake_writes_nothing(people: People) -> None:
    """The token is looked up, the input checked, and nothing is written."""
    with CaptureQueriesContext(connection) as captured, pytest.raises(InvalidInput):
        actions.ticket_intake_once(
            actor=people.operator,
            form_token=uuid.uuid4(),
            channel="hotline",
            kind="complaint",
            title="路灯不亮",
            description="",
        )
    writes = [q["sql"] for q in captured if q["sql"].split()[0] in ("INSERT", "UPDATE", "DELETE")]
    assert writes == []
    with pytest.raises(NotAllowed):  # not an intake role: refused before any lookup
        actions.ticket_intake_once(
            actor=people.alice,
            form_token=uuid.uuid4(),
            channel="hotline",
            kind="complaint",
            title="路灯不亮",
            description="路灯不亮",
        )


@pytest.mark.django_db(transaction=True)
def test_copies_sent_at_the_same_moment_make_one_ticket(people: People) -> None:
    """A double click: the same form twice at once, each on its own connection."""
    clients = [login(Client(), people.operator) for _ in range(2)]
    data = desk_form(clients[0])
    responses = run_together(*[lambda c=c: c.post("/desk/new", data) for c in clients])
    ticket = Ticket.objects.get()
    assert [r.status_code for r in responses] == [302, 302]
    assert {r["Location"] for r in responses} == {f"/tickets/{ticket.number}/"}
    assert IntakeToken.objects.get().ticket_id == ticket.pk


@pytest.mark.django_db(transaction=True)
def test_the_service_takes_a_token_in_once_under_concurrency(people: People) -> None:
    token = uuid.uuid4()

    def take() -> actions.Intake:
        return actions.ticket_intake_once(
            actor=people.operator,
            form_token=token,
            channel="hotline",
            kind="complaint",
            title="路灯不亮",
            description="村口路灯三晚不亮。",
        )

    results = run_together(take, take, take)
    ticket = Ticket.objects.get()
    assert {r.ticket.pk for r in results} == {ticket.pk}
    assert sorted(r.repeated for r in results) == [False, True, True]
