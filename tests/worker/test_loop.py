"""The worker: alarms at 75%, at the deadline and after the grace; idempotent sweeps; racing
workers act once; SIGTERM stops cleanly."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from minsheng.deadlines import clock
from minsheng.deadlines.models import DeadlineAlarm, DeadlineCheck, JobRun
from minsheng.tickets import actions
from minsheng.tickets.models import Ticket, TicketEvent
from minsheng.worker.loop import run_daily_jobs, sweep_deadlines, sweep_until_done
from tests.conftest import People, run_together
from tests.factories import dispatched, new_ticket

SH = ZoneInfo("Asia/Shanghai")
ROOT = Path(__file__).resolve().parents[2]


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)  # type: ignore[misc]


@pytest.fixture(autouse=True)
def fresh_calendar() -> None:
    clock.invalidate()


def alarms(ticket: Ticket) -> list[tuple[str, str]]:
    return list(
        DeadlineAlarm.objects.filter(ticket=ticket).order_by("id").values_list("deadline", "level")
    )


def next_check(ticket: Ticket) -> dt.datetime | None:
    """When the worker will next look at the ticket (None: no row, nothing pending)."""
    return (
        DeadlineCheck.objects.filter(ticket=ticket).values_list("next_check_at", flat=True).first()
    )


def emergency(people: People) -> Ticket:
    """Dispatched at 10:00: sign due 10:30, contact 11:00, reply 12:00 (natural hours)."""
    with time_machine.travel(at(2026, 6, 1, 10, 0), tick=False):
        ticket = new_ticket(people, urgency="emergency")
        return actions.ticket_dispatch(ticket=ticket, actor=people.dispatcher, lead_unit="sunkou")


def test_it_warns_at_three_quarters_then_marks_overdue(people: People) -> None:
    ticket = emergency(people)
    assert next_check(ticket) == at(2026, 6, 1, 10, 22, 30)  # 75% of the sign half-hour
    assert sweep_until_done(now=at(2026, 6, 1, 10, 20)) == 0
    assert sweep_until_done(now=at(2026, 6, 1, 10, 25)) == 1
    assert alarms(ticket) == [("sign", "warn")]
    assert sweep_until_done(now=at(2026, 6, 1, 10, 25)) == 0  # idempotent
    sweep_until_done(now=at(2026, 6, 1, 10, 31))
    ticket.refresh_from_db()
    assert ("sign", "overdue") in alarms(ticket)
    assert ticket.overdue_at == at(2026, 6, 1, 10, 31)
    assert TicketEvent.objects.filter(ticket=ticket, action="deadline_overdue").count() == 1


def test_an_alarm_leaves_the_ticket_s_version_and_update_time(people: People) -> None:
    """The clock is not an action: a form opened before the alarm stays valid, and the API's
    `updated_after` keeps following people's and systems' actions."""
    ticket = emergency(people)
    before = Ticket.objects.values("version", "updated_at").get(pk=ticket.pk)
    assert sweep_until_done(now=at(2026, 6, 1, 10, 31)) == 2  # the sign's warning and overdue
    after = Ticket.objects.values("version", "updated_at", "overdue_at").get(pk=ticket.pk)
    assert after.pop("overdue_at") == at(2026, 6, 1, 10, 31)
    assert after == before
    assert next_check(ticket) == at(2026, 6, 1, 10, 45)  # the contact's warning: 75% of 1 h
    # A later overdue alarm keeps the first overdue time.
    sweep_until_done(now=at(2026, 6, 1, 11, 1))
    ticket.refresh_from_db()
    assert ticket.overdue_at == at(2026, 6, 1, 10, 31)
    # The handler acts on the version the page showed before the alarms: accepted.
    with time_machine.travel(at(2026, 6, 1, 11, 2), tick=False):
        signed = actions.ticket_sign(
            ticket=ticket, actor=people.alice, expected_version=before["version"]
        )
    assert signed.version == before["version"] + 1


def test_it_escalates_after_the_grace(people: People, settings) -> None:  # type: ignore[no-untyped-def]
    settings.MINSHENG_ESCALATION_GRACE_HOURS = 1
    ticket = emergency(people)
    sweep_until_done(now=at(2026, 6, 1, 12, 50))  # reply escalates only at 13:00
    assert set(alarms(ticket)) == {
        (d, level)
        for d in ("sign", "contact", "reply")
        for level in ("warn", "overdue", "escalate")
    } - {("reply", "escalate")}
    sweep_until_done(now=at(2026, 6, 1, 12, 50))
    assert len(alarms(ticket)) == 8
    sweep_until_done(now=at(2026, 6, 1, 13, 5))
    assert len(alarms(ticket)) == 9


def test_signing_and_contact_retire_their_deadlines(people: People) -> None:
    ticket = emergency(people)
    with time_machine.travel(at(2026, 6, 1, 10, 5), tick=False):
        actions.ticket_sign(ticket=ticket, actor=people.alice)
        ticket = actions.ticket_contact(ticket=ticket, actor=people.alice, method="phone")
    assert next_check(ticket) == at(2026, 6, 1, 11, 30)  # only the reply remains: 75% of 2 h
    sweep_until_done(now=at(2026, 6, 1, 11, 45))
    assert alarms(ticket) == [("reply", "warn")]


def test_a_closed_ticket_is_never_checked_again(people: People) -> None:
    ticket = actions.ticket_direct_answer(
        ticket=new_ticket(people, kind="consultation"),
        actor=people.operator,
        answer="请携带身份证办理",
    )
    assert next_check(ticket) is None
    assert not DeadlineCheck.objects.filter(ticket=ticket).exists()


def test_a_sweep_with_nothing_due_claims_nothing(people: People) -> None:
    emergency(people)
    assert sweep_deadlines(now=at(2026, 6, 1, 10, 1)) == (0, 0)


def test_a_batch_costs_the_same_statements_for_few_or_many_alarms(people: People) -> None:
    """Alarms, events, messages, webhooks and the tickets' new columns are written per batch,
    not per ticket; only SQLite's claim (a conditional UPDATE per ticket) grows with it."""
    from django.db import connections
    from django.test.utils import CaptureQueriesContext

    from minsheng.api.models import Webhook
    from minsheng.notify.models import Message

    Webhook.objects.create(unit=people.org.houmiao, url="https://houmiao.example/hook")

    def sweep_new(count: int) -> int:
        for _ in range(count):
            emergency(people)
        with CaptureQueriesContext(connections["default"]) as queries:
            # 10:31: each ticket's sign warning (10:22:30) and sign overdue (10:30) are due.
            assert sweep_until_done(now=at(2026, 6, 1, 10, 31)) == 2 * count
        return len(queries)

    few, many = sweep_new(2), sweep_new(8)
    per_ticket = 0 if connection.vendor == "postgresql" else 1
    assert many - few == 6 * per_ticket
    handlers = people.org.sunkou.members.filter(is_active=True).count()
    assert handlers >= 1
    # Every alarm of the ten tickets reached each of the lead unit's people, once.
    assert Message.objects.filter(key__contains=":alarm:").count() == 10 * 2 * handlers


