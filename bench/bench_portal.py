"""Benchmark: the citizens' pages (群众端) under gunicorn, driven by wrk, on PostgreSQL with a
million tickets — the track page, the public board's list and message pages, and report
submissions.

Usage (from the repository root):

    .venv/bin/python bench/bench_portal.py [--database-url URL] [--seconds S] [--runs N]
                                           [--connections C] [--workers N] [--port P]
                                           [--messages N] [--only NAME,…] [--json FILE]

    --database-url URL  a database filled by bench/gen_tickets.py (default
                        postgres://postgres@127.0.0.1:5432/bench_portal)
    --seconds S         length of one timed run, default 20
    --runs N            timed runs per scenario, default 3 (the median is reported)
    --connections C     wrk connections (concurrent clients), default 8
    --workers N         gunicorn worker processes (sync), default 4
    --messages N        public messages the board must hold (made from tickets' texts when
                        fewer exist), default 100,000
    --only NAMES        run only these scenarios (track, board, message, report)

Needs `wrk` (Debian: `apt-get install -y wrk`).

What it does:

1. Migrates the database, and prepares: 50 sessions that opened 20 tickets each (what a citizen
   has after a query code), 50 sessions with a proven phone (what the SMS step leaves), a CSRF
   cookie and token; when the board exists (portal's PublicMessage), fills it up to --messages
   approved messages from tickets' texts, masked as the board masks them.
2. Starts `gunicorn minsheng.wsgi:application --workers N` (DEBUG off) and waits for it.
3. Per scenario: a 5 s warm-up (not counted), then --runs timed runs of S seconds
   (`wrk -t 2 -c C -d S -s bench/portal_requests.lua`): requests/s and latency p50/p95/p99 from
   wrk's histogram; answers by status class.
   - track: GET /h5/t/<number>/ of a ticket the session opened (200)
   - board: GET /h5/board/ and its pages 1–20 (200)
   - message: GET /h5/board/<id>/ of random approved messages (200)
   - report: POST /h5/report/ — a real form (kind, text, village, a submission key unique per
     request) from a session with a proven phone; each answer is a redirect to the receipt.
4. After each report run, checks nothing was lost or doubled: the receipts of the run's keys
   number at least the redirects and at most the redirects plus the requests in flight; every
   receipt has its own ticket; no 5xx.

The load generator runs on the same 2 cores as gunicorn and PostgreSQL; the figures include its
CPU use.
"""

from __future__ import annotations

import argparse
import json
import random
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import benchdb
from bench_open311 import start_gunicorn, stop

REPO = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_portal"
LUA = REPO / "bench" / "portal_requests.lua"
SESSIONS = 50


def prepare(args: argparse.Namespace, work: Path) -> dict[str, Path]:
    benchdb.setup(args.database_url)
    from django.conf import settings
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.db import connection

    from minsheng.org.models import Division
    from minsheng.portal.services import portal_actor

    call_command("migrate", verbosity=0)
    portal_actor()
    rng = random.Random(7)
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(id) FROM tickets_ticket")
        top = cursor.fetchone()[0]
        picks = rng.sample(range(1, top + 1), min(4000, top))
        cursor.execute("SELECT number FROM tickets_ticket WHERE id = ANY(%s)", [picks])
        numbers = [n for (n,) in cursor.fetchall()][: SESSIONS * 20]
    token = secrets.token_hex(16)  # 32 characters: Django accepts the unmasked secret
    files: dict[str, Path] = {}

    track = []
    for i in range(SESSIONS):
        mine = numbers[i * 20 : (i + 1) * 20]
        store = SessionStore()
        store["portal_numbers"] = mine
        store.create()
        cookie = f"{settings.SESSION_COOKIE_NAME}={store.session_key}"
        track += [f"GET\t/h5/t/{n}/\t{cookie}\t" for n in mine]
    files["track"] = work / "track.txt"
    files["track"].write_text("\n".join(track) + "\n", encoding="utf-8")

    village = Division.objects.filter(
        code__startswith=str(settings.MINSHENG_COUNTY_CODE)[:6], level=Division.Level.VILLAGE
    ).values_list("code", flat=True)
    villages = list(village[:300])
    report = []
    for i in range(SESSIONS):
        store = SessionStore()
        store["portal_phone"] = {"phone": f"139{i:08d}", "until": time.time() + 86400}
        store.create()
        cookie = f"{settings.SESSION_COOKIE_NAME}={store.session_key}; csrftoken={token}"
        body = urlencode(
            {
                "kind": rng.choice(["complaint", "help", "suggestion"]),
                "text": f"村口的路灯坏了好几天，晚上出门不方便，请尽快修理。（第{i}户）",
                "division": rng.choice(villages),
                "csrfmiddlewaretoken": token,
            }
        )
        report.append(f"POST\t/h5/report/\t{cookie}\t{body}&submission_key=@KEY@")
    files["report"] = work / "report.txt"
    files["report"].write_text("\n".join(report) + "\n", encoding="utf-8")

    board = _prepare_board(args.messages, rng)
    if board:  # the board's list and message pages
        files["board"] = work / "board.txt"
        files["board"].write_text(
            "\n".join(f"GET\t/h5/board/?page={p}\t\t" for p in range(1, 21)) + "\n",
            encoding="utf-8",
        )
        files["message"] = work / "message.txt"
        files["message"].write_text(
            "\n".join(f"GET\t/h5/board/{pk}/\t\t" for pk in board) + "\n", encoding="utf-8"
        )
    return files


