"""Benchmark: the worker's deadline sweep (`sweep_until_done`) on PostgreSQL with many tickets.

Usage (from the repository root):

    .venv/bin/python bench/bench_sweep.py [--database-url URL] [--small-url URL] [--runs N]
                                          [--batch N] [--threads N] [--idle-sweeps N]
                                          [--json FILE]

    --database-url URL  the big database, filled by bench/gen_tickets.py with due tickets
                        (default postgres://postgres@127.0.0.1:5432/minsheng_bench_open, made by
                        `gen_tickets.py --tickets 1000000 --open-share 1 --due 10000`)
    --small-url URL     a small database for the "nothing due" comparison (default
                        …/minsheng_bench_10k, made by `gen_tickets.py --tickets 10000
                        --open-share 1`); "-" skips it
    --runs N            timed runs of each figure, default 5
    --batch N           the sweep's batch size (`limit`), default 500 as in the worker
    --threads N         the sweep's threads (`threads`), default 2 as in the worker
                        (MINSHENG_WORKER_SWEEP_THREADS); with more than one, every timed run
                        is followed by the same sweep in one thread, for the ratio
    --idle-sweeps N     sweeps timed per run when nothing is due, default 200
    --json FILE         also write every figure and run as JSON

Figures (each in a subprocess per database, Django set up and its URL modules imported outside
the timing, as in a running worker; "now" is the
generation time that gen_tickets.py stored in `minsheng_bench_meta`, so that exactly the
generated due tickets are due however long ago the data were made):

1. *Due sweep*: one full `sweep_until_done(now=…)` over the N due tickets (one overdue alarm
   each): claim batches with SELECT … FOR UPDATE SKIP LOCKED, raise the alarms, write the
   events, re-plan the tickets' `DeadlineCheck.next_check_at`. Before each run the tables are vacuumed and a CHECKPOINT
   taken (not timed); after it the run is checked (every due ticket raised one alarm, nothing
   left due) and undone: the new alarm and event rows are deleted and the tickets' columns and
   checks restored from a snapshot table (`minsheng_bench_sweep_snapshot`), so every run sweeps the
   same state. Then the same runs with the notifications patched out (in-app messages and
   webhooks: the floor of the design), and one more, profiled run that splits the time by
   SQL statement kind.
2. *Idle sweep*: `sweep_until_done(now=…)` with nothing due, on the big (its due tickets
   swept first, not timed, undone afterwards) and on the small database, alternately: N rounds
   of one big and one small run, each run the median of --idle-sweeps consecutive sweeps after
   20 warm-up sweeps. Their ratio shows whether the sweep's cost depends on the number of
   tickets (it should not: an index probe).
3. `EXPLAIN (ANALYZE, BUFFERS)` of the claim query, with due tickets and with none.

Example:

    .venv/bin/python bench/bench_sweep.py --database-url postgres://postgres@127.0.0.1:5432/minsheng_bench_open
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import benchdb

REPO = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/minsheng_bench_open"
DEFAULT_SMALL = "postgres://postgres@127.0.0.1:5432/minsheng_bench_10k"
SNAPSHOT = "minsheng_bench_sweep_snapshot"
# Rows a sweep adds, deleted again by id: (meta key, table).
MARKS = (
    ("sweep_alarm_max", "deadlines_deadlinealarm"),
    ("sweep_event_max", "tickets_ticketevent"),
    ("sweep_message_max", "notify_message"),
    ("sweep_outbox_max", "notify_outbox"),
)
META = "minsheng_bench_meta"


def setup(url: str) -> None:
    benchdb.setup(url)
    # The first reverse() of a process imports every app's URL modules (and with them the
    # text classifier, scikit-learn: seconds). A worker pays that once in its life, not per
    # sweep, so it is done here, outside the timing.
    from django.urls import get_resolver

    get_resolver().reverse_dict  # noqa: B018


def generated_at():  # type: ignore[no-untyped-def]
    import datetime as dt

    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(f"SELECT value FROM {META} WHERE key = 'generated_at'")
        row = cur.fetchone()
    if row is None:
        raise SystemExit(
            "no generation time in minsheng_bench_meta: fill the database with bench/gen_tickets.py"
        )
    return dt.datetime.fromisoformat(row[0])


def restore() -> int:
    """Undo earlier sweeps: delete their alarms and events, put the tickets' columns back."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SELECT to_regclass(%s)", [SNAPSHOT])
        if cur.fetchone()[0] is None:
            return 0
        cur.execute(f"SELECT key, value FROM {META} WHERE key LIKE 'sweep_%%'")
        marks = dict(cur.fetchall())
        for key, table in MARKS:
            # A mark recorded by an older version of this script may be missing: 0 then.
            cur.execute(f"DELETE FROM {table} WHERE id > %s", [int(marks.get(key, 0))])
        cur.execute(
            f"""UPDATE tickets_ticket t SET overdue_at = s.overdue_at, version = s.version,
                       updated_at = s.updated_at
                FROM {SNAPSHOT} s WHERE t.id = s.id
                  AND (t.overdue_at, t.version, t.updated_at)
                      IS DISTINCT FROM (s.overdue_at, s.version, s.updated_at)"""
        )
        restored = cur.rowcount
        # The checks: re-planned (moved or gone) by the sweep, put back as they were.
        cur.execute(
            f"""INSERT INTO deadlines_deadlinecheck (ticket_id, next_check_at)
                SELECT id, next_check_at FROM {SNAPSHOT}
                ON CONFLICT (ticket_id) DO UPDATE SET next_check_at = excluded.next_check_at
                WHERE deadlines_deadlinecheck.next_check_at <> excluded.next_check_at"""
        )
        return restored + cur.rowcount