def test_the_lead_units_webhook_gets_its_unit_and_category_at_a_fixed_cost(
    people: People,
) -> None:
    """The claim loads neither unit nor category (worker.CLAIM_FIELDS); the overdue webhooks
    load them once per batch for the hooked tickets, and the payload still names both."""
    import json

    from django.db import connections
    from django.test.utils import CaptureQueriesContext

    from minsheng.api.models import Webhook
    from minsheng.notify.models import Outbox
    from minsheng.tickets.models import Category

    Webhook.objects.create(unit=people.org.sunkou, url="https://sunkou.example/hook")
    leaf = Category.objects.create(name="路灯", level=1, full_name="城乡建设/路灯")

    def sweep_new(count: int) -> int:
        for _ in range(count):
            with time_machine.travel(at(2026, 6, 1, 10, 0), tick=False):
                ticket = new_ticket(people, urgency="emergency", category=leaf)
                actions.ticket_dispatch(ticket=ticket, actor=people.dispatcher, lead_unit="sunkou")
        with CaptureQueriesContext(connections["default"]) as queries:
            assert sweep_until_done(now=at(2026, 6, 1, 10, 31)) == 2 * count
        return len(queries)

    few, many = sweep_new(2), sweep_new(8)
    per_ticket = 0 if connection.vendor == "postgresql" else 1
    # Each overdue webhook is its own outbox row (notify.enqueue: one INSERT … ON CONFLICT DO
    # NOTHING); the unit and category are read once per batch, not per ticket.
    assert many - few == 6 * (per_ticket + 1)
    bodies = [
        json.loads(row.context["body"])
        for row in Outbox.objects.filter(channel="webhook", recipient__startswith="https://sunkou")
    ]
    overdue = [b for b in bodies if b["event"] == "ticket.overdue"]
    assert len(overdue) == 10  # each ticket's sign deadline, once
    for body in overdue:
        assert body["data"]["ticket"]["lead_unit"] == people.org.sunkou.code
        assert body["data"]["ticket"]["category"] == "城乡建设/路灯"


@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_over_the_same_rows_act_once(people: People) -> None:
    tickets = [emergency(people) for _ in range(30)]
    # A failure in either worker is raised here by run_together.
    raised = run_together(*[lambda: sweep_until_done(now=at(2026, 6, 1, 10, 25), limit=7)] * 2)
    assert sum(raised) == 30  # every alarm raised by exactly one of them
    assert DeadlineAlarm.objects.count() == 30
    assert TicketEvent.objects.filter(action="deadline_warn").count() == 30
    assert all(alarms(t) == [("sign", "warn")] for t in tickets)


def test_the_morning_digest_runs_once_a_day(people: People) -> None:
    dispatched(people)
    assert run_daily_jobs(now=at(2026, 6, 1, 7, 0)) is False  # before 08:00
    assert run_daily_jobs(now=at(2026, 6, 1, 8, 5)) is True
    assert run_daily_jobs(now=at(2026, 6, 1, 9, 0)) is False
    assert JobRun.objects.filter(name="daily_digest").count() == 1


