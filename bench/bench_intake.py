"""Benchmark: intake throughput through the real service `ticket_intake`, on PostgreSQL with a
million tickets present.

Usage (from the repository root):

    .venv/bin/python bench/bench_intake.py [--database-url URL] [--seconds S] [--runs N]
                                           [--processes 1,2] [--keep] [--json FILE]

    --database-url URL  a database filled by bench/gen_tickets.py (default
                        postgres://postgres@127.0.0.1:5432/minsheng_bench)
    --seconds S         length of one run, default 20
    --runs N            runs per process count, default 3
    --processes LIST    process counts to run, default 1,2
    --keep              keep the tickets the benchmark made (default: delete them afterwards,
                        with their events and queued SMS, and put the day's ticket sequence
                        back)
    --json FILE         also write every figure and run as JSON

Each process (multiprocessing, spawn: its own Django set-up and database connection) takes
tickets as the demo `operator` in a loop for S seconds: a hotline ticket with a real citizen
message as title and text, a random leaf category (read from the database for each ticket, as
the intake form does), a random village of 台前县 and a phone from a pool. Django's set-up and
20 warm-up intakes per process are not timed; the processes start together. The figure is
tickets per second, all processes together, median of the runs; the latency of single intakes
(p50, p95) is reported too. Where the word index is the worker's (tickets migration 0009),
one more process runs the worker's word-index step during each run, on the same cores, and
the tickets still pending at the end (the lag) are reported. Afterwards the benchmark checks that the ticket numbers are unique,
that each day's numbers are gap-free (1 … TicketSequence.last) and counts the SQL statements of
one intake (after a first one, as in a running process).

Example:

    .venv/bin/python bench/bench_intake.py --seconds 20 --runs 3
"""

from __future__ import annotations

import argparse
import csv
import json
import multiprocessing as mp
import os
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import benchdb

REPO = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/minsheng_bench"
MESSAGES = REPO.parent / "shared" / "data" / "messages" / "messages_with_votes.csv"
FALLBACK = REPO / "minsheng" / "tickets" / "data" / "demo_replies.csv"
KINDS = (
    ["consultation"] * 58
    + ["complaint"] * 15
    + ["help"] * 13
    + ["suggestion"] * 6
    + ["report"] * 5
    + ["praise"] * 3
)


def setup(url: str) -> None:
    benchdb.setup(url)


def texts() -> list[tuple[str, str]]:
    path = MESSAGES if MESSAGES.exists() else FALLBACK
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = [
            (r["title"].replace("A市", "台前县")[:190], r["text"].replace("A市", "台前县")[:1000])
            for r in csv.DictReader(handle)
            if r.get("title") and r.get("text")
        ]
    return rows


class Inputs:
    def __init__(self, seed: int) -> None:
        from minsheng.org.demo import DEMO_COUNTY_CODE
        from minsheng.org.models import Division, User
        from minsheng.tickets.models import Category

        self.rng = random.Random(seed)
        self.operator = User.objects.get(username="operator")
        self.leaves = list(
            Category.objects.filter(children__isnull=True).values_list("pk", flat=True)
        )
        self.villages = list(
            Division.objects.filter(code__startswith=DEMO_COUNTY_CODE[:6], level=5)
        )
        self.texts = texts()

    def one(self) -> dict:
        from minsheng.tickets.models import Category

        r = self.rng
        title, description = r.choice(self.texts)
        return {
            "actor": self.operator,
            "channel": "hotline",
            "kind": r.choice(KINDS),
            "title": title,
            "description": description,
            "citizen_name": "王先生",
            "citizen_phone": f"13{r.randint(0, 9)}{r.randint(0, 99999999):08d}",
            # As the intake form does: the category is read for each ticket.
            "category": Category.objects.get(pk=r.choice(self.leaves)),
            "division": r.choice(self.villages),
            "address": "孙口镇某村",
        }


def worker(url: str, seconds: float, seed: int, ready, go, results) -> None:  # type: ignore[no-untyped-def]
    setup(url)
    from minsheng.tickets.actions import ticket_intake

    inputs = Inputs(seed)
    for _ in range(20):
        ticket_intake(**inputs.one())
    ready.put(os.getpid())
    go.wait()
    latencies = []
    deadline = time.perf_counter() + seconds
    count = errors = 0
    while True:
        started = time.perf_counter()
        if started >= deadline:
            break
        kwargs = inputs.one()
        try:
            ticket_intake(**kwargs)
        except Exception as exc:  # counted and reported: a failed intake is a finding
            errors += 1
            if errors < 3:
                print(f"intake failed: {exc!r}", file=sys.stderr)
            continue
        latencies.append(time.perf_counter() - started)
        count += 1
    results.put({"count": count, "errors": errors, "latencies": latencies})