def snapshot(now) -> int:  # type: ignore[no-untyped-def]
    """Keep the due tickets' columns and the alarm/event high-water marks, once."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SELECT to_regclass(%s)", [SNAPSHOT])
        if cur.fetchone()[0] is None:
            cur.execute(
                f"""CREATE TABLE {SNAPSHOT} AS
                    SELECT t.id, c.next_check_at, t.overdue_at, t.version, t.updated_at
                    FROM deadlines_deadlinecheck c JOIN tickets_ticket t ON t.id = c.ticket_id
                    WHERE c.next_check_at <= %s""",
                [now],
            )
            for key, table in MARKS:
                cur.execute(
                    f"INSERT INTO {META} SELECT %s, COALESCE(max(id), 0)::text FROM {table} "
                    "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                    [key],
                )
        cur.execute(f"SELECT count(*) FROM {SNAPSHOT}")
        return cur.fetchone()[0]


def due_count(now) -> int:  # type: ignore[no-untyped-def]
    from minsheng.deadlines.models import DeadlineCheck

    return DeadlineCheck.objects.filter(next_check_at__lte=now).count()


def settle() -> None:
    """Not timed: vacuum what the previous run changed and flush dirty pages."""
    from django.db import connection

    with connection.cursor() as cur:
        for table in (
            "tickets_ticket",
            "tickets_ticketevent",
            "deadlines_deadlinealarm",
            "deadlines_deadlinecheck",
        ):
            cur.execute(f"VACUUM (ANALYZE) {table}")
        cur.execute("CHECKPOINT")


def explain_claim(now, limit: int) -> str:  # type: ignore[no-untyped-def]
    from django.db import connection, transaction

    from minsheng.worker.loop import _due

    # The claim's own query (worker._claim_postgres).
    qs = _due(now, limit).select_for_update(skip_locked=True, of=("self",))
    with transaction.atomic(), connection.cursor() as cur:
        sql, params = qs.query.sql_with_params()
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        plan = "\n".join(row[0] for row in cur.fetchall())
        transaction.set_rollback(True)
    return plan


class Profile:
    """An execute_wrapper summing time and count per kind of statement."""

    def __init__(self) -> None:
        self.kinds: dict[str, list[float]] = {}

    @staticmethod
    def kind(sql: str) -> str:
        head = sql.lstrip()[:200]
        if head.startswith('SELECT "org_unit"'):
            return "lead unit, one per ticket (SELECT org_unit)"
        if head.startswith('INSERT INTO "notify_message"'):
            return "in-app messages (INSERT notify_message)"
        if "FOR UPDATE" in sql:
            return "claim (SELECT … FOR UPDATE SKIP LOCKED)"
        if head.startswith("SELECT") and '"tickets_assignment"' in head + sql[:400]:
            return "contacted (SELECT assignments)"
        if head.startswith("SELECT") and "deadlines_deadlinealarm" in sql[:400]:
            return "fired (SELECT alarms)"
        if head.startswith('INSERT INTO "deadlines_deadlinealarm"'):
            return "INSERT alarms"
        if head.startswith('INSERT INTO "tickets_ticketevent"'):
            return "INSERT events"
        if head.startswith(('UPDATE "tickets_ticket"', "UPDATE tickets_ticket")):
            return "UPDATE tickets (first overdue_at)"
        if head.startswith(
            ("INSERT INTO deadlines_deadlinecheck", "DELETE FROM deadlines_deadlinecheck")
        ):
            return "re-plan checks (deadlines_deadlinecheck)"
        return head.split(" ", 1)[0]

    def __call__(self, execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            entry = self.kinds.setdefault(self.kind(sql), [0.0, 0, sql[:160]])
            entry[0] += time.perf_counter() - started
            entry[1] += 1


def child_due(args: argparse.Namespace) -> dict:
    setup(args.database_url)
    from django.db import connection

    from minsheng.worker.loop import sweep_until_done

    now = generated_at()
    restore()
    n_due = snapshot(now)
    if due_count(now) != n_due or n_due == 0:
        raise SystemExit(f"expected {n_due} due tickets, found {due_count(now)}")
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*), (SELECT count(*) FROM deadlines_deadlinecheck), "
            "count(*) FILTER (WHERE status IN ('new','dispatched','in_progress','returned','replied')) "
            "FROM tickets_ticket"
        )
        total, scheduled, open_ = cur.fetchone()
    plan_due = explain_claim(now, args.batch)

    def timed(threads: int) -> float:
        settle()
        connection.close()
        connection.ensure_connection()
        started = time.perf_counter()
        raised = sweep_until_done(now=now, limit=args.batch, threads=threads)
        seconds = time.perf_counter() - started
        left = due_count(now)
        if raised != n_due or left:
            raise SystemExit(
                f"sweep raised {raised} alarms for {n_due} due tickets, {left} still due"
            )
        alarms.append(raised)
        return seconds

    runs, one_thread, alarms = [], [], []
    for _ in range(args.runs):
        runs.append(timed(args.threads))
        if len(runs) == 1:
            # While nothing is due: the idle sweep on this (big) database, and its plan.
            idle = idle_runs(args, now)
            plan_idle = explain_claim(now, args.batch)
        restore()
        if args.threads > 1:  # the same sweep in one thread, alternating, for the ratio
            one_thread.append(timed(1))
            restore()
    what_if = what_if_runs(args, now, n_due)
    if one_thread:
        what_if["one thread (threads=1), alternating with the runs above"] = {
            "runs": one_thread,
            "median": statistics.median(one_thread),
        }
    # Profiled run (one thread: the statement timer wraps this thread's connection only).
    settle()
    profile = Profile()
    with connection.execute_wrapper(profile):
        started = time.perf_counter()
        sweep_until_done(now=now, limit=args.batch, threads=1)
        profiled_total = time.perf_counter() - started
    restore()
    return {
        "database": urlsplit(args.database_url).path.lstrip("/"),
        "tickets": total,
        "open": open_,
        "scheduled": scheduled,
        "due": n_due,
        "batch": args.batch,
        "threads": args.threads,
        "runs": runs,
        "median": statistics.median(runs),
        "alarms": alarms,
        "idle_runs_ms": idle,
        "idle_median_ms": statistics.median(idle),
        "plan_due": plan_due,
        "plan_idle": plan_idle,
        "profile_total": profiled_total,
        "profile": {
            k: {"seconds": v[0], "statements": v[1], "example": v[2]}
            for k, v in profile.kinds.items()
        },
        "what_if": what_if,
    }


def what_if_runs(args: argparse.Namespace, now, n_due: int) -> dict:  # type: ignore[no-untyped-def]
    """The due sweep again without any notification (in-app messages, webhooks): the floor of
    the current design, to show what the notifications cost (patched for this process only)."""
    from django.db import connection

    from minsheng.tickets import notifications
    from minsheng.worker import loop as worker

    original = notifications.on_alarms
    out = {}
    label = "without notifications (floor)"
    try:
        notifications.on_alarms = lambda raised: None
        runs = []
        for _ in range(args.runs):
            settle()
            connection.close()
            connection.ensure_connection()
            started = time.perf_counter()
            raised = worker.sweep_until_done(now=now, limit=args.batch, threads=args.threads)
            runs.append(time.perf_counter() - started)
            if raised != n_due or due_count(now):
                raise SystemExit(f"what-if {label!r}: raised {raised} for {n_due} due tickets")
            restore()
        out[label] = {"runs": runs, "median": statistics.median(runs)}
    finally:
        notifications.on_alarms = original
    return out


def idle_runs(args: argparse.Namespace, now) -> list[float]:  # type: ignore[no-untyped-def]
    from minsheng.worker.loop import sweep_until_done

    for _ in range(20):  # warm-up
        sweep_until_done(now=now, limit=args.batch, threads=args.threads)
    medians = []
    for _ in range(args.runs):
        times = []
        for _ in range(args.idle_sweeps):
            started = time.perf_counter()
            raised = sweep_until_done(now=now, limit=args.batch, threads=args.threads)
            times.append((time.perf_counter() - started) * 1000)
            if raised:
                raise SystemExit("an idle sweep raised alarms: something is due")
        medians.append(statistics.median(times))
    return medians


def child_idle(args: argparse.Namespace) -> dict:
    setup(args.database_url)
    from django.db import connection

    from minsheng.worker.loop import sweep_until_done

    now = generated_at()
    restore()
    if args.sweep_first and due_count(now):
        # The big database: sweep its due tickets first (not timed), undone at the end.
        snapshot(now)
        sweep_until_done(now=now, limit=args.batch)
        settle()
    if due_count(now):
        raise SystemExit("the database has due tickets; generate it with --due 0")
    with connection.cursor() as cur:
        cur.execute(
            "SELECT (SELECT count(*) FROM tickets_ticket), (SELECT count(*) FROM deadlines_deadlinecheck)"
        )
        total, scheduled = cur.fetchone()
    idle = idle_runs(args, now)
    if args.sweep_first:
        restore()
    return {
        "database": urlsplit(args.database_url).path.lstrip("/"),
        "tickets": total,
        "scheduled": scheduled,
        "idle_runs_ms": idle,
        "idle_median_ms": statistics.median(idle),
        "plan_idle": explain_claim(now, args.batch),
    }


def run_child(
    role: str,
    url: str,
    args: argparse.Namespace,
    runs: int | None = None,
    sweep_first: bool = False,
) -> dict:
    cmd = [
        sys.executable,
        __file__,
        "--child",
        role,
        "--database-url",
        url,
        *(["--sweep-first"] if sweep_first else []),
        "--runs",
        str(runs or args.runs),
        "--batch",
        str(args.batch),
        "--threads",
        str(args.threads),
        "--idle-sweeps",
        str(args.idle_sweeps),
    ]
    out = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"{role} run on {url} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--small-url", default=DEFAULT_SMALL)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--idle-sweeps", type=int, default=200)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--child", choices=["due", "idle"], help=argparse.SUPPRESS)
    parser.add_argument("--sweep-first", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "due":
        print(json.dumps(child_due(args)))
        return 0
    if args.child == "idle":
        print(json.dumps(child_idle(args)))
        return 0

    print(f"load average at start: {os.getloadavg()} on {os.cpu_count()} cores", flush=True)
    big = run_child("due", args.database_url, args)
    small = None
    if args.small_url != "-":
        # Idle sweeps on the big and the small database alternately, one run of each per
        # round, so that the machine's changing load falls on both alike.
        pairs = []
        for _ in range(args.runs):
            b = run_child("idle", args.database_url, args, runs=1, sweep_first=True)
            s = run_child("idle", args.small_url, args, runs=1)
            pairs.append((b["idle_runs_ms"][0], s["idle_runs_ms"][0]))
        small = {**s, "idle_runs_ms": [p[1] for p in pairs]}
        small["idle_median_ms"] = statistics.median(small["idle_runs_ms"])
        big["idle_alone_runs_ms"] = big["idle_runs_ms"]
        big["idle_runs_ms"] = [p[0] for p in pairs]
        big["idle_median_ms"] = statistics.median(big["idle_runs_ms"])
        big["idle_ratios"] = [p[0] / p[1] for p in pairs]
    print(
        f"database {big['database']}: {big['tickets']:,} tickets, {big['open']:,} open, "
        f"{big['scheduled']:,} with a next check, {big['due']:,} due; batch {big['batch']}, "
        f"{big['threads']} sweep threads"
    )
    print(
        f"due sweep: median {big['median']:.2f} s of {len(big['runs'])} runs "
        f"({', '.join(f'{t:.2f}' for t in big['runs'])}); {big['alarms'][0]:,} alarms per run"
    )
    print(f"  profiled run (one thread) {big['profile_total']:.2f} s:")
    sql_total = 0.0
    for kind, v in sorted(big["profile"].items(), key=lambda kv: -kv[1]["seconds"]):
        sql_total += v["seconds"]
        print(f"    {kind:45s} {v['seconds']:6.2f} s  {v['statements']:4d} statements")
    print(
        f"    {'Python (Django, alarms, next_check)':45s} {big['profile_total'] - sql_total:6.2f} s"
    )
    for kind, v in big["profile"].items():
        print(f"      e.g. {kind}: {v['example'][:110]}")
    print("what if (patched in by the benchmark for its own process only):")
    for label, v in big["what_if"].items():
        runs = ", ".join(f"{t:.2f}" for t in v["runs"])
        print(f"    {label:50s} median {v['median']:.2f} s ({runs})")
    print(
        f"idle sweep, {big['tickets']:,} tickets: median {big['idle_median_ms']:.2f} ms "
        f"({', '.join(f'{t:.2f}' for t in big['idle_runs_ms'])})"
    )
    if small:
        print(
            f"idle sweep, {small['tickets']:,} tickets: median {small['idle_median_ms']:.2f} ms "
            f"({', '.join(f'{t:.2f}' for t in small['idle_runs_ms'])})"
        )
        ratios = ", ".join(f"{r:.2f}" for r in big["idle_ratios"])
        print(
            f"ratio big/small: {big['idle_median_ms'] / small['idle_median_ms']:.2f} "
            f"(per round: {ratios}; rounds alternate big and small)"
        )
    print("\nclaim query with due tickets:\n" + big["plan_due"])
    print("\nclaim query with nothing due:\n" + big["plan_idle"])
    if small:
        print(f"\nclaim query with nothing due ({small['database']}):\n" + small["plan_idle"])
    if args.json:
        args.json.write_text(json.dumps({"big": big, "small": small}, indent=2, ensure_ascii=False))
    print(f"load average at end: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
