"""The rulebook against the services: for every action of the action table, every kind of user
and every state a ticket can be in, what the page and the API offer (`rules.can`) is exactly
what the service allows when called with valid input. A read-only role writes nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from minsheng.org.models import Role, Unit, User
from minsheng.tickets import actions, rules
from minsheng.tickets.action_table import TABLE, TicketAction
from minsheng.tickets.errors import InvalidTransition, NotAllowed
from minsheng.tickets.models import Ticket
from tests.conftest import People, make_user
from tests.factories import dispatched, in_progress, new_ticket, replied


@dataclass
class World:
    people: People
    users: dict[str, User]
    other_open: Ticket  # a master to merge into
    spare_unit: Unit  # never part of a ticket: a valid unit to add as assisting
    village: Unit  # under 孙口镇, never given a sub-task: a valid target to decompose to


def contacted(people: People) -> Ticket:
    ticket = in_progress(people)
    return actions.ticket_contact(ticket=ticket, actor=people.alice, method="phone")


def decomposed(people: People) -> Ticket:
    return actions.ticket_decompose(
        ticket=contacted(people),
        actor=people.alice,
        units=[people.org.sunkou_team],
        instructions="请中队现场处理",
    )


def subtask_signed(people: People, team_handler: User) -> Ticket:
    return actions.ticket_sign(ticket=decomposed(people), actor=team_handler)


def return_requested(people: People) -> Ticket:
    return actions.ticket_return(ticket=dispatched(people), actor=people.alice, reason="非本单位")


def extension_pending(people: People) -> Ticket:
    ticket = contacted(people)
    actions.ticket_extension_request(ticket=ticket, actor=people.alice, days=3, reason="需协调")
    return Ticket.objects.get(pk=ticket.pk)


def called_back(people: People, satisfaction: str) -> Ticket:
    return actions.ticket_callback(
        ticket=replied(people),
        actor=people.operator,
        reached=True,
        resolved=satisfaction != "unsatisfied",
        satisfaction=satisfaction,
    )


def merged(people: People, master: Ticket) -> Ticket:
    return actions.ticket_merge(ticket=new_ticket(people), actor=people.operator, master=master)


def master_of_one(people: People) -> Ticket:
    master = dispatched(people)
    merged(people, master)
    return Ticket.objects.get(pk=master.pk)


def transferred(people: People) -> Ticket:
    return actions.ticket_emergency_transfer(
        ticket=new_ticket(people), actor=people.operator, to="110"
    )


def paused(people: People) -> Ticket:
    return actions.ticket_pause(ticket=contacted(people), actor=people.alice, reason="等待鉴定结果")


STATES: dict[str, Callable[[World], Ticket]] = {
    "new complaint": lambda w: new_ticket(w.people),
    "new consultation": lambda w: new_ticket(w.people, kind="consultation"),
    "dispatched": lambda w: dispatched(w.people),
    "in progress, not contacted": lambda w: in_progress(w.people),
    "in progress, contacted": lambda w: contacted(w.people),
    "sub-task pending": lambda w: decomposed(w.people),
    "sub-task signed": lambda w: subtask_signed(w.people, w.users["team handler"]),
    "return requested": lambda w: return_requested(w.people),
    "extension pending": lambda w: extension_pending(w.people),
    "replied": lambda w: replied(w.people),
    "unsatisfied callback": lambda w: called_back(w.people, "unsatisfied"),
    "closed": lambda w: called_back(w.people, "satisfied"),
    "merged": lambda w: merged(w.people, w.other_open),
    "master of a merge": lambda w: master_of_one(w.people),
    "transferred": lambda w: transferred(w.people),
    "paused": lambda w: paused(w.people),
}


def valid_input(action: TicketAction, ticket: Ticket, world: World) -> dict[str, Any]:
    """Input the service accepts whenever the rulebook lets the action through."""
    org = world.people.org
    other_lead = org.houmiao if ticket.lead_unit_id == org.sunkou.pk else org.sunkou
    return {
        "dispatch": {"lead_unit": org.sunkou, "assisting_units": [], "instructions": ""},
        "sign": {},
        "return": {"reason": "不属于本单位职责"},
        "return_accept": {"lead_unit": org.houmiao, "note": ""},
        "return_refuse": {"note": "属于本单位职责"},
        "reassign": {"lead_unit": other_lead, "note": ""},
        "add_assisting": {"unit": world.spare_unit, "note": ""},
        "decompose": {"units": [world.village], "instructions": "请村委会处理"},
        "contact": {"method": "phone", "note": ""},
        "progress": {"note": "正在处理", "public": False},
        "extension_request": {"days": 3, "reason": "需要协调"},
        "extension_approve": {"note": ""},
        "extension_refuse": {"note": "理由不足"},
        "reply": {"result": "resolved", "content": "已处理完毕"},
        "callback": {"reached": True, "resolved": True, "satisfaction": "satisfied"},
        "reopen": {"note": "请重新处理"},
        "close": {"note": "多次联系不上，热线办结"},
        "merge": {"master": world.other_open.number, "note": ""},
        "supervise": {"note": "尽快办理", "due_at": timezone.now() + dt.timedelta(days=1)},
        "remind": {"note": ""},
        "praise": {"kind": "banner", "note": "办事认真"},
        "direct_answer": {"answer": "可到政务服务中心办理。"},
        "emergency_transfer": {"to": "110", "note": ""},
        "legal_channel": {"channel": "litigation", "note": "请依法向法院起诉。"},
    }[action.name]


class RolledBack(Exception):
    pass


def service_allows(action: TicketAction, ticket: Ticket, user: User, world: World) -> bool:
    """Run the service on valid input inside a savepoint that is always rolled back."""
    data = valid_input(action, ticket, world)
    try:
        with transaction.atomic():
            action.perform(ticket, user, data, None)
            raise RolledBack
    except RolledBack:
        return True
    except (NotAllowed, InvalidTransition):
        return False


@pytest.fixture
def world(people: People) -> World:
    org = people.org
    inactive = make_user("gone", org.hotline, Role.DISPATCHER)
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    users = {
        "operator": people.operator,
        "dispatcher": people.dispatcher,
        "supervisor": people.supervisor,
        "leader": org.leader,
        "administrator": make_user("root", org.hotline, Role.ADMINISTRATOR),
        "lead unit's handler": people.alice,
        "other unit's handler": people.bob,
        "lead unit's leader": make_user("boss", org.sunkou, Role.UNIT_LEADER),
        "team handler": make_user("tina", org.sunkou_team, Role.HANDLER),
        "inactive dispatcher": inactive,
    }
    spare = Unit.objects.create(code="xinji", name="新集镇人民政府", kind=Unit.Kind.TOWNSHIP)
    village = Unit.objects.create(
        code="sunkou-201", name="孙口村委会", kind=Unit.Kind.VILLAGE, parent=org.sunkou
    )
    other = new_ticket(people, title="另一件路灯诉求")
    return World(people=people, users=users, other_open=other, spare_unit=spare, village=village)


@pytest.mark.parametrize("state", list(STATES))
def test_what_is_offered_is_exactly_what_the_service_allows(world: World, state: str) -> None:
    ticket = STATES[state](world)
    mismatches = []
    for who, user in world.users.items():
        for action in TABLE:
            fresh = Ticket.objects.get(pk=ticket.pk)
            offered = rules.can(action.name, user, fresh)
            allowed = service_allows(action, fresh, user, world)
            if offered != allowed:
                mismatches.append((who, action.name, offered, allowed))
    assert mismatches == [], f"{state}: (who, action, offered, allowed)"


@pytest.mark.parametrize("state", list(STATES))
def test_read_only_roles_may_do_nothing(world: World, state: str) -> None:
    ticket = STATES[state](world)
    for who in ("leader", "inactive dispatcher"):
        user = world.users[who]
        assert rules.available_actions(user, ticket) == []
        assert not any(rules.can(a.name, user, ticket) for a in TABLE)


def test_every_state_offers_someone_something_except_the_finished(world: World) -> None:
    # Guards the matrix itself: states that are not built as meant would all be "nothing".
    for state, build in STATES.items():
        ticket = build(world)
        offered = {
            action.name
            for user in world.users.values()
            for action in TABLE
            if rules.can(action.name, user, ticket)
        }
        if state in ("closed", "merged", "transferred"):
            assert offered <= {"praise"}, state
        else:
            assert offered, state


# Pausing and resuming the clock are services without a button of their own; the same rule
# holds for them. Whether a kind of ticket may pause at all is the deadline policy's to say
# (the service asks it after the rulebook), so the states here are complaints, which may.
CLOCK_ACTIONS: dict[str, Callable[[Ticket, User], Ticket]] = {
    "pause": lambda t, u: actions.ticket_pause(ticket=t, actor=u, reason="等待鉴定结果"),
    "resume": lambda t, u: actions.ticket_resume(ticket=t, actor=u, note=""),
}


def clock_allows(action: str, ticket: Ticket, user: User) -> bool:
    try:
        with transaction.atomic():
            CLOCK_ACTIONS[action](ticket, user)
            raise RolledBack
    except RolledBack:
        return True
    except (NotAllowed, InvalidTransition):
        return False


@pytest.mark.parametrize(
    "state", ["dispatched", "in progress, contacted", "sub-task signed", "replied", "paused"]
)
def test_pause_and_resume_are_offered_exactly_when_allowed(world: World, state: str) -> None:
    ticket = STATES[state](world)
    mismatches = []
    for who, user in world.users.items():
        for action in CLOCK_ACTIONS:
            fresh = Ticket.objects.get(pk=ticket.pk)
            offered = rules.can(action, user, fresh)
            if offered != clock_allows(action, fresh, user):
                mismatches.append((who, action, offered))
    assert mismatches == [], f"{state}: (who, action, offered)"
    # Guards the comparison itself: somebody may do something where it is meant.
    expected = {"paused": {"resume"}, "in progress, contacted": {"pause"}}
    expected["sub-task signed"] = {"pause"}
    somebody = {a for a in CLOCK_ACTIONS for u in world.users.values() if rules.can(a, u, ticket)}
    assert somebody == expected.get(state, set())