def _database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_a_sweep_in_threads_raises_every_alarm_once(
    people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    """More than a batch due: on PostgreSQL helper threads join, each on its own connection,
    and close it when done; SQLite sweeps in the calling thread. Either way each ticket's
    alarms are raised once and every check moves past now."""
    from minsheng.worker import loop as worker

    tickets = [emergency(people) for _ in range(7)]
    threads_used: set[str] = set()
    real = worker.sweep_deadlines

    def recording(**kwargs):  # type: ignore[no-untyped-def]
        threads_used.add(threading.current_thread().name)
        return real(**kwargs)

    monkeypatch.setattr(worker, "sweep_deadlines", recording)

    def sessions() -> int:
        with connection.cursor() as cur:
            cur.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
            return int(cur.fetchone()[0])

    before = sessions() if connection.vendor == "postgresql" else 0
    now = at(2026, 6, 1, 10, 31)  # each ticket's sign warning and sign overdue
    assert sweep_until_done(now=now, limit=2, threads=3) == 2 * len(tickets)
    assert sorted(
        DeadlineAlarm.objects.values_list("ticket_id", "level").order_by("ticket_id", "level")
    ) == sorted((t.pk, level) for t in tickets for level in ("overdue", "warn"))
    assert not DeadlineCheck.objects.filter(next_check_at__lte=now).exists()
    assert sweep_until_done(now=now, limit=2, threads=3) == 0
    if connection.vendor == "postgresql":
        assert any(name.startswith("sweep") for name in threads_used)
        # The helpers' connections are closed (a closed session leaves pg_stat_activity when
        # its server process has exited: wait for that, a few seconds at most).
        waited_until = time.monotonic() + 10
        while sessions() != before and time.monotonic() < waited_until:
            time.sleep(0.05)
        assert sessions() == before
    else:
        assert threads_used == {threading.current_thread().name}


@pytest.mark.django_db(transaction=True)
def test_a_failing_sweep_thread_fails_the_sweep_and_leaves_no_half_batch(
    people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the sweep runs in threads on PostgreSQL only")
    tickets = [emergency(people) for _ in range(7)]
    real = actions.tickets_raise_alarms

    def failing_in_helpers(**kwargs):  # type: ignore[no-untyped-def]
        if threading.current_thread().name.startswith("sweep"):
            raise RuntimeError("helper failed")
        return real(**kwargs)

    monkeypatch.setattr(actions, "tickets_raise_alarms", failing_in_helpers)
    now = at(2026, 6, 1, 10, 31)
    with pytest.raises(RuntimeError, match="helper failed"):
        sweep_until_done(now=now, limit=2, threads=2)
    # What was swept is whole: each swept ticket has both of its alarms, the others none.
    per_ticket = dict.fromkeys((t.pk for t in tickets), 0)
    for ticket_id in DeadlineAlarm.objects.values_list("ticket_id", flat=True):
        per_ticket[ticket_id] += 1
    assert set(per_ticket.values()) <= {0, 2}
    monkeypatch.setattr(actions, "tickets_raise_alarms", real)
    sweep_until_done(now=now, limit=2, threads=1)
    assert DeadlineAlarm.objects.count() == 2 * len(tickets)


@pytest.mark.django_db(transaction=True)
def test_sigterm_stops_the_worker_between_batches(people: People, tmp_path: Path) -> None:
    for _ in range(5):
        new_ticket(people, urgency="emergency")
    Ticket.objects.update(  # received long ago, never dispatched
        dispatch_started_at=at(2020, 1, 1, 0, 0), dispatch_due=at(2020, 1, 1, 1, 0)
    )
    assert DeadlineCheck.objects.update(next_check_at=at(2020, 1, 1, 0, 45)) == 5
    env = {**os.environ, "DATABASE_URL": _database_url(), "MINSHENG_VAR_DIR": str(tmp_path)}
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "run_worker", "--idle", "0.2", "--batch", "2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 60
    while (
        DeadlineCheck.objects.filter(next_check_at__lte=at(2021, 1, 1, 0, 0)).exists()
        and time.monotonic() < deadline
    ):
        time.sleep(0.2)
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, out
    assert "stopped" in out
    # Every ticket was handled whole: its next check moved and its warning was raised once.
    assert not DeadlineCheck.objects.filter(next_check_at__lte=at(2021, 1, 1, 0, 0)).exists()
    assert DeadlineAlarm.objects.filter(level="warn", deadline="dispatch").count() == 5
    assert DeadlineAlarm.objects.count() == 15  # warn, overdue and escalate for each


def test_the_sweeps_raw_statements_name_the_tables_and_columns() -> None:
    # actions.alarms._save_first_overdue and schedule.save_checks write these names literally.
    meta = Ticket._meta
    assert meta.db_table == "tickets_ticket"
    assert [meta.get_field(name).column for name in ("id", "overdue_at")] == ["id", "overdue_at"]  # type: ignore[union-attr]
    check = DeadlineCheck._meta
    assert check.db_table == "deadlines_deadlinecheck"
    assert [check.get_field(name).column for name in ("ticket", "next_check_at")] == [  # type: ignore[union-attr]
        "ticket_id",
        "next_check_at",
    ]
