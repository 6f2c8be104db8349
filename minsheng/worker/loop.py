"""The background worker: a loop over the database, no broker.

Each pass:
1. **Deadline sweep** — claims tickets whose `next_check_at` (deadlines.DeadlineCheck) has
   come and raises their alarms (tickets.actions.tickets_raise_alarms). On PostgreSQL the
   claim is `SELECT … FOR UPDATE SKIP LOCKED`, so several workers on several machines (and
   several threads of one, MINSHENG_WORKER_SWEEP_THREADS) share the work; on SQLite (one
   machine, writers serialised by IMMEDIATE transactions) it is a conditional UPDATE per row
   that succeeds only if nobody changed the ticket since it was read.
2. **Daily jobs** — the morning digest for units, once a day after DIGEST_HOUR, claimed by
   inserting a unique JobRun row.
3. **Outbox delivery** — notify.delivery.deliver_due, when the notify app is installed.
4. **Search words** — tickets.words.index_until_done: the bigrams of new and changed tickets
   (PostgreSQL; the search finds them before this too, tickets migration 0009).
5. **Duplicate index** — insight.index.index_pending_until_done: new and changed tickets filed
   for the desk's "same problem" panel (marked pending by triggers, insight migration 0002).
6. **Statistics rollups** — minsheng.stats.rollup.refresh_until_done (docs/metrics.md).
7. **Village boards' deadlines** — minsheng.villages.clock.sweep_boards_until_done: the boards
   whose next check has come (an index probe of villages_board_check when none is), their
   reminders and alarms and late sections; at most VILLAGE_BATCHES batches a pass.
8. **民生实事 reminders** — minsheng.governance.commitments_clock.remind_due_reports: from day
   MINSHENG_COMMITMENT_REPORT_DAY, works in progress whose owner has not reported for the month
   (once per work and month; bounded batches).
9. **公共设施 upkeep** — minsheng.facilities.clock.sweep_schedules_until_done: the schedules whose
   check has come (an index probe of facilities_schedule_check when none is), each missed round's
   alarm once (MissedRound, unique) to the keeper and the owner unit; at most FACILITY_BATCHES
   batches a pass.

Every claim and its effects commit together, so a worker killed mid-batch leaves nothing
half-done: the batch rolls back and is claimed again. SIGTERM stops the loop between batches.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import signal
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from types import FrameType

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from minsheng.deadlines.digest import send_daily_digest
from minsheng.deadlines.models import JobRun
from minsheng.facilities.clock import sweep_schedules_until_done
from minsheng.governance.commitments_clock import remind_due_reports
from minsheng.insight.index import index_pending_until_done
from minsheng.notify.delivery import deliver_due
from minsheng.stats.rollup import refresh_until_done
from minsheng.tickets import actions
from minsheng.tickets.models import Ticket
from minsheng.tickets.words import index_until_done
from minsheng.villages.clock import sweep_boards_until_done

log = logging.getLogger("minsheng.worker")

DIGEST_HOUR = 8
# Village boards re-computed per pass at most (batches of MINSHENG_VILLAGE_CLOCK_BATCH): a new
# installation's 620,573 boards are checked over a few dozen passes, each of which still runs
# the ticket sweep first.
VILLAGE_BATCHES = 10
DIGEST_JOB = "daily_digest"


# What raising alarms reads of each claimed ticket (its live deadlines, the alarms' events and
# messages), and nothing else: a batch of 500 tickets builds 500 model instances of about 20
# fields instead of 60 (the long texts, the citizen's details), and no unit or category
# instances. The webhooks, which need the unit and category, load them for the few tickets
# that have a hook (api.webhooks.on_overdue). The pinned statement count in
# tests/worker/test_loop.py catches a deferred field read per ticket.
CLAIM_FIELDS = (
    "id",
    "number",
    "title",
    "status",
    "round",
    "urgency",
    "lead_unit_id",
    "category_id",
    "paused_at",
    "created_at",
    "dispatch_started_at",
    "dispatch_due",
    "dispatched_at",
    "sign_due",
    "contact_due",
    "reply_due",
    "replied_at",
    "callback_due",
    "overdue_at",
    "version",
)  # overdue_at is written back for the tickets whose first overdue alarm is raised


def _due(now: dt.datetime, limit: int) -> QuerySet[Ticket]:
    """The tickets whose next check has come, earliest first: a range scan of the check
    table's index joined to the tickets by primary key."""
    return (
        Ticket.objects.only(*CLAIM_FIELDS)
        .filter(deadline_check__next_check_at__lte=now)
        .order_by("deadline_check__next_check_at")[:limit]
    )


