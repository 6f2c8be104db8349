"""Idempotency-Key: a repeat gets the first answer and creates nothing; a different request with
the same key is refused; a refused action does not use the key up."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from minsheng.api.idempotency import purge_expired
from minsheng.api.models import IdempotencyRecord
from minsheng.api.tokens import token_create
from minsheng.tickets.models import Ticket, TicketEvent
from tests.api.conftest import INTAKE, Api, Apis, error_code
from tests.conftest import People, run_together
from tests.factories import dispatched, in_progress


def test_a_repeated_intake_returns_the_first_answer_and_creates_nothing(apis: Apis) -> None:
    first = apis.operator.post("tickets/", INTAKE, key="call-20241105-0001")
    again = apis.operator.post("tickets/", INTAKE, key="call-20241105-0001")
    assert first.status == again.status == 201
    assert again.body == first.body
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert Ticket.objects.count() == 1
    assert IdempotencyRecord.objects.get().status_code == 201


def test_a_repeated_action_is_not_done_twice(apis: Apis, people: People) -> None:
    ticket = dispatched(people)
    first = apis.alice.act(ticket.number, "sign", {}, key="sign-1")
    again = apis.alice.act(ticket.number, "sign", {}, key="sign-1")
    assert first.status == again.status == 200
    assert again.body == first.body
    assert TicketEvent.objects.filter(ticket=ticket, action="sign").count() == 1
    # Without the key, the same request is simply refused: the assignment is signed already.
    assert apis.alice.act(ticket.number, "sign", {}).status == 409


def test_the_same_key_with_another_body_is_422(apis: Apis) -> None:
    apis.operator.post("tickets/", INTAKE, key="k-1")
    answer = apis.operator.post("tickets/", {**INTAKE, "title": "另一件事"}, key="k-1")
    assert answer.status == 422
    assert error_code(answer) == "idempotency_key_reused"
    assert answer.body["error"]["field"] == "Idempotency-Key"
    assert Ticket.objects.count() == 1


def test_the_same_key_on_another_endpoint_is_422(apis: Apis, people: People) -> None:
    ticket = dispatched(people)
    apis.alice.act(ticket.number, "sign", {}, key="k-2")
    answer = apis.alice.act(ticket.number, "contact", {"method": "phone"}, key="k-2")
    assert answer.status == 422


def test_key_order_and_spacing_of_the_body_do_not_matter(apis: Apis) -> None:
    apis.operator.post("tickets/", INTAKE, key="k-3")
    reordered = dict(reversed(list(INTAKE.items())))
    answer = apis.operator.post("tickets/", reordered, key="k-3")
    assert answer.status == 201 and answer.headers["Idempotent-Replayed"] == "true"


def test_a_refused_action_does_not_use_up_the_key(apis: Apis, people: People) -> None:
    ticket = in_progress(people)
    body = {"result": "resolved", "content": "已修复"}
    refused = apis.alice.act(ticket.number, "reply", body, key="reply-1")
    assert refused.status == 409  # the citizen was not contacted yet
    assert not IdempotencyRecord.objects.exists()
    apis.alice.act(ticket.number, "contact", {"method": "phone"})
    done = apis.alice.act(ticket.number, "reply", body, key="reply-1")
    assert done.status == 200 and done.body["status"] == "replied"
    assert "Idempotent-Replayed" not in done.headers


def test_an_invalid_body_does_not_use_up_the_key(apis: Apis) -> None:
    assert apis.operator.post("tickets/", {**INTAKE, "kind": "?"}, key="k-4").status == 400
    assert apis.operator.post("tickets/", INTAKE, key="k-4").status == 201


def test_keys_belong_to_their_user(apis: Apis, people: People) -> None:
    assert apis.operator.post("tickets/", INTAKE, key="shared").status == 201
    assert apis.dispatcher.post("tickets/", INTAKE, key="shared").status == 201
    assert Ticket.objects.count() == 2
    # Another token of the same user shares the user's keys.
    other = Api(Client(), token_create(user=people.operator)[1])
    replay = other.post("tickets/", INTAKE, key="shared")
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert Ticket.objects.count() == 2


@pytest.mark.parametrize("key", ["", "   ", "x" * 201, "键"])
def test_a_malformed_key_is_400(apis: Apis, key: str) -> None:
    client = apis.operator.client
    response = client.post(
        "/api/v1/tickets/",
        INTAKE,
        content_type="application/json",
        headers={"Authorization": apis.operator.authorization or "", "Idempotency-Key": key},
    )
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "Idempotency-Key"
    assert Ticket.objects.count() == 0


def test_an_expired_key_is_a_new_key(apis: Apis, settings: Any) -> None:
    settings.API_IDEMPOTENCY_HOURS = 24
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        apis.operator.post("tickets/", INTAKE, key="old")
    with time_machine.travel(start + dt.timedelta(hours=25), tick=False):
        answer = apis.operator.post("tickets/", INTAKE, key="old")
        assert answer.status == 201 and "Idempotent-Replayed" not in answer.headers
    assert Ticket.objects.count() == 2


def test_purge_deletes_expired_records_only(apis: Apis) -> None:
    start = timezone.now()
    with time_machine.travel(start - dt.timedelta(hours=30), tick=False):
        apis.operator.post("tickets/", INTAKE, key="old")
    apis.operator.post("tickets/", INTAKE, key="new")
    assert purge_expired() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]


@pytest.mark.django_db(transaction=True)
def test_two_requests_with_one_key_at_once_execute_once(people: People) -> None:
    """Both start together; one executes, the other replays its answer (or is told to wait)."""
    _, key = token_create(user=people.operator)
    answers = run_together(*[lambda: Api(Client(), key).post("tickets/", INTAKE, key="race")] * 2)
    assert sorted(a.status for a in answers) in ([201, 201], [201, 409])
    assert Ticket.objects.count() == 1
    if [a.status for a in answers] == [201, 201]:
        assert answers[0].body == answers[1].body
    else:
        assert error_code(next(a for a in answers if a.status == 409)) == "idempotency_in_progress"