def _prepare_board(wanted: int, rng: random.Random) -> list[int]:
    """Fill the board to `wanted` approved messages made from tickets (their titles and texts
    masked as the board masks them, the replies of replied tickets, the tickets' category and
    township); return 2,000 random ids of approved messages."""
    from django.db import connection
    from django.utils import timezone

    from minsheng.portal.models import PublicMessage
    from minsheng.tickets.models import Category, Ticket
    from minsheng.tickets.public import public_text

    have = PublicMessage.objects.filter(state="approved").count()
    if have < wanted:
        print(f"  filling the board: {have:,} -> {wanted:,} approved messages …", flush=True)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT t.id FROM tickets_ticket t LEFT JOIN portal_publicmessage m"
                " ON m.ticket_id = t.id WHERE m.id IS NULL AND NOT t.confidential"
                " AND NOT t.anonymous ORDER BY t.id DESC LIMIT %s",
                [wanted - have],
            )
            ids = [i for (i,) in cursor.fetchall()]
        now = timezone.now()
        names = dict(Category.objects.values_list("full_name", "id"))
        root = {i: names.get(n.split("/")[0]) for n, i in names.items()}
        fields = ("id", "title", "description", "citizen_name", "reply_text", "replied_at")
        fields += ("category_id", "division_id", "created_at")
        for start in range(0, len(ids), 5000):
            batch = Ticket.objects.filter(id__in=ids[start : start + 5000]).only(*fields)
            PublicMessage.objects.bulk_create(
                [
                    PublicMessage(
                        ticket_id=t.id,
                        title=public_text(t.title, t)[:200],
                        text=public_text(t.description, t),
                        category_id=t.category_id,
                        topic_id=root.get(t.category_id) if t.category_id else None,
                        township_id=(t.division_id[:9] + "000") if t.division_id else None,
                        posted_at=t.created_at,
                        state="approved",
                        moderated_at=now,
                        like_count=rng.randrange(0, 40),
                        reply_text=public_text(t.reply_text, t) if t.reply_text else "",
                        replied_at=t.replied_at,
                    )
                    for t in batch
                ],
                batch_size=1000,
            )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE portal_publicmessage")
    approved = PublicMessage.objects.filter(state="approved").values_list("pk", flat=True)
    ids = list(approved[:200_000])
    return rng.sample(ids, min(2000, len(ids)))


def wrk(url: str, file: Path, seconds: int, connections: int, tag: str) -> dict[str, float]:
    out = subprocess.run(
        [
            "wrk",
            "-t",
            "2",
            "-c",
            str(connections),
            "-d",
            f"{seconds}s",
            "-s",
            str(LUA),
            url,
            "--",
            str(file),
            tag,
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith("WRK_RESULT "))
    result: dict[str, float] = json.loads(line[len("WRK_RESULT ") :])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def lost_or_doubled(tag: str, result: dict[str, float]) -> str:
    from minsheng.portal.models import Receipt

    receipts = Receipt.objects.filter(submission_key__startswith=tag)
    made = receipts.count()
    tickets = receipts.values("ticket_id").distinct().count()
    in_flight = result["sent"] - (result["s2xx"] + result["s3xx"] + result["s4xx"] + result["s5xx"])
    ok = result["s3xx"] <= made <= result["s3xx"] + in_flight and tickets == made
    return f"receipts {made}, redirects {int(result['s3xx'])}, in flight {int(in_flight)}: " + (
        "nothing lost or doubled" if ok else "MISMATCH"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8345)
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--only", default="track,board,message,report")
    parser.add_argument("--json", default="")
    args = parser.parse_args()
    work = REPO / "var" / "bench" / "portal"
    work.mkdir(parents=True, exist_ok=True)
    print("preparing …", flush=True)
    files = prepare(args, work)
    server = start_gunicorn(args.database_url, args.workers, args.port, work / "gunicorn.log")
    url = f"http://127.0.0.1:{args.port}"
    figures: dict[str, list[dict[str, float]]] = {}
    try:
        for name in args.only.split(","):
            if name not in files:
                continue
            wrk(url, files[name], 5, args.connections, f"w{secrets.token_hex(6)}")
            runs = []
            for n in range(args.runs):
                tag = f"r{secrets.token_hex(8)}"
                result = wrk(url, files[name], args.seconds, args.connections, tag)
                extra = f" — {lost_or_doubled(tag, result)}" if name == "report" else ""
                print(
                    f"{name} run {n + 1}: {result['rps']:.0f} req/s, p50 {result['p50_us'] / 1000:.1f} ms,"
                    f" p95 {result['p95_us'] / 1000:.1f} ms, p99 {result['p99_us'] / 1000:.1f} ms,"
                    f" 2xx {int(result['s2xx'])} 3xx {int(result['s3xx'])} 4xx {int(result['s4xx'])}"
                    f" 5xx {int(result['s5xx'])}{extra}",
                    flush=True,
                )
                runs.append(result)
            figures[name] = runs
            print(
                f"{name}: median {statistics.median(r['rps'] for r in runs):.0f} req/s, p95 "
                f"{statistics.median(r['p95_us'] for r in runs) / 1000:.1f} ms "
                f"({args.connections} connections, {args.workers} workers)",
                flush=True,
            )
    finally:
        stop(server)
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=1), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
