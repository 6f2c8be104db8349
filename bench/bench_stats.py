"""Bench: the statistics pages on PostgreSQL at scale — the unit ranking for a month and for a
year, and a drill-down list — after building the rollups from the tickets.

Usage (from the repository root):

    .venv/bin/python bench/gen_tickets.py --database-url postgres://postgres@127.0.0.1:5432/bench_stats \
        --tickets N --reset                     # realistic tickets of the demo county
    .venv/bin/python bench/bench_stats.py [--database-url URL] [--runs 30] [--rebuild]

    --database-url URL  default postgres://postgres@127.0.0.1:5432/bench_stats; names `test`,
                        `test_*`, `postgres` and `template*` are refused.
    --runs N            timed requests per page (after 3 untimed warm-up requests); default 30.
    --rebuild           recompute the rollups from the tickets first (`rates_rebuild`) and
                        report how long it took; without it the rollups are brought up to date
                        by the worker's refresh (a no-op when they already are).

What is measured: full HTTP requests through Django's test client as the demo's `leader`
(session, middleware, view, rollup queries, template), wall-clock per request; figures are
the median and the 95th percentile of the runs, and the time PostgreSQL took for the queries of
one more request (Django's query log):

- `units, month`: /stats/units/ for the last complete month of the data (the county's
  top-level units ranked by composite score, with the total row);
- `units, year`: /stats/units/ for the 365 days before the generation time (a custom period);
- `units, township month`: /stats/units/?unit=sunkou — 孙口镇's stations, teams and villages;
- `drill-down`: /stats/tickets/?m=resolved for the month (first page of 50, newest first), and
  the same for 孙口镇 only (a unit's subtree through the lead unit's path).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _check_name(url: str) -> None:
    name = urlparse(url).path.lstrip("/")
    if name in ("test", "postgres") or name.startswith(("test_", "template")):
        raise SystemExit(f"refusing to benchmark in database {name!r}: use e.g. bench_stats")


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))
    return ordered[index]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/bench_stats")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    _check_name(args.database_url)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minsheng.settings")
    os.environ.setdefault(
        "MINSHENG_VAR_DIR", str(Path(tempfile.gettempdir()) / "minsheng-bench-stats")
    )

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from minsheng.org.models import User
    from minsheng.stats import rollup
    from minsheng.tickets.models import Ticket

    tickets = Ticket.objects.count()
    print(f"database {connection.settings_dict['NAME']}: {tickets:,} tickets")
    if args.rebuild:
        started = time.perf_counter()
        done = rollup.rebuild(batch=5000, progress=lambda n: print(f"  rebuilt {n:,}", end="\r"))
        took = time.perf_counter() - started
        print(f"rebuild: {done:,} tickets in {took:.1f} s ({done / took:,.0f} tickets/s)")
    else:
        started = time.perf_counter()
        done = rollup.refresh_until_done(limit=5000)
        print(f"refresh: {done:,} tickets in {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM stats_cell")
        cells = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM stats_unitday")
        unit_days = cursor.fetchone()[0]
    print(f"rollups: {cells:,} Cell rows, {unit_days:,} UnitDay rows")

    newest = Ticket.objects.order_by("-created_at").values_list("created_at", flat=True).first()
    end = timezone.localtime(newest).date() if newest else timezone.localdate()
    month_start = (end.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    month = {"period": "month", "date": month_start.isoformat()}
    year = {
        "period": "custom",
        "from": (end - dt.timedelta(days=364)).isoformat(),
        "to": end.isoformat(),
    }
    pages = [
        ("units, month", "/stats/units/", month),
        ("units, year (365 days)", "/stats/units/", year),
        ("units, township month", "/stats/units/", {**month, "unit": "sunkou"}),
        ("drill-down, month", "/stats/tickets/", {**month, "m": "resolved"}),
        (
            "drill-down, township month",
            "/stats/tickets/",
            {**month, "m": "resolved", "unit": "sunkou"},
        ),
        ("drill-down, year", "/stats/tickets/", {**year, "m": "received"}),
    ]
    from minsheng.org.models import Unit

    city = Unit.objects.filter(code="gov4101").first()
    if city is not None:  # generated with --province 41: a city's counties and their units
        pages[3:3] = [
            ("units, a city month", "/stats/units/", {**month, "unit": city.code}),
            ("units, a city year", "/stats/units/", {**year, "unit": city.code}),
        ]
        pages.append(
            (
                "drill-down, a city month",
                "/stats/tickets/",
                {**month, "m": "resolved", "unit": city.code},
            )
        )
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    client.force_login(User.objects.get(username="leader"))
    print(
        f"\n{'page':30} {'median ms':>10} {'p95 ms':>8} {'queries':>8} {'SQL ms':>8}"
        f"   ({args.runs} runs; SQL: the queries of one more request)"
    )
    for label, path, params in pages:
        for _ in range(3):
            assert client.get(path, params).status_code == 200
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            response = client.get(path, params)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        with CaptureQueriesContext(connection) as queries:
            client.get(path, params)
        sql_ms = sum(float(q["time"]) for q in queries.captured_queries) * 1000
        print(
            f"{label:30} {statistics.median(times):10.1f} {_percentile(times, 0.95):8.1f} "
            f"{len(queries.captured_queries):8d} {sql_ms:8.1f}"
        )


if __name__ == "__main__":
    main()