def word_worker(url: str, seconds: float, go, results) -> None:  # type: ignore[no-untyped-def]
    """The worker's word-index step (tickets/words.py) beside the intakes, as a running
    installation has it: the bigrams the intakes no longer write are written here, on the same
    two cores, in batches of 500, then a 1 s pause when none is pending."""
    setup(url)
    from minsheng.tickets.words import index_until_done

    go.wait()
    indexed = passes = 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        done = index_until_done(limit=500)
        indexed += done
        passes += 1
        if not done:
            time.sleep(1.0)
    results.put({"indexed": indexed, "passes": passes})


def sample_waits(url: str, seconds: float) -> dict[str, float]:
    """While the workers run: every 20 ms, what the database's other active backends wait for
    (share of samples; "CPU" = active and not waiting), e.g. "Lock:transactionid" is a wait for
    another transaction's row lock (the day's TicketSequence row)."""
    import psycopg

    counts: dict[str, int] = {}
    total = 0
    deadline = time.perf_counter() + seconds * 0.9
    with psycopg.connect(url, autocommit=True) as conn:
        while time.perf_counter() < deadline:
            rows = conn.execute(
                "SELECT coalesce(wait_event_type || ':' || wait_event, 'CPU') FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'active' "
                "AND backend_type = 'client backend'"
            ).fetchall()
            for (what,) in rows:
                counts[what] = counts.get(what, 0) + 1
            total += 1
            time.sleep(0.02)
    return {k: v / total for k, v in sorted(counts.items(), key=lambda kv: -kv[1])}