def _claim_postgres(now: dt.datetime, limit: int) -> list[Ticket]:
    # The ticket rows are locked (not the check rows): every writer of a check holds its
    # ticket's row, so the ticket's lock is the one mutex of the services and the workers.
    return list(_due(now, limit).select_for_update(skip_locked=True, of=("self",)))


def _claim_conditional(now: dt.datetime, limit: int) -> list[Ticket]:
    candidates = list(_due(now, limit))
    claimed = []
    for ticket in candidates:
        # The claim: a write that matches only if nobody changed the ticket since we read it
        # (the version unchanged). It also takes SQLite's write lock, should the transaction
        # not hold it yet. The version itself stays: an alarm is not an action on the ticket.
        if Ticket.objects.filter(pk=ticket.pk, version=ticket.version).update(
            version=ticket.version
        ):
            claimed.append(ticket)
    return claimed


def sweep_deadlines(*, now: dt.datetime | None = None, limit: int = 500) -> tuple[int, int]:
    """One batch: claim up to `limit` due tickets and raise their alarms.

    Returns (tickets claimed, alarms raised); nothing claimed means nothing (else) is due.
    """
    now = now or timezone.now()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            tickets = _claim_postgres(now, limit)
        else:
            tickets = _claim_conditional(now, limit)
        return len(tickets), len(actions.tickets_raise_alarms(tickets=tickets, now=now))


def sweep_until_done(
    *,
    now: dt.datetime | None = None,
    limit: int = 500,
    stop: threading.Event | None = None,
    threads: int = 1,
) -> int:
    """Batches until no due ticket is left (or only ones other workers hold). Returns alarms.

    With `threads` > 1 on PostgreSQL, when more than a batch is due, that many threads sweep
    side by side, each on its own connection, exactly as that many workers would (SKIP LOCKED
    gives each its own tickets): one thread's Python (the alarms, the messages) runs while the
    database executes another's statements, so a big sweep uses both cores of a small server
    (docs/benchmarks/sweep.md). A sweep with less than a batch due (the usual pass) stays
    in the calling thread and opens no connection. The extra threads see only committed
    tickets, not a caller's open transaction: hence the default of one (tests; the worker passes
    MINSHENG_WORKER_SWEEP_THREADS). SQLite has one writer at a time and always sweeps in the
    calling thread.
    """
    if stop is not None and stop.is_set():
        return 0
    claimed, total = sweep_deadlines(now=now, limit=limit)
    if claimed == 0:
        return total
    if claimed < limit or threads <= 1 or connection.vendor != "postgresql":
        return total + _sweep_batches(now, limit, (stop,))
    # A failing thread halts the others after their current batch (each batch commits whole),
    # and its error is logged where it happens and raised to the caller.
    halt = threading.Event()
    with ThreadPoolExecutor(max_workers=threads - 1, thread_name_prefix="sweep") as pool:
        helpers = [
            pool.submit(_sweep_thread, now, limit, (stop, halt), halt) for _ in range(threads - 1)
        ]
        try:
            total += _sweep_batches(now, limit, (stop, halt))
        except Exception:
            halt.set()
            raise
        return total + sum(helper.result() for helper in helpers)


def _sweep_batches(
    now: dt.datetime | None, limit: int, stops: tuple[threading.Event | None, ...]
) -> int:
    total = 0
    while not any(event is not None and event.is_set() for event in stops):
        claimed, raised = sweep_deadlines(now=now, limit=limit)
        total += raised
        if claimed == 0:
            break
    return total


def _sweep_thread(
    now: dt.datetime | None,
    limit: int,
    stops: tuple[threading.Event | None, ...],
    halt: threading.Event,
) -> int:
    try:
        return _sweep_batches(now, limit, stops)
    except Exception:
        halt.set()
        log.exception("deadline sweep thread failed")
        raise
    finally:
        connection.close()  # this thread's own connection (Django's are per thread)


