"""Benchmark: village boards at national scale on PostgreSQL (docs/benchmarks/villages.md).

Usage (from the repository root):

    .venv/bin/python bench/bench_villages.py [--database-url URL] [--step STEP …] [--runs N]
                                             [--items-villages N] [--years N] [--json FILE]

    --database-url URL   default postgres://postgres@127.0.0.1:5432/bench_villages: a database
                         migrated (`manage.py migrate`) into which `manage.py import_divisions
                         ../shared/data/divisions` loaded the whole country (620,573 villages);
                         the script refuses one without them
    --step STEP          any of boards, pass, overview, idle, items, board-read (default: all,
                         in that order); repeatable
    --runs N             timed runs of each figure (default 5; boards and pass: 3)
    --items-villages N   villages given items by `--step items` (default 5000)
    --years N            years of monthly items per village (default 10)
    --json FILE          also write every figure and run as JSON

Steps ("now" is the time of the run; Django is set up outside the timing):

- boards: `ensure_boards()` into an empty board table (all boards deleted before each run,
  not timed), and once more with nothing to create (the township-code refresh alone).
- pass: the clock's first full pass over every board, as a new installation's worker does it:
  every board due (`next_check_at` now, facts and notices reset before each run), then
  `sweep_boards_until_done` in batches of MINSHENG_VILLAGE_CLOCK_BATCH until none is due.
- overview: `figures.by_child` of 河南 (code 41, 52,378 villages, per city), median of --runs
  after one warm-up, and EXPLAIN (ANALYZE, BUFFERS) of each of its statements.
- idle: the worker's village step when nothing is due (`sweep_boards`), median of 200 calls per
  run, and EXPLAIN (ANALYZE, BUFFERS) of its claim: an index scan of villages_board_check.
- items: inserts --years of monthly items in --items-villages villages spread over the
  country (every k-th board by code): 财务 monthly, 村务 and 党务 quarterly, one 其他 a year,
  all published, through `minsheng.lib.bulk.insert_rows` (idempotent: skipped when present).
- board-read: one board's latest 50 published items (what the public board page reads), median
  of --runs × 100 reads over random item villages, with its EXPLAIN.
- board-page: the public board page itself (/h5/villages/<code>/ and one of its items'
  pages), rendered through Django's test client in this process — URL resolution, middleware,
  selectors, template — median and p95 of --runs × 100 pages over random item villages, and the
  township page of one of them (every village with its last publication and lateness).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchdb

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_villages"
STEPS = ("boards", "pass", "overview", "idle", "items", "board-read", "board-page")


def explain(sql: str, params: Any) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def vacuum() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE villages_board")
        cursor.execute("VACUUM ANALYZE villages_clocknotice")
        cursor.execute("VACUUM ANALYZE villages_item")


def step_boards(runs: int) -> dict[str, Any]:
    from django.db import connection

    from minsheng.villages.models import Board
    from minsheng.villages.services.boards import ensure_boards

    times, created = [], 0
    for _ in range(runs):
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE villages_board CASCADE")
            cursor.execute("TRUNCATE villages_clocknotice")
        started = time.perf_counter()
        created = ensure_boards()
        times.append(time.perf_counter() - started)
        print(f"  ensure_boards: {created} boards in {times[-1]:.2f} s", flush=True)
    started = time.perf_counter()
    again = ensure_boards()
    refresh = time.perf_counter() - started
    assert again == 0
    assert Board.objects.filter(next_check_at__isnull=True).count() == 0
    vacuum()
    return {
        "boards": created,
        "ensure_boards_s": statistics.median(times),
        "runs": times,
        "nothing_to_create_s": refresh,
    }


def _reset_clock() -> None:
    from django.db import connection
    from django.utils import timezone

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE villages_clocknotice")
        cursor.execute(
            "UPDATE villages_board SET next_check_at = %s, late_sections = '', late_since = NULL",
            [timezone.now()],
        )
    vacuum()


def step_pass(runs: int) -> dict[str, Any]:
    from django.conf import settings
    from django.utils import timezone

    from minsheng.villages.clock import sweep_boards_until_done
    from minsheng.villages.models import Board, ClockNotice

    times, checked = [], 0
    for _ in range(runs):
        _reset_clock()
        now = timezone.now()
        started = time.perf_counter()
        checked = sweep_boards_until_done(now=now, max_batches=10**6)
        times.append(time.perf_counter() - started)
        print(f"  first pass: {checked} boards in {times[-1]:.1f} s", flush=True)
    late = Board.objects.exclude(late_sections="").count()
    vacuum()
    return {
        "boards": checked,
        "batch": settings.MINSHENG_VILLAGE_CLOCK_BATCH,
        "pass_s": statistics.median(times),
        "runs": times,
        "late_boards": late,
        "alarms": ClockNotice.objects.count(),
    }


def step_overview(runs: int) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from minsheng.org.models import Division
    from minsheng.villages import figures

    henan = Division.objects.get(code="410000000000")
    figures.by_child(henan)  # warm-up
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        rows = figures.by_child(henan)
        times.append(time.perf_counter() - started)
    with CaptureQueriesContext(connection) as queries:
        figures.by_child(henan)
    plans = []
    for query in queries.captured_queries:
        # The captured SQL has its parameters inlined by the backend (psycopg's mogrify).
        plans.append({"sql": query["sql"], "plan": explain(query["sql"], None)})
    total = figures.total(r.figures for r in rows)
    print(f"  overview 41: median {statistics.median(times) * 1000:.0f} ms", flush=True)
    return {
        "villages": total.villages,
        "cities": len(rows),
        "late": total.late,
        "items_quarter": total.items_quarter,
        "median_ms": statistics.median(times) * 1000,
        "runs_ms": [t * 1000 for t in times],
        "statements": len(queries.captured_queries),
        "plans": plans,
    }


def step_idle(runs: int) -> dict[str, Any]:
    from django.db import connection
    from django.utils import timezone

    from minsheng.villages.clock import sweep_boards
    from minsheng.villages.models import Board

    now = timezone.now()
    while sweep_boards(now=now).boards:
        pass  # anything left due from an earlier step
    medians = []
    for _ in range(runs):
        each = []
        for _ in range(200):
            started = time.perf_counter()
            sweep_boards(now=now)
            each.append(time.perf_counter() - started)
        medians.append(statistics.median(each) * 1000)
    sql, params = (
        Board.objects.filter(next_check_at__lte=now)
        .order_by("next_check_at")
        .values_list("village_id", "township_code", "frequent_finance", "late_since")[:2000]
        .query.sql_with_params()
    )
    with connection.cursor() as cursor:
        cursor.execute("BEGIN")
        plan = explain(sql + " FOR UPDATE SKIP LOCKED", params)
        cursor.execute("ROLLBACK")
    print(f"  idle sweep: median {statistics.median(medians):.3f} ms", flush=True)
    return {"median_ms": statistics.median(medians), "runs_ms": medians, "plan": plan}


def step_items(villages: int, years: int) -> dict[str, Any]:
    from django.db import connection
    from django.utils import timezone

    from minsheng.lib.bulk import insert_rows
    from minsheng.villages.models import Item
    from minsheng.villages.periods import month_bounds, quarter_bounds

    if Item.objects.exists():
        count = Item.objects.count()
        print(f"  items: {count} already there, nothing inserted", flush=True)
        return {"items": count, "inserted": 0}
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM villages_board")
        boards = cursor.fetchone()[0]
        step = max(boards // villages, 1)
        cursor.execute(
            "SELECT village_id FROM (SELECT village_id, row_number() OVER (ORDER BY village_id) "
            "AS n FROM villages_board) b WHERE n %% %s = 0 ORDER BY village_id LIMIT %s",
            [step, villages],
        )
        codes = [row[0] for row in cursor.fetchall()]
    tz = timezone.get_default_timezone()
    today = timezone.localdate()
    first_year = today.year - years
    months = []
    day = dt.date(first_year, today.month, 1)
    while day < month_bounds(today)[0]:
        months.append(day)
        day = month_bounds(day)[1] + dt.timedelta(days=1)
    fields = (
        "board_id",
        "section",
        "title",
        "period_kind",
        "period_start",
        "period_end",
        "body",
        "status",
        "published_at",
    )
    body = "本期收支情况详见附表，如有疑问请联系村务监督委员会。" * 3
    started = time.perf_counter()
    inserted = 0
    for index in range(0, len(codes), 200):
        rows = []
        for code in codes[index : index + 200]:
            for month in months:
                start, end = month_bounds(month)
                published = dt.datetime.combine(end + dt.timedelta(days=5), dt.time(9), tz)
                rows.append(
                    (
                        code,
                        "finance",
                        f"{month:%Y年%m月}财务公开",
                        "month",
                        start,
                        end,
                        body,
                        "published",
                        published,
                    )
                )
                if month.month in (3, 6, 9, 12):
                    qs, qe = quarter_bounds(month)
                    label = f"{month.year}年第{(month.month - 1) // 3 + 1}季度"
                    for section, name in (("affairs", "村务公开"), ("party", "党务公开")):
                        rows.append(
                            (
                                code,
                                section,
                                f"{label}{name}",
                                "quarter",
                                qs,
                                qe,
                                body,
                                "published",
                                published,
                            )
                        )
                if month.month == 12:
                    rows.append(
                        (
                            code,
                            "other",
                            f"{month.year}年度其他事项",
                            "year",
                            dt.date(month.year, 1, 1),
                            dt.date(month.year, 12, 31),
                            body,
                            "published",
                            published,
                        )
                    )
        inserted += insert_rows(Item, fields, rows)
        print(f"  items: {inserted}", flush=True)
    elapsed = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE villages_board b SET last_published_at = m.at, next_check_at = %s "
            "FROM (SELECT board_id, max(published_at) AS at FROM villages_item "
            "GROUP BY board_id) m WHERE b.village_id = m.board_id",
            [timezone.now()],
        )
    vacuum()
    return {"villages": len(codes), "items": inserted, "insert_s": elapsed}


def step_board_read(runs: int) -> dict[str, Any]:
    from django.db import connection

    from minsheng.villages.models import Item

    codes = list(Item.objects.values_list("board_id", flat=True).distinct()[:5000])
    if not codes:
        return {"skipped": "no items (run --step items)"}
    rng = random.Random(21)

    def read(code: str) -> int:
        return len(
            list(
                Item.objects.filter(board_id=code, status="published")
                .order_by("-published_at")
                .values_list("id", "title", "section", "period_start", "published_at")[:50]
            )
        )

    medians, p95s = [], []
    for _ in range(runs):
        each = []
        for _ in range(100):
            code = rng.choice(codes)
            started = time.perf_counter()
            assert read(code) == 50
            each.append(time.perf_counter() - started)
        each.sort()
        medians.append(statistics.median(each) * 1000)
        p95s.append(each[94] * 1000)
    sql, params = (
        Item.objects.filter(board_id=codes[0], status="published")
        .order_by("-published_at")
        .values_list("id", "title", "section", "period_start", "published_at")[:50]
        .query.sql_with_params()
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM villages_item WHERE board_id = %s", [codes[0]])
        per_board = cursor.fetchone()[0]
    plan = explain(sql, params)
    print(f"  board read: median {statistics.median(medians):.2f} ms", flush=True)
    return {
        "items_per_board": per_board,
        "median_ms": statistics.median(medians),
        "p95_ms": statistics.median(p95s),
        "runs_median_ms": medians,
        "runs_p95_ms": p95s,
        "plan": plan,
    }


def step_board_page(runs: int) -> dict[str, Any]:
    from django.conf import settings
    from django.test import Client

    from minsheng.villages.models import Item

    county = str(settings.MINSHENG_COUNTY_CODE)[:6]
    codes = list(
        Item.objects.filter(board__village__code__startswith=county)
        .values_list("board_id", flat=True)
        .distinct()
    )
    if not codes:
        return {"skipped": "no items (run --step items)"}
    rng = random.Random(7)
    client = Client(HTTP_HOST="127.0.0.1")
    result: dict[str, Any] = {}

    def timed(paths: list[str]) -> dict[str, Any]:
        medians, p95s = [], []
        for _ in range(runs):
            each = []
            for path in paths:
                started = time.perf_counter()
                response = client.get(path)
                each.append(time.perf_counter() - started)
                assert response.status_code == 200, (path, response.status_code)
            each.sort()
            medians.append(statistics.median(each) * 1000)
            p95s.append(each[int(len(each) * 0.95) - 1] * 1000)
        return {
            "median_ms": statistics.median(medians),
            "p95_ms": statistics.median(p95s),
            "runs_p95_ms": p95s,
        }

    boards = [f"/h5/villages/{rng.choice(codes)}/" for _ in range(100)]
    client.get(boards[0])  # warm-up: templates compiled, snapshots loaded
    result["board"] = timed(boards)
    some = rng.sample(codes, min(len(codes), 100))
    latest = dict(
        Item.objects.filter(board_id__in=some, status="published")
        .order_by("board_id", "-published_at")
        .distinct("board_id")
        .values_list("board_id", "id")
    )
    items = [f"/h5/villages/{code}/items/{pk}/" for code, pk in latest.items()]
    items = [items[i % len(items)] for i in range(100)]
    result["item"] = timed(items)
    township = codes[0][:9] + "000"
    result["township"] = timed([f"/h5/villages/t/{township}/"] * 20)
    result["items_per_board"] = Item.objects.filter(board_id=codes[0]).count()
    result["county"] = county
    result["item_villages_in_county"] = len(codes)
    for name in ("board", "item", "township"):
        print(f"  {name} page: p95 {result[name]['p95_ms']:.1f} ms", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--step", action="append", choices=STEPS)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--items-villages", type=int, default=5000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if "board-page" in (args.step or STEPS):
        # The public pages serve the installation's county (MINSHENG_COUNTY_CODE): measure in
        # the county with the most villages that have items.
        import os

        import psycopg

        with psycopg.connect(args.database_url, autocommit=True) as conn:
            row = conn.execute(
                "SELECT substr(board_id, 1, 6), count(DISTINCT board_id) FROM villages_item "
                "GROUP BY 1 ORDER BY 2 DESC LIMIT 1"
            ).fetchone()
        if row:
            os.environ["MINSHENG_COUNTY_CODE"] = row[0]
    benchdb.setup(args.database_url)
    from minsheng.org.models import Division

    villages = Division.objects.filter(level=Division.Level.VILLAGE).count()
    if villages < 600_000:
        raise SystemExit(f"{villages} villages: import ../shared/data/divisions first")
    results: dict[str, Any] = {
        "date": dt.date.today().isoformat(),
        "machine": f"{platform.machine()}, Python {platform.python_version()}",
        "villages": villages,
    }
    heavy = min(args.runs, 3)
    for step in args.step or STEPS:
        print(f"{step} …", flush=True)
        if step == "boards":
            results[step] = step_boards(heavy)
        elif step == "pass":
            results[step] = step_pass(heavy)
        elif step == "overview":
            results[step] = step_overview(args.runs)
        elif step == "idle":
            results[step] = step_idle(args.runs)
        elif step == "items":
            results[step] = step_items(args.items_villages, args.years)
        elif step == "board-read":
            results[step] = step_board_read(args.runs)
        elif step == "board-page":
            results[step] = step_board_page(args.runs)
    text = json.dumps(results, ensure_ascii=False, indent=2, default=str)
    if args.json:
        args.json.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
