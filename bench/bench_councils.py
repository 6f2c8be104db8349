"""Benchmark: drafting a township's 民生议事会 agenda over 1,000,000 tickets (docs/benchmarks.md,
target p95 < 200 ms).

Usage (from the repository root):

    .venv/bin/python bench/bench_councils.py [--database-url URL] [--runs N] [--township CODE]

    --database-url URL   default postgres://postgres@127.0.0.1:5432/bench_councils, a database
                         filled by bench/gen_tickets.py (1,000,000 tickets of the demo county
                         over the last 365 days); it must exist
    --runs N             timed requests per case (default 100)
    --township CODE      default 410927102000 (孙口镇)

What is timed, after 5 warm-up requests each, median and p95 of --runs:
- `draft`: `councils.draft_agenda(council, since, until)` for the week before today — the new
  demands grouped by village and category, hot spots (the 热点 page's grouping), overdue,
  不满意, repeat callers, carried-over work, villagers' questions, open suggestions;
- `page`: the agenda page (/governance/councils/<code>/agenda/) through Django's test client in
  this process, as the township's leader sees it (middleware, the draft, the template);
- `open`: `council_meeting_open` — the draft plus its snapshot written as agenda lines — in a
  transaction rolled back after each run.
The township's council is created if the database has none (the demo's seed makes one).
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchdb

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_councils"


def measure(name: str, runs: int, call: Callable[[], object]) -> tuple[float, float]:
    for _ in range(5):
        call()
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        call()
        times.append((time.perf_counter() - began) * 1000)
    times.sort()
    p95 = times[max(0, int(len(times) * 0.95) - 1)]
    median = statistics.median(times)
    print(f"{name}: median {median:.1f} ms, p95 {p95:.1f} ms, max {times[-1]:.1f} ms ({runs} runs)")
    return median, p95


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--township", default="410927102000")
    args = parser.parse_args()
    benchdb.setup(args.database_url)
    from django.conf import settings
    from django.db import transaction
    from django.test import Client
    from django.utils import timezone

    from minsheng.governance import councils
    from minsheng.governance.models import Council
    from minsheng.governance.services import councils as service
    from minsheng.org.models import Division, Role, Unit, User
    from minsheng.tickets.models import Ticket

    settings.ALLOWED_HOSTS = ["*"]
    total = Ticket.objects.count()
    division = Division.objects.get(code=args.township)
    council = Council.objects.filter(division=division).first()
    admin = User.objects.filter(roles__role=Role.ADMINISTRATOR).first()
    if council is None:
        unit = Unit.objects.get(division=division, kind=Unit.Kind.TOWNSHIP)
        assert admin is not None
        council = service.council_create(actor=admin, division=division, unit=unit)
    leader = User.objects.filter(unit=council.unit, roles__role=Role.UNIT_LEADER).first()
    assert leader is not None, "the township needs a unit leader (the demo's leader-<slug>)"
    today = timezone.localdate()
    since, until = today - dt.timedelta(days=7), today
    week = Ticket.objects.filter(
        councils.township_q(council),
        created_at__gte=timezone.now() - dt.timedelta(days=7),
    ).count()
    print(
        f"{total:,} tickets; {division.name}: {Ticket.objects.filter(councils.township_q(council)).count():,}"
        f" tickets, {week:,} in the last week"
    )
    agenda = councils.draft_agenda(council, since=since, until=until)
    print(
        f"agenda: {agenda.new_total} new in {len(agenda.groups)} groups, {len(agenda.hot)} hot spots,"
        f" {len(agenda.overdue)} overdue, {len(agenda.unsatisfied)} 不满意,"
        f" {len(agenda.repeat)} repeat callers, {len(agenda.carry)} carried over"
    )
    measure("draft", args.runs, lambda: councils.draft_agenda(council, since=since, until=until))
    client = Client()
    client.force_login(leader)
    url = f"/governance/councils/{division.code}/agenda/?date={until.isoformat()}"

    def page() -> None:
        response = client.get(url)
        assert response.status_code == 200, response.status_code

    measure("page", args.runs, page)
    opening = until + dt.timedelta(days=1)  # a day with no meeting yet

    class Rollback(Exception):
        pass

    def open_meeting() -> None:
        try:
            with transaction.atomic():
                service.council_meeting_open(actor=leader, council=council, date=opening)
                raise Rollback
        except Rollback:
            pass

    measure("open", max(10, args.runs // 4), open_meeting)


if __name__ == "__main__":
    main()
