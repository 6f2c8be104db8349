"""POST /tickets/{number}/{action}/: each action's success, and its refusals — 409 in the wrong
state, 403 for the wrong person, 400 for a bad body, 404 outside the caller's scope."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from minsheng.api.actions import ACTIONS
from minsheng.tickets import actions
from minsheng.tickets.models import Assignment, Ticket
from tests.api.conftest import Api, Apis, error_code
from tests.conftest import People
from tests.factories import dispatched, in_progress, new_ticket, replied

State = Callable[[People], Ticket]


def contacted(people: People) -> Ticket:
    ticket = in_progress(people)
    return actions.ticket_contact(ticket=ticket, actor=people.alice, method="phone")


def returned(people: People) -> Ticket:
    return actions.ticket_return(ticket=dispatched(people), actor=people.alice, reason="不归我们")


def extension_pending(people: People) -> Ticket:
    ticket = in_progress(people)
    actions.ticket_extension_request(ticket=ticket, actor=people.alice, days=3, reason="缺配件")
    return Ticket.objects.get(pk=ticket.pk)


def unsatisfied(people: People) -> Ticket:
    ticket = replied(people)
    return actions.ticket_callback(
        ticket=ticket,
        actor=people.operator,
        reached=True,
        resolved=False,
        satisfaction="unsatisfied",
    )


def consultation(people: People) -> Ticket:
    return new_ticket(people, kind="consultation")


def _later() -> str:
    return (timezone.now() + dt.timedelta(days=2)).isoformat()


# (action, state, who, body, expected status of the ticket afterwards)
SUCCESSES: list[tuple[str, State, str, dict[str, Any], str]] = [
    (
        "dispatch",
        new_ticket,
        "dispatcher",
        {"lead_unit": "sunkou", "assisting_units": ["houmiao"]},
        "dispatched",
    ),
    ("sign", dispatched, "alice", {}, "in_progress"),
    ("return", dispatched, "alice", {"reason": "该事项不属本镇"}, "returned"),
    (
        "decompose",
        in_progress,
        "alice",
        {"units": ["sunkou-nc1"], "instructions": "请中队现场处理"},
        "in_progress",
    ),
    ("contact", in_progress, "alice", {"method": "phone", "note": "已电话联系"}, "in_progress"),
    ("progress", in_progress, "alice", {"note": "已派人查看", "public": True}, "in_progress"),
    ("extend", in_progress, "alice", {"days": 3, "reason": "需采购配件"}, "in_progress"),
    (
        "reply",
        contacted,
        "alice",
        {"result": "partly_resolved", "content": "已修复一半"},
        "replied",
    ),
    (
        "callback",
        replied,
        "operator",
        {"reached": True, "resolved": True, "satisfaction": "basically_satisfied"},
        "closed",
    ),
    ("reopen", unsatisfied, "operator", {"note": "请重新办理"}, "dispatched"),
    ("close", replied, "operator", {"note": "多次回访未接通"}, "closed"),
    (
        "return-accept",
        returned,
        "dispatcher",
        {"lead_unit": "houmiao", "note": "改派侯庙镇"},
        "dispatched",
    ),
    ("return-refuse", returned, "dispatcher", {"note": "属地管理"}, "dispatched"),
    ("extension-approve", extension_pending, "dispatcher", {}, "in_progress"),
    ("extension-refuse", extension_pending, "dispatcher", {"note": "请按期办结"}, "in_progress"),
    ("reassign", dispatched, "dispatcher", {"lead_unit": "houmiao"}, "dispatched"),
    ("add-assisting", dispatched, "dispatcher", {"unit": "houmiao"}, "dispatched"),
    ("supervise", dispatched, "supervisor", {"note": "限期办结", "due_at": "LATER"}, "dispatched"),
    ("remind", dispatched, "supervisor", {"note": "请尽快签收"}, "dispatched"),
    ("direct-answer", consultation, "operator", {"answer": "办理时间为工作日。"}, "closed"),
    ("emergency-transfer", new_ticket, "operator", {"to": "119"}, "transferred"),
    (
        "legal-channel",
        new_ticket,
        "operator",
        {"channel": "petition", "note": "请走信访途径"},
        "closed",
    ),
]


def test_every_action_has_a_success_case() -> None:
    assert {a.name for a in ACTIONS} == {case[0] for case in SUCCESSES} | {"merge"}


@pytest.mark.parametrize(
    ("action", "state", "who", "body", "status"), SUCCESSES, ids=[c[0] for c in SUCCESSES]
)
def test_each_action_succeeds_for_the_right_person(
    apis: Apis,
    people: People,
    action: str,
    state: State,
    who: str,
    body: dict[str, Any],
    status: str,
) -> None:
    ticket = state(people)
    body = {k: (_later() if v == "LATER" else v) for k, v in body.items()}
    answer = getattr(apis, who).act(ticket.number, action, body)
    assert answer.status == 200, answer.body
    assert answer.body["status"] == status
    assert answer.body["version"] > ticket.version
    assert answer.body["number"] == ticket.number


def test_merge_makes_a_ticket_follow_its_master(apis: Apis, people: People) -> None:
    master, duplicate = new_ticket(people), new_ticket(people)
    answer = apis.operator.act(duplicate.number, "merge", {"master": master.number})
    assert answer.status == 200
    assert answer.body["status"] == "merged" and answer.body["master"] == master.number
    assert apis.operator.get(f"tickets/{master.number}/").body["merged"] == [duplicate.number]


def test_decompose_gives_the_team_a_subtask(apis: Apis, people: People) -> None:
    ticket = in_progress(people)
    answer = apis.alice.act(
        ticket.number, "decompose", {"units": ["sunkou-nc1"], "instructions": "请中队处理"}
    )
    assignments = {a["unit"]: a for a in answer.body["assignments"]}
    assert assignments["sunkou-nc1"]["role"] == "subtask"
    assert assignments["sunkou-nc1"]["parent"] == assignments["sunkou"]["id"]


# --- Refusals -------------------------------------------------------------------------------

WRONG_STATE: list[tuple[str, State, str, dict[str, Any]]] = [
    ("dispatch", dispatched, "dispatcher", {"lead_unit": "houmiao"}),
    ("sign", in_progress, "alice", {}),
    ("contact", dispatched, "alice", {"method": "phone"}),
    ("reply", in_progress, "alice", {"result": "resolved", "content": "好了"}),  # not contacted
    ("callback", in_progress, "operator", {"reached": False}),
    ("reopen", replied, "operator", {"note": "再办"}),  # the callback was not unsatisfied
    ("close", dispatched, "operator", {"note": "办结"}),
    ("return-accept", dispatched, "dispatcher", {"lead_unit": "houmiao"}),
    ("extension-approve", in_progress, "dispatcher", {}),
    ("direct-answer", new_ticket, "operator", {"answer": "答复"}),  # a complaint, not a question
]


@pytest.mark.parametrize(
    ("action", "state", "who", "body"), WRONG_STATE, ids=[c[0] for c in WRONG_STATE]
)
def test_an_action_in_the_wrong_state_is_409(
    apis: Apis, people: People, action: str, state: State, who: str, body: dict[str, Any]
) -> None:
    ticket = state(people)
    answer = getattr(apis, who).act(ticket.number, action, body)
    assert answer.status == 409, answer.body
    assert error_code(answer) == "invalid_state"
    assert answer.body["error"]["message"]  # the service's Chinese reason
    assert Ticket.objects.get(pk=ticket.pk).version == ticket.version


NOT_YOURS: list[tuple[str, State, str, dict[str, Any]]] = [
    ("dispatch", dispatched, "alice", {"lead_unit": "houmiao"}),
    ("sign", dispatched, "operator", {}),
    ("callback", replied, "alice", {"reached": False}),
    ("extension-approve", extension_pending, "alice", {}),
    ("return-refuse", returned, "operator", {"note": "不同意"}),
    ("supervise", dispatched, "operator", {"note": "督办", "due_at": "LATER"}),
    ("merge", dispatched, "alice", {"master": "2401010001"}),
    ("reassign", dispatched, "supervisor", {"lead_unit": "houmiao"}),
]


@pytest.mark.parametrize(
    ("action", "state", "who", "body"), NOT_YOURS, ids=[c[0] for c in NOT_YOURS]
)
def test_an_action_by_the_wrong_person_is_403(
    apis: Apis, people: People, action: str, state: State, who: str, body: dict[str, Any]
) -> None:
    ticket = state(people)
    body = {k: (_later() if v == "LATER" else v) for k, v in body.items()}
    answer = getattr(apis, who).act(ticket.number, action, body)
    assert answer.status == 403, answer.body
    assert error_code(answer) == "forbidden"
    assert Ticket.objects.get(pk=ticket.pk).version == ticket.version


def test_an_assisting_unit_cannot_ask_for_an_extension(apis: Apis, people: People) -> None:
    ticket = new_ticket(people)
    actions.ticket_dispatch(
        ticket=ticket, actor=people.dispatcher, lead_unit="sunkou", assisting_units=["houmiao"]
    )
    apis.alice.act(ticket.number, "sign")
    apis.bob.act(ticket.number, "sign")
    answer = apis.bob.act(ticket.number, "extend", {"days": 2, "reason": "协办也想延期"})
    assert answer.status == 403 and error_code(answer) == "forbidden"


REQUIRED_FIELDS = {
    "dispatch": {"lead_unit"},
    "return": {"reason"},
    "decompose": {"units", "instructions"},
    "contact": {"method"},
    "progress": {"note"},
    "extend": {"days", "reason"},
    "reply": {"result", "content"},
    "callback": {"reached"},
    "reopen": {"note"},
    "close": {"note"},
    "merge": {"master"},
    "return-refuse": {"note"},
    "extension-refuse": {"note"},
    "reassign": {"lead_unit"},
    "add-assisting": {"unit"},
    "supervise": {"note", "due_at"},
    "direct-answer": {"answer"},
    "emergency-transfer": {"to"},
    "legal-channel": {"channel", "note"},
}


@pytest.mark.parametrize("action", sorted(REQUIRED_FIELDS))
def test_an_empty_body_is_400_with_each_missing_field(
    apis: Apis, people: People, action: str
) -> None:
    ticket = dispatched(people)
    answer = apis.operator.act(ticket.number, action, {})
    assert answer.status == 400, answer.body
    assert error_code(answer) == "invalid"
    assert set(answer.body["error"]["fields"]) == REQUIRED_FIELDS[action]
    assert answer.body["error"]["field"] in REQUIRED_FIELDS[action]


@pytest.mark.parametrize(
    ("action", "body", "field"),
    [
        ("dispatch", {"lead_unit": "nowhere"}, "lead_unit"),
        ("dispatch", {"lead_unit": "sunkou", "assisting_units": ["sunkou"]}, "assisting_units"),
        ("dispatch", {"lead_unit": "hotline"}, "lead_unit"),
        ("dispatch", {"lead_unit": "sunkou", "assisting_units": "houmiao"}, "assisting_units"),
        ("extend", {"days": 0, "reason": "x"}, "days"),
        ("extend", {"days": 31, "reason": "x"}, "days"),
        ("extend", {"days": "three", "reason": "x"}, "days"),
        ("reply", {"result": "done", "content": "x"}, "result"),
        ("callback", {"reached": True, "satisfaction": "happy"}, "satisfaction"),
        ("callback", {"reached": True, "satisfaction": "satisfied"}, "resolved"),
        ("contact", {"method": "pigeon"}, "method"),
        ("contact", {"method": "phone", "at": "2999-01-01T00:00:00Z"}, "at"),
        ("merge", {"master": "abc"}, "master"),
        ("merge", {"master": "2401019999"}, "master"),
        ("supervise", {"note": "x", "due_at": "2000-01-01T00:00:00Z"}, "due_at"),
        ("progress", {"note": "x" * 4001}, "note"),
        ("progress", {"note": "   "}, "note"),
        ("sign", {"expected_version": 0}, "expected_version"),
        ("sign", {"assignment": "x"}, "assignment"),
    ],
)
def test_a_bad_field_is_400_and_names_the_field(
    apis: Apis, people: People, action: str, body: dict[str, Any], field: str
) -> None:
    # A ticket in a state where the action is allowed: the rulebook refuses the wrong state
    # before the service looks at the input (409, not 400).
    make = {"dispatch": new_ticket, "merge": new_ticket, "callback": replied}.get(action)
    make = make or (in_progress if action == "contact" else dispatched)
    ticket = make(people)
    who = {
        "dispatch": apis.dispatcher,
        "callback": apis.operator,
        "merge": apis.operator,
        "supervise": apis.supervisor,
    }.get(action, apis.alice)
    answer = who.act(ticket.number, action, body)
    assert answer.status == 400, answer.body
    assert answer.body["error"]["field"] == field
    assert Ticket.objects.get(pk=ticket.pk).version == ticket.version


@pytest.mark.parametrize("action", [a.name for a in ACTIONS])
def test_a_ticket_outside_the_callers_scope_is_404(apis: Apis, people: People, action: str) -> None:
    ticket = dispatched(people)  # to 孙口镇; Bob works for 侯庙镇
    answer = apis.bob.act(ticket.number, action, {})
    assert answer.status == 404, answer.body
    assert error_code(answer) == "not_found"


def test_a_stale_expected_version_is_409_conflict(apis: Apis, people: People) -> None:
    ticket = dispatched(people)
    answer = apis.alice.act(ticket.number, "sign", {"expected_version": ticket.version - 1})
    assert answer.status == 409
    assert error_code(answer) == "conflict"
    assert Assignment.objects.get(ticket=ticket).state == "pending"
    current = apis.alice.act(ticket.number, "sign", {"expected_version": ticket.version})
    assert current.status == 200


def test_an_unknown_action_or_method_is_refused_in_json(apis: Apis, people: People) -> None:
    ticket = dispatched(people)
    unknown = apis.alice.act(ticket.number, "approve-everything", {})
    assert unknown.status == 404 and error_code(unknown) == "not_found"
    wrong_method = apis.alice.get(f"tickets/{ticket.number}/sign/")
    assert wrong_method.status == 405 and error_code(wrong_method) == "method_not_allowed"


def test_a_form_body_is_415(people: People, apis: Apis) -> None:
    ticket = dispatched(people)
    api: Api = apis.alice
    response = api.client.post(
        f"/api/v1/tickets/{ticket.number}/sign/",
        {"x": "1"},
        headers={"Authorization": api.authorization or ""},
    )
    assert response.status_code == 415
