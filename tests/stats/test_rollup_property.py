"""The rollups kept incrementally equal a computation from scratch, whatever happened to the
tickets (through the services) and however the worker's refreshes were cut short."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from typing import Any
from unittest import mock

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from minsheng.stats import rollup
from minsheng.stats.models import RollupState
from minsheng.tickets import actions
from minsheng.tickets.errors import TicketActionError
from minsheng.tickets.models import Assignment, Category, Ticket
from minsheng.worker.loop import Worker, refresh_stats
from tests.conftest import People
from tests.stats.helpers import at, refresh_all, when

ACTIONS = (
    "intake",
    "intake_consultation",
    "dispatch",
    "dispatch_assisted",
    "sign",
    "contact",
    "reply",
    "callback_satisfied",
    "callback_unsatisfied",
    "callback_unreached",
    "reopen",
    "close",
    "merge",
    "transfer",
    "direct_answer",
    "return",
    "return_accept",
    "return_refuse",
    "reassign",
    "decompose",
    "refresh_partial",
    "refresh_interrupted",
    "worker_pass",
    "check",
)
STEPS = st.lists(
    st.tuples(
        st.sampled_from(ACTIONS),
        st.integers(min_value=0, max_value=7),  # which ticket (modulo the tickets made)
        st.sampled_from([1, 3, 20, 50, 170]),  # hours until the next step
    ),
    min_size=1,
    max_size=30,
)


class WorkerKilled(Exception):
    """Raised after the deltas were written, before the batch committed."""


def refresh_killed_midway(now: dt.datetime) -> None:
    real = rollup.apply_deltas

    def apply_then_die(*args: Any, **kwargs: Any) -> None:
        real(*args, **kwargs)
        raise WorkerKilled

    with (
        mock.patch.object(rollup, "apply_deltas", apply_then_die),
        contextlib.suppress(WorkerKilled),
    ):
        rollup.refresh(now=now, limit=2)


class Run:
    def __init__(self, people: People, category: Category) -> None:
        self.people = people
        self.category = category
        self.tickets: list[Ticket] = []
        self.clock = at(2025, 6, 2, 9)

    def unit_actors(self) -> list[Any]:
        return [self.people.alice, self.people.bob]

    def as_unit(self, call: Callable[[Any], object]) -> None:
        """A unit's action, by whichever handler's unit holds the part."""
        for actor in self.unit_actors():
            try:
                call(actor)
                return
            except TicketActionError:
                continue

    def step(self, action: str, pick: int) -> None:
        p = self.people
        ticket = self.tickets[pick % len(self.tickets)] if self.tickets else None
        if action.startswith("intake") or ticket is None:
            self.tickets.append(
                actions.ticket_intake(
                    actor=p.operator,
                    channel="web" if pick % 2 else "hotline",
                    kind="consultation" if action == "intake_consultation" else "complaint",
                    title="路灯不亮",
                    description="路灯连续三晚不亮。",
                    citizen_phone="" if pick == 7 else "13800138000",
                    category=self.category if pick % 3 == 0 else None,
                )
            )
            return
        ticket.refresh_from_db()
        other = self.tickets[(pick + 1) % len(self.tickets)]
        lead = ("sunkou", "houmiao")[pick % 2]
        if action in ("dispatch", "dispatch_assisted"):
            assisting = [("houmiao", "sunkou")[pick % 2]] if action == "dispatch_assisted" else []
            actions.ticket_dispatch(
                ticket=ticket, actor=p.dispatcher, lead_unit=lead, assisting_units=assisting
            )
        elif action == "sign":
            self.as_unit(lambda a: actions.ticket_sign(ticket=ticket, actor=a))
        elif action == "contact":
            self.as_unit(lambda a: actions.ticket_contact(ticket=ticket, actor=a, method="phone"))
        elif action == "reply":
            self.as_unit(
                lambda a: actions.ticket_reply(
                    ticket=ticket,
                    actor=a,
                    result=("resolved", "explained")[pick % 2],
                    content="已处理。",
                )
            )
        elif action.startswith("callback"):
            reached = action != "callback_unreached"
            good = action == "callback_satisfied"
            actions.ticket_callback(
                ticket=ticket,
                actor=p.operator,
                reached=reached,
                resolved=good or pick % 2 == 0,
                satisfaction=("satisfied", "basically_satisfied")[pick % 2]
                if good
                else "unsatisfied",
            )
        elif action == "reopen":
            actions.ticket_reopen(ticket=ticket, actor=p.operator, note="重新办理。")
        elif action == "close":
            actions.ticket_close(ticket=ticket, actor=p.operator, note="多次联系不上。")
        elif action == "merge":
            actions.ticket_merge(ticket=ticket, actor=p.dispatcher, master=other)
        elif action == "transfer":
            actions.ticket_emergency_transfer(ticket=ticket, actor=p.operator, to="110")
        elif action == "direct_answer":
            actions.ticket_direct_answer(ticket=ticket, actor=p.operator, answer="可在线办理。")
        elif action == "return":
            self.as_unit(
                lambda a: actions.ticket_return(ticket=ticket, actor=a, reason="非本单位职责。")
            )
        elif action == "return_accept":
            actions.ticket_return_accept(
                ticket=ticket, actor=p.dispatcher, lead_unit=("houmiao", "sunkou")[pick % 2]
            )
        elif action == "return_refuse":
            actions.ticket_return_refuse(ticket=ticket, actor=p.dispatcher, note="属于本单位。")
        elif action == "reassign":
            actions.ticket_reassign(ticket=ticket, actor=p.dispatcher, lead_unit=lead)
        elif action == "decompose":
            actions.ticket_decompose(
                ticket=ticket,
                actor=p.alice,
                units=[p.org.sunkou_team],
                instructions="请中队处置。",
            )

    def play(self, steps: list[tuple[str, int, int]]) -> None:
        for action, pick, hours in steps:
            if action == "refresh_partial":
                rollup.refresh(now=self.clock, limit=1 + pick % 3)
            elif action == "refresh_interrupted":
                refresh_killed_midway(self.clock)
            elif action == "worker_pass":
                with when(self.clock):
                    Worker(batch=2).run_once()
            elif action == "check":
                assert_rollups_exact()
            else:
                # An action the ticket's state does not allow is refused by the services.
                with when(self.clock), contextlib.suppress(TicketActionError):
                    self.step(action, pick)
            self.clock += dt.timedelta(hours=hours)


def assert_rollups_exact() -> None:
    refresh_all()
    stored, scratch = rollup.stored(), rollup.from_scratch()
    assert stored[1] == scratch[1]  # UnitDay
    assert stored[0] == scratch[0]  # Cell


@pytest.fixture
def category(db: None) -> Category:
    return Category.objects.create(name="路灯", level=1, full_name="城市管理/路灯")


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=STEPS)
def test_rollups_equal_from_scratch_after_any_actions(
    people: People, category: Category, steps: list[tuple[str, int, int]]
) -> None:
    # Each example starts from the same database: its changes are rolled back at the end.
    with transaction.atomic():
        run = Run(people, category)
        run.play(steps)
        assert_rollups_exact()
        transaction.set_rollback(True)


def test_a_refresh_killed_midway_leaves_nothing_and_the_next_one_redoes_it(
    people: People, category: Category
) -> None:
    run = Run(people, category)
    run.play(
        [
            ("intake", 0, 1),
            ("intake", 1, 1),
            ("intake", 2, 1),
            ("dispatch", 0, 1),
            ("dispatch_assisted", 1, 1),
            ("sign", 0, 1),
            ("contact", 0, 1),
            ("reply", 0, 1),
            ("callback_satisfied", 0, 50),
        ]
    )
    refresh_killed_midway(run.clock)
    assert rollup.stored() == ({}, {})  # the killed batch rolled back whole
    assert RollupState.objects.filter(tickets_done__gt=0).count() == 0
    # The worker restarts: its next pass does everything, once.
    with when(run.clock):
        assert refresh_stats(limit=2) == 3
    assert rollup.stored() == rollup.from_scratch()
    assert rollup.stored()[1][(0, dt.date(2025, 6, 2).toordinal())]["received"] == 3


def test_the_worker_stopped_between_batches_resumes_where_it_stopped(
    people: People, category: Category
) -> None:
    run = Run(people, category)
    run.play([("intake", i, 1) for i in range(5)] + [("dispatch", i, 1) for i in range(5)])
    now = run.clock + dt.timedelta(hours=1)
    assert rollup.refresh(now=now, limit=2) == 2  # one batch, then SIGTERM
    state = RollupState.objects.get()
    assert state.tickets_done == 2
    assert rollup.stored() != rollup.from_scratch()
    with when(now):
        assert refresh_stats(limit=2) == 3  # the restarted worker: the rest, in batches of two
    assert rollup.stored() == rollup.from_scratch()
    assert RollupState.objects.get().tickets_done == 5


def test_the_worker_keeps_the_rollups_current(people: People, category: Category) -> None:
    """Each pass of the worker loop refreshes the rollups; a ticket changed within the lag
    (its transaction may not have committed) waits for the next pass."""
    run = Run(people, category)
    run.play([("intake", i, 1) for i in range(3)] + [("dispatch", 0, 1), ("sign", 0, 30)])
    worker = Worker(batch=2)
    with when(run.clock):
        worker.run_once()  # raises the deadline alarms and refreshes
    with when(run.clock + dt.timedelta(minutes=5)):
        worker.run_once()  # a second pass: nothing counted twice
    assert rollup.stored() == rollup.from_scratch()
    assert rollup.stored()[1][(0, dt.date(2025, 6, 2).toordinal())]["received"] == 3
    # A change after that is picked up by a later pass; nothing is counted twice.
    ticket = Ticket.objects.order_by("id").first()
    assert ticket is not None
    later = run.clock + dt.timedelta(hours=3)
    with when(later):
        actions.ticket_emergency_transfer(ticket=ticket, actor=people.operator, to="110")
        worker.run_once()
        assert rollup.stored() != rollup.from_scratch()  # within the lag: not yet
    with when(later + dt.timedelta(minutes=5)):
        worker.run_once()
    assert rollup.stored() == rollup.from_scratch()
    assert rollup.stored()[1][(0, dt.date(2025, 6, 2).toordinal())]["transferred"] == 1
    assert Assignment.objects.filter(ticket=ticket, state="cancelled").exists()


def test_rates_rebuild_recomputes_everything(people: People, category: Category) -> None:
    run = Run(people, category)
    run.play([("intake", 0, 1), ("dispatch", 0, 1), ("sign", 0, 1), ("contact", 0, 60)])
    refresh_all()
    before = rollup.stored()
    rollup.rebuild(now=run.clock)
    assert rollup.stored() == before == rollup.from_scratch()
