"""Benchmark: `POST /open311/v2/requests.json` under gunicorn, driven by wrk, on PostgreSQL
with a million tickets.

Usage (from the repository root):

    .venv/bin/python bench/bench_open311.py [--database-url URL] [--seconds S] [--runs N]
                                            [--connections LIST] [--workers N] [--port P]
                                            [--keep] [--json FILE]

    --database-url URL  a database filled by bench/gen_tickets.py (default
                        postgres://postgres@127.0.0.1:5432/bench_minsheng)
    --seconds S         length of one timed run, default 30
    --runs N            timed runs per connection count, default 3
    --connections LIST  wrk connections (concurrent clients) to run, default 4,8
    --workers N         gunicorn worker processes, default 2 (sync workers)
    --port P            gunicorn's port on 127.0.0.1, default 8311
    --keep              keep the tickets the benchmark made (default: delete them afterwards)
    --json FILE         also write every figure and run as JSON

Needs `wrk` (Debian: `apt-get install -y wrk`).

What it does:

1. Creates an Open311 client with `manage.py open311_key create` and
   `OPEN311_RATE_LIMIT_PER_MINUTE=100000` in its environment (the documented setting; the
   default 60/min would answer 429 to almost everything). The rate limit stays switched on, so
   every POST still counts against its minute window in the database, as in production.
2. Starts `gunicorn minsheng.wsgi:application --workers N --bind 127.0.0.1:P` (DEBUG off,
   `CONN_MAX_AGE` 60 s as configured for PostgreSQL) and waits until it answers; where the
   search's word index is the worker's (tickets migration 0009), also the worker's word-index
   step (`bench/word_worker.py`), as a running installation has it beside the web server. The
   tickets still waiting for it after each run are reported.
3. Writes 5,000 distinct form bodies like a citizens' app would post: api_key, a service_code
   from `GET /open311/v2/services.json` (services without required attributes), a real citizen
   message (../shared/data/messages) as description, an address_id of a village of 台前县, a
   mobile phone, first/last name, sometimes lat/long; `bench/open311_post.lua` adds a
   device_id unique per request (`<run tag>-<thread>-<n>`).
4. Per connection count: a 5 s warm-up run (not counted), then --runs timed runs of S seconds
   (`wrk -t 2 -c C -d S`). wrk reports requests/s and latency percentiles (p50, p99) from its
   own histogram; the Lua script counts answers by status.
5. After each run, checks that nothing was lost or doubled: the tickets (channel open311, with
   an Open311 record of this run's device_id prefix) number at least the 201 answers and at
   most the 201 answers plus the requests still in flight when wrk stopped; every device_id
   has exactly one ticket; the ticket numbers are unique.

The load generator runs on the same 2 cores as gunicorn and PostgreSQL, as the issue asks; the
figures include its CPU use.

Example:

    .venv/bin/python bench/bench_open311.py --seconds 30 --runs 3 --connections 4,8
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import urlencode

import benchdb

REPO = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_minsheng"
LUA = REPO / "bench" / "open311_post.lua"
MESSAGES = REPO.parent / "shared" / "data" / "messages" / "messages_with_votes.csv"
FALLBACK = REPO / "minsheng" / "tickets" / "data" / "demo_replies.csv"
BODIES = 5000
RATE_LIMIT = 100_000
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何林高罗"
GIVEN = "建国伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明"


def setup(url: str) -> None:
    benchdb.setup(url)


def create_key(url: str, name: str) -> str:
    env = {**os.environ, "DATABASE_URL": url, "OPEN311_RATE_LIMIT_PER_MINUTE": str(RATE_LIMIT)}
    out = subprocess.run(
        [sys.executable, "manage.py", "open311_key", "create", name],
        cwd=REPO,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    print("  " + out.stdout.splitlines()[0], flush=True)
    return out.stdout.strip().splitlines()[-1].strip()


def start_gunicorn(url: str, workers: int, port: int, log: Path) -> subprocess.Popen:
    # The benchmark's own server: the generated development key is wanted (docs/configuration.md).
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "false",
        "MINSHENG_ALLOW_GENERATED_SECRET_KEY": "1",
    }
    handle = log.open("w")
    proc = subprocess.Popen(
        [
            str(REPO / ".venv" / "bin" / "gunicorn"),
            "minsheng.wsgi:application",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "60",
        ],
        cwd=REPO,
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(
                f"http://127.0.0.1:{port}/open311/v2/discovery.json", timeout=2
            ) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.5)
    stop(proc)
    raise SystemExit(f"gunicorn did not answer within 60 s; see {log}")


def start_word_worker(url: str) -> subprocess.Popen | None:
    """With tickets migration 0009 the search's word index is the worker's: run its step beside
    gunicorn for the whole benchmark (bench/word_worker.py), on the same cores."""
    if benchdb.pending_words(url) is None:
        return None
    return subprocess.Popen(
        [sys.executable, str(REPO / "bench" / "word_worker.py"), "--database-url", url],
        cwd=REPO,
        start_new_session=True,
    )


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def service_codes(port: int) -> list[str]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/open311/v2/services.json") as r:
        services = json.load(r)
    return [s["service_code"] for s in services if not s.get("metadata")]


def write_bodies(path: Path, key: str, codes: list[str], seed: int) -> None:
    from minsheng.org.demo import DEMO_COUNTY_CODE
    from minsheng.org.models import Division

    source = MESSAGES if MESSAGES.exists() else FALLBACK
    with source.open(encoding="utf-8-sig", newline="") as handle:
        texts = [
            r["text"].replace("A市", "台前县")[:1500]
            for r in csv.DictReader(handle)
            if r.get("text", "").strip()
        ]
    villages = list(
        Division.objects.filter(code__startswith=DEMO_COUNTY_CODE[:6], level=5).values_list(
            "code", flat=True
        )
    )
    rng = random.Random(seed)
    lines = []
    for _ in range(BODIES):
        fields = {
            "api_key": key,
            "service_code": rng.choice(codes),
            "description": rng.choice(texts),
            "address_id": rng.choice(villages),
            "phone": f"1{rng.choice('3578')}{rng.randint(0, 999_999_999):09d}",
            "first_name": rng.choice(GIVEN),
            "last_name": rng.choice(SURNAMES),
        }
        if rng.random() < 0.3:
            fields["lat"] = f"{35.9 + rng.random() * 0.2:.6f}"
            fields["long"] = f"{115.8 + rng.random() * 0.3:.6f}"
        lines.append(urlencode(fields))
    path.write_text("\n".join(lines) + "\n")


def run_wrk(port: int, connections: int, seconds: float, bodies: Path, tag: str) -> dict:
    cmd = [
        "wrk",
        "-t",
        str(min(2, connections)),
        "-c",
        str(connections),
        "-d",
        f"{int(seconds)}s",
        "--timeout",
        "10s",
        "-s",
        str(LUA),
        f"http://127.0.0.1:{port}/open311/v2/requests.json",
        "--",
        str(bodies),
        tag,
    ]
    out = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, check=True)
    line = next(x for x in out.stdout.splitlines() if x.startswith("WRK_RESULT "))
    result = json.loads(line.removeprefix("WRK_RESULT "))
    seconds_run = result["duration_us"] / 1e6
    result["per_second"] = result["requests"] / seconds_run
    result["created_per_second"] = result["created"] / seconds_run
    for p in ("p50", "p90", "p95", "p99", "p99.9"):
        result[f"{p}_ms"] = result.pop(f"{p}_us") / 1000
    result["mean_ms"] = result.pop("mean_us") / 1000
    result["max_ms"] = result.pop("max_us") / 1000
    result["in_flight"] = result["sent"] - (
        result["created"]
        + result["client_errors"]
        + result["rate_limited"]
        + result["server_errors"]
        + result["other"]
    )
    return result


def check(tag: str, result: dict) -> dict:
    """Tickets made by this run (through their Open311 records' device_id) against the 201s."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            """SELECT count(*), count(DISTINCT r.device_id), count(DISTINCT t.number),
                      count(*) FILTER (WHERE t.channel <> 'open311')
               FROM open311_servicerequest r JOIN tickets_ticket t ON t.id = r.ticket_id
               WHERE r.device_id LIKE %s""",
            [tag + "-%"],
        )
        tickets, devices, numbers, wrong_channel = cur.fetchone()
    created = result["created"]
    ok = (
        created <= tickets <= created + max(result["in_flight"], 0)
        and devices == tickets
        and numbers == tickets
        and wrong_channel == 0
    )
    return {
        "tickets": tickets,
        "distinct_device_ids": devices,
        "distinct_numbers": numbers,
        "answered_201": created,
        "in_flight_at_stop": result["in_flight"],
        "ok": ok,
    }


def cleanup(first_ticket_id: int, first_outbox_id: int) -> int:
    from django.db import connection

    from minsheng.tickets.models import Ticket

    made = Ticket.objects.filter(pk__gte=first_ticket_id)
    count = made.count()
    made.delete()  # the ORM cascades to events, Open311 records and attribute answers
    with connection.cursor() as cur:
        cur.execute("DELETE FROM notify_outbox WHERE id >= %s", [first_outbox_id])
        cur.execute("VACUUM (ANALYZE) tickets_ticket")
    return count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--connections", default="4,8")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8311)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()} on {os.cpu_count()} cores", flush=True)
    setup(args.database_url)
    from django.db import connection

    from minsheng.tickets.models import Ticket, TicketSequence

    with connection.cursor() as cur:
        cur.execute("SELECT COALESCE(max(id), 0) + 1 FROM tickets_ticket")
        first_ticket_id = cur.fetchone()[0]
        cur.execute("SELECT COALESCE(max(id), 0) + 1 FROM notify_outbox")
        first_outbox_id = cur.fetchone()[0]
    sequences = dict(TicketSequence.objects.values_list("day", "last"))
    print(f"database: {Ticket.objects.count():,} tickets before the benchmark", flush=True)

    stamp = uuid.uuid4().hex[:8]
    key = create_key(args.database_url, f"bench-open311-{stamp}")
    log = REPO / "var" / "bench_open311_gunicorn.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    proc = start_gunicorn(args.database_url, args.workers, args.port, log)
    words = start_word_worker(args.database_url)
    bodies = REPO / "var" / "bench_open311_bodies.txt"
    results: dict[int, list[dict]] = {}
    try:
        write_bodies(bodies, key, service_codes(args.port), seed=1)
        for connections in (int(c) for c in args.connections.split(",")):
            warm = run_wrk(args.port, connections, 5, bodies, f"{stamp}w{connections}")
            print(
                f"  {connections} connections, warm-up: {warm['per_second']:.0f} req/s", flush=True
            )
            results[connections] = []
            for i in range(args.runs):
                tag = f"{stamp}c{connections}r{i}"
                r = run_wrk(args.port, connections, args.seconds, bodies, tag)
                r["check"] = check(tag, r)
                r["pending_words"] = benchdb.pending_words(args.database_url)
                results[connections].append(r)
                print(
                    f"  {connections} connections, run {i + 1}: {r['per_second']:.0f} req/s "
                    f"({r['created']:,} × 201, {r['client_errors']} × 4xx, {r['rate_limited']} × 429, "
                    f"{r['server_errors']} × 5xx, socket errors {r['errors_connect'] + r['errors_read'] + r['errors_write'] + r['errors_timeout']}); "
                    f"p50 {r['p50_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms, max {r['max_ms']:.0f} ms; "
                    f"tickets {r['check']['tickets']:,} (in flight at stop {r['in_flight']}), "
                    f"{'nothing lost, no duplicates' if r['check']['ok'] else 'CHECK FAILED ' + str(r['check'])}"
                    + (
                        f"; {r['pending_words']:,} tickets waiting for the word index"
                        if r["pending_words"] is not None
                        else ""
                    ),
                    flush=True,
                )
    finally:
        stop(proc)
        if words is not None:
            stop(words)
        connection.close()
        if not args.keep:
            removed = cleanup(first_ticket_id, first_outbox_id)
            for day, last in sequences.items():
                TicketSequence.objects.filter(day=day).update(last=last)
            TicketSequence.objects.exclude(day__in=list(sequences)).delete()
            print(f"deleted the {removed:,} benchmark tickets again", flush=True)

    summary = {}
    for connections, runs in results.items():
        summary[connections] = {
            "median_per_second": statistics.median(r["per_second"] for r in runs),
            "median_p50_ms": statistics.median(r["p50_ms"] for r in runs),
            "median_p99_ms": statistics.median(r["p99_ms"] for r in runs),
            "all_checks_ok": all(r["check"]["ok"] for r in runs),
        }
        s = summary[connections]

        def listed(key: str, fmt: str, runs: list[dict] = runs) -> str:
            return ", ".join(format(r[key], fmt) for r in runs)

        print(
            f"{connections} connections: median {s['median_per_second']:.0f} req/s "
            f"({listed('per_second', '.0f')}); p50 {s['median_p50_ms']:.1f} ms "
            f"({listed('p50_ms', '.1f')}); p99 {s['median_p99_ms']:.1f} ms "
            f"({listed('p99_ms', '.1f')}); checks {'ok' if s['all_checks_ok'] else 'FAILED'}"
        )
    if args.json:
        args.json.write_text(
            json.dumps({"summary": summary, "runs": results}, indent=2, ensure_ascii=False)
        )
    print(f"load average at end: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
