"""Benchmark: the facilities' upkeep clock on PostgreSQL (docs/benchmarks/facilities.md).

Usage (from the repository root):

    .venv/bin/python bench/bench_facilities.py [--database-url URL] [--facilities N]
                                               [--due N] [--runs N] [--keep] [--json FILE]

    --database-url URL   default postgres://postgres@127.0.0.1:5432/bench_facilities: created
                         (dropped first if it exists), migrated, filled, and dropped at the end
                         unless --keep
    --facilities N       facilities, each with one cleaning schedule (default 100,000)
    --due N              schedules whose check has come at each run (default 1,000); half of
                         them have their round logged, so half raise an alarm
    --runs N             timed runs (default 5)
    --profile            after the runs, one more sweep under cProfile (top 30, cumulative)

Steps ("now" is a fixed moment; Django is set up outside the timing):

- fill: N facilities of one township, owned by 50 units each with its keeper (a handler) and a
  leader, a cleaning schedule at 10:00 each (its check tomorrow, 10:30), through
  `lib.bulk.insert_rows`; an alarm tells two people.
- sweep: after one untimed warm-up batch, before each run (not timed) --due schedules are made due (their round today 10:00, its
  check 10:30, `now` 10:31), every other one gets its round logged at 10:05, earlier alarms and
  messages are deleted, and the tables are vacuumed; then one `sweep_schedules(now=…)` — the
  worker's batch: claim, rounds, alarms, in-app messages, next moments — is timed.
- idle: `sweep_schedules` when nothing is due, median of 200 calls per run, and EXPLAIN
  (ANALYZE, BUFFERS) of its claim: an index scan of the partial index facilities_schedule_check.
The load average (1 min) is read before each timed run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchdb

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_facilities"
KEEPERS = 50


def _admin_url(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/postgres")), parts.path.lstrip("/")


def recreate(url: str) -> None:
    import psycopg

    admin, name = _admin_url(url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop(url: str) -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    admin, name = _admin_url(url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def explain(sql: str, params: Any) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def vacuum() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for table in (
            "facilities_facility",
            "facilities_schedule",
            "facilities_round",
            "facilities_missedround",
            "notify_message",
        ):
            cursor.execute(f"VACUUM ANALYZE {table}")


def moments(day: dt.date) -> dict[str, dt.datetime]:
    from zoneinfo import ZoneInfo

    tz = ZoneInfo("Asia/Shanghai")
    at = lambda h, m: dt.datetime.combine(day, dt.time(h, m), tz)  # noqa: E731
    return {
        "due": at(10, 0),
        "check": at(10, 30),
        "now": at(10, 31),
        "done": at(10, 5),
        "next_due": at(10, 0) + dt.timedelta(days=1),
        "next_check": at(10, 30) + dt.timedelta(days=1),
    }


def fill(count: int, day: dt.date) -> None:
    from minsheng.facilities.models import Facility, Schedule, new_public_code
    from minsheng.lib.bulk import insert_rows
    from minsheng.org.models import Division, Role, RoleGrant, Unit, User

    county = Division.objects.create(code="410927000000", name="台前县", level=3)
    town = Division.objects.create(code="410927102000", name="孙口镇", level=4, parent=county)
    gov = Unit.objects.create(
        code="sunkou", name="孙口镇人民政府", kind=Unit.Kind.TOWNSHIP, division=town
    )
    # 50 owner units (village committees, teams), each with its keeper (a handler) and a
    # leader: an alarm tells the keeper and the owner unit's two people.
    owners = [
        Unit.objects.create(
            code=f"team{n}", name=f"环卫{n}组", kind=Unit.Kind.TEAM, parent=gov, division=town
        )
        for n in range(KEEPERS)
    ]
    keepers = [
        User.objects.create(username=f"keeper{n}", unit=owners[n], display_name=f"保洁员{n}")
        for n in range(KEEPERS)
    ]
    leaders = [
        User.objects.create(username=f"leader{n}", unit=owners[n], display_name=f"组长{n}")
        for n in range(KEEPERS)
    ]
    RoleGrant.objects.bulk_create(RoleGrant(user=u, role=Role.HANDLER) for u in keepers)
    RoleGrant.objects.bulk_create(RoleGrant(user=u, role=Role.UNIT_LEADER) for u in leaders)
    t = moments(day)
    codes = set()
    while len(codes) < count:
        codes.add(new_public_code())
    rows = [
        (
            code,
            "公厕",
            f"公厕{n:06d}",
            town.code,
            town.code,
            owners[n % KEEPERS].pk,
            keepers[n % KEEPERS].pk,
            False,
            dt.time(6),
            dt.time(22),
        )
        for n, code in enumerate(sorted(codes))
    ]
    for start in range(0, count, 20_000):
        insert_rows(
            Facility,
            (
                "public_code",
                "kind",
                "name",
                "place_id",
                "township_code",
                "owner_id",
                "keeper_user_id",
                "all_day",
                "opens_at",
                "closes_at",
            ),
            rows[start : start + 20_000],
        )
    ids = list(Facility.objects.order_by("id").values_list("id", flat=True))
    for start in range(0, count, 20_000):
        insert_rows(
            Schedule,
            ("facility_id", "kind", "rule", "times", "next_due_at", "check_at"),
            [
                (fid, "cleaning", "times", "10:00", t["next_due"], t["next_check"])
                for fid in ids[start : start + 20_000]
            ],
        )


def prepare(due: int, day: dt.date) -> None:
    """`due` schedules spread over the table made due, every other one with its round done."""
    import uuid

    from django.db import connection

    from minsheng.facilities.models import MissedRound, Round, Schedule
    from minsheng.lib.bulk import insert_rows
    from minsheng.notify.models import Message

    t = moments(day)
    MissedRound.objects.all().delete()
    Round.objects.all().delete()
    Message.objects.all().delete()
    Schedule.objects.update(next_due_at=t["next_due"], check_at=t["next_check"])
    total = Schedule.objects.count()
    step = max(1, total // due)
    rows = list(
        Schedule.objects.order_by("id").values_list("id", "facility_id")[: step * due : step]
    )
    Schedule.objects.filter(id__in=[r[0] for r in rows]).update(
        next_due_at=t["due"], check_at=t["check"]
    )
    insert_rows(
        Round,
        ("facility_id", "schedule_id", "kind", "done_at", "form_token"),
        [(fid, sid, "cleaning", t["done"], uuid.uuid4()) for sid, fid in rows[::2]],
    )
    connection.close()  # VACUUM outside a transaction, on a fresh connection
    vacuum()


def step_sweep(runs: int, due: int, day: dt.date) -> dict[str, Any]:
    from minsheng.facilities.clock import sweep_schedules
    from minsheng.facilities.models import MissedRound

    t = moments(day)
    times: list[float] = []
    loads: list[float] = []
    alarms = 0
    # One warm-up batch, not timed: a worker's first pass also loads the working calendar and
    # compiles its statements once per process.
    prepare(due, day)
    sweep_schedules(now=t["now"], limit=due * 2)
    for _ in range(runs):
        prepare(due, day)
        loads.append(os.getloadavg()[0])
        started = time.perf_counter()
        result = sweep_schedules(now=t["now"], limit=due * 2)
        times.append((time.perf_counter() - started) * 1000)
        assert result.schedules == due, result
        alarms = MissedRound.objects.count()
        print(f"  sweep: {times[-1]:.1f} ms, {result.alarms} alarms, load {loads[-1]:.2f}")
    return {
        "median_ms": statistics.median(times),
        "runs_ms": times,
        "alarms": alarms,
        "load_1min": loads,
    }


def step_idle(runs: int, day: dt.date) -> dict[str, Any]:
    from django.db import connection

    from minsheng.facilities.clock import FIELDS, sweep_schedules
    from minsheng.facilities.models import Schedule

    t = moments(day)
    while sweep_schedules(now=t["now"]).schedules:
        pass
    medians: list[float] = []
    loads: list[float] = []
    for _ in range(runs):
        loads.append(os.getloadavg()[0])
        each = []
        for _ in range(200):
            started = time.perf_counter()
            sweep_schedules(now=t["now"])
            each.append(time.perf_counter() - started)
        medians.append(statistics.median(each) * 1000)
    sql, params = (
        Schedule.objects.filter(check_at__lte=t["now"])
        .order_by("check_at")
        .values_list(*FIELDS)[:2000]
        .query.sql_with_params()
    )
    with connection.cursor() as cursor:
        cursor.execute("BEGIN")
        plan = explain(sql + " FOR UPDATE SKIP LOCKED", params)
        cursor.execute("ROLLBACK")
    print(f"  idle sweep: median {statistics.median(medians):.3f} ms\n{plan}", flush=True)
    return {
        "median_ms": statistics.median(medians),
        "runs_ms": medians,
        "load_1min": loads,
        "plan": plan,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--facilities", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--profile", action="store_true", help="cProfile one more sweep")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    recreate(args.database_url)
    benchdb.setup(args.database_url)
    from django.core.management import call_command

    try:
        call_command("migrate", verbosity=0)
        day = dt.date(2026, 12, 7)
        started = time.perf_counter()
        fill(args.facilities, day)
        print(f"fill: {time.perf_counter() - started:.1f} s", flush=True)
        results: dict[str, Any] = {
            "date": dt.date.today().isoformat(),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
            f"{platform.python_version()}",
            "facilities": args.facilities,
            "due": args.due,
            "sweep": step_sweep(args.runs, args.due, day),
            "idle": step_idle(args.runs, day),
        }
        if args.profile:
            import cProfile
            import pstats

            from minsheng.facilities.clock import sweep_schedules

            prepare(args.due, day)
            profile = cProfile.Profile()
            profile.enable()
            sweep_schedules(now=moments(day)["now"], limit=args.due * 2)
            profile.disable()
            pstats.Stats(profile).sort_stats("cumulative").print_stats(30)
    finally:
        if not args.keep:
            drop(args.database_url)
    text = json.dumps(results, ensure_ascii=False, indent=2, default=str)
    if args.json:
        args.json.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