def run(url: str, processes: int, seconds: float, seed: int) -> dict:
    ctx = mp.get_context("spawn")
    ready, results, go = ctx.Queue(), ctx.Queue(), ctx.Event()
    procs = [
        ctx.Process(target=worker, args=(url, seconds, seed + i, ready, go, results))
        for i in range(processes)
    ]
    # With tickets migration 0009 the word index is the worker's: run its step alongside.
    words = None
    if benchdb.pending_words(url) is not None:
        words_out = ctx.Queue()
        words = ctx.Process(target=word_worker, args=(url, seconds, go, words_out))
        words.start()
    for p in procs:
        p.start()
    for _ in procs:
        ready.get(timeout=120)
    go.set()
    waits = sample_waits(url, seconds)
    outs = [results.get(timeout=seconds + 120) for _ in procs]
    for p in procs:
        p.join()
    word_index = None
    if words is not None:
        word_index = words_out.get(timeout=seconds + 120)
        words.join()
        # The lag: tickets taken but not yet indexed when the intakes stopped (the search
        # finds them all the same; the next worker pass indexes them).
        word_index["pending_at_end"] = benchdb.pending_words(url)
    count = sum(o["count"] for o in outs)
    latencies = sorted(x for o in outs for x in o["latencies"])
    return {
        "processes": processes,
        "tickets": count,
        "errors": sum(o["errors"] for o in outs),
        "per_second": count / seconds,
        "p50_ms": 1000 * latencies[len(latencies) // 2] if latencies else None,
        "p95_ms": 1000 * latencies[int(len(latencies) * 0.95)] if latencies else None,
        "waits": waits,
        "word_index": word_index,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--processes", default="1,2")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()} on {os.cpu_count()} cores", flush=True)
    setup(args.database_url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from minsheng.tickets.actions import ticket_intake
    from minsheng.tickets.models import Ticket, TicketSequence

    first_id = (Ticket.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    with connection.cursor() as cur:
        cur.execute("SELECT COALESCE(max(id), 0) + 1 FROM notify_outbox")
        first_outbox_id = cur.fetchone()[0]
    sequences = dict(TicketSequence.objects.values_list("day", "last"))
    existing = Ticket.objects.count()
    print(
        f"database {urlsplit(args.database_url).path.lstrip('/')}: {existing:,} tickets before the benchmark"
    )

    # The SQL of one intake, in a process that has taken one already: what a running server
    # does (the first intake of a process also reads the per-process snapshots of the deadline
    # policies, the category tree and the working calendar).
    inputs = Inputs(0)
    ticket_intake(**inputs.one())
    kwargs = inputs.one()
    with CaptureQueriesContext(connection) as ctx:
        ticket_intake(**kwargs)
    statements = [q["sql"] for q in ctx.captured_queries]
    connection.close()

    results: dict[int, list[dict]] = {}
    for processes in (int(p) for p in args.processes.split(",")):
        results[processes] = []
        for i in range(args.runs):
            outcome = run(
                args.database_url, processes, args.seconds, seed=1000 * processes + 10 * i
            )
            results[processes].append(outcome)
            waits = ", ".join(f"{k} {v:.2f}" for k, v in outcome["waits"].items())
            print(
                f"  {processes} process(es), run {i + 1}: {outcome['per_second']:.0f} tickets/s, "
                f"p50 {outcome['p50_ms']:.1f} ms, p95 {outcome['p95_ms']:.1f} ms, errors {outcome['errors']}; "
                f"backends (share of 20 ms samples): {waits}",
                flush=True,
            )
            if outcome["word_index"] is not None:
                w = outcome["word_index"]
                print(
                    f"    word-index worker alongside: {w['indexed']:,} tickets indexed in "
                    f"{w['passes']} passes, {w['pending_at_end']:,} still pending at the end",
                    flush=True,
                )

    # Checks: unique numbers, each day's numbers 1 … last without gaps.
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM (SELECT number FROM tickets_ticket GROUP BY number HAVING count(*) > 1) d"
        )
        duplicates = cur.fetchone()[0]
        cur.execute(
            """SELECT s.day, s.last, count(t.id), min(right(t.number, -6)::int), max(right(t.number, -6)::int)
               FROM tickets_ticketsequence s JOIN tickets_ticket t ON left(t.number, 6) = to_char(s.day, 'YYMMDD')
               WHERE t.id >= %s GROUP BY s.day, s.last""",
            [first_id],
        )
        days = cur.fetchall()
    gaps = []
    for day, last, made, low, high in days:
        before = sequences.get(day, 0)
        if high != last or low != before + 1 or made != last - before:
            gaps.append((str(day), before, last, made, low, high))
    made = Ticket.objects.filter(pk__gte=first_id).count()
    print(
        f"made {made:,} tickets; duplicate numbers: {duplicates}; days with gaps or overlaps: {gaps or 'none'}"
    )

    if not args.keep:
        with connection.cursor() as cur:
            cur.execute("DELETE FROM tickets_ticketevent WHERE ticket_id >= %s", [first_id])
            cur.execute("DELETE FROM deadlines_deadlinecheck WHERE ticket_id >= %s", [first_id])
            # The 受理短信 the intakes queued (the outbox has no foreign key to the ticket).
            cur.execute("DELETE FROM notify_outbox WHERE id >= %s", [first_outbox_id])
            cur.execute("DELETE FROM tickets_ticket WHERE id >= %s", [first_id])
            for day, last in sequences.items():
                cur.execute(
                    "UPDATE tickets_ticketsequence SET last = %s WHERE day = %s", [last, day]
                )
            cur.execute(
                "DELETE FROM tickets_ticketsequence WHERE NOT (day = ANY(%s))", [list(sequences)]
            )
            cur.execute("VACUUM (ANALYZE) tickets_ticket")
            cur.execute("VACUUM (ANALYZE) tickets_ticketevent")
        print(f"deleted the {made:,} benchmark tickets again")

    summary = {}
    for processes, outs in results.items():
        rates = [o["per_second"] for o in outs]
        summary[processes] = {
            "median_per_second": statistics.median(rates),
            "runs": rates,
            "p50_ms": statistics.median(o["p50_ms"] for o in outs),
            "p95_ms": statistics.median(o["p95_ms"] for o in outs),
            "errors": sum(o["errors"] for o in outs),
        }
        print(
            f"{processes} process(es): median {summary[processes]['median_per_second']:.0f} tickets/s "
            f"({', '.join(f'{r:.0f}' for r in rates)}); latency p50 {summary[processes]['p50_ms']:.1f} ms, "
            f"p95 {summary[processes]['p95_ms']:.1f} ms"
        )
    print(f"one intake: {len(statements)} SQL statements (the form's category read included):")
    for sql in statements:
        print("   ", sql[:150])
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "summary": summary,
                    "runs": results,
                    "statements": statements,
                    "duplicates": duplicates,
                    "gaps": gaps,
                },
                indent=2,
                ensure_ascii=False,
            )
        )
    print(f"load average at end: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
