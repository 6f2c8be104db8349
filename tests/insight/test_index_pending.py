"""The duplicate index in a running installation: every new ticket, whatever its channel, is
marked pending by the tickets' triggers (insight migration 0002) and filed by the worker; the
desk then shows it as an earlier report of the same problem."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client

from minsheng.api.tokens import token_create
from minsheng.insight.index import index_pending, index_pending_until_done, pending_count
from minsheng.insight.models import PendingSignature, TicketSignature, TicketTerm
from minsheng.open311.services import NewRequest, client_create, service_request_create
from minsheng.tickets.models import Category, Ticket
from minsheng.worker.loop import Worker
from tests.conftest import People
from tests.factories import new_ticket
from tests.tickets.test_views_ticket import login

FIRST = {
    "title": "铭功路路灯不亮",
    "description": "孙口镇铭功路东段路灯连续三晚不亮，夜间出行不便。",
    "kind": "complaint",
    "urgency": "general",
    "channel": "hotline",
    "citizen_name": "李四",
    "citizen_phone": "13900139000",
    "affected_population": "1",
}
SECOND = "铭功路的路灯坏了好几天了，晚上黑漆漆的走路不方便"


def pending() -> set[int]:
    return set(PendingSignature.objects.values_list("ticket_id", flat=True))


def test_every_channel_marks_its_new_ticket_pending(people: People, client: Client) -> None:
    login(client, people.operator)
    assert client.post("/desk/new", FIRST).status_code == 302
    desk = Ticket.objects.get()
    _, key = token_create(user=people.operator, name="cti")
    answer = Client().post(
        "/api/v1/tickets/",
        json.dumps({k: v for k, v in FIRST.items() if k != "affected_population"}),
        content_type="application/json",
        headers={"Authorization": f"Token {key}"},
    )
    assert answer.status_code == 201, answer.content
    api = Ticket.objects.get(number=answer.json()["number"])
    app, _ = client_create(name="市民App")
    category = Category.objects.create(name="路灯", level=1, full_name="路灯")
    open311 = service_request_create(
        new=NewRequest(client=app, category=category, title="路灯", description=SECOND)
    )
    assert pending() == {desk.pk, api.pk, open311.pk}
    assert not TicketSignature.objects.exists()  # the intake itself files nothing

    assert index_pending(limit=2) == 2 and index_pending(limit=2) == 1
    assert index_pending() == 0 and pending_count() == 0
    assert set(TicketSignature.objects.values_list("ticket_id", flat=True)) == {
        desk.pk,
        api.pk,
        open311.pk,
    }


def test_a_changed_text_or_place_is_pending_again_and_refiled(people: People) -> None:
    ticket = new_ticket(people)
    index_pending_until_done()
    before = set(TicketTerm.objects.filter(ticket=ticket).values_list("term", flat=True))
    # An action that writes other columns leaves the ticket filed.
    Ticket.objects.filter(pk=ticket.pk).update(urgency="emergency")
    assert pending() == set()
    # The text changes outside the services only in this test: the triggers follow any change.
    Ticket.objects.filter(pk=ticket.pk).update(description="小区物业乱收停车费，每月三百元")
    assert pending() == {ticket.pk}
    assert index_pending_until_done() == 1
    after = set(TicketTerm.objects.filter(ticket=ticket).values_list("term", flat=True))
    assert after and after != before and pending() == set()


def test_a_ticket_deleted_before_the_worker_only_loses_its_pending_row(people: People) -> None:
    ticket = new_ticket(people)
    kept = new_ticket(people)
    Ticket.objects.filter(pk=ticket.pk).delete()
    assert index_pending() == 2
    assert pending() == set()
    assert list(TicketSignature.objects.values_list("ticket_id", flat=True)) == [kept.pk]


def test_a_pass_files_a_big_backlog_a_few_batches_at_a_time(people: People) -> None:
    tickets = [new_ticket(people, description=f"路灯不亮第{n}次") for n in range(5)]
    assert index_pending_until_done(limit=2, batches=2) == 4
    assert pending() == {tickets[-1].pk}
    assert index_pending_until_done(limit=2, batches=2) == 1


def test_the_command_files_what_is_missing_and_clears_the_queue(people: People) -> None:
    tickets = [new_ticket(people, description=f"路灯不亮第{n}次") for n in range(3)]
    out = StringIO()
    call_command("insight_index", stdout=out)
    assert "3" in out.getvalue() and pending() == set()
    assert TicketSignature.objects.count() == len(tickets)
    out = StringIO()
    call_command("insight_index", stdout=out)  # idempotent: nothing left to file
    assert "已索引工单 0 件" in out.getvalue()


def test_the_triggers_exist_after_every_migration(db: None) -> None:
    """On SQLite a migration that rebuilds tickets_ticket drops its triggers: such a migration
    must create them again (insight migration 0002, `create_triggers`)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'tickets_ticket'"
            )
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'tickets_ticket'::regclass"
            )
        names = {row[0] for row in cursor.fetchall()}
    assert {"insight_pendingsignature_insert", "insight_pendingsignature_update"} <= names


def test_a_call_taken_at_the_desk_is_a_duplicate_candidate_after_one_worker_pass(
    people: People, client: Client
) -> None:
    """End to end: the first call through the desk form, one pass of the worker, then the
    second call's "same problem" panel lists the first."""
    login(client, people.operator)
    response = client.post("/desk/new", FIRST)
    assert response.status_code == 302
    first = Ticket.objects.get()
    similar = {"text": SECOND, "title": "路灯坏了"}
    before = client.post("/desk/similar", similar).content.decode()
    assert first.number not in before  # not filed yet: the worker has not been

    Worker(batch=50).run_once()

    html = client.post("/desk/similar", similar).content.decode()
    by_text = html.split("同地点近期工单")[0]  # the text panel, before the same-place list
    assert "内容相似的未办结工单" in by_text and first.number in by_text, html
    assert pending() == set()


@pytest.mark.django_db(transaction=True)
def test_a_committed_intake_is_filed_by_the_worker(people: People) -> None:
    """With real commits (the worker sees only what an intake committed)."""
    ticket = new_ticket(people)
    assert pending() == {ticket.pk}
    assert Worker(batch=50).run_once() >= 1
    assert TicketSignature.objects.filter(ticket=ticket).exists() and pending() == set()