def run_daily_jobs(*, now: dt.datetime | None = None) -> bool:
    """The morning digest, once per day after DIGEST_HOUR local time. True if this call ran it."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    if local.hour < DIGEST_HOUR:
        return False
    try:
        with transaction.atomic():
            run = JobRun.objects.create(name=DIGEST_JOB, key=local.date().isoformat())
            send_daily_digest(now=now)
            run.finished_at = timezone.now()
            run.save(update_fields=["finished_at"])
    except IntegrityError:
        return False  # another worker (or an earlier pass) has it
    return True


def deliver_outbox(*, now: dt.datetime | None = None) -> int:
    return deliver_due(now=now, worker_id=worker_id())


def refresh_stats(*, limit: int = 500, stop: threading.Event | None = None) -> int:
    """Statistics rollups (minsheng.stats.rollup): re-derive the tickets changed since the
    watermark; each batch commits with its watermark, so a stop or a crash loses nothing."""
    return refresh_until_done(limit=limit, stop=stop)


def index_similar(*, limit: int = 500, stop: threading.Event | None = None) -> int:
    """The duplicate index (minsheng.insight.index): file the tickets the triggers marked
    pending, so that the desk finds a new call's earlier reports of the same problem."""
    return index_pending_until_done(limit=limit, stop=stop)


def check_village_boards(
    *, now: dt.datetime | None = None, stop: threading.Event | None = None
) -> int:
    """村务公开's deadlines (minsheng.villages.clock): boards checked this pass."""
    return sweep_boards_until_done(now=now, max_batches=VILLAGE_BATCHES, stop=stop)


def remind_commitment_reports(*, now: dt.datetime | None = None) -> int:
    """民生实事's monthly reminders (minsheng.governance.commitments_clock): works reminded."""
    return remind_due_reports(now)


# Facility schedules checked per pass at most (batches of MINSHENG_FACILITY_CLOCK_BATCH).
FACILITY_BATCHES = 10


def check_facility_rounds(
    *, now: dt.datetime | None = None, stop: threading.Event | None = None
) -> int:
    """公共设施's missed rounds (minsheng.facilities.clock): schedules checked this pass."""
    return sweep_schedules_until_done(now=now, max_batches=FACILITY_BATCHES, stop=stop)


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class Worker:
    idle_seconds: float = 5.0
    batch: int = 500
    sweep_threads: int = field(default_factory=lambda: int(settings.MINSHENG_WORKER_SWEEP_THREADS))
    stop: threading.Event = field(default_factory=threading.Event)
    wake: threading.Event | None = None

    def install_signal_handlers(self) -> None:
        def handle(signum: int, frame: FrameType | None) -> None:
            log.info("worker %s: signal %s, stopping after the current batch", worker_id(), signum)
            self.stop.set()

        signal.signal(signal.SIGTERM, handle)
        signal.signal(signal.SIGINT, handle)

    def run_once(self) -> int:
        done = sweep_until_done(limit=self.batch, stop=self.stop, threads=self.sweep_threads)
        if not self.stop.is_set():
            run_daily_jobs()
        if not self.stop.is_set():
            done += deliver_outbox()
        if not self.stop.is_set():
            done += index_until_done(limit=self.batch, stop=self.stop)
        if not self.stop.is_set():
            done += index_similar(limit=self.batch, stop=self.stop)
        if not self.stop.is_set():
            done += refresh_stats(limit=self.batch, stop=self.stop)
        if not self.stop.is_set():
            done += check_village_boards(stop=self.stop)
        if not self.stop.is_set():
            done += remind_commitment_reports()
        if not self.stop.is_set():
            done += check_facility_rounds(stop=self.stop)
        return done

    def run(self) -> None:
        log.info("worker %s started", worker_id())
        while not self.stop.is_set():
            try:
                done = self.run_once()
            except Exception:  # a bad pass must not kill the worker; the next pass retries
                log.exception("worker pass failed")
                done = 0
            finally:
                connection.close_if_unusable_or_obsolete()
            if not done:
                waiter = self.wake or self.stop
                waiter.wait(self.idle_seconds)
                if self.wake is not None:
                    self.wake.clear()
        log.info("worker %s stopped", worker_id())
